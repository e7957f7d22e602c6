package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/quality"
)

const validateHelp = `
Usage: credit-risk validate [flags]

Reads the raw data as clean does (data/raw/*.csv, *.csv.gz, *.zip) and
checks it against the spec: rows, target balance, missing share per column,
columns that would be dropped (leakage, id, free text, high-missing,
constant) and why, the date range, and the training-period AUC of each
candidate feature on its own. A candidate with |AUC−0.5| > 0.4 separates the
classes almost perfectly: that is reported as leakage and the command fails.

Writes artifacts/reports/data_quality.json and prints a short table.

Examples:
  credit-risk validate
  credit-risk validate --spec specs/german_credit.yaml
`

func runValidate(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "validate", validateHelp)
	var d dirs
	d.bind(fs, m)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	spec, err := d.loadSpec()
	if err != nil {
		return err
	}
	if err := d.checkRaw(spec); err != nil {
		return err
	}
	if err := checkWritable(filepath.Join(d.artifacts, "reports")); err != nil {
		return err
	}
	res, err := clean.Analyze(ctx, spec, clean.Options{RawDir: d.raw(), Logger: m.logger()})
	if err != nil {
		return err
	}
	rep := quality.Build(res)
	dir := filepath.Join(d.artifacts, "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "data_quality.json")
	if err := atomicfile.WriteJSON(path, rep); err != nil {
		return err
	}
	if err := rep.WriteTable(m.Stdout); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "report: %s\n", path)
	return rep.Err()
}
