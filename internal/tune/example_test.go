package tune_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// The default here boosts stumps, which cannot model the interaction
// x0·x1 behind the labels; the search finds deeper trees.
func ExampleGBDT() {
	r := rand.New(rand.NewPCG(1, 2))
	X := matrix.New(2000, 3)
	y := make([]float64, X.Rows)
	for i := range X.Rows {
		row := X.Row(i)
		for j := range row {
			row[j] = 2*r.Float64() - 1
		}
		if r.Float64() < 1/(1+math.Exp(-4*row[0]*row[1])) {
			y[i] = 1
		}
	}
	base := gbdt.DefaultConfig()
	base.MaxDepth, base.Rounds = 1, 50
	res, err := tune.GBDT(context.Background(), X, y, &base, tune.Options{
		Budget: tune.Budget{Trials: 9, Seconds: 600},
		Seed:   1,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d trials on %d rungs\n", res.Learner, len(res.Trials), len(res.Rungs))
	fmt.Println("deeper than the default:", res.Best.MaxDepth > 1)
	fmt.Println("better CV AUC than the default:", res.BestAUC > res.DefaultAUC)
	// Output:
	// gbdt: 15 trials on 3 rungs
	// deeper than the default: true
	// better CV AUC than the default: true
}
