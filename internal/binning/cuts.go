package binning

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// MissingBin is the bin code of a missing (NaN) value.
const MissingBin uint8 = 0

// Limits and defaults of Config.
const (
	// MaxBinsLimit is the largest MaxBins a uint8 bin code can express.
	MaxBinsLimit = 256
	// DefaultMaxBins is the MaxBins used when Config.MaxBins is zero: 255
	// value bins and the missing bin.
	DefaultMaxBins = 256
	// DefaultSampleRows is the SampleRows used when Config.SampleRows is
	// zero.
	DefaultSampleRows = 200_000
)

// Errors returned by the package. They are wrapped with context.
var (
	// ErrNoRows is returned when cut points are asked for on a matrix with
	// no rows or no columns.
	ErrNoRows = errors.New("binning: no rows")
	// ErrInfinite is returned for a ±Inf feature value; only NaN (missing)
	// and finite values can be binned.
	ErrInfinite = errors.New("binning: infinite value")
	// ErrShape is returned when a matrix has a different number of columns
	// than the cut points.
	ErrShape = errors.New("binning: column count mismatch")
	// ErrConfig is returned for an invalid Config.
	ErrConfig = errors.New("binning: invalid config")
	// ErrCuts is returned by Cuts.Validate for malformed cut points.
	ErrCuts = errors.New("binning: invalid cut points")
)

// Config controls how cut points are found. The zero value is ready to use.
type Config struct {
	// MaxBins is the largest number of bin codes per feature, the missing
	// bin included, so a feature gets at most MaxBins-1 value bins. Zero
	// means DefaultMaxBins; otherwise it must lie in [3, MaxBinsLimit].
	MaxBins int
	// SampleRows caps the number of rows, drawn without replacement, that
	// cut points are computed from. Zero means DefaultSampleRows; a negative
	// value means every row. Binning itself always covers every row.
	SampleRows int
	// Seed seeds the row sample. It matters only when rows are sampled.
	Seed uint64
	// Threads is the number of goroutines used. Zero means
	// runtime.GOMAXPROCS(0).
	Threads int
}

func (c Config) withDefaults() (Config, error) {
	if c.MaxBins == 0 {
		c.MaxBins = DefaultMaxBins
	}
	if c.MaxBins < 3 || c.MaxBins > MaxBinsLimit {
		return c, fmt.Errorf("%w: MaxBins %d outside [3, %d]", ErrConfig, c.MaxBins, MaxBinsLimit)
	}
	if c.SampleRows == 0 {
		c.SampleRows = DefaultSampleRows
	}
	if c.Threads < 0 {
		return c, fmt.Errorf("%w: Threads %d is negative", ErrConfig, c.Threads)
	}
	c.Threads = threads(c.Threads)
	return c, nil
}

func threads(n int) int {
	if n <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return n
}

// Cuts holds the cut points of every feature.
type Cuts struct {
	// Points[f] lists the cut points of feature f in strictly increasing
	// order; they are finite. A present value x falls in bin
	// 1 + #{j : Points[f][j] <= x}.
	Points [][]float64
}

// NumFeatures returns the number of features.
func (c *Cuts) NumFeatures() int { return len(c.Points) }

// NumBins returns the number of bin codes feature f uses, the missing bin
// included: len(Points[f]) + 2.
func (c *Cuts) NumBins(f int) int { return len(c.Points[f]) + 2 }

// Bin returns the bin code of value x of feature f: MissingBin for NaN,
// otherwise 1 + #{j : Points[f][j] <= x}.
func (c *Cuts) Bin(f int, x float64) uint8 {
	if x != x {
		return MissingBin
	}
	return uint8(1 + upperBound(c.Points[f], x))
}

// Threshold returns the real-valued threshold of the split that sends value
// bins 1..b of feature f to the left: a present value x has Bin(f, x) <= b
// exactly when x < Threshold(f, b), the tree package's convention. For b = 0
// it returns -math.MaxFloat64, which every finite value is at or above: the
// split that separates missing values (routed by the default direction) from
// all present ones. b must lie in [0, NumBins(f)-2]; anything else is a
// programmer error and panics.
func (c *Cuts) Threshold(f int, b uint8) float64 {
	p := c.Points[f]
	if int(b) > len(p) {
		panic(fmt.Sprintf("binning: split bin %d of feature %d outside [0, %d]", b, f, len(p)))
	}
	if b == 0 {
		return -math.MaxFloat64
	}
	return p[b-1]
}

// Validate checks that every feature has at most MaxBinsLimit-2 cut points,
// all finite and strictly increasing. Decoders of stored cut points call it
// before use.
func (c *Cuts) Validate() error {
	for f, p := range c.Points {
		if len(p) > MaxBinsLimit-2 {
			return fmt.Errorf("%w: feature %d has %d cut points; at most %d", ErrCuts, f, len(p), MaxBinsLimit-2)
		}
		for j, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: feature %d cut %d is %v", ErrCuts, f, j, v)
			}
			if j > 0 && !(p[j-1] < v) {
				return fmt.Errorf("%w: feature %d cuts %d and %d not increasing", ErrCuts, f, j-1, j)
			}
		}
	}
	return nil
}

// upperBound returns the number of points that are <= x. points is sorted
// and x is not NaN.
func upperBound(points []float64, x float64) int {
	lo, n := 0, len(points)
	for n > 0 {
		half := n >> 1
		if points[lo+half] <= x {
			lo += half + 1
			n -= half + 1
		} else {
			n = half
		}
	}
	return lo
}

// FindCuts computes the cut points of every column of X. It returns
// ErrNoRows when X has no rows or no columns and ErrInfinite when a sampled
// value is ±Inf.
func FindCuts(X *matrix.Dense, cfg Config) (*Cuts, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if X == nil || X.Rows == 0 || X.Cols == 0 {
		return nil, fmt.Errorf("find cuts: %w", ErrNoRows)
	}
	rows := sampleRows(X.Rows, cfg.SampleRows, cfg.Seed)
	cuts := &Cuts{Points: make([][]float64, X.Cols)}

	// Workers take groups of adjacent features so that one pass over the
	// sampled rows reads each touched cache line once for the whole group.
	const group = 8
	ngroups := (X.Cols + group - 1) / group
	errs := make([]error, ngroups)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(cfg.Threads, ngroups) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bufs := make([][]float64, group)
			nsample := X.Rows
			if rows != nil {
				nsample = len(rows)
			}
			for k := range bufs {
				bufs[k] = make([]float64, 0, nsample)
			}
			var keys, tmp []uint64
			for {
				gi := int(next.Add(1) - 1)
				if gi >= ngroups {
					return
				}
				f0, f1 := gi*group, min((gi+1)*group, X.Cols)
				for k := range bufs {
					bufs[k] = bufs[k][:0]
				}
				errs[gi] = gatherColumns(bufs[:f1-f0], X, f0, rows)
				if errs[gi] != nil {
					continue
				}
				for f := f0; f < f1; f++ {
					vals := bufs[f-f0]
					keys, tmp = SortFloats(vals, keys, tmp)
					cuts.Points[f] = findPoints(vals, cfg.MaxBins-1)
				}
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("find cuts: %w", err)
	}
	return cuts, nil
}

// gatherColumns appends the present values of columns f0.. of the given rows
// (all rows when rows is nil) to bufs.
func gatherColumns(bufs [][]float64, X *matrix.Dense, f0 int, rows []int32) error {
	add := func(r int) error {
		row := X.Data[r*X.Cols+f0 : r*X.Cols+f0+len(bufs)]
		for k, v := range row {
			if v != v {
				continue
			}
			if math.IsInf(v, 0) {
				return fmt.Errorf("%w at row %d, column %d", ErrInfinite, r, f0+k)
			}
			bufs[k] = append(bufs[k], v)
		}
		return nil
	}
	if rows == nil {
		for r := range X.Rows {
			if err := add(r); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range rows {
		if err := add(int(r)); err != nil {
			return err
		}
	}
	return nil
}

// sampleRows returns a sorted sample of k of the n row indices, or nil
// (meaning every row) when k < 0 or k >= n.
func sampleRows(n, k int, seed uint64) []int32 {
	if k < 0 || k >= n {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x62696e6e696e67))
	idx := make([]int32, n)
	for i := range idx {
		idx[i] = int32(i)
	}
	for i := range k {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	idx = idx[:k:k]
	slices.Sort(idx)
	return idx
}

// findPoints returns the cut points for the sorted, NaN-free values vals so
// that there are at most maxValueBins value bins.
//
// When there are at most maxValueBins distinct values, each gets its own
// bin. Otherwise the values are swept in order, closing a bin once it holds
// its share (rows left / bins left) or when the next value alone fills a
// share, so heavy values such as 0 in a count feature stand alone.
func findPoints(vals []float64, maxValueBins int) []float64 {
	if len(vals) == 0 {
		return nil
	}
	// run returns the end of the run of values equal to vals[i].
	run := func(i int) int {
		j := i + 1
		for j < len(vals) && vals[j] == vals[i] {
			j++
		}
		return j
	}
	distinct := 0
	for i := 0; i < len(vals); i = run(i) {
		distinct++
	}
	if distinct <= maxValueBins {
		points := make([]float64, 0, distinct-1)
		for i := run(0); i < len(vals); i = run(i) {
			points = append(points, midpoint(vals[i-1], vals[i]))
		}
		return points
	}
	points := make([]float64, 0, maxValueBins-1)
	restRows, restBins := len(vals), maxValueBins
	share := float64(restRows) / float64(restBins)
	acc := 0
	valuesLeft := distinct
	for i, end := 0, run(0); end < len(vals) && restBins > 1; {
		next := run(end)
		acc += end - i
		valuesLeft--
		if float64(acc) >= share || float64(next-end) >= share || valuesLeft < restBins {
			points = append(points, midpoint(vals[end-1], vals[end]))
			restRows -= acc
			restBins--
			acc = 0
			share = float64(restRows) / float64(restBins)
		}
		i, end = end, next
	}
	return points
}

// midpoint returns a cut point c with a < c <= b, halfway between a and b
// when that is representable.
func midpoint(a, b float64) float64 {
	m := a/2 + b/2
	if !(m > a) || m > b {
		return b
	}
	return m
}
