package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/train"
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

// loadModels loads the models named, or the newest of each algorithm.
func loadModels(dir string, paths []string) ([]*model.Model, error) {
	if len(paths) == 0 {
		newest, err := model.Newest(dir)
		if err != nil {
			return nil, fmt.Errorf("%w: run `credit-risk train` first", err)
		}
		for _, algo := range learners.Names() {
			if v, ok := newest[string(algo)]; ok {
				paths = append(paths, filepath.Join(dir, model.FileBase(string(algo), v)+model.Ext))
			}
		}
		if len(paths) == 0 {
			return nil, fmt.Errorf("no model in %s: run `credit-risk train` first", dir)
		}
	}
	var out []*model.Model
	for _, p := range paths {
		m, _, err := model.Load(p, "")
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func runEvaluate(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "evaluate", evaluateHelp)
	var d dirs
	d.bind(fs, m)
	var paths modelList
	fs.Var(&paths, "model", "model file to evaluate (repeatable)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := checkWritable(filepath.Join(d.artifacts, "reports")); err != nil {
		return err
	}
	data, err := train.Load(d.processed())
	if err != nil {
		return err
	}
	mods, err := loadModels(d.models, paths)
	if err != nil {
		return err
	}
	segs, err := featurestep.Segments(d.processed(), featurestep.TestFile)
	if err != nil {
		return err
	}
	type result struct {
		Model     string              `json:"model"`
		Threshold float64             `json:"threshold"`
		Metrics   map[string]float64  `json:"metrics"`
		Segments  []report.SegmentAUC `json:"segments"`
	}
	var results []result
	tw := tabwriter.NewWriter(m.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tROC-AUC\tPR-AUC\tKS\tGINI\tBRIER\tLOGLOSS\tECE\tTHRESHOLD\tPRECISION\tRECALL\tF1")
	for _, mod := range mods {
		if err := checkSameFeatures(mod, data); err != nil {
			return err
		}
		pd := make([]float64, data.Test.X.Rows)
		mod.PDInto(pd, data.Test.X, 0)
		ms, err := train.Evaluate(data.Test.Y, pd, mod.Threshold)
		if err != nil {
			return err
		}
		name := model.FileBase(mod.Algorithm, mod.Version)
		segAUC := retrain.SegmentAUCs(segs, data.Test.Y, pd)
		for i := range segAUC {
			if math.IsNaN(segAUC[i].AUC) {
				segAUC[i].AUC = -1 // JSON has no NaN: -1 marks an undefined AUC
			}
		}
		results = append(results, result{Model: name, Threshold: mod.Threshold, Metrics: ms, Segments: segAUC})
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.3f\t%.3f\t%.4f\t%.4f\t%.4f\t%.3f\t%.3f\t%.3f\t%.3f\n", name,
			ms["roc_auc"], ms["pr_auc"], ms["ks"], ms["gini"], ms["brier"], ms["log_loss"], ms["ece"], mod.Threshold, ms["precision"], ms["recall"], ms["f1"])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range results {
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
	dir := filepath.Join(d.artifacts, "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	path := filepath.Join(dir, "evaluation-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	if err := atomicfile.WriteJSON(path, results); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "\nwritten: %s\n", path)
	return nil
}

func checkSameFeatures(mod *model.Model, data *train.Data) error {
	names := data.Pipeline.FeatureNames()
	if len(names) != len(mod.Features) {
		return fmt.Errorf("%s v%d was trained on %d features; the current feature tables have %d: evaluate it on the data it was trained for", mod.Algorithm, mod.Version, len(mod.Features), len(names))
	}
	for i := range names {
		if names[i] != mod.Features[i] {
			return fmt.Errorf("%s v%d has feature %q where the current tables have %q", mod.Algorithm, mod.Version, mod.Features[i], names[i])
		}
	}
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
	if err := checkWritable(filepath.Join(d.artifacts, "reports")); err != nil {
		return err
	}
	data, err := train.Load(d.processed())
	if err != nil {
		return err
	}
	mods, err := loadModels(d.models, paths)
	if err != nil {
		return err
	}
	dir := filepath.Join(d.artifacts, "reports")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, mod := range mods {
		if err := checkSameFeatures(mod, data); err != nil {
			return err
		}
		imp := retrain.Importance(mod, data.Test.X, *rows)
		sort.SliceStable(imp, func(a, b int) bool { return imp[a].MeanAbsSHAP > imp[b].MeanAbsSHAP })
		name := model.FileBase(mod.Algorithm, mod.Version)
		path := filepath.Join(dir, "importance-"+name+".json")
		if err := atomicfile.WriteJSON(path, imp); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "%s: mean |SHAP| on the test set (%s)\n", name, path)
		for i, f := range imp[:min(*top, len(imp))] {
			fmt.Fprintf(m.Stdout, "  %2d. %-32s %.4f\n", i+1, f.Feature, f.MeanAbsSHAP)
		}
	}
	return nil
}
