package retrain

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/train"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// TuneOptions configure the tuner NewTuner builds.
type TuneOptions struct {
	// Trials is the number of configurations tried per learner; 0 means
	// the learner's default budget (learners.Learner.DefaultTrials).
	Trials int
	// Seconds is an optional time budget per learner; 0 means none: every
	// configuration runs, and the run is reproducible.
	Seconds float64
	// Threads: 0 means every core.
	Threads int
	Logger  *slog.Logger
}

// NewTuner returns the Tuner that tunes each learner of the learner table
// (internal/learners) by cross-validation inside the training period
// (time-ordered folds when the data has dates), starting from the same
// defaults train uses, so the result is never worse than them on CV.
// Progress goes to the run's display: a line when a learner starts and
// ends, and trial lines paced as trialReporter does.
func NewTuner(o TuneOptions) Tuner {
	return func(ctx context.Context, d *train.Data, algos []learn.Algorithm, progress Progressf) (train.Options, map[string]any, error) {
		rep := &trialReporter{progress: progress, every: tuneProgressEvery, now: time.Now}
		opts := tune.Options{
			Budget:      tune.Budget{Trials: o.Trials, Seconds: o.Seconds},
			TimeOrdered: d.Meta.DateColumn != "",
			Seed:        1,
			Threads:     o.Threads,
			Logger:      o.Logger,
			Progress:    rep.trial,
		}
		X, y := d.Train.X, d.Train.Y
		folds := "stratified"
		if opts.TimeOrdered {
			folds = "time-ordered"
		}
		budget := "no time budget"
		if opts.Budget.Seconds > 0 {
			budget = fmt.Sprintf("time budget %.0fs", opts.Budget.Seconds)
		}
		out := train.Options{Configs: map[learn.Algorithm]any{}}
		results := map[string]any{}
		schema, err := d.Schema()
		if err != nil {
			return out, nil, err
		}
		for _, l := range learners.All() {
			if !slices.Contains(algos, l.Name) {
				continue
			}
			trials := opts.Budget.Trials
			if trials == 0 {
				trials = l.DefaultTrials
			}
			progress("      tuning %s on %d rows × %d features: %d configurations, %d %s folds, %s",
				l.Name, X.Rows, X.Cols, trials, tune.DefaultFolds, folds, budget)
			rep.last = rep.now()
			res, err := l.Tune(ctx, X, y, nil, schema, opts)
			if err != nil {
				return out, nil, fmt.Errorf("%s: %w", l.Name, err)
			}
			if res.BestID == 0 {
				progress("      tuned %s in %.1fs: %d trials; on rung %d/%d the default scored best, CV AUC %.4f",
					l.Name, res.Seconds, res.Trials, res.Rung+1, res.Rungs, res.DefaultAUC)
			} else {
				progress("      tuned %s in %.1fs: %d trials; on rung %d/%d configuration %d scored CV AUC %.4f against %.4f for the default",
					l.Name, res.Seconds, res.Trials, res.Rung+1, res.Rungs, res.BestID, res.BestAUC, res.DefaultAUC)
			}
			out.Configs[l.Name], results[string(l.Name)] = res.Best, res.Result
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
	progress Progressf
	every    time.Duration
	now      func() time.Time
	// last is when the previous line was printed.
	last time.Time
	// The rung under way: its learner, number, last trial seen, and the
	// learner's elapsed seconds when it started (the previous rung's end).
	learner         string
	rung, lastTrial int
	rungStart       float64
	prevElapsed     float64
}

// trial is the tune.Options.Progress hook.
func (r *trialReporter) trial(p tune.Progress) {
	switch {
	case p.Learner != r.learner:
		r.learner, r.rungStart = p.Learner, 0
	case p.Rung != r.rung || p.Trial <= r.lastTrial:
		r.rungStart = r.prevElapsed // a new rung starts where the last one ended
	}
	r.rung, r.lastTrial, r.prevElapsed = p.Rung, p.Trial, p.Elapsed
	now := r.now()
	if p.Trial < p.RungTrials && now.Sub(r.last) < r.every {
		return
	}
	r.last = now
	budget := ""
	if p.Budget > 0 {
		budget = fmt.Sprintf(" of %.0fs", p.Budget)
	}
	// The rate of the rung's trials and when the rung will be done at it
	// (later rungs fit more rows: each has its own rate).
	rate := ""
	if secs := p.Elapsed - r.rungStart; secs > 0 && p.Trial < p.RungTrials {
		perSec := float64(p.Trial) / secs
		rate = fmt.Sprintf("; %.2g trials/s, rung done in ~%.0fs", perSec, float64(p.RungTrials-p.Trial)/perSec)
	}
	r.progress("      tune %s: rung %d/%d, trial %d of %d, best CV AUC %.4f so far (configuration %d), %.1fs%s%s",
		p.Learner, p.Rung+1, p.Rungs, p.Trial, p.RungTrials, p.BestAUC, p.BestID, p.Elapsed, budget, rate)
}
