package fit

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// cell is a block of rows with one value: n rows, bads of them bad.
type cell struct {
	x       float64
	n, bads int
}

// rowsOf lays out the cells as a column and its labels, the bads of each
// cell first.
func rowsOf(cells []cell) (xs, y []float64) {
	for _, c := range cells {
		for i := range c.n {
			xs = append(xs, c.x)
			y = append(y, float64(b2i(i < c.bads)))
		}
	}
	return xs, y
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// fitOne fits one numeric characteristic and checks the invariants every
// binning must keep.
func fitOne(tb testing.TB, c Characteristic, y []float64, cfg Config) *classing.Binning {
	tb.Helper()
	if c.Name == "" {
		c.Name = "x"
	}
	if c.Kind == "" {
		c.Kind = classing.Numeric
	}
	bs, err := Fit(context.Background(), []Characteristic{c}, y, cfg)
	if err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	checkBinning(tb, bs[0], c, y, cfg)
	return bs[0]
}

// checkBinning checks b against the data it was fitted on: it validates,
// applying it to the training rows reproduces its counts, the WoE and IV
// follow CREDIT.md §1 from the counts, ordinary bad rates are strictly
// monotone in its direction, and every ordinary and special bin keeps the
// size rules of cfg.
func checkBinning(tb testing.TB, b *classing.Binning, c Characteristic, y []float64, cfg Config) {
	tb.Helper()
	if err := b.Validate(); err != nil {
		tb.Fatalf("Validate: %v", err)
	}
	goods := make([]int64, len(b.Bins))
	bads := make([]int64, len(b.Bins))
	for i, v := range y {
		var k int
		if c.Kind == classing.Categorical {
			k = b.Missing
			if c.Codes[i] >= 0 {
				k = b.BinLevel(c.Levels[c.Codes[i]])
			}
		} else {
			k = b.Bin(c.Values[i])
		}
		if v == 1 {
			bads[k]++
		} else {
			goods[k]++
		}
	}
	var G, B float64
	for i, bin := range b.Bins {
		if bin.Goods != goods[i] || bin.Bads != bads[i] {
			tb.Errorf("%s bin %d (%s): counts %d goods, %d bads; applying the binning gives %d, %d",
				b.Name, i, b.Label(i), bin.Goods, bin.Bads, goods[i], bads[i])
		}
		G += float64(bin.Goods)
		B += float64(bin.Bads)
	}
	var iv float64
	for i, bin := range b.Bins {
		g, d := float64(bin.Goods), float64(bin.Bads)
		var woe float64
		switch {
		case g == 0 && d == 0:
		case g == 0 || d == 0:
			woe = math.Log(((g + 0.5) / G) / ((d + 0.5) / B))
		default:
			woe = math.Log((g / G) / (d / B))
		}
		if cfg.Adjustment == 0 && math.Abs(bin.WoE-woe) > 1e-12 {
			tb.Errorf("%s bin %d: WoE %v; want %v", b.Name, i, bin.WoE, woe)
		}
		iv += (g/G - d/B) * bin.WoE
	}
	if math.Abs(iv-b.IV) > 1e-12 {
		tb.Errorf("%s: IV %v; the bins give %v", b.Name, b.IV, iv)
	}
	free := cfg.FreeTrend && b.Kind == classing.Numeric && b.Direction == classing.Auto
	for i := 1; i < b.Missing && !free; i++ {
		prev, cur := b.Bins[i-1].BadRate(), b.Bins[i].BadRate()
		if b.Kind == classing.Numeric && b.Direction == classing.Decreasing {
			prev, cur = cur, prev
		}
		if !(prev < cur) {
			tb.Errorf("%s (%v): bad rates of bins %d and %d are %v and %v; not strictly monotone",
				b.Name, b.Direction, i-1, i, b.Bins[i-1].BadRate(), b.Bins[i].BadRate())
		}
	}
	if b.Kind == classing.Numeric && b.Missing > 1 && b.Direction == classing.Auto && !cfg.FreeTrend {
		tb.Errorf("%s: %d ordinary bins without a direction", b.Name, b.Missing)
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		tb.Fatal(err)
	}
	minCount := int64(math.Ceil(cfg.MinShare * float64(len(y))))
	nonEmpty := 0
	for _, bin := range b.Bins {
		if bin.Count() > 0 {
			nonEmpty++
		}
	}
	for i, bin := range b.Bins {
		switch {
		case i == b.Missing, b.Missing == 1 && i == 0:
			continue // the missing bin and a lone ordinary bin are exempt
		case i > b.Missing && nonEmpty == 1:
			continue // a special bin with nothing to join
		}
		if bin.Count() < minCount || bin.Goods < int64(cfg.MinGoods) || bin.Bads < int64(cfg.MinBads) {
			tb.Errorf("%s bin %d (%s): %d rows, %d goods, %d bads; want at least %d, %d, %d",
				b.Name, i, b.Label(i), bin.Count(), bin.Goods, bin.Bads, minCount, cfg.MinGoods, cfg.MinBads)
		}
	}
}

func TestFitMonotone(t *testing.T) {
	// Bad rates per value in percent; 1000 rows per value.
	wiggly := []int{5, 8, 7, 12, 15, 14, 20, 25, 24, 30}
	cellsOf := func(pct []int, reverse bool) []cell {
		var cs []cell
		for v, p := range pct {
			x := float64(v)
			if reverse {
				x = float64(len(pct) - 1 - v)
			}
			cs = append(cs, cell{x, 1000, 10 * p})
		}
		return cs
	}
	tests := []struct {
		name     string
		cells    []cell
		dir      classing.Direction
		wantDir  classing.Direction
		wantCuts []float64
	}{
		// Pool adjacent violators pools values {1,2}, {4,5} and {7,8}.
		{"increasing", cellsOf(wiggly, false), classing.Increasing, classing.Increasing, []float64{0.5, 2.5, 3.5, 5.5, 6.5, 8.5}},
		{"auto picks increasing", cellsOf(wiggly, false), classing.Auto, classing.Increasing, []float64{0.5, 2.5, 3.5, 5.5, 6.5, 8.5}},
		{"decreasing", cellsOf(wiggly, true), classing.Decreasing, classing.Decreasing, []float64{0.5, 2.5, 3.5, 5.5, 6.5, 8.5}},
		{"auto picks decreasing", cellsOf(wiggly, true), classing.Auto, classing.Decreasing, []float64{0.5, 2.5, 3.5, 5.5, 6.5, 8.5}},
		// Against the data, everything pools into one bin.
		{"forced against the data", cellsOf([]int{5, 10, 15, 20}, false), classing.Decreasing, classing.Auto, nil},
		// A U shape: decreasing keeps the long falling part and pools the
		// short rise into the last bin.
		{"auto on a U shape", cellsOf([]int{30, 25, 20, 15, 10, 5, 10}, false), classing.Auto, classing.Decreasing, []float64{0.5, 1.5, 2.5, 3.5, 4.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, y := rowsOf(tt.cells)
			b := fitOne(t, Characteristic{Values: xs, Direction: tt.dir}, y, Config{})
			if b.Direction != tt.wantDir || !slices.Equal(b.Cuts, tt.wantCuts) {
				t.Errorf("direction %v, cuts %v; want %v, %v", b.Direction, b.Cuts, tt.wantDir, tt.wantCuts)
			}
		})
	}
}

// TestFitFreeTrend checks free classing against testdata/free.py, an
// independent implementation of its merges and of the penalised
// likelihood that chooses between it and the monotone classing.
func TestFitFreeTrend(t *testing.T) {
	cellsOf := func(pct []int) []cell {
		var cs []cell
		for v, p := range pct {
			cs = append(cs, cell{float64(v), 1000, 10 * p})
		}
		return cs
	}
	u := []int{30, 25, 20, 15, 10, 5, 10, 15, 20}
	wiggly := []int{5, 8, 7, 12, 15, 14, 20, 25, 24, 30}
	tests := []struct {
		name     string
		cells    []cell
		dir      classing.Direction
		free     bool
		wantDir  classing.Direction
		wantCuts []float64
	}{
		// The U shape keeps its rise: penalised log-likelihood -3907.24
		// against -3953.70 for the decreasing classing.
		{"U shape", cellsOf(u), classing.Auto, true, classing.Auto, []float64{1.5, 3.5, 4.5, 5.5, 6.5}},
		{"U shape without FreeTrend", cellsOf(u), classing.Auto, false, classing.Decreasing, []float64{0.5, 1.5, 2.5, 3.5}},
		{"U shape with a direction", cellsOf(u), classing.Decreasing, true, classing.Decreasing, []float64{0.5, 1.5, 2.5, 3.5}},
		// Merging the pairs that barely differ leaves four increasing
		// bins (-4178.50 against -4183.14 for the seven of pool adjacent
		// violators): the free classing is monotone and says so.
		{"wiggly increasing", cellsOf(wiggly), classing.Auto, true, classing.Increasing, []float64{2.5, 5.5, 8.5}},
		{"flat", cellsOf([]int{10, 10, 10, 10}), classing.Auto, true, classing.Auto, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, y := rowsOf(tt.cells)
			b := fitOne(t, Characteristic{Values: xs, Direction: tt.dir}, y, Config{FreeTrend: tt.free})
			if b.Direction != tt.wantDir || !slices.Equal(b.Cuts, tt.wantCuts) {
				t.Errorf("direction %v, cuts %v; want %v, %v", b.Direction, b.Cuts, tt.wantDir, tt.wantCuts)
			}
		})
	}
}

func TestPairSplit(t *testing.T) {
	// 300 bads of 1000 against 250 of 1000: G = 2·Σ o·ln(o/e) over the
	// 2×2 table, e the counts expected under the pooled rate 0.275.
	a, c := group{goods: 700, bads: 300}, group{goods: 750, bads: 250}
	var want float64
	for _, o := range []struct{ o, e float64 }{{300, 275}, {700, 725}, {250, 275}, {750, 725}} {
		want += 2 * o.o * math.Log(o.o/o.e)
	}
	if got := pairSplit(a, c); math.Abs(got-want) > 1e-9 {
		t.Errorf("pairSplit = %v; want %v", got, want)
	}
	if got := pairSplit(a, a); math.Abs(got) > 1e-9 {
		t.Errorf("pairSplit of equal rates = %v; want 0", got)
	}
	if got := pairSplit(group{goods: 10}, group{bads: 10}); math.Abs(got-40*math.Ln2) > 1e-9 {
		t.Errorf("pairSplit of pure groups = %v; want 40·ln 2", got)
	}
}

func TestFitSizeRules(t *testing.T) {
	tests := []struct {
		name     string
		cells    []cell
		cfg      Config
		wantCuts []float64
	}{
		{
			"min share merges the small last value",
			[]cell{{0, 3000, 90}, {1, 3000, 240}, {2, 3000, 450}, {3, 800, 160}, {4, 200, 60}},
			Config{},
			[]float64{0.5, 1.5, 2.5},
		},
		{
			"no min share keeps it",
			[]cell{{0, 3000, 90}, {1, 3000, 240}, {2, 3000, 450}, {3, 800, 160}, {4, 200, 60}},
			Config{MinShare: -1},
			[]float64{0.5, 1.5, 2.5, 3.5},
		},
		{
			"a small middle value joins the neighbour with the closer bad rate",
			[]cell{{0, 3000, 90}, {1, 3000, 240}, {2, 300, 30}, {3, 3700, 740}},
			Config{},
			[]float64{0.5, 2.5},
		},
		{
			"min bads",
			[]cell{{0, 3000, 20}, {1, 3000, 240}, {2, 4000, 600}},
			Config{MinBads: 50},
			[]float64{1.5},
		},
		{
			"min goods",
			[]cell{{0, 3000, 300}, {1, 3000, 900}, {2, 4000, 3990}},
			Config{MinGoods: 20},
			[]float64{0.5},
		},
		{
			"no bads in a value: merged by the default MinBads 1",
			[]cell{{0, 3000, 0}, {1, 3000, 240}, {2, 4000, 600}},
			Config{},
			[]float64{1.5},
		},
		{
			"MinBads -1 lets a bin without bads stand",
			[]cell{{0, 3000, 0}, {1, 3000, 240}, {2, 4000, 600}},
			Config{MinBads: -1},
			[]float64{0.5, 1.5},
		},
		{
			"a large min share leaves one bin",
			[]cell{{0, 3000, 90}, {1, 3000, 240}, {2, 4000, 600}},
			Config{MinShare: 0.7},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, y := rowsOf(tt.cells)
			b := fitOne(t, Characteristic{Values: xs, Direction: classing.Increasing}, y, tt.cfg)
			if !slices.Equal(b.Cuts, tt.wantCuts) {
				t.Errorf("cuts %v; want %v", b.Cuts, tt.wantCuts)
			}
		})
	}
}

func TestFitSpecials(t *testing.T) {
	// Ordinary values 0..4 with 1500 rows each and bad rates 4 %..20 %
	// (7500 rows), then the cells of each case. 1 % of 10000 rows is 100.
	base := []cell{{0, 1500, 60}, {1, 1500, 120}, {2, 1500, 180}, {3, 1500, 240}, {4, 1500, 300}}
	ordinary := []float64{0.5, 1.5, 2.5, 3.5}
	nan := math.NaN()
	tests := []struct {
		name     string
		extra    []cell
		specials []float64
		wantCuts []float64
		// want[v] is the label of the bin that value v goes to.
		want map[float64]string
	}{
		{
			"a large special stands alone, outside the cuts",
			[]cell{{96, 2500, 1250}},
			[]float64{96},
			ordinary,
			map[float64]string{96: "special 96", 4: "[3.5, +inf)", nan: "missing"},
		},
		{
			"a small special joins the ordinary bin with the closest bad rate",
			[]cell{{96, 2200, 1000}, {98, 300, 36}},
			[]float64{96, 98},
			ordinary,
			map[float64]string{98: "[1.5, 2.5) | 98", 96: "special 96"},
		},
		{
			"a small special joins the missing bin when it is closest",
			[]cell{{nan, 2200, 1100}, {98, 300, 140}},
			[]float64{98},
			ordinary,
			map[float64]string{98: "missing | 98", nan: "missing | 98"},
		},
		{
			"two small specials with close bad rates join each other",
			[]cell{{nan, 1900, 10}, {96, 300, 210}, {98, 300, 200}},
			[]float64{98, 96},
			ordinary,
			map[float64]string{96: "special 96 | 98", 98: "special 96 | 98"},
		},
		{
			"a special without training rows goes to the missing bin",
			[]cell{{nan, 2500, 500}},
			[]float64{97},
			ordinary,
			map[float64]string{97: "missing | 97", 96: "[3.5, +inf)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, y := rowsOf(append(slices.Clone(base), tt.extra...))
			b := fitOne(t, Characteristic{Values: xs, Specials: tt.specials, Direction: classing.Increasing}, y, Config{})
			if !slices.Equal(b.Cuts, tt.wantCuts) {
				t.Errorf("cuts %v; want %v", b.Cuts, tt.wantCuts)
			}
			for v, want := range tt.want {
				if got := b.Label(b.Bin(v)); got != want {
					t.Errorf("value %v in bin %q; want %q", v, got, want)
				}
			}
		})
	}
}

// TestFitSpecialsKeepOrder joins many small special values with random
// bad rates to monotone ordinary bins, in both directions, and checks
// (in checkBinning) that the bad rates of the ordinary bins, specials
// included, stay strictly monotone.
func TestFitSpecialsKeepOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := range 200 {
		var cells []cell
		var specials []float64
		for v := range 6 {
			cells = append(cells, cell{float64(v), 1500, 30 * (v + 1) * (1 + rng.IntN(3))})
		}
		for k := range 1 + rng.IntN(5) {
			n := 50 + rng.IntN(400)
			cells = append(cells, cell{float64(90 + k), n, rng.IntN(n + 1)})
			specials = append(specials, float64(90+k))
		}
		if rng.IntN(2) == 0 {
			n := 50 + rng.IntN(400)
			cells = append(cells, cell{math.NaN(), n, rng.IntN(n + 1)})
		}
		xs, y := rowsOf(cells)
		if trial%2 == 1 {
			for i, x := range xs {
				if x < 90 {
					xs[i] = -x // decreasing data
				}
			}
		}
		for _, dir := range []classing.Direction{classing.Increasing, classing.Decreasing, classing.Auto} {
			fitOne(t, Characteristic{Values: xs, Specials: specials, Direction: dir}, y, Config{})
		}
	}
}

func TestFitMissing(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name      string
		cells     []cell
		wantCount int64
		wantWoE   float64
	}{
		{"no missing values: an empty bin with WoE 0", []cell{{0, 5000, 250}, {1, 5000, 750}}, 0, 0},
		{"a small missing bin stands alone", []cell{{0, 5000, 250}, {1, 4900, 735}, {nan, 100, 50}}, 100, math.Log((50.0 / 8965) / (50.0 / 1035))},
		{"all missing", []cell{{nan, 100, 20}}, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			xs, y := rowsOf(tt.cells)
			if tt.name == "all missing" {
				xs = append(xs, nan)
				y = append(y, 0)
				tt.wantCount++
				tt.wantWoE = math.Log((81.0 / 81) / (20.0 / 20))
			}
			b := fitOne(t, Characteristic{Values: xs}, y, Config{})
			m := b.Bins[b.Missing]
			if m.Count() != tt.wantCount || math.Abs(m.WoE-tt.wantWoE) > 1e-12 {
				t.Errorf("missing bin: %d rows, WoE %v; want %d, %v", m.Count(), m.WoE, tt.wantCount, tt.wantWoE)
			}
			if got := b.Bin(nan); got != b.Missing {
				t.Errorf("Bin(NaN) = %d; want %d", got, b.Missing)
			}
		})
	}
}

func TestFitCategorical(t *testing.T) {
	levels := []string{"car", "house", "wedding", "medical", "boat", "other", "unused"}
	// Rows and bads per level code; -1 is missing.
	type lvl struct {
		code    int32
		n, bads int
	}
	tests := []struct {
		name       string
		rows       []lvl
		cfg        Config
		wantLevels map[string]int
		wantUnseen int
	}{
		{
			"sorted by bad rate, equal rates pooled",
			[]lvl{{0, 2000, 100}, {1, 3000, 300}, {2, 1000, 100}, {3, 2000, 400}, {-1, 2000, 300}},
			Config{},
			map[string]int{"car": 0, "house": 1, "wedding": 1, "medical": 2},
			1,
		},
		{
			"a small level joins the group with the closest bad rate",
			[]lvl{{0, 3000, 150}, {1, 3000, 300}, {2, 3000, 600}, {4, 200, 50}, {-1, 800, 100}},
			Config{},
			map[string]int{"car": 0, "house": 1, "wedding": 2, "boat": 2},
			2,
		},
		{
			"ties in bad rate keep the name order",
			[]lvl{{5, 4000, 400}, {1, 3000, 300}, {0, 3000, 600}},
			Config{},
			map[string]int{"house": 0, "other": 0, "car": 1},
			0,
		},
		{
			"all missing",
			[]lvl{{-1, 1000, 100}},
			Config{},
			map[string]int{},
			0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var codes []int32
			var y []float64
			for _, l := range tt.rows {
				for i := range l.n {
					codes = append(codes, l.code)
					y = append(y, float64(b2i(i < l.bads)))
				}
			}
			if tt.name == "all missing" {
				codes = append(codes, -1)
				y = append(y, 1)
			}
			c := Characteristic{Name: "purpose", Kind: classing.Categorical, Codes: codes, Levels: levels}
			bs, err := Fit(t.Context(), []Characteristic{c}, y, tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			b := bs[0]
			checkBinning(t, b, c, y, tt.cfg)
			if len(b.Levels) != len(tt.wantLevels) || b.Unseen != tt.wantUnseen {
				t.Errorf("levels %v, unseen %d; want %v, %d", b.Levels, b.Unseen, tt.wantLevels, tt.wantUnseen)
			}
			for l, want := range tt.wantLevels {
				if got, ok := b.Levels[l]; !ok || got != want {
					t.Errorf("level %q in bin %d (%v); want %d", l, got, ok, want)
				}
			}
			// "unused" has no training rows: it is an unseen level.
			if got := b.BinLevel("unused"); got != tt.wantUnseen {
				t.Errorf("BinLevel(unused) = %d; want the unseen bin %d", got, tt.wantUnseen)
			}
			if got := b.BinLevel("never heard of"); got != tt.wantUnseen {
				t.Errorf("BinLevel(never heard of) = %d; want %d", got, tt.wantUnseen)
			}
		})
	}
}

func TestFitUnseenIsLargestGroup(t *testing.T) {
	levels := []string{"a", "b", "c"}
	var codes []int32
	var y []float64
	for code, n := range []int{1000, 6000, 3000} {
		for i := range n {
			codes = append(codes, int32(code))
			y = append(y, float64(b2i(i < n*(code+1)/20)))
		}
	}
	bs, err := Fit(t.Context(), []Characteristic{{Name: "c", Kind: classing.Categorical, Codes: codes, Levels: levels}}, y, Config{})
	if err != nil {
		t.Fatal(err)
	}
	b := bs[0]
	if got, want := b.Unseen, b.Levels["b"]; got != want {
		t.Errorf("unseen bin %d; want %d, the group of b (6000 rows)", got, want)
	}
}

func TestFineCuts(t *testing.T) {
	tests := []struct {
		name     string
		vals     []float64
		fineBins int
		want     []float64
	}{
		{"empty", nil, 20, nil},
		{"one value", []float64{3, 3, 3}, 20, nil},
		{"few distinct values each get a bin", []float64{1, 1, 2, 5, 5, 5}, 4, []float64{1.5, 4}},
		{"quartiles", []float64{1, 2, 3, 4, 5, 6, 7, 8}, 4, []float64{2.5, 4.5, 6.5}},
		{"a heavy value is not split", []float64{0, 0, 0, 0, 0, 0, 1, 2, 3, 4}, 3, []float64{0.5, 1.5}},
		{"adjacent floats", []float64{1, math.Nextafter(1, 2)}, 2, []float64{math.Nextafter(1, 2)}},
		{"short cuts", []float64{0.001, 0.0015, 18.61, 18.62, 37000, 37008}, 10, []float64{0.0013, 9, 18.615, 20000, 37004}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fineCuts(tt.vals, tt.fineBins)
			if !slices.Equal(got, tt.want) {
				t.Errorf("fineCuts(%v, %d) = %v; want %v", tt.vals, tt.fineBins, got, tt.want)
			}
		})
	}
	// On many distinct values: at most fineBins bins of roughly equal size.
	rng := rand.New(rand.NewPCG(3, 4))
	vals := make([]float64, 100_000)
	for i := range vals {
		vals[i] = math.Round(rng.ExpFloat64()*100) / 10
	}
	slices.Sort(vals)
	for _, q := range []int{2, 10, 20, 50} {
		cuts := fineCuts(vals, q)
		if len(cuts) > q-1 || len(cuts) < q/2 {
			t.Errorf("%d fine bins: %d cuts", q, len(cuts))
		}
		for k := 1; k < len(cuts); k++ {
			if !(cuts[k-1] < cuts[k]) {
				t.Fatalf("%d fine bins: cuts %d, %d not increasing: %v", q, k-1, k, cuts)
			}
		}
	}
}

// randomData returns n rows of labels and k numeric characteristics of
// several shapes (with missing values, special values, few distinct values,
// heavy zeros), plus a categorical one, generated from seed.
func randomData(n, k int, seed uint64) ([]Characteristic, []float64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	y := make([]float64, n)
	score := make([]float64, n)
	for i := range score {
		score[i] = rng.NormFloat64()
	}
	chars := make([]Characteristic, 0, k+1)
	for j := range k {
		xs := make([]float64, n)
		for i := range xs {
			v := score[i]*float64(j%3-1) + rng.NormFloat64()
			switch j % 5 {
			case 1:
				v = math.Round(v * 2) // few distinct values
			case 2:
				v = math.Max(0, v) // heavy zero
			case 3:
				if rng.IntN(20) == 0 {
					v = math.NaN()
				} else if rng.IntN(30) == 0 {
					v = 96
				} else if rng.IntN(100) == 0 {
					v = 98
				}
			}
			xs[i] = v
		}
		c := Characteristic{Name: "x" + string(rune('a'+j%26)) + string(rune('a'+j/26)), Kind: classing.Numeric, Values: xs}
		if j%5 == 3 {
			c.Specials = []float64{96, 98}
		}
		chars = append(chars, c)
	}
	levels := []string{"a", "b", "c", "d", "e", "f"}
	codes := make([]int32, n)
	for i := range codes {
		codes[i] = int32(rng.IntN(len(levels)+1)) - 1
	}
	chars = append(chars, Characteristic{Name: "cat", Kind: classing.Categorical, Codes: codes, Levels: levels})
	for i := range y {
		p := 1 / (1 + math.Exp(-(score[i] - 2 + 0.2*float64(codes[i]))))
		if rng.Float64() < p {
			y[i] = 1
		}
	}
	return chars, y
}

func TestFitDeterministic(t *testing.T) {
	chars, y := randomData(20_000, 12, 1)
	for _, free := range []bool{false, true} {
		var first []byte
		for _, threads := range []int{1, 2, 3, 8, 1} {
			cfg := Config{Threads: threads, FreeTrend: free}
			bs, err := Fit(t.Context(), chars, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range bs {
				checkBinning(t, b, chars[i], y, Config{FreeTrend: free})
			}
			data, err := json.Marshal(bs)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = data
				continue
			}
			if string(data) != string(first) {
				t.Fatalf("FreeTrend %v, Threads %d: the binnings differ from the first run", free, threads)
			}
		}
	}
}

func TestFitCancel(t *testing.T) {
	chars, y := randomData(1000, 4, 2)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := Fit(ctx, chars, y, Config{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Fit with a cancelled context = %v; want context.Canceled", err)
	}
}

// cancelAfter is a context whose Err reports context.Canceled from its
// n-th call on, so that a test cancels at a known point of a run.
type cancelAfter struct {
	context.Context
	n     int
	calls atomic.Int64
}

func (c *cancelAfter) Err() error {
	if c.calls.Add(1) >= int64(c.n) {
		return context.Canceled
	}
	return nil
}

func TestFitCancelDuringRun(t *testing.T) {
	chars, y := randomData(2000, 8, 3)
	for _, threads := range []int{1, 2} {
		ctx := &cancelAfter{Context: t.Context(), n: 3}
		bs, err := Fit(ctx, chars, y, Config{Threads: threads})
		if !errors.Is(err, context.Canceled) || bs != nil {
			t.Errorf("Threads %d: Fit cancelled after two characteristics = %d binnings, %v; want none, context.Canceled", threads, len(bs), err)
		}
		if calls := ctx.calls.Load(); calls > int64(len(chars)+1) {
			t.Errorf("Threads %d: %d context checks for %d characteristics", threads, calls, len(chars))
		}
	}
}

func TestFitErrors(t *testing.T) {
	y := []float64{0, 1, 0, 1}
	num := func(xs ...float64) Characteristic {
		return Characteristic{Name: "dti", Kind: classing.Numeric, Values: xs}
	}
	tests := []struct {
		name  string
		chars []Characteristic
		y     []float64
		cfg   Config
		err   error
		want  string
	}{
		{"label 2", []Characteristic{num(1, 2, 3, 4)}, []float64{0, 1, 2, 0}, Config{}, ErrLabel, "label 2 at row 2"},
		{"label NaN", []Characteristic{num(1, 2, 3, 4)}, []float64{0, 1, math.NaN(), 0}, Config{}, ErrLabel, "row 2"},
		{"one class", []Characteristic{num(1, 2, 3, 4)}, []float64{0, 0, 0, 0}, Config{}, ErrOneClass, "0 bads in 4 rows"},
		{"no rows", []Characteristic{num()}, nil, Config{}, ErrOneClass, "0 bads in 0 rows"},
		{"length", []Characteristic{num(1, 2, 3)}, y, Config{}, ErrShape, `characteristic "dti"`},
		{"infinite", []Characteristic{num(1, math.Inf(1), 3, 4)}, y, Config{}, ErrInfinite, `characteristic "dti": fit: infinite value at row 1`},
		{"special NaN", []Characteristic{{Name: "dti", Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}, Specials: []float64{math.NaN()}}}, y, Config{}, ErrCharacteristic, `characteristic "dti"`},
		{"special repeated", []Characteristic{{Name: "dti", Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}, Specials: []float64{96, 96}}}, y, Config{}, ErrCharacteristic, "96"},
		{"direction", []Characteristic{{Name: "dti", Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}, Direction: 2}}, y, Config{}, ErrCharacteristic, "direction 2"},
		{"no name", []Characteristic{{Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}}}, y, Config{}, ErrCharacteristic, "characteristic 0"},
		{"repeated name", []Characteristic{num(1, 2, 3, 4), num(1, 2, 3, 4)}, y, Config{}, ErrCharacteristic, `characteristic 1 "dti"`},
		{"kind", []Characteristic{{Name: "k", Kind: "ordinal"}}, y, Config{}, ErrCharacteristic, `kind "ordinal"`},
		{"code out of range", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Codes: []int32{0, 1, 2, -1}, Levels: []string{"a", "b"}}}, y, Config{}, ErrCharacteristic, `characteristic "purpose": fit: invalid characteristic: level code 2 at row 2`},
		{"code below -1", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Codes: []int32{0, -2, 0, 0}, Levels: []string{"a"}}}, y, Config{}, ErrCharacteristic, "level code -2"},
		{"level not UTF-8", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Codes: []int32{0, 0, 0, 0}, Levels: []string{"caf\xe9"}}}, y, Config{}, ErrCharacteristic, "not valid UTF-8"},
		{"name not UTF-8", []Characteristic{{Name: "\xff", Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}}}, y, Config{}, ErrCharacteristic, "not UTF-8"},
		{"level repeated", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Codes: []int32{0, 0, 0, 0}, Levels: []string{"a", "a"}}}, y, Config{}, ErrCharacteristic, `level "a" repeated`},
		{"direction on categorical", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Codes: []int32{0, 0, 0, 0}, Levels: []string{"a"}, Direction: 1}}, y, Config{}, ErrCharacteristic, `characteristic "purpose"`},
		{"values on categorical", []Characteristic{{Name: "purpose", Kind: classing.Categorical, Values: []float64{1}, Codes: []int32{0, 0, 0, 0}, Levels: []string{"a"}}}, y, Config{}, ErrCharacteristic, `characteristic "purpose"`},
		{"codes on numeric", []Characteristic{{Name: "dti", Kind: classing.Numeric, Values: []float64{1, 2, 3, 4}, Codes: []int32{0}}}, y, Config{}, ErrCharacteristic, `characteristic "dti"`},
		{"FineBins", []Characteristic{num(1, 2, 3, 4)}, y, Config{FineBins: 1}, ErrConfig, "FineBins = 1"},
		{"MinShare", []Characteristic{num(1, 2, 3, 4)}, y, Config{MinShare: 1.5}, ErrConfig, "MinShare = 1.5"},
		{"MinShare NaN", []Characteristic{num(1, 2, 3, 4)}, y, Config{MinShare: math.NaN()}, ErrConfig, "MinShare = NaN"},
		{"Adjustment", []Characteristic{num(1, 2, 3, 4)}, y, Config{Adjustment: -0.5}, ErrConfig, "Adjustment = -0.5"},
		{"Adjustment Inf", []Characteristic{num(1, 2, 3, 4)}, y, Config{Adjustment: math.Inf(1)}, ErrConfig, "Adjustment = +Inf"},
		{"Threads", []Characteristic{num(1, 2, 3, 4)}, y, Config{Threads: -1}, ErrConfig, "Threads = -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Fit(t.Context(), tt.chars, tt.y, tt.cfg)
			if !errors.Is(err, tt.err) || !strings.Contains(fmtErr(err), tt.want) {
				t.Errorf("Fit = %v; want %v containing %q", err, tt.err, tt.want)
			}
		})
	}
	var ce *ConfigError
	if _, err := Fit(t.Context(), nil, y, Config{FineBins: -3}); !errors.As(err, &ce) || ce.Field != "FineBins" || ce.Value != -3 {
		t.Errorf("Fit with FineBins -3 = %v; want a *ConfigError for FineBins", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestFitNoCharacteristics(t *testing.T) {
	bs, err := Fit(t.Context(), nil, []float64{0, 1}, Config{})
	if err != nil || len(bs) != 0 {
		t.Errorf("Fit of no characteristics = %v, %v; want none, nil", bs, err)
	}
}
