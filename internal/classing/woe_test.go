package classing

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"
)

// tol is the absolute tolerance of the reference comparisons; WoE and IV
// are of order 1, so it is also a relative one.
const tol = 1e-12

// TestWoEIVReference compares WoE and IV with testdata/woe_iv.csv, which
// testdata/woe_iv.py computes from testdata/bins.csv with Python's
// standard library (see testdata/README.md).
func TestWoEIVReference(t *testing.T) {
	f, err := os.Open("testdata/woe_iv.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		bin          string
		goods, bads  float64
		woe, iv, tiv float64
	}
	tables := map[string][]row{}
	var order []string
	for line, rec := range recs[1:] {
		num := func(i int) float64 {
			v, err := strconv.ParseFloat(rec[i], 64)
			if err != nil {
				t.Fatalf("woe_iv.csv line %d: %v", line+2, err)
			}
			return v
		}
		if _, ok := tables[rec[0]]; !ok {
			order = append(order, rec[0])
		}
		tables[rec[0]] = append(tables[rec[0]], row{rec[1], num(2), num(3), num(4), num(5), num(6)})
	}
	if len(order) < 5 {
		t.Fatalf("read %d tables; want at least 5", len(order))
	}
	for _, name := range order {
		t.Run(name, func(t *testing.T) {
			rows := tables[name]
			var G, B float64
			for _, r := range rows {
				G += r.goods
				B += r.bads
			}
			var total float64
			for _, r := range rows {
				woe := WoE(r.goods, r.bads, G, B, DefaultAdjustment)
				iv := IV(r.goods, r.bads, G, B, woe)
				total += iv
				if math.Abs(woe-r.woe) > tol {
					t.Errorf("bin %s: WoE = %.17g; want %.17g", r.bin, woe, r.woe)
				}
				if math.Abs(iv-r.iv) > tol {
					t.Errorf("bin %s: IV = %.17g; want %.17g", r.bin, iv, r.iv)
				}
			}
			if math.Abs(total-rows[0].tiv) > tol {
				t.Errorf("table IV = %.17g; want %.17g", total, rows[0].tiv)
			}
		})
	}
}

// TestWoEIVHand checks the table worked by hand in testdata/README.md,
// written as exact fractions.
func TestWoEIVHand(t *testing.T) {
	const G, B = 800, 100
	tests := []struct {
		bin         string
		goods, bads float64
		woe, iv     float64
	}{
		{"A", 400, 20, math.Log(5.0 / 2), 0.3 * math.Log(5.0/2)},
		{"B", 300, 30, math.Log(5.0 / 4), 0.075 * math.Log(5.0/4)},
		{"C", 100, 45, math.Log(5.0 / 18), -0.325 * math.Log(5.0/18)},
		{"D", 0, 5, math.Log(1.0 / 88), -0.05 * math.Log(1.0/88)},
	}
	var total float64
	for _, tt := range tests {
		woe := WoE(tt.goods, tt.bads, G, B, DefaultAdjustment)
		iv := IV(tt.goods, tt.bads, G, B, woe)
		total += iv
		if math.Abs(woe-tt.woe) > tol || math.Abs(iv-tt.iv) > tol {
			t.Errorf("bin %s: WoE, IV = %.17g, %.17g; want %.17g, %.17g", tt.bin, woe, iv, tt.woe, tt.iv)
		}
	}
	if math.Abs(total-0.9317933264098935) > tol {
		t.Errorf("IV = %.17g; want 0.9317933264098935", total)
	}
	if got := StrengthOf(total); got != Suspicious {
		t.Errorf("StrengthOf(%v) = %v; want suspicious", total, got)
	}
}

func TestWoEEdges(t *testing.T) {
	tests := []struct {
		name        string
		goods, bads float64
		want        float64
	}{
		{"empty bin", 0, 0, 0},
		{"average bin", 80, 20, 0},
		{"zero bads", 10, 0, math.Log((10.5 / 800) / (0.5 / 200))},
		{"zero goods", 0, 10, math.Log((0.5 / 800) / (10.5 / 200))},
		{"safer than average", 90, 10, math.Log((90.0 / 800) / (10.0 / 200))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := WoE(tt.goods, tt.bads, 800, 200, DefaultAdjustment)
			if math.Abs(got-tt.want) > tol {
				t.Errorf("WoE(%v, %v, 800, 200) = %v; want %v", tt.goods, tt.bads, got, tt.want)
			}
			if math.IsInf(got, 0) || math.IsNaN(got) {
				t.Errorf("WoE is not finite: %v", got)
			}
		})
	}
	if w := WoE(90, 10, 800, 200, DefaultAdjustment); !(w > 0) {
		t.Errorf("WoE of a bin safer than average = %v; want > 0", w)
	}
}

func TestStrengthOf(t *testing.T) {
	tests := []struct {
		iv   float64
		want Strength
	}{
		{math.NaN(), Unpredictive},
		{-0.01, Unpredictive},
		{0, Unpredictive},
		{0.0199, Unpredictive},
		{0.02, Weak},
		{0.0999, Weak},
		{0.1, Medium},
		{0.2999, Medium},
		{0.3, Strong},
		{0.5, Strong},
		{0.5000001, Suspicious},
		{3, Suspicious},
	}
	for _, tt := range tests {
		if got := StrengthOf(tt.iv); got != tt.want {
			t.Errorf("StrengthOf(%v) = %v; want %v", tt.iv, got, tt.want)
		}
	}
}

func TestStrengthText(t *testing.T) {
	for s := Unpredictive; s <= Suspicious; s++ {
		text, err := s.MarshalText()
		if err != nil {
			t.Fatalf("%d.MarshalText: %v", int(s), err)
		}
		if string(text) != s.String() {
			t.Errorf("MarshalText = %q; String = %q", text, s)
		}
		var back Strength
		if err := back.UnmarshalText(text); err != nil || back != s {
			t.Errorf("UnmarshalText(%q) = %v, %v; want %v", text, back, err, s)
		}
	}
	if _, err := Strength(5).MarshalText(); err == nil {
		t.Error("Strength(5).MarshalText succeeded; want an error")
	}
	if got := Strength(-1).String(); got != "Strength(-1)" {
		t.Errorf("Strength(-1).String() = %q", got)
	}
	var s Strength
	if err := s.UnmarshalText([]byte("huge")); err == nil {
		t.Error(`UnmarshalText("huge") succeeded; want an error`)
	}
}
