package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/tune"
)

// TestRetrainTuning runs a tuned retrain on synthetic data and checks the
// tuning progress lines and the report's champion and tuning sections.
func TestRetrainTuning(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "6000", "--seed", "7")
	m, _, errb := testMain(dir)
	if err := m.Run(t.Context(), []string{"retrain", "--tune-trials", "3", "--tune-seconds", "60", "--algorithms", "gbdt,lr"}); err != nil {
		t.Fatalf("retrain: %v\nstderr:\n%s", err, errb.String())
	}
	stderr := errb.String()
	for _, re := range []string{
		`(?m)^\[ *[0-9.]+s\]       tuning gbdt on \d+ rows × \d+ features: 3 configurations, 3 (time-ordered|stratified) folds, time budget 60s$`,
		// 3 configurations make two rungs: 3, then the best and the
		// default (one trial when the default is the best).
		`(?m)^\[ *[0-9.]+s\]       tune gbdt: rung 1/2, trial 3 of 3, best CV AUC 0\.\d{4} so far \(configuration \d\), [0-9.]+s of 60s$`,
		`(?m)^\[ *[0-9.]+s\]       tune gbdt: rung 2/2, trial [12] of [12], best CV AUC 0\.\d{4} so far \(configuration \d\), [0-9.]+s of 60s$`,
		`(?m)^\[ *[0-9.]+s\]       tuned gbdt in [0-9.]+s: [45] trials; on rung [12]/2 (the default scored best, CV AUC 0\.\d{4}|configuration \d scored CV AUC 0\.\d{4} against 0\.\d{4} for the default)$`,
		`(?m)^\[ *[0-9.]+s\]       tuned lr in [0-9.]+s: [45] trials; on rung [12]/2 `,
	} {
		if !regexp.MustCompile(re).MatchString(stderr) {
			t.Errorf("stderr has no line matching %s:\n%s", re, stderr)
		}
	}

	runs, err := filepath.Glob(filepath.Join(dir, "artifacts", "reports", "*"))
	if err != nil || len(runs) != 1 {
		t.Fatalf("report folders %v, %v; want one", runs, err)
	}
	page, err := os.ReadFile(filepath.Join(runs[0], "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	var res tune.Result[json.RawMessage]
	b, err := os.ReadFile(filepath.Join(runs[0], "tune_gbdt.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	html := strings.NewReplacer("&#43;", "+", "&#39;", "'").Replace(string(page))
	for _, want := range []string{
		"Rule: the champion is the candidate with the highest ROC-AUC on the validation slice of the training period",
		"validation loans",
		"DeLong's test, both models scored on the same",
		fmt.Sprintf("<h3>gbdt: %d trials in ", len(res.Trials)),
		fmt.Sprintf(" s (time budget 60 s: the trials run can depend on the machine's load); %s CV ROC-AUC %.4f", map[bool]string{true: "kept the default configuration,", false: fmt.Sprintf("chose configuration %d,", res.BestID)}[res.BestID == 0], res.BestAUC),
		"<h3>lr: ",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("report has no %q", want)
		}
	}
	if strings.Contains(html, "valid_rows") || strings.Contains(html, "Other metrics") {
		t.Error("report shows valid_rows in an Other metrics table; want it in the data summary")
	}
}
