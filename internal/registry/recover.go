package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Repair is what Recover did: one line per change, for the log.
type Repair []string

// Recover brings the models folder back in line with the registry after a
// crash, under the registry lock: every run still "running" whose process
// is gone on this host is marked interrupted (MarkStale), the files that
// ended runs recorded (Run.Files) but never registered are removed, with
// their temporary files, and the aliases are pointed at the versions the
// registry names (SyncAliases). Every retrain calls it at its start; it is
// safe to call at any time.
func Recover(regDir, modelsDir, host string, now time.Time) (Repair, error) {
	var rep Repair
	err := Update(regDir, func(r *Registry) error {
		var err error
		rep, err = r.Recover(modelsDir, host, now)
		return err
	})
	return rep, err
}

// Recover is the package's Recover on r, which the caller holds under the
// lock (in Update); the registry changes it makes (runs marked, removed
// files recorded) are written with the caller's.
func (r *Registry) Recover(modelsDir, host string, now time.Time) (Repair, error) {
	r.MarkStale(host, now)
	rep, err := r.removeUnregistered(modelsDir)
	if err != nil {
		return rep, err
	}
	changed, err := r.SyncAliases(modelsDir)
	return append(rep, changed...), err
}

// removeUnregistered removes the files of ended runs that no registered
// version names. A running run's files are left alone: it registers them
// itself.
func (r *Registry) removeUnregistered(modelsDir string) (Repair, error) {
	known := map[string]bool{}
	for _, v := range r.Versions {
		for _, f := range v.Files() {
			known[f] = true
		}
	}
	var rep Repair
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Status == RunRunning || len(run.Files) == 0 {
			continue
		}
		var kept []string
		for _, f := range run.Files {
			if known[f] {
				kept = append(kept, f)
				continue
			}
			removed, err := removeWithTemps(modelsDir, f)
			if err != nil {
				return rep, err
			}
			run.RemovedFiles = append(run.RemovedFiles, f)
			if removed {
				rep = append(rep, fmt.Sprintf("removed %s: run %s (%s) saved it but never registered it", f, run.ID, run.Status))
			}
		}
		run.Files = kept
	}
	return rep, nil
}

// removeWithTemps removes dir/name and the temporary files writing it
// leaves behind (.name.tmp-*), and reports whether there was anything to
// remove. A name with a path separator is refused: the registry names
// files inside the models folder only.
func removeWithTemps(dir, name string) (bool, error) {
	if name == "" || strings.ContainsRune(name, os.PathSeparator) || name == "." || name == ".." {
		return false, fmt.Errorf("registry: %q is not a file name inside %s", name, dir)
	}
	temps, err := filepath.Glob(filepath.Join(dir, "."+escapeGlob(name)+".tmp-*"))
	if err != nil {
		return false, err
	}
	removed := false
	for _, p := range slices.Concat([]string{filepath.Join(dir, name)}, temps) {
		err := os.Remove(p)
		switch {
		case err == nil:
			removed = true
		case !errors.Is(err, os.ErrNotExist):
			return removed, fmt.Errorf("registry: remove an unregistered file: %w", err)
		}
	}
	return removed, nil
}

// escapeGlob escapes the characters filepath.Match gives a meaning.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
