package learners

import (
	"context"
	"errors"

	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
	scfit "github.com/credit-risk/credit-risk/internal/scorecard/fit"
	"github.com/credit-risk/credit-risk/internal/tree"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// Every learner's Fit follows package learn's contract.
var (
	_ learn.FitFunc[gbdt.Config, *gbdt.Model]      = gbdt.Fit
	_ learn.FitFunc[forest.Config, *tree.Ensemble] = forest.Fit
	_ learn.FitFunc[logreg.Config, *linear.Model]  = logreg.Fit
	_ learn.Predictor                              = scorecardPredictor{}
)

// table holds the learners, in the order train fits them by default.
var table = []Learner{
	{
		Name:          learn.GBDT,
		Title:         "histogram gradient-boosted trees",
		Default:       func(monotone []int8) any { return GBDTDefault(monotone) },
		Package:       func() any { return gbdt.DefaultConfig() },
		Fit:           fitGBDT,
		DefaultTrials: tune.DefaultGBDTTrials,
		Tune: func(ctx context.Context, X *matrix.Dense, y []float64, base any, schema Schema, opts tune.Options) (*Tuning, error) {
			cfg, err := config(learn.GBDT, base, func() gbdt.Config { return GBDTDefault(schema.Monotone) })
			if err != nil {
				return nil, err
			}
			res, err := tune.GBDT(ctx, X, y, &cfg, opts)
			if err != nil {
				return nil, err
			}
			return tuning(res), nil
		},
	},
	{
		Name:          learn.Forest,
		Title:         "random forest",
		Default:       func([]int8) any { return forest.DefaultConfig() },
		Package:       func() any { return forest.DefaultConfig() },
		Fit:           fitForest,
		DefaultTrials: tune.DefaultForestTrials,
		Tune: func(ctx context.Context, X *matrix.Dense, y []float64, base any, _ Schema, opts tune.Options) (*Tuning, error) {
			cfg, err := config(learn.Forest, base, forest.DefaultConfig)
			if err != nil {
				return nil, err
			}
			res, err := tune.Forest(ctx, X, y, &cfg, opts)
			if err != nil {
				return nil, err
			}
			return tuning(res), nil
		},
	},
	{
		Name:          learn.Logistic,
		Title:         "L2-regularised logistic regression",
		Default:       func([]int8) any { return logreg.DefaultConfig() },
		Package:       func() any { return logreg.DefaultConfig() },
		Fit:           fitLogistic,
		DefaultTrials: tune.DefaultLogisticTrials,
		Tune: func(ctx context.Context, X *matrix.Dense, y []float64, base any, _ Schema, opts tune.Options) (*Tuning, error) {
			cfg, err := config(learn.Logistic, base, logreg.DefaultConfig)
			if err != nil {
				return nil, err
			}
			res, err := tune.Logistic(ctx, X, y, &cfg, opts)
			if err != nil {
				return nil, err
			}
			return tuning(res), nil
		},
	},
	{
		Name:          learn.Scorecard,
		Title:         "points scorecard (logistic regression on the WoE of binned characteristics)",
		Default:       func([]int8) any { return scfit.DefaultConfig() },
		Package:       func() any { return scfit.DefaultConfig() },
		Fit:           fitScorecard,
		DefaultTrials: DefaultScorecardTrials,
		Tune:          tuneScorecard,
	},
}

// GBDTEarlyStopping is the early stopping of train's boosting
// configuration: rounds without improvement on the validation slice.
const GBDTEarlyStopping = 20

// GBDTDefault is train's boosting configuration: the package defaults
// (100 rounds, depth 6, eta 0.1, 256 bins) with early stopping after
// GBDTEarlyStopping rounds without improvement on the validation slice,
// and the given monotone constraints.
func GBDTDefault(monotone []int8) gbdt.Config {
	cfg := gbdt.DefaultConfig()
	cfg.EarlyStoppingRounds = GBDTEarlyStopping
	cfg.Monotone = monotone
	return cfg
}

// fitGBDT is the Fit of GBDT. The pipeline's monotone constraints replace
// the configuration's, and early stopping judges valid when it is given.
func fitGBDT(ctx context.Context, c any, fit, valid Set, schema Schema, threads int) (*Fitted, error) {
	monotone := schema.Monotone
	cfg, err := config(learn.GBDT, c, func() gbdt.Config { return GBDTDefault(monotone) })
	if err != nil {
		return nil, err
	}
	cfg.Threads = threads
	cfg.Monotone = monotone
	var v *gbdt.Data
	if valid.X != nil {
		v = &gbdt.Data{X: valid.X, Y: valid.Y}
	}
	m, err := gbdt.FitData(ctx, gbdt.Data{X: fit.X, Y: fit.Y}, v, cfg)
	if err != nil {
		return nil, err
	}
	return &Fitted{Ensemble: m.Ensemble, Params: map[string]any{
		"rounds": cfg.Rounds, "best_round": m.BestRound + 1, "max_depth": cfg.MaxDepth, "learning_rate": cfg.LearningRate,
		"l2": cfg.L2, "min_child_weight": cfg.MinChildWeight, "subsample": cfg.Subsample, "colsample_bytree": cfg.ColSampleByTree,
	}}, nil
}

// fitForest is the Fit of Forest; it has no use for valid.
func fitForest(ctx context.Context, c any, fit, _ Set, _ Schema, threads int) (*Fitted, error) {
	cfg, err := config(learn.Forest, c, forest.DefaultConfig)
	if err != nil {
		return nil, err
	}
	cfg.Threads = threads
	e, err := forest.Fit(ctx, fit.X, fit.Y, cfg)
	if err != nil {
		return nil, err
	}
	return &Fitted{Ensemble: e, Params: map[string]any{
		"trees": cfg.Trees, "max_depth": cfg.MaxDepth, "min_samples_leaf": cfg.MinSamplesLeaf, "class_weight": cfg.ClassWeight,
	}}, nil
}

// fitLogistic is the Fit of Logistic; it has no use for valid. A fit that
// stops at its iteration limit keeps the model reached, with the
// logreg.ErrNotConverged error as its Warning.
func fitLogistic(ctx context.Context, c any, fit, _ Set, _ Schema, threads int) (*Fitted, error) {
	cfg, err := config(learn.Logistic, c, logreg.DefaultConfig)
	if err != nil {
		return nil, err
	}
	cfg.Workers = threads
	m, err := logreg.Fit(ctx, fit.X, fit.Y, cfg)
	var warning error
	switch {
	case m != nil && errors.Is(err, logreg.ErrNotConverged):
		warning = err
	case err != nil:
		return nil, err
	}
	return &Fitted{Linear: m, Warning: warning, Params: map[string]any{"c": cfg.C, "class_weight": cfg.ClassWeight}}, nil
}
