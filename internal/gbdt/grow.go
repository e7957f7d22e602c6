package gbdt

import (
	"slices"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// node is a node of the tree being grown. Its rows are
// grower.rows[begin:end].
type node struct {
	begin, end int
	depth      int
	sum        gpair
	bnd        bounds
	// score is the node's own score, the baseline of its splits' gains.
	score float64
	// hist is the node's gradient histogram while it may still be split.
	hist []gpair
	// best is the best split found; it is applied when left >= 0.
	best split
	// left is the index of the left child (the right one follows it), or
	// -1 for a leaf.
	left int32
}

func (n *node) rows() int { return n.end - n.begin }

// grower grows one regression tree at a time on binned columns. It owns
// every buffer a tree needs, so growing allocates only when a tree has more
// pending nodes than any before it.
//
// Each round of splits (a whole level for depth-wise growth, one leaf for
// leaf-wise) takes two parallel phases: partitioning the parents' rows
// (which also gathers the gradients of each smaller child into row order),
// then one task per (parent, feature group) that builds the smaller
// child's histogram, derives the larger one's by subtraction from the
// parent's and scores both children's splits on those features.
type grower struct {
	threads     int
	sf          splitFinder
	eta         float64
	maxDepth    int
	maxLeaves   int
	leafWise    bool
	monotone    []int8 // nil when no feature is constrained
	constrained bool

	cuts *binning.Cuts
	cols [][]uint8
	// nbins[f] is the number of bin codes of feature f.
	nbins []int
	// splittable[f] is false for features that can never split: one value
	// bin and no missing values.
	splittable []bool
	// sparse[f] marks features with at least sparseShare of the rows in
	// one bin, mode[f]; their histograms skip that bin's rows and derive
	// it from the node total.
	sparse []bool
	mode   []uint8

	grad    []gpair // per row, this round
	rows    []int32 // the tree's rows, grouped by node
	scratch [2][]int32
	ordered []gpair // grad gathered in rows order, for nodes whose histogram is built
	free    [][]gpair

	// features lists the features the current tree may split on, dense
	// ones first; groups are ranges of it filled by one task each.
	features []int32
	groups   [][2]int
	nodes    []node
	queue    []int32

	// Reused per-batch work lists.
	batch  []int32
	chunks []partChunk
	places []chunkPlace
	jobs   []histJob
	cands  []split
}

// partChunk is a piece of a node's rows partitioned by one task.
type partChunk struct {
	node       int32
	begin, end int
	nleft      int
	// gather says whose gradients to gather once placed: gatherLeft or
	// gatherRight rows, or none.
	gather uint8
}

// Values of partChunk.gather.
const (
	gatherNone uint8 = iota
	gatherLeft
	gatherRight
)

// chunkPlace is where a chunk's left and right rows go.
type chunkPlace struct{ left, right int }

// histJob derives the histograms of one split's children and scores their
// splits: small is built from its rows, large (if any) is the parent's
// histogram minus small's. For the root, parent and large are -1.
type histJob struct {
	parent, small, large int32
	// splitSmall and splitLarge say which children may be split; only
	// they are scored.
	splitSmall, splitLarge bool
	// identity: small is the root holding every row in order, so its
	// gradients are read in place.
	identity bool
	// slot: the candidates of small are cands[slot*len(features):], those
	// of large the next len(features).
	slot int
}

// sparseShare is the share of rows in one bin from which a feature's
// histogram is built by skipping that bin: the skip test then mispredicts
// rarely enough to cost less than the additions it saves.
const sparseShare = 0.9

// partChunkRows is the number of rows one partition task handles.
const partChunkRows = 1 << 14

// serialRows is the number of rows below which row-wise passes run on one
// goroutine: waking another costs more than it saves.
const serialRows = 1 << 16

func newGrower(cfg Config, bins *binning.Matrix, threads int) *grower {
	nf := len(bins.Cols)
	g := &grower{
		threads:   threads,
		sf:        splitFinder{pen: penalty{l1: cfg.L1, l2: cfg.L2}, minChildWeight: cfg.MinChildWeight, minSplitGain: cfg.MinSplitGain},
		eta:       cfg.LearningRate,
		maxDepth:  cfg.MaxDepth,
		maxLeaves: cfg.MaxLeaves,
		leafWise:  cfg.growth() == LeafWise,
		cuts:      bins.Cuts,
		cols:      bins.Cols,
		nbins:     make([]int, nf),
		grad:      make([]gpair, bins.Rows),
		rows:      make([]int32, bins.Rows),
		ordered:   make([]gpair, bins.Rows),
	}
	g.scratch[0] = make([]int32, bins.Rows)
	g.scratch[1] = make([]int32, bins.Rows)
	for _, m := range cfg.Monotone {
		if m != 0 {
			g.monotone = cfg.Monotone
			g.constrained = true
			break
		}
	}
	g.splittable = make([]bool, nf)
	g.sparse = make([]bool, nf)
	g.mode = make([]uint8, nf)
	forEach(threads, nf, func(f int) {
		var counts [256]int
		for _, b := range bins.Cols[f] {
			counts[b]++
		}
		mode := 0
		for b, c := range counts {
			if c > counts[mode] {
				mode = b
			}
		}
		g.nbins[f] = bins.Cuts.NumBins(f)
		g.mode[f] = uint8(mode)
		g.sparse[f] = float64(counts[mode]) >= sparseShare*float64(bins.Rows)
		g.splittable[f] = g.nbins[f] > 2 || counts[binning.MissingBin] > 0
	})
	return g
}

// parallel runs fn over [0, n) like forEach, but on the calling goroutine
// alone when the pass covers fewer than serialRows rows.
func (g *grower) parallel(rows, n int, fn func(i int)) {
	threads := g.threads
	if rows < serialRows {
		threads = 1
	}
	forEach(threads, n, fn)
}

func (g *grower) getHist() []gpair {
	if n := len(g.free); n > 0 {
		h := g.free[n-1]
		g.free = g.free[:n-1]
		return h
	}
	return make([]gpair, 256*len(g.nbins))
}

func (g *grower) putHist(h []gpair) {
	if h != nil {
		g.free = append(g.free, h)
	}
}

func (g *grower) mono(f int32) int8 {
	if g.monotone == nil {
		return 0
	}
	return g.monotone[f]
}

func (g *grower) canSplit(n *node) bool {
	if g.maxDepth > 0 && n.depth >= g.maxDepth {
		return false
	}
	return n.rows() >= 2 && n.sum.h > 0 && n.sum.h >= 2*g.sf.minChildWeight && len(g.features) > 0
}

// setFeatures sets the features the next tree may split on (sorted) and
// groups them into histogram tasks of up to maxGroup features of one kind,
// dense or sparse, small enough that every thread gets at least two tasks
// per node.
func (g *grower) setFeatures(allowed []int32) {
	g.features = g.features[:0]
	for _, sparse := range []bool{false, true} {
		for _, f := range allowed {
			if g.splittable[f] && g.sparse[f] == sparse {
				g.features = append(g.features, f)
			}
		}
	}
	size := min(maxGroup, max(1, len(g.features)/(2*g.threads)))
	g.groups = g.groups[:0]
	lo := 0
	for lo < len(g.features) {
		hi := min(lo+size, len(g.features))
		// A group holds one kind only.
		for k := lo + 1; k < hi; k++ {
			if g.sparse[g.features[k]] != g.sparse[g.features[lo]] {
				hi = k
				break
			}
		}
		g.groups = append(g.groups, [2]int{lo, hi})
		lo = hi
	}
}

// grow grows a tree on the first nrows entries of g.rows (all rows in order
// when identity is set), whose gradients add up to sum.
func (g *grower) grow(nrows int, identity bool, sum gpair) {
	g.nodes = g.nodes[:0]
	g.queue = g.queue[:0]
	root := node{begin: 0, end: nrows, bnd: unbounded(), left: -1, sum: sum}
	root.score = g.sf.nodeScore(root.sum, root.bnd, g.constrained)
	g.nodes = append(g.nodes, root)
	if g.canSplit(&g.nodes[0]) {
		g.nodes[0].hist = g.getHist()
		if !identity {
			g.parallel(nrows, (nrows+partChunkRows-1)/partChunkRows, func(c int) {
				lo, hi := c*partChunkRows, min((c+1)*partChunkRows, nrows)
				g.gather(g.ordered[lo:hi], g.rows[lo:hi])
			})
		}
		g.jobs = append(g.jobs[:0], histJob{parent: -1, small: 0, large: -1, splitSmall: true, identity: identity})
		g.histAndSplit()
	}
	leaves := 1
	for len(g.queue) > 0 {
		g.popBatch(leaves)
		if len(g.batch) == 0 {
			break
		}
		leaves += len(g.batch)
		g.applySplits()
	}
	for _, id := range g.queue {
		g.putHist(g.nodes[id].hist)
		g.nodes[id].hist = nil
	}
	g.queue = g.queue[:0]
}

// gather copies the gradients of rows into dst in order.
func (g *grower) gather(dst []gpair, rows []int32) {
	dst = dst[:len(rows)]
	for k, r := range rows {
		dst[k] = g.grad[r]
	}
}

// enqueue queues node id for splitting if it has a split, else frees its
// histogram.
func (g *grower) enqueue(id int32) {
	n := &g.nodes[id]
	if n.best.valid() {
		g.queue = append(g.queue, id)
		return
	}
	g.putHist(n.hist)
	n.hist = nil
}

// popBatch moves the nodes to split next from the queue to g.batch: the
// whole current level for depth-wise growth, the best leaf for leaf-wise.
// It respects MaxLeaves given the current number of leaves.
func (g *grower) popBatch(leaves int) {
	g.batch = g.batch[:0]
	budget := len(g.queue)
	if g.maxLeaves > 0 {
		budget = min(budget, g.maxLeaves-leaves)
	}
	if budget <= 0 {
		return
	}
	if g.leafWise {
		bi := 0
		for i, id := range g.queue {
			if g.nodes[id].best.gain > g.nodes[g.queue[bi]].best.gain {
				bi = i
			}
		}
		g.batch = append(g.batch, g.queue[bi])
		g.queue = slices.Delete(g.queue, bi, bi+1)
		return
	}
	g.batch = append(g.batch, g.queue...)
	g.queue = g.queue[:0]
	if len(g.batch) > budget {
		// Not every node of the level fits under MaxLeaves: split the
		// ones with the largest gains, the others stay leaves.
		slices.SortStableFunc(g.batch, func(a, b int32) int {
			ga, gb := g.nodes[a].best.gain, g.nodes[b].best.gain
			switch {
			case ga > gb:
				return -1
			case ga < gb:
				return 1
			}
			return 0
		})
		for _, id := range g.batch[budget:] {
			g.putHist(g.nodes[id].hist)
			g.nodes[id].hist = nil
		}
		g.batch = g.batch[:budget]
		slices.Sort(g.batch)
	}
}

// applySplits splits every node of g.batch: creates the children,
// partitions the rows, derives the children's histograms and finds their
// best splits.
func (g *grower) applySplits() {
	for _, id := range g.batch {
		p := g.nodes[id]
		s := p.best
		l := node{depth: p.depth + 1, sum: s.left, bnd: p.bnd, left: -1}
		r := node{depth: p.depth + 1, sum: s.right, bnd: p.bnd, left: -1}
		if m := g.mono(s.feature); m != 0 {
			wl := p.bnd.clamp(g.sf.pen.weight(s.left))
			wr := p.bnd.clamp(g.sf.pen.weight(s.right))
			mid := (wl + wr) / 2
			if m > 0 {
				l.bnd.hi, r.bnd.lo = mid, mid
			} else {
				l.bnd.lo, r.bnd.hi = mid, mid
			}
		}
		l.score = g.sf.nodeScore(l.sum, l.bnd, g.constrained)
		r.score = g.sf.nodeScore(r.sum, r.bnd, g.constrained)
		g.nodes[id].left = int32(len(g.nodes))
		g.nodes = append(g.nodes, l, r)
	}
	g.partition()
	g.histAndSplit()
}

// partition reorders the rows of every node in g.batch so that the left
// child's rows come first, keeping their order, sets the children's row
// ranges, plans the histogram jobs, and gathers the gradients of every
// child whose histogram will be built.
func (g *grower) partition() {
	g.chunks = g.chunks[:0]
	total := 0
	for _, id := range g.batch {
		n := &g.nodes[id]
		total += n.rows()
		for b := n.begin; b < n.end; b += partChunkRows {
			g.chunks = append(g.chunks, partChunk{node: id, begin: b, end: min(b+partChunkRows, n.end)})
		}
	}
	g.parallel(total, len(g.chunks), func(i int) {
		c := &g.chunks[i]
		s := &g.nodes[c.node].best
		var goLeft [256]uint8
		for b := 1; b <= int(s.bin); b++ {
			goLeft[b] = 1
		}
		if s.defaultLeft {
			goLeft[binning.MissingBin] = 1
		}
		col := g.cols[s.feature]
		rows := g.rows[c.begin:c.end]
		lbuf := g.scratch[0][c.begin:c.end]
		rbuf := g.scratch[1][c.begin:c.end]
		nl, nr := 0, 0
		for _, r := range rows {
			isLeft := int(goLeft[col[r]])
			lbuf[nl] = r
			rbuf[nr] = r
			nl += isLeft
			nr += 1 - isLeft
		}
		c.nleft = nl
	})

	// Children's ranges, chunk destinations and histogram jobs.
	if cap(g.places) < len(g.chunks) {
		g.places = make([]chunkPlace, len(g.chunks))
	}
	g.places = g.places[:len(g.chunks)]
	g.jobs = g.jobs[:0]
	for i := 0; i < len(g.chunks); {
		id := g.chunks[i].node
		n := &g.nodes[id]
		j := i
		nleft := 0
		for ; j < len(g.chunks) && g.chunks[j].node == id; j++ {
			nleft += g.chunks[j].nleft
		}
		first := i
		lpos, rpos := n.begin, n.begin+nleft
		for k := i; k < j; k++ {
			g.places[k] = chunkPlace{lpos, rpos}
			lpos += g.chunks[k].nleft
			rpos += g.chunks[k].end - g.chunks[k].begin - g.chunks[k].nleft
		}
		li, ri := n.left, n.left+1
		l, r := &g.nodes[li], &g.nodes[ri]
		l.begin, l.end = n.begin, n.begin+nleft
		r.begin, r.end = n.begin+nleft, n.end
		i = j

		canL, canR := g.canSplit(l), g.canSplit(r)
		if !canL && !canR {
			g.putHist(n.hist)
			n.hist = nil
			continue
		}
		job := histJob{parent: id, small: li, large: ri, splitSmall: canL, splitLarge: canR}
		side := gatherLeft
		if r.rows() < l.rows() {
			job.small, job.large, job.splitSmall, job.splitLarge = ri, li, canR, canL
			side = gatherRight
		}
		g.jobs = append(g.jobs, job)
		for k := first; k < j; k++ {
			g.chunks[k].gather = side
		}
	}

	g.parallel(total, len(g.chunks), func(i int) {
		c := &g.chunks[i]
		nl, nr := c.nleft, c.end-c.begin-c.nleft
		pl := g.places[i]
		copy(g.rows[pl.left:pl.left+nl], g.scratch[0][c.begin:c.begin+nl])
		copy(g.rows[pl.right:pl.right+nr], g.scratch[1][c.begin:c.begin+nr])
		// Gather the gradients of the child whose histogram is built.
		switch c.gather {
		case gatherLeft:
			g.gather(g.ordered[pl.left:pl.left+nl], g.rows[pl.left:pl.left+nl])
		case gatherRight:
			g.gather(g.ordered[pl.right:pl.right+nr], g.rows[pl.right:pl.right+nr])
		}
	})
}

// histAndSplit runs g.jobs: one task per (job, feature group) builds the
// smaller child's histogram on those features, derives the larger child's
// from the parent's, and scores both children's splits on them. Then every
// scored child gets its best split and is queued if it has one.
func (g *grower) histAndSplit() {
	nf := len(g.features)
	for k := range g.jobs {
		job := &g.jobs[k]
		job.slot = 2 * k
		small := &g.nodes[job.small]
		if small.hist == nil {
			small.hist = g.getHist()
		}
		if job.parent >= 0 {
			// The larger child takes over the parent's histogram, which
			// the tasks turn into parent − small feature by feature.
			parent := &g.nodes[job.parent]
			if job.splitLarge {
				g.nodes[job.large].hist = parent.hist
			} else {
				g.putHist(parent.hist)
			}
			parent.hist = nil
		}
	}
	need := 2 * len(g.jobs) * nf
	if cap(g.cands) < need {
		g.cands = make([]split, need)
	}
	g.cands = g.cands[:need]
	ng := len(g.groups)
	forEach(g.threads, len(g.jobs)*ng, func(i int) {
		job := &g.jobs[i/ng]
		lo, hi := g.groups[i%ng][0], g.groups[i%ng][1]
		g.buildGroup(job, g.features[lo:hi])
		small := &g.nodes[job.small]
		var large *node
		if job.large >= 0 && job.splitLarge {
			large = &g.nodes[job.large]
		}
		for k, f := range g.features[lo:hi] {
			sh := slot(small.hist, f)[:g.nbins[f]]
			if large != nil {
				lh := slot(large.hist, f)[:len(sh)]
				for b := range lh {
					lh[b].g -= sh[b].g
					lh[b].h -= sh[b].h
				}
				g.cands[(job.slot+1)*nf+lo+k] = g.sf.find(lh, f, large.sum, large.bnd, large.score, g.mono(f), g.constrained)
			}
			if job.splitSmall {
				g.cands[job.slot*nf+lo+k] = g.sf.find(sh, f, small.sum, small.bnd, small.score, g.mono(f), g.constrained)
			}
		}
	})
	for k := range g.jobs {
		job := &g.jobs[k]
		if !job.splitSmall {
			g.putHist(g.nodes[job.small].hist)
			g.nodes[job.small].hist = nil
		}
		children := [2]int32{job.small, job.large}
		can := [2]bool{job.splitSmall, job.splitLarge}
		for c := range 2 {
			if !can[c] {
				continue
			}
			best := split{}
			for _, cand := range g.cands[(job.slot+c)*nf : (job.slot+c+1)*nf] {
				if best.better(&cand) {
					best = cand
				}
			}
			g.nodes[children[c]].best = best
		}
		// Queue in node order so that depth-wise levels stay in order.
		if job.large >= 0 && job.large < job.small {
			children[0], children[1], can[0], can[1] = children[1], children[0], can[1], can[0]
		}
		for c := range 2 {
			if can[c] {
				g.enqueue(children[c])
			}
		}
	}
}

// buildGroup fills the small child's histogram of job on the features of
// one group.
func (g *grower) buildGroup(job *histJob, group []int32) {
	n := &g.nodes[job.small]
	var rows []int32
	grad := g.grad[:n.end]
	if !job.identity {
		rows, grad = g.rows[n.begin:n.end], g.ordered[n.begin:n.end]
	}
	var hs [maxGroup]*[256]gpair
	var cols [maxGroup][]uint8
	var skip [maxGroup]uint8
	for k, f := range group {
		hs[k] = slot(n.hist, f)
		clear(hs[k][:g.nbins[f]])
		cols[k] = g.cols[f]
		skip[k] = g.mode[f]
	}
	if !g.sparse[group[0]] {
		histGroup(hs[:len(group)], cols[:len(group)], rows, grad)
		return
	}
	histSparse(hs[:len(group)], cols[:len(group)], skip[:len(group)], rows, grad)
	for k, f := range group {
		deriveSkipped(hs[k][:g.nbins[f]], skip[k], n.sum)
	}
}

// leafValue returns the output of leaf n: η times its clamped weight.
func (g *grower) leafValue(n *node) float64 {
	return g.eta * n.bnd.clamp(g.sf.pen.weight(n.sum))
}

// tree converts the grown nodes to the tree package's form. Inner nodes get
// the cover-weighted mean of their children's values.
func (g *grower) tree() tree.Tree {
	out := make([]tree.Node, len(g.nodes))
	for i := len(g.nodes) - 1; i >= 0; i-- {
		n := &g.nodes[i]
		o := &out[i]
		o.Cover = n.sum.h
		if n.left < 0 {
			o.Feature = -1
			o.Value = g.leafValue(n)
			continue
		}
		s := &n.best
		o.Feature = s.feature
		o.Left, o.Right = n.left, n.left+1
		o.DefaultLeft = s.defaultLeft
		o.Threshold = g.cuts.Threshold(int(s.feature), s.bin)
		l, r := &out[o.Left], &out[o.Right]
		if c := l.Cover + r.Cover; c > 0 {
			o.Value = (l.Cover*l.Value + r.Cover*r.Value) / c
		} else {
			o.Value = (l.Value + r.Value) / 2
		}
	}
	return tree.Tree{Nodes: out}
}

// leafOf returns the leaf that row reaches by the binned splits.
func (g *grower) leafOf(row int32) int32 {
	i := int32(0)
	for {
		n := &g.nodes[i]
		if n.left < 0 {
			return i
		}
		b := g.cols[n.best.feature][row]
		if (b == binning.MissingBin && n.best.defaultLeft) || (b != binning.MissingBin && b <= n.best.bin) {
			i = n.left
		} else {
			i = n.left + 1
		}
	}
}
