package tree

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// predictBlock is the number of rows pushed through one tree before moving
// to the next, so that a tree's nodes stay in cache across the block.
const predictBlock = 64

// MarginInto sets dst[i] to e.Margin(X.Row(i)) for every row of X, bit for
// bit, using up to threads goroutines (0 means runtime.GOMAXPROCS(0)). It
// panics when len(dst) != X.Rows or X.Cols != e.NumFeatures, which are
// programmer errors.
func (e *Ensemble) MarginInto(dst []float64, X *matrix.Dense, threads int) {
	e.checkBatch(dst, X)
	e.batch(dst, X, threads, false)
}

// PredictInto sets dst[i] to e.Prob(e.Margin(X.Row(i))) for every row of X:
// the probability of the positive class. It runs like MarginInto and panics
// in the same cases.
func (e *Ensemble) PredictInto(dst []float64, X *matrix.Dense, threads int) {
	e.checkBatch(dst, X)
	e.batch(dst, X, threads, true)
}

func (e *Ensemble) checkBatch(dst []float64, X *matrix.Dense) {
	if len(dst) != X.Rows {
		panic(fmt.Sprintf("tree: %d outputs for %d rows", len(dst), X.Rows))
	}
	if X.Cols != e.NumFeatures {
		panic(fmt.Sprintf("tree: matrix has %d columns; ensemble wants %d", X.Cols, e.NumFeatures))
	}
}

// compileMinRows is the smallest batch that is worth compiling the
// ensemble for; smaller batches walk the trees as they are.
const compileMinRows = 256

// batch fills dst block by block, blocks spread over goroutines.
func (e *Ensemble) batch(dst []float64, X *matrix.Dense, threads int, prob bool) {
	if X.Rows == 0 {
		return
	}
	var c *compiled
	if X.Rows >= compileMinRows {
		c = compile(e)
	}
	nblocks := (X.Rows + predictBlock - 1) / predictBlock
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	// Hand out several blocks at a time: one block is too little work to
	// pay for the shared counter.
	const per = 8
	ntasks := (nblocks + per - 1) / per
	// Helpers are not waited for once every task is done: on a busy
	// machine a helper may start only after the caller did all the work.
	var next, done atomic.Int64
	finished := make(chan struct{})
	work := func() {
		for {
			t := int(next.Add(1) - 1)
			if t >= ntasks {
				return
			}
			for b := t * per; b < min((t+1)*per, nblocks); b++ {
				lo := b * predictBlock
				hi := min(lo+predictBlock, X.Rows)
				out := dst[lo:hi]
				if c != nil {
					c.block(out, X, lo)
				} else {
					e.block(out, X, lo)
				}
				for k, s := range out {
					m := e.Base + e.Scale*s
					if prob {
						m = e.Prob(m)
					}
					out[k] = m
				}
			}
			if done.Add(1) == int64(ntasks) {
				close(finished)
			}
		}
	}
	for range min(threads, ntasks) - 1 {
		go work()
	}
	work()
	<-finished
}

// block sets dst[k] to the sum of the tree outputs of row lo+k of X. The
// trees are summed in order from zero, exactly as Margin does.
func (e *Ensemble) block(dst []float64, X *matrix.Dense, lo int) {
	clear(dst)
	cols := X.Cols
	data := X.Data[lo*cols : (lo+len(dst))*cols]
	for ti := range e.Trees {
		nodes := e.Trees[ti].Nodes
		for k := range dst {
			dst[k] += e.Trees[ti].Nodes[leafIndex(nodes, data[k*cols:(k+1)*cols])].Value
		}
	}
}

// leafIndex walks nodes for row x with the package's split convention; it
// routes exactly as Tree.Leaf.
func leafIndex(nodes []Node, x []float64) int32 {
	i := int32(0)
	for {
		n := &nodes[i]
		if n.Feature < 0 {
			return i
		}
		v := x[n.Feature]
		next := n.Right
		if v < n.Threshold || (v != v && n.DefaultLeft) {
			next = n.Left
		}
		i = next
	}
}

// compiled is an ensemble laid out for batch prediction without branches:
// nodes of a tree in breadth-first order with the right child right after
// the left one, and leaves that point to themselves, so every row takes
// exactly depth steps per tree and several rows can walk a tree at once.
type compiled struct {
	trees []ctree
}

type ctree struct {
	nodes []cnode
	depth int
}

// cnode is a compiled node. A leaf has a NaN threshold, defaultLeft set and
// left pointing to itself, so a step from it stays on it.
type cnode struct {
	threshold   float64
	value       float64
	feature     int32
	left        int32
	defaultLeft bool
}

// step returns the child of n that value v goes to, without branching:
// with missing values going left, right means v >= threshold (false for
// NaN); otherwise right means !(v < threshold) (true for NaN).
func (n *cnode) step(v float64) int32 {
	ge := b2i(v >= n.threshold)
	notLess := b2i(!(v < n.threshold))
	dl := b2i(n.defaultLeft)
	return n.left + (ge&dl | notLess&(1-dl))
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

func compile(e *Ensemble) *compiled {
	total := 0
	for i := range e.Trees {
		total += len(e.Trees[i].Nodes)
	}
	all := make([]cnode, 0, total)
	c := &compiled{trees: make([]ctree, len(e.Trees))}
	var queue []int32
	var depth []int
	for ti := range e.Trees {
		src := e.Trees[ti].Nodes
		start := len(all)
		queue = append(queue[:0], 0)
		depth = append(depth[:0], 0)
		maxDepth := 0
		// Breadth-first: the k-th queued node becomes compiled node k.
		for k := 0; k < len(queue); k++ {
			n := &src[queue[k]]
			self := int32(k)
			if n.Feature < 0 {
				all = append(all, cnode{threshold: math.NaN(), value: n.Value, left: self, defaultLeft: true})
				continue
			}
			left := int32(len(queue))
			queue = append(queue, n.Left, n.Right)
			depth = append(depth, depth[k]+1, depth[k]+1)
			maxDepth = max(maxDepth, depth[k]+1)
			all = append(all, cnode{threshold: n.Threshold, feature: n.Feature, left: left, defaultLeft: n.DefaultLeft})
		}
		c.trees[ti] = ctree{nodes: all[start:len(all):len(all)], depth: maxDepth}
	}
	return c
}

// interleave is the number of rows that walk a tree together; their
// independent walks overlap in the processor.
const interleave = 8

// block sets dst[k] to the sum of the tree outputs of row lo+k of X, trees
// added in order from zero.
func (c *compiled) block(dst []float64, X *matrix.Dense, lo int) {
	clear(dst)
	cols := X.Cols
	data := X.Data[lo*cols : (lo+len(dst))*cols]
	for ti := range c.trees {
		t := &c.trees[ti]
		nodes := t.nodes
		k := 0
		for ; k+interleave <= len(dst); k += interleave {
			var idx [interleave]int32
			rows := data[k*cols : (k+interleave)*cols]
			for range t.depth {
				for j := range interleave {
					n := &nodes[idx[j]]
					idx[j] = n.step(rows[j*cols+int(n.feature)])
				}
			}
			for j := range interleave {
				dst[k+j] += nodes[idx[j]].value
			}
		}
		for ; k < len(dst); k++ {
			row := data[k*cols : (k+1)*cols]
			i := int32(0)
			for range t.depth {
				n := &nodes[i]
				i = n.step(row[n.feature])
			}
			dst[k] += nodes[i].value
		}
	}
}
