package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"slices"
	"time"

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
// Progress goes to the run's display: a line when a learner starts and
// ends, and trial lines as trialReporter paces them.
func (t *tuneFlags) tuner(threads int, logger *slog.Logger) retrain.Tuner {
	if *t.trials == 0 {
		return nil
	}
	return func(ctx context.Context, d *train.Data, algos []string, progress retrain.Progressf) (train.Options, map[string]any, error) {
		rep := &trialReporter{progress: progress, every: tuneProgressEvery, now: time.Now}
		opts := tune.Options{
			Budget:      tune.Budget{Trials: max(*t.trials, 0), Seconds: *t.seconds},
			TimeOrdered: d.Meta.DateColumn != "",
			Seed:        1,
			Threads:     threads,
			Logger:      logger,
			Progress:    rep.trial,
		}
		X, y := d.Train.X, d.Train.Y
		start := func(algo string, defaultTrials int) {
			trials := opts.Budget.Trials
			if trials == 0 {
				trials = defaultTrials
			}
			folds := "stratified"
			if opts.TimeOrdered {
				folds = "time-ordered"
			}
			budget := opts.Budget.Seconds
			if budget == 0 {
				budget = tune.DefaultSeconds
			}
			progress("      tuning %s on %d rows × %d features: %d configurations, %d %s folds, budget %.0fs",
				algo, X.Rows, X.Cols, trials, tune.DefaultFolds, folds, budget)
			rep.last = rep.now()
		}
		done := func(algo string, trials, rung, rungs, bestID int, best, def, secs float64) {
			if bestID == 0 {
				progress("      tuned %s in %.1fs: %d trials; on rung %d/%d the default scored best, CV AUC %.4f",
					algo, secs, trials, rung+1, rungs, def)
				return
			}
			progress("      tuned %s in %.1fs: %d trials; on rung %d/%d configuration %d scored CV AUC %.4f against %.4f for the default",
				algo, secs, trials, rung+1, rungs, bestID, best, def)
		}
		var out train.Options
		results := map[string]any{}
		if slices.Contains(algos, "gbdt") {
			def := train.DefaultGBDT(d.Pipeline.Monotone())
			start("gbdt", tune.DefaultGBDTTrials)
			res, err := tune.GBDT(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("gbdt: %w", err)
			}
			done("gbdt", len(res.Trials), res.Rung, len(res.Rungs), res.BestID, res.BestAUC, res.DefaultAUC, res.Seconds)
			out.GBDT, results["gbdt"] = res.Best, res
		}
		if slices.Contains(algos, "rf") {
			def := train.DefaultForest()
			start("rf", tune.DefaultForestTrials)
			res, err := tune.Forest(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("rf: %w", err)
			}
			done("rf", len(res.Trials), res.Rung, len(res.Rungs), res.BestID, res.BestAUC, res.DefaultAUC, res.Seconds)
			out.Forest, results["rf"] = res.Best, res
		}
		if slices.Contains(algos, "lr") {
			def := train.DefaultLogistic()
			start("lr", tune.DefaultLogisticTrials)
			res, err := tune.Logistic(ctx, X, y, &def, opts)
			if err != nil {
				return out, nil, fmt.Errorf("lr: %w", err)
			}
			done("lr", len(res.Trials), res.Rung, len(res.Rungs), res.BestID, res.BestAUC, res.DefaultAUC, res.Seconds)
			out.Linear, results["lr"] = res.Best, res
		}
		return out, results, nil
	}
}

// tuneProgressEvery is the pace of the tuning progress lines: a trial
// ending this long after the last line gets one.
const tuneProgressEvery = 2 * time.Second

// trialReporter turns tune.Progress calls into progress lines: one for
// the last trial of every rung, and one for any trial that ends at least
// every after the previous line, so a search shows a line every few
// seconds (or every trial, when trials are slower) without a line per
// quick trial.
type trialReporter struct {
	progress retrain.Progressf
	every    time.Duration
	now      func() time.Time
	// last is when the previous line was printed.
	last time.Time
}

// trial is the tune.Options.Progress hook.
func (r *trialReporter) trial(p tune.Progress) {
	now := r.now()
	if p.Trial < p.RungTrials && now.Sub(r.last) < r.every {
		return
	}
	r.last = now
	r.progress("      tune %s: rung %d/%d, trial %d of %d, best CV AUC %.4f so far (configuration %d), %.1fs of %.0fs",
		p.Learner, p.Rung+1, p.Rungs, p.Trial, p.RungTrials, p.BestAUC, p.BestID, p.Elapsed, p.Budget)
}
