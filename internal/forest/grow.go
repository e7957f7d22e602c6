package forest

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// data is what every tree of a fit reads and nothing writes.
type data struct {
	cols    [][]uint8 // binned features, cols[f][row]
	nbins   []int     // bin codes per feature, missing bin included
	cuts    *binning.Cuts
	labels  []uint8    // class of each row, 0 or 1
	weights [2]float64 // weight of each class
	mtry    int        // features drawn per split
	cfg     Config
}

// sums holds the weight of each class and the number of distinct rows of a
// node or a side of a split.
type sums struct {
	w0, w1, n float64
}

func (s sums) add(o sums) sums { return sums{s.w0 + o.w0, s.w1 + o.w1, s.n + o.n} }

// weight returns the total weight.
func (s sums) weight() float64 { return s.w0 + s.w1 }

// bin is a histogram bin: the weight of class 0, the weight of class 1 and
// the number of distinct rows, indexed so that a row of class c adds to
// element c.
type bin [3]float64

func (b *bin) sums() sums { return sums{b[0], b[1], b[2]} }

// score returns the total purity Σ_side Σ_c w_c²/W_side of splitting s into
// l and s - l. Since W·(1 - G) = Σ_c w_c²/W for the Gini impurity G, the
// split with the highest score has the largest impurity decrease.
func score(l, s sums) float64 {
	r0, r1 := s.w0-l.w0, s.w1-l.w1
	return (l.w0*l.w0+l.w1*l.w1)/(l.w0+l.w1) + (r0*r0+r1*r1)/(r0+r1)
}

// split is a candidate split of a node. Present values in bins 1..bin go
// left; missing values go left when missingLeft is set. bin 0 separates the
// missing values from all present ones.
type split struct {
	feature     int
	bin         uint8
	missingLeft bool
	// hasMissing records whether the node has rows missing the feature; if
	// not, the default direction is chosen after the fact.
	hasMissing bool
	score      float64
}

// grower grows trees one at a time and keeps its buffers between them. It
// is used by one goroutine.
type grower struct {
	*data
	pcg *rand.PCG
	rng *rand.Rand

	counts []int32   // bootstrap draws per row
	rows   []int32   // in-bag rows; each node owns a contiguous range
	w      []float64 // w[k] is the weight of rows[k]
	cls    []uint8   // cls[k] is the class of rows[k]
	// Scratch for the right-hand side of a stable partition.
	tmpRows []int32
	tmpW    []float64
	tmpCls  []uint8

	// hists holds the histograms of a batch of features; they are all
	// zero between uses.
	hists *[batchSize][256]bin
	perm  []int // features in the order they are drawn
	// known[d] marks the features known to be constant at the node being
	// grown at depth d, one bit per feature.
	known [][]uint64
	nodes []tree.Node
}

func newGrower(d *data) *grower {
	n := len(d.labels)
	pcg := rand.NewPCG(0, 0)
	return &grower{
		data:    d,
		pcg:     pcg,
		rng:     rand.New(pcg),
		counts:  make([]int32, n),
		rows:    make([]int32, 0, n),
		w:       make([]float64, 0, n),
		cls:     make([]uint8, 0, n),
		tmpRows: make([]int32, n),
		tmpW:    make([]float64, n),
		tmpCls:  make([]uint8, n),
		hists:   new([batchSize][256]bin),
		perm:    make([]int, len(d.cols)),
	}
}

// treeStream separates the tree generators' streams from other uses of the
// seed.
const treeStream = 0x666f72657374 // "forest"

// tree grows tree t. Its generator is seeded by (Seed, t) alone.
func (g *grower) tree(t int) tree.Tree {
	g.pcg.Seed(g.cfg.Seed, treeStream^uint64(t))
	n := len(g.labels)
	if g.cfg.Bootstrap {
		clear(g.counts)
		for range n {
			g.counts[g.rng.IntN(n)]++
		}
	} else {
		for i := range g.counts {
			g.counts[i] = 1
		}
	}
	g.rows, g.w, g.cls = g.rows[:0], g.w[:0], g.cls[:0]
	var root bin
	for r, c := range g.counts {
		if c == 0 {
			continue
		}
		y := g.labels[r]
		w := float64(c) * g.weights[y]
		g.rows = append(g.rows, int32(r))
		g.w = append(g.w, w)
		g.cls = append(g.cls, y)
		root[y] += w
		root[2]++
	}
	for f := range g.perm {
		g.perm[f] = f
	}
	g.nodes = append(g.nodes[:0], tree.Node{})
	g.grow(0, 0, len(g.rows), 0, root.sums())
	return tree.Tree{Nodes: slices.Clone(g.nodes)}
}

// grow makes node i from the rows rows[lo:hi], whose totals are s, and
// grows its subtree.
func (g *grower) grow(i int32, lo, hi, depth int, s sums) {
	W := s.weight()
	g.nodes[i] = tree.Node{Feature: -1, Value: s.w1 / W, Cover: W}
	cfg := &g.cfg
	minLeaf := float64(cfg.MinSamplesLeaf)
	if cfg.MaxDepth > 0 && depth >= cfg.MaxDepth ||
		s.n < float64(cfg.MinSamplesSplit) || s.n < 2*minLeaf ||
		s.w0 == 0 || s.w1 == 0 {
		return
	}
	known := g.knownAt(depth)
	best, ok := g.bestSplit(lo, hi, s, known)
	if !ok {
		return
	}
	mid, ls, rs := g.partition(lo, hi, best)
	left := int32(len(g.nodes))
	g.nodes = append(g.nodes, tree.Node{}, tree.Node{})
	n := &g.nodes[i]
	n.Feature = int32(best.feature)
	n.Threshold = g.cuts.Threshold(best.feature, best.bin)
	n.Left, n.Right = left, left+1
	if best.hasMissing {
		n.DefaultLeft = best.missingLeft
	} else {
		// No row of this node lacks the feature: send missing values
		// where most of the weight went.
		n.DefaultLeft = ls.weight() >= rs.weight()
	}
	g.grow(left, lo, mid, depth+1, ls)
	g.grow(left+1, mid, hi, depth+1, rs)
}

// batchSize is the largest number of features whose histograms are built
// in one pass over a node's rows: the updates of different features do not
// wait on each other, and the rows, weights and classes are read once.
const batchSize = 4

// batchMinRows is the smallest node whose histograms are built in batches.
// Batched histograms do not track which bins they touched, so their scan
// covers every bin of the feature; in smaller nodes that scan would cost
// more than the rows, and each feature's histogram is built on its own.
const batchMinRows = 256

// knownAt returns the constant-feature set of a node at depth d, a copy of
// its parent's set at depth d-1 (empty at the root).
func (g *grower) knownAt(d int) []uint64 {
	words := (len(g.cols) + 63) / 64
	for len(g.known) <= d {
		g.known = append(g.known, make([]uint64, words))
	}
	if d == 0 {
		clear(g.known[0])
	} else {
		copy(g.known[d], g.known[d-1])
	}
	return g.known[d]
}

// bestSplit returns the best split of the rows rows[lo:hi] with totals s
// over the features drawn for this node, and false if no drawn feature
// can split them. Features known to be constant at the node (in known) are
// drawn and counted like any other but cost nothing; features found
// constant here are added to known.
func (g *grower) bestSplit(lo, hi int, s sums, known []uint64) (split, bool) {
	best := split{score: math.Inf(-1)}
	nf := len(g.perm)
	visited, varying := 0, 0
	var batch [batchSize]int
	for i := 0; i < nf && (visited < g.mtry || varying == 0); {
		// Draw up to batchSize features that are not known constants.
		// While fewer than mtry features have been visited, the draws do
		// not depend on what the histograms show, so they can be made
		// ahead; after that they go one at a time until a feature varies.
		m := 0
		for i < nf && m < batchSize && (visited < g.mtry || m == 0 && varying == 0) {
			j := i + g.rng.IntN(nf-i)
			g.perm[i], g.perm[j] = g.perm[j], g.perm[i]
			f := g.perm[i]
			i++
			visited++
			if known[f/64]&(1<<(f%64)) != 0 {
				continue
			}
			batch[m] = f
			m++
			if visited >= g.mtry {
				break
			}
		}
		if m == 0 {
			continue
		}
		if hi-lo >= batchMinRows {
			g.histograms(batch[:m], lo, hi)
			for k, f := range batch[:m] {
				if g.scan(&g.hists[k], 1, uint8(g.nbins[f]-1), f, s, &best) {
					varying++
				} else {
					known[f/64] |= 1 << (f % 64)
				}
			}
			continue
		}
		for _, f := range batch[:m] {
			low, high := g.histogram(f, lo, hi)
			if g.scan(&g.hists[0], low, high, f, s, &best) {
				varying++
			} else {
				known[f/64] |= 1 << (f % 64)
			}
		}
	}
	return best, !math.IsInf(best.score, -1)
}

// scan scores every split of feature f whose histogram is h, updating best,
// and clears h. Present values lie in bins low..high, low > high meaning
// none. It reports whether the feature varies in the node.
func (g *grower) scan(h *[256]bin, low, high uint8, f int, s sums, best *split) bool {
	miss := h[0].sums()
	h[0] = bin{}
	// Narrow low..high to the non-empty bins. The counters are ints: with
	// high = 255, a uint8 low would wrap from 255 to 0 instead of passing
	// high when every bin is empty, and the loop would never end.
	lo, hi := int(low), int(high)
	for lo <= hi && h[lo][2] == 0 {
		lo++
	}
	if lo > hi {
		return false // every row lacks the feature
	}
	for hi > lo && h[hi][2] == 0 {
		hi--
	}
	low, high = uint8(lo), uint8(hi)
	if miss.n == 0 && low == high {
		h[low] = bin{}
		return false
	}
	minLeaf := float64(g.cfg.MinSamplesLeaf)
	hasMissing := miss.n > 0
	top := best.score
	var (
		found       bool
		bestBin     uint8
		missingLeft bool
		l           sums // present values in bins low..b
	)
	for b := low; b < high; b++ {
		e := &h[b]
		if e[2] == 0 {
			continue
		}
		l = l.add(e.sums())
		*e = bin{}
		if l.n >= minLeaf && s.n-l.n >= minLeaf {
			if sc := score(l, s); sc > top {
				top, found, bestBin, missingLeft = sc, true, b, false
			}
		}
		if hasMissing {
			lm := l.add(miss)
			if lm.n >= minLeaf && s.n-lm.n >= minLeaf {
				if sc := score(lm, s); sc > top {
					top, found, bestBin, missingLeft = sc, true, b, true
				}
			}
		}
	}
	h[high] = bin{}
	if hasMissing && miss.n >= minLeaf && s.n-miss.n >= minLeaf {
		// Missing values left, every present value right.
		if sc := score(miss, s); sc > top {
			top, found, bestBin, missingLeft = sc, true, 0, true
		}
	}
	if found {
		*best = split{feature: f, bin: bestBin, missingLeft: missingLeft, hasMissing: hasMissing, score: top}
	}
	return true
}

// histogram adds the rows rows[lo:hi] into g.hists[0] by their bin of
// feature f. It returns the lowest present-value bin (0 when every value is
// missing) and the highest bin seen.
func (g *grower) histogram(f, lo, hi int) (low, high uint8) {
	col := g.cols[f]
	h := &g.hists[0]
	rows := g.rows[lo:hi]
	w := g.w[lo:hi][:len(rows)]
	cls := g.cls[lo:hi][:len(rows)]
	lowMinus1 := uint8(math.MaxUint8)
	for k, r := range rows {
		b := col[r]
		e := &h[b]
		e[cls[k]&1] += w[k]
		e[2]++
		// b-1 wraps the missing bin 0 to MaxUint8, so the minimum
		// ignores it.
		lowMinus1 = min(lowMinus1, b-1)
		high = max(high, b)
	}
	return lowMinus1 + 1, high
}

// histograms adds the rows rows[lo:hi] into g.hists[k] by their bin of
// feature fs[k], for every k.
func (g *grower) histograms(fs []int, lo, hi int) {
	rows := g.rows[lo:hi]
	w := g.w[lo:hi][:len(rows)]
	cls := g.cls[lo:hi][:len(rows)]
	switch len(fs) {
	case 4:
		c0, c1, c2, c3 := g.cols[fs[0]], g.cols[fs[1]], g.cols[fs[2]], g.cols[fs[3]]
		h0, h1, h2, h3 := &g.hists[0], &g.hists[1], &g.hists[2], &g.hists[3]
		for k, r := range rows {
			c, wk := cls[k]&1, w[k]
			e := &h0[c0[r]]
			e[c] += wk
			e[2]++
			e = &h1[c1[r]]
			e[c] += wk
			e[2]++
			e = &h2[c2[r]]
			e[c] += wk
			e[2]++
			e = &h3[c3[r]]
			e[c] += wk
			e[2]++
		}
	case 3:
		c0, c1, c2 := g.cols[fs[0]], g.cols[fs[1]], g.cols[fs[2]]
		h0, h1, h2 := &g.hists[0], &g.hists[1], &g.hists[2]
		for k, r := range rows {
			c, wk := cls[k]&1, w[k]
			e := &h0[c0[r]]
			e[c] += wk
			e[2]++
			e = &h1[c1[r]]
			e[c] += wk
			e[2]++
			e = &h2[c2[r]]
			e[c] += wk
			e[2]++
		}
	case 2:
		c0, c1 := g.cols[fs[0]], g.cols[fs[1]]
		h0, h1 := &g.hists[0], &g.hists[1]
		for k, r := range rows {
			c, wk := cls[k]&1, w[k]
			e := &h0[c0[r]]
			e[c] += wk
			e[2]++
			e = &h1[c1[r]]
			e[c] += wk
			e[2]++
		}
	case 1:
		c0 := g.cols[fs[0]]
		h0 := &g.hists[0]
		for k, r := range rows {
			e := &h0[c0[r]]
			e[cls[k]&1] += w[k]
			e[2]++
		}
	default:
		panic("forest: histogram batch of unexpected size")
	}
}

// partition reorders rows[lo:hi] (with their weights and classes) so that
// the rows going left under sp come first, keeping the order within each
// side, and returns where the right side starts and the totals of both
// sides.
func (g *grower) partition(lo, hi int, sp split) (mid int, ls, rs sums) {
	col := g.cols[sp.feature]
	rows := g.rows[lo:hi]
	w := g.w[lo:hi][:len(rows)]
	cls := g.cls[lo:hi][:len(rows)]
	tmpRows := g.tmpRows[:len(rows)]
	tmpW := g.tmpW[:len(rows)]
	tmpCls := g.tmpCls[:len(rows)]
	// A row goes left when its bin code minus shift, wrapping around, is
	// below limit: with missing values left, codes 0..bin; otherwise codes
	// 1..bin, the missing code 0 wrapping to MaxUint8.
	shift, limit := uint8(1), sp.bin
	if sp.missingLeft {
		shift, limit = 0, sp.bin+1
	}
	// Every row is written to both sides and the side it belongs to keeps
	// it, which avoids a hard-to-predict branch per row. Writing at l <= k
	// never overwrites a row not yet read.
	var side [2]bin // side[0] right, side[1] left
	l, t := 0, 0
	for k, r := range rows {
		wk, c := w[k], cls[k]&1
		var left int
		if col[r]-shift < limit {
			left = 1
		}
		rows[l], w[l], cls[l] = r, wk, c
		tmpRows[t], tmpW[t], tmpCls[t] = r, wk, c
		side[left][c] += wk
		side[left][2]++
		l += left
		t += 1 - left
	}
	copy(rows[l:], tmpRows[:t])
	copy(w[l:], tmpW[:t])
	copy(cls[l:], tmpCls[:t])
	return lo + l, side[1].sums(), side[0].sums()
}
