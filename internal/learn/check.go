package learn

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Check validates a training matrix and its labels: CheckShape, then
// CheckClasses, then CheckFinite. It returns the number of labels that
// are 1.
func Check(X *matrix.Dense, y []float64) (pos int, err error) {
	if err := CheckShape(X, len(y)); err != nil {
		return 0, err
	}
	if pos, err = CheckClasses(y); err != nil {
		return 0, err
	}
	return pos, CheckFinite(X)
}

// CheckShape returns an error wrapping ErrNoRows when X is nil or has no
// rows, and one wrapping ErrShape when X has no columns, its storage does
// not hold Rows×Cols values, or there are not exactly X.Rows labels.
func CheckShape(X *matrix.Dense, labels int) error {
	switch {
	case X == nil || X.Rows <= 0:
		return ErrNoRows
	case X.Cols <= 0:
		return fmt.Errorf("%w: matrix has %d columns", ErrShape, X.Cols)
	case len(X.Data) != X.Rows*X.Cols:
		return fmt.Errorf("%w: %d×%d matrix holds %d values", ErrShape, X.Rows, X.Cols, len(X.Data))
	case labels != X.Rows:
		return fmt.Errorf("%w: %d labels for %d rows", ErrShape, labels, X.Rows)
	}
	return nil
}

// CheckLabels returns an error wrapping ErrLabel, naming the first row at
// fault, unless every label is exactly 0 or 1. It returns the number of
// labels that are 1.
func CheckLabels(y []float64) (pos int, err error) {
	for i, v := range y {
		switch v {
		case 0:
		case 1:
			pos++
		default:
			return 0, fmt.Errorf("%w: row %d has label %v", ErrLabel, i, v)
		}
	}
	return pos, nil
}

// CheckClasses is CheckLabels followed by a check that both classes occur:
// otherwise it returns an error wrapping ErrOneClass.
func CheckClasses(y []float64) (pos int, err error) {
	if pos, err = CheckLabels(y); err != nil {
		return 0, err
	}
	if err := OneClass(len(y), pos); err != nil {
		return 0, err
	}
	return pos, nil
}

// OneClass returns an error wrapping ErrOneClass when n labels of which pos
// are 1 hold only one class (or none: n = 0), and nil otherwise.
func OneClass(n, pos int) error {
	if pos == 0 || pos == n {
		return fmt.Errorf("%w: %d of %d labels are 1", ErrOneClass, pos, n)
	}
	return nil
}

// CheckFinite returns an error wrapping ErrInfinite, naming the first row
// and column at fault, when a value of X is ±Inf. NaN is allowed: it means
// missing.
func CheckFinite(X *matrix.Dense) error {
	for k, v := range X.Data {
		if math.IsInf(v, 0) {
			return fmt.Errorf("%w: row %d, column %d is %v", ErrInfinite, k/X.Cols, k%X.Cols, v)
		}
	}
	return nil
}
