package tune

import (
	"context"
	"errors"
	"math/rand/v2"

	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// DefaultLogisticTrials is the default Budget.Trials of Logistic: its
// space has one dimension.
const DefaultLogisticTrials = 9

// Logistic tunes the L2-regularised logistic regression of package logreg
// for the rows of X and the binary labels y (1 = default) by successive
// halving, scoring each configuration by its mean cross-validated ROC-AUC;
// see the package comment for the search space. base is the default
// configuration, evaluated as trial 0, and every sampled configuration is
// a copy of it with C replaced (so ClassWeight, MaxIter and Tol carry
// over); nil means the zero logreg.Config (C = 1, unweighted). Fits use
// opts.Threads, not base.Workers. A fit that stops at MaxIter before
// converging is scored as it is.
//
// Errors are as for GBDT, with the base's *learn.ConfigError wrapped
// with the fold.
func Logistic(ctx context.Context, X *matrix.Dense, y []float64, base *logreg.Config, opts Options) (*Result[logreg.Config], error) {
	var cfg logreg.Config
	if base != nil {
		cfg = *base
	}
	return search(ctx, X, y, opts, Space[logreg.Config]{
		Name: "lr",
		Base: cfg,
		Sample: func(r *rand.Rand, c logreg.Config, _ int) logreg.Config {
			c.C = round3(logUniform(r, 1e-4, 100))
			return c
		},
		Params: func(c logreg.Config) map[string]any {
			C := c.C
			if C == 0 {
				C = logreg.DefaultC
			}
			return map[string]any{"C": C, "class_weight": c.ClassWeight}
		},
		Fit: fitLogistic,
	}, DefaultLogisticTrials)
}

// fitLogistic is the Space.Fit of Logistic. The resource share is not
// used.
func fitLogistic(ctx context.Context, c logreg.Config, _ float64, threads int, train, valid *Part, dst []float64) (int, error) {
	c.Workers = threads
	m, err := logreg.Fit(ctx, train.X, train.Y, c)
	if err != nil && !(m != nil && errors.Is(err, logreg.ErrNotConverged)) {
		return 0, err
	}
	m.MarginInto(dst, valid.X)
	return 0, nil
}
