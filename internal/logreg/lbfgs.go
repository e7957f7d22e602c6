package logreg

import (
	"context"
	"errors"
	"math"

	"gonum.org/v1/gonum/floats"
)

// lbfgsMemory is the number of correction pairs L-BFGS keeps.
const lbfgsMemory = 10

// errNoProgress reports that the line search found no step that lowers the
// objective, which happens when the gradient is at the limit of floating-
// point precision but still above the tolerance.
var errNoProgress = errors.New("line search made no progress")

// minimiseResult is the outcome of minimise.
type minimiseResult struct {
	iterations int
	gradNorm   float64 // largest absolute gradient component at x
	converged  bool    // gradNorm <= tol
}

// minimise runs L-BFGS on the smooth function fg, which returns the value
// at x and writes the gradient into grad. It starts from x, which it
// updates in place, and stops when every gradient component is at most tol
// in absolute value, after maxIter iterations, when ctx is done (returning
// ctx's error) or when the line search stalls (errNoProgress).
//
// Directions come from the two-loop recursion (Nocedal & Wright, Numerical
// Optimization, algorithm 7.4) with the initial Hessian scaled by
// sᵀy/yᵀy. Steps are found by backtracking from the unit step until the
// Armijo condition f(x+td) ≤ f(x) + 10⁻⁴·t·gᵀd holds. Near the optimum the
// decrease can fall below the rounding error of f; a step that changes f
// by less than 10⁻¹⁰·|f| is then judged by its directional derivative
// instead (the approximate Wolfe conditions of Hager & Zhang, 2005):
// 0.9·gᵀd ≤ g(x+td)ᵀd ≤ (2·10⁻⁴ − 1)·gᵀd. A correction pair is stored only
// when sᵀy > 0, which keeps the implied Hessian positive definite.
func minimise(ctx context.Context, fg func(x, grad []float64) float64, x []float64, maxIter int, tol float64) (minimiseResult, error) {
	const (
		armijo       = 1e-4
		wolfe        = 0.9
		flat         = 1e-10 // relative change of f below its rounding error
		maxBacktrack = 60
	)
	n := len(x)
	g := make([]float64, n)
	f := fg(x, g)
	var res minimiseResult
	res.gradNorm = floats.Norm(g, math.Inf(1))
	if res.gradNorm <= tol {
		res.converged = true
		return res, nil
	}

	var (
		s, y   [lbfgsMemory][]float64
		rho    [lbfgsMemory]float64
		alpha  [lbfgsMemory]float64
		stored int // number of valid pairs
		newest = -1
		d      = make([]float64, n)
		xNew   = make([]float64, n)
		gNew   = make([]float64, n)
	)
	for k := range lbfgsMemory {
		s[k] = make([]float64, n)
		y[k] = make([]float64, n)
	}
	for res.iterations < maxIter {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		// d = −H·g by the two-loop recursion over the stored pairs, newest
		// first, then oldest first.
		copy(d, g)
		for i := range stored {
			k := (newest - i + lbfgsMemory) % lbfgsMemory
			alpha[k] = rho[k] * floats.Dot(s[k], d)
			floats.AddScaled(d, -alpha[k], y[k])
		}
		if stored > 0 {
			floats.Scale(floats.Dot(s[newest], y[newest])/floats.Dot(y[newest], y[newest]), d)
		}
		for i := stored - 1; i >= 0; i-- {
			k := (newest - i + lbfgsMemory) % lbfgsMemory
			beta := rho[k] * floats.Dot(y[k], d)
			floats.AddScaled(d, alpha[k]-beta, s[k])
		}
		floats.Scale(-1, d)
		slope := floats.Dot(g, d)
		if !(slope < 0) {
			// Not a descent direction: forget the history and go downhill.
			stored = 0
			floats.ScaleTo(d, -1, g)
			slope = floats.Dot(g, d)
		}

		// Backtracking line search. Without curvature pairs the direction
		// is the raw negative gradient, whose natural length is unknown, so
		// the first trial step then has unit length.
		step := 1.0
		if stored == 0 {
			step = min(1, 1/floats.Norm(d, 2))
		}
		var fNew float64
		accepted := false
		for range maxBacktrack {
			floats.AddScaledTo(xNew, x, step, d)
			fNew = fg(xNew, gNew)
			if fNew <= f+armijo*step*slope {
				accepted = true
				break
			}
			if fNew <= f+flat*math.Abs(f) {
				if dd := floats.Dot(gNew, d); dd >= wolfe*slope && dd <= (2*armijo-1)*slope {
					accepted = true
					break
				}
			}
			step /= 2
		}
		if !accepted {
			if stored > 0 {
				// Retry once from the steepest-descent direction.
				stored = 0
				continue
			}
			return res, errNoProgress
		}
		res.iterations++

		next := (newest + 1) % lbfgsMemory
		floats.SubTo(s[next], xNew, x)
		floats.SubTo(y[next], gNew, g)
		if sy := floats.Dot(s[next], y[next]); sy > 0 {
			rho[next] = 1 / sy
			newest = next
			stored = min(stored+1, lbfgsMemory)
		}
		copy(x, xNew)
		copy(g, gNew)
		f = fNew
		res.gradNorm = floats.Norm(g, math.Inf(1))
		if res.gradNorm <= tol {
			res.converged = true
			return res, nil
		}
	}
	return res, nil
}
