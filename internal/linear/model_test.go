package linear

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

func TestValidate(t *testing.T) {
	ok := func() *Model {
		return &Model{Intercept: 0.1, Features: []Feature{
			{Mean: 1, Scale: 2, Coef: 0.5},
			{Mean: 0, Scale: 1, Coef: -1, Missing: &Indicator{Mean: 0.2, Scale: 0.4, Coef: 0.3}},
		}}
	}
	tests := []struct {
		name   string
		mutate func(m *Model)
		valid  bool
	}{
		{"valid", func(*Model) {}, true},
		{"NaN intercept", func(m *Model) { m.Intercept = math.NaN() }, false},
		{"no features", func(m *Model) { m.Features = nil }, false},
		{"zero scale", func(m *Model) { m.Features[0].Scale = 0 }, false},
		{"negative scale", func(m *Model) { m.Features[0].Scale = -1 }, false},
		{"Inf coef", func(m *Model) { m.Features[0].Coef = math.Inf(1) }, false},
		{"NaN mean", func(m *Model) { m.Features[0].Mean = math.NaN() }, false},
		{"indicator mean above 1", func(m *Model) { m.Features[1].Missing.Mean = 1.5 }, false},
		{"indicator zero scale", func(m *Model) { m.Features[1].Missing.Scale = 0 }, false},
		{"indicator NaN coef", func(m *Model) { m.Features[1].Missing.Coef = math.NaN() }, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := ok()
			tc.mutate(m)
			err := m.Validate()
			if tc.valid && err != nil {
				t.Errorf("got error %v; want nil", err)
			}
			if !tc.valid && !errors.Is(err, ErrInvalidModel) {
				t.Errorf("got error %v; want %v", err, ErrInvalidModel)
			}
		})
	}
}

func TestPredictPanics(t *testing.T) {
	m := &Model{Features: []Feature{{Scale: 1}, {Scale: 1}}}
	tests := []struct {
		name string
		fn   func()
	}{
		{"Margin short row", func() { m.Margin([]float64{1}) }},
		{"Contributions long row", func() { m.Contributions([]float64{1, 2, 3}) }},
		{"ContributionsInto short dst", func() { m.ContributionsInto(make([]float64, 1), []float64{1, 2}) }},
		{"PredictProbaInto columns", func() { m.PredictProbaInto(make([]float64, 2), matrix.New(2, 3)) }},
		{"PredictProbaInto dst", func() { m.PredictProbaInto(make([]float64, 1), matrix.New(2, 2)) }},
		{"MarginInto dst", func() { m.MarginInto(make([]float64, 3), matrix.New(2, 2)) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.HasPrefix(msg, "linear: ") {
					t.Errorf("got panic %v; want a message starting with %q", r, "linear: ")
				}
			}()
			tc.fn()
		})
	}
}

func TestSigmoidExtremes(t *testing.T) {
	tests := []struct{ z, want float64 }{
		{0, 0.5}, {-1000, 0}, {1000, 1}, {math.Inf(-1), 0}, {math.Inf(1), 1},
	}
	for _, tc := range tests {
		if got := sigmoid(tc.z); got != tc.want {
			t.Errorf("sigmoid(%v) = %v; want %v", tc.z, got, tc.want)
		}
	}
}
