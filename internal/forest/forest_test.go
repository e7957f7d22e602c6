package forest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// fit fits with cfg and fails the test on error.
func fit(tb testing.TB, X *matrix.Dense, y []float64, cfg Config) *tree.Ensemble {
	tb.Helper()
	e, err := Fit(context.Background(), X, y, cfg)
	if err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	if err := e.Validate(); err != nil {
		tb.Fatalf("fitted ensemble invalid: %v", err)
	}
	return e
}

func predict(e *tree.Ensemble, X *matrix.Dense) []float64 {
	p := make([]float64, X.Rows)
	e.PredictInto(p, X, 0)
	return p
}

func TestFitLearnsSynthetic(t *testing.T) {
	Xtr, ytr := synthetic(1, 6000, 12)
	Xte, yte := synthetic(2, 4000, 12)
	// The AUC of the true probabilities bounds what any model can reach.
	truth := make([]float64, Xte.Rows)
	for i := range truth {
		truth[i] = trueProb(Xte.Row(i))
	}
	bayes := auc(t, yte, truth)
	tests := []struct {
		name string
		cfg  func(*Config)
	}{
		{"default", func(*Config) {}},
		{"unweighted", func(c *Config) { c.ClassWeight = learn.Unweighted }},
		{"no bootstrap", func(c *Config) { c.Bootstrap = false }},
		{"all features", func(c *Config) { c.MaxFeatures = 12 }},
		{"16 bins", func(c *Config) { c.MaxBins = 16 }},
		{"min leaf 20", func(c *Config) { c.MinSamplesLeaf = 20 }},
		{"shallow", func(c *Config) { c.MaxDepth = 4 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Trees = 40
			cfg.Seed = 7
			tt.cfg(&cfg)
			e := fit(t, Xtr, ytr, cfg)
			got := auc(t, yte, predict(e, Xte))
			t.Logf("test AUC %.4f, Bayes %.4f", got, bayes)
			if got < bayes-0.04 {
				t.Errorf("got test AUC %.4f; want at least %.4f (Bayes AUC %.4f - 0.04)", got, bayes-0.04, bayes)
			}
		})
	}
}

// trueProb is the probability synthetic draws its label from.
func trueProb(row []float64) float64 {
	z := -1.5
	if math.IsNaN(row[0]) {
		z += 1.5
	} else {
		z += 0.25 * row[0]
	}
	z += 0.4*row[1] - 1.2*row[2]
	if !math.IsNaN(row[3]) {
		z += 0.08 * row[3] * row[1]
	}
	return sigmoid(z)
}

func TestDeterministicAcrossThreads(t *testing.T) {
	X, y := synthetic(3, 3000, 9)
	cfg := DefaultConfig()
	cfg.Trees = 12
	cfg.Seed = 42
	cfg.Threads = 1
	want := fit(t, X, y, cfg)
	for _, threads := range []int{1, 2, 3, 16} {
		t.Run(fmt.Sprintf("threads=%d", threads), func(t *testing.T) {
			c := cfg
			c.Threads = threads
			if got := fit(t, X, y, c); !reflect.DeepEqual(got, want) {
				t.Errorf("got a different forest with %d threads than with 1", threads)
			}
		})
	}
	t.Run("other seed", func(t *testing.T) {
		c := cfg
		c.Seed = 43
		if got := fit(t, X, y, c); reflect.DeepEqual(got.Trees, want.Trees) {
			t.Errorf("got the same forest for seeds 42 and 43; want different bootstrap draws")
		}
	})
	t.Run("trees differ", func(t *testing.T) {
		if reflect.DeepEqual(want.Trees[0], want.Trees[1]) {
			t.Errorf("got identical trees 0 and 1; want each tree to draw its own sample")
		}
	})
	t.Run("prefix", func(t *testing.T) {
		// Tree t depends only on (Seed, t): a smaller forest is a prefix.
		c := cfg
		c.Trees = 5
		got := fit(t, X, y, c)
		if !reflect.DeepEqual(got.Trees, want.Trees[:5]) {
			t.Errorf("got a 5-tree forest that is not the first 5 trees of the 12-tree forest")
		}
	})
}

// TestStructure checks, on every node of every tree, the documented meaning
// of Value and Cover, and that predictions are probabilities.
func TestStructure(t *testing.T) {
	X, y := synthetic(4, 2000, 10)
	cfg := DefaultConfig()
	cfg.Trees = 10
	e := fit(t, X, y, cfg)
	if e.Output != tree.Probability || e.Base != 0 || e.Scale != 0.1 || e.NumFeatures != 10 || len(e.Trees) != 10 {
		t.Fatalf("got Output %q Base %v Scale %v NumFeatures %d trees %d; want probability 0 0.1 10 10",
			e.Output, e.Base, e.Scale, e.NumFeatures, len(e.Trees))
	}
	const tol = 1e-9
	for ti, tr := range e.Trees {
		for ni, n := range tr.Nodes {
			if n.Value < 0 || n.Value > 1 || !(n.Cover > 0) {
				t.Fatalf("tree %d node %d: got Value %v Cover %v; want a probability and a positive cover", ti, ni, n.Value, n.Cover)
			}
			if n.IsLeaf() {
				continue
			}
			l, r := tr.Nodes[n.Left], tr.Nodes[n.Right]
			if got := l.Cover + r.Cover; math.Abs(got-n.Cover) > tol*n.Cover {
				t.Fatalf("tree %d node %d: got children cover %v; want the parent's %v", ti, ni, got, n.Cover)
			}
			if got := (l.Value*l.Cover + r.Value*r.Cover) / n.Cover; math.Abs(got-n.Value) > tol {
				t.Fatalf("tree %d node %d: got Value %v; want the cover-weighted mean of its children %v", ti, ni, n.Value, got)
			}
		}
	}
	for i, p := range predict(e, X) {
		if p < 0 || p > 1 {
			t.Fatalf("row %d: got probability %v; want it in [0, 1]", i, p)
		}
	}
}

// TestRawRoutingMatchesTraining grows trees on every row once without
// class weights, so a leaf's Cover must be the number of training rows that
// reach it when routed by their raw values, and its Value their share of
// positives. That holds only if thresholds and default directions route
// raw values and NaN exactly as the bins were routed in training.
func TestRawRoutingMatchesTraining(t *testing.T) {
	X, y := synthetic(5, 3000, 12)
	cfg := DefaultConfig()
	cfg.Trees, cfg.Bootstrap, cfg.ClassWeight, cfg.MaxDepth = 5, false, learn.Unweighted, 0
	cfg.MinSamplesLeaf = 3
	e := fit(t, X, y, cfg)
	for ti := range e.Trees {
		tr := &e.Trees[ti]
		count := make([]float64, len(tr.Nodes))
		pos := make([]float64, len(tr.Nodes))
		for i := range X.Rows {
			leaf := tr.Leaf(X.Row(i))
			count[leaf]++
			pos[leaf] += y[i]
		}
		for ni, n := range tr.Nodes {
			if !n.IsLeaf() {
				continue
			}
			if count[ni] != n.Cover || pos[ni]/count[ni] != n.Value {
				t.Fatalf("tree %d leaf %d: got %v rows, %v positive, routing raw values; want Cover %v, Value %v",
					ti, ni, count[ni], pos[ni], n.Cover, n.Value)
			}
			if n.Cover < float64(cfg.MinSamplesLeaf) {
				t.Fatalf("tree %d leaf %d: got %v rows; want at least MinSamplesLeaf %d", ti, ni, n.Cover, cfg.MinSamplesLeaf)
			}
		}
	}
}

func TestMissingValues(t *testing.T) {
	// The label is 1 exactly when feature 0 is missing; feature 1 is noise.
	const n = 2000
	X := matrix.New(n, 2)
	y := make([]float64, n)
	for i := range n {
		X.Set(i, 0, float64(i%50))
		X.Set(i, 1, float64(i%7))
		if i%5 == 0 {
			X.Set(i, 0, math.NaN())
			y[i] = 1
		}
	}
	cfg := DefaultConfig()
	cfg.Trees, cfg.MaxDepth, cfg.MaxFeatures = 5, 1, 2
	e := fit(t, X, y, cfg)
	for ti, tr := range e.Trees {
		root := tr.Nodes[0]
		if root.Feature != 0 || !root.DefaultLeft || root.Threshold != -math.MaxFloat64 {
			t.Fatalf("tree %d: got root feature %d threshold %v default left %v; want the missing-versus-present split of feature 0",
				ti, root.Feature, root.Threshold, root.DefaultLeft)
		}
	}
	tests := []struct {
		name string
		row  []float64
		want float64
	}{
		{"missing", []float64{math.NaN(), 3}, 1},
		{"present", []float64{7, 3}, 0},
		{"unseen large", []float64{1e9, math.NaN()}, 0},
		{"unseen negative", []float64{-1e9, 0}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.Prob(e.Margin(tt.row)); got != tt.want {
				t.Errorf("got probability %v; want %v", got, tt.want)
			}
		})
	}
}

func TestDefaultDirectionWithoutMissing(t *testing.T) {
	// No value is missing in training: unseen NaN follows the heavier child.
	const n = 1000
	X := matrix.New(n, 1)
	y := make([]float64, n)
	for i := range n {
		X.Set(i, 0, float64(i))
		if i < 200 {
			y[i] = 1
		}
	}
	cfg := DefaultConfig()
	cfg.Trees, cfg.MaxDepth, cfg.Bootstrap, cfg.ClassWeight = 1, 1, false, learn.Unweighted
	e := fit(t, X, y, cfg)
	root := e.Trees[0].Nodes[0]
	if root.Threshold != 199.5 || root.DefaultLeft {
		t.Fatalf("got threshold %v default left %v; want 199.5 and missing values right (800 rows against 200)",
			root.Threshold, root.DefaultLeft)
	}
	if got := e.Margin([]float64{math.NaN()}); got != 0 {
		t.Errorf("got probability %v for a missing value; want 0, the right leaf's", got)
	}
}

func TestDepthLimit(t *testing.T) {
	X, y := synthetic(6, 3000, 8)
	for _, depth := range []int{1, 2, 5, 10} {
		t.Run(fmt.Sprintf("depth=%d", depth), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Trees, cfg.MaxDepth = 8, depth
			e := fit(t, X, y, cfg)
			deepest := 0
			for ti := range e.Trees {
				deepest = max(deepest, e.Trees[ti].Depth())
			}
			if deepest != depth {
				t.Errorf("got deepest tree of depth %d; want exactly MaxDepth %d on this noisy problem", deepest, depth)
			}
		})
	}
	t.Run("unlimited", func(t *testing.T) {
		// Every row distinct in feature 0: unlimited trees without
		// bootstrap fit the training labels exactly.
		cfg := DefaultConfig()
		cfg.Trees, cfg.MaxDepth, cfg.Bootstrap, cfg.MaxBins = 3, 0, false, 256
		Xs, ys := synthetic(7, 250, 4)
		for i := range Xs.Rows {
			Xs.Set(i, 0, float64(i))
		}
		e := fit(t, Xs, ys, cfg)
		for i, p := range predict(e, Xs) {
			if p != ys[i] {
				t.Fatalf("row %d: got %v; want the training label %v", i, p, ys[i])
			}
		}
	})
}

func TestClassWeight(t *testing.T) {
	X, y := synthetic(8, 1000, 5)
	var pos float64
	for _, v := range y {
		pos += v
	}
	tests := []struct {
		cw               learn.ClassWeight
		cover, rootValue float64
	}{
		{learn.Balanced, 1000, 0.5},
		{learn.Unweighted, 1000, pos / 1000},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.cw), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Trees, cfg.Bootstrap, cfg.ClassWeight = 1, false, tt.cw
			root := fit(t, X, y, cfg).Trees[0].Nodes[0]
			if math.Abs(root.Cover-tt.cover) > 1e-9 || math.Abs(root.Value-tt.rootValue) > 1e-12 {
				t.Errorf("got root Cover %v Value %v; want %v and %v", root.Cover, root.Value, tt.cover, tt.rootValue)
			}
		})
	}
	t.Run("bootstrap counts", func(t *testing.T) {
		// n draws with replacement times weights that sum to n.
		cfg := DefaultConfig()
		cfg.Trees = 3
		for ti, tr := range fit(t, X, y, cfg).Trees {
			if got := tr.Nodes[0].Cover; math.Abs(got-1000) > 100 {
				t.Errorf("tree %d: got root cover %v; want about 1000", ti, got)
			}
		}
	})
}

func TestFitErrors(t *testing.T) {
	X, y := synthetic(9, 100, 3)
	inf := X.SelectRows([]int{0, 1, 2, 3})
	inf.Set(2, 1, math.Inf(-1))
	withLabel := func(i int, v float64) []float64 {
		c := append([]float64(nil), y...)
		c[i] = v
		return c
	}
	cfg := DefaultConfig()
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		X    *matrix.Dense
		y    []float64
		cfg  func(*Config)
		want error
	}{
		{name: "nil matrix", y: y, want: learn.ErrNoRows},
		{name: "no rows", X: matrix.New(0, 3), y: nil, want: learn.ErrNoRows},
		{name: "no columns", X: matrix.New(4, 0), y: []float64{0, 1, 0, 1}, want: learn.ErrShape},
		{name: "short labels", X: X, y: y[:99], want: learn.ErrShape},
		{name: "short data", X: &matrix.Dense{Rows: 2, Cols: 2, Data: []float64{1, 2, 3}}, y: []float64{0, 1}, want: learn.ErrShape},
		{name: "NaN label", X: X, y: withLabel(5, math.NaN()), want: learn.ErrLabel},
		{name: "Inf label", X: X, y: withLabel(5, math.Inf(1)), want: learn.ErrLabel},
		{name: "label 2", X: X, y: withLabel(5, 2), want: learn.ErrLabel},
		{name: "label -1", X: X, y: withLabel(5, -1), want: learn.ErrLabel},
		{name: "one class", X: X, y: make([]float64, 100), want: learn.ErrOneClass},
		{name: "Inf feature", X: inf, y: []float64{0, 1, 0, 1}, want: learn.ErrInfinite},
		{name: "bad config", X: X, y: y, cfg: func(c *Config) { c.Trees = 0 }, want: learn.ErrConfig},
		{name: "too many features", X: X, y: y, cfg: func(c *Config) { c.MaxFeatures = 4 }, want: learn.ErrConfig},
		{name: "canceled", ctx: canceled, X: X, y: y, want: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := tt.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			c := cfg
			if tt.cfg != nil {
				tt.cfg(&c)
			}
			e, err := Fit(ctx, tt.X, tt.y, c)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v; want %v", err, tt.want)
			}
			if e != nil {
				t.Errorf("got an ensemble with error %v; want nil", err)
			}
		})
	}
}

func TestCancelBetweenTrees(t *testing.T) {
	X, y := synthetic(10, 2000, 6)
	ctx, cancel := context.WithCancel(context.Background())
	cfg := DefaultConfig()
	cfg.Trees, cfg.Threads = 1000, 1
	done := make(chan error, 1)
	go func() {
		_, err := Fit(ctx, X, y, cfg)
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v; want context.Canceled", err)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		field string
		set   func(*Config)
	}{
		{"Trees", func(c *Config) { c.Trees = 0 }},
		{"MaxDepth", func(c *Config) { c.MaxDepth = -1 }},
		{"MinSamplesLeaf", func(c *Config) { c.MinSamplesLeaf = 0 }},
		{"MinSamplesSplit", func(c *Config) { c.MinSamplesSplit = 1 }},
		{"MaxFeatures", func(c *Config) { c.MaxFeatures = -1 }},
		{"ClassWeight", func(c *Config) { c.ClassWeight = "balanced_subsample" }},
		{"MaxBins", func(c *Config) { c.MaxBins = 2 }},
		{"MaxBins", func(c *Config) { c.MaxBins = 257 }},
		{"Threads", func(c *Config) { c.Threads = -2 }},
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Fatalf("DefaultConfig().Validate() = %v; want nil", err)
	}
	for _, tt := range tests {
		t.Run(tt.field, func(t *testing.T) {
			c := DefaultConfig()
			tt.set(&c)
			err := c.Validate()
			var ce *learn.ConfigError
			if !errors.As(err, &ce) || !errors.Is(err, learn.ErrConfig) {
				t.Fatalf("got error %v; want a *learn.ConfigError matching learn.ErrConfig", err)
			}
			if ce.Field != tt.field {
				t.Errorf("got field %q; want %q", ce.Field, tt.field)
			}
		})
	}
	t.Run("zero value", func(t *testing.T) {
		if err := (Config{}).Validate(); !errors.Is(err, learn.ErrConfig) {
			t.Errorf("got %v for the zero Config; want learn.ErrConfig (no trees)", err)
		}
	})
}
