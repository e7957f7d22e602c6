package calibrate

import (
	"fmt"
	"math"
	"sort"
)

// Method names a calibration method.
type Method string

// The calibration methods.
const (
	// Platt is logistic (sigmoid) calibration of the score.
	Platt Method = "platt"
	// Isotonic is isotonic-regression calibration of the score.
	Isotonic Method = "isotonic"
)

// Calibrator maps an uncalibrated score to a probability of label 1. It is
// plain data; which fields are used depends on Method.
type Calibrator struct {
	Method Method `json:"method"`

	// Slope and Intercept define Platt scaling:
	// p = 1/(1+exp(−(Slope·s + Intercept))), with Slope >= 0. In
	// scikit-learn's notation (p = 1/(1+exp(A·s + B))), A = −Slope and
	// B = −Intercept.
	Slope     float64 `json:"slope"`
	Intercept float64 `json:"intercept"`

	// Thresholds (strictly increasing) and Values (non-decreasing, in
	// [0, 1]) define the isotonic map: linear interpolation between the
	// points (Thresholds[i], Values[i]), Values[0] at or below the first
	// threshold and the last value at or above the last one.
	// scikit-learn calls them X_thresholds_ and y_thresholds_.
	Thresholds []float64 `json:"thresholds,omitempty"`
	Values     []float64 `json:"values,omitempty"`
}

// Apply returns the calibrated probability of score s. It is
// non-decreasing in s and returns NaN for a NaN score. It panics on a
// Calibrator whose Method is unknown; call Validate after decoding one.
func (c *Calibrator) Apply(s float64) float64 {
	switch c.Method {
	case Platt:
		m := c.Intercept
		if c.Slope != 0 { // 0·±Inf would be NaN
			m += c.Slope * s
		}
		return 1 / (1 + math.Exp(-m))
	case Isotonic:
		return c.interpolate(s)
	}
	panic(fmt.Sprintf("calibrate: unknown method %q", c.Method))
}

// ApplyInto writes Apply(scores[i]) into dst[i]. It panics when the slices
// differ in length.
func (c *Calibrator) ApplyInto(dst, scores []float64) {
	if len(dst) != len(scores) {
		panic(fmt.Sprintf("calibrate: dst has %d values for %d scores", len(dst), len(scores)))
	}
	for i, s := range scores {
		dst[i] = c.Apply(s)
	}
}

// interpolate evaluates the isotonic map with the formula of scipy's
// interp1d (slope·(s − x₀) + y₀), clamped to [y₀, y₁] so that rounding can
// never break monotonicity.
func (c *Calibrator) interpolate(s float64) float64 {
	x, y := c.Thresholds, c.Values
	n := len(x)
	switch {
	case s != s:
		return math.NaN()
	case s <= x[0]:
		return y[0]
	case s >= x[n-1]:
		return y[n-1]
	}
	// x[i-1] < s < x[n-1]: find the segment [x[i-1], x[i]] holding s.
	i := sort.SearchFloat64s(x, s)
	if x[i] == s {
		return y[i]
	}
	x0, x1, y0, y1 := x[i-1], x[i], y[i-1], y[i]
	if y0 == y1 {
		return y0
	}
	v := (y1-y0)/(x1-x0)*(s-x0) + y0
	switch {
	case !(v >= y0): // also NaN, when x1−x0 overflows
		return y0
	case v > y1:
		return y1
	}
	return v
}

// Validate reports whether c can be applied: a known method, finite
// parameters, Slope >= 0 for Platt; for Isotonic at least one threshold,
// as many values as thresholds, strictly increasing finite thresholds and
// non-decreasing values in [0, 1].
func (c *Calibrator) Validate() error {
	switch c.Method {
	case Platt:
		if !(c.Slope >= 0) || math.IsInf(c.Slope, 1) || math.IsNaN(c.Intercept) || math.IsInf(c.Intercept, 0) {
			return fmt.Errorf("platt slope %v, intercept %v: %w", c.Slope, c.Intercept, ErrInvalid)
		}
		return nil
	case Isotonic:
		x, y := c.Thresholds, c.Values
		if len(x) == 0 || len(x) != len(y) {
			return fmt.Errorf("isotonic with %d thresholds and %d values: %w", len(x), len(y), ErrInvalid)
		}
		for i := range x {
			if math.IsNaN(x[i]) || math.IsInf(x[i], 0) || !(y[i] >= 0 && y[i] <= 1) {
				return fmt.Errorf("isotonic point %d (%v, %v): %w", i, x[i], y[i], ErrInvalid)
			}
			if i > 0 && (x[i] <= x[i-1] || y[i] < y[i-1]) {
				return fmt.Errorf("isotonic point %d (%v, %v) after (%v, %v): %w", i, x[i], y[i], x[i-1], y[i-1], ErrInvalid)
			}
		}
		return nil
	}
	return fmt.Errorf("method %q: %w", c.Method, ErrInvalid)
}
