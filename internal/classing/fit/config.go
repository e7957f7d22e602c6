package fit

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// Defaults of Config.
const (
	// DefaultFineBins is the FineBins used when Config.FineBins is zero.
	DefaultFineBins = 20
	// MaxFineBins is the largest FineBins accepted.
	MaxFineBins = 10_000
	// DefaultMinShare is the MinShare used when Config.MinShare is zero.
	DefaultMinShare = 0.05
	// DefaultMinGoods is the MinGoods used when Config.MinGoods is zero.
	DefaultMinGoods = 1
	// DefaultMinBads is the MinBads used when Config.MinBads is zero.
	DefaultMinBads = 1
)

// Errors returned by the package. They are wrapped with the characteristic
// or Config field at fault.
var (
	// ErrConfig is matched (errors.Is) by every *ConfigError.
	ErrConfig = errors.New("fit: invalid config")
	// ErrShape reports a characteristic whose length differs from the
	// labels'.
	ErrShape = errors.New("fit: length mismatch")
	// ErrLabel reports a label that is not exactly 0 or 1.
	ErrLabel = errors.New("fit: label not 0 or 1")
	// ErrOneClass reports labels that are all good or all bad, for which
	// no weight of evidence exists.
	ErrOneClass = errors.New("fit: only one class")
	// ErrInfinite reports a ±Inf value; NaN is allowed and means missing.
	ErrInfinite = errors.New("fit: infinite value")
	// ErrCharacteristic reports a malformed Characteristic: no or a
	// duplicate name, an unknown kind, a level code out of range, a bad
	// special value or direction.
	ErrCharacteristic = errors.New("fit: invalid characteristic")
)

// ConfigError reports an invalid Config field.
type ConfigError struct {
	// Field is the name of the Config field.
	Field string
	// Value is the rejected value.
	Value any
	// Err says what is wrong with it.
	Err error
}

// Error implements error.
func (e *ConfigError) Error() string {
	return fmt.Sprintf("fit: invalid config: %s = %v: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns ErrConfig and the cause.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }

// Config controls fine and coarse classing. The zero value is ready to use
// and gives the documented defaults.
type Config struct {
	// FineBins is the largest number of fine bins of the ordinary values
	// of a numeric characteristic. Zero means DefaultFineBins (20);
	// otherwise it must lie in [2, MaxFineBins].
	FineBins int
	// MinShare is the smallest share of all rows (missing and special
	// values included) an ordinary or special bin must hold after coarse
	// classing. Zero means DefaultMinShare (0.05); a negative value sets no
	// minimum; otherwise it must be at most 1.
	MinShare float64
	// MinGoods is the smallest number of goods (label 0) an ordinary or
	// special bin must hold. Zero means DefaultMinGoods (1); a negative
	// value sets no minimum.
	MinGoods int
	// MinBads is the smallest number of bads (label 1) an ordinary or
	// special bin must hold. Zero means DefaultMinBads (1); a negative
	// value sets no minimum.
	MinBads int
	// Adjustment is added to the goods and bads of a bin with none of one
	// class before its WoE is taken. Zero means classing.DefaultAdjustment
	// (0.5); otherwise it must be positive and finite.
	Adjustment float64
	// FreeTrend lets a numeric characteristic without a direction
	// (Characteristic.Direction Auto) keep a bad rate that is not monotone
	// (peaked, U-shaped) when that fits better. Its free classing merges
	// the fine bins to the size rules, then the adjacent pair whose bad
	// rates differ least while the likelihood-ratio statistic of their
	// difference is below ln n (n rows); it replaces the better monotone
	// classing when its binned log-likelihood less ln n / 2 per bin (half
	// the Bayesian information criterion) is higher. The binning's
	// Direction is then the order its bad rates follow, or Auto for none.
	// Default false: every numeric characteristic is monotone.
	FreeTrend bool
	// Threads is the largest number of characteristics classed at once.
	// Zero means runtime.GOMAXPROCS(0); it must not be negative.
	Threads int
}

// withDefaults fills in the defaults and validates c.
func (c Config) withDefaults() (Config, error) {
	bad := func(field string, v any, msg string) (Config, error) {
		return c, &ConfigError{Field: field, Value: v, Err: errors.New(msg)}
	}
	if c.FineBins == 0 {
		c.FineBins = DefaultFineBins
	}
	if c.FineBins < 2 || c.FineBins > MaxFineBins {
		return bad("FineBins", c.FineBins, fmt.Sprintf("outside [2, %d]", MaxFineBins))
	}
	switch {
	case math.IsNaN(c.MinShare) || c.MinShare > 1:
		return bad("MinShare", c.MinShare, "want at most 1")
	case c.MinShare == 0:
		c.MinShare = DefaultMinShare
	case c.MinShare < 0:
		c.MinShare = 0
	}
	c.MinGoods = orDefault(c.MinGoods, DefaultMinGoods)
	c.MinBads = orDefault(c.MinBads, DefaultMinBads)
	if c.Adjustment == 0 {
		c.Adjustment = classing.DefaultAdjustment
	}
	if !(c.Adjustment > 0) || math.IsInf(c.Adjustment, 0) {
		return bad("Adjustment", c.Adjustment, "want a positive finite value")
	}
	if c.Threads < 0 {
		return bad("Threads", c.Threads, "negative")
	}
	if c.Threads == 0 {
		c.Threads = runtime.GOMAXPROCS(0)
	}
	return c, nil
}

// orDefault maps 0 to def and a negative minimum to none (0).
func orDefault(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
