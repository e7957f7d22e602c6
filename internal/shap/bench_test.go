package shap

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// benchFeatures is the width of the credit-risk feature table.
const benchFeatures = 45

// benchEnsemble returns trees full trees of the given depth over
// benchFeatures features, with random splits and cover fractions, and rows
// of inputs with 10% missing values.
func benchEnsemble(tb testing.TB, trees, depth, rows int) (*tree.Ensemble, *matrix.Dense) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(uint64(trees), uint64(depth)))
	e := randomEnsemble(tb, rng, trees, benchFeatures, treeSpec{features: benchFeatures, depth: depth, full: true})
	X := matrix.New(rows, benchFeatures)
	for i := range rows {
		copy(X.Row(i), randomRow(rng, benchFeatures, false, 0.1))
	}
	return e, X
}

func benchExplainer(b *testing.B, trees, depth, rows int) (*Explainer, *matrix.Dense) {
	b.Helper()
	e, X := benchEnsemble(b, trees, depth, rows)
	x, err := NewExplainer(e)
	if err != nil {
		b.Fatalf("NewExplainer: %v", err)
	}
	return x, X
}

func BenchmarkExplain(b *testing.B) {
	// Depth 6 is the gbdt default, depth 10 the forest default.
	for _, size := range []struct{ trees, depth int }{{100, 4}, {100, 6}, {100, 8}, {100, 10}, {500, 6}} {
		b.Run(fmt.Sprintf("trees=%d/depth=%d", size.trees, size.depth), func(b *testing.B) {
			x, X := benchExplainer(b, size.trees, size.depth, 256)
			phi := make([]float64, benchFeatures)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				x.Explain(phi, X.Row(i%X.Rows))
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkExplainInto(b *testing.B) {
	const rows = 2000
	x, X := benchExplainer(b, 100, 6, rows)
	dst := matrix.New(rows, benchFeatures)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("trees=100/depth=6/rows=%d/threads=%d", rows, threads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := x.ExplainInto(b.Context(), dst, X, threads); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func BenchmarkNewExplainer(b *testing.B) {
	for _, size := range []struct{ trees, depth int }{{100, 6}, {500, 6}} {
		b.Run(fmt.Sprintf("trees=%d/depth=%d", size.trees, size.depth), func(b *testing.B) {
			e, _ := benchEnsemble(b, size.trees, size.depth, 0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewExplainer(e); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
