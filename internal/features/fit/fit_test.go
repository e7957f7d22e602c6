package fit

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
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
