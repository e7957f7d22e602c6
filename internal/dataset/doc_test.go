package dataset

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// specKeys returns every key a spec can hold, as docs/spec.md writes
// them: dotted paths from the top, "<name>" for a map's entries and "[]"
// for a list's items ("columns.<name>.special_values", "derived[].op").
func specKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for f := range t.Fields() {
		tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if tag == "" || tag == "-" {
			continue
		}
		key := prefix + tag
		keys = append(keys, key)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case ft.Kind() == reflect.Struct:
			keys = append(keys, specKeys(ft, key+".")...)
		case ft.Kind() == reflect.Map && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, specKeys(ft.Elem(), key+".<name>.")...)
		case ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct:
			keys = append(keys, specKeys(ft.Elem(), key+"[].")...)
		}
	}
	return keys
}

// TestSpecReference checks docs/spec.md against the spec's types: every
// key a spec accepts has a row in one of its tables (first cell, the key
// in backquotes), and every row names a key a spec accepts, so the
// reference cannot drift from the decoder.
func TestSpecReference(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "spec.md"))
	if err != nil {
		t.Fatal(err)
	}
	keys := specKeys(reflect.TypeFor[Spec](), "")
	if len(keys) < 50 {
		t.Fatalf("found only %d keys: %v", len(keys), keys)
	}
	row := regexp.MustCompile("(?m)^\\| `([^`]+)` \\|")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(string(data), -1) {
		documented = append(documented, m[1])
	}
	for _, k := range keys {
		if !slices.Contains(documented, k) {
			t.Errorf("docs/spec.md has no row for the key %s", k)
		}
	}
	for _, d := range documented {
		if !slices.Contains(keys, d) {
			t.Errorf("docs/spec.md documents %s, which no spec accepts", d)
		}
	}
}
