// Package tree holds fitted decision-tree ensembles in a compact, flat form
// for prediction and explanation. It contains no training code: the gbdt and
// forest packages build Ensembles, the shap package explains them, and the
// server only ever imports this package.
//
// Split convention (the same as XGBoost's): a row goes to the left child when
// its feature value is strictly less than the node's threshold, to the right
// child when it is greater or equal, and to the child named by DefaultLeft
// when the value is missing (NaN).
package tree

import (
	"errors"
	"fmt"
	"math"
)

// Node is one node of a tree. Nodes of a tree live in one flat slice; node 0
// is the root. A leaf has Feature == -1.
type Node struct {
	// Feature is the column index tested at this node, or -1 for a leaf.
	Feature int32
	// Left and Right index the children in the tree's node slice.
	Left, Right int32
	// DefaultLeft sends missing values to the left child when true.
	DefaultLeft bool
	// Threshold: x < Threshold goes left, x >= Threshold goes right.
	Threshold float64
	// Value is the leaf output (a log-odds increment for boosted trees, a
	// probability of the positive class for random-forest trees). On inner
	// nodes it is the cover-weighted mean of its leaves and is not used by
	// prediction.
	Value float64
	// Cover is the training weight that reached the node (sum of hessians
	// for boosted trees, weighted sample count for forests). TreeSHAP needs
	// it.
	Cover float64
}

// IsLeaf reports whether n is a leaf.
func (n *Node) IsLeaf() bool { return n.Feature < 0 }

// Tree is a single decision tree.
type Tree struct {
	Nodes []Node
}

// Leaf returns the index of the leaf that x reaches.
func (t *Tree) Leaf(x []float64) int {
	i := int32(0)
	nodes := t.Nodes
	for {
		n := &nodes[i]
		if n.Feature < 0 {
			return int(i)
		}
		v := x[n.Feature]
		switch {
		case v < n.Threshold:
			i = n.Left
		case v >= n.Threshold:
			i = n.Right
		case n.DefaultLeft: // NaN: neither comparison holds
			i = n.Left
		default:
			i = n.Right
		}
	}
}

// Predict returns the value of the leaf that x reaches.
func (t *Tree) Predict(x []float64) float64 { return t.Nodes[t.Leaf(x)].Value }

// Depth returns the number of edges on the longest root-to-leaf path.
func (t *Tree) Depth() int {
	var walk func(i int32) int
	walk = func(i int32) int {
		n := &t.Nodes[i]
		if n.Feature < 0 {
			return 0
		}
		return 1 + max(walk(n.Left), walk(n.Right))
	}
	return walk(0)
}

// Ensemble is a sum of trees. Its raw output (the margin) is
//
//	Base + Scale * Σ_t tree_t(x)
//
// For boosted trees Base is the initial log-odds and Scale is 1, so the
// margin is a log-odds and the probability is the logistic of it. For a
// random forest Base is 0 and Scale is 1/len(Trees), so the margin is already
// a probability. Output says which.
type Ensemble struct {
	NumFeatures int
	Base        float64
	Scale       float64
	Output      Output
	Trees       []Tree
}

// Output names what an ensemble's margin means.
type Output string

// The two kinds of ensemble output.
const (
	// LogOdds margins are mapped to probabilities with the logistic function.
	LogOdds Output = "log_odds"
	// Probability margins are probabilities already.
	Probability Output = "probability"
)

// Margin returns the raw output for one row of NumFeatures values.
func (e *Ensemble) Margin(x []float64) float64 {
	var s float64
	for i := range e.Trees {
		s += e.Trees[i].Predict(x)
	}
	return e.Base + e.Scale*s
}

// Prob maps a margin to a probability of the positive class.
func (e *Ensemble) Prob(margin float64) float64 { return e.Output.Prob(margin) }

// Prob maps a margin of this kind to a probability of the positive class.
func (o Output) Prob(margin float64) float64 {
	if o == LogOdds {
		return Sigmoid(margin)
	}
	return margin
}

// Sigmoid is the logistic function 1/(1+e^-z).
func Sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("tree: invalid ensemble")

// Validate checks that the ensemble is well formed: children in range and
// after their parent (so walks terminate), features below NumFeatures, finite
// thresholds and values. Decoders call it so a tampered file cannot make
// prediction loop or index out of range.
func (e *Ensemble) Validate() error {
	if e.NumFeatures <= 0 {
		return fmt.Errorf("%w: %d features", ErrInvalid, e.NumFeatures)
	}
	if e.Output != LogOdds && e.Output != Probability {
		return fmt.Errorf("%w: unknown output %q", ErrInvalid, e.Output)
	}
	if !finite(e.Base) || !finite(e.Scale) {
		return fmt.Errorf("%w: non-finite base or scale", ErrInvalid)
	}
	for ti := range e.Trees {
		nodes := e.Trees[ti].Nodes
		if len(nodes) == 0 {
			return fmt.Errorf("%w: tree %d has no nodes", ErrInvalid, ti)
		}
		for ni, n := range nodes {
			if !finite(n.Value) || !finite(n.Cover) {
				return fmt.Errorf("%w: tree %d node %d: non-finite value or cover", ErrInvalid, ti, ni)
			}
			if n.Feature < 0 {
				continue
			}
			if int(n.Feature) >= e.NumFeatures {
				return fmt.Errorf("%w: tree %d node %d: feature %d out of range", ErrInvalid, ti, ni, n.Feature)
			}
			if int(n.Left) <= ni || int(n.Right) <= ni || int(n.Left) >= len(nodes) || int(n.Right) >= len(nodes) {
				return fmt.Errorf("%w: tree %d node %d: child index out of order", ErrInvalid, ti, ni)
			}
			if math.IsNaN(n.Threshold) {
				return fmt.Errorf("%w: tree %d node %d: NaN threshold", ErrInvalid, ti, ni)
			}
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
