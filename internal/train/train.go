// Package train is the pipeline's train step: it fits the candidate
// learners (histogram gradient-boosted trees, random forest, logistic
// regression) on the training period, calibrates their probabilities (Platt
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
	"regexp"
	"runtime"
	"strconv"
	"time"

	"github.com/credit-risk/credit-risk/internal/calibrate"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/split"
	"github.com/credit-risk/credit-risk/internal/tables"
)

// Algorithms trains by default, in order.
var Algorithms = []string{model.GBDT, model.Forest, model.Logistic}

// DefaultValidFraction is the share of the training period held out for
// early stopping, calibration and the threshold.
const DefaultValidFraction = 0.2

// Options configure a training run.
type Options struct {
	// ProcessedDir holds the features step's output.
	ProcessedDir string
	// ModelsDir receives the model files.
	ModelsDir string
	// Algorithms to train; nil means Algorithms.
	Algorithms []string
	// GBDT, Forest and Linear are the learners' parameters; nil means
	// their defaults (GBDT with early stopping after 20 rounds).
	GBDT   *gbdt.Config
	Forest *forest.Config
	Linear *logreg.Config
	// ValidFraction: 0 means DefaultValidFraction.
	ValidFraction float64
	// Threads: 0 means every core.
	Threads int
	Logger  *slog.Logger
}

// Data is the train and test feature tables with their pipeline.
type Data struct {
	Pipeline *features.Pipeline
	Meta     *tables.Meta
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
	p, err := tables.ReadPipeline(dir)
	if err != nil {
		return nil, err
	}
	meta, err := tables.ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	d := &Data{Pipeline: p, Meta: meta}
	for _, s := range []struct {
		file string
		set  *Set
	}{{tables.TrainFile, &d.Train}, {tables.TestFile, &d.Test}} {
		f, err := parquetfile.ReadFile(filepath.Join(dir, s.file))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%w: run `credit-risk features` first", err)
			}
			return nil, err
		}
		X, y, err := tables.Matrix(f, p.FeatureNames())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.file, err)
		}
		*s.set = Set{X: X, Y: y}
	}
	return d, nil
}

// Candidate is one trained, saved model.
type Candidate struct {
	Algorithm string             `json:"algorithm"`
	Version   int                `json:"version"`
	Path      string             `json:"path"`
	Metrics   map[string]float64 `json:"metrics"`
	Seconds   float64            `json:"fit_seconds"`
}

// Run trains every requested algorithm and saves the models.
func Run(ctx context.Context, opts Options) ([]Candidate, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	d, err := Load(opts.ProcessedDir)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if err := os.MkdirAll(opts.ModelsDir, 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	algos := opts.Algorithms
	if algos == nil {
		algos = Algorithms
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
		base, err := SaveNext(opts.ModelsDir, m, meta)
		if err != nil {
			return out, fmt.Errorf("train %s: %w", algo, err)
		}
		version := m.Version
		c := Candidate{Algorithm: algo, Version: version, Path: filepath.Join(opts.ModelsDir, base+model.Ext), Metrics: meta.Metrics, Seconds: secs}
		logger.Info("trained", "model", base, "test_auc", meta.Metrics["roc_auc"], "fit_seconds", secs)
		out = append(out, c)
	}
	return out, nil
}

// Fit trains one algorithm on d's training period, calibrates it and picks
// its threshold on the validation slice, and evaluates it on the test set.
// The returned model has version 0; the caller numbers it.
func Fit(ctx context.Context, d *Data, algo string, opts Options) (*model.Model, *model.Metadata, float64, error) {
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	fit, valid, err := validationSplit(d, opts.ValidFraction)
	if err != nil {
		return nil, nil, 0, err
	}
	m := &model.Model{
		Format: model.Format, FormatVersion: model.FormatVersion, Name: algo, Algorithm: algo,
		CreatedAt: time.Now().UTC().Truncate(time.Second), Features: d.Pipeline.FeatureNames(), Pipeline: d.Pipeline,
	}
	params := map[string]any{}
	start := time.Now()
	switch algo {
	case model.GBDT:
		cfg := DefaultGBDT(d.Pipeline.Monotone())
		if opts.GBDT != nil {
			cfg = *opts.GBDT
		}
		cfg.Threads = threads
		cfg.Monotone = d.Pipeline.Monotone()
		res, err := gbdt.FitData(ctx, gbdt.Data{X: fit.X, Y: fit.Y}, &gbdt.Data{X: valid.X, Y: valid.Y}, cfg)
		if err != nil {
			return nil, nil, 0, err
		}
		m.Ensemble = res.Ensemble
		params["rounds"], params["best_round"], params["max_depth"], params["learning_rate"] = cfg.Rounds, res.BestRound+1, cfg.MaxDepth, cfg.LearningRate
		params["l2"], params["min_child_weight"], params["subsample"], params["colsample_bytree"] = cfg.L2, cfg.MinChildWeight, cfg.Subsample, cfg.ColSampleByTree
	case model.Forest:
		cfg := DefaultForest()
		if opts.Forest != nil {
			cfg = *opts.Forest
		}
		cfg.Threads = threads
		e, err := forest.Fit(ctx, fit.X, fit.Y, cfg)
		if err != nil {
			return nil, nil, 0, err
		}
		m.Ensemble = e
		params["trees"], params["max_depth"], params["min_samples_leaf"], params["class_weight"] = cfg.Trees, cfg.MaxDepth, cfg.MinSamplesLeaf, cfg.ClassWeight
	case model.Logistic:
		cfg := DefaultLogistic()
		if opts.Linear != nil {
			cfg = *opts.Linear
		}
		lm, err := logreg.Fit(ctx, fit.X, fit.Y, cfg)
		if err != nil && lm == nil {
			return nil, nil, 0, err
		}
		m.Linear = lm
		params["c"], params["class_weight"] = cfg.C, cfg.ClassWeight
	default:
		return nil, nil, 0, fmt.Errorf("unknown algorithm %q (want gbdt, rf or lr)", algo)
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
	threshold, rule := ChooseThreshold(pdValid, valid.Y, d.Meta.Costs)
	m.Threshold = threshold

	pdTest := make([]float64, d.Test.X.Rows)
	m.PDInto(pdTest, d.Test.X, threads)
	ms, err := Evaluate(d.Test.Y, pdTest, threshold)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("evaluate: %w", err)
	}
	meta := &model.Metadata{
		ThresholdRule: rule, Dataset: d.Meta.Dataset, DataFingerprint: d.Meta.CleanTable,
		TrainRows: fit.X.Rows, TestRows: d.Test.X.Rows, Params: params, Metrics: ms,
		Reference: reference(d, pdValid),
	}
	meta.Metrics["fit_seconds"] = secs
	meta.Metrics["valid_rows"] = float64(valid.X.Rows)
	return m, meta, secs, nil
}

// DefaultGBDT is train's boosting configuration: the package defaults
// (100 rounds, depth 6, eta 0.1, 256 bins) with early stopping after 20
// rounds without improvement on the validation slice, and the pipeline's
// monotone constraints.
func DefaultGBDT(monotone []int8) gbdt.Config {
	cfg := gbdt.DefaultConfig()
	cfg.EarlyStoppingRounds = 20
	cfg.Monotone = monotone
	return cfg
}

// DefaultForest is train's forest configuration: 100 trees of depth 10
// with balanced class weights.
func DefaultForest() forest.Config { return forest.DefaultConfig() }

// DefaultLogistic is train's logistic regression: C = 1, balanced class
// weights.
func DefaultLogistic() logreg.Config { return logreg.DefaultConfig() }

// validationSplit holds out the newest ValidFraction of the training rows
// (they are in date order) when the data has dates, and a stratified
// random slice otherwise.
func validationSplit(d *Data, frac float64) (fit, valid Set, err error) {
	if frac == 0 {
		frac = DefaultValidFraction
	}
	n := d.Train.X.Rows
	var isValid []bool
	if d.Meta.DateColumn != "" {
		isValid = make([]bool, n)
		for i := n - int(math.Round(frac*float64(n))); i < n; i++ {
			isValid[i] = true
		}
	} else if isValid, err = split.Stratified(d.Train.Y, frac, 7); err != nil {
		return fit, valid, err
	}
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

// ChooseThreshold picks the decision threshold on validation PDs: with
// costs, the one minimising BadAccepted·(bad loans approved) +
// GoodRejected·(good loans declined); without, the one maximising F1.
func ChooseThreshold(pd, y []float64, costs *dataset.Costs) (float64, string) {
	best, bestScore := 0.5, math.Inf(-1)
	for t := 0.01; t < 0.99; t += 0.005 {
		cm, err := metrics.Confusion(y, pd, t)
		if err != nil {
			continue
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
	best = math.Round(best*1000) / 1000
	if costs != nil {
		return best, fmt.Sprintf("minimise expected cost on validation: %g per bad loan approved, %g per good loan declined", costs.BadAccepted, costs.GoodRejected)
	}
	return best, "maximise F1 on validation"
}

// Evaluate computes the test metrics of calibrated PDs.
func Evaluate(y, pd []float64, threshold float64) (map[string]float64, error) {
	out := map[string]float64{}
	var err error
	set := func(name string, f func() (float64, error)) {
		if err != nil {
			return
		}
		var v float64
		v, err = f()
		out[name] = v
	}
	set("roc_auc", func() (float64, error) { return metrics.ROCAUC(y, pd, nil) })
	set("pr_auc", func() (float64, error) { return metrics.AveragePrecision(y, pd, nil) })
	set("ks", func() (float64, error) { return metrics.KS(y, pd, nil) })
	set("gini", func() (float64, error) { return metrics.Gini(y, pd, nil) })
	set("brier", func() (float64, error) { return metrics.Brier(y, pd, nil) })
	set("log_loss", func() (float64, error) { return metrics.LogLoss(y, pd, nil) })
	set("ece", func() (float64, error) { return metrics.ECE(y, pd, 10) })
	if err != nil {
		return nil, err
	}
	cm, err := metrics.Confusion(y, pd, threshold)
	if err != nil {
		return nil, err
	}
	out["precision"], out["recall"], out["f1"], out["accuracy"] = cm.Precision(), cm.Recall(), cm.F1(), cm.Accuracy()
	out["tp"], out["fp"], out["tn"], out["fn"] = float64(cm.TP), float64(cm.FP), float64(cm.TN), float64(cm.FN)
	out["threshold"] = threshold
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

// SaveNext saves m as the next free version of its algorithm in dir and
// returns the file base name (e.g. gbdt_v3).
func SaveNext(dir string, m *model.Model, meta *model.Metadata) (string, error) {
	version, err := NextVersion(dir, m.Algorithm)
	if err != nil {
		return "", err
	}
	for range 100 {
		m.Version = version
		base := fmt.Sprintf("%s_v%d", m.Algorithm, version)
		err := model.Save(dir, base, m, meta)
		if err == nil {
			return base, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", err
		}
		version++ // another run took this version meanwhile
	}
	return "", fmt.Errorf("no free version for %s in %s", m.Algorithm, dir)
}

var versionRE = regexp.MustCompile(`^(.+)_v([0-9]+)\` + model.Ext + `$`)

// NextVersion returns one more than the highest version of algo's model
// files in dir (1 when there is none).
func NextVersion(dir, algo string) (int, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	v := 0
	for _, e := range ents {
		m := versionRE.FindStringSubmatch(e.Name())
		if m == nil || m[1] != algo {
			continue
		}
		if n, err := strconv.Atoi(m[2]); err == nil && n > v {
			v = n
		}
	}
	return v + 1, nil
}
