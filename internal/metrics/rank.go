package metrics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// pair is one sample on the ranking path: an order-preserving integer key
// of its score and its weight.
type pair struct {
	key uint64
	w   float64
}

// scoreKey maps a score to a uint64 whose unsigned order is the numeric
// order of the scores. -0 and +0 map to the same key, so they tie, as they
// do in scikit-learn.
func scoreKey(s float64) uint64 {
	if s == 0 {
		s = 0
	}
	b := math.Float64bits(s)
	if b>>63 == 1 {
		return ^b
	}
	return b | 1<<63
}

// keyScore inverts scoreKey.
func keyScore(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// ranking holds the samples of each class sorted by ascending score.
type ranking struct {
	pos, neg []pair
	// p and n are the total weight of the positive and negative samples.
	p, n float64
}

// newRanking validates the inputs and sorts each class by score. It returns
// ErrEmpty for no samples (or zero total weight) and ErrOneClass when either
// class has zero total weight.
func newRanking(fn string, labels, scores, weights []float64) (*ranking, error) {
	checkLengths(fn, labels, scores, weights)
	if len(labels) == 0 {
		return nil, ErrEmpty
	}
	npos := 0
	for i, y := range labels {
		if err := checkLabel(i, y); err != nil {
			return nil, err
		}
		if y == 1 {
			npos++
		}
	}
	r := &ranking{
		pos: make([]pair, 0, npos),
		neg: make([]pair, 0, len(labels)-npos),
	}
	for i, s := range scores {
		if math.IsNaN(s) {
			return nil, fmt.Errorf("index %d: %w", i, ErrScore)
		}
		w, err := weightAt(weights, i)
		if err != nil {
			return nil, err
		}
		if labels[i] == 1 {
			r.pos = append(r.pos, pair{scoreKey(s), w})
			r.p += w
		} else {
			r.neg = append(r.neg, pair{scoreKey(s), w})
			r.n += w
		}
	}
	switch {
	case r.p == 0 && r.n == 0:
		return nil, ErrEmpty
	case r.p == 0 || r.n == 0:
		return nil, ErrOneClass
	}
	buf := make([]pair, max(len(r.pos), len(r.neg)))
	sortPairs(r.pos, buf)
	sortPairs(r.neg, buf)
	return r, nil
}

// each calls fn once per distinct score, from the highest to the lowest,
// with the score and the total positive (tp) and negative (fp) weight of
// the samples scoring at least that much: the operating point of the rule
// "predict 1 when score >= threshold". Sums accumulate in this order, as
// scikit-learn's cumulative sums do.
func (r *ranking) each(fn func(threshold, tp, fp float64)) {
	i, j := len(r.pos)-1, len(r.neg)-1
	var tp, fp float64
	for i >= 0 || j >= 0 {
		var k uint64
		switch {
		case i < 0:
			k = r.neg[j].key
		case j < 0:
			k = r.pos[i].key
		default:
			k = max(r.pos[i].key, r.neg[j].key)
		}
		for ; i >= 0 && r.pos[i].key == k; i-- {
			tp += r.pos[i].w
		}
		for ; j >= 0 && r.neg[j].key == k; j-- {
			fp += r.neg[j].w
		}
		fn(keyScore(k), tp, fp)
	}
}

// sortPairs sorts x by ascending key, using buf (at least len(x) long) as
// scratch space. It is an LSD radix sort over the 8 bytes of the key that
// skips bytes all keys share; short inputs use a comparison sort.
func sortPairs(x, buf []pair) {
	if len(x) < 256 {
		slices.SortFunc(x, func(a, b pair) int { return cmp.Compare(a.key, b.key) })
		return
	}
	var count [8][256]int
	for _, e := range x {
		k := e.key
		for d := range 8 {
			count[d][byte(k>>(8*d))]++
		}
	}
	src, dst := x, buf[:len(x)]
	for d := range 8 {
		c := &count[d]
		shift := uint(8 * d)
		if c[byte(src[0].key>>shift)] == len(src) {
			continue
		}
		sum := 0
		for b, n := range c {
			c[b] = sum
			sum += n
		}
		for _, e := range src {
			b := byte(e.key >> shift)
			dst[c[b]] = e
			c[b]++
		}
		src, dst = dst, src
	}
	if &src[0] != &x[0] {
		copy(x, src)
	}
}

// ROCAUC returns the area under the ROC curve of scores for the binary
// labels, with optional sample weights (nil means unit weights).
//
// It is the probability that a random positive scores higher than a random
// negative, ties counting one half (weights multiply); equivalently the
// trapezoidal area under the points of ROC, where tied scores form one
// diagonal step. This matches scikit-learn's roc_auc_score. It returns an
// error wrapping ErrOneClass when only one class is present, since the AUC
// is then undefined. It sorts with a radix sort: O(n) time and 16 to 32
// bytes of scratch memory per sample.
func ROCAUC(labels, scores, weights []float64) (float64, error) {
	r, err := newRanking("ROCAUC", labels, scores, weights)
	if err != nil {
		return 0, fmt.Errorf("roc auc: %w", err)
	}
	return r.auc(), nil
}

func (r *ranking) auc() float64 {
	var area, tpPrev, fpPrev float64
	r.each(func(_, tp, fp float64) {
		area += (fp - fpPrev) * (tp + tpPrev)
		tpPrev, fpPrev = tp, fp
	})
	return area / (2 * r.p * r.n)
}

// Gini returns the Gini coefficient (accuracy ratio) 2·AUC − 1 of scores,
// with the same inputs and errors as ROCAUC.
func Gini(labels, scores, weights []float64) (float64, error) {
	r, err := newRanking("Gini", labels, scores, weights)
	if err != nil {
		return 0, fmt.Errorf("gini: %w", err)
	}
	return 2*r.auc() - 1, nil
}

// ROCPoint is one operating point of the rule "predict 1 when score >=
// Threshold".
type ROCPoint struct {
	Threshold float64 `json:"threshold"`
	// FPR is the false-positive rate: the weight share of negatives at or
	// above Threshold.
	FPR float64 `json:"fpr"`
	// TPR is the true-positive rate (recall): the weight share of positives
	// at or above Threshold.
	TPR float64 `json:"tpr"`
}

// ROC returns the ROC curve of scores: the point (0, 0) with Threshold +Inf,
// then one point per distinct score from the highest to the lowest, ending
// at (1, 1). It matches scikit-learn's roc_curve with
// drop_intermediate=False, except that scikit-learn 1.2 gives the first
// point the threshold max(score)+1 where ROC gives +Inf. It returns an
// error wrapping ErrOneClass when only one class is present.
func ROC(labels, scores, weights []float64) ([]ROCPoint, error) {
	r, err := newRanking("ROC", labels, scores, weights)
	if err != nil {
		return nil, fmt.Errorf("roc: %w", err)
	}
	pts := []ROCPoint{{Threshold: math.Inf(1)}}
	r.each(func(t, tp, fp float64) {
		pts = append(pts, ROCPoint{Threshold: t, FPR: fp / r.n, TPR: tp / r.p})
	})
	return pts, nil
}

// KS returns the Kolmogorov-Smirnov statistic of scores: the largest gap
// |TPR − FPR| over all thresholds, which is the largest distance between
// the score distributions of the positives and the negatives (scipy's
// ks_2samp statistic when weights are nil). It returns an error wrapping
// ErrOneClass when only one class is present.
func KS(labels, scores, weights []float64) (float64, error) {
	r, err := newRanking("KS", labels, scores, weights)
	if err != nil {
		return 0, fmt.Errorf("ks: %w", err)
	}
	var ks float64
	r.each(func(_, tp, fp float64) {
		ks = max(ks, math.Abs(tp/r.p-fp/r.n))
	})
	return ks, nil
}

// PRPoint is one operating point of the rule "predict 1 when score >=
// Threshold" on the precision-recall curve.
type PRPoint struct {
	Threshold float64 `json:"threshold"`
	// Precision is the weight share of positives among samples at or above
	// Threshold, 0 when no sample weighs anything there (scikit-learn's
	// convention).
	Precision float64 `json:"precision"`
	// Recall is the weight share of positives at or above Threshold.
	Recall float64 `json:"recall"`
}

// PR returns the precision-recall curve of scores: the point (recall 0,
// precision 1) with Threshold +Inf, then one point per distinct score from
// the highest to the lowest. These are the points of scikit-learn's
// precision_recall_curve in reverse order (it lists thresholds from low to
// high and ends with the (0, 1) point). It returns an error wrapping
// ErrOneClass when only one class is present.
func PR(labels, scores, weights []float64) ([]PRPoint, error) {
	r, err := newRanking("PR", labels, scores, weights)
	if err != nil {
		return nil, fmt.Errorf("precision-recall: %w", err)
	}
	pts := []PRPoint{{Threshold: math.Inf(1), Precision: 1}}
	r.each(func(t, tp, fp float64) {
		pts = append(pts, PRPoint{Threshold: t, Precision: precision(tp, fp), Recall: tp / r.p})
	})
	return pts, nil
}

// precision returns tp/(tp+fp), or 0 when both are zero.
func precision(tp, fp float64) float64 {
	if tp+fp == 0 {
		return 0
	}
	return tp / (tp + fp)
}

// AveragePrecision returns the average precision of scores, the area under
// the precision-recall curve as a step function:
//
//	AP = Σₖ (Rₖ − Rₖ₋₁) · Pₖ
//
// over distinct thresholds from the highest to the lowest, with R₀ = 0. It
// is the PR-AUC the report quotes; unlike a trapezoidal area it does not
// interpolate optimistically between points. It matches scikit-learn's
// average_precision_score and returns an error wrapping ErrOneClass when
// only one class is present.
func AveragePrecision(labels, scores, weights []float64) (float64, error) {
	r, err := newRanking("AveragePrecision", labels, scores, weights)
	if err != nil {
		return 0, fmt.Errorf("average precision: %w", err)
	}
	var ap, recallPrev float64
	r.each(func(_, tp, fp float64) {
		recall := tp / r.p
		ap += (recall - recallPrev) * precision(tp, fp)
		recallPrev = recall
	})
	return ap, nil
}
