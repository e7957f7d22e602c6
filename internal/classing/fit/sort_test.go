package fit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/binning"
)

func TestSortFloats(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	gen := map[string]func() float64{
		"normal":   rng.NormFloat64,
		"integers": func() float64 { return float64(rng.IntN(100) - 50) },
		"wide": func() float64 {
			return math.Ldexp(rng.Float64()-0.5, rng.IntN(2000)-1000)
		},
		"signed zeros and extremes": func() float64 {
			return []float64{0, math.Copysign(0, -1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1}[rng.IntN(7)]
		},
		"constant": func() float64 { return 3.5 },
	}
	for name, g := range gen {
		for _, n := range []int{0, 1, 100, 5000, 70_000} {
			vals := make([]float64, n)
			for i := range vals {
				vals[i] = g()
			}
			want := slices.Clone(vals)
			slices.Sort(want)
			var keys, tmp []uint64
			keys, tmp = binning.SortFloats(vals, keys, tmp)
			for i := range vals {
				// slices.Sort leaves -0 and +0 in any order; compare values.
				if vals[i] != want[i] {
					t.Fatalf("%s, %d values: position %d is %v; want %v", name, n, i, vals[i], want[i])
				}
			}
			// Reusing the scratch space gives the same result.
			rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
			binning.SortFloats(vals, keys, tmp)
			if !slices.Equal(vals, want) && !zerosOnly(vals, want) {
				t.Fatalf("%s, %d values: second sort differs", name, n)
			}
		}
	}
}

// zerosOnly reports whether a and b differ only in the sign of zeros.
func zerosOnly(a, b []float64) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
