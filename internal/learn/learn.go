package learn

import (
	"context"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Algorithm names a learner, as in the --algorithms flag, model file names
// (gbdt_v3.model) and the registry.
type Algorithm string

// The learners. Package learners holds their table, in this order.
const (
	// GBDT is histogram gradient-boosted trees (package gbdt).
	GBDT Algorithm = "gbdt"
	// Forest is a random forest (package forest).
	Forest Algorithm = "rf"
	// Logistic is L2-regularised logistic regression (package logreg,
	// fitted model in package linear).
	Logistic Algorithm = "lr"
	// Scorecard is a points scorecard: logistic regression on the weight
	// of evidence of binned characteristics (package scorecard/fit, fitted
	// model in package scorecard).
	Scorecard Algorithm = "scorecard"
)

// Predictor is a fitted binary classifier.
type Predictor interface {
	// PredictProbaInto sets dst[i] to the probability of class 1 for row
	// i of X. It panics when len(dst) != X.Rows or X has a different
	// number of columns than the training data.
	PredictProbaInto(dst []float64, X *matrix.Dense)
}

// FitFunc is the signature of a learner's Fit: it fits cfg on the rows of
// X and the binary labels y and returns the fitted model M.
type FitFunc[C any, M Predictor] func(ctx context.Context, X *matrix.Dense, y []float64, cfg C) (M, error)

// ClassWeight names how the two classes are weighted.
type ClassWeight string

// The class weightings.
const (
	// Unweighted gives every row weight 1 (scikit-learn's
	// class_weight=None).
	Unweighted ClassWeight = ""
	// Balanced weights class c by n/(2·n_c), where n_c is the number of
	// training rows of class c, so both classes carry the same total
	// weight (scikit-learn's class_weight="balanced").
	Balanced ClassWeight = "balanced"
)

// Validate returns an error unless w is Unweighted or Balanced.
func (w ClassWeight) Validate() error {
	if w != Unweighted && w != Balanced {
		return errClassWeight
	}
	return nil
}

// Weights returns the weight of class 0 and of class 1 under w for n rows
// of which pos are of class 1; both are 1 when w is Unweighted.
func (w ClassWeight) Weights(n, pos int) [2]float64 {
	if w != Balanced {
		return [2]float64{1, 1}
	}
	total := float64(n)
	return [2]float64{total / (2 * float64(n-pos)), total / (2 * float64(pos))}
}
