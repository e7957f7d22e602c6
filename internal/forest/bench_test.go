package forest

import (
	"fmt"
	"testing"
)

func BenchmarkFit(b *testing.B) {
	for _, size := range []struct{ rows, cols int }{{5_000, 20}, {34_000, 53}} {
		X, y := synthetic(1, size.rows, size.cols)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/cols=%d/threads=%d", size.rows, size.cols, threads), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Threads = threads
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Fit(b.Context(), X, y, cfg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkTree times growing one tree on an already binned matrix:
// bootstrap, histograms, split search and partitioning.
func BenchmarkTree(b *testing.B) {
	for _, size := range []struct{ rows, cols int }{{5_000, 20}, {34_000, 53}} {
		b.Run(fmt.Sprintf("rows=%d/cols=%d", size.rows, size.cols), func(b *testing.B) {
			X, y := synthetic(1, size.rows, size.cols)
			g := newTestGrower(b, X, y, DefaultConfig())
			b.ReportAllocs()
			t := 0
			for b.Loop() {
				g.tree(t)
				t++
			}
		})
	}
}
