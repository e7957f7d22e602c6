package shap_test

import (
	"fmt"
	"log"
	"math"

	"github.com/credit-risk/credit-risk/internal/shap"
	"github.com/credit-risk/credit-risk/internal/tree"
)

func Example() {
	names := []string{"dti", "late_payments", "income"}
	// Two boosted trees (log-odds): one on late payments, one on the
	// debt-to-income ratio with income below it. Covers are training
	// weights; missing values of late_payments count as late.
	model := &tree.Ensemble{
		NumFeatures: 3,
		Base:        -1.5,
		Scale:       1,
		Output:      tree.LogOdds,
		Trees: []tree.Tree{
			{Nodes: []tree.Node{
				{Feature: 1, Threshold: 1, Left: 1, Right: 2, Cover: 100},
				{Feature: -1, Value: -0.4, Cover: 80},
				{Feature: -1, Value: 0.8, Cover: 20},
			}},
			{Nodes: []tree.Node{
				{Feature: 0, Threshold: 30, Left: 1, Right: 2, Cover: 100, DefaultLeft: true},
				{Feature: -1, Value: -0.2, Cover: 70},
				{Feature: 2, Threshold: 50000, Left: 3, Right: 4, Cover: 30},
				{Feature: -1, Value: 0.9, Cover: 10},
				{Feature: -1, Value: 0.1, Cover: 20},
			}},
		},
	}
	x, err := shap.NewExplainer(model)
	if err != nil {
		log.Fatal(err)
	}
	applicant := []float64{42, math.NaN(), 38000}
	phi := make([]float64, len(names))
	base := x.Explain(phi, applicant)

	// E[tree 1] = -0.16 and E[tree 2] = -0.03. The missing late_payments
	// goes right (0.8), so it takes 0.8-(-0.16) = 0.96; dti and income
	// share tree 2's 0.9-(-0.03) = 0.93.

	fmt.Printf("expected log-odds %.3f\n", base)
	for j, name := range names {
		fmt.Printf("%-13s %+.3f\n", name, phi[j])
	}
	fmt.Printf("margin %.3f = %.3f\n", model.Margin(applicant), base+phi[0]+phi[1]+phi[2])
	for _, r := range shap.ReasonCodes(phi, names, 2) {
		fmt.Printf("reason: %s (%+.3f)\n", r.Feature, r.Contribution)
	}
	// Output:
	// expected log-odds -1.690
	// dti           +0.583
	// late_payments +0.960
	// income        +0.347
	// margin 0.200 = 0.200
	// reason: late_payments (+0.960)
	// reason: dti (+0.583)
}
