package logreg

import (
	"errors"
	"fmt"
)

// Sentinel errors. Fit wraps them with the offending row or column.
var (
	// ErrNoRows reports a training matrix without rows.
	ErrNoRows = errors.New("logreg: no rows")
	// ErrShape reports labels that do not match the matrix rows, or a
	// matrix whose data length is not Rows×Cols.
	ErrShape = errors.New("logreg: shape mismatch")
	// ErrLabel reports a label that is not 0 or 1 (NaN and ±Inf included).
	ErrLabel = errors.New("logreg: label is not 0 or 1")
	// ErrOneClass reports training labels of only one class.
	ErrOneClass = errors.New("logreg: only one class in the labels")
	// ErrInfinite reports an infinite feature value. NaN is allowed: it
	// means missing.
	ErrInfinite = errors.New("logreg: infinite feature value")
	// ErrNotConverged reports that the optimiser stopped at Config.MaxIter
	// before meeting Config.Tol. Fit returns the model reached so far with
	// it.
	ErrNotConverged = errors.New("logreg: optimiser did not converge")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	Field string
	Value any
	Err   error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("logreg: config %s = %v: %v", e.Field, e.Value, e.Err)
}

func (e *ConfigError) Unwrap() error { return e.Err }
