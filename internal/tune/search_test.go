package tune

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// noDeadline is a time budget no test reaches, so that results depend only
// on the seed.
const noDeadline = 3600

func TestPlan(t *testing.T) {
	X, y := noiseData(1, 900)
	for _, tc := range []struct {
		name        string
		trials      int
		timeOrdered bool
		maxRows     int
		configs     []int
		rows        [][]int
		folds       [][]int
		resource    []float64
	}{
		{"default only", 1, false, 0, []int{1}, [][]int{{600, 600, 600}}, [][]int{{0, 1, 2}}, []float64{1}},
		{"two rungs", 5, false, 0, []int{5, 1}, [][]int{{600}, {600, 600, 600}}, [][]int{{0}, {0, 1, 2}}, []float64{1. / 3, 1}},
		// Rung 0 would fit 675/3 rows, but never fewer than MinRows or
		// the fold's 675.
		{"three rungs, time ordered", 27, true, 0, []int{27, 9, 3},
			[][]int{{675}, {675}, {225, 450, 675}}, [][]int{{2}, {2}, {0, 1, 2}}, []float64{1. / 3, 1. / 3, 1}},
		{"capped at three rungs", 100, false, 0, []int{100, 33, 11},
			[][]int{{600}, {600}, {600, 600, 600}}, [][]int{{0}, {0}, {0, 1, 2}}, []float64{1. / 3, 1. / 3, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := Options{Budget: Budget{Trials: tc.trials}, TimeOrdered: tc.timeOrdered, MaxRows: tc.maxRows}.withDefaults(1)
			if err != nil {
				t.Fatal(err)
			}
			folds, err := makeFolds(y, opts)
			if err != nil {
				t.Fatal(err)
			}
			s := &searcher[fakeConfig]{opts: opts, X: X, y: y, folds: folds}
			s.plan(tc.trials)
			if len(s.rungs) != len(tc.configs) {
				t.Fatalf("got %d rungs; want %d", len(s.rungs), len(tc.configs))
			}
			for r, ri := range s.rungs {
				rows := tc.rows[r]
				if ri.Configs != tc.configs[r] || !reflect.DeepEqual(ri.TrainRows, rows) ||
					!reflect.DeepEqual(ri.Folds, tc.folds[r]) || math.Abs(ri.Resource-tc.resource[r]) > 1e-12 {
					t.Errorf("rung %d = %+v; want configs %d, rows %v, folds %v, resource %v",
						r, ri, tc.configs[r], rows, tc.folds[r], tc.resource[r])
				}
			}
		})
	}
}

func TestPlanSubsamplesLargeFolds(t *testing.T) {
	X, y := noiseData(1, 20000)
	opts, err := Options{Budget: Budget{Trials: 27}, MaxRows: 4000}.withDefaults(1)
	if err != nil {
		t.Fatal(err)
	}
	folds, err := makeFolds(y, opts)
	if err != nil {
		t.Fatal(err)
	}
	s := &searcher[fakeConfig]{opts: opts, X: X, y: y, folds: folds, valid: map[int]*Part{}, train: map[[2]int]*Part{}}
	s.plan(27)
	want := [][]int{{1333}, {4000}, {4000, 4000, 4000}}
	for r, ri := range s.rungs {
		if !reflect.DeepEqual(ri.TrainRows, want[r]) {
			t.Errorf("rung %d training rows %v; want %v", r, ri.TrainRows, want[r])
		}
	}
	small, valid, err := s.data(0, 1333)
	if err != nil {
		t.Fatal(err)
	}
	large, _, err := s.data(0, 4000)
	if err != nil {
		t.Fatal(err)
	}
	if small.X.Rows != 1333 || large.X.Rows != 4000 || valid.X.Rows != 6667 {
		t.Errorf("got %d, %d training and %d validation rows; want 1333, 4000 and 6667 (all)", small.X.Rows, large.X.Rows, valid.X.Rows)
	}
	s.opts.MaxRows = 1000
	s.valid = map[int]*Part{}
	if _, valid, err := s.data(1, 1000); err != nil {
		t.Error(err)
	} else if valid.X.Rows != 2000 {
		t.Errorf("with MaxRows 1000: %d validation rows; want 2000 (twice the cap)", valid.X.Rows)
	}
	// The smaller sample nests in the larger one.
	inLarge := map[float64]bool{}
	for i := range large.X.Rows {
		inLarge[large.X.At(i, 0)] = true
	}
	for i := range small.X.Rows {
		if !inLarge[small.X.At(i, 0)] {
			t.Fatalf("row %d of the small sample is not in the large one", i)
		}
	}
}

func TestSearchFindsBetterConfiguration(t *testing.T) {
	X, y := noiseData(3, 1500)
	res, err := search(t.Context(), X, y, Options{Budget: Budget{Trials: 27, Seconds: noDeadline}}, fakeLearner(0.2, 0, nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if res.Rung != 2 || res.Stopped != "" {
		t.Errorf("decided on rung %d, stopped %q; want rung 2, not stopped", res.Rung, res.Stopped)
	}
	if res.Best.Skill < 1.5 {
		t.Errorf("best skill %v; want at least 1.5 (the space reaches 2)", res.Best.Skill)
	}
	if got := len(trialsOn(res, 0)); got != 27 {
		t.Errorf("got %d trials on rung 0; want 27", got)
	}
	for r, want := range []int{27, 9, 3} {
		got := len(trialsOn(res, r))
		if got != want && got != want+1 {
			t.Errorf("rung %d: %d trials; want %d or %d (with the default)", r, got, want, want+1)
		}
	}
}

func TestSearchKeepsGoodDefault(t *testing.T) {
	X, y := noiseData(3, 1500)
	res, err := search(t.Context(), X, y, Options{Budget: Budget{Trials: 9, Seconds: noDeadline}}, fakeLearner(50, 0, nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if res.BestID != 0 || res.Best.Skill != 50 || res.Gain() != 0 {
		t.Errorf("best id %d, skill %v, gain %v; want the default (id 0, skill 50, gain 0)", res.BestID, res.Best.Skill, res.Gain())
	}
}

func TestSearchTrialsBudget(t *testing.T) {
	X, y := noiseData(4, 600)
	for _, trials := range []int{1, 2, 3, 8, 9, 30} {
		t.Run("", func(t *testing.T) {
			var fits atomic.Int64
			res, err := search(t.Context(), X, y, Options{Budget: Budget{Trials: trials, Seconds: noDeadline}},
				fakeLearner(0.5, 0, func(context.Context) { fits.Add(1) }), 1)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, res)
			if res.Configs != trials || len(trialsOn(res, 0)) != trials {
				t.Errorf("trials %d: %d configurations, %d on rung 0; want %d", trials, res.Configs, len(trialsOn(res, 0)), trials)
			}
			var want int64
			for _, tr := range res.Trials {
				want += int64(len(tr.Folds))
			}
			if fits.Load() != want {
				t.Errorf("trials %d: %d fits; the trials account for %d", trials, fits.Load(), want)
			}
		})
	}
}

func TestSearchSecondsBudget(t *testing.T) {
	X, y := noiseData(5, 600)
	const sleep = 20 * time.Millisecond
	for _, seconds := range []float64{1e-9, 0.3, 0.8} {
		t.Run("", func(t *testing.T) {
			start := time.Now()
			res, err := search(t.Context(), X, y, Options{Budget: Budget{Trials: 27, Seconds: seconds}}, fakeLearner(0.5, sleep, nil), 1)
			if err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start).Seconds()
			checkInvariants(t, res)
			// 27 configurations need at least 27·20 ms on rung 0 alone.
			if seconds < 0.5 && res.Stopped == "" {
				t.Errorf("seconds %v: not stopped after %v s with %d trials; want stopped by the budget", seconds, elapsed, len(res.Trials))
			}
			// At most one trial (three folds on the top rung) overruns, with
			// slack for a loaded machine.
			if limit := seconds + 3*sleep.Seconds() + 0.5; elapsed > limit {
				t.Errorf("seconds %v: took %.2f s; want under %.2f", seconds, elapsed, limit)
			}
			if seconds < 0.01 && len(res.Trials) != 1 {
				t.Errorf("seconds %v: %d trials; want only the default", seconds, len(res.Trials))
			}
		})
	}
}

func TestSearchCutsConfigurationsToFitBudget(t *testing.T) {
	X, y := noiseData(5, 600)
	// A fit takes 20 ms, so the plan of 81 configurations (about 4 s)
	// cannot fit in 1 s: the search should cut them but keep at least 9.
	res, err := search(t.Context(), X, y, Options{Budget: Budget{Trials: 81, Seconds: 1}}, fakeLearner(0.5, 20*time.Millisecond, nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	if res.Configs >= 81 || res.Configs < 9 {
		t.Errorf("started with %d configurations; want fewer than 81, at least 9", res.Configs)
	}
}

func TestSearchCancel(t *testing.T) {
	X, y := noiseData(6, 600)
	t.Run("before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		res, err := search(ctx, X, y, Options{Budget: Budget{Trials: 9, Seconds: noDeadline}}, fakeLearner(0.5, 0, nil), 1)
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("got %v, %v; want nil, context.Canceled", res, err)
		}
	})
	t.Run("during", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		var fits atomic.Int64
		onFit := func(context.Context) {
			if fits.Add(1) == 5 {
				cancel()
			}
		}
		res, err := search(ctx, X, y, Options{Budget: Budget{Trials: 27, Seconds: noDeadline}}, fakeLearner(0.5, 0, onFit), 1)
		if !errors.Is(err, context.Canceled) || res != nil {
			t.Errorf("got %v, %v; want nil, context.Canceled", res, err)
		}
		if n := fits.Load(); n != 5 {
			t.Errorf("%d fits; want 5, none after the cancel", n)
		}
	})
}

func TestSearchDeterministic(t *testing.T) {
	X, y := xorData(8, 1200)
	base := gbdt.DefaultConfig()
	base.MaxDepth, base.Rounds = 1, 30
	run := func(seed uint64, threads int) *Result[gbdt.Config] {
		t.Helper()
		res, err := GBDT(t.Context(), X, y, &base, Options{Budget: Budget{Trials: 6, Seconds: noDeadline}, Seed: seed, Threads: threads})
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		res.Seconds = 0
		for i := range res.Trials {
			res.Trials[i].Seconds = 0
		}
		return res
	}
	a, b := run(1, 1), run(1, 2)
	if !reflect.DeepEqual(a, b) {
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		t.Errorf("same seed, different results:\n%s\n%s", ja, jb)
	}
	c := run(2, 2)
	if reflect.DeepEqual(a.Trials[1].Params, c.Trials[1].Params) {
		t.Errorf("seeds 1 and 2 drew the same first configuration %v; want different", a.Trials[1].Params)
	}
}

func TestSearchErrors(t *testing.T) {
	X, y := noiseData(9, 300)
	ragged := &matrix.Dense{Rows: 3, Cols: 2, Data: make([]float64, 5)}
	for _, tc := range []struct {
		name string
		X    *matrix.Dense
		y    []float64
		opts Options
		want error
	}{
		{"nil matrix", nil, nil, Options{}, learn.ErrNoRows},
		{"no rows", matrix.New(0, 3), nil, Options{}, learn.ErrNoRows},
		{"ragged matrix", ragged, []float64{0, 1, 0}, Options{}, learn.ErrShape},
		{"label count", X, y[:10], Options{}, learn.ErrShape},
		{"bad label", X, withLabel(y, 4, 2), Options{}, learn.ErrLabel},
		{"NaN label", X, withLabel(y, 4, math.NaN()), Options{}, learn.ErrLabel},
		{"one class", X, make([]float64, len(y)), Options{}, learn.ErrOneClass},
		{"one class in a time block", X, lateOnly(len(y)), Options{TimeOrdered: true}, learn.ErrOneClass},
		{"negative trials", X, y, Options{Budget: Budget{Trials: -1}}, ErrOptions},
		{"negative seconds", X, y, Options{Budget: Budget{Seconds: -1}}, ErrOptions},
		{"NaN seconds", X, y, Options{Budget: Budget{Seconds: math.NaN()}}, ErrOptions},
		{"infinite seconds", X, y, Options{Budget: Budget{Seconds: math.Inf(1)}}, ErrOptions},
		{"one fold", X, y, Options{Folds: 1}, ErrOptions},
		{"negative threads", X, y, Options{Threads: -2}, ErrOptions},
		{"tiny row cap", X, y, Options{MaxRows: 10}, ErrOptions},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := search(t.Context(), tc.X, tc.y, tc.opts, fakeLearner(0.5, 0, nil), 1)
			if !errors.Is(err, tc.want) || res != nil {
				t.Errorf("got %v, %v; want nil, %v", res, err, tc.want)
			}
		})
	}
}

func TestSearchTooFewRowsForFolds(t *testing.T) {
	X, y := noiseData(9, 300)
	y2 := make([]float64, len(y))
	y2[0], y2[1] = 1, 1 // two positives for three stratified folds
	if _, err := search(t.Context(), X, y2, Options{}, fakeLearner(0.5, 0, nil), 1); !errors.Is(err, ErrTooFewRows) {
		t.Errorf("error = %v; want %v", err, ErrTooFewRows)
	}
}

func TestLearnersFindBetterDepth(t *testing.T) {
	if testing.Short() {
		t.Skip("fits real models")
	}
	X, y := xorData(10, 3000)
	opts := Options{Budget: Budget{Trials: 9, Seconds: noDeadline}, Seed: 3}
	t.Run("gbdt", func(t *testing.T) {
		base := gbdt.DefaultConfig()
		base.MaxDepth, base.Rounds = 1, 50 // stumps cannot model x0·x1
		res, err := GBDT(t.Context(), X, y, &base, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		if res.Best.MaxDepth < 2 || res.Gain() < 0.1 {
			t.Errorf("best depth %d, CV AUC %.3f vs default %.3f; want depth ≥ 2 and a gain ≥ 0.1",
				res.Best.MaxDepth, res.BestAUC, res.DefaultAUC)
		}
		if res.Best.EarlyStoppingRounds != GBDTEarlyStopping || res.Best.Rounds != GBDTMaxRounds {
			t.Errorf("best rounds %d, early stopping %d; want %d and %d",
				res.Best.Rounds, res.Best.EarlyStoppingRounds, GBDTMaxRounds, GBDTEarlyStopping)
		}
		for _, tr := range res.Trials {
			if len(tr.Trees) != len(tr.Folds) {
				t.Errorf("trial %d: %d tree counts for %d folds", tr.ID, len(tr.Trees), len(tr.Folds))
			}
		}
	})
	t.Run("rf", func(t *testing.T) {
		base := forest.DefaultConfig()
		base.MaxDepth, base.Trees = 1, 30
		res, err := Forest(t.Context(), X, y, &base, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		if res.Best.MaxDepth < 2 || res.Gain() < 0.1 {
			t.Errorf("best depth %d, CV AUC %.3f vs default %.3f; want depth ≥ 2 and a gain ≥ 0.1",
				res.Best.MaxDepth, res.BestAUC, res.DefaultAUC)
		}
		if res.Best.Trees != 30 {
			t.Errorf("best has %d trees; want the default's 30", res.Best.Trees)
		}
		for _, tr := range res.Trials {
			want := 30
			if tr.Rung < len(res.Rungs)-1 {
				want = ForestMinTrees
			}
			if tr.Trees[0] != want {
				t.Errorf("trial %d on rung %d grew %d trees; want %d", tr.ID, tr.Rung, tr.Trees[0], want)
			}
		}
	})
	t.Run("lr", func(t *testing.T) {
		// A linear model cannot learn x0·x1 either, but tuning C must
		// still never do worse than the default.
		base := logreg.Config{C: 1e-3, ClassWeight: learn.Balanced}
		res, err := Logistic(t.Context(), X, y, &base, opts)
		if err != nil {
			t.Fatal(err)
		}
		checkInvariants(t, res)
		if res.Best.ClassWeight != learn.Balanced {
			t.Errorf("best class weight %q; want the default's %q", res.Best.ClassWeight, learn.Balanced)
		}
	})
}

func TestLearnerDefaults(t *testing.T) {
	X, y := xorData(11, 600)
	opts := Options{Budget: Budget{Trials: 1, Seconds: noDeadline}}
	g, err := GBDT(t.Context(), X, y, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*g.Best, gbdt.DefaultConfig()) || g.Learner != "gbdt" {
		t.Errorf("gbdt: learner %q, best %+v; want gbdt and gbdt.DefaultConfig()", g.Learner, *g.Best)
	}
	f, err := Forest(t.Context(), X, y, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*f.Best, forest.DefaultConfig()) || f.Learner != "rf" {
		t.Errorf("rf: learner %q, best %+v; want rf and forest.DefaultConfig()", f.Learner, *f.Best)
	}
	l, err := Logistic(t.Context(), X, y, nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*l.Best, logreg.Config{}) || l.Learner != "lr" {
		t.Errorf("lr: learner %q, best %+v; want lr and the zero logreg.Config", l.Learner, *l.Best)
	}
	for _, res := range []struct {
		name   string
		trials []Trial
	}{{"gbdt", g.Trials}, {"rf", f.Trials}, {"lr", l.Trials}} {
		if len(res.trials) != 1 || len(res.trials[0].Folds) != DefaultFolds {
			t.Errorf("%s: %d trials; want one default trial on %d folds", res.name, len(res.trials), DefaultFolds)
		}
	}
}

func TestLearnerBadBase(t *testing.T) {
	X, y := xorData(12, 300)
	bg := gbdt.DefaultConfig()
	bg.LearningRate = -1
	if _, err := GBDT(t.Context(), X, y, &bg, Options{}); !errors.Is(err, learn.ErrConfig) {
		t.Errorf("gbdt error = %v; want %v", err, learn.ErrConfig)
	}
	bf := forest.DefaultConfig()
	bf.Trees = 0
	if _, err := Forest(t.Context(), X, y, &bf, Options{}); !errors.Is(err, learn.ErrConfig) {
		t.Errorf("rf error = %v; want %v", err, learn.ErrConfig)
	}
	var ce *learn.ConfigError
	if _, err := Logistic(t.Context(), X, y, &logreg.Config{C: -1}, Options{}); !errors.As(err, &ce) {
		t.Errorf("lr error = %v; want a *learn.ConfigError", err)
	}
}

func TestLearnerCancel(t *testing.T) {
	X, y := xorData(13, 600)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := GBDT(ctx, X, y, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("gbdt error = %v; want context.Canceled", err)
	}
	if _, err := Forest(ctx, X, y, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("rf error = %v; want context.Canceled", err)
	}
	if _, err := Logistic(ctx, X, y, nil, Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("lr error = %v; want context.Canceled", err)
	}
}

func TestResultJSON(t *testing.T) {
	X, y := xorData(14, 600)
	res, err := GBDT(t.Context(), X, y, nil, Options{Budget: Budget{Trials: 3, Seconds: noDeadline}})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	var back Result[gbdt.Config]
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !reflect.DeepEqual(*back.Best, *res.Best) || back.BestAUC != res.BestAUC || len(back.Trials) != len(res.Trials) {
		t.Errorf("round trip: best %+v AUC %v, %d trials; want %+v, %v, %d",
			*back.Best, back.BestAUC, len(back.Trials), *res.Best, res.BestAUC, len(res.Trials))
	}
	var keys map[string]any
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"learner", "best_config", "best_params", "best_cv_auc", "default_cv_auc", "trials", "rungs", "budget"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON has no %q key", k)
		}
	}
}

func withLabel(y []float64, i int, v float64) []float64 {
	out := append([]float64(nil), y...)
	out[i] = v
	return out
}

// lateOnly returns n labels whose positives all lie in the last twelfth,
// so that the earlier time blocks hold one class.
func lateOnly(n int) []float64 {
	y := make([]float64, n)
	for i := n - n/12; i < n; i += 2 {
		y[i] = 1
	}
	return y
}

// TestSearchProgress checks that Options.Progress sees every trial in
// order, numbered on its rung, with the best score of the rung so far.
func TestSearchProgress(t *testing.T) {
	X, y := noiseData(3, 1500)
	var got []Progress
	opts := Options{Budget: Budget{Trials: 9, Seconds: noDeadline}, Progress: func(p Progress) { got = append(got, p) }}
	res, err := search(t.Context(), X, y, opts, fakeLearner(0.2, 0, nil), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(res.Trials) {
		t.Fatalf("got %d progress calls; want one per trial (%d)", len(got), len(res.Trials))
	}
	perRung := map[int]int{}
	for _, tr := range res.Trials {
		perRung[tr.Rung]++
	}
	best := map[int]Trial{}
	for k, p := range got {
		tr := res.Trials[k]
		if b, ok := best[tr.Rung]; !ok || byScore(tr, b) > 0 {
			best[tr.Rung] = tr
		}
		want := Progress{
			Learner: "fake", Rung: tr.Rung, Rungs: len(res.Rungs), Trial: k + 1 - countBelow(res.Trials, tr.Rung),
			RungTrials: perRung[tr.Rung], Trials: k + 1, ID: tr.ID,
			BestID: best[tr.Rung].ID, BestAUC: best[tr.Rung].MeanAUC, Elapsed: p.Elapsed, Budget: noDeadline,
		}
		if p != want {
			t.Errorf("call %d = %+v; want %+v", k, p, want)
		}
		if k > 0 && p.Elapsed < got[k-1].Elapsed {
			t.Errorf("call %d: elapsed %v went back from %v", k, p.Elapsed, got[k-1].Elapsed)
		}
	}
	if last := got[len(got)-1]; last.Trial != last.RungTrials || last.BestID != res.BestID || last.BestAUC != res.BestAUC {
		t.Errorf("last call %+v; want the rung's last trial and the result's best (%d, %v)", last, res.BestID, res.BestAUC)
	}
}

// countBelow counts the trials on rungs below r.
func countBelow(trials []Trial, r int) int {
	n := 0
	for _, t := range trials {
		if t.Rung < r {
			n++
		}
	}
	return n
}
