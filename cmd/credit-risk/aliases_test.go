package main

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestResolveArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		note    string // a part of the note; "" for none
		wantErr string // a part of the error; "" for none
	}{
		{args: []string{"clean"}, want: []string{"clean"}},
		{args: []string{"credit-risk", "clean", "--spec", "x"}, want: []string{"clean", "--spec", "x"}},
		{args: []string{"/usr/local/bin/credit-risk", "retrain"}, want: []string{"retrain"}},
		{args: []string{"credit-risk"}, want: []string{}},
		{args: []string{"python", "scripts/clean_data.py"}, want: []string{"clean"}, note: "python scripts/clean_data.py: running `credit-risk clean`"},
		{args: []string{"python3", "scripts/retrain_model.py", "--no-promote"}, want: []string{"retrain", "--no-promote"}, note: "running `credit-risk retrain --no-promote`"},
		{args: []string{"python", "scripts/build_features.py"}, want: []string{"features"}},
		{args: []string{"python", "scripts/train_model.py"}, want: []string{"train"}},
		{args: []string{"python", "scripts/evaluate_model.py"}, want: []string{"evaluate"}},
		{args: []string{"python", "scripts/explain_model.py"}, want: []string{"explain"}},
		{args: []string{"python", "-m", "scripts.clean_data"}, want: []string{"clean"}},
		{args: []string{"python", "scripts/ingest_data.py"}, want: []string{"validate"}, note: "reads and checks the raw files"},
		{args: []string{"python", "scripts/tune_hyperparameters.py"}, want: []string{"retrain", "--no-promote"}},
		{args: []string{"python", "scripts/promote_model.py", "--version", "3"}, want: []string{"models", "promote", "--version", "3"}},
		{args: []string{"python", "scripts/rollback_model.py"}, want: []string{"models", "rollback"}},
		{args: []string{"ingest"}, want: []string{"validate"}, note: "ingest: running `credit-risk validate`"},
		{args: []string{"tune"}, want: []string{"retrain", "--no-promote"}},
		{args: []string{"credit-risk", "rollback"}, want: []string{"models", "rollback"}},
		{args: []string{"python", "scripts/make_coffee.py"}, wantErr: "no step of this pipeline matches that script"},
		{args: []string{"python"}, wantErr: "with no script"},
	}
	for _, tt := range tests {
		got, note, err := resolveArgs(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, errUsage) {
				t.Errorf("resolveArgs(%q) error %v, want a usage error with %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("resolveArgs(%q) = %q, %v; want %q", tt.args, got, err, tt.want)
		}
		given := tt.args
		if isSelf(given[0]) {
			given = given[1:]
		}
		if rewritten := !slices.Equal(given, tt.want); rewritten != (note != "") {
			t.Errorf("resolveArgs(%q) note %q: a note must say when, and only when, the arguments were rewritten", tt.args, note)
		}
		if !strings.Contains(note, tt.note) {
			t.Errorf("resolveArgs(%q) note %q, want one containing %q", tt.args, note, tt.note)
		}
	}
}

// TestScriptStepRuns runs a seed script invocation end to end: the step
// runs and the line on stderr says which.
func TestScriptStepRuns(t *testing.T) {
	dir := t.TempDir()
	m, _, errb := testMain(dir)
	if err := m.Run(t.Context(), []string{"python", "scripts/sample_data.py"}); err == nil || !errors.Is(err, errUsage) {
		t.Fatalf("a script that is no step: %v", err)
	}
	if err := m.Run(t.Context(), []string{"credit-risk", "sample-data", "--rows", "3000"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "raw", "sample_loans.csv")); err != nil {
		t.Fatal(err)
	}
	errb.Reset()
	if err := m.Run(t.Context(), []string{"python", "scripts/ingest_data.py"}); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errb.String())
	}
	if !strings.Contains(errb.String(), "credit-risk: python scripts/ingest_data.py: running `credit-risk validate") {
		t.Errorf("stderr does not say which step ran:\n%s", errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "artifacts", "reports", "data_quality.json")); err != nil {
		t.Errorf("validate did not run: %v", err)
	}
}

func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	deep := filepath.Join(dir, "a", "b", "c")
	if err := checkWritable(dir, deep); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checkWritable created %s: %v", filepath.Join(dir, "a"), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("checkWritable left %v behind", entries)
	}

	file := filepath.Join(dir, "models")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkWritable(filepath.Join(file, "x")); err == nil || !strings.Contains(err.Error(), "is a file, not a folder") {
		t.Errorf("a file in the way: %v", err)
	}

	if os.Geteuid() == 0 {
		t.Log("running as root: permission checks are covered by the container test")
		return
	}
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o555); err != nil {
		t.Fatal(err)
	}
	err := checkWritable(filepath.Join(locked, "processed"))
	var nw *notWritableError
	if !errors.As(err, &nw) || !strings.Contains(err.Error(), "sudo chown -R") || !strings.Contains(err.Error(), "--user") {
		t.Errorf("unwritable folder: %v", err)
	}
}
