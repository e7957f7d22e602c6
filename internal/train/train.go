// Package train is the pipeline's train step: it fits the candidate
// learners (histogram gradient-boosted trees, random forest, logistic
// regression, scorecard) on the training period, calibrates their probabilities (Platt
// scaling of the log-odds, which keeps the ranking and so the AUC) and
// chooses the decision threshold on a held-out validation slice (the newest
// part of the training period), evaluates them on the out-of-time test set,
// and writes each as a versioned model file with its metadata.
package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/credit-risk/credit-risk/internal/calibrate"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/split"
)

// DefaultValidFraction is the share of the training period held out for
// early stopping, calibration and the threshold.
const DefaultValidFraction = 0.2

// Options configure a training run.
type Options struct {
	// ProcessedDir holds the features step's output.
	ProcessedDir string
	// ModelsDir receives the model files.
	ModelsDir string
	// Algorithms to train, in order; nil means every learner of the
	// table (learners.Names).
	Algorithms []learn.Algorithm
	// Configs holds the configuration of some learners, a value of (or a
	// pointer to) the learner package's Config type; a learner missing
	// from it fits its default (learners.Learner.Default: GBDT with early
	// stopping after 20 rounds).
	Configs map[learn.Algorithm]any
	// ValidFraction: 0 means DefaultValidFraction.
	ValidFraction float64
	// Threads: 0 means every core.
	Threads int
	Logger  *slog.Logger
}

// Data is the train and test feature tables with their pipeline.
type Data struct {
	Pipeline *features.Pipeline
	Meta     *featurestep.Meta
	Train    Set
	Test     Set
}

// Set is a labelled feature matrix.
type Set struct {
	X *matrix.Dense
	Y []float64
}

// Load reads the features step's output from dir.
func Load(dir string) (*Data, error) {
	p, err := featurestep.ReadPipeline(dir)
	if err != nil {
		return nil, err
	}
	meta, err := featurestep.ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	d := &Data{Pipeline: p, Meta: meta}
	for _, s := range []struct {
		file string
		set  *Set
	}{{featurestep.TrainFile, &d.Train}, {featurestep.TestFile, &d.Test}} {
		f, err := parquetfile.ReadFile(filepath.Join(dir, s.file))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%w: run `credit-risk features` first", err)
			}
			return nil, err
		}
		X, y, err := featurestep.Matrix(f, p.FeatureNames())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		*s.set = Set{X: X, Y: y}
	}
	return d, nil
}

// Schema returns what the learners are told about d's columns: the
// pipeline's monotone constraints, the pipeline itself, and for the
// scorecard the spec's points scaling and cleared characteristics.
func (d *Data) Schema() (learners.Schema, error) {
	scaling, err := d.Meta.Scorecard.Scaling()
	if err != nil {
		return learners.Schema{}, err
	}
	var cleared []string
	if d.Meta.Scorecard != nil {
		cleared = d.Meta.Scorecard.Cleared
	}
	return learners.SchemaOf(d.Pipeline, scaling, cleared), nil
}

// Candidate is one trained, saved model.
type Candidate struct {
	Algorithm learn.Algorithm `json:"algorithm"`
	Version   int             `json:"version"`
	Path      string          `json:"path"`
	Metrics   metrics.Summary `json:"metrics"`
	Seconds   float64         `json:"fit_seconds"`
}

// Run trains every requested algorithm and saves the models.
func Run(ctx context.Context, opts Options) ([]Candidate, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	algos := opts.Algorithms
	if algos == nil {
		algos = learners.Names()
	}
	for _, algo := range algos {
		if _, err := learners.Lookup(algo); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	d, err := Load(opts.ProcessedDir)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := os.MkdirAll(opts.ModelsDir, 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var out []Candidate
	for _, algo := range algos {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		logger.Info("training", "algorithm", algo, "rows", d.Train.X.Rows, "features", d.Train.X.Cols)
		m, meta, secs, err := Fit(ctx, d, algo, opts)
		if err != nil {
			return out, fmt.Errorf("train %s: %w", algo, err)
		}
		for _, w := range Warnings(meta) {
			logger.Warn("training finished with a warning", "algorithm", algo, "warning", w)
		}
		base, err := model.SaveNext(opts.ModelsDir, m, meta)
		if err != nil {
			return out, fmt.Errorf("train %s: %w", algo, err)
		}
		version := m.Version
		c := Candidate{Algorithm: algo, Version: version, Path: filepath.Join(opts.ModelsDir, base+model.Ext), Metrics: meta.Metrics, Seconds: secs}
		logger.Info("trained", "model", base, "test_auc", meta.Metrics.ROCAUC, "fit_seconds", secs)
		out = append(out, c)
	}
	return out, nil
}

// Fit trains one algorithm on d's training period, calibrates it and picks
// its threshold on the validation slice, and evaluates it on the test set.
// The returned model has version 0; the caller numbers it. A problem that
// did not stop the fit, such as logistic regression stopping at its
// iteration limit, is recorded in the metadata's parameters under
// "warnings" (see Warnings).
func Fit(ctx context.Context, d *Data, algo learn.Algorithm, opts Options) (*model.Model, *model.Metadata, float64, error) {
	l, err := learners.Lookup(algo)
	if err != nil {
		return nil, nil, 0, err
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	fit, valid, err := validationSplit(d, opts.ValidFraction)
	if err != nil {
		return nil, nil, 0, err
	}
	m := &model.Model{
		Format: model.Format, FormatVersion: model.FormatVersion, Name: string(algo), Algorithm: string(algo),
		CreatedAt: time.Now().UTC().Truncate(time.Second), Features: d.Pipeline.FeatureNames(), Pipeline: d.Pipeline,
	}
	schema, err := d.Schema()
	if err != nil {
		return nil, nil, 0, err
	}
	start := time.Now()
	res, err := l.Fit(ctx, opts.Configs[algo], learners.Set(fit), learners.Set(valid), schema, threads)
	if err != nil {
		return nil, nil, 0, err
	}
	m.Ensemble, m.Linear, m.Scorecard = res.Ensemble, res.Linear, res.Scorecard
	params := res.Params
	if res.Warning != nil {
		params[warningsParam] = []string{res.Warning.Error()}
	}
	secs := time.Since(start).Seconds()

	// Calibrate on the validation slice, then choose the threshold there.
	if err := m.Init(); err != nil {
		return nil, nil, 0, err
	}
	scoreValid := make([]float64, valid.X.Rows)
	m.RawProbInto(scoreValid, valid.X, threads)
	for i, p := range scoreValid {
		scoreValid[i] = model.Logit(p)
	}
	cal, err := calibrate.FitPlatt(scoreValid, valid.Y, nil)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("calibration: %w", err)
	}
	m.Calibration = cal
	pdValid := make([]float64, len(scoreValid))
	cal.ApplyInto(pdValid, scoreValid)
	threshold, rule, err := ChooseThreshold(pdValid, valid.Y, d.Meta.Costs)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("threshold: %w", err)
	}
	m.Threshold = threshold

	// The validation metrics are what a retrain selects by; the test
	// metrics are reported and never enter a choice.
	vs, err := Evaluate(valid.Y, pdValid, threshold)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("evaluate on validation: %w", err)
	}
	pdTest := make([]float64, d.Test.X.Rows)
	m.PDInto(pdTest, d.Test.X, threads)
	ms, err := Evaluate(d.Test.Y, pdTest, threshold)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("evaluate: %w", err)
	}
	meta := &model.Metadata{
		ThresholdRule: rule, Dataset: d.Meta.Dataset, DataFingerprint: d.Meta.CleanTable,
		TrainRows: fit.X.Rows, TestRows: d.Test.X.Rows, Params: params, Metrics: ms, Validation: vs,
		Reference: reference(d, pdValid),
	}
	meta.Metrics.FitSeconds = secs
	meta.Metrics.ValidRows = valid.X.Rows
	return m, meta, secs, nil
}

// warningsParam is the metadata parameter that lists a fit's warnings.
const warningsParam = "warnings"

// Warnings returns the warnings Fit recorded in meta: problems that did
// not stop the fit, such as an optimiser that did not converge.
func Warnings(meta *model.Metadata) []string {
	switch w := meta.Params[warningsParam].(type) {
	case []string:
		return w
	case []any: // read back from JSON
		out := make([]string, 0, len(w))
		for _, v := range w {
			out = append(out, fmt.Sprint(v))
		}
		return out
	}
	return nil
}

// ValidationSlice returns the training rows Fit holds out with the same
// frac (0: DefaultValidFraction) to calibrate, choose the threshold and
// compute the validation metrics on: the slice a retrain compares its
// candidates on.
func ValidationSlice(d *Data, frac float64) (Set, error) {
	_, valid, err := validationSplit(d, frac)
	return valid, err
}

// ValidationRows marks the training rows (in d.Train's order) that Fit
// holds out with the same frac (0: DefaultValidFraction): the newest frac
// of them when the data has dates (they are in date order), a stratified
// random frac otherwise.
func ValidationRows(d *Data, frac float64) ([]bool, error) {
	if frac == 0 {
		frac = DefaultValidFraction
	}
	n := d.Train.X.Rows
	if d.Meta.DateColumn == "" {
		return split.Stratified(d.Train.Y, frac, 7)
	}
	isValid := make([]bool, n)
	for i := n - int(math.Round(frac*float64(n))); i < n; i++ {
		isValid[i] = true
	}
	return isValid, nil
}

// validationSplit holds out the newest ValidFraction of the training rows
// (they are in date order) when the data has dates, and a stratified
// random slice otherwise.
func validationSplit(d *Data, frac float64) (fit, valid Set, err error) {
	isValid, err := ValidationRows(d, frac)
	if err != nil {
		return fit, valid, err
	}
	n := d.Train.X.Rows
	var fi, vi []int
	for i, v := range isValid {
		if v {
			vi = append(vi, i)
		} else {
			fi = append(fi, i)
		}
	}
	if len(vi) == 0 || len(fi) == 0 {
		return fit, valid, fmt.Errorf("too few training rows (%d) to hold out a validation slice", n)
	}
	pick := func(idx []int) Set {
		y := make([]float64, len(idx))
		for k, i := range idx {
			y[k] = d.Train.Y[i]
		}
		return Set{X: d.Train.X.SelectRows(idx), Y: y}
	}
	return pick(fi), pick(vi), nil
}

// ChooseThreshold picks the decision threshold on validation PDs among
// 0.010, 0.015, …, 0.985: with costs, the one minimising
// BadAccepted·(bad loans approved) + GoodRejected·(good loans declined);
// without, the one maximising F1. Ties go to the lowest threshold. It
// returns the threshold, rounded to three decimals, and the rule as a
// sentence, or an error when the PDs or labels cannot be scored (see
// metrics.Confusion) or no threshold gets a score that is not NaN.
func ChooseThreshold(pd, y []float64, costs *dataset.Costs) (float64, string, error) {
	best, bestScore := math.NaN(), math.Inf(-1)
	for t := 0.01; t < 0.99; t += 0.005 {
		cm, err := metrics.Confusion(y, pd, t)
		if err != nil {
			return 0, "", fmt.Errorf("threshold %.3f: %w", t, err)
		}
		var score float64
		if costs != nil {
			score = -(costs.BadAccepted*float64(cm.FN) + costs.GoodRejected*float64(cm.FP))
		} else {
			score = cm.F1()
		}
		if score > bestScore {
			best, bestScore = t, score
		}
	}
	if math.IsNaN(best) {
		return 0, "", errors.New("no threshold has a score")
	}
	best = math.Round(best*1000) / 1000
	if costs != nil {
		return best, fmt.Sprintf("minimise expected cost on validation: %g per bad loan approved, %g per good loan declined", costs.BadAccepted, costs.GoodRejected), nil
	}
	return best, "maximise F1 on validation", nil
}

// Evaluate computes the test metrics of calibrated PDs at the decision
// threshold; the run values (FitSeconds, ValidRows) are left 0.
func Evaluate(y, pd []float64, threshold float64) (metrics.Summary, error) {
	var out metrics.Summary
	var err error
	set := func(dst *float64, f func() (float64, error)) {
		if err != nil {
			return
		}
		*dst, err = f()
	}
	set(&out.ROCAUC, func() (float64, error) { return metrics.ROCAUC(y, pd, nil) })
	set(&out.PRAUC, func() (float64, error) { return metrics.AveragePrecision(y, pd, nil) })
	set(&out.KS, func() (float64, error) { return metrics.KS(y, pd, nil) })
	set(&out.Gini, func() (float64, error) { return metrics.Gini(y, pd, nil) })
	set(&out.Brier, func() (float64, error) { return metrics.Brier(y, pd, nil) })
	set(&out.LogLoss, func() (float64, error) { return metrics.LogLoss(y, pd, nil) })
	set(&out.ECE, func() (float64, error) { return metrics.ECE(y, pd, 10) })
	if err != nil {
		return metrics.Summary{}, err
	}
	cm, err := metrics.Confusion(y, pd, threshold)
	if err != nil {
		return metrics.Summary{}, err
	}
	out.Precision, out.Recall, out.F1, out.Accuracy = cm.Precision(), cm.Recall(), cm.F1(), cm.Accuracy()
	out.TP, out.FP, out.TN, out.FN = cm.TP, cm.FP, cm.TN, cm.FN
	out.Threshold = threshold
	return out, nil
}

// reference bins every feature on the training rows and the validation PDs
// for drift monitoring.
func reference(d *Data, pdValid []float64) *model.Reference {
	r := &model.Reference{Score: model.NewBins("score", pdValid, 10)}
	col := make([]float64, 0, d.Train.X.Rows)
	for j, name := range d.Pipeline.FeatureNames() {
		col = d.Train.X.Column(col, j)
		r.Features = append(r.Features, model.NewBins(name, col, 10))
	}
	return r
}
