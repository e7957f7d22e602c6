package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/monitor"
	"github.com/credit-risk/credit-risk/internal/monitor/htmlreport"
)

const monitorHelp = `
Usage: credit-risk monitor --in FILE_OR_GLOB [flags]

Monitors a model on recent loan applications, given as raw files in the
spec's layout (plain, .gz or .zip; a glob such as 'recent/*.csv' reads
several). Every row is scored through the model file's own pipeline, then:

  stability   the score PSI (against the deciles of the PD on the model's
              validation slice) and each characteristic's CSI (each model
              feature against its training bins), with counts per bin and
              the bands < 0.10 stable, 0.10-0.25 watch, > 0.25 action;
  backtest    when the files carry the target: rows whose outcome is final
              (target.bad or target.good; target.exclude and blank values
              are left out and counted), per origination month and over
              all: count, bad rate, mean PD, ROC-AUC, Gini, KS, and
              observed against predicted defaults per score band with an
              exact two-sided binomial test;
  vintage     when the spec's monitoring.vintage names the column that
              dates a default (Lending Club: last_pymnt_d): the cumulative
              bad rate by months on book of each origination cohort.

The thresholds are the spec's monitoring block (docs/spec.md). Each breach
is a line on the standard error starting "breach:", and the exit status is
3, so a scheduled job fails and alerts; 0 means no threshold was breached.

Reads  --in, --model (default models/production.model) and its metadata.
Writes --out (default artifacts/monitoring/<UTC time>/): monitor.json and
       report.html, a self-contained page with the plots.

Exit status: 0 no breach, 3 a threshold breached, 2 a usage error, 1 any
other failure.

Examples:
  credit-risk monitor --in data/recent/applications.csv
  credit-risk monitor --in 'data/recent/*.csv.gz' --since 2024-01 --out /tmp/mon
  credit-risk monitor --in loans.csv --spec uci_taiwan --model models/gbdt_v3.model
`

// exitBreach is the exit status of a monitoring run that breached a
// threshold.
const exitBreach = 3

// breachError is a monitoring run that breached thresholds.
type breachError struct{ n int }

func (e *breachError) Error() string {
	if e.n == 1 {
		return "monitor: 1 threshold breached"
	}
	return fmt.Sprintf("monitor: %d thresholds breached", e.n)
}

// ExitCode is the process exit status of the error.
func (e *breachError) ExitCode() int { return exitBreach }

// exitCodeOf returns the exit status an error chooses for itself (an
// ExitCode method anywhere in its chain), 0 when none does.
func exitCodeOf(err error) int {
	var ec interface{ ExitCode() int }
	if errors.As(err, &ec) {
		return ec.ExitCode()
	}
	return 0
}

func runMonitor(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "monitor", monitorHelp)
	var d dirs
	d.bind(fs, m)
	in := fs.String("in", "", "raw file or glob of recent applications (required)")
	modelPath := fs.String("model", "", "model file (default <models-dir>/production.model)")
	out := fs.String("out", "", "output folder (default <artifacts-dir>/monitoring/<UTC time>)")
	since := fs.String("since", "", "first origination month kept, YYYY-MM (default: all)")
	until := fs.String("until", "", "last origination month kept, YYYY-MM (default: all)")
	asOf := fs.String("as-of", "", "last month the vintage curves observe, YYYY-MM (default: the latest origination or default month in the files)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" {
		return fmt.Errorf("%w: monitor needs --in", errUsage)
	}
	var cfg monitor.Config
	for _, f := range []struct {
		name, value string
		dst         *monitor.Month
	}{{"since", *since, &cfg.Since}, {"until", *until, &cfg.Until}, {"as-of", *asOf, &cfg.AsOf}} {
		if f.value == "" {
			continue
		}
		mo, err := monitor.ParseMonth(f.value)
		if err != nil {
			return fmt.Errorf("%w: --%s: %v", errUsage, f.name, err)
		}
		*f.dst = mo
	}
	if cfg.Since.Known() && cfg.Until.Known() && cfg.Since > cfg.Until {
		return fmt.Errorf("%w: --since %s is after --until %s", errUsage, cfg.Since, cfg.Until)
	}
	spec, err := d.loadSpec()
	if err != nil {
		return err
	}
	cfg.Spec = spec
	now := time.Now().UTC()
	dir := *out
	if dir == "" {
		dir = filepath.Join(d.artifacts, "monitoring", now.Format("20060102T150405Z"))
	}
	if err := checkWritable(dir); err != nil {
		return err
	}
	if *modelPath == "" {
		*modelPath = filepath.Join(d.models, "production"+model.Ext)
	}
	if _, err := os.Stat(*modelPath); errors.Is(err, os.ErrNotExist) {
		//lint:ignore ST1005 the wording is the documented contract shared with score and the API
		return fmt.Errorf("Model file not found: %s: run `credit-risk retrain` first, or pass --model", *modelPath)
	}
	if cfg.Model, cfg.Meta, err = model.Load(*modelPath, ""); err != nil {
		return err
	}
	srcDir, pattern := filepath.Split(*in)
	if srcDir == "" {
		srcDir = "."
	}
	if cfg.Sources, err = dataset.FindSources(srcDir, []string{pattern}); err != nil {
		return fmt.Errorf("monitor --in %s: %w", *in, err)
	}
	cfg.Now = now
	res, err := monitor.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	jsonPath := filepath.Join(dir, "monitor.json")
	if err := atomicfile.WriteJSON(jsonPath, res); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	var opts htmlreport.Options
	if v := spec.Monitoring.Vintage; v != nil {
		opts.DefaultDate = v.DefaultDate
	}
	htmlPath := filepath.Join(dir, "report.html")
	if err := htmlreport.WriteFile(ctx, htmlPath, res, opts); err != nil {
		return fmt.Errorf("monitor: %w", err)
	}
	printMonitor(m, res)
	fmt.Fprintf(m.Stdout, "monitor: wrote %s and %s\n", jsonPath, htmlPath)
	for _, b := range res.Breaches {
		fmt.Fprintf(m.Stderr, "breach: %s: %s\n", b.Check, b.Message)
	}
	if len(res.Breaches) > 0 {
		return &breachError{n: len(res.Breaches)}
	}
	return nil
}

// printMonitor prints the run's headline figures.
func printMonitor(m *Main, res *monitor.Result) {
	r := res.Rows
	fmt.Fprintf(m.Stdout, "monitor: %s v%d on %d rows: %d scored, %d refused, %d outside the window; %d matured, %d not final, %d without outcome\n",
		res.Model.Name, res.Model.Version, r.Read, r.Scored, r.Unscored, r.OutsideWindow, r.Matured, r.Pending, r.NoOutcome)
	if _, skipped := res.Skipped[monitor.SectionStability]; !skipped {
		st := res.Stability
		line := fmt.Sprintf("stability: score PSI %s (%s)", num(st.Score.PSI, 4), st.Score.Band)
		if len(st.Characteristics) > 0 {
			c := st.Characteristics[0]
			line += fmt.Sprintf("; largest CSI %s %s (%s)", c.Name, num(c.PSI, 4), c.Band)
		}
		fmt.Fprintln(m.Stdout, line)
	}
	if bt := res.Backtest; bt != nil {
		months := fmt.Sprintf("over %d origination months", len(bt.Months))
		if len(bt.Months) == 0 {
			months = "without origination dates"
		}
		fmt.Fprintf(m.Stdout, "backtest: %d matured loans %s: bad rate %s, mean PD %s, ROC-AUC %s (model's test %s), KS %s\n",
			bt.Loans, months, num(bt.BadRate, 4), num(bt.MeanPD, 4), num(bt.AUC, 4), num(res.Model.TestAUC, 4), num(bt.KS, 4))
	}
	if v := res.Vintage; v != nil {
		fmt.Fprintf(m.Stdout, "vintage: %d cohorts by %s, observed to %s\n", len(v.Cohorts), v.Cohort, v.AsOf)
	}
	for _, s := range []monitor.Section{monitor.SectionStability, monitor.SectionBacktest, monitor.SectionVintage} {
		if why, ok := res.Skipped[s]; ok {
			fmt.Fprintf(m.Stdout, "%s skipped: %s\n", s, why)
		}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(m.Stdout, "note:", n)
	}
}

// num formats a figure; NaN is "n/a".
func num(v monitor.Float, decimals int) string {
	if math.IsNaN(float64(v)) {
		return "n/a"
	}
	return fmt.Sprintf("%.*f", decimals, float64(v))
}
