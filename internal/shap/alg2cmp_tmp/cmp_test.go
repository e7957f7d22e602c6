package alg2cmp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/credit-risk/credit-risk/internal/shap"
	"github.com/credit-risk/credit-risk/internal/tree"
)

func ens(trees, depth, nf int) (*tree.Ensemble, [][]float64) {
	rng := rand.New(rand.NewPCG(uint64(trees), uint64(depth)))
	e := &tree.Ensemble{NumFeatures: nf, Scale: 1, Output: tree.LogOdds}
	for range trees {
		var nodes []tree.Node
		var build func(d int, cover float64) int32
		build = func(d int, cover float64) int32 {
			i := int32(len(nodes))
			nodes = append(nodes, tree.Node{Feature: -1, Cover: cover, Value: rng.NormFloat64()})
			if d == depth {
				return i
			}
			p := 0.05 + 0.9*rng.Float64()
			l := build(d+1, cover*p)
			r := build(d+1, cover-cover*p)
			nodes[i] = tree.Node{Feature: int32(rng.IntN(nf)), Left: l, Right: r, DefaultLeft: rng.IntN(2) == 0, Threshold: rng.NormFloat64(), Cover: cover}
			return i
		}
		build(0, 100)
		e.Trees = append(e.Trees, tree.Tree{Nodes: nodes})
	}
	rows := make([][]float64, 256)
	for i := range rows {
		rows[i] = make([]float64, nf)
		for j := range rows[i] {
			rows[i][j] = rng.NormFloat64()
			if rng.Float64() < 0.1 {
				rows[i][j] = math.NaN()
			}
		}
	}
	return e, rows
}

func TestSame(t *testing.T) {
	e, rows := ens(100, 6, 45)
	a := NewExplainer(e)
	b, _ := shap.NewExplainer(e)
	p1, p2 := make([]float64, 45), make([]float64, 45)
	for _, r := range rows[:20] {
		a.Explain(p1, r)
		b.Explain(p2, r)
		for j := range p1 {
			if math.Abs(p1[j]-p2[j]) > 1e-9 {
				t.Fatalf("%d: %g vs %g", j, p1[j], p2[j])
			}
		}
	}
}

func BenchmarkCompare(b *testing.B) {
	for _, depth := range []int{4, 6, 8} {
		e, rows := ens(100, depth, 45)
		a := NewExplainer(e)
		q, _ := shap.NewExplainer(e)
		phi := make([]float64, 45)
		b.Run("alg2/depth="+string(rune('0'+depth)), func(b *testing.B) {
			i := 0
			for b.Loop() {
				a.Explain(phi, rows[i%256])
				i++
			}
		})
		b.Run("quad/depth="+string(rune('0'+depth)), func(b *testing.B) {
			i := 0
			for b.Loop() {
				q.Explain(phi, rows[i%256])
				i++
			}
		})
	}
}
