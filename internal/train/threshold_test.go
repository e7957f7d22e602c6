package train

import (
	"errors"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
)

func TestChooseThreshold(t *testing.T) {
	pd := []float64{0.05, 0.1, 0.223, 0.3, 0.6, 0.7, 0.8, 0.9}
	y := []float64{0, 0, 0, 1, 0, 1, 1, 1}
	tests := []struct {
		name    string
		pd, y   []float64
		costs   *dataset.Costs
		want    float64
		wantErr error
	}{
		// F1 peaks at 8/9 for thresholds in (0.223, 0.3]: TP 4, FP 1, FN 0;
		// the lowest on the grid is 0.225.
		{"F1", pd, y, nil, 0.225, nil},
		// A declined good loan costs nothing: decline everything.
		{"costs", pd, y, &dataset.Costs{BadAccepted: 1, GoodRejected: 0}, 0.01, nil},
		{"NaN PD", []float64{0.1, math.NaN()}, []float64{0, 1}, nil, 0, metrics.ErrScore},
		{"bad label", []float64{0.1, 0.9}, []float64{0, 2}, nil, 0, metrics.ErrLabel},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rule, err := ChooseThreshold(tt.pd, tt.y, tt.costs)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, %v; want an error wrapping %v", got, err, tt.wantErr)
				}
				return
			}
			if err != nil || math.Abs(got-tt.want) > 1e-12 || rule == "" {
				t.Errorf("got %v, %q, %v; want %v", got, rule, err, tt.want)
			}
		})
	}
}

func TestWarnings(t *testing.T) {
	for _, tt := range []struct {
		name   string
		params map[string]any
		want   []string
	}{
		{"none", map[string]any{"c": 1.0}, nil},
		{"fitted", map[string]any{warningsParam: []string{"did not converge"}}, []string{"did not converge"}},
		{"read back", map[string]any{warningsParam: []any{"did not converge"}}, []string{"did not converge"}},
	} {
		got := Warnings(&model.Metadata{Params: tt.params})
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("%s: got %q; want %q", tt.name, got, tt.want)
		}
	}
}
