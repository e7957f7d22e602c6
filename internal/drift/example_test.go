package drift_test

import (
	"fmt"

	"github.com/credit-risk/credit-risk/internal/drift"
	"github.com/credit-risk/credit-risk/internal/model"
)

// A monitor compares the last applications with the training reference:
// here no applicant has an income below 30 any more, and every score is
// in the lower bin. Checked by hand: for income, (0.0001−0.3)·ln(0.0001/0.3)
// + (0.34−0.4)·ln(0.34/0.4) + (0.66−0.3)·ln(0.66/0.3) = 2.69.
func ExampleMonitor() {
	ref := &model.Reference{
		Features: []model.Bins{{Name: "income", Edges: []float64{30, 60}, Shares: []float64{0.3, 0.4, 0.3, 0}}},
		Score:    model.Bins{Name: "score", Edges: []float64{0.5}, Shares: []float64{0.8, 0.2, 0}},
	}
	m, err := drift.New(ref, 100)
	if err != nil {
		panic(err)
	}
	for i := range 100 {
		income := []float64{45, 75, 75}[i%3] // never below 30 any more
		m.Observe([]float64{income}, 0.2)
	}
	snap := m.Snapshot()
	fmt.Printf("%d applications\n", snap.Applications)
	for _, f := range snap.Features {
		fmt.Printf("%s: PSI %.2f (%s)\n", f.Name, f.PSI, drift.Level(f.PSI))
	}
	fmt.Printf("score: PSI %.2f (%s)\n", snap.Score, drift.Level(snap.Score))
	// Output:
	// 100 applications
	// income: PSI 2.69 (major)
	// score: PSI 1.56 (major)
}
