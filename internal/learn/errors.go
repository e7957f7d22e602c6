package learn

import (
	"errors"
	"fmt"
)

// Errors about training data, shared by every learner and by tuning. The
// validators wrap them with the row, column or count at fault, and the
// learners wrap that with their name, so errors.Is matches them whatever
// the learner.
var (
	// ErrNoRows reports a matrix that is nil or has no rows.
	ErrNoRows = errors.New("no rows")
	// ErrShape reports a matrix without columns, a matrix whose storage
	// does not hold Rows×Cols values, or labels (or weights, or
	// validation data) whose length disagrees with the matrix.
	ErrShape = errors.New("shape mismatch")
	// ErrLabel reports a label that is not exactly 0 or 1, NaN and ±Inf
	// included.
	ErrLabel = errors.New("label not 0 or 1")
	// ErrOneClass reports training labels that are all the same.
	ErrOneClass = errors.New("only one class")
	// ErrInfinite reports a ±Inf feature value; NaN is allowed and means
	// missing.
	ErrInfinite = errors.New("infinite feature value")
	// ErrConfig is matched (errors.Is) by every *ConfigError.
	ErrConfig = errors.New("invalid config")
)

var errClassWeight = fmt.Errorf("must be %q or %q", Unweighted, Balanced)

// ConfigError reports an invalid field of a learner's Config.
type ConfigError struct {
	// Learner is the package name of the learner, such as "gbdt".
	Learner string
	// Field is the name of the Config field.
	Field string
	// Value is the offending value.
	Value any
	// Err says what is wrong with it.
	Err error
}

// Error implements error: "gbdt: config Rounds = 0: must be at least 1".
func (e *ConfigError) Error() string {
	return fmt.Sprintf("%s: config %s = %v: %v", e.Learner, e.Field, e.Value, e.Err)
}

// Unwrap returns ErrConfig and the reason, so errors.Is matches both.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }
