package shap

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReasonCodes(t *testing.T) {
	names := []string{"dti", "income", "grade", "term", "revol_util"}
	tests := []struct {
		name string
		phi  []float64
		k    int
		want []Reason
	}{
		{
			name: "top two of three positives",
			phi:  []float64{0.3, -0.5, 0.9, 0.1, 0},
			k:    2,
			want: []Reason{{"grade", 0.9}, {"dti", 0.3}},
		},
		{
			name: "k above the number of positives",
			phi:  []float64{0.3, -0.5, 0.9, 0.1, 0},
			k:    10,
			want: []Reason{{"grade", 0.9}, {"dti", 0.3}, {"term", 0.1}},
		},
		{
			name: "ties broken by name",
			phi:  []float64{0.2, 0.2, 0.5, 0.2, 0.2},
			k:    4,
			want: []Reason{{"grade", 0.5}, {"dti", 0.2}, {"income", 0.2}, {"revol_util", 0.2}},
		},
		{
			name: "zero, negative and NaN are not reasons",
			phi:  []float64{0, -1e-12, math.NaN(), math.Copysign(0, -1), 1e-300},
			k:    5,
			want: []Reason{{"revol_util", 1e-300}},
		},
		{
			name: "nothing raises the margin",
			phi:  []float64{-0.3, -0.1, 0, -2, -0.4},
			k:    3,
			want: nil,
		},
		{
			name: "k zero",
			phi:  []float64{0.3, 0.1, 0.9, 0.1, 0},
			k:    0,
			want: nil,
		},
		{
			name: "k negative",
			phi:  []float64{0.3, 0.1, 0.9, 0.1, 0},
			k:    -1,
			want: nil,
		},
		{
			name: "infinite contribution first",
			phi:  []float64{math.Inf(1), 0.1, 0.9, 0.1, 0},
			k:    2,
			want: []Reason{{"dti", math.Inf(1)}, {"grade", 0.9}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReasonCodes(tt.phi, names, tt.k)
			if !slices.Equal(got, tt.want) {
				t.Errorf("ReasonCodes(%v, k=%d) = %v; want %v", tt.phi, tt.k, got, tt.want)
			}
		})
	}
}

// TestReasonCodes_OrderIndependent checks that permuting the features does
// not change the reasons.
func TestReasonCodes_OrderIndependent(t *testing.T) {
	phi := []float64{0.2, 0.7, 0.2, -0.1, 0.2}
	names := []string{"c", "x", "a", "z", "b"}
	want := ReasonCodes(phi, names, 3)
	rev := func(s []string) []string { s = slices.Clone(s); slices.Reverse(s); return s }
	phiRev := slices.Clone(phi)
	slices.Reverse(phiRev)
	if got := ReasonCodes(phiRev, rev(names), 3); !slices.Equal(got, want) {
		t.Errorf("reversed input: got %v; want %v", got, want)
	}
	if w := []Reason{{"x", 0.7}, {"a", 0.2}, {"b", 0.2}}; !slices.Equal(want, w) {
		t.Errorf("got %v; want %v", want, w)
	}
}

func TestReasonCodes_PanicsOnLengthMismatch(t *testing.T) {
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, "2 contributions but 1 names") {
			t.Errorf("panic %q; want one about the lengths", msg)
		}
	}()
	ReasonCodes([]float64{1, 2}, []string{"a"}, 1)
}
