package shap

import (
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// This file holds a plain implementation of Algorithm 2 of Lundberg, Erion
// and Lee (2018), the recursive path-extension form of TreeSHAP, used as a
// second oracle for Explain on trees too wide for brute force.

// pathStep is one element of the paper's unique path m.
type pathStep struct {
	feature int32
	zero    float64 // z: fraction of cover flowing through
	one     float64 // o: 1 when x flows through
	weight  float64 // w: weight of the coalitions of this size
}

// algorithm2 returns φ and the expected value of e at x.
func algorithm2(e *tree.Ensemble, x []float64) (phi []float64, base float64) {
	phi = make([]float64, e.NumFeatures)
	base = e.Base
	for ti := range e.Trees {
		nodes := e.Trees[ti].Nodes
		base += e.Scale * expectation(nodes, 0)
		a := alg2{nodes: nodes, x: x, phi: phi, scale: e.Scale}
		a.recurse(0, nil, 1, 1, -1)
	}
	return phi, base
}

// expectation returns the cover-weighted mean of the leaves below node i.
func expectation(nodes []tree.Node, i int32) float64 {
	n := &nodes[i]
	if n.Feature < 0 {
		return n.Value
	}
	lc, rc := nodes[n.Left].Cover, nodes[n.Right].Cover
	return (lc*expectation(nodes, n.Left) + rc*expectation(nodes, n.Right)) / (lc + rc)
}

type alg2 struct {
	nodes []tree.Node
	x     []float64
	phi   []float64
	scale float64
}

// recurse is RECURSE(j, m, p_z, p_o, p_i) of the paper. m is copied, as
// the paper does, so that siblings see the parent's path.
func (a *alg2) recurse(j int32, parent []pathStep, pz, po float64, pi int32) {
	m := extendPath(append([]pathStep(nil), parent...), pz, po, pi)
	n := &a.nodes[j]
	if n.Feature < 0 {
		for i := 1; i < len(m); i++ {
			w := unwoundSum(m, i)
			a.phi[m[i].feature] += w * (m[i].one - m[i].zero) * n.Value * a.scale
		}
		return
	}
	lc, rc := a.nodes[n.Left].Cover, a.nodes[n.Right].Cover
	hot, cold := n.Right, n.Left
	hz, cz := rc/(lc+rc), lc/(lc+rc)
	v := a.x[n.Feature]
	if v < n.Threshold || (!(v >= n.Threshold) && n.DefaultLeft) {
		hot, cold, hz, cz = cold, hot, cz, hz
	}
	iz, io := 1.0, 1.0
	for k := 1; k < len(m); k++ {
		if m[k].feature == n.Feature {
			iz, io = m[k].zero, m[k].one
			m = unwindPath(m, k)
			break
		}
	}
	// An edge with z = o = 0 contributes nothing below it, and unwinding
	// it again would divide by zero.
	if iz*hz != 0 || io != 0 {
		a.recurse(hot, m, iz*hz, io, n.Feature)
	}
	if iz*cz != 0 {
		a.recurse(cold, m, iz*cz, 0, n.Feature)
	}
}

// extendPath is EXTEND(m, p_z, p_o, p_i).
func extendPath(m []pathStep, pz, po float64, pi int32) []pathStep {
	l := len(m)
	w := 0.0
	if l == 0 {
		w = 1
	}
	m = append(m, pathStep{feature: pi, zero: pz, one: po, weight: w})
	for i := l - 1; i >= 0; i-- {
		m[i+1].weight += po * m[i].weight * float64(i+1) / float64(l+1)
		m[i].weight = pz * m[i].weight * float64(l-i) / float64(l+1)
	}
	return m
}

// unwindPath is UNWIND(m, i).
func unwindPath(m []pathStep, i int) []pathStep {
	l := len(m) - 1
	n := m[l].weight
	for j := l - 1; j >= 0; j-- {
		if m[i].one != 0 {
			t := m[j].weight
			m[j].weight = n * float64(l+1) / (float64(j+1) * m[i].one)
			n = t - m[j].weight*m[i].zero*float64(l-j)/float64(l+1)
		} else {
			m[j].weight = m[j].weight * float64(l+1) / (m[i].zero * float64(l-j))
		}
	}
	for j := i; j < l; j++ {
		m[j].feature, m[j].zero, m[j].one = m[j+1].feature, m[j+1].zero, m[j+1].one
	}
	return m[:l]
}

// unwoundSum returns sum(UNWIND(m, i).w) without changing m.
func unwoundSum(m []pathStep, i int) float64 {
	c := unwindPath(append([]pathStep(nil), m...), i)
	var s float64
	for _, p := range c {
		s += p.weight
	}
	return s
}

func TestExplain_MatchesAlgorithm2(t *testing.T) {
	tests := []struct {
		name        string
		trees       int
		numFeatures int
		spec        treeSpec
		grid        bool
		blocks      int // quadrature blocks the explainer must use
	}{
		{"full depth 6, 45 features", 20, 45, treeSpec{features: 45, depth: 6, full: true}, false, 1},
		{"depth 10, 8 features", 10, 8, treeSpec{features: 8, depth: 10, full: true}, true, 1},
		{"depth 12, 30 features, zero covers", 5, 30, treeSpec{features: 30, depth: 12, grid: true, zeroCover: true}, true, 2},
		{"full depth 10, 12 features", 3, 12, treeSpec{features: 12, depth: 10, full: true}, true, 2},
		{"depth 16, 3 features", 5, 3, treeSpec{features: 3, depth: 16}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(13, 14))
			e := randomEnsemble(t, rng, tt.trees, tt.numFeatures, tt.spec)
			x, err := NewExplainer(e)
			if err != nil {
				t.Fatalf("NewExplainer: %v", err)
			}
			if tt.blocks > 0 && x.nb != tt.blocks {
				t.Fatalf("explainer uses %d quadrature blocks; the case wants %d", x.nb, tt.blocks)
			}
			rows := 20
			if testing.Short() {
				rows = 4
			}
			got := make([]float64, tt.numFeatures)
			for range rows {
				row := randomRow(rng, tt.numFeatures, tt.grid, 0.2)
				base := x.Explain(got, row)
				want, wantBase := algorithm2(e, row)
				if !closeTo(base, wantBase, tol) {
					t.Fatalf("base = %.15g; want %.15g", base, wantBase)
				}
				for j := range want {
					if !closeTo(got[j], want[j], tol) {
						t.Fatalf("φ[%d] = %.15g; want %.15g", j, got[j], want[j])
					}
				}
			}
		})
	}
}

// TestAlgorithm2_BruteForce checks the oracle itself.
func TestAlgorithm2_BruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	for i := range 50 {
		e := randomEnsemble(t, rng, 3, 4, treeSpec{features: 4, depth: 4, grid: true, zeroCover: true})
		row := randomRow(rng, 4, true, 0.2)
		got, gotBase := algorithm2(e, row)
		want, wantBase := bruteForce(e, row)
		if !closeTo(gotBase, wantBase, tol) {
			t.Fatalf("ensemble %d: base = %.15g; want %.15g", i, gotBase, wantBase)
		}
		for j := range want {
			if !closeTo(got[j], want[j], tol) {
				t.Fatalf("ensemble %d: φ[%d] = %.15g; want %.15g", i, j, got[j], want[j])
			}
		}
	}
}

// BenchmarkAlgorithm2 times the plain oracle on the model of
// BenchmarkExplain/trees=100/depth=6, for comparison. It allocates freely.
func BenchmarkAlgorithm2(b *testing.B) {
	e, X := benchEnsemble(b, 100, 6, 256)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		algorithm2(e, X.Row(i%X.Rows))
		i++
	}
}
