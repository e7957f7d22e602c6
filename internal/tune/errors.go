package tune

import (
	"errors"
	"fmt"
)

// Errors returned by the search functions and the fold constructors,
// wrapped with context.
var (
	// ErrOptions is matched (errors.Is) by every OptionsError.
	ErrOptions = errors.New("tune: invalid options")
	// ErrNoRows is returned for a training matrix that is nil or has no
	// rows or no columns.
	ErrNoRows = errors.New("tune: no rows")
	// ErrShape is returned when the labels, the matrix storage and the
	// matrix dimensions disagree.
	ErrShape = errors.New("tune: shape mismatch")
	// ErrLabel is returned for a label that is not exactly 0 or 1, NaN
	// and ±Inf included.
	ErrLabel = errors.New("tune: label not 0 or 1")
	// ErrOneClass is returned when the labels, or the training or
	// validation part of a fold, hold only one class.
	ErrOneClass = errors.New("tune: only one class")
	// ErrTooFewRows is returned when there are fewer rows (or fewer rows
	// of a class, for stratified folds) than the folds need.
	ErrTooFewRows = errors.New("tune: too few rows for the folds")
)

// OptionsError reports an invalid Options or Budget field.
type OptionsError struct {
	// Field is the name of the field, such as "Budget.Seconds".
	Field string
	// Value is the offending value.
	Value any
	// Err says what is wrong with it.
	Err error
}

// Error implements error.
func (e *OptionsError) Error() string {
	return fmt.Sprintf("tune: options %s = %v: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns ErrOptions and the reason, so errors.Is matches both.
func (e *OptionsError) Unwrap() []error { return []error{ErrOptions, e.Err} }
