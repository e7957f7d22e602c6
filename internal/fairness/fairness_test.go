package fairness

import (
	"errors"
	"math"
	"slices"
	"testing"
)

func TestAnalyze(t *testing.T) {
	// Group a: 40 applications, PD 0.1 (approved) for 30 and 0.6 for 10;
	// group b: 40, PD 0.1 for 20 and 0.6 for 20; group c: 5, all approved
	// (too small to be the reference or flagged); 3 missing.
	var groups []string
	var y, pd []float64
	add := func(g string, n int, p, bad float64) {
		for i := range n {
			groups, pd = append(groups, g), append(pd, p)
			label := 0.0
			if float64(i) < bad*float64(n) {
				label = 1
			}
			y = append(y, label)
		}
	}
	add("a", 30, 0.1, 0.1)
	add("a", 10, 0.6, 0.5)
	add("b", 20, 0.1, 0.1)
	add("b", 20, 0.6, 0.5)
	add("c", 5, 0.1, 0)
	add("", 3, 0.5, 0)
	a, err := Analyze("sex", groups, y, pd, 0.5, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.Reference != "a" || a.Missing != 3 || len(a.Groups) != 3 {
		t.Fatalf("reference %q, missing %d, %d groups; want a, 3, 3", a.Reference, a.Missing, len(a.Groups))
	}
	ga, gb, gc := a.Groups[0], a.Groups[1], a.Groups[2]
	tests := []struct {
		name      string
		got, want float64
	}{
		{"a approval", ga.ApprovalRate, 0.75},
		{"b approval", gb.ApprovalRate, 0.5},
		{"a AIR", ga.AIR, 1},
		{"b AIR", gb.AIR, 0.5 / 0.75},
		{"c AIR", gc.AIR, 1 / 0.75},
		{"a bad rate", ga.BadRate, 8.0 / 40},
		{"b bad rate", gb.BadRate, 12.0 / 40},
		{"a mean PD", ga.MeanPD, (30*0.1 + 10*0.6) / 40},
		{"b calibration gap", gb.CalibrationGap, (20*0.1+20*0.6)/40 - 12.0/40},
	}
	for _, tt := range tests {
		if math.Abs(tt.got-tt.want) > 1e-12 {
			t.Errorf("%s = %v; want %v", tt.name, tt.got, tt.want)
		}
	}
	if ga.Flagged || !gb.Flagged || gc.Flagged || !gc.TooSmall {
		t.Errorf("flags: a %v, b %v, c %v (too small %v); want only b flagged and c too small", ga.Flagged, gb.Flagged, gc.Flagged, gc.TooSmall)
	}
	if !(gb.AUC > 0.5 && gb.AUC <= 1) || !math.IsNaN(gc.AUC) {
		t.Errorf("AUC b %v (want in (0.5, 1]), c %v (one class: want NaN)", gb.AUC, gc.AUC)
	}
	if _, err := Analyze("x", []string{"a"}, []float64{1, 0}, []float64{0.1}, 0.5, nil); !errors.Is(err, ErrLengths) {
		t.Errorf("lengths: %v", err)
	}
	if _, err := Analyze("x", []string{""}, []float64{1}, []float64{0.1}, 0.5, nil); !errors.Is(err, ErrNoGroups) {
		t.Errorf("no groups: %v", err)
	}
}

func TestBands(t *testing.T) {
	got, names := Bands([]float64{18, 25, 29.5, 40, 70, math.NaN()}, []float64{25, 40, 60})
	want := []string{"< 25", "25–40", "25–40", "40–60", ">= 60", ""}
	if !slices.Equal(got, want) || !slices.Equal(names, []string{"< 25", "25–40", "40–60", ">= 60"}) {
		t.Errorf("Bands = %q, %q", got, names)
	}
	// Ordered by band, not by name.
	a, err := Analyze("age", got, []float64{0, 1, 0, 0, 1, 0}, []float64{0.1, 0.7, 0.2, 0.1, 0.6, 0.1}, 0.5, names)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, g := range a.Groups {
		order = append(order, g.Name)
	}
	if !slices.Equal(order, names) {
		t.Errorf("group order %q; want %q", order, names)
	}
}
