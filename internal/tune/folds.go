package tune

import (
	"fmt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"math/rand/v2"
)

// Fold is one train/validation division of the rows of a training set.
// Both slices hold row indices in increasing order and never share a row.
type Fold struct {
	// Train holds the rows the model is fitted on.
	Train []int
	// Valid holds the rows the fitted model is scored on.
	Valid []int
}

// foldStream is the PCG stream of the stratified fold shuffle.
const foldStream = 0x666f6c64

// TimeFolds returns k expanding-window folds over n rows that are in time
// order (oldest first), the scheme of scikit-learn's TimeSeriesSplit. The
// rows are cut into k+1 consecutive blocks of nearly equal size
// (block b covers rows [b·n/(k+1), (b+1)·n/(k+1))); fold i trains on blocks
// 0..i and validates on block i+1. Every validation row therefore comes
// after every training row of its fold: no fold validates on the past.
//
// It returns an error wrapping ErrTooFewRows when a block would be empty,
// and an *OptionsError when k < 2.
func TimeFolds(n, k int) ([]Fold, error) {
	if k < 2 {
		return nil, &OptionsError{Field: "Folds", Value: k, Err: fmt.Errorf("must be at least 2")}
	}
	if n < k+1 {
		return nil, fmt.Errorf("%w: %d time-ordered folds need at least %d rows; have %d", ErrTooFewRows, k, k+1, n)
	}
	end := func(b int) int { return b * n / (k + 1) }
	folds := make([]Fold, k)
	for i := range folds {
		folds[i] = Fold{Train: span(0, end(i+1)), Valid: span(end(i+1), end(i+2))}
	}
	return folds, nil
}

// StratifiedFolds returns k folds whose validation parts partition the
// rows of the binary labels y and keep the class proportions: each class's
// rows are shuffled with a PCG generator seeded by seed and dealt to the
// folds in turn (negatives first, the positives continuing where they
// stopped), so every validation part holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of class
// c and the fold sizes differ by at most one. Fold i trains on the rows of
// every other fold. The folds depend only on y, k and seed.
//
// It returns an error wrapping learn.ErrLabel for a label other than 0 or 1,
// ErrTooFewRows when a class has fewer than k rows, and an *OptionsError
// when k < 2.
func StratifiedFolds(y []float64, k int, seed uint64) ([]Fold, error) {
	if k < 2 {
		return nil, &OptionsError{Field: "Folds", Value: k, Err: fmt.Errorf("must be at least 2")}
	}
	if _, err := learn.CheckLabels(y); err != nil {
		return nil, err
	}
	var class [2][]int
	for i, v := range y {
		c := int(v)
		class[c] = append(class[c], i)
	}
	for c, rows := range class {
		if len(rows) < k {
			return nil, fmt.Errorf("%w: %d stratified folds need at least %d rows of class %d; have %d",
				ErrTooFewRows, k, k, c, len(rows))
		}
	}
	r := rand.New(rand.NewPCG(seed, foldStream))
	fold := make([]int, len(y))
	next := 0
	for _, rows := range class {
		r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
		for _, row := range rows {
			fold[row] = next
			next = (next + 1) % k
		}
	}
	size := make([]int, k)
	for _, f := range fold {
		size[f]++
	}
	folds := make([]Fold, k)
	for i := range folds {
		folds[i] = Fold{Train: make([]int, 0, len(y)-size[i]), Valid: make([]int, 0, size[i])}
	}
	for row, f := range fold {
		for i := range folds {
			if i == f {
				folds[i].Valid = append(folds[i].Valid, row)
			} else {
				folds[i].Train = append(folds[i].Train, row)
			}
		}
	}
	return folds, nil
}

// span returns the indices lo, lo+1, …, hi-1.
func span(lo, hi int) []int {
	s := make([]int, hi-lo)
	for i := range s {
		s[i] = lo + i
	}
	return s
}
