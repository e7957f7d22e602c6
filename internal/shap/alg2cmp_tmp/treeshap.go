package alg2cmp

// This file holds the TreeSHAP recursion (Algorithm 2 of Lundberg et al.
// 2018). A path is the list of distinct features split on between the root
// and the current node, preceded by a dummy element for the root. Element k
// holds
//
//	zero[k]: the fraction of cover that follows the path's edges on that
//	         feature (the product of cover(child)/cover(parent) over them);
//	one[k]:  1 when row x follows all those edges, else 0.
//
// weight[m], m = 0..len-1, is the total Shapley weight of the coalitions of
// size m drawn from the path's features, each coalition S weighted by
// Π_{k∈S} one[k] · Π_{k∉S} zero[k] · |S|!(d-|S|)!/(d+1)!, where d+1 is the
// path length. At a leaf, removing ("unwinding") one element from the weights
// gives that feature's share of the leaf value.

// workspace is the scratch one explanation needs: one path per tree level,
// packed in a triangle (level ℓ has room for ℓ+1 elements at offset
// ℓ(ℓ+1)/2), and the row and output being worked on.
type workspace struct {
	feature []int32
	zero    []float64
	one     []float64
	weight  []float64
	row     []float64
	phi     []float64
}

func newWorkspace(depth int) *workspace {
	n := tri(depth + 1)
	return &workspace{
		feature: make([]int32, n),
		zero:    make([]float64, n),
		one:     make([]float64, n),
		weight:  make([]float64, n),
	}
}

// tri returns d(d+1)/2, the offset of row d in a triangular table.
func tri(d int) int { return d * (d + 1) / 2 }

// factors holds the constant ratios of the weight updates, so that the
// loops multiply instead of divide. Row d, for a path whose last element
// has index d, has d+1 entries at offset tri(d).
type factors struct {
	extZero []float64 // (d-j)/(d+1): extend, coalition without the new feature
	extOne  []float64 // j/(d+1): extend, coalition with the new feature
	unA     []float64 // (d+1)/(i+1): unwind, weight of size i
	unC     []float64 // (d-i)/(i+1): unwind, carry to size i-1
	cold    []float64 // (d+1)/(d-i): unwound sum of an element with one = 0
}

func newFactors(depth int) factors {
	n := tri(depth + 1)
	f := factors{
		extZero: make([]float64, n),
		extOne:  make([]float64, n),
		unA:     make([]float64, n),
		unC:     make([]float64, n),
		cold:    make([]float64, n),
	}
	for d := 0; d <= depth; d++ {
		for i := 0; i <= d; i++ {
			k := tri(d) + i
			fd, fi := float64(d), float64(i)
			f.extZero[k] = (fd - fi) / (fd + 1)
			f.extOne[k] = fi / (fd + 1)
			f.unA[k] = (fd + 1) / (fi + 1)
			f.unC[k] = (fd - fi) / (fi + 1)
			if i < d {
				f.cold[k] = (fd + 1) / (fd - fi)
			}
		}
	}
	return f
}

// row returns row d of table t.
func row(t []float64, d int) []float64 { return t[tri(d) : tri(d)+d+1 : tri(d)+d+1] }

// explain writes the SHAP values of row into phi.
func (x *Explainer) explain(ws *workspace, phi, row []float64) {
	clear(phi)
	ws.row, ws.phi = row, phi
	for _, r := range x.roots {
		x.recurse(ws, r, 0, 0, 1, 1, -1)
	}
	ws.row, ws.phi = nil, nil
}

// recurse visits node ni at tree depth level. Its parent's path has u
// elements (including the dummy) and is stored at level-1; the edge from the
// parent to ni is on feature with the given zero and one fractions.
func (x *Explainer) recurse(ws *workspace, ni int32, level, u int, zero, one float64, feature int32) {
	start := tri(level)
	n := u + 1
	feat := ws.feature[start : start+n : start+n]
	zf := ws.zero[start : start+n : start+n]
	of := ws.one[start : start+n : start+n]
	w := ws.weight[start : start+n : start+n]
	if level > 0 {
		prev := start - level
		pf := ws.feature[prev : prev+u : prev+u]
		pz := ws.zero[prev : prev+u : prev+u]
		po := ws.one[prev : prev+u : prev+u]
		pw := ws.weight[prev : prev+u : prev+u]
		for i := range pf {
			feat[i], zf[i], of[i], w[i] = pf[i], pz[i], po[i], pw[i]
		}
	}
	x.extend(feat, zf, of, w, zero, one, feature)

	nd := &x.nodes[ni]
	last := u // index of the last path element
	if nd.feature < 0 {
		x.leaf(ws.phi, feat, zf, of, w, nd.value)
		return
	}

	// A feature seen higher up keeps a single path element: take its
	// fractions out of the weights and multiply them into the new edge's.
	inZero, inOne := 1.0, 1.0
	for k := 1; k <= last; k++ {
		if feat[k] == nd.feature {
			inZero, inOne = zf[k], of[k]
			x.unwind(feat, zf, of, w, k)
			last--
			break
		}
	}

	// Split convention of package tree: x < threshold goes left, x >=
	// threshold goes right, and NaN (neither) goes to DefaultLeft.
	v := ws.row[nd.feature]
	goLeft := v < nd.threshold || (!(v >= nd.threshold) && nd.defaultLeft)
	hot, cold := nd.right, nd.left
	hotZero, coldZero := nd.zeroRight*inZero, nd.zeroLeft*inZero
	if goLeft {
		hot, cold = cold, hot
		hotZero, coldZero = coldZero, hotZero
	}
	// An edge with zero and one both 0 makes every coalition's weight 0
	// below it: the subtree adds nothing, and unwinding that element again
	// would divide by zero. Skip it.
	if hotZero != 0 || inOne != 0 {
		x.recurse(ws, hot, level+1, last+1, hotZero, inOne, nd.feature)
	}
	if coldZero != 0 {
		x.recurse(ws, cold, level+1, last+1, coldZero, 0, nd.feature)
	}
}

// extend appends the element (feature, zero, one) to a path whose first
// len(w)-1 elements are set, and updates the coalition weights: a coalition
// of size j either leaves the new feature out (weight × zero) or takes it in
// (the size j-1 weight × one), rescaled from d to d+1 features.
func (x *Explainer) extend(feat []int32, zf, of, w []float64, zero, one float64, feature int32) {
	d := len(w) - 1
	feat[d], zf[d], of[d] = feature, zero, one
	if d == 0 {
		w[0] = 1
		return
	}
	fz, fo := row(x.factors.extZero, d), row(x.factors.extOne, d)
	w, fz, fo = w[:d+1], fz[:d+1], fo[:d+1]
	if one == 0 {
		// one is 0 or 1: only indicator fractions occur in this algorithm.
		w[d] = 0
		for j := d - 1; j >= 0; j-- {
			w[j] *= zero * fz[j]
		}
		return
	}
	w[d] = w[d-1] * fo[d]
	for j := d - 1; j >= 1; j-- {
		w[j] = w[j]*(zero*fz[j]) + w[j-1]*fo[j]
	}
	w[0] *= zero * fz[0]
}

// unwind removes element k from the path held in w (len(w) elements), undoing
// extend for it. The weights shrink to len(w)-1 entries; w[len(w)-1] is left
// stale and the path elements after k move down by one.
func (x *Explainer) unwind(feat []int32, zf, of, w []float64, k int) {
	d := len(w) - 1
	zero, one := zf[k], of[k]
	if one != 0 {
		a, c := row(x.factors.unA, d), row(x.factors.unC, d)
		a, c = a[:d], c[:d]
		next := w[d]
		for i := d - 1; i >= 0; i-- {
			prev := w[i]
			w[i] = next * a[i]
			next = prev - next*(zero*c[i])
		}
	} else {
		// zero is not 0 here: recurse never extends by zero = one = 0.
		cold := row(x.factors.cold, d)[:d]
		for i := d - 1; i >= 0; i-- {
			w[i] = w[i] * cold[i] / zero
		}
	}
	copy(feat[k:d], feat[k+1:d+1])
	copy(zf[k:d], zf[k+1:d+1])
	copy(of[k:d], of[k+1:d+1])
}

// leaf adds the leaf value's share to the φ of each feature on the path.
// The share of element k is v·(one[k]-zero[k]) times the sum of the weights
// with k unwound. When one[k] = 0 that product no longer depends on k: it is
// -v·Σ_i w[i]·(d+1)/(d-i) with d = len(w)-1, computed once. For one[k] = 1
// the unwound sum is a serial recurrence, so elements go through it in pairs
// to overlap two dependency chains.
func (x *Explainer) leaf(phi []float64, feat []int32, zf, of, w []float64, v float64) {
	d := len(w) - 1
	if d == 0 || v == 0 {
		return
	}
	a, c := row(x.factors.unA, d)[:d], row(x.factors.unC, d)[:d]
	w = w[:d+1]
	coldShare, coldDone := 0.0, false
	pending := -1 // a hot element waiting for a partner
	for k := 1; k <= d; k++ {
		if of[k] == 0 {
			if !coldDone {
				cold := row(x.factors.cold, d)[:d]
				s := 0.0
				for i := range cold {
					s += w[i] * cold[i]
				}
				coldShare, coldDone = -s*v, true
			}
			phi[feat[k]] += coldShare
			continue
		}
		if pending < 0 {
			pending = k
			continue
		}
		z1, z2 := zf[pending], zf[k]
		n1, n2 := w[d], w[d]
		t1, t2 := 0.0, 0.0
		for i := d - 1; i >= 0; i-- {
			ai, ci, wi := a[i], c[i], w[i]
			t1 += n1 * ai
			t2 += n2 * ai
			n1 = wi - n1*(z1*ci)
			n2 = wi - n2*(z2*ci)
		}
		phi[feat[pending]] += t1 * (1 - z1) * v
		phi[feat[k]] += t2 * (1 - z2) * v
		pending = -1
	}
	if pending >= 0 {
		z := zf[pending]
		n, t := w[d], 0.0
		for i := d - 1; i >= 0; i-- {
			t += n * a[i]
			n = w[i] - n*(z*c[i])
		}
		phi[feat[pending]] += t * (1 - z) * v
	}
}
