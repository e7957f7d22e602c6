// Package specs ships the dataset specs: the built-in Lending Club spec
// (the default of every pipeline command) and ready specs for other public
// credit data sets. The files beside this one are the specs themselves.
package specs

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"text/tabwriter"

	"github.com/credit-risk/credit-risk/internal/dataset"
)

//go:embed *.yaml
var files embed.FS

// Default is the name of the built-in spec used when none is given.
const Default = "lending_club"

// Names lists the shipped specs.
func Names() []string {
	ents, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Load decodes the shipped spec with the given name. An unknown name is an
// error that lists the shipped specs (see List).
func Load(name string) (*dataset.Spec, error) {
	f, err := files.Open(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in spec %q\n%s", name, List())
	}
	defer f.Close()
	s, err := dataset.DecodeSpec(f)
	if err != nil {
		return nil, fmt.Errorf("built-in spec %s: %w", name, err)
	}
	return s, nil
}

// List describes the shipped specs for a person choosing one: a heading,
// then one line per spec with its name, its file in the source tree and
// its description.
func List() string {
	var b strings.Builder
	b.WriteString("built-in specs (pass the name to --spec; the same files are in the repository's specs folder):")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, name := range Names() {
		desc := ""
		if f, err := files.Open(name + ".yaml"); err == nil {
			if s, err := dataset.DecodeSpec(f); err == nil {
				desc = s.Description
			}
			f.Close()
		}
		fmt.Fprintf(tw, "\n  %s\tspecs/%s.yaml\t%s", name, name, desc)
	}
	tw.Flush()
	return b.String()
}
