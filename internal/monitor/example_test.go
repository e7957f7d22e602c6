package monitor_test

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/monitor"
)

// A score band of 925 loans whose mean PD is 0.25 saw 243 defaults: R's
// binom.test(682, 925, p = 0.75), mirrored.
func ExampleBinomialTest() {
	p := monitor.BinomialTest(243, 925, 0.25)
	fmt.Printf("observed %.3f, predicted 0.250, p = %.3f\n", 243.0/925, p)
	// Output: observed 0.263, predicted 0.250, p = 0.382
}

// The stability of a feature binned at 1 and 2 in development.
func ExampleNewIndex() {
	ref := model.Bins{Name: "x", Edges: []float64{1, 2}, Shares: []float64{0.25, 0.25, 0.5, 0}}
	ix, err := monitor.NewIndex("x", "x", &ref, []int{10, 30, 60, 0})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("CSI %.4f (%s) on %d applications\n", float64(ix.PSI), ix.Band, ix.Rows)
	for _, b := range ix.Bins {
		fmt.Printf("%-8s expected %.2f actual %.2f\n", b.Label, float64(b.Expected), float64(b.Actual))
	}
	// Output:
	// CSI 0.1648 (watch) on 100 applications
	// < 1      expected 0.25 actual 0.10
	// [1, 2)   expected 0.25 actual 0.30
	// >= 2     expected 0.50 actual 0.60
	// missing  expected 0.00 actual 0.00
}
