package fit

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// BenchmarkFit1Mx50 classes 1,000,000 rows × 50 characteristics (49
// numeric of several shapes, some with missing and special values, and one
// categorical) with 1 and 2 workers.
func BenchmarkFit1Mx50(b *testing.B) {
	chars, y := randomData(1_000_000, 49, 11)
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(b.Context(), chars, y, Config{Threads: threads}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFitNumeric classes one numeric characteristic by row count.
func BenchmarkFitNumeric(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		chars, y := randomData(n, 1, 12)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(b.Context(), chars[:1], y, Config{Threads: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFitCategorical classes one categorical characteristic of
// 1,000,000 rows by number of levels, up to the cardinality of a free-text
// field such as a job title.
func BenchmarkFitCategorical(b *testing.B) {
	const n = 1_000_000
	for _, k := range []int{10, 1000, 30_000} {
		rng := rand.New(rand.NewPCG(uint64(k), 13))
		levels := make([]string, k)
		for j := range levels {
			levels[j] = fmt.Sprintf("level%05d", j)
		}
		codes := make([]int32, n)
		y := make([]float64, n)
		for i := range codes {
			// Zipf-like level frequencies; the bad rate rises with the code.
			c := int32(float64(k) * rng.Float64() * rng.Float64())
			codes[i] = c
			if rng.Float64() < 0.05+0.2*float64(c)/float64(k) {
				y[i] = 1
			}
		}
		chars := []Characteristic{{Name: "c", Kind: classing.Categorical, Codes: codes, Levels: levels}}
		b.Run(fmt.Sprintf("levels=%d", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(b.Context(), chars, y, Config{Threads: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
