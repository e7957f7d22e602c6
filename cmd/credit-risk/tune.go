package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"slices"

	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/train"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// tuneFlags are the tuning budget flags of retrain.
type tuneFlags struct {
	trials  *int
	seconds *float64
}

func bindTuneFlags(fs *flag.FlagSet) *tuneFlags {
	return &tuneFlags{
		trials:  fs.Int("tune-trials", -1, "tuning configurations per learner (0: no tuning, -1: the default budget)"),
		seconds: fs.Float64("tune-seconds", 0, "tuning time budget per learner in seconds (0: the default, 20)"),
	}
}

// tuner returns the retrain tuning hook, nil when tuning is off. Each
// learner is tuned by cross-validation inside the training period
// (time-ordered folds when the data has dates), starting from the same
// defaults train uses, so the result is never worse than them on CV.
func (t *tuneFlags) tuner(threads int, logger *slog.Logger) retrain.Tuner {
	if *t.trials == 0 {
		return nil
	}
	return func(ctx context.Context, d *train.Data, algos []string) (train.Options, map[string]any, error) {
		opts := tune.Options{
			Budget:      tune.Budget{Trials: max(*t.trials, 0), Seconds: *t.seconds},
			TimeOrdered: d.Meta.DateColumn != "",
			Seed:        1,
			Threads:     threads,
			Logger:      logger,
		}
		X, y := d.Train.X, d.Train.Y
		var out train.Options
		results := map[string]any{}
		if slices.Contains(algos, "gbdt") {
			def := train.DefaultGBDT(d.Pipeline.Monotone())
			res, err := tune.GBDT(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("gbdt: %w", err)
			}
			out.GBDT, results["gbdt"] = res.Best, res
		}
		if slices.Contains(algos, "rf") {
			def := train.DefaultForest()
			res, err := tune.Forest(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("rf: %w", err)
			}
			out.Forest, results["rf"] = res.Best, res
		}
		if slices.Contains(algos, "lr") {
			def := train.DefaultLogistic()
			res, err := tune.Logistic(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("lr: %w", err)
			}
			out.Linear, results["lr"] = res.Best, res
		}
		return out, results, nil
	}
}
