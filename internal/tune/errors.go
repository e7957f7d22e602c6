package tune

import (
	"errors"
	"fmt"
)

// Errors returned by the search functions and the fold constructors,
// wrapped with context. Bad data is reported with package learn's errors
// (ErrNoRows, ErrShape, ErrLabel, ErrOneClass, ErrInfinite).
var (
	// ErrOptions is matched (errors.Is) by every OptionsError.
	ErrOptions = errors.New("tune: invalid options")
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
