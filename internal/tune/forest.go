package tune

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Settings of the random forest search.
const (
	// DefaultForestTrials is the default Budget.Trials of Forest.
	DefaultForestTrials = 18
	// ForestMinTrees is the fewest trees a fit below the top rung grows.
	ForestMinTrees = 10
)

// Forest tunes a random forest (package forest) for the rows of X and the
// binary labels y (1 = default) by successive halving, scoring each
// configuration by its mean cross-validated ROC-AUC; see the package
// comment for the search space. base is the default configuration,
// evaluated as trial 0, and every sampled configuration is a copy of it
// with the searched fields replaced (so Trees, ClassWeight, Bootstrap and
// Seed carry over); nil means forest.DefaultConfig(). Fits use
// opts.Threads, not base.Threads. Below the top rung a fit grows 1/Eta of
// base.Trees (at least ForestMinTrees).
//
// Errors are as for GBDT.
func Forest(ctx context.Context, X *matrix.Dense, y []float64, base *forest.Config, opts Options) (*Result[forest.Config], error) {
	cfg := forest.DefaultConfig()
	if base != nil {
		cfg = *base
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tune rf: default configuration: %w", err)
	}
	return search(ctx, X, y, opts, Space[forest.Config]{
		Name: "rf",
		Base: cfg,
		Sample: func(r *rand.Rand, c forest.Config, features int) forest.Config {
			c.MaxDepth = intUniform(r, 4, 18)
			c.MinSamplesLeaf = intLogUniform(r, 1, 200)
			lo := max(1, int(math.Sqrt(float64(features)))/2)
			c.MaxFeatures = intLogUniform(r, lo, max(lo, features/2))
			return c
		},
		Params: func(c forest.Config) map[string]any {
			maxFeatures := any(c.MaxFeatures)
			if c.MaxFeatures == 0 {
				maxFeatures = "sqrt"
			}
			return map[string]any{
				"max_depth": c.MaxDepth, "min_samples_leaf": c.MinSamplesLeaf,
				"max_features": maxFeatures, "trees": c.Trees,
			}
		},
		Fit:   fitForest,
		Sized: true,
	}, DefaultForestTrials)
}

// fitForest is the Space.Fit of Forest.
func fitForest(ctx context.Context, c forest.Config, resource float64, threads int, train, valid *Part, dst []float64) (int, error) {
	c.Threads = threads
	if resource < 1 {
		c.Trees = min(c.Trees, max(ForestMinTrees, int(math.Round(float64(c.Trees)*resource))))
	}
	e, err := forest.Fit(ctx, train.X, train.Y, c)
	if err != nil {
		return 0, err
	}
	e.PredictInto(dst, valid.X, threads)
	return len(e.Trees), nil
}
