package main

import (
	"context"
	"fmt"

	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/split"
)

const featuresHelp = `
Usage: credit-risk features [flags]

Runs after clean. Splits the cleaned loans as clean decided (split.json:
out of time on the spec's date, older loans train and the newest test;
stratified at random otherwise), learns the feature pipeline (engineered features, category encodings) on the
training rows only, and refuses a feature that alone separates the classes
almost perfectly (leakage).

Reads  data/processed/clean.parquet, split.json and clean_log.json.
Writes data/processed/train.parquet, test.parquet (target, date, features),
       pipeline.json (the feature pipeline models embed) and features.json
       (split, row counts, bad rates, feature list with types).
With --export-csv DIR also DIR/train.csv and DIR/test.csv: numeric columns
and a target column, empty cells for missing values.

Examples:
  credit-risk features
  credit-risk features --export-csv /tmp/lc
`

func runFeatures(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "features", featuresHelp)
	var d dirs
	d.bind(fs, m)
	splitDate := fs.String("split-date", "", "first month of the test period; must match the one clean used (YYYY-MM or YYYY-MM-DD)")
	export := fs.String("export-csv", "", "also write numeric train.csv and test.csv into this folder")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts := featurestep.Options{Dir: d.processed(), ExportDir: *export, Logger: m.logger()}
	if err := checkWritable(d.processed()); err != nil {
		return err
	}
	if *splitDate != "" {
		var err error
		if opts.SplitDate, err = split.ParseDay(*splitDate); err != nil {
			return fmt.Errorf("%w: --split-date: %v", errUsage, err)
		}
	}
	if d.spec != "" {
		spec, err := d.loadSpec()
		if err != nil {
			return err
		}
		opts.SpecName = spec.Name
	}
	meta, err := featurestep.Run(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "features: %d features; train %d rows (bad rate %.1f%%), test %d rows (bad rate %.1f%%)",
		len(meta.Features), meta.TrainRows, 100*meta.TrainBadRate, meta.TestRows, 100*meta.TestBadRate)
	if meta.Split.Kind == split.KindOutOfTime {
		fmt.Fprintf(m.Stdout, "; test from %s", meta.Split.Date)
	}
	fmt.Fprintln(m.Stdout)
	return nil
}
