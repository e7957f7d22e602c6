package gbdt

import (
	"errors"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Errors about training or validation data besides the shared ones of
// package learn (learn.ErrNoRows, ErrShape, ErrLabel, ErrOneClass and
// ErrInfinite). Fit wraps them with context.
var (
	// ErrWeight: a weight is negative, NaN or ±Inf.
	ErrWeight = errors.New("gbdt: invalid weight")
	// ErrNoValidation: early stopping was asked for without validation data.
	ErrNoValidation = errors.New("gbdt: early stopping needs validation data")
)

// Data is a labelled feature matrix.
type Data struct {
	// X holds one row per example; NaN means missing.
	X *matrix.Dense
	// Y holds the labels, 0 or 1 (1 = default).
	Y []float64
	// Weight holds non-negative row weights; nil means every weight is 1.
	Weight []float64
}

// check validates d with package learn's validator (labels of one class
// are allowed here; Fit checks the weighted classes of the training data)
// and returns its weighted positive and total weight. Every weight must be
// finite and not negative, and not all zero (learn.ErrNoRows).
func (d *Data) check() (pos, total float64, err error) {
	if err := learn.CheckShape(d.X, len(d.Y)); err != nil {
		return 0, 0, err
	}
	if d.Weight != nil && len(d.Weight) != d.X.Rows {
		return 0, 0, fmt.Errorf("%w: %d weights for %d rows", learn.ErrShape, len(d.Weight), d.X.Rows)
	}
	if _, err := learn.CheckLabels(d.Y); err != nil {
		return 0, 0, err
	}
	for i, y := range d.Y {
		w := 1.0
		if d.Weight != nil {
			w = d.Weight[i]
			if !(w >= 0) || math.IsInf(w, 0) {
				return 0, 0, fmt.Errorf("%w: row %d has weight %v", ErrWeight, i, w)
			}
		}
		pos += w * y
		total += w
	}
	if total == 0 {
		return 0, 0, fmt.Errorf("%w: every weight is zero", learn.ErrNoRows)
	}
	return pos, total, learn.CheckFinite(d.X)
}
