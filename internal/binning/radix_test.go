package binning

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestRadixSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gens := []struct {
		name string
		gen  func() float64
	}{
		{"normal", rng.NormFloat64},
		{"few values", func() float64 { return float64(rng.IntN(3)) }},
		{"signed zeros and extremes", func() float64 {
			return []float64{0, math.Copysign(0, -1), -math.MaxFloat64, math.MaxFloat64,
				math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, 1, -1}[rng.IntN(8)]
		}},
		{"wide range", func() float64 { return math.Ldexp(rng.NormFloat64(), rng.IntN(2000)-1000) }},
	}
	for _, g := range gens {
		for _, n := range []int{0, 1, 100, 5000} {
			t.Run(fmt.Sprintf("%s/n=%d", g.name, n), func(t *testing.T) {
				vals := make([]float64, n)
				for i := range vals {
					vals[i] = g.gen()
				}
				want := slices.Clone(vals)
				slices.Sort(want)
				SortFloats(vals, nil, nil)
				for i := range vals {
					if vals[i] != want[i] {
						t.Fatalf("position %d: got %v; want %v", i, vals[i], want[i])
					}
				}
			})
		}
	}
}

func TestSortKeyOrder(t *testing.T) {
	vals := []float64{math.Inf(-1), -math.MaxFloat64, -1, -math.SmallestNonzeroFloat64, math.Copysign(0, -1), 0,
		math.SmallestNonzeroFloat64, 1, math.MaxFloat64, math.Inf(1)}
	for i := 1; i < len(vals); i++ {
		if !(sortKey(vals[i-1]) < sortKey(vals[i])) {
			t.Errorf("sortKey(%v) >= sortKey(%v); want increasing", vals[i-1], vals[i])
		}
		if got := fromSortKey(sortKey(vals[i])); math.Float64bits(got) != math.Float64bits(vals[i]) {
			t.Errorf("fromSortKey(sortKey(%v)) = %v; want the same bits", vals[i], got)
		}
	}
}
