package shap

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// The nodes of a tree are numbered in depth-first preorder, so a parent
// comes before its children, and all node indices are local to the tree.
// Every node but the root also stands for the edge from its parent to it.
// What explain needs of a node is split by pass into three tables.

// split is an inner node as the pass that routes the row sees it.
type split struct {
	threshold   float64
	feature     int32
	node        int32
	defaultLeft int32 // 1 when the split sends NaN left
}

// down is a node as the top-down pass sees it.
type down struct {
	// zero is the cover fraction of the edge's feature after the edge: the
	// product of cover(child)/(cover(left)+cover(right)) over every edge on
	// that feature from the root down to this node.
	zero   float64
	parent int32
	// prev is the node whose incoming edge is the previous edge on the
	// same feature above this one, or 0 (the root) when there is none.
	prev int32
	// prevInv selects the rows of Explainer.inv that undo prev's factor;
	// 0 when there is no prev.
	prevInv int32
	isLeft  int32 // 1 when the node is its parent's left child
}

// up is a node as the bottom-up pass sees it.
type up struct {
	value float64 // leaf output × Scale; 0 on inner nodes
	// left and right are the children; a leaf points both at the tree's
	// sink slot, which holds zeros.
	left, right int32
	// corr is, for an inner node splitting on f, the node whose incoming
	// edge is the nearest edge on f at or above this node: leaves below
	// this node do not count for that edge. It is -1 when there is none.
	corr        int32
	edgeFeature int32 // feature of the edge into the node
	// target is set when some node's corr is this node.
	target bool
}

// span locates one tree in the node tables.
type span struct{ start, end, splitStart, splitEnd int }

// checkTree checks what TreeSHAP needs beyond tree.Ensemble.Validate.
func checkTree(nodes []tree.Node) error {
	parents := make([]int, len(nodes))
	depth := make([]int, len(nodes))
	for ni := range nodes {
		n := &nodes[ni]
		if n.Cover < 0 {
			return fmt.Errorf("node %d: negative cover %g", ni, n.Cover)
		}
		if ni > 0 && parents[ni] != 1 {
			return fmt.Errorf("node %d: %d parents; want 1", ni, parents[ni])
		}
		if n.IsLeaf() {
			continue
		}
		// Validate guarantees ni < Left, Right < len(nodes).
		l, r := n.Left, n.Right
		if depth[ni] == MaxDepth {
			return fmt.Errorf("deeper than %d", MaxDepth)
		}
		parents[l]++
		parents[r]++
		depth[l], depth[r] = depth[ni]+1, depth[ni]+1
		if !(nodes[l].Cover+nodes[r].Cover > 0) {
			return fmt.Errorf("node %d: children have no cover", ni)
		}
	}
	return nil
}

// builder lays the trees of a checked ensemble out in the node tables.
type builder struct {
	x     *Explainer
	scale float64
	src   []tree.Node
	start int // index of the tree's root in x.down and x.up
	// last[f] is the node whose incoming edge is the nearest edge on
	// feature f above the current node, or -1.
	last []int32
	// prevZero holds, for each node with a prev, prev's zero: the
	// fraction to undo (see Explainer.inv).
	prevZero []float64
}

// addTree appends one tree and adds its expected value to x.base.
func (b *builder) addTree(src []tree.Node) {
	x := b.x
	b.src, b.start = src, len(x.down)
	splitStart := len(x.splits)
	b.visit(0, -1, 0, 0, 1, 1, 0)
	sink := int32(len(x.down) - b.start)
	for i := b.start; i < len(x.up); i++ {
		if u := &x.up[i]; u.left < 0 {
			u.left, u.right = sink, sink
		}
	}
	x.trees = append(x.trees, span{b.start, len(x.down), splitStart, len(x.splits)})
	x.maxNodes = max(x.maxNodes, int(sink))
}

// visit lays out source node si, reached from parent (-1 for the root)
// through an edge on feature f with cover fraction frac, on a path with
// product of fractions reach that splits on distinct features. It returns
// the new node's index.
func (b *builder) visit(si, parent, isLeft, f int32, frac, reach float64, distinct int) int32 {
	x := b.x
	s := &b.src[si]
	c := int32(len(x.down) - b.start)
	x.down = append(x.down, down{parent: parent, isLeft: isLeft})
	x.up = append(x.up, up{left: -1, right: -1, corr: -1})
	d, u := &x.down[b.start+int(c)], &x.up[b.start+int(c)]
	restore, restoreTo := int32(-1), int32(0)
	if parent >= 0 {
		u.edgeFeature = f
		d.zero = frac
		if p := b.last[f]; p >= 0 {
			d.prev = p
			d.zero *= x.down[b.start+int(p)].zero
			b.prevZero = append(b.prevZero, x.down[b.start+int(p)].zero)
			d.prevInv = int32(len(b.prevZero))
		} else {
			distinct++
		}
		restore, restoreTo = f, b.last[f]
		b.last[f] = c
	}
	if s.IsLeaf() {
		v := b.scale * s.Value
		u.value = v
		x.base += reach * v
		x.maxPath = max(x.maxPath, distinct)
	} else {
		dl := int32(0)
		if s.DefaultLeft {
			dl = 1
		}
		x.splits = append(x.splits, split{threshold: s.Threshold, feature: s.Feature, node: c, defaultLeft: dl})
		if k := b.last[s.Feature]; k >= 0 {
			u.corr = k
			x.up[b.start+int(k)].target = true
		}
		lc, rc := b.src[s.Left].Cover, b.src[s.Right].Cover
		lf, rf := lc/(lc+rc), rc/(lc+rc)
		l := b.visit(s.Left, c, 1, s.Feature, lf, reach*lf, distinct)
		r := b.visit(s.Right, c, 0, s.Feature, rf, reach*rf, distinct)
		u = &x.up[b.start+int(c)] // the appends may have moved it
		u.left, u.right = l, r
	}
	if restore >= 0 {
		b.last[restore] = restoreTo
	}
	return c
}
