package logreg

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"github.com/credit-risk/credit-risk/internal/linear"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Tolerances against scikit-learn (testdata/golden.py). Both sides converge
// to the same optimum with tight tolerances (Tol 1e-10 here, newton-cholesky
// with tol=1e-12 there), so the differences are the optimisers' stopping
// points. scikit-learn's default lbfgs solver stops earlier (scipy's ftol)
// and lands up to 7e-6 away from these coefficients.
const (
	coefTol  = 1e-8  // relative (absolute below 1), coefficients and intercept
	probaTol = 1e-9  // absolute, predict_proba
	statTol  = 1e-12 // relative, means and scales
)

// readFixture reads a testdata CSV of feature columns, then y, then
// scikit-learn's predicted probability. An empty field is a missing value.
func readFixture(tb testing.TB, name string) (*matrix.Dense, []float64, []float64) {
	tb.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", name, err)
	}
	recs = recs[1:]
	cols := len(recs[0]) - 2
	X := matrix.New(len(recs), cols)
	y := make([]float64, len(recs))
	p := make([]float64, len(recs))
	for i, rec := range recs {
		vals := make([]float64, len(rec))
		for j, s := range rec {
			if s == "" {
				vals[j] = math.NaN()
				continue
			}
			if vals[j], err = strconv.ParseFloat(s, 64); err != nil {
				tb.Fatalf("%s line %d: %v", name, i+2, err)
			}
		}
		copy(X.Row(i), vals[:cols])
		y[i], p[i] = vals[cols], vals[cols+1]
	}
	return X, y, p
}

func relNear(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*max(1, math.Abs(want))
}

func TestFitGolden(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		cfg       Config
		coef      []float64 // value coefficients
		indicator map[int]float64
		intercept float64
		mean      []float64 // nil: not checked
		scale     []float64
		indMean   map[int]float64
		indScale  map[int]float64
	}{
		{
			name:      "standardised/balanced",
			file:      "standardised.csv",
			cfg:       Config{C: 1, ClassWeight: learn.Balanced, Tol: 1e-10},
			coef:      []float64{2.2222487060088754, -1.317987076263135, 0.22717790702304289, -0.022898952448988395},
			intercept: -0.9488612884214475,
		},
		{
			name:      "missing/C=0.5",
			file:      "missing.csv",
			cfg:       Config{C: 0.5, Tol: 1e-10},
			coef:      []float64{-0.5349134287547594, 0.9496747240766794, -0.739026861260079, 1.8488927437812482e-30, 0.8750008463873019},
			indicator: map[int]float64{1: -0.7799761200324773, 4: 1.089670601771964},
			intercept: 0.7509043329895205,
			mean:      []float64{44465.47597806302, 20.102853762117775, 44.1, 3.6999999999999926, 0.5106580334065212},
			scale:     []float64{20052.010432889616, 10.049571844304598, 14.417813056539925, 1.0, 0.25210259063122165},
			indMean:   map[int]float64{1: 0.20833333333333334, 4: 0.19166666666666668},
			indScale:  map[int]float64{1: 0.4061164310337072, 4: 0.39361218928731806},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			X, y, want := readFixture(t, tc.file)
			m, err := Fit(t.Context(), X, y, tc.cfg)
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			if !relNear(m.Intercept, tc.intercept, coefTol) {
				t.Errorf("Intercept = %.12g; want %.12g", m.Intercept, tc.intercept)
			}
			for j, f := range m.Features {
				if !relNear(f.Coef, tc.coef[j], coefTol) {
					t.Errorf("feature %d: Coef = %.12g; want %.12g", j, f.Coef, tc.coef[j])
				}
				if tc.mean != nil && !relNear(f.Mean, tc.mean[j], statTol) {
					t.Errorf("feature %d: Mean = %.15g; want %.15g", j, f.Mean, tc.mean[j])
				}
				if tc.scale != nil && !relNear(f.Scale, tc.scale[j], statTol) {
					t.Errorf("feature %d: Scale = %.15g; want %.15g", j, f.Scale, tc.scale[j])
				}
				want, ok := tc.indicator[j]
				switch {
				case ok != (f.Missing != nil):
					t.Errorf("feature %d: has indicator %v; want %v", j, f.Missing != nil, ok)
				case ok:
					if !relNear(f.Missing.Coef, want, coefTol) {
						t.Errorf("feature %d: indicator Coef = %.12g; want %.12g", j, f.Missing.Coef, want)
					}
					if !relNear(f.Missing.Mean, tc.indMean[j], statTol) || !relNear(f.Missing.Scale, tc.indScale[j], statTol) {
						t.Errorf("feature %d: indicator mean, scale = %v, %v; want %v, %v",
							j, f.Missing.Mean, f.Missing.Scale, tc.indMean[j], tc.indScale[j])
					}
				}
			}
			got := make([]float64, X.Rows)
			m.PredictProbaInto(got, X)
			for i := range got {
				if math.Abs(got[i]-want[i]) > probaTol {
					t.Errorf("row %d: probability %.12g; want %.12g", i, got[i], want[i])
				}
			}
		})
	}
}

func TestConstantAndEmptyColumns(t *testing.T) {
	nan := math.NaN()
	X := matrix.FromRows([][]float64{
		{0.1, nan, 1, 5},
		{0.1, nan, 2, nan},
		{0.1, nan, 3, 5},
		{0.1, nan, 4, 5},
		{0.1, nan, 5, nan},
		{0.1, nan, 6, 5},
	})
	y := []float64{0, 0, 1, 0, 1, 1}
	m, err := Fit(t.Context(), X, y, Config{})
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	tests := []struct {
		name              string
		f                 linear.Feature
		mean, scale, coef float64
		indicator         bool
	}{
		{name: "constant", f: m.Features[0], mean: 0.1, scale: 1, coef: 0},
		{name: "all missing", f: m.Features[1], mean: 0, scale: 1, coef: 0, indicator: true},
		{name: "constant with missing", f: m.Features[3], mean: 5, scale: 1, coef: 0, indicator: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.f.Mean != tc.mean || tc.f.Scale != tc.scale || tc.f.Coef != tc.coef {
				t.Errorf("mean, scale, coef = %v, %v, %v; want %v, %v, %v",
					tc.f.Mean, tc.f.Scale, tc.f.Coef, tc.mean, tc.scale, tc.coef)
			}
			if (tc.f.Missing != nil) != tc.indicator {
				t.Errorf("has indicator %v; want %v", tc.f.Missing != nil, tc.indicator)
			}
		})
	}
	if ind := m.Features[1].Missing; ind.Mean != 1 || ind.Scale != 1 || ind.Coef != 0 {
		t.Errorf("all-missing indicator = %+v; want mean 1, scale 1, coef 0", *ind)
	}
	if ind := m.Features[3].Missing; ind.Coef == 0 {
		t.Errorf("indicator of a column missing on 2 of 6 rows has coefficient 0; want non-zero")
	}
	if err := m.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	// A constant column seen with another value at prediction time adds
	// nothing.
	a := m.Margin([]float64{0.1, nan, 3, 5})
	b := m.Margin([]float64{1e6, 7, 3, 5})
	if a != b {
		t.Errorf("margin changed with constant columns: %v vs %v", a, b)
	}
}

// randomMatrix returns rows×cols of correlated features with a share of
// NaNs in every other column, and labels drawn from a logistic model.
func randomMatrix(rng *rand.Rand, rows, cols int, missing float64) (*matrix.Dense, []float64) {
	X := matrix.New(rows, cols)
	y := make([]float64, rows)
	beta := make([]float64, cols)
	for j := range beta {
		beta[j] = rng.NormFloat64() / math.Sqrt(float64(cols))
	}
	for i := range rows {
		row := X.Row(i)
		common := rng.NormFloat64()
		margin := -1.0
		for j := range row {
			v := 0.5*common + rng.NormFloat64()
			margin += beta[j] * v
			row[j] = v*float64(j+1) + float64(10*j)
			if j%2 == 1 && rng.Float64() < missing {
				row[j] = math.NaN()
			}
		}
		if rng.Float64() < 1/(1+math.Exp(-margin)) {
			y[i] = 1
		}
	}
	return X, y
}

func TestContributionsSumToMargin(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	X, y := randomMatrix(rng, 500, 7, 0.2)
	m, err := Fit(t.Context(), X, y, Config{ClassWeight: learn.Balanced})
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	for i := range X.Rows {
		x := X.Row(i)
		contribs, base := m.Contributions(x)
		if len(contribs) != X.Cols {
			t.Fatalf("got %d contributions; want %d", len(contribs), X.Cols)
		}
		sum := base
		for _, c := range contribs {
			sum += c
		}
		if margin := m.Margin(x); math.Abs(sum-margin) > 1e-12 {
			t.Errorf("row %d: base + Σ contributions = %.17g; want margin %.17g", i, sum, margin)
		}
	}
	// The base is the mean training margin.
	var mean float64
	for i := range X.Rows {
		mean += m.Margin(X.Row(i))
	}
	mean /= float64(X.Rows)
	if _, base := m.Contributions(X.Row(0)); math.Abs(base-mean) > 1e-9 {
		t.Errorf("base = %.12g; want mean training margin %.12g", base, mean)
	}
}

func TestModelJSONRoundTrip(t *testing.T) {
	X, y, _ := readFixture(t, "missing.csv")
	m, err := Fit(t.Context(), X, y, Config{})
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	var back linear.Model
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if err := back.Validate(); err != nil {
		t.Fatalf("Validate after round trip: %v", err)
	}
	want := make([]float64, X.Rows)
	got := make([]float64, X.Rows)
	m.PredictProbaInto(want, X)
	back.PredictProbaInto(got, X)
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("row %d: probability after round trip %.17g; want %.17g", i, got[i], want[i])
		}
	}
	margins := make([]float64, X.Rows)
	back.MarginInto(margins, X)
	for i := range margins {
		if p := 1 / (1 + math.Exp(-margins[i])); p != got[i] {
			t.Errorf("row %d: sigmoid(MarginInto) = %v; want PredictProbaInto %v", i, p, got[i])
		}
	}
}

func TestFitErrors(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	good := matrix.FromRows([][]float64{{1, 2}, {2, 1}, {3, 5}, {4, 4}})
	tests := []struct {
		name string
		X    *matrix.Dense
		y    []float64
		cfg  Config
		want error
	}{
		{"no rows", matrix.New(0, 2), nil, Config{}, learn.ErrNoRows},
		{"no columns", matrix.New(4, 0), []float64{0, 1, 0, 1}, Config{}, learn.ErrShape},
		{"labels short", good, []float64{0, 1, 0}, Config{}, learn.ErrShape},
		{"bad data length", &matrix.Dense{Rows: 4, Cols: 2, Data: make([]float64, 7)}, []float64{0, 1, 0, 1}, Config{}, learn.ErrShape},
		{"one class", good, []float64{1, 1, 1, 1}, Config{}, learn.ErrOneClass},
		{"NaN label", good, []float64{0, nan, 0, 1}, Config{}, learn.ErrLabel},
		{"Inf label", good, []float64{0, inf, 0, 1}, Config{}, learn.ErrLabel},
		{"label 2", good, []float64{0, 2, 0, 1}, Config{}, learn.ErrLabel},
		{"Inf feature", matrix.FromRows([][]float64{{1, 2}, {2, -inf}, {3, 5}, {4, 4}}), []float64{0, 1, 0, 1}, Config{}, learn.ErrInfinite},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(t.Context(), tc.X, tc.y, tc.cfg)
			if !errors.Is(err, tc.want) {
				t.Errorf("got error %v; want %v", err, tc.want)
			}
			if m != nil {
				t.Errorf("got model %+v; want nil", m)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	X := matrix.FromRows([][]float64{{1}, {2}, {3}, {4}})
	y := []float64{0, 1, 0, 1}
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"negative C", Config{C: -1}, "C"},
		{"NaN C", Config{C: math.NaN()}, "C"},
		{"Inf C", Config{C: math.Inf(1)}, "C"},
		{"unknown class weight", Config{ClassWeight: "auto"}, "ClassWeight"},
		{"negative MaxIter", Config{MaxIter: -5}, "MaxIter"},
		{"negative Tol", Config{Tol: -1e-6}, "Tol"},
		{"negative Workers", Config{Workers: -1}, "Workers"},
		{"NaN Tol", Config{Tol: math.NaN()}, "Tol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Fit(t.Context(), X, y, tc.cfg)
			var ce *learn.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got error %v; want a *learn.ConfigError", err)
			}
			if ce.Field != tc.field {
				t.Errorf("got field %q; want %q", ce.Field, tc.field)
			}
			if !strings.HasPrefix(err.Error(), "logreg: config "+tc.field) {
				t.Errorf("got message %q; want prefix %q", err, "logreg: config "+tc.field)
			}
		})
	}
}

func TestFitWorkersDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	X, y := randomMatrix(rng, 3*chunkRows+17, 9, 0.15)
	var want []byte
	for _, workers := range []int{1, 2, 3, 8} {
		m, err := Fit(t.Context(), X, y, Config{Workers: workers})
		if err != nil {
			t.Fatalf("workers=%d: %v", workers, err)
		}
		got, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if want == nil {
			want = got
			continue
		}
		if string(got) != string(want) {
			t.Errorf("workers=%d: model %s; want the one-worker model %s", workers, got, want)
		}
	}
}

func TestFitNotConverged(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X, y := randomMatrix(rng, 300, 6, 0.1)
	m, err := Fit(t.Context(), X, y, Config{MaxIter: 1})
	if !errors.Is(err, ErrNotConverged) {
		t.Fatalf("got error %v; want %v", err, ErrNotConverged)
	}
	if m == nil || m.Validate() != nil {
		t.Fatalf("got model %v; want the valid model reached so far", m)
	}
}

func TestFitCancelled(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X, y := randomMatrix(rng, 300, 6, 0.1)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	m, err := Fit(ctx, X, y, Config{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v; want %v", err, context.Canceled)
	}
	if m != nil {
		t.Errorf("got model %+v; want nil", m)
	}
}
