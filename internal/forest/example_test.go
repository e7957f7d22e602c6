package forest_test

import (
	"context"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

func ExampleFit() {
	// Debt-to-income ratio (missing for some applicants) and number of
	// recent credit enquiries; defaults rise with both.
	var rows [][]float64
	var y []float64
	for i := range 400 {
		dti, inq := float64(i%40), float64(i%7)
		if i%13 == 0 {
			dti = math.NaN()
		}
		rows = append(rows, []float64{dti, inq})
		bad := 0.0
		if (dti > 30 && inq > 2) || i%17 == 0 {
			bad = 1
		}
		y = append(y, bad)
	}
	cfg := forest.DefaultConfig()
	cfg.Trees = 50
	cfg.MinSamplesLeaf = 10
	cfg.Seed = 1
	model, err := forest.Fit(context.Background(), matrix.FromRows(rows), y, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, applicant := range [][]float64{{35, 5}, {10, 1}, {math.NaN(), 6}} {
		fmt.Printf("dti %v, enquiries %v: default probability %.2f\n",
			applicant[0], applicant[1], model.Prob(model.Margin(applicant)))
	}
	// Balanced class weights make both classes weigh the same, so these
	// scores rank applicants but overstate the rare class; calibrate them
	// before reading them as default rates.

	// Output:
	// dti 35, enquiries 5: default probability 0.96
	// dti 10, enquiries 1: default probability 0.23
	// dti NaN, enquiries 6: default probability 0.12
}
