package binning

import (
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Matrix is a binned feature matrix stored column-major.
type Matrix struct {
	// Rows is the number of rows.
	Rows int
	// Cols[f][i] is the bin code of row i in feature f; len(Cols[f]) == Rows.
	Cols [][]uint8
	// Cuts maps bin codes back to real-valued thresholds.
	Cuts *Cuts
}

// New finds the cut points of X with cfg and bins every row of X with them.
func New(X *matrix.Dense, cfg Config) (*Matrix, error) {
	cuts, err := FindCuts(X, cfg)
	if err != nil {
		return nil, err
	}
	return cuts.Transform(X, cfg.Threads)
}

// blockRows is the number of rows a Transform worker bins at a time: few
// enough that the block's float64 rows stay in cache while it is read once
// per feature.
const blockRows = 2048

// Transform bins every row of X with the cut points c, using up to nthreads
// goroutines (0 means runtime.GOMAXPROCS(0)). It returns ErrShape when X has
// a different number of columns and ErrInfinite for a ±Inf value.
func (c *Cuts) Transform(X *matrix.Dense, nthreads int) (*Matrix, error) {
	if X == nil {
		return nil, fmt.Errorf("transform: %w: nil matrix", ErrShape)
	}
	if X.Cols != len(c.Points) {
		return nil, fmt.Errorf("transform: %w: matrix has %d columns, cut points %d", ErrShape, X.Cols, len(c.Points))
	}
	m := &Matrix{Rows: X.Rows, Cols: make([][]uint8, X.Cols), Cuts: c}
	for f := range m.Cols {
		m.Cols[f] = make([]uint8, X.Rows)
	}
	nblocks := (X.Rows + blockRows - 1) / blockRows
	errs := make([]error, nblocks)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(threads(nthreads), nblocks) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= nblocks {
					return
				}
				errs[b] = c.binBlock(m, X, b*blockRows, min((b+1)*blockRows, X.Rows))
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("transform: %w", err)
	}
	return m, nil
}

// binBlock bins rows [r0, r1) of X into m.
func (c *Cuts) binBlock(m *Matrix, X *matrix.Dense, r0, r1 int) error {
	ncols := X.Cols
	for f, points := range c.Points {
		col := m.Cols[f][r0:r1]
		data := X.Data[r0*ncols+f:]
		switch len(points) {
		case 0:
			for i := range col {
				v := data[i*ncols]
				switch {
				case v != v:
					col[i] = MissingBin
				case math.IsInf(v, 0):
					return fmt.Errorf("%w at row %d, column %d", ErrInfinite, r0+i, f)
				default:
					col[i] = 1
				}
			}
		default:
			for i := range col {
				v := data[i*ncols]
				switch {
				case v != v:
					col[i] = MissingBin
				case math.IsInf(v, 0):
					return fmt.Errorf("%w at row %d, column %d", ErrInfinite, r0+i, f)
				default:
					col[i] = uint8(1 + upperBound(points, v))
				}
			}
		}
	}
	return nil
}
