package tree

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// randomTree builds a random tree of at most the given depth over nf
// features. Branches stop early at random, and the right child is stored
// before the left one half of the time, so layouts vary.
func randomTree(rng *rand.Rand, depth, nf int) Tree {
	t := Tree{Nodes: []Node{{}}}
	var grow func(i int32, d int)
	grow = func(i int32, d int) {
		if d == depth || (d > 1 && rng.IntN(4) == 0) {
			t.Nodes[i] = Node{Feature: -1, Value: rng.NormFloat64() * 0.1, Cover: 1}
			return
		}
		l, r := int32(len(t.Nodes)), int32(len(t.Nodes)+1)
		if rng.IntN(2) == 0 {
			l, r = r, l
		}
		t.Nodes = append(t.Nodes, Node{}, Node{})
		thr := rng.NormFloat64()
		switch rng.IntN(12) {
		case 0:
			thr = 0
		case 1:
			thr = math.Copysign(0, -1)
		case 2:
			thr = math.MaxFloat64
		}
		t.Nodes[i] = Node{
			Feature: int32(rng.IntN(nf)), Left: l, Right: r,
			DefaultLeft: rng.IntN(2) == 0, Threshold: thr, Cover: 2,
		}
		grow(l, d+1)
		grow(r, d+1)
	}
	grow(0, 0)
	return t
}

func randomEnsemble(seed uint64, trees, depth, nf int, out Output) *Ensemble {
	rng := rand.New(rand.NewPCG(seed, 1))
	e := &Ensemble{NumFeatures: nf, Base: -1.7, Scale: 1, Output: out}
	if out == Probability {
		e.Base, e.Scale = 0, 1/float64(trees)
	}
	for range trees {
		e.Trees = append(e.Trees, randomTree(rng, depth, nf))
	}
	return e
}

// randomRows returns rows×nf normal values with some NaN, including values
// equal to thresholds so that the < versus >= boundary is exercised.
func randomRows(seed uint64, rows, nf int, e *Ensemble) *matrix.Dense {
	rng := rand.New(rand.NewPCG(seed, 2))
	X := matrix.New(rows, nf)
	for i := range X.Data {
		switch r := rng.Float64(); {
		case r < 0.1:
			X.Data[i] = math.NaN()
		case r < 0.2:
			t := &e.Trees[rng.IntN(len(e.Trees))]
			X.Data[i] = t.Nodes[rng.IntN(len(t.Nodes))].Threshold
		case r < 0.25:
			specials := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}
			X.Data[i] = specials[rng.IntN(len(specials))]
		default:
			X.Data[i] = rng.NormFloat64()
		}
	}
	return X
}

func TestMarginIntoMatchesMargin(t *testing.T) {
	tests := []struct {
		name    string
		rows    int
		threads int
		out     Output
	}{
		{"one row", 1, 1, LogOdds},
		{"partial block", 100, 2, LogOdds},
		{"many blocks one thread", 3000, 1, LogOdds},
		{"many blocks three threads", 3000, 3, LogOdds},
		{"forest output", 777, 2, Probability},
		{"no rows", 0, 2, LogOdds},
		{"single-leaf trees", 300, 2, LogOdds},
		{"deep trees", 1000, 2, LogOdds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			depth := 5
			switch tt.name {
			case "single-leaf trees":
				depth = 0
			case "deep trees": // deeper than the complete layout takes
				depth = maxCompleteDepth + 4
			}
			e := randomEnsemble(1, 30, depth, 6, tt.out)
			if err := e.Validate(); err != nil {
				t.Fatalf("test ensemble invalid: %v", err)
			}
			X := randomRows(2, tt.rows, 6, e)
			margin := make([]float64, X.Rows)
			prob := make([]float64, X.Rows)
			e.MarginInto(margin, X, tt.threads)
			e.PredictInto(prob, X, tt.threads)
			p := e.Compile()
			compiled := make([]float64, X.Rows)
			p.MarginInto(compiled, X, tt.threads)
			for i := range X.Rows {
				want := e.Margin(X.Row(i))
				if margin[i] != want {
					t.Fatalf("row %d: got margin %v; want %v (bit-identical to Margin)", i, margin[i], want)
				}
				if compiled[i] != want {
					t.Fatalf("row %d: Predictor.MarginInto gives %v; want %v", i, compiled[i], want)
				}
				if got := p.Margin(X.Row(i)); got != want {
					t.Fatalf("row %d: Predictor.Margin gives %v; want %v", i, got, want)
				}
				if got, want := prob[i], e.Prob(want); got != want {
					t.Fatalf("row %d: got probability %v; want %v", i, got, want)
				}
			}
		})
	}
}

// TestOrderKey checks that order keys sort like the numbers, -0 like +0,
// and missing values below everything.
func TestOrderKey(t *testing.T) {
	sorted := []float64{math.Inf(-1), -math.MaxFloat64, -1.5, -math.SmallestNonzeroFloat64, 0,
		math.SmallestNonzeroFloat64, 1, 1.0000000000000002, math.MaxFloat64, math.Inf(1)}
	for i, a := range sorted {
		if orderKey(a) == 0 {
			t.Errorf("orderKey(%v) = 0, the missing key", a)
		}
		for j, b := range sorted {
			if got, want := orderKey(a) < orderKey(b), i < j; got != want {
				t.Errorf("orderKey(%v) < orderKey(%v) = %v; want %v", a, b, got, want)
			}
		}
	}
	if orderKey(math.Copysign(0, -1)) != orderKey(0) {
		t.Error("orderKey(-0) != orderKey(+0)")
	}
	if orderKey(math.NaN()) != 0 {
		t.Error("orderKey(NaN) != 0")
	}
}

func TestPredictIntoPanics(t *testing.T) {
	e := randomEnsemble(1, 2, 2, 3, LogOdds)
	tests := []struct {
		name string
		dst  []float64
		X    *matrix.Dense
	}{
		{"short dst", make([]float64, 2), matrix.New(3, 3)},
		{"wrong columns", make([]float64, 3), matrix.New(3, 4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("PredictInto did not panic")
				}
			}()
			e.PredictInto(tt.dst, tt.X, 1)
		})
	}
}

func BenchmarkPredictInto(b *testing.B) {
	e := randomEnsemble(1, 100, 6, 44, LogOdds)
	for _, rows := range []int{1, 1000, 100_000} {
		X := randomRows(3, rows, 44, e)
		dst := make([]float64, rows)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/threads=%d", rows, threads), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					e.PredictInto(dst, X, threads)
				}
				b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
			})
		}
	}
}

// BenchmarkMargin is one row at a time: the walk of Ensemble.Margin and
// the compiled Predictor's.
func BenchmarkMargin(b *testing.B) {
	e := randomEnsemble(1, 100, 6, 44, LogOdds)
	X := randomRows(3, 1000, 44, e)
	p := e.Compile()
	for _, bm := range []struct {
		name   string
		margin func([]float64) float64
	}{{"ensemble", e.Margin}, {"predictor", p.Margin}} {
		b.Run(bm.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for i := range X.Rows {
					_ = bm.margin(X.Row(i))
				}
			}
			b.ReportMetric(float64(X.Rows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
