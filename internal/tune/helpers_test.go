package tune

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// xorData returns rows of four features uniform on [-1, 1), about 2% of
// them missing (NaN), and labels whose log-odds is 3·sign(x0·x1): an
// interaction that a model of depth-1 trees cannot represent.
func xorData(seed uint64, rows int) (*matrix.Dense, []float64) {
	r := rand.New(rand.NewPCG(seed, 1))
	X := matrix.New(rows, 4)
	y := make([]float64, rows)
	for i := range rows {
		row := X.Row(i)
		for j := range row {
			row[j] = 2*r.Float64() - 1
		}
		z := 3.0
		if row[0]*row[1] < 0 {
			z = -3
		}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
		if r.Float64() < 0.02 {
			row[2+r.IntN(2)] = math.NaN()
		}
	}
	return X, y
}

// fakeConfig is the configuration of fakeLearner: Skill is how strongly
// its scores follow the labels.
type fakeConfig struct {
	Skill float64
}

// fakeLearner returns a learner that fits nothing: it scores a validation
// row as Skill·label plus a fixed noise taken from the row's first
// feature, so that its AUC grows with Skill. Each fit sleeps for sleep
// and then calls onFit, if not nil, with the context.
func fakeLearner(base float64, sleep time.Duration, onFit func(context.Context)) Space[fakeConfig] {
	return Space[fakeConfig]{
		Name: "fake",
		Base: fakeConfig{Skill: base},
		Sample: func(r *rand.Rand, c fakeConfig, _ int) fakeConfig {
			c.Skill = round3(uniform(r, 0, 2))
			return c
		},
		Params: func(c fakeConfig) map[string]any { return map[string]any{"skill": c.Skill} },
		Fit: func(ctx context.Context, c fakeConfig, _ float64, _ int, _, valid *Part, dst []float64) (int, error) {
			if sleep > 0 {
				time.Sleep(sleep)
			}
			if onFit != nil {
				onFit(ctx)
			}
			for i := range dst {
				dst[i] = c.Skill*valid.Y[i] + valid.X.At(i, 0)
			}
			return 0, nil
		},
	}
}

// noiseData returns rows whose one feature is standard normal noise and
// balanced random labels, for fakeLearner.
func noiseData(seed uint64, rows int) (*matrix.Dense, []float64) {
	r := rand.New(rand.NewPCG(seed, 2))
	X := matrix.New(rows, 1)
	y := make([]float64, rows)
	for i := range rows {
		X.Data[i] = r.NormFloat64()
		y[i] = float64(r.IntN(2))
	}
	return X, y
}

// trialsOn returns the trials of res on rung r.
func trialsOn[C any](res *Result[C], r int) []Trial {
	var out []Trial
	for _, t := range res.Trials {
		if t.Rung == r {
			out = append(out, t)
		}
	}
	return out
}

// checkInvariants checks what every result must satisfy: the default is
// the first trial and runs on every rung reached, the best is on the
// deciding rung and not worse than the default there, and the trials
// match the plan.
func checkInvariants[C any](tb testing.TB, res *Result[C]) {
	tb.Helper()
	if len(res.Trials) == 0 {
		tb.Fatal("got no trials; want at least the default")
	}
	if t := res.Trials[0]; t.ID != 0 || !t.Default || t.Rung != 0 {
		tb.Errorf("first trial = id %d default %v rung %d; want the default on rung 0", t.ID, t.Default, t.Rung)
	}
	if res.BestAUC < res.DefaultAUC {
		tb.Errorf("best AUC %v < default AUC %v", res.BestAUC, res.DefaultAUC)
	}
	if res.Best == nil {
		tb.Fatal("best config is nil")
	}
	ids := map[int]bool{}
	var bestFound, defaultFound bool
	for r := range res.Rungs {
		on := trialsOn(res, r)
		if len(on) == 0 {
			continue
		}
		if !on[0].Default {
			tb.Errorf("rung %d: first trial is id %d; want the default first", r, on[0].ID)
		}
		if limit := res.Rungs[r].Configs + 1; len(on) > limit {
			tb.Errorf("rung %d: got %d trials; want at most %d", r, len(on), limit)
		}
		for _, t := range on {
			if len(t.AUC) != len(res.Rungs[r].Folds) {
				tb.Errorf("rung %d, id %d: %d fold AUCs; want %d", r, t.ID, len(t.AUC), len(res.Rungs[r].Folds))
			}
			if r > 0 && !ids[t.ID] {
				tb.Errorf("rung %d: id %d was not on rung %d", r, t.ID, r-1)
			}
			if r == res.Rung {
				if t.ID == res.BestID {
					bestFound = true
					if t.MeanAUC != res.BestAUC {
						tb.Errorf("best trial AUC %v; result says %v", t.MeanAUC, res.BestAUC)
					}
				}
				if t.Default {
					defaultFound = true
					if t.MeanAUC != res.DefaultAUC {
						tb.Errorf("default trial AUC %v; result says %v", t.MeanAUC, res.DefaultAUC)
					}
				}
				if t.MeanAUC > res.BestAUC {
					tb.Errorf("id %d has AUC %v above the best %v on the deciding rung", t.ID, t.MeanAUC, res.BestAUC)
				}
			}
		}
		ids = map[int]bool{}
		for _, t := range on {
			ids[t.ID] = true
		}
	}
	if !bestFound || !defaultFound {
		tb.Errorf("deciding rung %d: best found %v, default found %v; want both", res.Rung, bestFound, defaultFound)
	}
	if res.Configs > res.Budget.Trials {
		tb.Errorf("%d configurations for a budget of %d trials", res.Configs, res.Budget.Trials)
	}
	distinct := map[int]bool{}
	for _, t := range res.Trials {
		distinct[t.ID] = true
	}
	if len(distinct) > res.Budget.Trials {
		tb.Errorf("%d distinct configurations tried for a budget of %d", len(distinct), res.Budget.Trials)
	}
}
