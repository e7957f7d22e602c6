package linear

import (
	"encoding/json"
	"math"
	"slices"
	"testing"
)

// FuzzModelJSON decodes arbitrary JSON as a Model: decoding and Validate
// may fail, but a model that validates must score any row of the right
// length without panicking, give a probability in [0, 1] whenever the
// margin is finite, and split that margin exactly into contributions.
func FuzzModelJSON(f *testing.F) {
	f.Add([]byte(`{"intercept":-1.5,"features":[{"mean":3,"scale":2,"coef":0.5},{"mean":0.1,"scale":1,"coef":-1,"missing":{"mean":0.2,"scale":0.4,"coef":0.7}}]}`), 1.0, math.NaN())
	f.Add([]byte(`{"intercept":0,"features":[{"mean":0,"scale":1e-300,"coef":1e300}]}`), 1e10, 0.0)
	f.Add([]byte(`{"intercept":0,"features":[{"mean":0,"scale":0,"coef":1}]}`), 1.0, 2.0)
	f.Add([]byte(`{"features":[]}`), 0.0, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, a, b float64) {
		var m Model
		if err := json.Unmarshal(data, &m); err != nil {
			return
		}
		if err := m.Validate(); err != nil {
			return
		}
		x := make([]float64, m.NumFeatures())
		for j := range x {
			x[j] = a
			if j%2 == 1 {
				x[j] = b
			}
			if math.IsInf(x[j], 0) {
				x[j] = math.NaN()
			}
		}
		margin := m.Margin(x)
		p := m.PredictProba(x)
		contribs, base := m.Contributions(x)
		into := make([]float64, m.NumFeatures())
		if b := m.ContributionsInto(into, x); b != base || !slices.Equal(into, contribs) && !slices.EqualFunc(into, contribs, func(a, b float64) bool { return a == b || a != a && b != b }) {
			t.Fatalf("ContributionsInto = %v, %v; Contributions gave %v, %v", into, b, contribs, base)
		}
		if math.IsNaN(margin) || math.IsInf(margin, 0) {
			return
		}
		if !(p >= 0 && p <= 1) {
			t.Fatalf("PredictProba = %v for margin %v; want a value in [0, 1]", p, margin)
		}
		sum, scale := base, math.Abs(base)
		for _, c := range contribs {
			sum += c
			scale += math.Abs(c)
		}
		if math.Abs(sum-margin) > 1e-12*max(1, scale) {
			t.Fatalf("base + Σ contributions = %v; want margin %v", sum, margin)
		}
	})
}
