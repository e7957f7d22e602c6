package metrics

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func benchData(n int) (labels, scores, weights []float64) {
	rng := rand.New(rand.NewPCG(7, 8))
	labels = make([]float64, n)
	scores = make([]float64, n)
	weights = make([]float64, n)
	for i := range n {
		s := rng.Float64()
		scores[i] = s
		if rng.Float64() < s {
			labels[i] = 1
		}
		weights[i] = 0.5 + rng.Float64()
	}
	return labels, scores, weights
}

func BenchmarkROCAUC(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		labels, scores, weights := benchData(n)
		b.Run(fmt.Sprintf("n=%d/unweighted", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ROCAUC(labels, scores, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("n=%d/weighted", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ROCAUC(labels, scores, weights); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkLogLoss(b *testing.B) {
	for _, n := range []int{1_000, 1_000_000} {
		labels, scores, _ := benchData(n)
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := LogLoss(labels, scores, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
