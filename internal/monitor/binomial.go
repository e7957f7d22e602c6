package monitor

import (
	"fmt"
	"math"
)

// likelihoodTolerance is the relative margin within which an outcome counts
// as exactly as likely as the observed one in BinomialTest, as in R's
// binom.test: without it, rounding would decide whether the mirror
// outcome of a symmetric test is counted.
const likelihoodTolerance = 1e-7

// BinomialTest returns the exact two-sided p-value of k successes in n
// independent trials of success probability p: the total probability,
// under Binomial(n, p), of every outcome no more likely than k (the
// "minimum likelihood" rule of R's binom.test and SciPy's binomtest).
// Probabilities are computed from log-gamma functions, so n may be in the
// millions; the cost is O(n).
//
// Applied to a score band, k is the band's defaults, n its loans and p its
// mean PD: the loans' own PDs differ, so the exact law of the defaults is
// Poisson-binomial, whose variance is at most that of Binomial(n, mean PD);
// the test is therefore conservative for bands of spread-out PDs.
//
// n == 0 gives 1. k outside [0, n] or p outside [0, 1] panics.
func BinomialTest(k, n int, p float64) float64 {
	if k < 0 || k > n || !(p >= 0 && p <= 1) {
		panic(fmt.Sprintf("monitor: BinomialTest(%d, %d, %v): want 0 <= k <= n and p in [0, 1]", k, n, p))
	}
	switch {
	case n == 0:
		return 1
	case p == 0:
		if k == 0 {
			return 1
		}
		return 0
	case p == 1:
		if k == n {
			return 1
		}
		return 0
	}
	lgN, _ := math.Lgamma(float64(n + 1))
	lp, lq := math.Log(p), math.Log1p(-p)
	logPMF := func(i int) float64 {
		a, _ := math.Lgamma(float64(i + 1))
		b, _ := math.Lgamma(float64(n - i + 1))
		return lgN - a - b + float64(i)*lp + float64(n-i)*lq
	}
	limit := logPMF(k) + math.Log1p(likelihoodTolerance)
	var sum float64
	for i := 0; i <= n; i++ {
		if l := logPMF(i); l <= limit {
			sum += math.Exp(l)
		}
	}
	return min(sum, 1)
}
