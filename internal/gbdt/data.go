package gbdt

import (
	"errors"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Errors about training or validation data. Fit wraps them with context.
var (
	// ErrNoRows: the matrix is nil or has no rows or no columns, or every
	// weight is zero.
	ErrNoRows = errors.New("gbdt: no rows")
	// ErrShape: labels, weights, matrix or Monotone disagree in length, or
	// validation data has a different number of columns.
	ErrShape = errors.New("gbdt: mismatched lengths")
	// ErrLabel: a label is not 0 or 1 (NaN and ±Inf included).
	ErrLabel = errors.New("gbdt: label not 0 or 1")
	// ErrOneClass: every weighted training label is the same.
	ErrOneClass = errors.New("gbdt: only one class")
	// ErrWeight: a weight is negative, NaN or ±Inf.
	ErrWeight = errors.New("gbdt: invalid weight")
	// ErrInfinite: a feature value is ±Inf (NaN is allowed and means
	// missing).
	ErrInfinite = errors.New("gbdt: infinite feature value")
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

// check validates d and returns its weighted positive and total weight.
func (d *Data) check() (pos, total float64, err error) {
	if d.X == nil || d.X.Rows == 0 || d.X.Cols == 0 {
		return 0, 0, ErrNoRows
	}
	if len(d.X.Data) != d.X.Rows*d.X.Cols {
		return 0, 0, fmt.Errorf("%w: %d×%d matrix holds %d values", ErrShape, d.X.Rows, d.X.Cols, len(d.X.Data))
	}
	if len(d.Y) != d.X.Rows {
		return 0, 0, fmt.Errorf("%w: %d labels for %d rows", ErrShape, len(d.Y), d.X.Rows)
	}
	if d.Weight != nil && len(d.Weight) != d.X.Rows {
		return 0, 0, fmt.Errorf("%w: %d weights for %d rows", ErrShape, len(d.Weight), d.X.Rows)
	}
	for i, y := range d.Y {
		if y != 0 && y != 1 {
			return 0, 0, fmt.Errorf("%w: row %d has label %v", ErrLabel, i, y)
		}
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
		return 0, 0, fmt.Errorf("%w: every weight is zero", ErrNoRows)
	}
	for k, v := range d.X.Data {
		if math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("%w: row %d, column %d is %v", ErrInfinite, k/d.X.Cols, k%d.X.Cols, v)
		}
	}
	return pos, total, nil
}
