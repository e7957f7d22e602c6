package logreg

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

func BenchmarkFit(b *testing.B) {
	for _, size := range []struct{ rows, cols int }{{10_000, 20}, {100_000, 50}} {
		X, y := randomMatrix(rand.New(rand.NewPCG(1, 2)), size.rows, size.cols, 0.1)
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%dx%d/workers=%d", size.rows, size.cols, workers), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Fit(b.Context(), X, y, Config{Workers: workers}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkPredictProbaInto(b *testing.B) {
	X, y := randomMatrix(rand.New(rand.NewPCG(1, 2)), 10_000, 23, 0.1)
	m, err := Fit(b.Context(), X, y, Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, rows := range []int{1, 1_000, 100_000} {
		Xp := matrix.New(rows, X.Cols)
		for i := range rows {
			copy(Xp.Row(i), X.Row(i%X.Rows))
		}
		dst := make([]float64, rows)
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				m.PredictProbaInto(dst, Xp)
			}
		})
	}
}

func BenchmarkContributions(b *testing.B) {
	X, y := randomMatrix(rand.New(rand.NewPCG(1, 2)), 10_000, 23, 0.1)
	m, err := Fit(b.Context(), X, y, Config{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Contributions(X.Row(i % X.Rows))
	}
}
