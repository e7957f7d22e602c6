package featurestep

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/split"
)

// cleanSmall cleans n generated loans into a processed folder and returns
// it.
func cleanSmall(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	writeSmall(t, dir, n)
	out := filepath.Join(dir, "processed")
	if _, err := clean.Run(t.Context(), decode(t, testSpec), clean.Options{RawDir: filepath.Join(dir, "raw"), OutDir: out}); err != nil {
		t.Fatal(err)
	}
	return out
}

// editJSON rewrites a JSON file through edit.
func editJSON(t *testing.T, path string, edit func(m map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFeaturesReadsTheSplit moves one training row to the test set in
// split.json (and the clean log's counts) and checks that the features step
// follows the file rather than deciding the split again.
func TestFeaturesReadsTheSplit(t *testing.T) {
	out := cleanSmall(t, 1000)
	path := filepath.Join(out, split.FileName)
	a, err := split.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	train, test := a.Counts()
	moved := -1
	for i, isTest := range a.Test {
		if !isTest {
			a.Test[i], moved = true, i
			break
		}
	}
	if err := split.WriteFile(path, a); err != nil {
		t.Fatal(err)
	}
	editJSON(t, filepath.Join(out, clean.LogFile), func(m map[string]any) {
		s := m["split"].(map[string]any)
		s["train_rows"], s["test_rows"] = train-1, test+1
	})
	meta, err := Run(t.Context(), Options{Dir: out})
	if err != nil {
		t.Fatalf("row %d moved to test: %v", moved, err)
	}
	if meta.TrainRows != train-1 || meta.TestRows != test+1 {
		t.Errorf("got %d train and %d test rows; want %d and %d, as split.json says", meta.TrainRows, meta.TestRows, train-1, test+1)
	}
}

// TestFeaturesRefusesSplit checks that a damaged, missing or mismatched
// split file stops the features step with an error naming the file and the
// check, and that nothing is written.
func TestFeaturesRefusesSplit(t *testing.T) {
	other := cleanSmall(t, 600) // a split of another cleaned table
	tests := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string // after "features: <dir>/split.json"
	}{
		{"missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, split.FileName)); err != nil {
				t.Fatal(err)
			}
		}, ": no such file or directory"},
		{"damaged", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, split.FileName), func(m map[string]any) { m["test_rows"] = m["test_rows"].(float64) + 1 })
		}, ": rows check failed"},
		{"truncated", func(t *testing.T, dir string) {
			path := filepath.Join(dir, split.FileName)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil {
				t.Fatal(err)
			}
		}, ": json check failed"},
		{"another table", func(t *testing.T, dir string) {
			data, err := os.ReadFile(filepath.Join(other, split.FileName))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, split.FileName), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}, ": table_sha256 check failed"},
		{"disagrees with the clean log", func(t *testing.T, dir string) {
			editJSON(t, filepath.Join(dir, split.FileName), func(m map[string]any) { m["date"] = "2010-01-01" })
		}, ": clean_log check failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := cleanSmall(t, 1000)
			tt.spoil(t, dir)
			_, err := Run(t.Context(), Options{Dir: dir})
			want := "features: "
			if tt.name == "missing" {
				want += "open "
			}
			want += filepath.Join(dir, split.FileName) + tt.want
			if err == nil || !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "run `credit-risk clean` again") {
				t.Errorf("got error %v\nwant one starting %q and ending with the step to run", err, want)
			}
			if tt.name != "missing" && !errors.Is(err, split.ErrFile) {
				t.Errorf("error %v does not wrap split.ErrFile", err)
			}
			if _, err := os.Stat(filepath.Join(dir, MetaFile)); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%s written from a refused split", MetaFile)
			}
		})
	}
}
