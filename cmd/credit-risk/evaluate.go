package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/credit-risk/credit-risk/internal/evaluate"
)

const evaluateHelp = `
Usage: credit-risk evaluate [--model FILE ...]

Evaluates models on the out-of-time test set: ROC-AUC, PR-AUC, KS, Gini,
Brier, log loss, expected calibration error, the confusion matrix and
precision/recall/F1 at the model's threshold, and the AUC per segment (the
spec's segments: grade, term and purpose for Lending Club).

Reads  data/processed/ (features output) and the models: the files given
       with --model (repeatable), else the newest version of each algorithm
       in models/.
Writes artifacts/reports/evaluation-<time>.json and a table on stdout.

Examples:
  credit-risk evaluate
  credit-risk evaluate --model models/production.model
`

const explainHelp = `
Usage: credit-risk explain [--model FILE ...] [--rows N]

Global feature importance per model: the mean |SHAP value| of each feature
on the test set (exact TreeSHAP for gbdt and rf, exact linear contributions
for lr), in the units of the model's margin.

Reads  data/processed/ and the models (as evaluate).
Writes artifacts/reports/importance-<model>.json and the top features on
       stdout.

Examples:
  credit-risk explain --model models/production.model
`

// modelList is a repeatable --model flag.
type modelList []string

func (l *modelList) String() string     { return strings.Join(*l, ",") }
func (l *modelList) Set(v string) error { *l = append(*l, v); return nil }

func runEvaluate(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "evaluate", evaluateHelp)
	var d dirs
	d.bind(fs, m)
	var paths modelList
	fs.Var(&paths, "model", "model file to evaluate (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	reports := filepath.Join(d.artifacts, "reports")
	if err := checkWritable(reports); err != nil {
		return err
	}
	ev, err := evaluate.Run(ctx, evaluate.Options{ProcessedDir: d.processed(), ModelsDir: d.models, Models: paths, ReportsDir: reports})
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tROC-AUC\tPR-AUC\tKS\tGINI\tBRIER\tLOGLOSS\tECE\tTHRESHOLD\tPRECISION\tRECALL\tF1")
	for _, r := range ev.Results {
		ms := r.Metrics
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.3f\t%.3f\t%.4f\t%.4f\t%.4f\t%.3f\t%.3f\t%.3f\t%.3f\n", r.Model,
			ms.ROCAUC, ms.PRAUC, ms.KS, ms.Gini, ms.Brier, ms.LogLoss, ms.ECE, r.Threshold, ms.Precision, ms.Recall, ms.F1)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range ev.Results {
		fmt.Fprintf(m.Stdout, "\n%s: AUC by segment\n", r.Model)
		tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
		for _, s := range r.Segments {
			auc := fmt.Sprintf("%.3f", s.AUC)
			if s.AUC < 0 {
				auc = "n/a"
			}
			fmt.Fprintf(tw, "  %s=%s\t%d rows\tbad %.1f%%\tAUC %s\n", s.Segment, s.Level, s.Rows, 100*s.BadRate, auc)
		}
		tw.Flush()
	}
	fmt.Fprintf(m.Stdout, "\nwritten: %s\n", ev.Path)
	return nil
}

func runExplain(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "explain", explainHelp)
	var d dirs
	d.bind(fs, m)
	var paths modelList
	fs.Var(&paths, "model", "model file to explain (repeatable)")
	rows := fs.Int("rows", 2000, "test rows to average over (at most)")
	top := fs.Int("top", 20, "features to print")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	reports := filepath.Join(d.artifacts, "reports")
	if err := checkWritable(reports); err != nil {
		return err
	}
	exps, err := evaluate.Explain(ctx, evaluate.Options{ProcessedDir: d.processed(), ModelsDir: d.models, Models: paths, ReportsDir: reports}, *rows)
	if err != nil {
		return err
	}
	for _, e := range exps {
		fmt.Fprintf(m.Stdout, "%s: mean |SHAP| on the test set (%s)\n", e.Model, e.Path)
		for i, f := range e.Importance[:min(*top, len(e.Importance))] {
			fmt.Fprintf(m.Stdout, "  %2d. %-32s %.4f\n", i+1, f.Feature, f.MeanAbsSHAP)
		}
	}
	return nil
}
