// Package specs ships the dataset specs: the built-in Lending Club spec
// (the default of every pipeline command) and ready specs for other public
// credit data sets. The files beside this one are the specs themselves.
package specs

import (
	"embed"
	"fmt"
	"io/fs"
	"strings"

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

// Load decodes the shipped spec with the given name.
func Load(name string) (*dataset.Spec, error) {
	f, err := files.Open(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("no built-in spec %q (have %s)", name, strings.Join(Names(), ", "))
	}
	defer f.Close()
	s, err := dataset.DecodeSpec(f)
	if err != nil {
		return nil, fmt.Errorf("built-in spec %s: %w", name, err)
	}
	return s, nil
}
