package tune

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
)

// Defaults of Options and Budget, used for zero fields.
const (
	// DefaultFolds is the number of cross-validation folds.
	DefaultFolds = 3
	// DefaultMaxRows caps the training rows of one fit; larger folds are
	// subsampled. It keeps a search on a million rows about as costly as
	// one on the 34,000 rows of Lending Club 2007-2011, which it leaves
	// whole.
	DefaultMaxRows = 30_000
	// Eta is the successive-halving reduction factor: each rung keeps the
	// best 1/Eta of the configurations of the rung below, and a rung below
	// the top two fits on 1/Eta of the rows of the rung above.
	Eta = 3
	// MaxRungs is the largest number of rungs of a search.
	MaxRungs = 3
	// MinRows is the fewest training rows a subsampled fit uses (all of
	// the fold's training rows when it has fewer).
	MinRows = 1000
)

// Budget bounds one search. Both limits apply; a zero field takes the
// documented default.
type Budget struct {
	// Trials is the number of configurations the search starts with, the
	// learner's default configuration included. Successive halving
	// evaluates all of them on the cheapest rung and fewer on each rung
	// above. Zero means the learner's default (DefaultGBDTTrials,
	// DefaultForestTrials or DefaultLogisticTrials); 1 only
	// cross-validates the default configuration.
	Trials int `json:"trials"`
	// Seconds is an optional wall-clock budget; zero means none, and the
	// search runs all its Trials: the same data, options and seed then
	// give the same result on any machine under any load. With a budget,
	// the search starts no trial that it expects to end after the budget,
	// and then decides with what it has; a running trial is finished, and
	// the first trial always runs (see the package comment). When the
	// first trial shows that the planned configurations would not fit,
	// the search starts with fewer of them (the rungs stay the same), so
	// that the survivors can still reach the top rung. When the budget
	// binds, the result depends on the speed of the machine: see
	// Result.Reproducible.
	Seconds float64 `json:"seconds"`
}

// Options configure a search.
type Options struct {
	// Budget bounds the search.
	Budget Budget
	// Folds is the number of cross-validation folds, at least 2. Default
	// 0, meaning DefaultFolds.
	Folds int
	// TimeOrdered says that the rows are in time order, oldest first: the
	// folds are then expanding windows (TimeFolds) that never validate on
	// the past. Otherwise they are stratified (StratifiedFolds).
	TimeOrdered bool
	// MaxRows caps the training rows of every fit, and twice MaxRows the
	// validation rows of a fold; larger parts are subsampled at random,
	// once per fold and size. Default 0, meaning DefaultMaxRows; negative
	// means no cap. On large data a higher cap tunes on more rows at the
	// cost of fewer configurations within the time budget.
	MaxRows int
	// Seed seeds the configuration draws, the stratified folds and the
	// row subsamples. The learners keep the seeds of their configurations.
	// Default 0.
	Seed uint64
	// Threads is the number of goroutines each fit uses. Default 0,
	// meaning runtime.GOMAXPROCS(0).
	Threads int
	// Logger receives a line per trial (Debug) and per rung (Info); nil
	// discards them.
	Logger *slog.Logger
	// Progress, when set, is called after every trial, on the goroutine
	// running the search, for a progress display. It must not block for
	// long: the search waits for it.
	Progress func(Progress)
}

// withDefaults validates o and fills in the defaults of its zero fields;
// trials is the learner's default number of configurations.
func (o Options) withDefaults(trials int) (Options, error) {
	bad := func(field string, value any, reason string) error {
		return &OptionsError{Field: field, Value: value, Err: errors.New(reason)}
	}
	switch {
	case o.Budget.Trials < 0:
		return o, bad("Budget.Trials", o.Budget.Trials, "must not be negative")
	case math.IsNaN(o.Budget.Seconds) || o.Budget.Seconds < 0 || math.IsInf(o.Budget.Seconds, 0):
		return o, bad("Budget.Seconds", o.Budget.Seconds, "must be finite and not negative")
	case o.Folds < 0 || o.Folds == 1:
		return o, bad("Folds", o.Folds, "must be 0 (the default) or at least 2")
	case o.Threads < 0:
		return o, bad("Threads", o.Threads, "must not be negative")
	}
	if o.Budget.Trials == 0 {
		o.Budget.Trials = trials
	}
	if o.Folds == 0 {
		o.Folds = DefaultFolds
	}
	switch {
	case o.MaxRows == 0:
		o.MaxRows = DefaultMaxRows
	case o.MaxRows < 0:
		o.MaxRows = math.MaxInt
	case o.MaxRows < MinRows:
		return o, bad("MaxRows", o.MaxRows, fmt.Sprintf("must be 0, negative or at least MinRows (%d)", MinRows))
	}
	if o.Threads == 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}
