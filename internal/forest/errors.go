package forest

import (
	"errors"
	"fmt"
)

// Errors returned by Fit, wrapped with context.
var (
	// ErrConfig is matched (errors.Is) by every ConfigError.
	ErrConfig = errors.New("forest: invalid config")
	// ErrNoRows is returned for a training matrix without rows.
	ErrNoRows = errors.New("forest: no rows")
	// ErrShape is returned when the labels, the matrix storage and the
	// matrix dimensions disagree, or the matrix has no columns.
	ErrShape = errors.New("forest: shape mismatch")
	// ErrLabel is returned for a label that is not exactly 0 or 1,
	// NaN and ±Inf included.
	ErrLabel = errors.New("forest: label not 0 or 1")
	// ErrOneClass is returned when every label is the same.
	ErrOneClass = errors.New("forest: only one class")
	// ErrInfinite is returned for a ±Inf feature value; NaN means missing
	// and is allowed.
	ErrInfinite = errors.New("forest: infinite feature value")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	// Field is the name of the Config field.
	Field string
	// Value is the offending value.
	Value any
	// Err says what is wrong with it.
	Err error
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("forest: config %s = %v: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns ErrConfig and the reason, so errors.Is matches both.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }
