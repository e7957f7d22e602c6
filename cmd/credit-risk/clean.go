package main

import (
	"context"
	"fmt"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/split"
)

const cleanHelp = `
Usage: credit-risk clean [flags]

Reads every data/raw/*.csv, *.csv.gz and *.zip (or the spec's files), maps the
target, drops id, free-text, leakage, high-missing and constant columns,
parses values, decides the train/test split (out of time on the spec's
date: the newest loans are the test period; stratified at random
otherwise), and caps and imputes with values learned on the training period
only.

Writes data/processed/clean.parquet (the cleaned table),
data/processed/split.json (the split: which rows are test rows, for the
table of that sha256) and data/processed/clean_log.json (every
transformation with its counts, and the cleaning rules the features step
builds on).

Examples:
  credit-risk clean
  credit-risk clean --spec specs/uci_taiwan.yaml --data-dir /srv/taiwan
  credit-risk clean --split-date 2011-01
`

func runClean(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "clean", cleanHelp)
	var d dirs
	d.bind(fs, m)
	splitDate := fs.String("split-date", "", "first month of the test period (YYYY-MM or YYYY-MM-DD); default: the newest 20% of loans")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts := clean.Options{RawDir: d.raw(), OutDir: d.processed(), Logger: m.logger()}
	if *splitDate != "" {
		var err error
		if opts.SplitDate, err = split.ParseDay(*splitDate); err != nil {
			return fmt.Errorf("%w: --split-date: %v", errUsage, err)
		}
	}
	spec, err := d.loadSpec()
	if err != nil {
		return err
	}
	if err := d.checkRaw(spec); err != nil {
		return err
	}
	if err := checkWritable(d.processed()); err != nil {
		return err
	}
	l, err := clean.Run(ctx, spec, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "clean: %d labelled rows (%d bad, %d good) from %d read; %d columns kept, %d dropped; split %s\n",
		l.Target.Rows, l.Target.Bad, l.Target.Good, l.RowsRead, len(l.Inputs), len(l.Dropped), describeSplit(l.Split))
	return nil
}

func describeSplit(s clean.SplitLog) string {
	if s.Kind == split.KindOutOfTime {
		return fmt.Sprintf("out of time at %s (%d train, %d test)", s.Date, s.TrainRows, s.TestRows)
	}
	return fmt.Sprintf("stratified, seed %d (%d train, %d test)", s.Seed, s.TrainRows, s.TestRows)
}
