package fit

import (
	"cmp"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
)

// synthetic returns n rows of five columns and labels: column 0 and 1
// drive the log-odds of default (column 0 upwards, column 1 downwards),
// column 2 is a copy of column 0 with small noise (correlated), column 3
// is noise and column 4 is the label plus noise (a leak). A tenth of column 1 is
// missing.
func synthetic(n int, seed uint64) (*matrix.Dense, []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	X := matrix.New(n, 5)
	y := make([]float64, n)
	for i := range n {
		a, b := r.NormFloat64(), r.NormFloat64()
		z := -2 + 0.6*a - 0.5*b
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
		if r.Float64() < 0.1 {
			b = math.NaN()
		}
		X.Set(i, 0, a)
		X.Set(i, 1, b)
		X.Set(i, 2, a+0.05*r.NormFloat64())
		X.Set(i, 3, r.NormFloat64())
		X.Set(i, 4, 3*y[i]+r.NormFloat64())
	}
	return X, y
}

func TestFit(t *testing.T) {
	X, y := synthetic(20000, 1)
	res, err := Fit(t.Context(), X, y, nil, Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]Status{}
	for _, d := range res.Decisions {
		status[d.Characteristic] = d.Status
	}
	// Of the pair column_0, column_2 the one with the higher IV stays.
	if !(status["column_0"] == Selected && status["column_2"] == Correlated || status["column_0"] == Correlated && status["column_2"] == Selected) {
		t.Errorf("column_0 %q, column_2 %q; want one selected, the other correlated", status["column_0"], status["column_2"])
	}
	want := map[string]Status{"column_1": Selected, "column_3": LowIV, "column_4": Suspicious}
	for name, st := range want {
		if status[name] != st {
			t.Errorf("%s: status %q; want %q (decisions %+v)", name, status[name], st, res.Decisions)
		}
	}
	for i := 1; i < len(res.Decisions); i++ {
		if res.Decisions[i].IV > res.Decisions[i-1].IV {
			t.Errorf("decisions not in decreasing IV order: %+v", res.Decisions)
		}
	}
	sc := res.Scorecard
	if len(sc.Characteristics) != 2 {
		t.Fatalf("%d characteristics; want 2", len(sc.Characteristics))
	}
	for _, c := range sc.Characteristics {
		if !(c.Coef < 0) {
			t.Errorf("%s: coefficient %v; want negative", c.Name, c.Coef)
		}
		// Points follow WoE: a safer bin never gets fewer points.
		for i := range c.Binning.Bins {
			for j := range c.Binning.Bins {
				if c.Binning.Bins[i].WoE > c.Binning.Bins[j].WoE && c.Points[i] < c.Points[j] {
					t.Errorf("%s: bin %d (WoE %v) has %d points, bin %d (WoE %v) %d", c.Name, i, c.Binning.Bins[i].WoE, c.Points[i], j, c.Binning.Bins[j].WoE, c.Points[j])
				}
			}
		}
	}
	// Every bin's points are CREDIT.md §1's formula, rounded.
	for _, c := range sc.Characteristics {
		for i, bin := range c.Binning.Bins {
			if want := int(math.Round(sc.Scaling.Points(c.Coef, bin.WoE, sc.Intercept, len(sc.Characteristics)))); c.Points[i] != want {
				t.Errorf("%s bin %d: %d points; want %d", c.Name, i, c.Points[i], want)
			}
		}
	}
	if c := sc.Characteristics[1]; c.Name == "column_1" && c.Binning.Bins[c.Binning.Missing].Count() == 0 {
		t.Error("column_1's missing values have no bin")
	}
	// The score's log-odds are the regression's to within the rounding of
	// the points: at most half a point per characteristic.
	for i := range 200 {
		x := X.Row(i)
		exact := sc.Intercept
		for k, c := range sc.Characteristics {
			exact += c.Coef * c.Binning.Bins[sc.Bin(k, x)].WoE
		}
		if d := math.Abs(sc.Margin(x) - exact); d > 0.5*float64(len(sc.Characteristics))/sc.Scaling.Factor+1e-12 {
			t.Fatalf("row %d: margin %v from the score; %v from the regression", i, sc.Margin(x), exact)
		}
	}
}

// TestFitCleared names the leak among the characteristics cleared of
// leakage: it is then used, and marked.
func TestFitCleared(t *testing.T) {
	X, y := synthetic(20000, 1)
	res, err := Fit(t.Context(), X, y, nil, Config{Cleared: []string{"column_4"}, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Decisions {
		if d.Characteristic == "column_4" && (d.Status == Suspicious || !d.Cleared) {
			t.Errorf("column_4: %+v; want a cleared candidate", d)
		}
	}
}

// TestFitDeterministic fits with one and four threads: the scorecards are
// identical, for each coding and with and without free classing.
func TestFitDeterministic(t *testing.T) {
	X, y := synthetic(5000, 2)
	for _, cfg := range []Config{{}, {Coding: BinCoding}, {FreeTrend: true, Coding: BinCoding}, {Coding: BinCoding, SelectionRows: 1000}} {
		cfg.Threads = 1
		a, err := Fit(t.Context(), X, y, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Threads = 4
		b, err := Fit(t.Context(), X, y, nil, cfg)
		if err != nil {
			t.Fatal(err)
		}
		ja, err := json.Marshal(a.Scorecard)
		if err != nil {
			t.Fatal(err)
		}
		jb, err := json.Marshal(b.Scorecard)
		if err != nil {
			t.Fatal(err)
		}
		if string(ja) != string(jb) {
			t.Errorf("coding %q, free trend %v: the scorecards differ with 1 and 4 threads:\n%s\n%s", cfg.Coding, cfg.FreeTrend, ja, jb)
		}
	}
}

// TestFitBinCoding checks a bin-coded scorecard against its definition:
// the WoE-coded selection, a coefficient per bin (0 for an empty one)
// centred on each characteristic's training rows, monotone in the
// binning's direction, and points −(γ + α/n)·Factor + Offset/n rounded.
// On these data, where the log-odds are linear in the values, it ranks
// about as well as the WoE-coded scorecard.
func TestFitBinCoding(t *testing.T) {
	X, y := synthetic(20000, 5)
	woe, err := Fit(t.Context(), X, y, nil, Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Fit(t.Context(), X, y, nil, Config{Threads: 2, Coding: BinCoding})
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scorecard
	if got, want := names(sc.Characteristics), names(woe.Scorecard.Characteristics); !slices.Equal(got, want) {
		t.Fatalf("characteristics %v; want the WoE-coded selection %v", got, want)
	}
	n := len(sc.Characteristics)
	for _, c := range sc.Characteristics {
		b := c.Binning
		if c.Coef != 0 || len(c.BinCoefs) != len(b.Bins) {
			t.Fatalf("%s: coef %v, %d bin coefficients for %d bins", c.Name, c.Coef, len(c.BinCoefs), len(b.Bins))
		}
		var mean, total float64
		for j, g := range c.BinCoefs {
			cnt := float64(b.Bins[j].Count())
			if cnt == 0 && g != 0 {
				t.Errorf("%s bin %d: empty with coefficient %v", c.Name, j, g)
			}
			mean += cnt * g
			total += cnt
			if want := int(math.Round(sc.Scaling.Points(1, g, sc.Intercept, n))); c.Points[j] != want {
				t.Errorf("%s bin %d: points %d; want %d", c.Name, j, c.Points[j], want)
			}
		}
		if math.Abs(mean/total) > 1e-12 {
			t.Errorf("%s: weighted mean coefficient %v; want 0", c.Name, mean/total)
		}
		for j := 1; j < b.Missing; j++ {
			if d := float64(b.Direction) * (c.BinCoefs[j] - c.BinCoefs[j-1]); d < 0 {
				t.Errorf("%s (%v): coefficients %v against the direction", c.Name, b.Direction, c.BinCoefs)
			}
		}
	}
	if aw, ab := auc(woe.Scorecard.Margin, X, y), auc(sc.Margin, X, y); math.Abs(aw-ab) > 0.01 {
		t.Errorf("training ROC-AUC %v bin-coded, %v WoE-coded; want them within 0.01", ab, aw)
	}
}

func names(cs []scorecard.Characteristic) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// auc returns the ROC-AUC of margin on the rows of X (Mann–Whitney, ties
// counted half).
func auc(margin func([]float64) float64, X *matrix.Dense, y []float64) float64 {
	type pt struct{ m, y float64 }
	ps := make([]pt, X.Rows)
	for i := range ps {
		ps[i] = pt{margin(X.Row(i)), y[i]}
	}
	slices.SortFunc(ps, func(a, b pt) int { return cmp.Compare(a.m, b.m) })
	var pos, neg, sum float64
	for i := 0; i < len(ps); {
		j := i
		var p, q float64
		for ; j < len(ps) && ps[j].m == ps[i].m; j++ {
			if ps[j].y == 1 {
				p++
			} else {
				q++
			}
		}
		sum += p * (neg + q/2)
		pos += p
		neg += q
		i = j
	}
	return sum / (pos * neg)
}

func TestIsotonic(t *testing.T) {
	for _, c := range []struct {
		name string
		g, w []float64
		dir  classing.Direction
		want []float64
	}{
		{"increasing kept", []float64{-1, 0, 2}, []float64{1, 1, 1}, classing.Increasing, []float64{-1, 0, 2}},
		{"one violation pooled by weight", []float64{-1, 2, 0}, []float64{1, 1, 3}, classing.Increasing, []float64{-1, 0.5, 0.5}},
		{"decreasing", []float64{1, 2, -1}, []float64{2, 2, 1}, classing.Decreasing, []float64{1.5, 1.5, -1}},
		{"pooled backwards", []float64{0, 3, 2, 1}, []float64{1, 1, 1, 1}, classing.Increasing, []float64{0, 2, 2, 2}},
		{"empty element joins a block", []float64{1, 0, 2}, []float64{1, 0, 1}, classing.Increasing, []float64{1, 1, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := slices.Clone(c.g)
			isotonic(g, c.w, c.dir)
			for i := range g {
				if math.Abs(g[i]-c.want[i]) > 1e-12 {
					t.Fatalf("isotonic(%v, %v) = %v; want %v", c.g, c.w, g, c.want)
				}
			}
		})
	}
}

// TestFitWrongSign gives a characteristic that helps only together with
// another and with the wrong sign: it is dropped and recorded.
func TestFitWrongSign(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	n := 20000
	X := matrix.New(n, 2)
	y := make([]float64, n)
	for i := range n {
		a := r.NormFloat64()
		b := a + 0.8*r.NormFloat64() // marginally riskier with b, conditionally safer
		z := -1.5 + 0.7*a - 0.3*b
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
		X.Set(i, 0, a)
		X.Set(i, 1, b)
	}
	res, err := Fit(t.Context(), X, y, nil, Config{MaxCorrelation: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got Status
	for _, d := range res.Decisions {
		if d.Characteristic == "column_1" {
			got = d.Status
		}
	}
	if got != WrongSign {
		t.Errorf("column_1: status %q; want %q (decisions %+v)", got, WrongSign, res.Decisions)
	}
	if len(res.Scorecard.Characteristics) != 1 {
		t.Errorf("%d characteristics; want 1", len(res.Scorecard.Characteristics))
	}
}

func TestFitErrors(t *testing.T) {
	X, y := synthetic(500, 4)
	for _, c := range []struct {
		name string
		cfg  Config
		y    []float64
		want error
	}{
		{"negative max characteristics", Config{MaxCharacteristics: -1}, y, learn.ErrConfig},
		{"correlation above 1", Config{MaxCorrelation: 1.5}, y, learn.ErrConfig},
		{"NaN IV threshold", Config{IVThreshold: math.NaN()}, y, learn.ErrConfig},
		{"unknown coding", Config{Coding: "dummy"}, y, learn.ErrConfig},
		{"label 2", Config{}, append(slices.Clone(y[:499]), 2), learn.ErrLabel},
		{"nothing predictive", Config{IVThreshold: 10}, y, ErrNoCharacteristic},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Fit(t.Context(), X, c.y, nil, c.cfg); !errors.Is(err, c.want) {
				t.Errorf("Fit error = %v; want %v", err, c.want)
			}
		})
	}
	_ = classing.Numeric
}
