package shap

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// treeSpec describes the random trees a test wants.
type treeSpec struct {
	features int  // features to split on: 0..features-1
	depth    int  // maximum depth
	full     bool // every leaf at depth; else each node stops with probability 0.2
	// grid draws thresholds from {-2, -1.5, …, 2} so that rows drawn on the
	// same grid hit them exactly and exercise the x == threshold case.
	grid bool
	// zeroCover sends, at one split in ten, all the cover to one child;
	// the empty child is then a leaf.
	zeroCover bool
}

// randomTree returns a valid tree whose covers are consistent: each parent's
// cover is the sum of its children's, and inner nodes carry the
// cover-weighted mean of their leaves as Value.
func randomTree(tb testing.TB, rng *rand.Rand, spec treeSpec) tree.Tree {
	tb.Helper()
	var nodes []tree.Node
	var build func(depth int, cover float64) int32
	build = func(depth int, cover float64) int32 {
		i := int32(len(nodes))
		nodes = append(nodes, tree.Node{Feature: -1, Left: -1, Right: -1, Cover: cover})
		if depth == spec.depth || cover == 0 || (!spec.full && rng.Float64() < 0.2) {
			nodes[i].Value = rng.NormFloat64()
			return i
		}
		p := 0.05 + 0.9*rng.Float64()
		if spec.zeroCover && rng.IntN(10) == 0 {
			p = float64(rng.IntN(2))
		}
		threshold := rng.NormFloat64()
		if spec.grid {
			threshold = gridValue(rng)
		}
		lc := cover * p
		l := build(depth+1, lc)
		r := build(depth+1, cover-lc)
		nodes[i] = tree.Node{
			Feature:     int32(rng.IntN(spec.features)),
			Left:        l,
			Right:       r,
			DefaultLeft: rng.IntN(2) == 0,
			Threshold:   threshold,
			Value:       (nodes[l].Value*nodes[l].Cover + nodes[r].Value*nodes[r].Cover) / cover,
			Cover:       cover,
		}
		return i
	}
	build(0, 1+100*rng.Float64())
	return tree.Tree{Nodes: nodes}
}

// randomEnsemble returns a valid log-odds ensemble of n random trees over
// numFeatures features (at least spec.features).
func randomEnsemble(tb testing.TB, rng *rand.Rand, n, numFeatures int, spec treeSpec) *tree.Ensemble {
	tb.Helper()
	e := &tree.Ensemble{
		NumFeatures: numFeatures,
		Base:        rng.NormFloat64(),
		Scale:       0.1 + rng.Float64(),
		Output:      tree.LogOdds,
	}
	for range n {
		e.Trees = append(e.Trees, randomTree(tb, rng, spec))
	}
	if err := e.Validate(); err != nil {
		tb.Fatalf("random ensemble: %v", err)
	}
	return e
}

func gridValue(rng *rand.Rand) float64 { return float64(rng.IntN(9)-4) / 2 }

// randomRow returns n feature values, each missing (NaN) with probability
// nanRate, on the threshold grid when grid is set and standard normal
// otherwise.
func randomRow(rng *rand.Rand, n int, grid bool, nanRate float64) []float64 {
	x := make([]float64, n)
	for j := range x {
		switch {
		case rng.Float64() < nanRate:
			x[j] = math.NaN()
		case grid:
			x[j] = gridValue(rng)
		default:
			x[j] = rng.NormFloat64()
		}
	}
	return x
}

// condExpect returns E[tree(x) | x_S] for the coalition S given as a bit
// mask: a split on a feature in S sends x the way prediction does, any other
// split averages its children weighted by cover.
func condExpect(nodes []tree.Node, x []float64, s uint, i int32) float64 {
	n := &nodes[i]
	if n.Feature < 0 {
		return n.Value
	}
	if s&(1<<n.Feature) != 0 {
		v := x[n.Feature]
		switch {
		case v < n.Threshold:
			return condExpect(nodes, x, s, n.Left)
		case v >= n.Threshold:
			return condExpect(nodes, x, s, n.Right)
		case n.DefaultLeft:
			return condExpect(nodes, x, s, n.Left)
		default:
			return condExpect(nodes, x, s, n.Right)
		}
	}
	lc, rc := nodes[n.Left].Cover, nodes[n.Right].Cover
	return (lc*condExpect(nodes, x, s, n.Left) + rc*condExpect(nodes, x, s, n.Right)) / (lc + rc)
}

// bruteForce returns the exact Shapley values of the ensemble margin at x by
// enumerating all 2^NumFeatures coalitions, and the value of the empty
// coalition.
func bruteForce(e *tree.Ensemble, x []float64) (phi []float64, base float64) {
	m := e.NumFeatures
	value := make([]float64, 1<<m)
	for s := range value {
		var sum float64
		for t := range e.Trees {
			sum += condExpect(e.Trees[t].Nodes, x, uint(s), 0)
		}
		value[s] = e.Base + e.Scale*sum
	}
	fact := make([]float64, m+1)
	fact[0] = 1
	for i := 1; i <= m; i++ {
		fact[i] = fact[i-1] * float64(i)
	}
	phi = make([]float64, m)
	for j := range m {
		for s := range value {
			if s&(1<<j) != 0 {
				continue
			}
			size := popcount(s)
			weight := fact[size] * fact[m-size-1] / fact[m]
			phi[j] += weight * (value[s|1<<j] - value[s])
		}
	}
	return phi, value[0]
}

func popcount(s int) int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

// closeTo reports whether got is within tol of want, relative to want's
// magnitude when that exceeds 1.
func closeTo(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func sum(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s
}
