package fit_test

import (
	"context"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/classing"
	"github.com/credit-risk/credit-risk/internal/classing/fit"
)

func ExampleFit() {
	// Months since the last delinquency, 98 meaning "never delinquent",
	// NaN unknown; label 1 is a default. The bad rate falls as the
	// delinquency lies further back; 6 and 12 months have the same bad
	// rate and share a bin.
	var months, y []float64
	add := func(x float64, rows, bads int) {
		for i := range rows {
			months = append(months, x)
			y = append(y, float64(min(1, max(0, bads-i))))
		}
	}
	add(1, 20, 7)
	add(6, 20, 6)
	add(12, 20, 6)
	add(24, 20, 4)
	add(48, 20, 3)
	add(98, 60, 6)
	add(math.NaN(), 20, 6)
	bs, err := fit.Fit(context.Background(), []fit.Characteristic{{
		Name:      "mths_since_delinq",
		Kind:      classing.Numeric,
		Values:    months,
		Specials:  []float64{98},
		Direction: classing.Decreasing,
	}}, y, fit.Config{MinShare: 0.1})
	if err != nil {
		fmt.Println(err)
		return
	}
	b := bs[0]
	for i, bin := range b.Bins {
		fmt.Printf("%-12s %3d rows  bad rate %.2f  WoE %+.3f\n", b.Label(i), bin.Count(), bin.BadRate(), bin.WoE)
	}
	fmt.Printf("IV %.3f (%v)\n", b.IV, b.Strength())
	// Output:
	// [-inf, 4)     20 rows  bad rate 0.35  WoE -0.699
	// [4, 20)       40 rows  bad rate 0.30  WoE -0.471
	// [20, 40)      20 rows  bad rate 0.20  WoE +0.068
	// [40, +inf)    20 rows  bad rate 0.15  WoE +0.416
	// missing       20 rows  bad rate 0.30  WoE -0.471
	// special 98    60 rows  bad rate 0.10  WoE +0.879
	// IV 0.362 (strong)
}
