package sample

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFile: the file holds what Write writes, gzip-compressed for a
// ".gz" name, in a folder WriteFile makes; a bad config leaves no file.
func TestWriteFile(t *testing.T) {
	cfg := Config{Rows: 200, Seed: 8}
	var want bytes.Buffer
	if err := Write(t.Context(), &want, cfg); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data", "raw")
	for _, name := range []string{"loans.csv", "loans.csv.gz"} {
		path := filepath.Join(dir, name)
		if err := WriteFile(t.Context(), path, cfg); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = f
		if filepath.Ext(name) == ".gz" {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		got, err := io.ReadAll(r)
		f.Close()
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s: %d bytes (%v), want the %d bytes Write gives", name, len(got), err, want.Len())
		}
	}
	bad := filepath.Join(dir, "bad.csv")
	if err := WriteFile(t.Context(), bad, Config{Rows: -1}); err == nil {
		t.Error("no error for a bad config")
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Errorf("a failed write left %s: %v", bad, err)
	}
}
