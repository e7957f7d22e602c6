package metrics

import (
	"fmt"
	"math"
)

// checkLengths panics when scores or a non-nil weights slice differ in
// length from labels.
func checkLengths(fn string, labels, scores, weights []float64) {
	if len(scores) != len(labels) {
		panic(fmt.Sprintf("metrics: %s: %d scores for %d labels", fn, len(scores), len(labels)))
	}
	if weights != nil && len(weights) != len(labels) {
		panic(fmt.Sprintf("metrics: %s: %d weights for %d labels", fn, len(weights), len(labels)))
	}
}

// checkLabel returns an error unless y is exactly 0 or 1.
func checkLabel(i int, y float64) error {
	if y != 0 && y != 1 {
		return fmt.Errorf("index %d: label %v: %w", i, y, ErrLabel)
	}
	return nil
}

// weightAt returns weights[i], or 1 when weights is nil, and an error for a
// negative or non-finite weight.
func weightAt(weights []float64, i int) (float64, error) {
	if weights == nil {
		return 1, nil
	}
	w := weights[i]
	if !(w >= 0) || math.IsInf(w, 1) {
		return 0, fmt.Errorf("index %d: weight %v: %w", i, w, ErrWeight)
	}
	return w, nil
}

// checkProbability returns an error unless 0 <= p <= 1.
func checkProbability(i int, p float64) error {
	if !(p >= 0 && p <= 1) {
		return fmt.Errorf("index %d: probability %v: %w", i, p, ErrProbability)
	}
	return nil
}
