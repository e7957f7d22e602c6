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

// TestRetrainChallenger: a retrain that a promotion gate stops registers
// its champion as the challenger and says which gate; --force-promote
// needs a reason; models promote puts the challenger in production with
// the reason recorded and removes the challenger alias.
func TestRetrainChallenger(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "3000", "--seed", "5")
	mustRun(t, dir, "retrain", "--tune-trials", "0", "--algorithms", "lr")
	spec, err := os.ReadFile(filepath.Join("..", "..", "specs", "lending_club.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	strict := filepath.Join(dir, "strict.yaml")
	if err := os.WriteFile(strict, append(spec, "\npromotion:\n  min_gain: 0.05\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, dir, "retrain", "--spec", strict, "--force-promote"); err == nil || !strings.Contains(err.Error(), "--reason") {
		t.Errorf("--force-promote without --reason: %v; want a usage error naming --reason", err)
	}
	out := mustRun(t, dir, "retrain", "--spec", strict, "--tune-trials", "0", "--algorithms", "lr")
	for _, want := range []string{"gate min_gain", "FAIL", "stopped by min_gain", "registered as challenger"} {
		if !strings.Contains(out, want) {
			t.Errorf("retrain output lacks %q:\n%s", want, out)
		}
	}
	list := mustRun(t, dir, "models", "list")
	for _, want := range []string{"challenger", "production.model -> lr_v1.model", "challenger.model -> lr_v2.model"} {
		if !strings.Contains(list, want) {
			t.Errorf("models list lacks %q:\n%s", want, list)
		}
	}
	mustRun(t, dir, "models", "promote", "--name", "lr", "--version", "2", "--reason", "challenger reviewed")
	reg, err := os.ReadFile(filepath.Join(dir, "artifacts", "registry", "registry.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Versions []struct {
			Name    string `json:"name"`
			Version int    `json:"version"`
			Stage   string `json:"stage"`
		} `json:"versions"`
		Events []struct {
			Action, From, To, Reason string
		} `json:"events"`
	}
	if err := json.Unmarshal(reg, &r); err != nil {
		t.Fatal(err)
	}
	last := r.Events[len(r.Events)-1]
	if last.From != "challenger" || last.To != "production" || last.Reason != "challenger reviewed" {
		t.Errorf("last event %+v; want challenger → production with the reason", last)
	}
	if _, err := os.Lstat(filepath.Join(dir, "models", "challenger.model")); !os.IsNotExist(err) {
		t.Errorf("the challenger alias is still there after its promotion: %v", err)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "models", "production.model")); target != "lr_v2.model" {
		t.Errorf("production alias %s; want lr_v2.model", target)
	}
	forced := mustRun(t, dir, "retrain", "--spec", strict, "--tune-trials", "0", "--algorithms", "lr", "--force-promote", "--reason", "committee decision 7")
	if !strings.Contains(forced, "forced promotion") {
		t.Errorf("forced retrain output:\n%s", forced)
	}
}
