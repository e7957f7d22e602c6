package metrics

import (
	"fmt"
	"math"
)

// PSIEpsilon is the smallest bin share PSI uses: a bin whose share of its
// distribution is below PSIEpsilon (an empty bin in particular) counts as
// PSIEpsilon, so the logarithm stays finite. Shares are not renormalised
// after this floor.
const PSIEpsilon = 1e-4

// PSI returns the population stability index between two binned
// distributions over the same bins, expected (the reference, for example
// the training data) and actual (the population now):
//
//	PSI = Σ_b (a_b − e_b) · ln(a_b / e_b)
//
// where e_b and a_b are the shares of bin b in each distribution. The inputs
// may be counts or shares; each is divided by its own sum first, then
// floored at PSIEpsilon. A common reading is < 0.1 stable, 0.1–0.25 a
// moderate shift, > 0.25 a major shift. Slices of different lengths panic;
// a negative or non-finite bin, or a distribution with zero total, is an
// error wrapping ErrDistribution.
func PSI(expected, actual []float64) (float64, error) {
	if len(expected) != len(actual) {
		panic(fmt.Sprintf("metrics: PSI: %d expected bins, %d actual bins", len(expected), len(actual)))
	}
	te, err := binTotal(expected)
	if err != nil {
		return 0, fmt.Errorf("psi: expected: %w", err)
	}
	ta, err := binTotal(actual)
	if err != nil {
		return 0, fmt.Errorf("psi: actual: %w", err)
	}
	var psi float64
	for b := range expected {
		e := max(expected[b]/te, PSIEpsilon)
		a := max(actual[b]/ta, PSIEpsilon)
		psi += (a - e) * math.Log(a/e)
	}
	return psi, nil
}

func binTotal(bins []float64) (float64, error) {
	var total float64
	for b, v := range bins {
		if !(v >= 0) || math.IsInf(v, 1) {
			return 0, fmt.Errorf("bin %d: value %v: %w", b, v, ErrDistribution)
		}
		total += v
	}
	if total == 0 || math.IsInf(total, 1) {
		return 0, fmt.Errorf("total %v: %w", total, ErrDistribution)
	}
	return total, nil
}
