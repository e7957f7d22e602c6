package shap

import (
	"fmt"
	"math"
	"testing"
)

// TestGaussLegendre checks that n points integrate t^m over [0, 1] exactly
// for every m <= 2n-1, which is what makes the explanations exact.
func TestGaussLegendre(t *testing.T) {
	for _, n := range []int{1, 2, 3, 4, 5, 8, 13, 32, 129} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			nodes, weights := gaussLegendre(n)
			if len(nodes) != n || len(weights) != n {
				t.Fatalf("got %d nodes and %d weights; want %d", len(nodes), len(weights), n)
			}
			for q := range nodes {
				if !(nodes[q] > 0 && nodes[q] < 1) || !(weights[q] > 0) {
					t.Fatalf("node %d: t = %g, w = %g; want 0 < t < 1, w > 0", q, nodes[q], weights[q])
				}
				if q > 0 && !(nodes[q] > nodes[q-1]) {
					t.Fatalf("nodes not increasing at %d: %g after %g", q, nodes[q], nodes[q-1])
				}
			}
			for m := 0; m <= 2*n-1; m++ {
				var got float64
				for q := range nodes {
					got += weights[q] * math.Pow(nodes[q], float64(m))
				}
				if want := 1 / float64(m+1); math.Abs(got-want) > 1e-14 {
					t.Errorf("∫t^%d = %.17g; want %.17g", m, got, want)
				}
			}
		})
	}
}
