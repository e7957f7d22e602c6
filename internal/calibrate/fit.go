package calibrate

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// sample is one held-out observation.
type sample struct {
	s, y, w float64
}

// collect validates the inputs of a fit and returns the samples with
// positive weight and the total weight of each class. Slices of different
// lengths are a programmer error and panic.
func collect(fn string, scores, labels, weights []float64) ([]sample, float64, float64, error) {
	if len(labels) != len(scores) || (weights != nil && len(weights) != len(scores)) {
		panic(fmt.Sprintf("calibrate: %s: %d scores, %d labels, %d weights", fn, len(scores), len(labels), len(weights)))
	}
	out := make([]sample, 0, len(scores))
	var neg, pos float64
	for i, s := range scores {
		y := labels[i]
		if y != 0 && y != 1 {
			return nil, 0, 0, fmt.Errorf("index %d: label %v: %w", i, y, ErrLabel)
		}
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return nil, 0, 0, fmt.Errorf("index %d: score %v: %w", i, s, ErrScore)
		}
		w := 1.0
		if weights != nil {
			w = weights[i]
			if !(w >= 0) || math.IsInf(w, 1) {
				return nil, 0, 0, fmt.Errorf("index %d: weight %v: %w", i, w, ErrWeight)
			}
			if w == 0 {
				continue
			}
		}
		out = append(out, sample{s, y, w})
		if y == 1 {
			pos += w
		} else {
			neg += w
		}
	}
	switch {
	case len(out) == 0:
		return nil, 0, 0, ErrEmpty
	case pos == 0 || neg == 0:
		return nil, 0, 0, ErrOneClass
	}
	return out, neg, pos, nil
}

// FitPlatt fits Platt scaling of scores to the binary labels (0 or 1), with
// optional sample weights (nil means unit weights; zero-weight samples are
// ignored). Scores are any finite real numbers, typically margins.
//
// As in Platt (1999) and scikit-learn's _sigmoid_calibration, the targets
// are smoothed to (N₊+1)/(N₊+2) for label 1 and 1/(N₋+2) for label 0, where
// N₊ and N₋ are the class weights, and Slope and Intercept minimise the
// weighted cross-entropy against them. The minimum is found by Newton's
// method with backtracking (Lin, Lin & Weng, 2007) to a gradient of 1e-12
// relative to the total weight, tighter than scikit-learn's BFGS, which
// stops at a gradient of 1e-5.
//
// When all scores are equal the slope is 0 and the intercept the smoothed
// log-odds. Errors wrap ErrEmpty, ErrOneClass, ErrLabel, ErrScore,
// ErrWeight, or ErrDecreasing when the fitted slope is negative. Slices of
// different lengths panic.
func FitPlatt(scores, labels, weights []float64) (*Calibrator, error) {
	data, neg, pos, err := collect("FitPlatt", scores, labels, weights)
	if err != nil {
		return nil, fmt.Errorf("calibrate: platt: %w", err)
	}
	hiT := (pos + 1) / (pos + 2)
	loT := 1 / (neg + 2)
	target := func(y float64) float64 {
		if y == 1 {
			return hiT
		}
		return loT
	}

	lo, hi := data[0].s, data[0].s
	for _, d := range data {
		lo, hi = min(lo, d.s), max(hi, d.s)
	}
	if lo == hi {
		var t float64
		for _, d := range data {
			t += d.w * target(d.y)
		}
		t /= neg + pos
		return &Calibrator{Method: Platt, Intercept: math.Log(t / (1 - t))}, nil
	}

	// loss returns Σ w·(softplus(m) − T·m), m = a·s + b, the weighted
	// cross-entropy against the smoothed targets.
	loss := func(a, b float64) float64 {
		var l float64
		for _, d := range data {
			m := a*d.s + b
			l += d.w * (math.Max(m, 0) + math.Log1p(math.Exp(-math.Abs(m))) - target(d.y)*m)
		}
		return l
	}
	a, b := 0.0, math.Log((pos+1)/(neg+1))
	f := loss(a, b)
	gtol := 1e-12 * (neg + pos)
	const (
		maxIter = 100
		ridge   = 1e-12 // keeps the Hessian invertible on near-constant scores
		flat    = 1e-13 // relative change of the loss below its rounding error
	)
	converged := false
	for range maxIter {
		var ga, gb, haa, hab, hbb float64
		for _, d := range data {
			p := 1 / (1 + math.Exp(-(a*d.s + b)))
			r := d.w * (p - target(d.y))
			ga += r * d.s
			gb += r
			h := d.w * p * (1 - p)
			haa += h * d.s * d.s
			hab += h * d.s
			hbb += h
		}
		if math.Abs(ga) <= gtol && math.Abs(gb) <= gtol {
			converged = true
			break
		}
		haa += ridge * (1 + haa)
		hbb += ridge * (1 + hbb)
		det := haa*hbb - hab*hab
		da := -(hbb*ga - hab*gb) / det
		db := -(haa*gb - hab*ga) / det
		if math.Abs(da) <= 1e-15*(1+math.Abs(a)) && math.Abs(db) <= 1e-15*(1+math.Abs(b)) {
			converged = true // the step is below the precision of a and b
			break
		}
		// Backtrack from the Newton step until the Armijo condition holds,
		// or until the change in loss is within its rounding error, where
		// only the gradient can tell progress and the full Newton step of
		// the quadratic region is the right one.
		slope := ga*da + gb*db
		step := 1.0
		for ; step > 1e-10; step /= 2 {
			fn := loss(a+step*da, b+step*db)
			if fn <= f+1e-4*step*slope || math.Abs(fn-f) <= flat*math.Abs(f) {
				f = fn
				break
			}
		}
		if step <= 1e-10 {
			break // not converged: reported below
		}
		a, b = a+step*da, b+step*db
	}
	if !converged {
		return nil, fmt.Errorf("calibrate: platt: newton's method did not converge")
	}
	if a < 0 {
		return nil, fmt.Errorf("calibrate: platt: slope %v: %w", a, ErrDecreasing)
	}
	return &Calibrator{Method: Platt, Slope: a, Intercept: b}, nil
}

// uniqueEps is the distance below which two scores count as one threshold
// in FitIsotonic; scikit-learn merges duplicates the same way, using
// numpy's float64 resolution.
const uniqueEps = 1e-15

// FitIsotonic fits isotonic-regression calibration of scores to the binary
// labels (0 or 1), with optional sample weights (nil means unit weights;
// zero-weight samples are ignored, as in scikit-learn).
//
// Samples are sorted by score; scores within uniqueEps of the first score
// of a run are merged into one point whose label is their weighted mean.
// Pool-adjacent-violators then gives the weighted least-squares
// non-decreasing fit, and points whose value equals both neighbours'
// values are dropped, leaving the first and last point of every flat
// stretch. This reproduces scikit-learn's IsotonicRegression(
// out_of_bounds="clip") X_thresholds_ and y_thresholds_.
//
// Errors wrap ErrEmpty, ErrOneClass, ErrLabel, ErrScore or ErrWeight.
// Slices of different lengths panic.
func FitIsotonic(scores, labels, weights []float64) (*Calibrator, error) {
	data, _, _, err := collect("FitIsotonic", scores, labels, weights)
	if err != nil {
		return nil, fmt.Errorf("calibrate: isotonic: %w", err)
	}
	slices.SortFunc(data, func(p, q sample) int {
		if c := cmp.Compare(p.s, q.s); c != 0 {
			return c
		}
		return cmp.Compare(p.y, q.y)
	})

	// Merge duplicate scores. blocks[k] is a run of merged points with its
	// weighted label sum and weight; x is the score of its first point.
	type block struct {
		x      float64 // score of the first merged point
		sumWY  float64
		sumW   float64
		mean   float64
		points int // merged points pooled into this block
	}
	points := make([]block, 0, len(data))
	for _, d := range data {
		if n := len(points); n > 0 && d.s-points[n-1].x < uniqueEps {
			points[n-1].sumWY += d.w * d.y
			points[n-1].sumW += d.w
			continue
		}
		points = append(points, block{x: d.s, sumWY: d.w * d.y, sumW: d.w, points: 1})
	}
	for k := range points {
		points[k].mean = points[k].sumWY / points[k].sumW
	}

	// Pool adjacent violators: a stack of blocks with strictly increasing
	// means; a new point merges with the blocks before it while their mean
	// is not below its own.
	stack := make([]block, 0, len(points))
	for _, p := range points {
		stack = append(stack, p)
		for n := len(stack); n > 1 && stack[n-2].mean >= stack[n-1].mean; n = len(stack) {
			top, prev := stack[n-1], &stack[n-2]
			prev.sumWY += top.sumWY
			prev.sumW += top.sumW
			prev.points += top.points
			prev.mean = prev.sumWY / prev.sumW
			stack = stack[:n-1]
		}
	}

	// Expand the blocks over the merged points and keep the first and last
	// point of each block (means differ between blocks).
	c := &Calibrator{Method: Isotonic}
	k := 0
	for _, b := range stack {
		first, last := k, k+b.points-1
		c.Thresholds = append(c.Thresholds, points[first].x)
		c.Values = append(c.Values, b.mean)
		if last > first {
			c.Thresholds = append(c.Thresholds, points[last].x)
			c.Values = append(c.Values, b.mean)
		}
		k += b.points
	}
	return c, nil
}
