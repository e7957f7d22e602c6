package evaluate

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/train"
)

// Options say which models Run and Explain evaluate, on which data, and
// where the results go.
type Options struct {
	// ProcessedDir holds the features step's output.
	ProcessedDir string
	// ModelsDir is searched when Models is empty.
	ModelsDir string
	// Models are the model files to evaluate; empty means the newest
	// version of each learner in ModelsDir (in the learner table's order).
	Models []string
	// ReportsDir receives the JSON results; it is created when missing.
	ReportsDir string
	// Threads scores the test set; 0 means every core.
	Threads int
}

// Scores is a model's calibrated PDs on the test set and its AUC within
// each segment level (see SegmentAUCs).
type Scores struct {
	PD       []float64
	Segments []report.SegmentAUC
}

// Score computes m's PDs on the test set and the AUC within each level of
// segs, the test rows' segment columns.
func Score(m *model.Model, test train.Set, segs []*frame.Column, threads int) *Scores {
	pd := make([]float64, test.X.Rows)
	m.PDInto(pd, test.X, threads)
	return &Scores{PD: pd, Segments: SegmentAUCs(segs, test.Y, pd)}
}

// Result is one model's evaluation on the test set, as Run writes it.
type Result struct {
	// Model names the version: gbdt_v3.
	Model     string          `json:"model"`
	Threshold float64         `json:"threshold"`
	Metrics   metrics.Summary `json:"metrics"`
	// Segments has the AUC -1 where it is undefined (a level with one
	// class only): JSON has no NaN.
	Segments []report.SegmentAUC `json:"segments"`
}

// Evaluation is what Run found and the file it wrote.
type Evaluation struct {
	Results []Result
	// Path is the JSON file: ReportsDir/evaluation-<UTC time>.json.
	Path string
}

// Run evaluates the models on the test set (see Options) and writes the
// results to ReportsDir/evaluation-<time>.json.
func Run(ctx context.Context, opts Options) (*Evaluation, error) {
	data, err := train.Load(opts.ProcessedDir)
	if err != nil {
		return nil, err
	}
	mods, err := loadModels(opts.ModelsDir, opts.Models)
	if err != nil {
		return nil, err
	}
	segs, err := featurestep.Segments(opts.ProcessedDir, featurestep.TestFile)
	if err != nil {
		return nil, err
	}
	var ev Evaluation
	for _, mod := range mods {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := checkSameFeatures(mod, data); err != nil {
			return nil, err
		}
		s := Score(mod, data.Test, segs, opts.Threads)
		ms, err := train.Evaluate(data.Test.Y, s.PD, mod.Threshold)
		if err != nil {
			return nil, err
		}
		for i := range s.Segments {
			if math.IsNaN(s.Segments[i].AUC) {
				s.Segments[i].AUC = -1
			}
		}
		ev.Results = append(ev.Results, Result{Model: versionName(mod), Threshold: mod.Threshold, Metrics: ms, Segments: s.Segments})
	}
	if err := os.MkdirAll(opts.ReportsDir, 0o755); err != nil {
		return nil, err
	}
	ev.Path = filepath.Join(opts.ReportsDir, "evaluation-"+time.Now().UTC().Format("20060102T150405Z")+".json")
	if err := atomicfile.WriteJSON(ev.Path, ev.Results); err != nil {
		return nil, err
	}
	return &ev, nil
}

// Explanation is one model's global feature importance and the file
// Explain wrote it to.
type Explanation struct {
	// Model names the version: gbdt_v3.
	Model string
	// Path is ReportsDir/importance-<model>.json.
	Path string
	// Importance is sorted by MeanAbsSHAP, largest first.
	Importance []report.Importance
}

// Explain computes each model's mean |SHAP value| per feature over at most
// rows test rows (see Importance) and writes it to
// ReportsDir/importance-<model>.json.
func Explain(ctx context.Context, opts Options, rows int) ([]Explanation, error) {
	data, err := train.Load(opts.ProcessedDir)
	if err != nil {
		return nil, err
	}
	mods, err := loadModels(opts.ModelsDir, opts.Models)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opts.ReportsDir, 0o755); err != nil {
		return nil, err
	}
	var out []Explanation
	for _, mod := range mods {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := checkSameFeatures(mod, data); err != nil {
			return nil, err
		}
		imp := Importance(mod, data.Test.X, rows)
		sort.SliceStable(imp, func(a, b int) bool { return imp[a].MeanAbsSHAP > imp[b].MeanAbsSHAP })
		name := versionName(mod)
		path := filepath.Join(opts.ReportsDir, "importance-"+name+".json")
		if err := atomicfile.WriteJSON(path, imp); err != nil {
			return nil, err
		}
		out = append(out, Explanation{Model: name, Path: path, Importance: imp})
	}
	return out, nil
}

// versionName names a loaded model's version the way its file does.
func versionName(m *model.Model) string {
	return model.FileBase(m.Algorithm, m.Version)
}

// loadModels loads the model files named, or the newest version of each
// learner in dir.
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

// checkSameFeatures refuses a model trained on other feature tables than
// data's.
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
