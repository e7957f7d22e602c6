package tree

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

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

// PredictProbaInto is PredictInto on every core: it makes a fitted
// ensemble a learn.Predictor.
func (e *Ensemble) PredictProbaInto(dst []float64, X *matrix.Dense) { e.PredictInto(dst, X, 0) }

func (e *Ensemble) checkBatch(dst []float64, X *matrix.Dense) { checkRows(dst, X, e.NumFeatures) }

// checkRows panics unless dst has a value for each row of X and X has nf
// columns.
func checkRows(dst []float64, X *matrix.Dense, nf int) {
	if len(dst) != X.Rows {
		panic(fmt.Sprintf("tree: %d outputs for %d rows", len(dst), X.Rows))
	}
	if X.Cols != nf {
		panic(fmt.Sprintf("tree: matrix has %d columns; ensemble wants %d", X.Cols, nf))
	}
}

// compileMinRows is the smallest batch that is worth compiling the
// ensemble for; smaller batches walk the trees as they are.
const compileMinRows = 256

// batch compiles the ensemble for a large batch and fills dst.
func (e *Ensemble) batch(dst []float64, X *matrix.Dense, threads int, prob bool) {
	if X.Rows >= compileMinRows {
		e.Compile().batch(dst, X, threads, prob)
		return
	}
	for i := range X.Rows {
		m := e.Margin(X.Row(i))
		if prob {
			m = e.Prob(m)
		}
		dst[i] = m
	}
}
