package binning_test

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

func ExampleNew() {
	// One feature: months since the last delinquency, missing when never.
	X := matrix.FromRows([][]float64{{3}, {12}, {12}, {math.NaN()}, {40}})
	m, err := binning.New(X, binning.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("cut points:", m.Cuts.Points[0])
	fmt.Println("bins:", m.Cols[0])
	// A split sending value bins 1..2 left tests x < 26.
	fmt.Println("threshold of bin 2:", m.Cuts.Threshold(0, 2))
	// Output:
	// cut points: [7.5 26]
	// bins: [1 2 2 0 3]
	// threshold of bin 2: 26
}
