package calibrate

import (
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// Fixture and reference numbers from testdata/golden.py.
var (
	fixMargin  = []float64{0.0, 0.4, -0.4, -1.3, -0.7, -1.5, 0.1, 2.0, -0.7, -0.9, 0.7, 0.5, 0.2, -1.4, math.Copysign(0, -1), 1.0, -2.0, -0.7, -2.9, -1.9, -2.8, -0.4, -1.9, 0.4, 0.2, -0.3, -3.8, -0.8, -0.1, 0.2, -2.3, -0.7, -1.5, -1.2, 1.6, -1.2, math.Copysign(0, -1), 1.3, -0.9, -0.2}
	fixProbs   = []float64{0.5, 0.6, 0.4, 0.21, 0.33, 0.18, 0.52, 0.88, 0.33, 0.29, 0.67, 0.62, 0.55, 0.2, 0.5, 0.73, 0.12, 0.33, 0.05, 0.13, 0.06, 0.4, 0.13, 0.6, 0.55, 0.43, 0.02, 0.31, 0.48, 0.55, 0.09, 0.33, 0.18, 0.23, 0.83, 0.23, 0.5, 0.79, 0.29, 0.45}
	fixLabels  = []float64{0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0}
	fixWeights = []float64{1.87, 1.19, 0.52, 1.79, 1.35, 1.23, 0.88, 0.94, 0.63, 0.27, 1.78, 1.04, 1.19, 0.78, 1.55, 0.25, 0.87, 0.25, 0.42, 1.94, 1.38, 0.97, 1.14, 1.77, 0.82, 1.26, 1.43, 0.84, 1.13, 1.58, 1.84, 0.47, 1.88, 0.21, 1.56, 1.66, 0.45, 0.95, 1.67, 0.23}
	queries    = []float64{-10.0, -3.05, -1.23, -0.5, 0.0, 0.37, 0.99, 1.5, 2.25, 10.0}
	pQueries   = []float64{0.0, 0.03, 0.15, 0.3333, 0.5, 0.61, 0.8, 0.95, 1.0}
)

// tol is the absolute tolerance against scikit-learn's isotonic outputs and
// the tight Platt optimum; both are computed in float64 with the same
// formulas, so only summation order differs.
const tol = 1e-12

func near(got, want, tol float64) bool { return math.Abs(got-want) <= tol }

func TestIsotonicGolden(t *testing.T) {
	tests := []struct {
		name               string
		scores, weights    []float64
		thresholds, values []float64
		queries, want      []float64
	}{
		{
			name: "margin", scores: fixMargin,
			thresholds: []float64{-3.8, -1.9, -1.5, -0.3, -0.2, 1.6, 2.0},
			values:     []float64{0.0, 0.0, 0.1875, 0.1875, 0.5, 0.5, 1.0},
			queries:    queries,
			want:       []float64{0.0, 0.0, 0.1875, 0.1875, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0},
		},
		{
			name: "margin/weighted", scores: fixMargin, weights: fixWeights,
			thresholds: []float64{-3.8, -1.9, -1.5, -1.2, -0.9, -0.3, -0.2, 1.6, 2.0},
			values:     []float64{0.0, 0.0, 0.19072847682119204, 0.19072847682119204, 0.20291616038882138, 0.20291616038882138, 0.47587719298245607, 0.47587719298245607, 1.0},
			queries:    queries,
			want:       []float64{0.0, 0.0, 0.19072847682119204, 0.20291616038882138, 0.47587719298245607, 0.47587719298245607, 0.47587719298245607, 0.47587719298245607, 1.0, 1.0},
		},
		{
			name: "probabilities", scores: fixProbs,
			thresholds: []float64{0.02, 0.13, 0.18, 0.43, 0.45, 0.83, 0.88},
			values:     []float64{0.0, 0.0, 0.1875, 0.1875, 0.5, 0.5, 1.0},
			queries:    pQueries,
			want:       []float64{0.0, 0.0, 0.07499999999999998, 0.1875, 0.5, 0.5, 0.5, 1.0, 1.0},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FitIsotonic(tc.scores, fixLabels, tc.weights)
			if err != nil {
				t.Fatalf("FitIsotonic: %v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if !slices.Equal(c.Thresholds, tc.thresholds) {
				t.Errorf("Thresholds = %v; want %v", c.Thresholds, tc.thresholds)
			}
			if len(c.Values) != len(tc.values) {
				t.Fatalf("got %d values; want %d", len(c.Values), len(tc.values))
			}
			for i := range c.Values {
				if !near(c.Values[i], tc.values[i], tol) {
					t.Errorf("Values[%d] = %.17g; want %.17g", i, c.Values[i], tc.values[i])
				}
			}
			for i, q := range tc.queries {
				if got := c.Apply(q); !near(got, tc.want[i], tol) {
					t.Errorf("Apply(%v) = %.17g; want %.17g", q, got, tc.want[i])
				}
			}
		})
	}
}

func TestPlattGolden(t *testing.T) {
	tests := []struct {
		name     string
		weights  []float64
		a, b     float64 // tight optimum, scikit-learn's sign convention
		skA, skB float64 // scikit-learn's _sigmoid_calibration
		want     []float64
	}{
		{
			name: "unweighted",
			a:    -0.6662780076268151, b: 0.5611184017989753,
			skA: -0.6662780792526803, skB: 0.5611184156990503,
			want: []float64{0.0007284240685877045, 0.0695730475433819, 0.2009061762351823, 0.2902320303456095, 0.3632887226350681, 0.42199341810141056, 0.5246043178321006, 0.607853548893768, 0.7186969282914885, 0.9977658586657315},
		},
		{
			name: "weighted", weights: fixWeights,
			a: -0.6800220930296452, b: 0.592744131025548,
			skA: -0.6800221423726839, skB: 0.5927441481885669,
			want: []float64{0.0006151893570011621, 0.06496037042525835, 0.1932278372818227, 0.28236608317529494, 0.3560054712268887, 0.4155335660409276, 0.5201085833902455, 0.6052261232349502, 0.7185550756241882, 0.997989735727778},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := FitPlatt(fixMargin, fixLabels, tc.weights)
			if err != nil {
				t.Fatalf("FitPlatt: %v", err)
			}
			if c.Method != Platt {
				t.Errorf("Method = %q; want %q", c.Method, Platt)
			}
			// Tight optimum to 1e-10; scikit-learn's looser BFGS to 1e-6.
			if !near(-c.Slope, tc.a, 1e-10) || !near(-c.Intercept, tc.b, 1e-10) {
				t.Errorf("(A, B) = (%.12g, %.12g); want (%.12g, %.12g)", -c.Slope, -c.Intercept, tc.a, tc.b)
			}
			if !near(-c.Slope, tc.skA, 1e-6) || !near(-c.Intercept, tc.skB, 1e-6) {
				t.Errorf("(A, B) = (%.12g, %.12g); want scikit-learn's (%.12g, %.12g) ± 1e-6", -c.Slope, -c.Intercept, tc.skA, tc.skB)
			}
			for i, q := range queries {
				if got := c.Apply(q); !near(got, tc.want[i], 1e-10) {
					t.Errorf("Apply(%v) = %.12g; want %.12g", q, got, tc.want[i])
				}
			}
		})
	}
}

func TestMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, n := range []int{50, 200, 5000} {
		scores := make([]float64, n)
		labels := make([]float64, n)
		weights := make([]float64, n)
		for i := range n {
			s := rng.NormFloat64() * 2
			if i%3 == 0 {
				s = math.Round(s*4) / 4 // ties
			}
			scores[i] = s
			if rng.Float64() < 1/(1+math.Exp(-s)) {
				labels[i] = 1
			}
			weights[i] = rng.Float64()
		}
		labels[0], labels[1] = 0, 1
		for _, method := range []Method{Platt, Isotonic} {
			for _, w := range [][]float64{nil, weights} {
				fit := FitPlatt
				if method == Isotonic {
					fit = FitIsotonic
				}
				c, err := fit(scores, labels, w)
				if err != nil {
					t.Fatalf("%s n=%d: %v", method, n, err)
				}
				if err := c.Validate(); err != nil {
					t.Fatalf("%s n=%d: Validate: %v", method, n, err)
				}
				grid := append(slices.Clone(scores), -1e9, 1e9, 0, math.Inf(-1), math.Inf(1))
				for range 2000 {
					grid = append(grid, rng.NormFloat64()*3)
				}
				slices.Sort(grid)
				prev := math.Inf(-1)
				for _, s := range grid {
					p := c.Apply(s)
					if !(p >= 0 && p <= 1) {
						t.Fatalf("%s n=%d: Apply(%v) = %v outside [0, 1]", method, n, s, p)
					}
					if p < prev {
						t.Fatalf("%s n=%d: Apply(%v) = %.17g < %.17g at a lower score", method, n, s, p, prev)
					}
					prev = p
				}
			}
		}
	}
}

func TestFitErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	fits := map[string]func(s, l, w []float64) (*Calibrator, error){
		"platt":    FitPlatt,
		"isotonic": FitIsotonic,
	}
	tests := []struct {
		name                    string
		scores, labels, weights []float64
		want                    error
	}{
		{"empty", nil, nil, nil, ErrEmpty},
		{"all zero weight", []float64{1, 2}, []float64{0, 1}, []float64{0, 0}, ErrEmpty},
		{"one class", []float64{1, 2, 3}, []float64{1, 1, 1}, nil, ErrOneClass},
		{"zero-weight class", []float64{1, 2, 3}, []float64{0, 1, 1}, []float64{0, 1, 1}, ErrOneClass},
		{"label 2", []float64{1, 2}, []float64{0, 2}, nil, ErrLabel},
		{"NaN label", []float64{1, 2}, []float64{0, nan}, nil, ErrLabel},
		{"NaN score", []float64{nan, 2}, []float64{0, 1}, nil, ErrScore},
		{"Inf score", []float64{1, -inf}, []float64{0, 1}, nil, ErrScore},
		{"negative weight", []float64{1, 2}, []float64{0, 1}, []float64{1, -1}, ErrWeight},
		{"NaN weight", []float64{1, 2}, []float64{0, 1}, []float64{nan, 1}, ErrWeight},
	}
	for _, tc := range tests {
		for name, fit := range fits {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				c, err := fit(tc.scores, tc.labels, tc.weights)
				if !errors.Is(err, tc.want) {
					t.Errorf("got error %v; want %v", err, tc.want)
				}
				if c != nil {
					t.Errorf("got calibrator %+v; want nil", c)
				}
			})
		}
	}
	t.Run("platt decreasing", func(t *testing.T) {
		_, err := FitPlatt([]float64{1, 2, 3, 4, 5, 6}, []float64{1, 1, 1, 0, 0, 0}, nil)
		if !errors.Is(err, ErrDecreasing) {
			t.Errorf("got error %v; want %v", err, ErrDecreasing)
		}
	})
}

func TestConstantScores(t *testing.T) {
	scores := []float64{0.3, 0.3, 0.3, 0.3}
	labels := []float64{0, 1, 0, 0}
	tests := []struct {
		name string
		fit  func(s, l, w []float64) (*Calibrator, error)
		want float64
	}{
		// Platt's smoothed targets: 2/3 for the one 1, 1/5 for the three 0s.
		{"platt", FitPlatt, (2.0/3 + 3.0/5) / 4},
		{"isotonic", FitIsotonic, 0.25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.fit(scores, labels, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []float64{-5, 0.3, 7} {
				if got := c.Apply(s); !near(got, tc.want, 1e-12) {
					t.Errorf("Apply(%v) = %v; want %v", s, got, tc.want)
				}
			}
		})
	}
}

func TestApplyNaN(t *testing.T) {
	for _, c := range []*Calibrator{
		{Method: Platt, Slope: 1},
		{Method: Isotonic, Thresholds: []float64{0, 1}, Values: []float64{0.1, 0.9}},
	} {
		if got := c.Apply(math.NaN()); !math.IsNaN(got) {
			t.Errorf("%s: Apply(NaN) = %v; want NaN", c.Method, got)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	iso, err := FitIsotonic(fixMargin, fixLabels, fixWeights)
	if err != nil {
		t.Fatal(err)
	}
	platt, err := FitPlatt(fixMargin, fixLabels, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []*Calibrator{iso, platt} {
		t.Run(string(c.Method), func(t *testing.T) {
			data, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var back Calibrator
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			if err := back.Validate(); err != nil {
				t.Fatalf("Validate after round trip: %v", err)
			}
			want := make([]float64, len(queries))
			got := make([]float64, len(queries))
			c.ApplyInto(want, queries)
			back.ApplyInto(got, queries)
			if !slices.Equal(got, want) {
				t.Errorf("after round trip Apply = %v; want %v", got, want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		c     Calibrator
		valid bool
	}{
		{"platt", Calibrator{Method: Platt, Slope: 0.5, Intercept: -1}, true},
		{"platt zero slope", Calibrator{Method: Platt, Intercept: -1}, true},
		{"platt negative slope", Calibrator{Method: Platt, Slope: -0.5}, false},
		{"platt NaN intercept", Calibrator{Method: Platt, Slope: 1, Intercept: math.NaN()}, false},
		{"isotonic", Calibrator{Method: Isotonic, Thresholds: []float64{1, 2}, Values: []float64{0.1, 0.1}}, true},
		{"isotonic one point", Calibrator{Method: Isotonic, Thresholds: []float64{1}, Values: []float64{0.1}}, true},
		{"isotonic empty", Calibrator{Method: Isotonic}, false},
		{"isotonic length mismatch", Calibrator{Method: Isotonic, Thresholds: []float64{1, 2}, Values: []float64{0.1}}, false},
		{"isotonic repeated threshold", Calibrator{Method: Isotonic, Thresholds: []float64{1, 1}, Values: []float64{0.1, 0.2}}, false},
		{"isotonic decreasing", Calibrator{Method: Isotonic, Thresholds: []float64{1, 2}, Values: []float64{0.3, 0.2}}, false},
		{"isotonic above 1", Calibrator{Method: Isotonic, Thresholds: []float64{1, 2}, Values: []float64{0.3, 1.2}}, false},
		{"isotonic Inf threshold", Calibrator{Method: Isotonic, Thresholds: []float64{1, math.Inf(1)}, Values: []float64{0.3, 0.4}}, false},
		{"unknown method", Calibrator{Method: "beta"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.c.Validate()
			if tc.valid && err != nil {
				t.Errorf("got error %v; want nil", err)
			}
			if !tc.valid && !errors.Is(err, ErrInvalid) {
				t.Errorf("got error %v; want %v", err, ErrInvalid)
			}
		})
	}
}

func TestPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
	}{
		{"FitPlatt lengths", func() { _, _ = FitPlatt([]float64{1, 2}, []float64{0}, nil) }},
		{"FitIsotonic weights", func() { _, _ = FitIsotonic([]float64{1, 2}, []float64{0, 1}, []float64{1}) }},
		{"ApplyInto lengths", func() { (&Calibrator{Method: Platt}).ApplyInto(make([]float64, 1), []float64{1, 2}) }},
		{"Apply unknown method", func() { (&Calibrator{Method: "beta"}).Apply(1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.HasPrefix(msg, "calibrate: ") {
					t.Errorf("got panic %v; want a message starting with %q", r, "calibrate: ")
				}
			}()
			tc.fn()
		})
	}
}
