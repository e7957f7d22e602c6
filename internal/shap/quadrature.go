package shap

import "math"

// gaussLegendre returns the n nodes and weights of Gauss–Legendre quadrature
// on [0, 1]: Σ_q weights[q]·p(nodes[q]) = ∫_0^1 p(t) dt for every polynomial p
// of degree at most 2n-1. The nodes are the roots of the Legendre polynomial
// P_n, found by Newton's method from the usual cosine estimates; the weights
// are 2/((1-x²)P_n'(x)²) on [-1, 1], halved for [0, 1].
func gaussLegendre(n int) (nodes, weights []float64) {
	nodes, weights = make([]float64, n), make([]float64, n)
	for i := range (n + 1) / 2 {
		x := math.Cos(math.Pi * (float64(i) + 0.75) / (float64(n) + 0.5))
		for range 100 {
			p, d := legendre(n, x)
			dx := p / d
			x -= dx
			if math.Abs(dx) <= 1e-16 {
				break
			}
		}
		_, dp := legendre(n, x)
		w := 1 / ((1 - x*x) * dp * dp) // 2/(…) on [-1, 1], halved
		// x is the i-th largest root; -x is its mirror image.
		nodes[i], nodes[n-1-i] = (1-x)/2, (1+x)/2
		weights[i], weights[n-1-i] = w, w
	}
	return nodes, weights
}

// legendre returns P_n(x) and P_n'(x) by the three-term recurrence
// (k+1)P_{k+1} = (2k+1)x·P_k - k·P_{k-1}.
func legendre(n int, x float64) (p, dp float64) {
	p0, p1 := 1.0, x
	if n == 0 {
		return 1, 0
	}
	for k := 1; k < n; k++ {
		fk := float64(k)
		p0, p1 = p1, ((2*fk+1)*x*p1-fk*p0)/(fk+1)
	}
	return p1, float64(n) * (x*p1 - p0) / (x*x - 1)
}
