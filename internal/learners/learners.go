package learners

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/tree"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// Learner is one row of the table. Configurations travel as any holding a
// value of the learner package's Config type (gbdt.Config for GBDT); a
// function given a configuration of another type returns an error
// wrapping learn.ErrConfig.
type Learner struct {
	// Name is the learner's name.
	Name learn.Algorithm
	// Title says what the learner is, for help texts.
	Title string
	// Default returns the configuration train and retrain fit when no
	// tuned one is given, for features with the given monotone
	// constraints (nil means none).
	Default func(monotone []int8) any
	// Package returns the learner package's DefaultConfig, the defaults
	// bench compares with the reference implementations.
	Package func() any
	// Fit fits cfg (nil means Default(schema.Monotone)) on fit with
	// threads goroutines (0 means every core). valid, when its X is not
	// nil, is the held-out slice a learner may stop early on (GBDT's
	// Default does, so it needs valid); schema.Monotone constrains the
	// learners that support it, replacing the configuration's, as train
	// does.
	Fit func(ctx context.Context, cfg any, fit, valid Set, schema Schema, threads int) (*Fitted, error)
	// DefaultTrials is the number of configurations tuning starts with
	// when its budget does not say (tune.Budget.Trials 0).
	DefaultTrials int
	// Tune searches the learner's tuning space by cross-validation on the
	// rows of X and the labels y, starting from base (nil means
	// Default(schema.Monotone)); see package tune. A new learner describes
	// its space as a tune.Space and runs it with tune.Search.
	Tune func(ctx context.Context, X *matrix.Dense, y []float64, base any, schema Schema, opts tune.Options) (*Tuning, error)
}

// Set is a labelled feature matrix.
type Set struct {
	X *matrix.Dense
	Y []float64
}

// Schema describes the columns of the matrices a learner fits on. The zero
// value describes plain numeric columns without constraints.
type Schema struct {
	// Monotone are the per-column monotone constraints; nil means none.
	Monotone []int8
	// Pipeline is the feature pipeline that made the columns, nil when they
	// come from elsewhere (bench's numeric files). The scorecard reads its
	// characteristics back through it; without it every column is a
	// numeric characteristic.
	Pipeline *features.Pipeline
	// Scaling is the scorecard's points scaling (the spec's scorecard
	// keys); the zero value means scorecard.DefaultScaling.
	Scaling scorecard.Scaling
	// Cleared names the characteristics above the leakage band the
	// scorecard may use (the spec's scorecard.cleared).
	Cleared []string
}

// SchemaOf returns the schema of the columns p makes, with the points
// scaling of the scorecard and the characteristics cleared of leakage.
func SchemaOf(p *features.Pipeline, scaling scorecard.Scaling, cleared []string) Schema {
	return Schema{Monotone: p.Monotone(), Pipeline: p, Scaling: scaling, Cleared: cleared}
}

// Fitted is a fitted model as the model file holds it, with what train
// records about the fit.
type Fitted struct {
	// Exactly one of Ensemble (gbdt, rf), Linear (lr) and Scorecard
	// (scorecard) is set.
	Ensemble  *tree.Ensemble
	Linear    *linear.Model
	Scorecard *scorecard.Scorecard
	// Params are the fit's parameters by their XGBoost or scikit-learn
	// names, recorded in the model metadata and the registry.
	Params map[string]any
	// Warning reports a problem that did not stop the fit, such as an
	// optimiser stopping at its iteration limit (logreg.ErrNotConverged);
	// nil when there was none.
	Warning error
}

// Predictor returns the fitted model as a learn.Predictor.
func (f *Fitted) Predictor() learn.Predictor {
	switch {
	case f.Ensemble != nil:
		return f.Ensemble
	case f.Scorecard != nil:
		return scorecardPredictor{f.Scorecard}
	}
	return f.Linear
}

// scorecardPredictor is a scorecard as a learn.Predictor: the probability
// of default read from the integer score, before calibration.
type scorecardPredictor struct{ s *scorecard.Scorecard }

// PredictProbaInto implements learn.Predictor.
func (p scorecardPredictor) PredictProbaInto(dst []float64, X *matrix.Dense) {
	if len(dst) != X.Rows {
		panic(fmt.Sprintf("learners: %d outputs for %d rows", len(dst), X.Rows))
	}
	for i := range dst {
		dst[i] = p.s.Scaling.PD(float64(p.s.Score(X.Row(i))))
	}
}

// PredictInto sets dst[i] to the probability of class 1 for row i of X,
// with up to threads goroutines for an ensemble (0 means every core).
func (f *Fitted) PredictInto(dst []float64, X *matrix.Dense, threads int) {
	if f.Ensemble != nil {
		f.Ensemble.PredictInto(dst, X, threads)
		return
	}
	f.Predictor().PredictProbaInto(dst, X)
}

// Tuning is the outcome of tuning one learner.
type Tuning struct {
	// Best is the configuration to train with, of the learner's Config
	// type.
	Best any
	// Result is the search's *tune.Result, JSON-ready.
	Result any
	// Summary of Result: the number of trials and rungs, the deciding
	// rung, the best configuration's ID and mean CV AUC, the default's
	// mean CV AUC and the search's seconds.
	Trials, Rungs, Rung, BestID  int
	BestAUC, DefaultAUC, Seconds float64
}

// All returns the table, in the order train fits the learners by default.
func All() []Learner { return slices.Clone(table) }

// Names returns the learners' names, in table order.
func Names() []learn.Algorithm {
	out := make([]learn.Algorithm, len(table))
	for i, l := range table {
		out[i] = l.Name
	}
	return out
}

// List returns the learners' names joined by sep, such as "gbdt, rf, lr".
func List(sep string) string {
	names := make([]string, len(table))
	for i, l := range table {
		names[i] = string(l.Name)
	}
	return strings.Join(names, sep)
}

// Lookup returns the row of the learner name, or an error naming the valid
// names.
func Lookup(name learn.Algorithm) (Learner, error) {
	for _, l := range table {
		if l.Name == name {
			return l, nil
		}
	}
	return Learner{}, fmt.Errorf("unknown learner %q; valid names: %s", name, List(", "))
}

// Parse reads a comma-separated list of learner names, such as the
// --algorithms flag's value. Names are trimmed and lowercased; an unknown,
// repeated or empty name is an error that lists the valid names.
func Parse(list string) ([]learn.Algorithm, error) {
	if strings.TrimSpace(list) == "" {
		return nil, fmt.Errorf("no learner given; valid names: %s", List(", "))
	}
	var out []learn.Algorithm
	for _, f := range strings.Split(list, ",") {
		name := learn.Algorithm(strings.ToLower(strings.TrimSpace(f)))
		if name == "" {
			return nil, fmt.Errorf("empty learner name in %q; valid names: %s", list, List(", "))
		}
		if _, err := Lookup(name); err != nil {
			return nil, fmt.Errorf("unknown learner %q; valid names: %s", strings.TrimSpace(f), List(", "))
		}
		if slices.Contains(out, name) {
			return nil, fmt.Errorf("learner %q given twice", name)
		}
		out = append(out, name)
	}
	return out, nil
}

// config returns cfg as a C, or def when cfg is nil.
func config[C any](name learn.Algorithm, cfg any, def func() C) (C, error) {
	switch c := cfg.(type) {
	case nil:
		return def(), nil
	case C:
		return c, nil
	case *C:
		if c != nil {
			return *c, nil
		}
		return def(), nil
	}
	var zero C
	return zero, fmt.Errorf("%s: %w: configuration of type %T; want %T", name, learn.ErrConfig, cfg, zero)
}

// tuning summarises the result of a search.
func tuning[C any](res *tune.Result[C]) *Tuning {
	return &Tuning{
		Best: *res.Best, Result: res,
		Trials: len(res.Trials), Rungs: len(res.Rungs), Rung: res.Rung, BestID: res.BestID,
		BestAUC: res.BestAUC, DefaultAUC: res.DefaultAUC, Seconds: res.Seconds,
	}
}
