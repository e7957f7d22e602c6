package tree

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Predictor is an ensemble laid out for fast prediction, with the same
// outputs as the Ensemble it was compiled from, bit for bit. Build it once
// with Ensemble.Compile and share it: it is immutable and safe for
// concurrent use.
//
// Trees no deeper than maxCompleteDepth are padded to complete binary trees
// of the ensemble's depth: node i has its children at 2i+1 and 2i+2, so a
// node is a feature and a threshold (16 bytes) and every row takes exactly
// depth steps, without branches. A leaf above the bottom level becomes a
// node whose two subtrees end in copies of its value, so either way gives
// the same output. Values and thresholds are compared as order keys
// (orderKey), one integer comparison per step whatever the node does with
// missing values. Deeper ensembles keep a linked breadth-first layout.
type Predictor struct {
	numFeatures int
	base, scale float64
	output      Output
	ntrees      int

	// Complete layout, when linked is nil.
	depth int
	inner int       // inner nodes per tree: 2^depth - 1
	nodes []knode   // per tree, inner nodes
	leaf  []float64 // per tree, 2^depth leaf values

	linked []ctree
}

// maxCompleteDepth is the deepest ensemble padded to complete trees: a
// tree of depth 8 takes 5 KB that way.
const maxCompleteDepth = 8

// missingRight flags, in a complete node's feature word, a node that sends
// missing values right; missingLeft flags a linked node that sends them
// left.
const (
	missingRight = 1 << 31
	missingLeft  = 1 << 31
)

// orderKey maps a number to an integer with the same order: a < b exactly
// when orderKey(a) < orderKey(b), -0 and +0 alike. Missing values (NaN)
// map to 0, below every number: no number maps to 0, -Inf maps to
// 2^52 - 1.
func orderKey(v float64) uint64 {
	if v != v {
		return 0
	}
	if v == 0 {
		v = 0 // -0 → +0
	}
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// step returns 1 when a value with order key k goes right at a complete
// node with feature word f and threshold key t, 0 when it goes left. A
// node that sends missing values right has t = orderKey(threshold) - 1 and
// compares k - 1, so a missing value (k = 0) wraps around to the largest
// key and goes right; otherwise k >= t is v >= threshold, and a missing
// value goes left.
func step(k uint64, t uint64, f uint32) uint32 {
	return b2u(k-uint64(f>>31) >= t)
}

// knode is a node of a complete tree.
type knode struct {
	threshold uint64 // orderKey(threshold), less 1 with missingRight
	feature   uint32 // the feature, with missingRight
}

// next returns the position of the child of node i (this node) that the
// row with order keys k goes to.
func (n *knode) next(k []uint64, i uint32) uint32 {
	return 2*i + 1 + step(k[n.feature&^missingRight], n.threshold, n.feature)
}

// keys writes the order keys of x into dst.
func keys(dst []uint64, x []float64) {
	for j, v := range x {
		dst[j] = orderKey(v)
	}
}

// Compile lays out a valid ensemble (see Validate) for prediction.
func (e *Ensemble) Compile() *Predictor {
	p := &Predictor{numFeatures: e.NumFeatures, base: e.Base, scale: e.Scale, output: e.Output, ntrees: len(e.Trees)}
	depth := 0
	for i := range e.Trees {
		depth = max(depth, e.Trees[i].Depth())
	}
	if depth > maxCompleteDepth {
		p.linked = compileLinked(e)
		return p
	}
	p.depth = depth
	p.inner = 1<<depth - 1
	p.nodes = make([]knode, p.ntrees*p.inner)
	p.leaf = make([]float64, p.ntrees*(p.inner+1))
	for t := range e.Trees {
		p.place(e.Trees[t].Nodes, 0, t, 0)
	}
	return p
}

// place writes source node src of tree t at position pos of the complete
// tree, and its subtree below it.
func (p *Predictor) place(nodes []Node, src int32, t, pos int) {
	if pos >= p.inner {
		p.leaf[t*(p.inner+1)+pos-p.inner] = nodes[src].Value
		return
	}
	n := &nodes[src]
	at := t*p.inner + pos
	left, right := src, src
	if n.Feature < 0 {
		// Padding: no key reaches the largest one, so every value goes
		// left; both subtrees hold this leaf anyway.
		p.nodes[at].threshold = math.MaxUint64
	} else {
		p.nodes[at] = knode{threshold: orderKey(n.Threshold), feature: uint32(n.Feature)}
		if !n.DefaultLeft {
			p.nodes[at].feature |= missingRight
			p.nodes[at].threshold--
		}
		left, right = n.Left, n.Right
	}
	p.place(nodes, left, t, 2*pos+1)
	p.place(nodes, right, t, 2*pos+2)
}

// goRight returns 1 when value v goes right at a node with threshold thr
// and feature word f, 0 when it goes left, without branching: v >= thr
// goes right; a missing value (NaN: both comparisons false) goes right
// unless the node sends it left.
func goRight(v, thr float64, f uint32) uint32 {
	ge := b2u(v >= thr)
	notLess := b2u(!(v < thr))
	return ge | notLess&^(f>>31)
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// NumFeatures returns the length of the rows the predictor reads.
func (p *Predictor) NumFeatures() int { return p.numFeatures }

// Margin returns the raw output for one row of NumFeatures values, equal to
// the Ensemble's Margin.
func (p *Predictor) Margin(x []float64) float64 {
	if len(x) != p.numFeatures {
		panic(fmt.Sprintf("tree: row has %d values; ensemble wants %d", len(x), p.numFeatures))
	}
	var s float64
	if p.linked != nil {
		for ti := range p.linked {
			s += p.linked[ti].predict(x)
		}
		return p.base + p.scale*s
	}
	var buf [128]uint64
	k := buf[:0]
	if len(x) > len(buf) {
		k = make([]uint64, len(x))
	}
	k = k[:len(x)]
	keys(k, x)
	// Four trees at a time: their walks are independent and overlap in
	// the processor; the sum still adds the trees in order.
	inner, depth := p.inner, p.depth
	t := 0
	for ; t+4 <= p.ntrees; t += 4 {
		n0 := p.nodes[t*inner : (t+1)*inner]
		n1 := p.nodes[(t+1)*inner : (t+2)*inner]
		n2 := p.nodes[(t+2)*inner : (t+3)*inner]
		n3 := p.nodes[(t+3)*inner : (t+4)*inner]
		var i0, i1, i2, i3 uint32
		for range depth {
			i0 = n0[i0].next(k, i0)
			i1 = n1[i1].next(k, i1)
			i2 = n2[i2].next(k, i2)
			i3 = n3[i3].next(k, i3)
		}
		leaf := p.leaf[t*(inner+1):]
		s += leaf[int(i0)-inner]
		s += leaf[inner+1+int(i1)-inner]
		s += leaf[2*(inner+1)+int(i2)-inner]
		s += leaf[3*(inner+1)+int(i3)-inner]
	}
	for ; t < p.ntrees; t++ {
		s += p.leaf[t*(inner+1)+p.walk(t, k)]
	}
	return p.base + p.scale*s
}

// walk returns the leaf of a row, given as order keys, in complete tree t.
func (p *Predictor) walk(t int, k []uint64) int {
	nodes := p.nodes[t*p.inner : (t+1)*p.inner]
	i := uint32(0)
	for range p.depth {
		i = nodes[i].next(k, i)
	}
	return int(i) - p.inner
}

// Prob maps a margin to a probability of the positive class.
func (p *Predictor) Prob(margin float64) float64 { return p.output.Prob(margin) }

// MarginInto sets dst[i] to the margin of row i of X, using up to threads
// goroutines (0 means runtime.GOMAXPROCS(0)). It panics when len(dst) !=
// X.Rows or X.Cols != NumFeatures.
func (p *Predictor) MarginInto(dst []float64, X *matrix.Dense, threads int) {
	p.check(dst, X)
	p.batch(dst, X, threads, false)
}

// PredictInto sets dst[i] to the probability of the positive class of row
// i of X. It runs like MarginInto and panics in the same cases.
func (p *Predictor) PredictInto(dst []float64, X *matrix.Dense, threads int) {
	p.check(dst, X)
	p.batch(dst, X, threads, true)
}

func (p *Predictor) check(dst []float64, X *matrix.Dense) { checkRows(dst, X, p.numFeatures) }

// predictBlock is the number of rows pushed through one tree before moving
// to the next, so that a tree's nodes stay in cache across the block.
const predictBlock = 64

// batch fills dst block by block, blocks spread over goroutines.
func (p *Predictor) batch(dst []float64, X *matrix.Dense, threads int, prob bool) {
	if X.Rows == 0 {
		return
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
		var kb []uint64
		if p.linked == nil {
			kb = make([]uint64, predictBlock*X.Cols)
		}
		for {
			t := int(next.Add(1) - 1)
			if t >= ntasks {
				return
			}
			for b := t * per; b < min((t+1)*per, nblocks); b++ {
				lo := b * predictBlock
				out := dst[lo:min(lo+predictBlock, X.Rows)]
				p.block(out, X, lo, kb)
				for k, s := range out {
					m := p.base + p.scale*s
					if prob {
						m = p.Prob(m)
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

// block sets dst[k] to the sum of the tree outputs of row lo+k of X, trees
// added in order from zero. kb is scratch for the rows' order keys
// (predictBlock × X.Cols).
func (p *Predictor) block(dst []float64, X *matrix.Dense, lo int, kb []uint64) {
	clear(dst)
	cols := X.Cols
	data := X.Data[lo*cols : (lo+len(dst))*cols]
	if p.linked != nil {
		for ti := range p.linked {
			p.linked[ti].block(dst, data, cols)
		}
		return
	}
	kb = kb[:len(data)]
	keys(kb, data)
	inner := p.inner
	for t := range p.ntrees {
		nodes := p.nodes[t*inner : (t+1)*inner]
		leaf := p.leaf[t*(inner+1) : (t+1)*(inner+1)]
		r := 0
		// Four rows at a time, each walk in its own variables so that
		// they stay in registers.
		for ; r+4 <= len(dst); r += 4 {
			k0 := kb[r*cols : (r+1)*cols]
			k1 := kb[(r+1)*cols : (r+2)*cols]
			k2 := kb[(r+2)*cols : (r+3)*cols]
			k3 := kb[(r+3)*cols : (r+4)*cols]
			var i0, i1, i2, i3 uint32
			for range p.depth {
				i0 = nodes[i0].next(k0, i0)
				i1 = nodes[i1].next(k1, i1)
				i2 = nodes[i2].next(k2, i2)
				i3 = nodes[i3].next(k3, i3)
			}
			dst[r] += leaf[int(i0)-inner]
			dst[r+1] += leaf[int(i1)-inner]
			dst[r+2] += leaf[int(i2)-inner]
			dst[r+3] += leaf[int(i3)-inner]
		}
		for ; r < len(dst); r++ {
			dst[r] += leaf[p.walk(t, kb[r*cols:(r+1)*cols])]
		}
	}
}

// interleave is the number of rows that walk a linked tree together; their
// independent walks overlap in the processor.
const interleave = 8

// ctree is a tree in the linked layout: nodes in breadth-first order with
// the right child right after the left one, and leaves that point to
// themselves, so every row takes exactly depth steps.
type ctree struct {
	nodes []cnode
	depth int
}

// cnode is a linked node. A leaf has a NaN threshold, missing values going
// left, and left pointing to itself, so a step from it stays on it.
type cnode struct {
	threshold float64
	value     float64
	feature   uint32 // with missingLeft
	left      uint32
}

func (n *cnode) step(x []float64) uint32 {
	return n.left + goRight(x[n.feature&^missingLeft], n.threshold, n.feature)
}

func (t *ctree) predict(x []float64) float64 {
	i := uint32(0)
	for range t.depth {
		i = t.nodes[i].step(x)
	}
	return t.nodes[i].value
}

// block adds the tree's output for each row of data (len(dst) rows of cols
// values) to dst.
func (t *ctree) block(dst, data []float64, cols int) {
	nodes := t.nodes
	k := 0
	for ; k+interleave <= len(dst); k += interleave {
		var idx [interleave]uint32
		rows := data[k*cols : (k+interleave)*cols]
		for range t.depth {
			for j := range interleave {
				idx[j] = nodes[idx[j]].step(rows[j*cols : (j+1)*cols])
			}
		}
		for j := range interleave {
			dst[k+j] += nodes[idx[j]].value
		}
	}
	for ; k < len(dst); k++ {
		dst[k] += t.predict(data[k*cols : (k+1)*cols])
	}
}

func compileLinked(e *Ensemble) []ctree {
	total := 0
	for i := range e.Trees {
		total += len(e.Trees[i].Nodes)
	}
	all := make([]cnode, 0, total)
	trees := make([]ctree, len(e.Trees))
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
			self := uint32(k)
			if n.Feature < 0 {
				all = append(all, cnode{threshold: math.NaN(), value: n.Value, feature: missingLeft, left: self})
				continue
			}
			left := uint32(len(queue))
			queue = append(queue, n.Left, n.Right)
			depth = append(depth, depth[k]+1, depth[k]+1)
			maxDepth = max(maxDepth, depth[k]+1)
			f := uint32(n.Feature)
			if n.DefaultLeft {
				f |= missingLeft
			}
			all = append(all, cnode{threshold: n.Threshold, value: n.Value, feature: f, left: left})
		}
		trees[ti] = ctree{nodes: all[start:len(all):len(all)], depth: maxDepth}
	}
	return trees
}
