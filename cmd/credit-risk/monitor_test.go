package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/monitor"
	"github.com/credit-risk/credit-risk/internal/split"
)

// runCode runs the CLI in-process in dir and returns its exit status,
// stdout and stderr.
func runCode(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	m, out, errb := testMain(dir)
	code = m.ExitCode(m.Run(t.Context(), args))
	return code, out.String(), errb.String()
}

// readMonitor decodes a monitor.json.
func readMonitor(t *testing.T, path string) *monitor.Result {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var res monitor.Result
	if err := json.Unmarshal(data, &res); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return &res
}

func TestMonitorUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no input", []string{"monitor"}, 2, "monitor needs --in"},
		{"bad month", []string{"monitor", "--in", "x.csv", "--since", "2011"}, 2, `--since: month "2011": want YYYY-MM`},
		{"bad as-of", []string{"monitor", "--in", "x.csv", "--as-of", "May-2011"}, 2, "--as-of"},
		{"empty window", []string{"monitor", "--in", "x.csv", "--since", "2012-01", "--until", "2011-12"}, 2, "--since 2012-01 is after --until 2011-12"},
		{"argument", []string{"monitor", "--in", "x.csv", "extra"}, 2, `unexpected argument "extra"`},
		{"unknown flag", []string{"monitor", "--thresholds", "x"}, 2, "flag provided but not defined"},
		{"no model", []string{"monitor", "--in", "x.csv"}, 1, "Model file not found: " + filepath.Join(dir, "models", "production.model")},
		{"unknown spec", []string{"monitor", "--in", "x.csv", "--spec", "nosuch"}, 1, "nosuch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCode(t, dir, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
		})
	}
	code, stdout, _ := runCode(t, dir, "monitor", "--help")
	for _, want := range []string{"Usage: credit-risk monitor --in FILE_OR_GLOB", "Exit status: 0 no breach, 3", "Examples:", "-since", "-as-of"} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("monitor --help: exit %d, output lacks %q", code, want)
		}
	}
	if _, stdout, _ := runCode(t, dir, "help"); !strings.Contains(stdout, "monitor ") {
		t.Error("the command list lacks monitor")
	}
}

// TestMonitor monitors a model on the synthetic file it was trained on:
// no breach; then with a spec whose score PSI limit no sample meets:
// exit status 3 and a breach line.
func TestMonitor(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "6000", "--seed", "11")
	mustRun(t, dir, "clean")
	mustRun(t, dir, "features")
	mustRun(t, dir, "train", "--algorithms", "gbdt", "--gbdt-rounds", "20", "--early-stopping", "0")
	raw := filepath.Join(dir, "data", "raw", "sample_loans.csv")
	modelPath := filepath.Join(dir, "models", "gbdt_v1.model")

	out := filepath.Join(dir, "mon")
	code, stdout, stderr := runCode(t, dir, "monitor", "--in", raw, "--model", modelPath, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d; want 0\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"6000 rows", "stability: score PSI", "backtest: ", "vintage: ", "monitor.json", "report.html"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	res := readMonitor(t, filepath.Join(out, "monitor.json"))
	if res.Rows.Read != 6000 || res.Rows.Scored+res.Rows.Unscored != 6000 || res.Backtest == nil || res.Vintage == nil || len(res.Breaches) != 0 {
		t.Errorf("rows %+v, backtest %v, vintage %v, breaches %v", res.Rows, res.Backtest != nil, res.Vintage != nil, res.Breaches)
	}
	if page, err := os.ReadFile(filepath.Join(out, "report.html")); err != nil || !strings.Contains(string(page), "No threshold breached") {
		t.Errorf("report.html: %v", err)
	}

	// The same run judged by a spec with a score PSI limit of 1e-9.
	lc, err := os.ReadFile(filepath.Join("..", "..", "specs", "lending_club.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tight := strings.Replace(string(lc), "\nmonitoring:\n", "\nmonitoring:\n  max_score_psi: 1e-9\n", 1)
	if tight == string(lc) {
		t.Fatal("the Lending Club spec has no monitoring block")
	}
	spec := filepath.Join(dir, "tight.yaml")
	if err := os.WriteFile(spec, []byte(tight), 0o644); err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(dir, "mon2")
	code, _, stderr = runCode(t, dir, "monitor", "--in", raw, "--model", modelPath, "--out", out2, "--spec", spec, "--since", "2014-01")
	if code != exitBreach || !strings.Contains(stderr, "breach: max_score_psi: score PSI") || !strings.Contains(stderr, "1 threshold breached") {
		t.Errorf("exit %d; want %d\nstderr:\n%s", code, exitBreach, stderr)
	}
	res = readMonitor(t, filepath.Join(out2, "monitor.json"))
	if len(res.Breaches) != 1 || res.Breaches[0].Check != monitor.CheckScorePSI || res.Window.Since != "2014-01" || res.Rows.OutsideWindow == 0 {
		t.Errorf("breaches %+v, window %+v, rows %+v", res.Breaches, res.Window, res.Rows)
	}

	// Another data set's spec is refused before any row is read.
	code, _, stderr = runCode(t, dir, "monitor", "--in", raw, "--model", modelPath, "--spec", "german_credit", "--out", filepath.Join(dir, "mon-g"))
	if code != 1 || !strings.Contains(stderr, "trained on data set lending_club, the spec is german_credit") {
		t.Errorf("exit %d, stderr %q; want 1 naming both data sets", code, stderr)
	}

	// Applications without outcomes: the target column dropped.
	plain := filepath.Join(dir, "plain.csv")
	mustRun(t, dir, "sample-data", "--rows", "800", "--seed", "12", "--notes=false", "--out", plain)
	header, rows := readCSV(t, plain)
	status := slices.Index(header, "loan_status")
	drop := func(rec []string) []string { return slices.Delete(slices.Clone(rec), status, status+1) }
	noTarget := [][]string{drop(header)}
	for _, r := range rows {
		noTarget = append(noTarget, drop(r))
	}
	writeCSV(t, filepath.Join(dir, "recent", "applications.csv"), noTarget)
	out3 := filepath.Join(dir, "mon3")
	code, _, stderr = runCode(t, dir, "monitor", "--in", filepath.Join(dir, "recent", "*.csv"), "--model", modelPath, "--out", out3)
	if code != 0 && code != exitBreach {
		t.Fatalf("exit %d\nstderr:\n%s", code, stderr)
	}
	res = readMonitor(t, filepath.Join(out3, "monitor.json"))
	if res.Backtest != nil || !strings.Contains(res.Skipped[monitor.SectionBacktest], `no target column "loan_status"`) ||
		res.Vintage != nil || res.Skipped[monitor.SectionVintage] == "" || res.Rows.NoOutcome != res.Rows.Scored || res.Rows.Scored == 0 {
		t.Errorf("without a target: skipped %v, rows %+v", res.Skipped, res.Rows)
	}

	// A target value the spec does not list is an error naming the line.
	rows[5][status] = "Paid Off"
	writeCSV(t, filepath.Join(dir, "odd", "loans.csv"), append([][]string{header}, rows...))
	code, _, stderr = runCode(t, dir, "monitor", "--in", filepath.Join(dir, "odd", "loans.csv"), "--model", modelPath, "--out", filepath.Join(dir, "mon4"))
	if code != 1 || !strings.Contains(stderr, "loans.csv:7: column \"loan_status\"") || !strings.Contains(stderr, `unknown target value: "Paid Off"`) {
		t.Errorf("exit %d, stderr %q; want 1 naming line 7 and the value", code, stderr)
	}
}

func readCSV(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[0], recs[1:]
}

func writeCSV(t *testing.T, path string, recs [][]string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestMonitorLendingClub trains on the real Lending Club file, then
// monitors (a) its out-of-time test period: the backtest ROC-AUC is the
// model's test ROC-AUC and nothing is breached; (b) a synthetic sample
// file: its drift is flagged with exit status 3.
func TestMonitorLendingClub(t *testing.T) {
	datasets := os.Getenv("CREDIT_RISK_DATASETS")
	if datasets == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set")
	}
	src := filepath.Join(datasets, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv")
	if _, err := os.Stat(src); err != nil {
		t.Skipf("no Lending Club file: %v", err)
	}
	dir := t.TempDir()
	rawDir := filepath.Join(dir, "data", "raw")
	if err := os.MkdirAll(rawDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(src, filepath.Join(rawDir, filepath.Base(src))); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, "clean")
	mustRun(t, dir, "features")
	mustRun(t, dir, "train", "--algorithms", "gbdt", "--gbdt-rounds", "100", "--early-stopping", "0")
	modelPath := filepath.Join(dir, "models", "gbdt_v1.model")
	a, err := split.ReadFile(filepath.Join(dir, "data", "processed", "split.json"))
	if err != nil {
		t.Fatal(err)
	}
	since := a.Date[:7] // YYYY-MM of the first test month

	t.Run("test period", func(t *testing.T) {
		out := filepath.Join(dir, "mon-test")
		code, stdout, stderr := runCode(t, dir, "monitor", "--in", filepath.Join(rawDir, filepath.Base(src)), "--model", modelPath, "--since", since, "--out", out)
		t.Logf("%s", stdout)
		if code != 0 {
			t.Fatalf("exit %d; want 0\nstderr:\n%s", code, stderr)
		}
		res := readMonitor(t, filepath.Join(out, "monitor.json"))
		bt := res.Backtest
		if bt == nil {
			t.Fatal("no backtest")
		}
		if _, test := a.Counts(); bt.Loans != test {
			t.Errorf("backtest of %d loans; the test set has %d", bt.Loans, test)
		}
		if d := math.Abs(float64(bt.AUC) - float64(res.Model.TestAUC)); d > 0.005 {
			t.Errorf("backtest ROC-AUC %.4f; model's test ROC-AUC %.4f", float64(bt.AUC), float64(res.Model.TestAUC))
		}
		if psi := float64(res.Stability.Score.PSI); !(psi < 0.1) {
			t.Errorf("score PSI %.4f; want stable", psi)
		}
		if len(res.Breaches) != 0 {
			t.Errorf("breaches: %+v", res.Breaches)
		}
		if res.Vintage == nil || len(res.Vintage.Cohorts) == 0 {
			t.Errorf("no vintage curves: %v", res.Skipped)
		}
	})

	t.Run("sample data", func(t *testing.T) {
		sample := filepath.Join(dir, "sample", "loans.csv")
		mustRun(t, dir, "sample-data", "--rows", "20000", "--seed", "3", "--out", sample)
		out := filepath.Join(dir, "mon-sample")
		code, stdout, stderr := runCode(t, dir, "monitor", "--in", sample, "--model", modelPath, "--out", out)
		t.Logf("%s%s", stdout, stderr)
		if code != exitBreach {
			t.Fatalf("exit %d; want %d", code, exitBreach)
		}
		res := readMonitor(t, filepath.Join(out, "monitor.json"))
		if len(res.Breaches) == 0 || !strings.Contains(stderr, "breach: ") {
			t.Errorf("breaches %+v; stderr %q", res.Breaches, stderr)
		}
	})
}
