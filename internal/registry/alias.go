package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// Alias names a pointer to a model version in the models folder, MLflow
// style: models/<alias>.<ext> and models/<alias>_metadata.json are
// relative symbolic links to the version's files. The registry holds which
// version each alias names (the version in the alias's stage); the links
// follow it.
type Alias string

// The aliases.
const (
	// Production is the champion, the model the API serves.
	Production Alias = "production"
	// Challenger is the best candidate of the latest retrain that a
	// promotion gate stopped.
	Challenger Alias = "challenger"
)

// Aliases lists the aliases.
var Aliases = []Alias{Production, Challenger}

// Stage returns the registry stage whose version the alias names.
func (a Alias) Stage() Stage {
	if a == Challenger {
		return StageChallenger
	}
	return StageProduction
}

// AliasBase is the champion alias's base name: models/production.<ext> and
// models/production_metadata.json.
const AliasBase = string(Production)

func (a Alias) metadataLink() string { return string(a) + "_metadata.json" }

// SetAlias points the alias a in dir (a.<ext> and a_metadata.json, ext
// taken from modelFile) at the given files in dir, as relative symlinks.
// Each link is replaced atomically: a new link under a temporary name,
// then rename over the old one. The metadata link is switched first; a
// reader that resolves the model link and derives the metadata from its
// target never sees a mismatched pair.
func SetAlias(dir string, a Alias, modelFile, metadataFile string) error {
	ext := filepath.Ext(modelFile)
	for _, f := range []string{modelFile, metadataFile} {
		if strings.ContainsRune(f, os.PathSeparator) {
			return fmt.Errorf("alias %s: %q must be a file name inside %s", a, f, dir)
		}
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("alias %s: %w", a, err)
		}
	}
	if err := replaceLink(dir, a.metadataLink(), metadataFile); err != nil {
		return err
	}
	if err := replaceLink(dir, string(a)+ext, modelFile); err != nil {
		return err
	}
	return atomicfile.SyncDir(dir)
}

// RemoveAlias removes the alias a (with model extension ext) from dir; an
// alias that is not there is no error. The model link goes first, so a
// reader never finds a model link without its metadata.
func RemoveAlias(dir string, a Alias, ext string) error {
	for _, name := range []string{string(a) + ext, a.metadataLink()} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("alias %s: %w", a, err)
		}
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

// AliasTarget returns the file the alias a's model link (extension ext)
// points at, or "" when there is no such alias.
func AliasTarget(dir string, a Alias, ext string) (string, error) {
	t, err := os.Readlink(filepath.Join(dir, string(a)+ext))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alias %s: %w", a, err)
	}
	return t, nil
}

// aliasMetadataTarget is AliasTarget for the metadata link.
func aliasMetadataTarget(dir string, a Alias) (string, error) {
	t, err := os.Readlink(filepath.Join(dir, a.metadataLink()))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("alias %s: %w", a, err)
	}
	return t, nil
}

// Change is a stage change that moves an alias: which version, to which
// stage, under which action and why.
type Change struct {
	// Pick chooses the version, under the registry lock. It may change
	// the registry too (a run marking itself promoted); those changes are
	// written with the stage change or not at all.
	Pick func(r *Registry) (*Version, error)
	// To is StageProduction (the default) or StageChallenger.
	To     Stage
	Action Action
	Reason string
	// Verify, when set, checks the version's files (model and metadata
	// paths) before anything is written.
	Verify func(modelPath, metadataPath string) error
	// Written, when set, is called once the registry file is written and
	// before the alias links move (a crash test stops the process there).
	Written func()
}

// SetStage applies the change c in one transaction under the registry
// lock and returns the version it moved. The registry file is written
// first, then the alias links are pointed at the versions the registry
// names (SyncAliases), still under the lock: a link never names a version
// the registry does not hold in the alias's stage. A crash between the
// two leaves the links one change behind, which SyncAliases (run by
// Recover at every retrain's start and by every stage change) repairs.
// When the change fails before the registry is written, nothing changes.
func SetStage(regDir, modelsDir string, c Change, now time.Time) (*Version, error) {
	if c.To == "" {
		c.To = StageProduction
	}
	var chosen Version
	err := update(regDir, func(r *Registry) error {
		v, err := c.Pick(r)
		if err != nil {
			return err
		}
		if c.Verify != nil {
			if err := c.Verify(filepath.Join(modelsDir, v.File), filepath.Join(modelsDir, v.Metadata)); err != nil {
				return fmt.Errorf("%s: %w", v.Ref(), err)
			}
		}
		if err := checkLinks(modelsDir); err != nil {
			return err
		}
		switch c.To {
		case StageProduction:
			err = r.Promote(v.Ref(), c.Action, c.Reason, now)
		case StageChallenger:
			err = r.SetChallenger(v.Ref(), c.Action, c.Reason, now)
		default:
			err = fmt.Errorf("registry: no alias for stage %q", c.To)
		}
		if err != nil {
			return err
		}
		chosen = *v
		chosen.Stage = c.To
		return nil
	}, func(r *Registry) error {
		if c.Written != nil {
			c.Written()
		}
		_, err := r.SyncAliases(modelsDir)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &chosen, nil
}

// checkLinks refuses an alias path in dir that holds something other than
// a symbolic link, before the registry is written: the links could not be
// moved there.
func checkLinks(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("alias: %w", err)
	}
	for _, e := range ents {
		for _, a := range Aliases {
			base := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))
			if (base == string(a) || e.Name() == a.metadataLink()) && e.Type()&os.ModeSymlink == 0 {
				return fmt.Errorf("alias %s: %s is not a symbolic link", a, filepath.Join(dir, e.Name()))
			}
		}
	}
	return nil
}

// SyncAliases points every alias in modelsDir at the version the registry
// holds in its stage, and removes the challenger alias when there is no
// challenger (a production alias is left alone when nothing is in
// production). It returns one line per link it changed.
func (r *Registry) SyncAliases(modelsDir string) ([]string, error) {
	var changed []string
	for _, a := range Aliases {
		v := r.inStage(a.Stage())
		if v == nil {
			if a == Production {
				continue
			}
			for _, ext := range r.extensions() {
				t, err := AliasTarget(modelsDir, a, ext)
				if err != nil {
					return changed, err
				}
				if t != "" {
					if err := RemoveAlias(modelsDir, a, ext); err != nil {
						return changed, err
					}
					changed = append(changed, fmt.Sprintf("removed the %s alias (was %s): no version is %s", a, t, a.Stage()))
				}
			}
			continue
		}
		ext := filepath.Ext(v.File)
		t, err := AliasTarget(modelsDir, a, ext)
		if err != nil {
			return changed, err
		}
		mt, err := aliasMetadataTarget(modelsDir, a)
		if err != nil {
			return changed, err
		}
		if t == v.File && mt == v.Metadata {
			continue
		}
		if err := SetAlias(modelsDir, a, v.File, v.Metadata); err != nil {
			return changed, err
		}
		from := t
		if from == "" {
			from = "nothing"
		}
		changed = append(changed, fmt.Sprintf("pointed the %s alias at %s (was %s)", a, v.File, from))
	}
	return changed, nil
}

// extensions returns the model file extensions of the registered
// versions.
func (r *Registry) extensions() []string {
	var exts []string
	for _, v := range r.Versions {
		if e := filepath.Ext(v.File); e != "" && !slices.Contains(exts, e) {
			exts = append(exts, e)
		}
	}
	return exts
}
