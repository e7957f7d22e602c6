package model

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
)

// Model files are named by version: version N of the model called name is
// <name>_v<N>.model with its metadata in <name>_v<N>_metadata.json. This
// file is the one place that spells those names and counts versions.

// metadataSuffix ends a metadata file's name, after the model file's base.
const metadataSuffix = "_metadata.json"

// FileBase returns the base name of version v of the model called name:
// gbdt_v3 for ("gbdt", 3). The model file is FileBase + Ext.
func FileBase(name string, v int) string {
	return fmt.Sprintf("%s_v%d", name, v)
}

// MetadataName returns the metadata file name of the model file base name
// base: gbdt_v3 → gbdt_v3_metadata.json, production →
// production_metadata.json.
func MetadataName(base string) string {
	return base + metadataSuffix
}

// versionRE matches a versioned model file name: <name>_v<N>.model.
var versionRE = regexp.MustCompile(`^(.+)_v([0-9]+)` + regexp.QuoteMeta(Ext) + `$`)

// ParseFileName returns the name and version of a versioned model file
// name such as gbdt_v3.model, and false for any other name (the alias
// production.model, a metadata file, a temporary file).
func ParseFileName(file string) (name string, v int, ok bool) {
	m := versionRE.FindStringSubmatch(file)
	if m == nil {
		return "", 0, false
	}
	n, err := strconv.Atoi(m[2])
	if err != nil {
		return "", 0, false
	}
	return m[1], n, true
}

// Newest returns the highest version of each model name among the model
// files in dir, keyed by name. A folder without model files gives an empty
// map; a folder that cannot be read, the error.
func Newest(dir string) (map[string]int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, e := range ents {
		if name, v, ok := ParseFileName(e.Name()); ok && v > out[name] {
			out[name] = v
		}
	}
	return out, nil
}

// NextVersion returns one more than the highest version of name's model
// files in dir (1 when there is none).
func NextVersion(dir, name string) (int, error) {
	newest, err := Newest(dir)
	if err != nil {
		return 0, err
	}
	return newest[name] + 1, nil
}

// SaveNext saves m as the next free version of its name in dir (see Save),
// sets m.Version to it and returns the file base name (e.g. gbdt_v3). When
// another process claims a version first, it takes the one after.
func SaveNext(dir string, m *Model, meta *Metadata) (string, error) {
	version, err := NextVersion(dir, m.Name)
	if err != nil {
		return "", err
	}
	for range 100 {
		m.Version = version
		base := FileBase(m.Name, version)
		err := Save(dir, base, m, meta)
		if err == nil {
			return base, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
		version++ // another run took this version meanwhile
	}
	return "", fmt.Errorf("no free version for %s in %s", m.Name, dir)
}
