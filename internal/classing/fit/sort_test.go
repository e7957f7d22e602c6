package fit

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
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
			keys, tmp = sortFloats(vals, keys, tmp)
			for i := range vals {
				// slices.Sort leaves -0 and +0 in any order; compare values.
				if vals[i] != want[i] {
					t.Fatalf("%s, %d values: position %d is %v; want %v", name, n, i, vals[i], want[i])
				}
			}
			// Reusing the scratch space gives the same result.
			rng.Shuffle(len(vals), func(i, j int) { vals[i], vals[j] = vals[j], vals[i] })
			sortFloats(vals, keys, tmp)
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

func TestOrderedBits(t *testing.T) {
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, math.Copysign(0, -1), 0, math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1)}
	for i, v := range vals {
		if got := fromOrderedBits(orderedBits(v)); math.Float64bits(got) != math.Float64bits(v) {
			t.Errorf("fromOrderedBits(orderedBits(%v)) = %v", v, got)
		}
		if i > 0 && !(orderedBits(vals[i-1]) < orderedBits(v)) {
			t.Errorf("orderedBits(%v) >= orderedBits(%v)", vals[i-1], v)
		}
	}
}
