package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

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

// Champion is a change of the production version: which version, under
// which action ("promote" or "rollback") and why.
type Champion struct {
	// Pick chooses the version, under the registry lock. It may change
	// the registry too (a run marking itself promoted); those changes are
	// written with the promotion or not at all.
	Pick   func(r *Registry) (*Version, error)
	Action string
	Reason string
	// Verify, when set, checks the version's files (model and metadata
	// paths) before the alias is pointed at them.
	Verify func(modelPath, metadataPath string) error
}

// SetChampion makes the version c picks production and points the champion
// alias in modelsDir at its files, in one transaction under the registry
// lock: when any part fails, the registry is not written. It returns the
// version now in production.
func SetChampion(regDir, modelsDir string, c Champion, now time.Time) (*Version, error) {
	var chosen Version
	err := Update(regDir, func(r *Registry) error {
		v, err := c.Pick(r)
		if err != nil {
			return err
		}
		if err := r.Promote(v.Ref(), c.Action, c.Reason, now); err != nil {
			return err
		}
		if c.Verify != nil {
			if err := c.Verify(filepath.Join(modelsDir, v.File), filepath.Join(modelsDir, v.Metadata)); err != nil {
				return fmt.Errorf("%s: %w", v.Ref(), err)
			}
		}
		chosen = *v
		return SetAlias(modelsDir, v.File, v.Metadata)
	})
	if err != nil {
		return nil, err
	}
	return &chosen, nil
}
