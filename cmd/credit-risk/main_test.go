package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/specs"
)

// testMain returns a Main whose working folders are under dir and whose
// output goes to the two buffers.
func testMain(dir string) (m *Main, stdout, stderr *bytes.Buffer) {
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	m = &Main{Stdout: stdout, Stderr: stderr, Getenv: func(k string) string {
		switch k {
		case "DATA_DIR":
			return filepath.Join(dir, "data")
		case "MODELS_DIR":
			return filepath.Join(dir, "models")
		case "ARTIFACTS_DIR":
			return filepath.Join(dir, "artifacts")
		}
		return ""
	}}
	return m, stdout, stderr
}

// run runs the CLI in-process in dir and returns stdout.
func run(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	m, out, errb := testMain(dir)
	err := m.Run(t.Context(), args)
	if err != nil {
		t.Logf("%v: stderr:\n%s", args, errb.String())
	}
	return out.String(), err
}

func mustRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := run(t, dir, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}

// TestPipeline runs every command the way a user does, on synthetic data.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "12000", "--seed", "5")
	if out := mustRun(t, dir, "validate"); !strings.Contains(out, "int_rate") {
		t.Errorf("validate output lacks the column table:\n%s", out)
	}
	mustRun(t, dir, "clean")
	mustRun(t, dir, "features", "--export-csv", filepath.Join(dir, "export"))
	for _, algo := range []string{"gbdt", "rf", "lr"} {
		out := mustRun(t, dir, "bench", "train", "--train", filepath.Join(dir, "export", "train.csv"), "--test", filepath.Join(dir, "export", "test.csv"), "--algo", algo)
		if !strings.Contains(out, `"test_auc"`) || !strings.Contains(out, `"peak_rss_mb"`) {
			t.Errorf("bench train %s printed %q", algo, out)
		}
	}
	// A boosted model of exactly 30 trees, as benchmarks want one.
	mustRun(t, dir, "train", "--algorithms", "gbdt", "--gbdt-rounds", "30", "--early-stopping", "0")
	m, _, err := model.Load(filepath.Join(dir, "models", "gbdt_v1.model"), "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Ensemble.Trees); n != 30 {
		t.Errorf("train --gbdt-rounds 30 --early-stopping 0 made %d trees", n)
	}

	out := mustRun(t, dir, "retrain", "--tune-trials", "0")
	if !strings.Contains(out, "is now production") {
		t.Fatalf("retrain output:\n%s", out)
	}
	out = mustRun(t, dir, "retrain", "--tune-trials", "0", "--no-promote", "--algorithms", "lr")
	if !strings.Contains(out, "production unchanged") {
		t.Errorf("retrain --no-promote output:\n%s", out)
	}
	models := filepath.Join(dir, "models")
	before, _ := os.Readlink(filepath.Join(models, "production.model"))

	mustRun(t, dir, "models", "promote", "--name", "lr", "--version", "2", "--reason", "test")
	if got, _ := os.Readlink(filepath.Join(models, "production.model")); got != "lr_v2.model" {
		t.Errorf("after promote the alias points at %q; want lr_v2.model", got)
	}
	if got, _ := os.Readlink(filepath.Join(models, "production_metadata.json")); got != "lr_v2_metadata.json" {
		t.Errorf("after promote the metadata alias points at %q", got)
	}
	mustRun(t, dir, "models", "rollback", "--reason", "test")
	if got, _ := os.Readlink(filepath.Join(models, "production.model")); got != before {
		t.Errorf("after rollback the alias points at %q; want %q", got, before)
	}
	reg, err := registry.Read(filepath.Join(dir, "artifacts", "registry"))
	if err != nil {
		t.Fatal(err)
	}
	prod := reg.Production()
	if prod == nil || prod.File != before {
		t.Errorf("registry production = %+v; alias %s", prod, before)
	}
	if out := mustRun(t, dir, "models", "list"); !strings.Contains(out, "production") || !strings.Contains(out, "archived") {
		t.Errorf("models list:\n%s", out)
	}
	if _, err := run(t, dir, "models", "promote", "--version", "1"); err == nil || !strings.Contains(err.Error(), "--name") {
		t.Errorf("ambiguous promote: err = %v; want a request for --name", err)
	}

	// Score the raw file with the champion.
	raw := filepath.Join(dir, "data", "raw", "sample_loans.csv")
	scores := filepath.Join(dir, "scores.csv")
	if out := mustRun(t, dir, "score", "--in", raw, "--out", scores); !strings.Contains(out, "rows scored") {
		t.Errorf("score output %q", out)
	}
	f, err := os.Open(scores)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 12001 || recs[0][0] != "id" || recs[0][1] != "default_probability" {
		t.Errorf("scores: %d rows, header %v", len(recs), recs[0])
	}
}

func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"clean", "--split-date", "soon"}, "--split-date"},
		{[]string{"clean", "extra"}, "unexpected argument"},
		{[]string{"features"}, "credit-risk clean"},
		{[]string{"train"}, "credit-risk features"},
		{[]string{"train", "--gbdt-rounds", "0"}, "--gbdt-rounds 0: want at least 1"},
		{[]string{"train", "--early-stopping", "-1"}, "--early-stopping -1"},
		{[]string{"clean"}, "no such file or directory"},
		{[]string{"retrain"}, "No such file or directory: raw data folder"},
		{[]string{"score", "--in", "x.csv", "--out", "y.csv"}, "Model file not found"},
		{[]string{"clean", "--spec", "nope"}, "no built-in spec"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := run(t, dir, tt.args...)
			if err == nil || !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(tt.want)) {
				t.Errorf("err = %v; want it to mention %q", err, tt.want)
			}
		})
	}
}

// TestFlagsCheckedFirst checks that a wrong flag value is a usage error
// named as such, before any file is read or written: here the working folder
// has no data at all, which would be the error otherwise.
func TestFlagsCheckedFirst(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--algorithms", "xgb"}, `usage: --algorithms: unknown learner "xgb"; valid names: gbdt, rf, lr, scorecard`},
		{[]string{"train", "--algorithms", "gbdt,xgboost"}, `usage: --algorithms: unknown learner "xgboost"; valid names: gbdt, rf, lr, scorecard`},
		{[]string{"train", "--algorithms", ""}, "usage: --algorithms: no learner given; valid names: gbdt, rf, lr, scorecard"},
		{[]string{"retrain", "--algorithms", "xgb"}, `usage: --algorithms: unknown learner "xgb"; valid names: gbdt, rf, lr, scorecard`},
		{[]string{"retrain", "--split-date", "soon"}, "usage: --split-date: "},
		{[]string{"clean", "--split-date", "soon", "--spec", "nosuch"}, "usage: --split-date: "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			_, err := run(t, dir, tt.args...)
			if !errors.Is(err, errUsage) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v; want a usage error starting %q", err, tt.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) > 0 {
				t.Errorf("%s was written to", ents[0].Name())
			}
		})
	}
}

// TestRawFolderErrors checks that every command reading data/raw says the
// same thing about a missing or empty folder, and what to do about it.
func TestRawFolderErrors(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, raw string)
		want    []string
		notWant []string
	}{
		{"missing", func(*testing.T, string) {},
			[]string{"No such file or directory", "raw data folder RAW", "mkdir -p RAW", "csv, csv.gz or zip", "credit-risk sample-data", `-v "$(pwd)/data:/app/data"`},
			nil},
		{"empty", func(t *testing.T, raw string) {
			if err := os.MkdirAll(raw, 0o755); err != nil {
				t.Fatal(err)
			}
		},
			[]string{"raw data folder RAW is empty", "csv, csv.gz or zip", "lender's loan export", "credit-risk sample-data"},
			[]string{"file does not exist", "No such file"}},
	}
	for _, tt := range tests {
		var first string
		for _, cmd := range []string{"clean", "validate", "retrain"} {
			t.Run(tt.name+"/"+cmd, func(t *testing.T) {
				dir := t.TempDir()
				raw := filepath.Join(dir, "data", "raw")
				tt.setup(t, raw)
				_, err := run(t, dir, cmd)
				if err == nil {
					t.Fatal("no error")
				}
				msg := strings.ReplaceAll(err.Error(), raw, "RAW")
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(msg, w) {
						t.Errorf("error %q says %q", msg, w)
					}
				}
				if first == "" {
					first = msg
				} else if msg != first {
					t.Errorf("%s says\n%s\nclean says\n%s", cmd, msg, first)
				}
			})
		}
	}
}

// TestUnknownSpec checks that a spec name or file that does not exist is
// answered with the list of the shipped specs, whichever way it was given.
func TestUnknownSpec(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"clean", "--spec", "nosuch"}, `no built-in spec "nosuch"`},
		{[]string{"clean", "--spec", "specs/nosuch.yaml"}, "--spec specs/nosuch.yaml: file does not exist"},
		{[]string{"validate", "--spec", "nosuch.yaml"}, "--spec nosuch.yaml: file does not exist"},
		{[]string{"retrain", "--spec", "./specs/nosuch.json"}, "--spec ./specs/nosuch.json: file does not exist"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := run(t, dir, tt.args...)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tt.want+"\n") {
				t.Errorf("error %q; want it to start with %q", msg, tt.want)
			}
			for _, name := range specs.Names() {
				if !strings.Contains(msg, "\n  "+name+" ") || !strings.Contains(msg, " specs/"+name+".yaml ") {
					t.Errorf("error %q does not list %s and specs/%s.yaml", msg, name, name)
				}
			}
		})
	}
}

// TestDemoHints runs models list and score from a folder with no registry
// or champion of its own, as a newcomer does from the repository root after
// `make demo`: they say where they looked and, when demo/ has what they
// want, how to look there.
func TestDemoHints(t *testing.T) {
	tests := []struct {
		name     string
		demo     []string // files made under dir/demo
		args     []string
		want     []string
		wantNot  []string
		wantFail bool
	}{
		{"list, no demo", nil, []string{"models", "list"},
			[]string{"no registered models in DIR/artifacts/registry/registry.json: run `credit-risk retrain` first"},
			[]string{"demo"}, false},
		{"list beside demo", []string{"artifacts/registry/registry.json"}, []string{"models", "list"},
			[]string{"no registered models in DIR/artifacts/registry/registry.json", "demo/artifacts/registry",
				"credit-risk models list --artifacts-dir demo/artifacts --models-dir demo/models", "cd demo"},
			nil, false},
		{"score, no demo", nil, []string{"score", "--in", "x.csv", "--out", "y.csv"},
			[]string{"Model file not found: models/production.model: run `credit-risk retrain` first, or pass --model"},
			[]string{"demo"}, true},
		{"score beside demo", []string{"models/production.model"}, []string{"score", "--in", "x.csv", "--out", "y.csv"},
			[]string{"Model file not found: models/production.model", "--model demo/models/production.model", "cd demo"},
			nil, true},
		{"score --model given", []string{"models/production.model"}, []string{"score", "--in", "x.csv", "--out", "y.csv", "--model", "models/lr_v1.model"},
			[]string{"Model file not found: models/lr_v1.model"},
			[]string{"demo"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.demo {
				p := filepath.Join(dir, "demo", f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte("{}"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			t.Chdir(dir)
			var out, errb bytes.Buffer
			m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			err = m.Run(t.Context(), tt.args)
			if (err != nil) != tt.wantFail {
				t.Fatalf("err = %v; want failure %v", err, tt.wantFail)
			}
			got := out.String()
			if err != nil {
				got += err.Error()
			}
			got = strings.ReplaceAll(got, dir, "DIR")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("output %q lacks %q", got, w)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(got, w) {
					t.Errorf("output %q says %q", got, w)
				}
			}
		})
	}
}

// TestKillRetrain kills a real retrain process at many moments and checks
// that the alias, the model files and the registry are always usable.
func TestKillRetrain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real process")
	}
	bin := filepath.Join(t.TempDir(), "credit-risk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "8000", "--seed", "9")
	mustRun(t, dir, "retrain", "--tune-trials", "0")
	// Kill the run as it enters each step, as it starts fitting, and as it
	// says it is done: moments taken from its own progress lines, not from
	// a clock, so a loaded machine changes nothing.
	moments := []string{"1/", "2/", "3/", "4/", "fitting", "5/", "6/", "7/", "8/", "9/", "done:"}
	for _, moment := range moments {
		cmd := exec.Command(bin, "retrain", "--tune-trials", "0")
		cmd.Dir = dir
		stderr, err := cmd.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		seen := false
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, line, ok := strings.Cut(sc.Text(), "] "); ok && strings.HasPrefix(strings.TrimSpace(line), moment) {
				seen = true
				break
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		io.Copy(io.Discard, stderr)
		cmd.Wait()
		if !seen {
			t.Fatalf("the retrain never printed a line starting with %q", moment)
		}
		checkConsistent(t, dir)
	}
}

// checkConsistent recovers the folder in dir as the next retrain would
// (registry.Recover) and checks that the aliases name the registry's
// versions and load, and that every model file is a registered version's.
func checkConsistent(t *testing.T, dir string) {
	t.Helper()
	models := filepath.Join(dir, "models")
	regDir := filepath.Join(dir, "artifacts", "registry")
	host, _ := os.Hostname()
	if _, err := registry.Recover(regDir, models, host, time.Now()); err != nil {
		t.Fatalf("recover: %v", err)
	}
	if _, _, err := model.Load(filepath.Join(models, "production.model"), ""); err != nil {
		t.Fatalf("champion alias does not load: %v", err)
	}
	reg, err := registry.Read(regDir)
	if err != nil {
		t.Fatalf("registry unreadable: %v", err)
	}
	target, _ := os.Readlink(filepath.Join(models, "production.model"))
	if p := reg.Production(); p == nil || p.File != target {
		t.Fatalf("registry production %+v disagrees with the alias %s", p, target)
	}
	known := map[string]bool{}
	for _, v := range reg.Versions {
		for _, f := range v.Files() {
			known[f] = true
		}
	}
	ents, _ := os.ReadDir(models)
	for _, e := range ents {
		name := e.Name()
		if e.Type()&os.ModeSymlink != 0 {
			continue
		}
		if !known[name] {
			t.Fatalf("%s is not a registered version's file", name)
		}
		if strings.HasSuffix(name, ".model") {
			if _, _, err := model.Load(filepath.Join(models, name), ""); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
}
