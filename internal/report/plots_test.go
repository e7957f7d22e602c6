package report

import (
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/plot/plotter"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

func TestRoundTicks(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
		labels []string
	}{
		{"unit", 0, 1, []string{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9", "1.0"}},
		{"to 0.95", 0, 0.95, []string{"0.0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}},
		{"to 0.16", 0, 0.16, []string{"0.00", "0.02", "0.04", "0.06", "0.08", "0.10", "0.12", "0.14", "0.16"}},
		{"to 0.4", 0, 0.4, []string{"0.00", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35", "0.40"}},
		{"negative", -2, 3, []string{"-2.0", "-1.5", "-1.0", "-0.5", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0"}},
		{"large", 0, 1200, []string{"0", "200", "400", "600", "800", "1000", "1200"}},
		{"empty range", 0.3, 0.3, []string{"0.3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var labels []string
			for _, tk := range roundTicks(tt.lo, tt.hi) {
				if tk.Value < tt.lo-1e-9 || tk.Value > tt.hi+1e-9 {
					t.Errorf("got tick %v outside [%v, %v]", tk.Value, tt.lo, tt.hi)
				}
				if !tk.IsMinor() {
					labels = append(labels, tk.Label)
				}
			}
			if !slices.Equal(labels, tt.labels) {
				t.Errorf("got labels %q; want %q", labels, tt.labels)
			}
		})
	}
}

func TestThin(t *testing.T) {
	line := func(n int) plotter.XYs {
		xys := make(plotter.XYs, n)
		for i := range xys {
			x := float64(i) / float64(n-1)
			xys[i] = plotter.XY{X: x, Y: math.Sqrt(x)}
		}
		return xys
	}
	tests := []struct {
		name    string
		in      plotter.XYs
		eps     float64
		maxKept int
	}{
		{"empty", nil, 1e-3, 0},
		{"two points", line(2), 1e-3, 2},
		{"dense", line(100_000), 1e-3, 2002},
		{"sparse", line(50), 1e-3, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := thin(tt.in, tt.eps)
			if len(got) > tt.maxKept {
				t.Errorf("got %d points; want at most %d", len(got), tt.maxKept)
			}
			if len(tt.in) == 0 {
				return
			}
			if got[0] != tt.in[0] || got[len(got)-1] != tt.in[len(tt.in)-1] {
				t.Errorf("got ends %v, %v; want %v, %v", got[0], got[len(got)-1], tt.in[0], tt.in[len(tt.in)-1])
			}
			// Every dropped point is within eps of the last kept point
			// before it.
			k := 0
			for _, pt := range tt.in {
				if k+1 < len(got) && pt == got[k+1] {
					k++
					continue
				}
				if d := max(math.Abs(pt.X-got[k].X), math.Abs(pt.Y-got[k].Y)); d > tt.eps && pt != got[k] {
					t.Fatalf("got point %v dropped %v from %v; want within %v", pt, d, got[k], tt.eps)
				}
			}
		})
	}
}

func TestPlotText(t *testing.T) {
	tests := []struct {
		name, in string
		max      int
		want     string
	}{
		{"plain", "int_rate", 36, "int_rate"},
		{"control", "a\x00b\nc\td", 36, "a b c d"},
		{"invalid UTF-8", "a\xffb", 36, "a\uFFFDb"},
		{"noncharacter", "a\uFFFEb", 36, "a\uFFFDb"},
		{"long", strings.Repeat("x", 40), 10, "xxxxxxx..."},
		{"long runes", strings.Repeat("é", 12), 10, "ééééééé..."},
		{"exact", strings.Repeat("x", 10), 10, strings.Repeat("x", 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := plotText(tt.in, tt.max); got != tt.want {
				t.Errorf("plotText(%q, %d) = %q; want %q", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// FuzzPlotText checks that any feature name gives a drawable label and a
// well-formed importance plot.
func FuzzPlotText(f *testing.F) {
	for _, s := range []string{"int_rate", "<script>&amp;</script>", "a\x00\x1b[31m", "\xff\xfe", "]]>", strings.Repeat("é", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := plotText(s, maxFeatureName)
		if !utf8.ValidString(got) {
			t.Fatalf("plotText(%q) = %q: invalid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > maxFeatureName {
			t.Fatalf("plotText(%q) has %d runes; want at most %d", s, n, maxFeatureName)
		}
		for _, r := range got {
			if unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF {
				t.Fatalf("plotText(%q) = %q holds %U", s, got, r)
			}
		}
		c := &Candidate{Name: s, Version: 1}
		ch, err := importancePlot(c, []Importance{{Feature: s, MeanAbsSHAP: 1}, {Feature: "b", MeanAbsSHAP: 0.5}})
		if err != nil {
			t.Fatal(err)
		}
		svg, err := renderSVG(ch)
		if err != nil {
			t.Fatal(err)
		}
		checkXML(t, "importance.svg", svg)
	})
}

func TestCount(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {1234567, "1,234,567"}, {-45210, "-45,210"},
		{2.5, "2.5"}, {math.NaN(), "n/a"}, {math.Inf(1), "n/a"},
	}
	for _, tt := range tests {
		if got := count(tt.in); got != tt.want {
			t.Errorf("count(%v) = %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestNewSegments(t *testing.T) {
	nan := math.NaN()
	cands := []Candidate{
		{Name: "a", Version: 1, Segments: []SegmentAUC{{"grade", "A", 10, 0.1, 0.61}, {"term", "60", 5, 0.3, nan}}},
		{Name: "b", Version: 2, Champion: true, Segments: []SegmentAUC{{"grade", "B", 20, 0.2, 0.7}, {"grade", "A", 10, 0.1, 0.65}}},
	}
	got := newSegments(cands, 1)
	wantModels := []string{"b v2 (champion)", "a v1"}
	if !slices.Equal(got.Models, wantModels) {
		t.Errorf("got models %q; want %q", got.Models, wantModels)
	}
	want := []segmentRow{
		{Segment: "grade", Level: "B", Rows: "20", BadRate: "20.0%", AUC: []string{"0.700", "—"}},
		{Segment: "grade", Level: "A", Rows: "10", BadRate: "10.0%", AUC: []string{"0.650", "0.610"}},
		{Segment: "term", Level: "60", Rows: "5", BadRate: "30.0%", AUC: []string{"—", "n/a"}},
	}
	if len(got.Rows) != len(want) {
		t.Fatalf("got %d rows; want %d", len(got.Rows), len(want))
	}
	for i, r := range got.Rows {
		w := want[i]
		if r.Segment != w.Segment || r.Level != w.Level || r.Rows != w.Rows || r.BadRate != w.BadRate || !slices.Equal(r.AUC, w.AUC) {
			t.Errorf("row %d: got %+v; want %+v", i, r, w)
		}
	}
	if v := newSegments([]Candidate{{Name: "a", Champion: true}}, 0); v != nil {
		t.Errorf("got %+v for no segments; want nil", v)
	}
}

func TestNewTable_best(t *testing.T) {
	cands := []Candidate{
		{Name: "a", Metrics: metrics.Summary{ROCAUC: 0.7, Brier: 0.12}},
		{Name: "b", Metrics: metrics.Summary{ROCAUC: 0.75, Brier: math.NaN()}},
		{Name: "c", Metrics: metrics.Summary{ROCAUC: math.NaN(), Brier: 0.11}},
	}
	tab := newTable(cands, qualityColumns())
	idx := func(label string) int {
		return slices.IndexFunc(tab.Columns, func(c column) bool { return c.Label == label })
	}
	tests := []struct {
		key  string
		row  int
		text string
		best bool
	}{
		{"ROC-AUC", 0, "0.7000", false},
		{"ROC-AUC", 1, "0.7500", true},
		{"ROC-AUC", 2, "n/a", false},
		{"Brier", 0, "0.1200", false},
		{"Brier", 1, "n/a", false},
		{"Brier", 2, "0.1100", true},
		{"Fit (s)", 0, "n/a", false},
	}
	for _, tt := range tests {
		c := tab.Rows[tt.row].Cells[idx(tt.key)]
		if c.Text != tt.text || c.Best != tt.best {
			t.Errorf("%s of %s: got %q best=%v; want %q best=%v", tt.key, cands[tt.row].Name, c.Text, c.Best, tt.text, tt.best)
		}
	}
}
