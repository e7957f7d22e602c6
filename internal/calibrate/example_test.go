package calibrate_test

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/calibrate"
)

func ExampleFitIsotonic() {
	// Held-out model scores and outcomes.
	scores := []float64{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}
	labels := []float64{0, 0, 1, 0, 0, 1, 1, 1}
	c, err := calibrate.FitIsotonic(scores, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.Thresholds, c.Values)
	for _, s := range []float64{0, 0.35, 0.9} {
		fmt.Printf("%.2f -> %.3f\n", s, c.Apply(s))
	}
	// Output:
	// [0.1 0.2 0.3 0.5 0.6 0.8] [0 0 0.3333333333333333 0.3333333333333333 1 1]
	// 0.00 -> 0.000
	// 0.35 -> 0.333
	// 0.90 -> 1.000
}

func ExampleFitPlatt() {
	margins := []float64{-3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 2, 3}
	labels := []float64{0, 0, 0, 1, 0, 0, 1, 0, 1, 1}
	c, err := calibrate.FitPlatt(margins, labels, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("slope %.3f, intercept %.3f, p(0) = %.3f\n", c.Slope, c.Intercept, c.Apply(0))
	// Output:
	// slope 0.560, intercept -0.355, p(0) = 0.412
}
