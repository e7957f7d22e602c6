package fit

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// referenceBin is one bin of testdata/coarse_expected.json.
type referenceBin struct {
	Kind  classing.BinKind `json:"kind"`
	Lo    *float64         `json:"lo"`
	Hi    *float64         `json:"hi"`
	Goods int64            `json:"goods"`
	Bads  int64            `json:"bads"`
	WoE   float64          `json:"woe"`
	IV    float64          `json:"iv"`
}

// referenceResult is the classing of one characteristic by coarse.py.
type referenceResult struct {
	Direction classing.Direction `json:"direction"`
	Bins      []referenceBin     `json:"bins"`
	Specials  map[string]int     `json:"specials"`
	Levels    map[string]int     `json:"levels"`
	Unseen    int                `json:"unseen"`
	IV        float64            `json:"iv"`
}

// TestFitReference compares Fit with testdata/coarse.py, an independent
// implementation of the classing rules in Python (testdata/README.md).
func TestFitReference(t *testing.T) {
	f, err := os.Open("testdata/coarse_rows.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("testdata/coarse_expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var expected map[string]struct {
		Config struct {
			MinShare float64 `json:"min_share"`
			MinGoods int     `json:"min_goods"`
			MinBads  int     `json:"min_bads"`
		} `json:"config"`
		Directions      map[string]classing.Direction `json:"directions"`
		Characteristics map[string]referenceResult    `json:"characteristics"`
	}
	if err := json.Unmarshal(data, &expected); err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	rows := recs[1:]
	y := make([]float64, len(rows))
	for i, r := range rows {
		y[i], err = strconv.ParseFloat(r[col["y"]], 64)
		if err != nil {
			t.Fatal(err)
		}
	}
	specials := []float64{96, 98, 99}
	if len(expected) != 2 {
		t.Fatalf("%d configs in coarse_expected.json; want 2", len(expected))
	}
	for name, exp := range expected {
		t.Run(name, func(t *testing.T) {
			var chars []Characteristic
			for _, c := range []string{"dec", "inc", "ushape"} {
				xs := make([]float64, len(rows))
				for i, r := range rows {
					xs[i] = math.NaN()
					if s := r[col[c]]; s != "" {
						if xs[i], err = strconv.ParseFloat(s, 64); err != nil {
							t.Fatal(err)
						}
					}
				}
				chars = append(chars, Characteristic{Name: c, Kind: classing.Numeric, Values: xs, Specials: specials, Direction: exp.Directions[c]})
			}
			codes, levels := categoricalColumn(column(rows, col["purpose"]))
			chars = append(chars, Characteristic{Name: "purpose", Kind: classing.Categorical, Codes: codes, Levels: levels})
			cfg := Config{MinShare: exp.Config.MinShare, MinGoods: exp.Config.MinGoods, MinBads: exp.Config.MinBads}
			bs, err := Fit(t.Context(), chars, y, cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, b := range bs {
				checkBinning(t, b, chars[i], y, cfg)
				compareReference(t, b, chars[i], exp.Characteristics[b.Name])
			}
		})
	}
}

func column(rows [][]string, j int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r[j]
	}
	return out
}

// compareReference compares a fitted binning with the reference result.
func compareReference(t *testing.T, b *classing.Binning, c Characteristic, want referenceResult) {
	t.Helper()
	if len(b.Bins) != len(want.Bins) {
		t.Fatalf("%s: %d bins; want %d", b.Name, len(b.Bins), len(want.Bins))
	}
	if math.Abs(b.IV-want.IV) > 1e-12 {
		t.Errorf("%s: IV %.17g; want %.17g", b.Name, b.IV, want.IV)
	}
	ranges := 0
	for i, w := range want.Bins {
		got := b.Bins[i]
		if got.Kind != w.Kind || got.Goods != w.Goods || got.Bads != w.Bads {
			t.Errorf("%s bin %d: %s with %d goods, %d bads; want %s with %d, %d", b.Name, i, got.Kind, got.Goods, got.Bads, w.Kind, w.Goods, w.Bads)
		}
		if math.Abs(got.WoE-w.WoE) > 1e-12 || math.Abs(got.IV-w.IV) > 1e-12 {
			t.Errorf("%s bin %d: WoE, IV %.17g, %.17g; want %.17g, %.17g", b.Name, i, got.WoE, got.IV, w.WoE, w.IV)
		}
		// The ordinary values of the bin span [Lo, Hi]: both ends fall in it.
		if w.Kind == classing.Range && w.Lo != nil {
			ranges++
			if lo, hi := b.Bin(*w.Lo), b.Bin(*w.Hi); lo != i || hi != i {
				t.Errorf("%s: values %v and %v in bins %d and %d; want both in %d", b.Name, *w.Lo, *w.Hi, lo, hi, i)
			}
		}
	}
	if c.Kind == classing.Numeric {
		if ranges == 0 {
			t.Errorf("%s: no value range in the reference", b.Name)
		}
		if b.Direction != want.Direction {
			t.Errorf("%s: direction %v; want %v", b.Name, b.Direction, want.Direction)
		}
		for _, s := range c.Specials {
			key := strconv.FormatFloat(s, 'f', 1, 64)
			if got := b.Bin(s); got != want.Specials[key] {
				t.Errorf("%s: special value %v in bin %d; want %d", b.Name, s, got, want.Specials[key])
			}
		}
		return
	}
	if len(b.Levels) != len(want.Levels) || b.Unseen != want.Unseen {
		t.Errorf("%s: levels %v, unseen %d; want %v, %d", b.Name, b.Levels, b.Unseen, want.Levels, want.Unseen)
	}
	for level, j := range want.Levels {
		if got := b.BinLevel(level); got != j {
			t.Errorf("%s: level %q in bin %d; want %d", b.Name, level, got, j)
		}
	}
}
