package fit

import (
	"fmt"
	"testing"
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
