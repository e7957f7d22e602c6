package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/specs"
)

// version and commit are stamped at build time with -ldflags -X.
var (
	version = "dev"
	commit  = ""
)

func versionString() string {
	c := commit
	if c == "" {
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					c = s.Value
				}
			}
		}
	}
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("credit-risk %s (commit %s)", version, c)
}

// dirs are the three working folders every command shares.
type dirs struct {
	data, models, artifacts string
	spec                    string
}

// bind registers the shared flags on fs with defaults from the environment.
func (d *dirs) bind(fs *flag.FlagSet, m *Main) {
	def := func(env, fallback string) string {
		if v := m.Getenv(env); v != "" {
			return v
		}
		return fallback
	}
	fs.StringVar(&d.data, "data-dir", def("DATA_DIR", "data"), "data folder: raw/ inside is read, processed/ written (env DATA_DIR)")
	fs.StringVar(&d.models, "models-dir", def("MODELS_DIR", "models"), "models folder (env MODELS_DIR)")
	fs.StringVar(&d.artifacts, "artifacts-dir", def("ARTIFACTS_DIR", "artifacts"), "artifacts folder: registry and reports (env ARTIFACTS_DIR)")
	fs.StringVar(&d.spec, "spec", "", "dataset spec file (YAML or JSON), or the name of a built-in spec; default: built-in "+specs.Default)
}

func (d *dirs) raw() string       { return filepath.Join(d.data, "raw") }
func (d *dirs) processed() string { return filepath.Join(d.data, "processed") }

// checkRaw fails, with the words every command uses, when the raw data
// folder is missing or holds no file the spec reads: a check made before
// anything is written or recorded.
func (d *dirs) checkRaw(spec *dataset.Spec) error {
	_, err := dataset.FindSources(d.raw(), spec.Files)
	return err
}

// loadSpec returns the chosen spec.
func (d *dirs) loadSpec() (*dataset.Spec, error) {
	if d.spec == "" {
		return specs.Load(specs.Default)
	}
	if !strings.ContainsAny(d.spec, "./\\") {
		return specs.Load(d.spec)
	}
	spec, err := dataset.ReadSpecFile(d.spec)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("--spec %s: %w\n%s", d.spec, os.ErrNotExist, specs.List())
	}
	return spec, err
}

// newFlagSet returns a flag set whose usage prints the command's help text.
func newFlagSet(m *Main, name, help string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(m.Stdout, "%s\nFlags:\n", strings.TrimSpace(help))
		fs.SetOutput(m.Stdout)
		fs.PrintDefaults()
		fs.SetOutput(m.Stderr)
	}
	return fs
}

// parseFlags parses args and refuses positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: %s: unexpected argument %q", errUsage, fs.Name(), fs.Arg(0))
	}
	return nil
}

// demoDir is the folder `make demo` works in, beside the repository's own
// data, models and artifacts folders.
const demoDir = "demo"

// besideDemo returns demo/dir when dir is a relative path and demo/dir/file
// exists: the demo's counterpart of a folder that is empty here, for a
// newcomer who ran `make demo` and then looks from the repository root.
func besideDemo(dir, file string) (string, bool) {
	if filepath.IsAbs(dir) {
		return "", false
	}
	demo := filepath.Join(demoDir, dir)
	if _, err := os.Stat(filepath.Join(demo, file)); err != nil {
		return "", false
	}
	return demo, true
}

// absPath returns p made absolute, or p when that fails.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
