package logreg

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestMinimise(t *testing.T) {
	tests := []struct {
		name string
		fg   func(x, grad []float64) float64
		x0   []float64
		want []float64
		tol  float64 // on the solution
	}{
		{
			// f = Σ cᵢ(xᵢ − i)², an ill-conditioned quadratic.
			name: "quadratic",
			fg: func(x, g []float64) float64 {
				var f float64
				for i := range x {
					c := math.Pow(10, float64(i)-2)
					d := x[i] - float64(i)
					f += c * d * d
					g[i] = 2 * c * d
				}
				return f
			},
			x0:   []float64{5, 5, 5, 5, 5},
			want: []float64{0, 1, 2, 3, 4},
			tol:  1e-6,
		},
		{
			name: "rosenbrock",
			fg: func(x, g []float64) float64 {
				a, b := 1-x[0], x[1]-x[0]*x[0]
				g[0] = -2*a - 400*x[0]*b
				g[1] = 200 * b
				return a*a + 100*b*b
			},
			x0:   []float64{-1.2, 1},
			want: []float64{1, 1},
			tol:  1e-6,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := append([]float64(nil), tc.x0...)
			res, err := minimise(t.Context(), tc.fg, x, 1000, 1e-10)
			if err != nil {
				t.Fatalf("minimise: %v", err)
			}
			if !res.converged {
				t.Fatalf("not converged after %d iterations, gradient %g", res.iterations, res.gradNorm)
			}
			for i := range x {
				if math.Abs(x[i]-tc.want[i]) > tc.tol {
					t.Errorf("x[%d] = %.10g; want %v", i, x[i], tc.want[i])
				}
			}
		})
	}
}

func TestMinimiseCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	calls := 0
	rosenbrock := func(x, g []float64) float64 {
		if calls++; calls == 3 {
			cancel()
		}
		a, b := 1-x[0], x[1]-x[0]*x[0]
		g[0] = -2*a - 400*x[0]*b
		g[1] = 200 * b
		return a*a + 100*b*b
	}
	res, err := minimise(ctx, rosenbrock, []float64{-1.2, 1}, 1000, 1e-10)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v; want %v", err, context.Canceled)
	}
	if res.converged {
		t.Errorf("got converged result after cancellation; want not converged")
	}
}
