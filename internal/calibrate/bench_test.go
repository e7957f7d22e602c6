package calibrate

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		rng := rand.New(rand.NewPCG(1, 2))
		scores := make([]float64, n)
		labels := make([]float64, n)
		for i := range n {
			scores[i] = rng.NormFloat64()
			if rng.Float64() < 1/(1+math.Exp(-2*scores[i])) {
				labels[i] = 1
			}
		}
		iso, err := FitIsotonic(scores, labels, nil)
		if err != nil {
			b.Fatal(err)
		}
		platt, err := FitPlatt(scores, labels, nil)
		if err != nil {
			b.Fatal(err)
		}
		dst := make([]float64, n)
		for _, c := range []*Calibrator{iso, platt} {
			b.Run(fmt.Sprintf("%s/n=%d", c.Method, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					c.ApplyInto(dst, scores)
				}
			})
		}
		b.Run(fmt.Sprintf("fit-isotonic/n=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FitIsotonic(scores, labels, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
