package alg2cmp

import (
	"sync"

	"github.com/credit-risk/credit-risk/internal/tree"
)

type node struct {
	threshold           float64
	value               float64
	zeroLeft, zeroRight float64
	feature             int32
	left, right         int32
	defaultLeft         bool
}

type Explainer struct {
	nodes    []node
	roots    []int32
	maxDepth int
	base     float64
	factors  factors
	pool     sync.Pool
}

func NewExplainer(e *tree.Ensemble) *Explainer {
	x := &Explainer{base: e.Base}
	for ti := range e.Trees {
		src := e.Trees[ti].Nodes
		off := int32(len(x.nodes))
		x.roots = append(x.roots, off)
		x.maxDepth = max(x.maxDepth, e.Trees[ti].Depth())
		for _, n := range src {
			if n.IsLeaf() {
				x.nodes = append(x.nodes, node{value: e.Scale * n.Value, feature: -1})
				continue
			}
			s := src[n.Left].Cover + src[n.Right].Cover
			x.nodes = append(x.nodes, node{threshold: n.Threshold, zeroLeft: src[n.Left].Cover / s, zeroRight: src[n.Right].Cover / s,
				feature: n.Feature, left: off + n.Left, right: off + n.Right, defaultLeft: n.DefaultLeft})
		}
	}
	x.factors = newFactors(x.maxDepth)
	x.pool.New = func() any { return newWorkspace(x.maxDepth) }
	return x
}

func (x *Explainer) Explain(dst, row []float64) {
	ws := x.pool.Get().(*workspace)
	x.explain(ws, dst, row)
	x.pool.Put(ws)
}
