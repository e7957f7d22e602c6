package tune

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Settings of the boosting search.
const (
	// DefaultGBDTTrials is the default Budget.Trials of GBDT.
	DefaultGBDTTrials = 27
	// GBDTMaxRounds is the Rounds of every sampled configuration: a cap
	// that early stopping ends well before on most fits.
	GBDTMaxRounds = 500
	// GBDTEarlyStopping is the EarlyStoppingRounds of sampled
	// configurations when the default configuration has none.
	GBDTEarlyStopping = 20
)

// GBDT tunes gradient-boosted trees (package gbdt) for the rows of X and
// the binary labels y (1 = default) by successive halving, scoring each
// configuration by its mean cross-validated ROC-AUC; see the package
// comment for the search space. base is the default configuration,
// evaluated as trial 0, and every sampled configuration is a copy of it
// with the searched fields replaced (so Growth, MaxBins, Monotone and Seed
// carry over); nil means gbdt.DefaultConfig(). Fits use opts.Threads, not
// base.Threads.
//
// A sampled configuration has Rounds = GBDTMaxRounds and early stopping
// after base.EarlyStoppingRounds rounds (GBDTEarlyStopping when that is
// 0), judged on each fold's validation rows. Result.Best keeps these, so a
// final fit with validation data stops at its own best round.
//
// It returns an *OptionsError for bad options, base's *learn.ConfigError
// for an invalid base, an error wrapping one of package learn's data
// errors or ErrTooFewRows for bad data,
// a fitting error, or ctx's error, which is checked before every fit.
func GBDT(ctx context.Context, X *matrix.Dense, y []float64, base *gbdt.Config, opts Options) (*Result[gbdt.Config], error) {
	cfg := gbdt.DefaultConfig()
	if base != nil {
		cfg = *base
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tune gbdt: default configuration: %w", err)
	}
	es := cfg.EarlyStoppingRounds
	if es == 0 {
		es = GBDTEarlyStopping
	}
	return search(ctx, X, y, opts, Space[gbdt.Config]{
		Name: "gbdt",
		Base: cfg,
		Sample: func(r *rand.Rand, c gbdt.Config, _ int) gbdt.Config {
			c.MaxDepth = intUniform(r, 2, 8)
			c.LearningRate = round3(logUniform(r, 0.02, 0.3))
			c.MinChildWeight = round3(logUniform(r, 0.5, 100))
			c.Subsample = round3(uniform(r, 0.5, 1))
			c.ColSampleByTree = round3(uniform(r, 0.4, 1))
			c.L2 = round3(logUniform(r, 0.1, 100))
			c.Rounds = GBDTMaxRounds
			c.EarlyStoppingRounds = es
			return c
		},
		Params: func(c gbdt.Config) map[string]any {
			return map[string]any{
				"max_depth": c.MaxDepth, "learning_rate": c.LearningRate, "min_child_weight": c.MinChildWeight,
				"subsample": c.Subsample, "colsample_bytree": c.ColSampleByTree, "l2": c.L2,
				"rounds": c.Rounds, "early_stopping_rounds": c.EarlyStoppingRounds,
			}
		},
		Fit: fitGBDT,
	}, DefaultGBDTTrials)
}

// fitGBDT is the Space.Fit of GBDT. The resource share is not used:
// early stopping sizes the model.
func fitGBDT(ctx context.Context, c gbdt.Config, _ float64, threads int, train, valid *Part, dst []float64) (int, error) {
	c.Threads = threads
	var v *gbdt.Data
	if c.EarlyStoppingRounds > 0 {
		v = &gbdt.Data{X: valid.X, Y: valid.Y}
	}
	m, err := gbdt.FitData(ctx, gbdt.Data{X: train.X, Y: train.Y}, v, c)
	if err != nil {
		return 0, err
	}
	if len(m.Ensemble.Trees) == 0 {
		return 0, errors.New("gbdt returned no trees")
	}
	m.Ensemble.MarginInto(dst, valid.X, threads)
	return len(m.Ensemble.Trees), nil
}
