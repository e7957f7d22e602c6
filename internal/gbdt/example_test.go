package gbdt_test

import (
	"context"
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

func ExampleFit() {
	// Defaults rise with debt-to-income; a missing income is a bad sign.
	var rows [][]float64
	var y []float64
	for i := range 400 {
		dti := float64(i % 40)
		income := 30000 + float64(i%7)*10000
		if i%10 == 0 {
			income = math.NaN()
		}
		rows = append(rows, []float64{dti, income})
		label := 0.0
		if dti >= 30 || (math.IsNaN(income) && i%20 == 0) {
			label = 1
		}
		y = append(y, label)
	}
	cfg := gbdt.DefaultConfig()
	cfg.Rounds = 50
	cfg.Monotone = []int8{+1, 0} // the PD never falls as DTI grows
	m, err := gbdt.Fit(context.Background(), matrix.FromRows(rows), y, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	p := make([]float64, 2)
	m.PredictProbaInto(p, matrix.FromRows([][]float64{{5, 50000}, {35, 50000}}))
	fmt.Printf("trees: %d\n", len(m.Ensemble.Trees))
	fmt.Printf("PD at DTI 5: %.2f, at DTI 35: %.2f\n", p[0], p[1])
	// Output:
	// trees: 50
	// PD at DTI 5: 0.00, at DTI 35: 0.99
}
