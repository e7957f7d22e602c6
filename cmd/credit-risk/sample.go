package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/sample"
)

const sampleHelp = `
Usage: credit-risk sample-data [flags]

Writes a synthetic loan file in Lending Club's raw layout (151 columns, LC's
value formats, missing values, odd strings and outliers, post-origination
columns that leak the outcome) with a realistic default signal. The same
seed always gives the same file. A name ending in .gz is gzip-compressed.

Writes --out (default data/raw/sample_loans.csv under --data-dir).

Examples:
  credit-risk sample-data --rows 50000
  credit-risk sample-data --rows 1000000 --seed 7 --out /tmp/big/raw/loans.csv.gz
`

func runSampleData(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "sample-data", sampleHelp)
	var d dirs
	d.bind(fs, m)
	rows := fs.Int("rows", 50000, "number of loans")
	seed := fs.Uint64("seed", 1, "random seed")
	out := fs.String("out", "", "output file (default <data-dir>/raw/sample_loans.csv)")
	notes := fs.Bool("notes", true, "write Lending Club's notes line before the header and summary lines after the data")
	start := fs.String("start", sample.DefaultStart, "first issue month (Mon-YYYY)")
	end := fs.String("end", sample.DefaultEnd, "last issue month (Mon-YYYY)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg := sample.Config{Rows: *rows, Seed: *seed, Notes: *notes}
	var err error
	if cfg.Start, err = time.Parse("Jan-2006", *start); err != nil {
		return fmt.Errorf("%w: --start %q: want Mon-YYYY, e.g. Jan-2012", errUsage, *start)
	}
	if cfg.End, err = time.Parse("Jan-2006", *end); err != nil {
		return fmt.Errorf("%w: --end %q: want Mon-YYYY, e.g. Dec-2016", errUsage, *end)
	}
	path := *out
	if path == "" {
		path = filepath.Join(d.raw(), "sample_loans.csv")
	}
	if err := checkWritable(filepath.Dir(path)); err != nil {
		return err
	}
	began := time.Now()
	err = sample.WriteFile(ctx, path, cfg)
	if err != nil {
		return fmt.Errorf("sample-data: %w", err)
	}
	fmt.Fprintf(m.Stdout, "sample-data: wrote %d loans to %s in %.1fs\n", cfg.Rows, path, time.Since(began).Seconds())
	return nil
}
