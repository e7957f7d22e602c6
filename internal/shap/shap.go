package shap

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// ErrInvalid is wrapped by every error NewExplainer returns for an ensemble
// that cannot be explained. Errors from tree.Ensemble.Validate are wrapped as
// well, so errors.Is also reports tree.ErrInvalid for them.
var ErrInvalid = errors.New("shap: ensemble cannot be explained")

// MaxDepth is the deepest tree NewExplainer accepts.
const MaxDepth = 256

// Explainer computes exact TreeSHAP values for one ensemble. It is immutable
// after NewExplainer and safe for concurrent use. It takes about 100 bytes
// per tree node for trees up to depth 8, and 32 more for every further two
// levels of depth.
type Explainer struct {
	numFeatures int
	base        float64
	splits      []split // inner nodes of all trees
	down        []down  // all nodes of all trees, each tree in preorder
	up          []up    // likewise
	trees       []span
	maxNodes    int // nodes in the largest tree
	maxPath     int // most distinct features on a root-to-leaf path

	// Quadrature on [0, 1], padded to nb blocks of quadBlock points with
	// weight 0: t are the nodes.
	nb int
	t  []block
	// cold[q] = -w_q/(1-t_q) is the share factor of an edge the row does
	// not follow, and hot[c·nb+b][i] (q = b·quadBlock+i) that of the edge
	// into node c when the row follows it: w_q(1-z)/(z(1-t_q) + t_q).
	cold, hot []block
	// inv[(2j+o)·nb+b] undoes the factor z_j(1-t_q) + o·t_q of an earlier
	// edge on the same feature, whose cover fraction z_j is the j-th with
	// a prev (j = 0: no earlier edge, all ones). It is 0 where that factor
	// is 0, in which case every product it would divide is 0 already.
	inv []block

	pool sync.Pool // of *workspace
}

// quadBlock is the number of quadrature points the loops handle at once.
const quadBlock = 4

// NewExplainer checks e and prepares it for explanation. Besides
// e.Validate, it requires that every node but a root has exactly one
// parent, that no cover is negative, that the two children of every split
// have a positive total cover, and that no tree is deeper than MaxDepth.
// Later changes to e do not affect the Explainer.
//
// Cover fractions are normalised at each split, cover(child) divided by the
// sum of both children's covers, so that the expected value and the φ add up
// to the margin even when a decoder rounded the covers. When each parent's
// cover is the sum of its children's, as training produces, this equals
// cover(child)/cover(parent) of the paper and the expected value of a tree is
// the cover-weighted mean of its leaves.
func NewExplainer(e *tree.Ensemble) (*Explainer, error) {
	if e == nil {
		return nil, fmt.Errorf("%w: nil ensemble", ErrInvalid)
	}
	if err := e.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	x := &Explainer{numFeatures: e.NumFeatures, base: e.Base}
	b := builder{x: x, scale: e.Scale, last: make([]int32, e.NumFeatures)}
	for i := range b.last {
		b.last[i] = -1
	}
	for ti := range e.Trees {
		nodes := e.Trees[ti].Nodes
		if err := checkTree(nodes); err != nil {
			return nil, fmt.Errorf("%w: tree %d %w", ErrInvalid, ti, err)
		}
		b.addTree(nodes)
	}
	x.setQuadrature(b.prevZero)
	x.pool.New = func() any { return newWorkspace(x.maxNodes, x.nb) }
	return x, nil
}

// setQuadrature picks the quadrature for paths of up to maxPath distinct
// features and fills the tables that depend on it.
func (x *Explainer) setQuadrature(prevZero []float64) {
	// The integrand of a leaf whose path has k distinct features is a
	// polynomial of degree k-1, which n Gauss–Legendre points integrate
	// exactly when 2n-1 >= k-1.
	n := max(1, (x.maxPath+1)/2)
	nb := (n + quadBlock - 1) / quadBlock
	x.nb = nb
	nodes, weights := gaussLegendre(n)
	// Padding points have weight 0 and keep every factor finite.
	t, cold := make([]float64, nb*quadBlock), make([]float64, nb*quadBlock)
	for q := range t {
		t[q] = 0.5
		if q < n {
			t[q] = nodes[q]
			cold[q] = -weights[q] / (1 - nodes[q])
		}
	}
	x.t, x.cold = blocks(t), blocks(cold)
	// g(z, o) = z(1-t) + o·t, computed as explain does.
	g := func(z, o float64, q int) float64 { return z + (o-z)*t[q] }
	hot := make([]float64, len(x.down)*nb*quadBlock)
	for c, nd := range x.down {
		for q := range n {
			hot[c*nb*quadBlock+q] = weights[q] * (1 - nd.zero) / g(nd.zero, 1, q)
		}
	}
	x.hot = blocks(hot)
	inv := make([]float64, 2*(len(prevZero)+1)*nb*quadBlock)
	for j := range len(prevZero) + 1 {
		for o := range 2 {
			row := inv[(2*j+o)*nb*quadBlock:][:nb*quadBlock]
			for q := range row {
				gq := 1.0
				if j > 0 && q < n {
					gq = g(prevZero[j-1], float64(o), q)
				}
				if gq != 0 {
					row[q] = 1 / gq
				}
			}
		}
	}
	x.inv = blocks(inv)
}

// blocks regroups v, whose length is a multiple of quadBlock, into blocks.
func blocks(v []float64) []block {
	out := make([]block, len(v)/quadBlock)
	for i := range out {
		copy(out[i][:], v[i*quadBlock:])
	}
	return out
}

// NumFeatures returns the number of features of the explained ensemble: the
// length of every row and of every φ vector.
func (x *Explainer) NumFeatures() int { return x.numFeatures }

// ExpectedValue returns the base value E[f] = Base + Scale·Σ_t E[tree_t],
// where E[tree_t] is the cover-weighted mean of tree t's leaves. It is the
// margin before any feature is known, and Explain returns it too.
func (x *Explainer) ExpectedValue() float64 { return x.base }

// Explain writes the SHAP value of each feature for row into dst and
// returns the expected value, so that base + Σ dst equals the ensemble
// margin of row to rounding. NaN entries of row are missing values and
// follow each split's DefaultLeft. Explain does not allocate once warm and is
// safe for concurrent use. It panics when dst or row does not have
// NumFeatures entries.
func (x *Explainer) Explain(dst, row []float64) (base float64) {
	x.checkLen(dst, row)
	ws := x.pool.Get().(*workspace)
	x.explain(ws, dst, row)
	x.pool.Put(ws)
	return x.base
}

func (x *Explainer) checkLen(dst, row []float64) {
	if len(row) != x.numFeatures {
		panic(fmt.Sprintf("shap: row has %d values; want %d", len(row), x.numFeatures))
	}
	if len(dst) != x.numFeatures {
		panic(fmt.Sprintf("shap: dst has %d values; want %d", len(dst), x.numFeatures))
	}
}

// batchRows is how many rows a worker of ExplainInto takes at a time; it
// checks the context between batches.
const batchRows = 64

// ExplainInto writes the SHAP values of each row of X into the same row of
// dst, using up to threads goroutines (threads < 1 means
// runtime.GOMAXPROCS(0)). It returns the expected value, which is the same
// for every row. It stops early with ctx's error when ctx is cancelled,
// leaving the rows not yet done unspecified. It panics when X does not have
// NumFeatures columns or dst is not X.Rows×NumFeatures.
func (x *Explainer) ExplainInto(ctx context.Context, dst, X *matrix.Dense, threads int) (base float64, err error) {
	if X.Cols != x.numFeatures {
		panic(fmt.Sprintf("shap: X has %d columns; want %d", X.Cols, x.numFeatures))
	}
	if dst.Rows != X.Rows || dst.Cols != x.numFeatures {
		panic(fmt.Sprintf("shap: dst is %d×%d; want %d×%d", dst.Rows, dst.Cols, X.Rows, x.numFeatures))
	}
	if threads < 1 {
		threads = runtime.GOMAXPROCS(0)
	}
	threads = min(threads, (X.Rows+batchRows-1)/batchRows)
	var next atomic.Int64
	work := func() error {
		ws := x.pool.Get().(*workspace)
		defer x.pool.Put(ws)
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			lo := int(next.Add(batchRows)) - batchRows
			if lo >= X.Rows {
				return nil
			}
			for i := lo; i < min(lo+batchRows, X.Rows); i++ {
				x.explain(ws, dst.Row(i), X.Row(i))
			}
		}
	}
	if threads <= 1 {
		err = work()
	} else {
		errs := make([]error, threads)
		var wg sync.WaitGroup
		for t := range threads {
			wg.Go(func() { errs[t] = work() })
		}
		wg.Wait()
		for _, e := range errs {
			if e != nil {
				err = e
				break
			}
		}
	}
	if err != nil {
		return x.base, fmt.Errorf("shap: explain %d rows: %w", X.Rows, err)
	}
	return x.base, nil
}
