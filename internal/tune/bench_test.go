package tune

import (
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/gbdt"
)

func BenchmarkStratifiedFolds(b *testing.B) {
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		y := labels(n/6, n-n/6)
		b.Run("rows="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := StratifiedFolds(y, DefaultFolds, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearch measures the search's own work (folds, row samples,
// AUCs) with a learner that fits nothing.
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		X, y := noiseData(1, n)
		b.Run("rows="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := search(b.Context(), X, y, Options{Budget: Budget{Trials: 27, Seconds: noDeadline}},
					fakeLearner(0.5, 0, nil), 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkGBDT tunes boosting with a small budget on the synthetic
// interaction problem.
func BenchmarkGBDT(b *testing.B) {
	for _, n := range []int{2_000, 20_000} {
		X, y := xorData(1, n)
		base := gbdt.DefaultConfig()
		base.Rounds = 50
		b.Run("rows="+itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := GBDT(b.Context(), X, y, &base, Options{Budget: Budget{Trials: 3, Seconds: noDeadline}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
