package tune

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// uniform draws from the uniform distribution on [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

// logUniform draws from the log-uniform distribution on [lo, hi): its
// logarithm is uniform, so every decade is equally likely.
func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(uniform(r, math.Log(lo), math.Log(hi)))
}

// intUniform draws an integer from lo to hi inclusive, all equally likely.
func intUniform(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// intLogUniform draws an integer from lo to hi inclusive (lo ≥ 1) whose
// logarithm is about uniform: a log-uniform draw on [lo, hi+1), floored.
func intLogUniform(r *rand.Rand, lo, hi int) int {
	return min(hi, int(logUniform(r, float64(lo), float64(hi+1))))
}

// round3 rounds v to three significant digits, so that sampled parameters
// read well in reports; the rounded value is the one fitted.
func round3(v float64) float64 {
	f, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 3, 64), 64)
	return f
}
