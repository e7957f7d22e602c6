package shap

// This file holds the per-row computation.
//
// Take one leaf of value v, and merge the splits on its root-to-leaf path
// feature by feature into k elements: element j has the cover fraction z_j
// (the product over its splits) and o_j = 1 when the row follows all its
// splits, else 0. The path-dependent value of a coalition S is
// v·Π_{j∈S} o_j·Π_{j∉S} z_j, and the leaf's Shapley share for element i is
//
//	v·(o_i - z_i) · Σ_{S ⊆ others} |S|!(k-|S|-1)!/k! · Π_{j∈S} o_j · Π_{j∉S} z_j.
//
// Algorithm 2 of Lundberg et al. (2018) sums these terms by extending and
// unwinding a polynomial of coalition weights along each path, O(L·D²) per
// tree. Writing the Shapley weight as a Beta integral,
// |S|!(k-|S|-1)!/k! = ∫_0^1 t^|S| (1-t)^(k-|S|-1) dt, turns the share into
//
//	v·(o_i - z_i) · ∫_0^1 Π_{j≠i} g_j(t) dt,   g_j(t) = z_j·(1-t) + o_j·t,
//
// an integral of a polynomial of degree k-1, which Gauss–Legendre quadrature
// with ⌈k/2⌉ points computes exactly. With P_q = v·Π_j g_j(t_q) the share is
// Σ_q w_q·(o_i - z_i)/g_i(t_q)·P_q, that is
//
//	o_i = 0: Σ_q cold_q·P_q,   cold_q = -w_q/(1-t_q), the same for all i;
//	o_i = 1: Σ_q w_q·(1-z_i)/(z_i(1-t_q) + t_q)·P_q.
//
// The factor depends on the element only through (z_i, o_i), so the shares
// of all leaves below an edge can be added up before it is applied. Each
// edge e, on feature f into node c, is charged for the leaves below c whose
// path has no further split on f (deeper splits on f merge into a later
// edge), with (z_e, o_e) the element of f merged down to e:
//
//	share(e) = Σ_q factor_q(z_e, o_e) · (T_q(c) - Σ_{m} T_q(m)),
//
// where T_q(c) is the sum of P_q over the leaves below c and m runs over the
// topmost nodes below c (c included) that split on f. A row then costs two
// passes over the nodes of each tree: top-down for A_q(c), the product of
// the path's g factors (replacing the factor of an earlier edge on the same
// feature by the merged one), and bottom-up for T_q(c) = v·A_q(c) at a leaf
// and T_q(left) + T_q(right) above. That is O(N·D) per tree with no
// data-dependent branch. Every g is in [0, 1], so nothing overflows.

// block holds quadBlock consecutive quadrature values; the node tables are
// slices of blocks so that the loops index each block with one bounds check.
type block = [quadBlock]float64

// workspace is the per-call scratch of explain, sized for the largest tree.
type workspace struct {
	a   []block // A_q(c), then T_q(c), at block c*nb+b; node N is the zero sink
	s   []block // Σ_m T_q(m) waiting to be subtracted at node c
	dir []int   // 1 when the row goes left at inner node c
	on  []int   // o of the edge into node c, merged with earlier ones
}

func newWorkspace(maxNodes, nb int) *workspace {
	return &workspace{
		a:   make([]block, (maxNodes+1)*nb),
		s:   make([]block, (maxNodes+1)*nb),
		dir: make([]int, maxNodes),
		on:  make([]int, maxNodes),
	}
}

// explain writes the SHAP values of row into phi.
func (x *Explainer) explain(ws *workspace, phi, row []float64) {
	clear(phi)
	for _, tr := range x.trees {
		x.route(ws, row, tr)
		if x.nb == 1 {
			x.explainTree1(ws, phi, tr)
		} else {
			x.explainTree(ws, phi, tr)
		}
	}
}

// route sets ws.dir for the inner nodes of one tree.
func (x *Explainer) route(ws *workspace, row []float64, tr span) {
	dir := ws.dir
	for i := range x.splits[tr.splitStart:tr.splitEnd] {
		sp := &x.splits[tr.splitStart+i]
		dir[sp.node] = goesLeft(sp, row)
	}
}

// explainTree1 adds the shares of one tree to phi when the quadrature fits
// in one block (x.nb == 1); explainTree is the general form. ws.dir must be
// set by route. ws.s is all zeros on entry and on return.
func (x *Explainer) explainTree1(ws *workspace, phi []float64, tr span) {
	dn, ups := x.down[tr.start:tr.end], x.up[tr.start:tr.end]
	n := len(dn)
	a, s := ws.a[:n+1], ws.s[:n+1]
	dir, on := ws.dir[:n], ws.on[:n]
	hot := x.hot[tr.start:tr.end]
	t0, t1, t2, t3 := x.t[0][0], x.t[0][1], x.t[0][2], x.t[0][3]
	cold := x.cold[0]

	a[n] = block{} // the sink
	a[0] = block{1, 1, 1, 1}
	on[0] = 1
	// Arrays of more than one element do not live in registers, so the
	// four lanes are spelt out as scalars.
	for c := 1; c < n; c++ {
		nd := &dn[c]
		// The row takes this edge when it goes the parent's way to it;
		// an earlier edge on the same feature must have been taken too.
		prevOn := on[nd.prev]
		o := prevOn & (1 ^ dir[nd.parent] ^ int(nd.isLeft))
		on[c] = o
		// g = z(1-t) + o·t, written with one product per lane.
		z := nd.zero
		w := float64(o) - z
		g0, g1, g2, g3 := z+w*t0, z+w*t1, z+w*t2, z+w*t3
		if nd.prevInv != 0 {
			iv := &x.inv[2*int(nd.prevInv)+prevOn]
			g0, g1, g2, g3 = g0*iv[0], g1*iv[1], g2*iv[2], g3*iv[3]
		}
		ap, ac := &a[nd.parent], &a[c]
		ac[0], ac[1], ac[2], ac[3] = ap[0]*g0, ap[1]*g1, ap[2]*g2, ap[3]*g3
	}

	for c := n - 1; c >= 1; c-- {
		nd := &ups[c]
		v := nd.value
		ac, al, ar := &a[c], &a[nd.left], &a[nd.right]
		d0, d1, d2, d3 := v*ac[0]+al[0]+ar[0], v*ac[1]+al[1]+ar[1], v*ac[2]+al[2]+ar[2], v*ac[3]+al[3]+ar[3]
		ac[0], ac[1], ac[2], ac[3] = d0, d1, d2, d3
		if nd.corr >= 0 {
			// The leaves below c belong to a deeper edge than corr's.
			sk := &s[nd.corr]
			sk[0], sk[1], sk[2], sk[3] = sk[0]+d0, sk[1]+d1, sk[2]+d2, sk[3]+d3
		}
		if nd.target {
			sc := &s[c]
			d0, d1, d2, d3 = d0-sc[0], d1-sc[1], d2-sc[2], d3-sc[3]
			*sc = block{}
		}
		// Pick the factors without a branch: on[c] is as good as random.
		f := [2]*block{&cold, &hot[c]}[on[c]&1]
		phi[nd.edgeFeature] += f[0]*d0 + f[1]*d1 + f[2]*d2 + f[3]*d3
	}
}

// explainTree is explainTree1 for any number of blocks.
func (x *Explainer) explainTree(ws *workspace, phi []float64, tr span) {
	dn, ups := x.down[tr.start:tr.end], x.up[tr.start:tr.end]
	n, nb := len(dn), x.nb
	a, s := ws.a[:(n+1)*nb], ws.s[:(n+1)*nb]
	dir, on := ws.dir[:n], ws.on[:n]
	hot := x.hot[tr.start*nb : tr.end*nb]
	cold, ts := x.cold[:nb], x.t[:nb]

	clear(a[n*nb:])
	for b := range nb {
		a[b] = block{1, 1, 1, 1}
	}
	on[0] = 1
	for c := 1; c < n; c++ {
		nd := &dn[c]
		p := int(nd.parent)
		prevOn := on[nd.prev]
		o := prevOn & (1 ^ dir[p] ^ int(nd.isLeft))
		on[c] = o
		z := nd.zero
		w := float64(o) - z
		iv0 := (2*int(nd.prevInv) + prevOn) * nb
		for b := range nb {
			ap, ac, iv, t := &a[p*nb+b], &a[c*nb+b], &x.inv[iv0+b], &ts[b]
			ac[0] = ap[0] * (z + w*t[0]) * iv[0]
			ac[1] = ap[1] * (z + w*t[1]) * iv[1]
			ac[2] = ap[2] * (z + w*t[2]) * iv[2]
			ac[3] = ap[3] * (z + w*t[3]) * iv[3]
		}
	}

	for c := n - 1; c >= 1; c-- {
		nd := &ups[c]
		v, o := nd.value, on[c]&1
		l, r := int(nd.left)*nb, int(nd.right)*nb
		var share float64
		for b := range nb {
			ac, al, ar := &a[c*nb+b], &a[l+b], &a[r+b]
			d0, d1, d2, d3 := v*ac[0]+al[0]+ar[0], v*ac[1]+al[1]+ar[1], v*ac[2]+al[2]+ar[2], v*ac[3]+al[3]+ar[3]
			ac[0], ac[1], ac[2], ac[3] = d0, d1, d2, d3
			if nd.corr >= 0 {
				sk := &s[int(nd.corr)*nb+b]
				sk[0], sk[1], sk[2], sk[3] = sk[0]+d0, sk[1]+d1, sk[2]+d2, sk[3]+d3
			}
			if nd.target {
				sc := &s[c*nb+b]
				d0, d1, d2, d3 = d0-sc[0], d1-sc[1], d2-sc[2], d3-sc[3]
				*sc = block{}
			}
			f := [2]*block{&cold[b], &hot[c*nb+b]}[o]
			share += f[0]*d0 + f[1]*d1 + f[2]*d2 + f[3]*d3
		}
		phi[nd.edgeFeature] += share
	}
}

// goesLeft returns 1 when row goes to the left child at sp, by the split
// convention of package tree: x < threshold goes left, x >= threshold goes
// right, and NaN (neither) goes to DefaultLeft. It has no branch.
func goesLeft(sp *split, row []float64) int {
	v := row[sp.feature]
	return b2i(v < sp.threshold) | (b2i(v != v) & int(sp.defaultLeft))
}

// b2i converts a bool to 0 or 1.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
