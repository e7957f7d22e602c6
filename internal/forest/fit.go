package forest

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// The fitted forest is a learn.Predictor.
var _ learn.Predictor = (*tree.Ensemble)(nil)

// Fit grows a random forest on the rows of X with binary labels y (1 is the
// positive class, a default) and returns it as a tree.Ensemble whose margin
// is the mean over trees of the leaf probabilities of class 1.
//
// NaN in X means missing. Fit returns a *learn.ConfigError (matching
// learn.ErrConfig) for bad parameters, an error wrapping one of package
// learn's data errors (ErrNoRows, ErrShape, ErrLabel, ErrOneClass,
// ErrInfinite) for bad data, and ctx's error when ctx is done; ctx is checked
// before every tree.
func Fit(ctx context.Context, X *matrix.Dense, y []float64, cfg Config) (*tree.Ensemble, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	labels, err := checkData(X, y)
	if err != nil {
		return nil, err
	}
	if cfg.MaxFeatures > X.Cols {
		return nil, &learn.ConfigError{Learner: "forest", Field: "MaxFeatures", Value: cfg.MaxFeatures,
			Err: fmt.Errorf("%w: more than the %d features", learn.ErrShape, X.Cols)}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("forest: fit: %w", err)
	}
	threads := cfg.Threads
	if threads == 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	bins, err := binning.New(X, binning.Config{
		MaxBins: cfg.MaxBins, SampleRows: cfg.BinSampleRows, Seed: cfg.Seed, Threads: threads,
	})
	if err != nil {
		return nil, fmt.Errorf("forest: bin features: %w", err)
	}
	trees, err := grow(ctx, bins, labels, cfg, threads)
	if err != nil {
		return nil, err
	}
	return &tree.Ensemble{
		NumFeatures: X.Cols,
		Base:        0,
		Scale:       1 / float64(cfg.Trees),
		Output:      tree.Probability,
		Trees:       trees,
	}, nil
}

// checkData validates X and y with package learn's validator and returns
// the labels as class indices.
func checkData(X *matrix.Dense, y []float64) ([]uint8, error) {
	if _, err := learn.Check(X, y); err != nil {
		return nil, fmt.Errorf("forest: training data: %w", err)
	}
	if X.Rows > math.MaxInt32 {
		return nil, fmt.Errorf("forest: training data: %w: %d rows; at most %d", learn.ErrShape, X.Rows, math.MaxInt32)
	}
	labels := make([]uint8, len(y))
	for i, v := range y {
		if v == 1 {
			labels[i] = 1
		}
	}
	return labels, nil
}

// classWeights returns the weight of each class under cw.
func classWeights(cw learn.ClassWeight, labels []uint8) [2]float64 {
	var pos int
	for _, c := range labels {
		pos += int(c)
	}
	return cw.Weights(len(labels), pos)
}

// grow grows cfg.Trees trees on up to threads goroutines. Tree t depends
// only on the data, cfg and t, never on which goroutine grows it.
func grow(ctx context.Context, bins *binning.Matrix, labels []uint8, cfg Config, threads int) ([]tree.Tree, error) {
	shared := newData(bins, labels, cfg)
	trees := make([]tree.Tree, cfg.Trees)
	var (
		next    atomic.Int64
		failed  atomic.Bool
		errOnce sync.Once
		first   error
		wg      sync.WaitGroup
	)
	work := func() {
		g := newGrower(shared)
		for !failed.Load() {
			t := int(next.Add(1) - 1)
			if t >= len(trees) {
				return
			}
			if err := ctx.Err(); err != nil {
				errOnce.Do(func() { first = fmt.Errorf("forest: fit before tree %d: %w", t, err) })
				failed.Store(true)
				return
			}
			trees[t] = g.tree(t)
		}
	}
	for range min(threads, cfg.Trees) {
		wg.Go(work)
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return trees, nil
}

// newData gathers what the trees of a fit share.
func newData(bins *binning.Matrix, labels []uint8, cfg Config) *data {
	nbins := make([]int, len(bins.Cols))
	for f := range nbins {
		nbins[f] = bins.Cuts.NumBins(f)
	}
	return &data{
		cols:    bins.Cols,
		nbins:   nbins,
		cuts:    bins.Cuts,
		labels:  labels,
		weights: classWeights(cfg.ClassWeight, labels),
		mtry:    cfg.maxFeatures(len(bins.Cols)),
		cfg:     cfg,
	}
}
