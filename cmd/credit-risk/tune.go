package main

import (
	"context"
	"flag"
	"log/slog"

	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/train"
)

// tuneFlags are the tuning budget flags shared by retrain and tune.
type tuneFlags struct {
	trials  *int
	seconds *float64
}

func bindTuneFlags(fs *flag.FlagSet) *tuneFlags {
	return &tuneFlags{
		trials:  fs.Int("tune-trials", -1, "tuning trials per learner (0: no tuning, -1: the default budget)"),
		seconds: fs.Float64("tune-seconds", 0, "tuning time budget per learner in seconds (0: the default)"),
	}
}

// tuner returns the retrain tuning hook, nil when tuning is off.
func (t *tuneFlags) tuner(threads int, logger *slog.Logger) retrain.Tuner {
	if *t.trials == 0 {
		return nil
	}
	return func(ctx context.Context, d *train.Data, algos []string) (train.Options, map[string]any, error) {
		return train.Options{}, nil, nil
	}
}
