package linear

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Model is a fitted logistic regression. It is plain data: encode it with
// encoding/json, decode it, call Validate, and it predicts exactly as the
// fitted value did. The package documentation gives the margin formula.
type Model struct {
	// Intercept is the unpenalised bias of the margin. Because every
	// standardised column has mean zero over the training rows, it is also
	// the mean training margin, and the base value of Contributions.
	Intercept float64 `json:"intercept"`
	// Features holds one entry per input column, in column order.
	Features []Feature `json:"features"`
}

// Feature is the preprocessing and weight of one input column.
type Feature struct {
	// Mean is the training mean of the column's non-missing values. It
	// replaces a missing (NaN) value and centres the column. A column with
	// no value at all in training has Mean 0.
	Mean float64 `json:"mean"`
	// Scale is the training standard deviation (divisor n) of the column
	// after imputation; 1 for a constant column, whose standardised value
	// is always 0.
	Scale float64 `json:"scale"`
	// Coef is the weight of the standardised value (x − Mean)/Scale. It is
	// 0 for a constant column.
	Coef float64 `json:"coef"`
	// Missing is the missing-value indicator term, present only when the
	// column had missing values in training. A column without it treats a
	// missing value as Mean and nothing more.
	Missing *Indicator `json:"missing,omitempty"`
}

// Indicator is the standardised 0/1 missing-value indicator of a column.
type Indicator struct {
	// Mean is the share of training rows where the column was missing.
	Mean float64 `json:"mean"`
	// Scale is the indicator's training standard deviation
	// sqrt(Mean·(1−Mean)), or 1 when the column was missing on every row.
	Scale float64 `json:"scale"`
	// Coef is the weight of the standardised indicator
	// (1[missing] − Mean)/Scale.
	Coef float64 `json:"coef"`
}

// NumFeatures returns the number of input columns the model expects.
func (m *Model) NumFeatures() int { return len(m.Features) }

// term returns the margin contribution of feature f for input value v:
// the weighted standardised value plus the weighted standardised indicator.
func (f *Feature) term(v float64) float64 {
	missing := v != v
	if missing {
		v = f.Mean
	}
	t := f.Coef * ((v - f.Mean) / f.Scale)
	if ind := f.Missing; ind != nil {
		var m float64
		if missing {
			m = 1
		}
		t += ind.Coef * ((m - ind.Mean) / ind.Scale)
	}
	return t
}

// Margin returns the log-odds of label 1 for one row x. NaN in x means
// missing. It panics when len(x) differs from NumFeatures. Infinite inputs
// give an infinite or NaN margin; validate rows before scoring them.
func (m *Model) Margin(x []float64) float64 {
	m.checkRow(x)
	s := m.Intercept
	for j := range m.Features {
		s += m.Features[j].term(x[j])
	}
	return s
}

// PredictProba returns the probability of label 1 for one row x:
// 1/(1+exp(−Margin(x))).
func (m *Model) PredictProba(x []float64) float64 { return sigmoid(m.Margin(x)) }

// MarginInto writes the margin of every row of X into dst. It panics when
// len(dst) != X.Rows or X.Cols != NumFeatures.
func (m *Model) MarginInto(dst []float64, X *matrix.Dense) {
	m.checkBatch(dst, X)
	for i := range dst {
		dst[i] = m.Margin(X.Row(i))
	}
}

// PredictProbaInto writes the probability of label 1 for every row of X
// into dst. It panics when len(dst) != X.Rows or X.Cols != NumFeatures.
func (m *Model) PredictProbaInto(dst []float64, X *matrix.Dense) {
	m.checkBatch(dst, X)
	for i := range dst {
		dst[i] = sigmoid(m.Margin(X.Row(i)))
	}
}

// Contributions splits the margin of row x into a base value and one
// additive term per input column, so that base + Σ contribs == Margin(x)
// up to rounding (the terms are the ones Margin adds, in the same order).
// The base is the Intercept, the mean training margin; a column's term is
// its weighted standardised value plus, when it has one, its weighted
// standardised missing indicator. For this linear model these are exactly
// the SHAP values under feature independence. It panics when len(x)
// differs from NumFeatures.
func (m *Model) Contributions(x []float64) (contribs []float64, base float64) {
	contribs = make([]float64, len(m.Features))
	return contribs, m.ContributionsInto(contribs, x)
}

// ContributionsInto is Contributions writing the terms into dst, which
// must have NumFeatures entries (it panics otherwise); it does not
// allocate.
func (m *Model) ContributionsInto(dst, x []float64) (base float64) {
	m.checkRow(x)
	if len(dst) != len(m.Features) {
		panic(fmt.Sprintf("linear: dst has %d values for %d features", len(dst), len(m.Features)))
	}
	for j := range m.Features {
		dst[j] = m.Features[j].term(x[j])
	}
	return m.Intercept
}

// Validate reports whether m can predict: at least one feature, finite
// values everywhere, positive scales and indicator means in [0, 1]. Call it
// after decoding a model.
func (m *Model) Validate() error {
	if !finite(m.Intercept) {
		return fmt.Errorf("intercept %v: %w", m.Intercept, ErrInvalidModel)
	}
	if len(m.Features) == 0 {
		return fmt.Errorf("no features: %w", ErrInvalidModel)
	}
	for j, f := range m.Features {
		if !finite(f.Mean) || !finite(f.Coef) || !(f.Scale > 0) || !finite(f.Scale) {
			return fmt.Errorf("feature %d: mean %v, scale %v, coef %v: %w", j, f.Mean, f.Scale, f.Coef, ErrInvalidModel)
		}
		if ind := f.Missing; ind != nil {
			if !(ind.Mean >= 0 && ind.Mean <= 1) || !finite(ind.Coef) || !(ind.Scale > 0) || !finite(ind.Scale) {
				return fmt.Errorf("feature %d missing indicator: mean %v, scale %v, coef %v: %w",
					j, ind.Mean, ind.Scale, ind.Coef, ErrInvalidModel)
			}
		}
	}
	return nil
}

func (m *Model) checkRow(x []float64) {
	if len(x) != len(m.Features) {
		panic(fmt.Sprintf("linear: row has %d values; model has %d features", len(x), len(m.Features)))
	}
}

func (m *Model) checkBatch(dst []float64, X *matrix.Dense) {
	if X.Cols != len(m.Features) {
		panic(fmt.Sprintf("linear: matrix has %d columns; model has %d features", X.Cols, len(m.Features)))
	}
	if len(dst) != X.Rows {
		panic(fmt.Sprintf("linear: dst has %d values for %d rows", len(dst), X.Rows))
	}
}

// sigmoid returns 1/(1+exp(−z)); it is 0 or 1 without overflow at the
// extremes.
func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
