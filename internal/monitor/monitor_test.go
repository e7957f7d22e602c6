package monitor

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/model"
)

// tol is the absolute tolerance of the hand-computed figures.
const tol = 1e-12

func close(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) <= tol*max(1, math.Abs(b))
}

// TestBinomialTest compares with testdata/binomial.py, an exact rational
// computation of the same rule; the first two cases are also R's
// binom.test(7, 20) = 0.2632 and binom.test(682, 925, p = 0.75) = 0.3825.
func TestBinomialTest(t *testing.T) {
	tests := []struct {
		k, n int
		p    float64
		want float64
	}{
		{7, 20, 0.5, 0.26317596435546875},
		{682, 925, 0.75, 0.3824915595748517},
		{0, 10, 0.1, 0.61257951099999997},
		{3, 15, 0.1, 0.184061069106391},
		{10, 10, 0.5, 0.001953125},
		{25, 100, 0.3, 0.32598839283813891},
		{50, 1000, 0.04, 0.10649375515857823},
		{1, 2, 0.5, 1},
		{0, 0, 0.3, 1},
		{0, 5, 0, 1},
		{1, 5, 0, 0},
		{5, 5, 1, 1},
		{4, 5, 1, 0},
	}
	for _, tt := range tests {
		got := BinomialTest(tt.k, tt.n, tt.p)
		if math.Abs(got-tt.want) > 1e-10 {
			t.Errorf("BinomialTest(%d, %d, %v) = %.17g; want %.17g", tt.k, tt.n, tt.p, got, tt.want)
		}
	}
}

func TestBinomialTestPanics(t *testing.T) {
	for _, args := range [][3]float64{{-1, 3, 0.5}, {4, 3, 0.5}, {1, 3, -0.1}, {1, 3, math.NaN()}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("BinomialTest%v did not panic", args)
				}
			}()
			BinomialTest(int(args[0]), int(args[1]), args[2])
		}()
	}
}

func TestBandOf(t *testing.T) {
	tests := []struct {
		psi  float64
		want Band
	}{
		{0, BandStable}, {0.0999, BandStable}, {0.1, BandWatch}, {0.25, BandWatch},
		{0.2501, BandAction}, {3, BandAction}, {math.NaN(), BandUnknown},
	}
	for _, tt := range tests {
		if got := BandOf(tt.psi); got != tt.want {
			t.Errorf("BandOf(%v) = %s; want %s", tt.psi, got, tt.want)
		}
	}
}

// TestNewIndex checks PSI values computed by hand:
// Σ (a − e) · ln(a / e) with shares floored at 1e-4.
func TestNewIndex(t *testing.T) {
	ref := model.Bins{Name: "x", Edges: []float64{1, 2}, Shares: []float64{0.25, 0.25, 0.5, 0}}
	tests := []struct {
		name   string
		counts []int
		// psi = Σ terms below.
		psi    float64
		band   Band
		labels []string
	}{
		{
			name:   "shifted",
			counts: []int{10, 30, 60, 0},
			// (0.1−0.25)·ln(0.1/0.25) + (0.3−0.25)·ln(0.3/0.25) + (0.6−0.5)·ln(0.6/0.5)
			psi:  0.16479184330021643,
			band: BandWatch,
		},
		{name: "same", counts: []int{25, 25, 50, 0}, psi: 0, band: BandStable},
		{
			name:   "empty bin floored",
			counts: []int{0, 50, 50, 0},
			// (1e-4−0.25)·ln(1e-4/0.25) + (0.5−0.25)·ln(0.5/0.25) + 0
			psi:  (1e-4-0.25)*math.Log(1e-4/0.25) + 0.25*math.Log(2),
			band: BandAction,
		},
		{name: "no rows", counts: []int{0, 0, 0, 0}, psi: math.NaN(), band: BandUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ix, err := NewIndex("x", "src", &ref, tt.counts)
			if err != nil {
				t.Fatal(err)
			}
			if !close(float64(ix.PSI), tt.psi) || ix.Band != tt.band {
				t.Errorf("PSI %.17g (%s); want %.17g (%s)", float64(ix.PSI), ix.Band, tt.psi, tt.band)
			}
			var rows int
			var sum float64
			for _, b := range ix.Bins {
				rows += b.Count
				sum += float64(b.Contribution)
			}
			if rows != ix.Rows {
				t.Errorf("rows %d; bins hold %d", ix.Rows, rows)
			}
			if ix.Rows > 0 && !close(sum, tt.psi) {
				t.Errorf("contributions add up to %.17g; want %.17g", sum, tt.psi)
			}
			labels := []string{"< 1", "[1, 2)", ">= 2", "missing"}
			for i, b := range ix.Bins {
				if b.Label != labels[i] {
					t.Errorf("bin %d label %q; want %q", i, b.Label, labels[i])
				}
			}
		})
	}
}

func TestNewBacktest(t *testing.T) {
	bands := model.Bins{Name: "score", Edges: []float64{0.1, 0.2}, Shares: []float64{0.3, 0.3, 0.4, 0}}
	jan, feb := Month(2011*12), Month(2011*12+1)
	outcomes := []Outcome{
		{0.05, false, jan}, {0.05, false, jan}, {0.15, true, jan}, {0.25, true, jan},
		{0.05, true, feb}, {0.15, false, feb}, {0.25, false, feb}, {0.25, true, feb},
		{0.15, false, NoMonth},
	}
	bt, err := NewBacktest(outcomes, &bands, 0.05)
	if err != nil {
		t.Fatal(err)
	}
	check := func(what string, got Stats, loans, bads int, meanPD, auc, ks float64) {
		t.Helper()
		if got.Loans != loans || got.Bads != bads {
			t.Errorf("%s: %d loans, %d bad; want %d, %d", what, got.Loans, got.Bads, loans, bads)
		}
		rate := float64(bads) / float64(loans)
		if !close(float64(got.BadRate), rate) || !close(float64(got.MeanPD), meanPD) || !close(float64(got.Ratio), rate/meanPD) {
			t.Errorf("%s: bad rate %v, mean PD %v, ratio %v; want %v, %v, %v", what, got.BadRate, got.MeanPD, got.Ratio, rate, meanPD, rate/meanPD)
		}
		if p := BinomialTest(bads, loans, meanPD); !close(float64(got.PValue), p) {
			t.Errorf("%s: p %v; want %v", what, got.PValue, p)
		}
		if !close(float64(got.AUC), auc) || !close(float64(got.Gini), 2*auc-1) || !close(float64(got.KS), ks) {
			t.Errorf("%s: AUC %v, Gini %v, KS %v; want %v, %v, %v", what, got.AUC, got.Gini, got.KS, auc, 2*auc-1, ks)
		}
	}
	// Overall: 13 of the 20 (bad, good) pairs ranked right, ties half;
	// KS at PD 0.15: 2 of 4 bad loans against 4 of 5 good ones at or below.
	check("all", bt.Stats, 9, 4, 0.15, 0.65, 0.3)
	if len(bt.Months) != 3 {
		t.Fatalf("%d months; want 3", len(bt.Months))
	}
	for i, want := range []string{"2011-01", "2011-02", "unknown"} {
		if bt.Months[i].Month != want {
			t.Errorf("month %d is %s; want %s", i, bt.Months[i].Month, want)
		}
	}
	check("2011-01", bt.Months[0].Stats, 4, 2, 0.125, 1, 1)
	check("2011-02", bt.Months[1].Stats, 4, 2, 0.175, 0.375, 0.5)
	check("unknown", bt.Months[2].Stats, 1, 0, 0.15, math.NaN(), math.NaN())

	// Three loans per band; band 0: one bad at PD 0.05, p = P(X ≠ 0) for
	// Binomial(3, 0.05) as X = 1 is less likely than X = 0:
	// 1 − 0.95³ = 0.142625.
	wantBands := []struct {
		label string
		bads  int
		p     float64
	}{{"< 0.1", 1, 0.142625}, {"[0.1, 0.2)", 1, BinomialTest(1, 3, 0.15)}, {">= 0.2", 2, BinomialTest(2, 3, 0.25)}}
	if len(bt.Bands) != 3 {
		t.Fatalf("%d bands; want 3 (the missing bin left out)", len(bt.Bands))
	}
	for i, w := range wantBands {
		b := bt.Bands[i]
		if b.Band != w.label || b.Loans != 3 || b.Bads != w.bads || !close(float64(b.PValue), w.p) {
			t.Errorf("band %d: %s %d loans %d bad p %v; want %s 3 %d p %v", i, b.Band, b.Loans, b.Bads, b.PValue, w.label, w.bads, w.p)
		}
		if b.Flagged != (w.p < 0.05) {
			t.Errorf("band %d flagged %v with p %v at alpha 0.05", i, b.Flagged, w.p)
		}
	}
}

// TestNewVintage checks curves built by hand from a small portfolio.
func TestNewVintage(t *testing.T) {
	m := func(y, mo int) Month { return Month(y*12 + mo - 1) }
	loans := []Loan{
		{m(2011, 1), true, m(2011, 3)},   // 2 months on book
		{m(2011, 2), false, NoMonth},     // good
		{m(2011, 3), true, NoMonth},      // no default month: month 0
		{m(2011, 3), true, m(2012, 2)},   // goes bad after the as-of month
		{m(2011, 12), true, m(2011, 11)}, // dated before origination: month 0
		{m(2011, 11), false, NoMonth},
		{m(2012, 1), true, m(2012, 2)}, // originated after the as-of month
	}
	t.Run("quarter", func(t *testing.T) {
		v := NewVintage(loans, ByQuarter, m(2011, 12))
		want := Vintage{Cohort: ByQuarter, AsOf: "2011-12", Cohorts: []Cohort{
			// Newest loan from March: 9 months on book by December.
			{Name: "2011Q1", Loans: 4, Bads: 3, Undated: 1, Curve: []Float{0.25, 0.25, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}},
			{Name: "2011Q4", Loans: 2, Bads: 1, Curve: []Float{0.5}},
		}}
		if !reflect.DeepEqual(v, want) {
			t.Errorf("got %+v; want %+v", v, want)
		}
	})
	t.Run("month", func(t *testing.T) {
		v := NewVintage(loans, ByMonth, m(2011, 12))
		var names []string
		for _, c := range v.Cohorts {
			names = append(names, c.Name)
		}
		if want := []string{"2011-01", "2011-02", "2011-03", "2011-11", "2011-12"}; !slices.Equal(names, want) {
			t.Fatalf("cohorts %v; want %v", names, want)
		}
		jan := v.Cohorts[0]
		if len(jan.Curve) != 12 || jan.Curve[1] != 0 || jan.Curve[2] != 1 || jan.Curve[11] != 1 {
			t.Errorf("2011-01 curve %v; want 12 months, bad from month 2", jan.Curve)
		}
	})
}

func TestCheck(t *testing.T) {
	base := func() *Result {
		return &Result{
			Model:      ModelInfo{TestAUC: 0.70},
			Thresholds: Thresholds{MaxScorePSI: 0.25, MaxCSI: 0.25, MaxAUCDrop: 0.05, MaxBadRateRatio: 1.5, BandAlpha: 0.01, MinRows: 10},
			Stability: Stability{
				Judged:          true,
				Score:           Index{Name: "score", PSI: 0.05},
				Characteristics: []Index{{Name: "a", PSI: 0.2}, {Name: "b", PSI: Float(math.NaN())}},
			},
			Backtest: &Backtest{Stats: Stats{Loans: 100, Bads: 10, BadRate: 0.1, MeanPD: 0.1, Ratio: 1, AUC: 0.69}},
		}
	}
	tests := []struct {
		name   string
		change func(*Result)
		want   []CheckName
	}{
		{"none", func(*Result) {}, nil},
		{"score PSI", func(r *Result) { r.Stability.Score.PSI = 0.3 }, []CheckName{CheckScorePSI}},
		{"at the limit", func(r *Result) { r.Stability.Score.PSI = 0.25 }, nil},
		{"not judged", func(r *Result) { r.Stability.Score.PSI = 0.3; r.Stability.Judged = false }, nil},
		{"CSI", func(r *Result) { r.Stability.Characteristics[0].PSI = 0.4 }, []CheckName{CheckCSI}},
		{"CSI off", func(r *Result) { r.Stability.Characteristics[0].PSI = 9; r.Thresholds.MaxCSI = Float(math.Inf(1)) }, nil},
		{"min AUC", func(r *Result) { r.Thresholds.MinAUC = 0.695 }, []CheckName{CheckMinAUC}},
		{"AUC drop", func(r *Result) { r.Backtest.AUC = 0.6 }, []CheckName{CheckAUCDrop}},
		{"under-predicts", func(r *Result) { r.Backtest.Ratio = 1.6 }, []CheckName{CheckBadRateRatio}},
		{"over-predicts", func(r *Result) { r.Backtest.Ratio = 0.6 }, []CheckName{CheckBadRateRatio}},
		{"too few loans", func(r *Result) { r.Backtest.Ratio = 3; r.Backtest.Loans = 9 }, nil},
		{"no backtest", func(r *Result) { r.Backtest = nil }, nil},
		{"undefined AUC", func(r *Result) { r.Backtest.AUC = Float(math.NaN()); r.Thresholds.MinAUC = 0.9 }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base()
			tt.change(r)
			var got []CheckName
			for _, b := range Check(r) {
				got = append(got, b.Check)
				if b.Message == "" {
					t.Errorf("breach %s has no message", b.Check)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestFloatJSON(t *testing.T) {
	in := []Float{1.5, Float(math.NaN()), Float(math.Inf(1)), Float(math.Inf(-1)), 0}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[1.5,null,"+Inf","-Inf",0]`; string(data) != want {
		t.Errorf("got %s; want %s", data, want)
	}
	var out []Float
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !close(float64(out[i]), float64(in[i])) && !(math.IsInf(float64(in[i]), 0) && in[i] == out[i]) {
			t.Errorf("%d: got %v; want %v", i, out[i], in[i])
		}
	}
}

func TestMonth(t *testing.T) {
	tests := []struct {
		in, month, quarter string
		err                bool
	}{
		{in: "2011-09", month: "2011-09", quarter: "2011Q3"},
		{in: "2012-01", month: "2012-01", quarter: "2012Q1"},
		{in: "2016-12", month: "2016-12", quarter: "2016Q4"},
		{in: "Sep-2011", err: true},
		{in: "2011-13", err: true},
		{in: "0000-01", err: true},
	}
	for _, tt := range tests {
		m, err := ParseMonth(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseMonth(%q): error %v; want error %v", tt.in, err, tt.err)
			continue
		}
		if tt.err {
			if m != NoMonth {
				t.Errorf("ParseMonth(%q) = %v with an error; want NoMonth", tt.in, m)
			}
			continue
		}
		if !m.Known() || m.String() != tt.month || m.Quarter() != tt.quarter {
			t.Errorf("ParseMonth(%q) = %s, %s; want %s, %s", tt.in, m, m.Quarter(), tt.month, tt.quarter)
		}
	}
	var zero Month
	if zero.Known() || zero.String() != "unknown" || zero != NoMonth {
		t.Errorf("the zero Month is %q (known %v); want unknown", zero.String(), zero.Known())
	}
	// Days since 1970 of 2011-09-15.
	if m := MonthOf(15232); m.String() != "2011-09" {
		t.Errorf("MonthOf(15232) = %s; want 2011-09", m)
	}
}
