package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/batchscore"
	"github.com/credit-risk/credit-risk/internal/model"
)

const scoreHelp = `
Usage: credit-risk score --in FILE --out FILE [flags]

Batch-scores raw loan applications (a CSV in the raw layout, e.g. Lending
Club's, plain or .gz; notes and summary lines are skipped) with the
champion model: every row runs through the model file's own feature
pipeline, exactly as the API does. The output CSV has, per input row: the
id column when there is one, default_probability (calibrated PD),
prediction (1 = predicted default at the model's threshold), decision,
model_version (gbdt_v3 for gbdt_v3.model, as the API says),
adverse_action (a declined row's principal reasons, as the API's
adverse_action gives them: their codes, strongest first, separated by ";"),
adverse_action_fields (the application field each reason names, in the
same order), and error (every problem with the row, by field; the row is
not scored).

Reads  --model (default models/production.model) and its metadata.
Writes --out atomically.

Examples:
  credit-risk score --in applications.csv --out scores.csv
  credit-risk score --in loans.csv.gz --out scores.csv --model models/lr_v2.model
`

func runScore(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "score", scoreHelp)
	var d dirs
	d.bind(fs, m)
	in := fs.String("in", "", "raw CSV to score (required)")
	out := fs.String("out", "", "output CSV (required)")
	modelPath := fs.String("model", "", "model file (default <models-dir>/production.model)")
	idCol := fs.String("id-column", "id", "column copied to the output to identify rows (skipped when absent)")
	reasons := fs.Int("reasons", model.DefaultAdverseReasons, "most adverse-action reasons of a declined row (as the API's REASONS_MAX)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return fmt.Errorf("%w: score needs --in and --out", errUsage)
	}
	if *reasons < 1 || *reasons > 16 {
		return fmt.Errorf("%w: --reasons %d: want 1 to 16", errUsage, *reasons)
	}
	if err := checkWritable(filepath.Dir(*out)); err != nil {
		return err
	}
	modelSet := *modelPath != ""
	if !modelSet {
		*modelPath = filepath.Join(d.models, "production"+model.Ext)
	}
	if _, err := os.Stat(*modelPath); errors.Is(err, os.ErrNotExist) {
		hint := ""
		if demo, ok := besideDemo(d.models, "production"+model.Ext); ok && !modelSet {
			hint = fmt.Sprintf("; `make demo` made a champion: pass --model %s, or cd %s", filepath.Join(demo, "production"+model.Ext), demoDir)
		}
		//lint:ignore ST1005 the wording is the documented contract shared with the API
		return fmt.Errorf("Model file not found: %s: run `credit-risk retrain` first, or pass --model%s", *modelPath, hint)
	}
	mod, meta, err := model.Load(*modelPath, "")
	if err != nil {
		return err
	}
	sum, err := batchscore.File(ctx, mod, meta, *in, *out, batchscore.Options{IDColumn: *idCol, Reasons: *reasons})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "score: %d of %d rows scored with %s v%d; %s\n", sum.Scored, sum.Rows, mod.Algorithm, mod.Version, *out)
	return nil
}
