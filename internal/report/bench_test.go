package report

import (
	"fmt"
	"testing"
)

// BenchmarkWrite times a whole report of three candidates (curves, five
// SVG plots, the page and the fsyncs of seven files) by test-set size.
func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		in := synthInput(b, n, 1)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Write(b.Context(), dir, in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlots times drawing the plots to SVG in memory, without the
// metrics or any file, by test-set size.
func BenchmarkPlots(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		in := synthInput(b, n, 1)
		ss := make([]series, len(in.Candidates))
		for i := range in.Candidates {
			var err error
			if ss[i], err = newSeries(i, &in.Candidates[i]); err != nil {
				b.Fatal(err)
			}
		}
		plots, _ := plotList(ss, &in.Candidates[0], ss[0].badRate)
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, pf := range plots {
					ch, err := pf.draw()
					if err != nil {
						b.Fatal(err)
					}
					if _, err := renderSVG(ch); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
