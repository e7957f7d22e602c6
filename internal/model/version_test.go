package model

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"testing"
)

func TestParseFileName(t *testing.T) {
	tests := []struct {
		file    string
		name    string
		version int
		ok      bool
	}{
		{"gbdt_v3.model", "gbdt", 3, true},
		{"my_model_v12.model", "my_model", 12, true},
		{"lr_v1_metadata.json", "", 0, false},
		{"production.model", "", 0, false},
		{"gbdt_vx.model", "", 0, false},
		{"gbdt_v3.model.tmp", "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			name, v, ok := ParseFileName(tt.file)
			if name != tt.name || v != tt.version || ok != tt.ok {
				t.Errorf("ParseFileName(%q) = %q, %d, %v; want %q, %d, %v", tt.file, name, v, ok, tt.name, tt.version, tt.ok)
			}
			if tt.ok {
				if got := FileBase(name, v) + Ext; got != tt.file {
					t.Errorf("FileBase(%q, %d) + Ext = %q; want %q", name, v, got, tt.file)
				}
			}
		})
	}
	if got, want := MetadataName(FileBase("gbdt", 3)), "gbdt_v3_metadata.json"; got != want {
		t.Errorf("MetadataName = %q; want %q", got, want)
	}
}

func TestNewestAndNextVersion(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"gbdt_v1.model", "gbdt_v10.model", "gbdt_v2.model", "lr_v1.model", "rf_v4_metadata.json", "production.model"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Newest(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"gbdt": 10, "lr": 1}; !maps.Equal(got, want) {
		t.Errorf("Newest = %v; want %v", got, want)
	}
	for name, want := range map[string]int{"gbdt": 11, "lr": 2, "rf": 1} {
		if v, err := NextVersion(dir, name); err != nil || v != want {
			t.Errorf("NextVersion(%s) = %d, %v; want %d", name, v, err, want)
		}
	}
	if _, err := NextVersion(filepath.Join(dir, "missing"), "gbdt"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("NextVersion of a missing folder: err = %v; want os.ErrNotExist", err)
	}
}

func TestSaveNext(t *testing.T) {
	dir := t.TempDir()
	m := testModels(t)[0]
	for i, want := range []string{"gbdt_v1", "gbdt_v2", "gbdt_v3"} {
		base, err := SaveNext(dir, m, &Metadata{})
		if err != nil {
			t.Fatal(err)
		}
		if base != want || m.Version != i+1 {
			t.Errorf("save %d: base %s, version %d; want %s, %d", i+1, base, m.Version, want, i+1)
		}
		if _, meta, err := Load(filepath.Join(dir, base+Ext), ""); err != nil {
			t.Errorf("load %s: %v", base, err)
		} else if meta.File != base+Ext || meta.Version != i+1 {
			t.Errorf("metadata of %s: file %q, version %d", base, meta.File, meta.Version)
		}
	}
}
