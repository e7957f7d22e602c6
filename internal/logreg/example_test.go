package logreg_test

import (
	"context"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

func ExampleFit() {
	// Debt-to-income ratio and months since the last delinquency (NaN:
	// never delinquent), and whether the loan defaulted.
	nan := math.NaN()
	X := matrix.FromRows([][]float64{
		{10, nan}, {12, 40}, {15, nan}, {18, 30}, {22, nan},
		{25, 6}, {28, 12}, {30, nan}, {35, 3}, {38, 9},
	})
	y := []float64{0, 0, 0, 0, 1, 0, 1, 0, 1, 1}
	m, err := logreg.Fit(context.Background(), X, y, logreg.Config{})
	if err != nil {
		fmt.Println(err)
		return
	}
	applicant := []float64{32, nan}
	contribs, base := m.Contributions(applicant)
	fmt.Printf("PD %.3f\n", m.PredictProba(applicant))
	fmt.Printf("base %.3f, dti %+.3f, delinquency %+.3f\n", base, contribs[0], contribs[1])
	fmt.Printf("indicator for column 1: %v\n", m.Features[1].Missing != nil)
	// Output:
	// PD 0.519
	// base -0.550, dti +0.812, delinquency -0.184
	// indicator for column 1: true
}
