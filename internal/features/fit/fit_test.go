package fit

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

func TestInput(t *testing.T) {
	nan := math.NaN()
	cfg := dataset.Cleaning{MaxMissing: 0.5, CapLower: 0.25, CapUpper: 0.75, MissingIndicatorMin: 0.2}
	// The last row is the test period.
	isTest := []bool{false, false, false, false, false, true}
	num := func(v ...float64) *Column {
		return &Column{Input: features.Input{Name: "x", Kind: features.KindNumeric}, Num: v}
	}
	tests := []struct {
		name     string
		col      *Column
		wantDrop string
		check    func(t *testing.T, in features.Input)
	}{
		{"mostly missing", num(nan, nan, nan, 1, 2, 3), DropHighMissing, nil},
		{"constant in training", num(4, 4, nan, 4, 4, 9), DropConstant, nil},
		{"caps and median", num(1, 2, 3, 4, 100, -50), "", func(t *testing.T, in features.Input) {
			// Training values 1 2 3 4 100: quantiles 2 and 4; capped, 2 2 3 4 4.
			if *in.CapLow != 2 || *in.CapHigh != 4 || *in.Impute != 3 || !in.Required || in.Indicator {
				t.Errorf("got caps %v %v impute %v required %v indicator %v; want 2 4 3 true false", *in.CapLow, *in.CapHigh, *in.Impute, in.Required, in.Indicator)
			}
		}},
		{"no cap", &Column{Input: features.Input{Name: "x", Kind: features.KindNumeric}, Num: []float64{1, nan, 3, 4, 100, 7}, NoCap: true}, "", func(t *testing.T, in features.Input) {
			if in.CapLow != nil || in.CapHigh != nil || *in.Impute != 3.5 || in.Required || !in.Indicator {
				t.Errorf("got input %+v; want no caps, impute 3.5, an indicator", in)
			}
		}},
		{"ordinal mode", &Column{Input: features.Input{Name: "g", Kind: features.KindOrdinal}, Codes: []int32{1, 0, 1, -1, 1, 0}, Levels: []string{"A", "B"}}, "", func(t *testing.T, in features.Input) {
			if in.ImputeLevel != "B" || in.Stats.Levels[0] != "B" || in.Required {
				t.Errorf("got input %+v; want imputed with the mode B", in)
			}
		}},
		// Row 1 holds the special value 96, row 5 (test) 98, row 3 is
		// missing: the training values are 1 3 5, quantiles 2 and 4,
		// median 3, missing share 1/5 and 96 on 1/5 of the training rows.
		{"special values", &Column{Input: features.Input{Name: "x", Kind: features.KindNumeric, Special: []string{"96", "98"}}, Num: []float64{1, nan, 3, nan, 5, nan}, Special: []int32{0, 1, 0, 0, 0, 2}}, "", func(t *testing.T, in features.Input) {
			if *in.CapLow != 2 || *in.CapHigh != 4 || *in.Impute != 3 || in.Stats.MissingShare != 0.2 || !in.Indicator || *in.Stats.Min != 2 || *in.Stats.Max != 4 {
				t.Errorf("got caps %v %v impute %v missing share %v indicator %v range %v %v; want 2 4 3 0.2 true 2 4", *in.CapLow, *in.CapHigh, *in.Impute, in.Stats.MissingShare, in.Indicator, *in.Stats.Min, *in.Stats.Max)
			}
			if len(in.Stats.SpecialShares) != 2 || in.Stats.SpecialShares[0] != 0.2 || in.Stats.SpecialShares[1] != 0 {
				t.Errorf("got special shares %v; want [0.2 0]", in.Stats.SpecialShares)
			}
		}},
		{"only special values", &Column{Input: features.Input{Name: "x", Kind: features.KindNumeric, Special: []string{"96", "98"}}, Num: []float64{nan, nan, nan, nan, nan, 1}, Special: []int32{1, 2, 1, 2, 1, 0}}, DropConstant, nil},
		{"one value and a special value", &Column{Input: features.Input{Name: "x", Kind: features.KindNumeric, Special: []string{"96"}}, Num: []float64{4, nan, 4, 4, 4, 4}, Special: []int32{0, 1, 0, 0, 0, 0}}, "", func(t *testing.T, in features.Input) {
			if !in.Required || *in.Impute != 4 || in.Stats.SpecialShares[0] != 0.2 {
				t.Errorf("got input %+v; want required, imputed with 4, special share 0.2", in)
			}
		}},
		{"ordinal special", &Column{Input: features.Input{Name: "g", Kind: features.KindOrdinal, Special: []string{"U"}}, Codes: []int32{0, -1, 1, -1, 0, 0}, Levels: []string{"A", "B"}, Special: []int32{0, 1, 0, 0, 0, 0}}, "", func(t *testing.T, in features.Input) {
			if in.ImputeLevel != "A" || in.Stats.MissingShare != 0.2 || in.Stats.SpecialShares[0] != 0.2 || len(in.Stats.Levels) != 2 {
				t.Errorf("got input %+v; want mode A, missing share 0.2, special share 0.2, levels A B", in)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, out := Input(tt.col, isTest, cfg)
			if out.Drop != tt.wantDrop {
				t.Fatalf("got drop %q (%s); want %q", out.Drop, out.Detail, tt.wantDrop)
			}
			if tt.check != nil {
				tt.check(t, in)
			}
		})
	}
}

func TestCheckLeakage(t *testing.T) {
	y := []float64{0, 0, 0, 1, 1, 1}
	X := &matrix.Dense{Rows: 6, Cols: 3, Data: []float64{
		// leaky, noise, one class among the non-missing rows
		1, 5, 1,
		2, 3, 2,
		3, 6, math.NaN(),
		4, 1, math.NaN(),
		5, 4, math.NaN(),
		6, 2, math.NaN(),
	}}
	all, err := CheckLeakage([]string{"leaky", "noise", "one_class"}, X, y)
	if !errors.Is(err, ErrLeakage) || !strings.Contains(err.Error(), "leaky separates") {
		t.Errorf("got error %v; want ErrLeakage naming leaky", err)
	}
	if len(all) != 2 || all[0].Feature != "leaky" || all[0].AUC != 1 || all[1].Feature != "noise" {
		t.Errorf("got findings %+v; want leaky (AUC 1) and noise", all)
	}
	if _, err := CheckLeakage([]string{"noise"}, &matrix.Dense{Rows: 6, Cols: 1, Data: X.Column(nil, 1)}, y); err != nil {
		t.Errorf("got error %v for a noise column; want none", err)
	}
}

// TestPipelineLevelsAndSpecials checks the features Pipeline makes: a real
// level called "other" keeps its own column beside the rare levels'
// bucket features.OtherLevel, and each special value seen in training gets
// a feature while one never seen gets none.
func TestPipelineLevelsAndSpecials(t *testing.T) {
	// 20 training rows: car 8, other 6, debt 5, rare 1 (below 10 %).
	var codes []int32
	for code, n := range []int{8, 6, 5, 1} {
		for range n {
			codes = append(codes, int32(code))
		}
	}
	rows := len(codes)
	labels := make([]float64, rows)
	train := make([]bool, rows)
	num := make([]float64, rows)
	for i := range rows {
		labels[i] = float64(i % 3 / 2)
		train[i] = true
		num[i] = float64(i)
	}
	f := &frame.Frame{Columns: []*frame.Column{
		{Name: "purpose", Kind: frame.Categorical, Codes: codes, Levels: []string{"car", "other", "debt", "rare"}},
		{Name: "delinq", Kind: frame.Numeric, Num: num},
	}}
	cfg := Config{
		Dataset: "t",
		Inputs: []features.Input{
			{Name: "purpose", Kind: features.KindCategorical, ImputeLevel: features.MissingLevel},
			{Name: "delinq", Kind: features.KindNumeric, Parser: "number", Special: []string{"96", "98"}, Stats: features.InputStats{SpecialShares: []float64{0.1, 0}}},
		},
		Encoding: Encoding{MaxOneHot: 16, MinLevelShare: 0.1, Smoothing: 100},
	}
	p, err := Pipeline(cfg, f, labels, train)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.FeatureNames(), " ")
	want := "purpose=car purpose=other purpose=debt purpose=" + features.OtherLevel + " delinq delinq_special_96"
	if got != want {
		t.Errorf("got features %s\nwant %s", got, want)
	}
}
