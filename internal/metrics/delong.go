package metrics

import (
	"fmt"
	"math"
	"slices"
	"sort"
)

// z975 is the 0.975 quantile of the standard normal distribution, the
// half-width in standard errors of a two-sided 95% interval.
const z975 = 1.959963984540054

// AUCComparison compares the ROC-AUCs of two scorings of the same samples
// by DeLong's test.
type AUCComparison struct {
	// AUCA and AUCB are the ROC-AUCs of the first and second scores.
	AUCA, AUCB float64
	// Diff is AUCA − AUCB.
	Diff float64
	// SE is the standard error of Diff.
	SE float64
	// Z is Diff / SE: 0 when both are 0, ±Inf when only SE is 0.
	Z float64
	// P is the two-sided p-value of the hypothesis that both AUCs are
	// equal: the chance of a difference at least as large as Diff if the
	// two scorings ranked equally well.
	P float64
	// Lower and Upper bound the two-sided 95% confidence interval of Diff,
	// Diff ± 1.96·SE.
	Lower, Upper float64
}

// DeLong compares the ROC-AUCs of scores a and b on the same samples with
// the binary labels by the test of DeLong, DeLong and Clarke-Pearson
// (1988): the variance of the difference of the two AUCs comes from the
// structural components of each sample (the share of the other class it
// outranks, ties counting one half), whose covariance between a and b
// accounts for the pairing. The statistic Diff/SE is taken as standard
// normal. The AUCs equal ROCAUC's.
//
// It needs at least two samples of each class (the covariances are
// undefined with one) and returns an error wrapping ErrTooFew otherwise,
// ErrLabel or ErrScore for a bad label or a NaN score. Slices of different
// lengths panic. It runs in O(n log n) time.
func DeLong(labels, a, b []float64) (AUCComparison, error) {
	checkLengths("DeLong", labels, a, nil)
	checkLengths("DeLong", labels, b, nil)
	var m, n int
	for i, y := range labels {
		if err := checkLabel(i, y); err != nil {
			return AUCComparison{}, fmt.Errorf("delong: %w", err)
		}
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			return AUCComparison{}, fmt.Errorf("delong: index %d: %w", i, ErrScore)
		}
		if y == 1 {
			m++
		} else {
			n++
		}
	}
	if m < 2 || n < 2 {
		return AUCComparison{}, fmt.Errorf("delong: %d positive and %d negative samples: %w", m, n, ErrTooFew)
	}
	a10, a01 := structural(labels, a, m, n)
	b10, b01 := structural(labels, b, m, n)
	var c AUCComparison
	c.AUCA, c.AUCB = mean(a10), mean(b10)
	c.Diff = c.AUCA - c.AUCB
	// Var(AUCA − AUCB) = (S10aa + S10bb − 2·S10ab)/m + (S01aa + S01bb −
	// 2·S01ab)/n, and each bracket is the sample variance of the
	// per-sample differences of the components.
	for i := range a10 {
		a10[i] -= b10[i]
	}
	for j := range a01 {
		a01[j] -= b01[j]
	}
	c.SE = math.Sqrt(sampleVariance(a10)/float64(m) + sampleVariance(a01)/float64(n))
	switch {
	case c.SE > 0:
		c.Z = c.Diff / c.SE
		c.P = math.Erfc(math.Abs(c.Z) / math.Sqrt2)
	case c.Diff == 0:
		c.Z, c.P = 0, 1
	default:
		c.Z, c.P = math.Inf(int(math.Copysign(1, c.Diff))), 0
	}
	c.Lower, c.Upper = c.Diff-z975*c.SE, c.Diff+z975*c.SE
	return c, nil
}

// structural returns DeLong's structural components of scores: for each
// of the m positive samples, in order, the share of the n negatives it
// scores above (V10), and for each negative the share of the positives
// scoring above it (V01), ties counting one half.
func structural(labels, scores []float64, m, n int) (v10, v01 []float64) {
	pos := make([]float64, 0, m)
	neg := make([]float64, 0, n)
	for i, s := range scores {
		if labels[i] == 1 {
			pos = append(pos, s)
		} else {
			neg = append(neg, s)
		}
	}
	sortedPos, sortedNeg := slices.Clone(pos), slices.Clone(neg)
	slices.Sort(sortedPos)
	slices.Sort(sortedNeg)
	v10 = make([]float64, m)
	for i, s := range pos {
		below, tied := rankIn(sortedNeg, s)
		v10[i] = (float64(below) + 0.5*float64(tied)) / float64(n)
	}
	v01 = make([]float64, n)
	for j, s := range neg {
		below, tied := rankIn(sortedPos, s)
		v01[j] = (float64(m-below-tied) + 0.5*float64(tied)) / float64(m)
	}
	return v10, v01
}

// rankIn returns how many values of the ascending slice sorted are below s
// and how many equal it.
func rankIn(sorted []float64, s float64) (below, tied int) {
	below = sort.SearchFloat64s(sorted, s)
	upTo := below + sort.Search(len(sorted)-below, func(k int) bool { return sorted[below+k] > s })
	return below, upTo - below
}

func mean(xs []float64) float64 {
	var t float64
	for _, x := range xs {
		t += x
	}
	return t / float64(len(xs))
}

// sampleVariance returns the variance of xs with denominator len(xs) − 1.
func sampleVariance(xs []float64) float64 {
	mu := mean(xs)
	var t float64
	for _, x := range xs {
		t += (x - mu) * (x - mu)
	}
	return t / float64(len(xs)-1)
}
