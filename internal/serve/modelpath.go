package serve

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/credit-risk/credit-risk/internal/model"
)

// championAlias is the base name of the champion alias the training
// pipeline writes.
const championAlias = "production" + model.Ext

// resolveModelPath returns the model file to serve for the configured path.
// A missing path whose folder holds a model file of the same name with this
// project's extension is read as a name for that file: MODEL_PATH=
// /app/models/production.pkl, the value the seed's images were run with,
// serves /app/models/production.model. It returns the path unchanged
// otherwise, and says what it did in note.
func resolveModelPath(path string) (resolved, note string) {
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		return path, ""
	}
	ext := filepath.Ext(path)
	if ext == model.Ext {
		return path, ""
	}
	alt := strings.TrimSuffix(path, ext) + model.Ext
	if _, err := os.Stat(alt); err != nil {
		return path, ""
	}
	return alt, "MODEL_PATH " + path + " does not exist; serving " + alt + ", the model file of that name"
}

// suggestModel names the model files in the folder of a missing path that
// the user may have meant: the champion alias when the folder holds it,
// else up to five model files.
func suggestModel(path string) []string {
	dir := filepath.Dir(path)
	if _, err := os.Stat(filepath.Join(dir, championAlias)); err == nil {
		return []string{filepath.Join(dir, championAlias)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var found []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), model.Ext) {
			found = append(found, filepath.Join(dir, e.Name()))
		}
	}
	slices.Sort(found)
	if len(found) > 5 {
		found = found[:5]
	}
	return found
}
