package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// AliasBase is the champion alias's base name: models/production.<ext> and
// models/production_metadata.json.
const AliasBase = "production"

// SetAlias points models/production<ext> and models/production_metadata.json
// at the given files in dir (relative symlinks). Each link is replaced
// atomically: a new link under a temporary name, then rename over the old
// one. The metadata link is switched first; a reader that resolves the
// model link and derives the metadata from its target never sees a
// mismatched pair.
func SetAlias(dir, modelFile, metadataFile string) error {
	ext := filepath.Ext(modelFile)
	for _, f := range []string{modelFile, metadataFile} {
		if strings.ContainsRune(f, os.PathSeparator) {
			return fmt.Errorf("alias: %q must be a file name inside %s", f, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("alias: %w", err)
		}
	}
	if err := replaceLink(dir, AliasBase+"_metadata.json", metadataFile); err != nil {
		return err
	}
	if err := replaceLink(dir, AliasBase+ext, modelFile); err != nil {
		return err
	}
	return atomicfile.SyncDir(dir)
}

func replaceLink(dir, name, target string) error {
	tmp := filepath.Join(dir, fmt.Sprintf(".%s.tmp-%d", name, os.Getpid()))
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("alias: %w", err)
	}
	return nil
}

// AliasTarget returns the file the model alias points at, or "" when there
// is no alias.
func AliasTarget(dir, ext string) (string, error) {
	t, err := os.Readlink(filepath.Join(dir, AliasBase+ext))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return t, err
}
