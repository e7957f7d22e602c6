package gbdt

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

func TestConfigValidate(t *testing.T) {
	mod := func(f func(c *Config)) Config {
		c := DefaultConfig()
		f(&c)
		return c
	}
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"defaults", DefaultConfig(), ""},
		{"leaf-wise", mod(func(c *Config) { c.Growth = LeafWise; c.MaxDepth = 0; c.MaxLeaves = 31 }), ""},
		{"empty growth", mod(func(c *Config) { c.Growth = "" }), ""},
		{"zero value", Config{}, "Rounds"},
		{"negative depth", mod(func(c *Config) { c.MaxDepth = -1 }), "MaxDepth"},
		{"depth-wise without depth", mod(func(c *Config) { c.MaxDepth = 0; c.MaxLeaves = 8 }), "MaxDepth"},
		{"leaf-wise unbounded", mod(func(c *Config) { c.Growth = LeafWise; c.MaxDepth = 0 }), "MaxLeaves"},
		{"one leaf", mod(func(c *Config) { c.MaxLeaves = 1 }), "MaxLeaves"},
		{"unknown growth", mod(func(c *Config) { c.Growth = "sideways" }), "Growth"},
		{"zero learning rate", mod(func(c *Config) { c.LearningRate = 0 }), "LearningRate"},
		{"NaN learning rate", mod(func(c *Config) { c.LearningRate = math.NaN() }), "LearningRate"},
		{"too few bins", mod(func(c *Config) { c.MaxBins = 2 }), "MaxBins"},
		{"too many bins", mod(func(c *Config) { c.MaxBins = 257 }), "MaxBins"},
		{"negative L2", mod(func(c *Config) { c.L2 = -1 }), "L2"},
		{"infinite L1", mod(func(c *Config) { c.L1 = math.Inf(1) }), "L1"},
		{"negative min child weight", mod(func(c *Config) { c.MinChildWeight = -0.5 }), "MinChildWeight"},
		{"negative gamma", mod(func(c *Config) { c.MinSplitGain = -1 }), "MinSplitGain"},
		{"zero subsample", mod(func(c *Config) { c.Subsample = 0 }), "Subsample"},
		{"subsample above one", mod(func(c *Config) { c.Subsample = 1.5 }), "Subsample"},
		{"NaN colsample", mod(func(c *Config) { c.ColSampleByTree = math.NaN() }), "ColSampleByTree"},
		{"negative early stopping", mod(func(c *Config) { c.EarlyStoppingRounds = -1 }), "EarlyStoppingRounds"},
		{"negative threads", mod(func(c *Config) { c.Threads = -2 }), "Threads"},
		{"bad monotone", mod(func(c *Config) { c.Monotone = []int8{0, 2} }), "Monotone[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got error %v; want nil", err)
				}
				return
			}
			var ce *learn.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got error %v; want a *learn.ConfigError", err)
			}
			if ce.Field != tt.field {
				t.Errorf("got field %q; want %q", ce.Field, tt.field)
			}
			if !errors.Is(err, learn.ErrConfig) {
				t.Errorf("errors.Is(%v, learn.ErrConfig) = false; want true", err)
			}
		})
	}
}

func TestFitErrors(t *testing.T) {
	good := func() Data {
		return Data{X: matrix.FromRows([][]float64{{1}, {2}, {3}, {4}}), Y: []float64{0, 1, 0, 1}}
	}
	mod := func(f func(d *Data)) Data {
		d := good()
		f(&d)
		return d
	}
	cfg := DefaultConfig()
	cfg.Rounds = 2
	tests := []struct {
		name  string
		train Data
		valid *Data
		cfg   Config
		want  error
	}{
		{"nil matrix", Data{}, nil, cfg, learn.ErrNoRows},
		{"no rows", Data{X: matrix.New(0, 2)}, nil, cfg, learn.ErrNoRows},
		{"no columns", Data{X: matrix.New(3, 0), Y: []float64{0, 1, 0}}, nil, cfg, learn.ErrShape},
		{"short labels", mod(func(d *Data) { d.Y = d.Y[:3] }), nil, cfg, learn.ErrShape},
		{"short weights", mod(func(d *Data) { d.Weight = []float64{1, 1} }), nil, cfg, learn.ErrShape},
		{"bad data length", mod(func(d *Data) { d.X.Data = d.X.Data[:3] }), nil, cfg, learn.ErrShape},
		{"NaN label", mod(func(d *Data) { d.Y[0] = math.NaN() }), nil, cfg, learn.ErrLabel},
		{"Inf label", mod(func(d *Data) { d.Y[1] = math.Inf(1) }), nil, cfg, learn.ErrLabel},
		{"label 2", mod(func(d *Data) { d.Y[2] = 2 }), nil, cfg, learn.ErrLabel},
		{"one class", mod(func(d *Data) { d.Y = []float64{1, 1, 1, 1} }), nil, cfg, learn.ErrOneClass},
		{"one weighted class", mod(func(d *Data) { d.Weight = []float64{1, 0, 1, 0} }), nil, cfg, learn.ErrOneClass},
		{"negative weight", mod(func(d *Data) { d.Weight = []float64{1, -1, 1, 1} }), nil, cfg, ErrWeight},
		{"NaN weight", mod(func(d *Data) { d.Weight = []float64{1, math.NaN(), 1, 1} }), nil, cfg, ErrWeight},
		{"Inf weight", mod(func(d *Data) { d.Weight = []float64{1, math.Inf(1), 1, 1} }), nil, cfg, ErrWeight},
		{"zero weights", mod(func(d *Data) { d.Weight = make([]float64, 4) }), nil, cfg, learn.ErrNoRows},
		{"Inf feature", mod(func(d *Data) { d.X.Data[2] = math.Inf(-1) }), nil, cfg, learn.ErrInfinite},
		{"valid columns", good(), &Data{X: matrix.New(2, 3), Y: []float64{0, 1}}, cfg, learn.ErrShape},
		{"valid label", good(), &Data{X: matrix.New(2, 1), Y: []float64{0, 3}}, cfg, learn.ErrLabel},
		{"monotone length", good(), nil, func() Config { c := cfg; c.Monotone = []int8{1, 1}; return c }(), learn.ErrShape},
		{"early stopping alone", good(), nil, func() Config { c := cfg; c.EarlyStoppingRounds = 3; return c }(), ErrNoValidation},
		{"bad config", good(), nil, Config{}, learn.ErrConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := FitData(t.Context(), tt.train, tt.valid, tt.cfg)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got error %v; want %v", err, tt.want)
			}
			if m != nil {
				t.Errorf("got a model with error %v; want nil", err)
			}
		})
	}
}

func TestFitCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	d := synth(1, 200, 2, 0, func(x []float64) float64 { return x[0] })
	_, err := FitData(ctx, d, nil, DefaultConfig())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got error %v; want context.Canceled", err)
	}
}

// TestLearnsKnownFunction checks that the fitted probabilities approach the
// true ones on held-out rows: the log loss gap to the true model is small
// and the AUC close to the true model's.
func TestLearnsKnownFunction(t *testing.T) {
	logit := func(x []float64) float64 {
		return 1.5*x[0] - x[1]*x[1] + math.Sin(2*x[2]) + 0.5
	}
	train := synth(1, 20000, 5, 0, logit)
	test := synth(2, 10000, 5, 0, logit)
	truth := make([]float64, test.X.Rows)
	for i := range truth {
		truth[i] = tree.Sigmoid(logit(test.X.Row(i)))
	}
	oracleLoss, oracleAUC := logLoss(truth, test.Y), auc(t, truth, test.Y)

	leaf := DefaultConfig()
	leaf.Growth, leaf.MaxDepth, leaf.MaxLeaves = LeafWise, 0, 16
	for _, tt := range []struct {
		name string
		cfg  Config
	}{
		{"depth-wise", DefaultConfig()},
		{"leaf-wise", leaf},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := fit(t, train, nil, tt.cfg)
			p := m.PredictProba(test.X)
			loss, a := logLoss(p, test.Y), auc(t, p, test.Y)
			if loss > oracleLoss+0.02 {
				t.Errorf("got test log loss %.4f; want within 0.02 of the true model's %.4f", loss, oracleLoss)
			}
			if a < oracleAUC-0.01 {
				t.Errorf("got test AUC %.4f; want within 0.01 of the true model's %.4f", a, oracleAUC)
			}
			if got, want := len(m.Ensemble.Trees), tt.cfg.Rounds; got != want {
				t.Errorf("got %d trees; want %d", got, want)
			}
			for r := 1; r < len(m.TrainLoss); r++ {
				if m.TrainLoss[r] > m.TrainLoss[r-1]+1e-12 {
					t.Fatalf("train loss rose from %v to %v at round %d", m.TrainLoss[r-1], m.TrainLoss[r], r)
				}
			}
		})
	}
}

func TestTreeShape(t *testing.T) {
	d := synth(3, 5000, 4, 0.1, func(x []float64) float64 { return x[0]*x[1] + x[2] })
	countLeaves := func(tr *tree.Tree) int {
		n := 0
		for i := range tr.Nodes {
			if tr.Nodes[i].IsLeaf() {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name      string
		growth    Growth
		depth     int
		leaves    int
		wantDepth int
		wantLeafs int
	}{
		{"depth-wise depth 3", DepthWise, 3, 0, 3, 8},
		{"depth-wise depth 6 leaves 5", DepthWise, 6, 5, 6, 5},
		{"leaf-wise 7 leaves", LeafWise, 0, 7, 6, 7},
		{"leaf-wise 20 leaves depth 3", LeafWise, 3, 20, 3, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Rounds, cfg.Growth, cfg.MaxDepth, cfg.MaxLeaves = 10, tt.growth, tt.depth, tt.leaves
			cfg.MinChildWeight = 0.1
			m := fit(t, d, nil, cfg)
			maxLeaves, maxDepth := 0, 0
			for i := range m.Ensemble.Trees {
				tr := &m.Ensemble.Trees[i]
				maxLeaves = max(maxLeaves, countLeaves(tr))
				maxDepth = max(maxDepth, tr.Depth())
			}
			if maxLeaves != tt.wantLeafs {
				t.Errorf("got at most %d leaves per tree; want %d", maxLeaves, tt.wantLeafs)
			}
			if maxDepth > tt.wantDepth {
				t.Errorf("got depth %d; want at most %d", maxDepth, tt.wantDepth)
			}
		})
	}
}

// TestStumpValues checks one split's leaf values against the closed form
// η·-T(G)/(H+λ) with T the L1 soft threshold, and the node covers and
// inner value.
func TestStumpValues(t *testing.T) {
	// x < 0.5 → labels 0,0,0,1; x >= 0.5 → 1,1,1,0.
	X := matrix.FromRows([][]float64{{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}})
	y := []float64{0, 0, 0, 1, 1, 1, 1, 0}
	for _, tt := range []struct{ l1, l2 float64 }{{0, 1}, {0.5, 1}, {0, 0}, {0.8, 3}} {
		t.Run(fmt.Sprintf("alpha=%v lambda=%v", tt.l1, tt.l2), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Rounds, cfg.MaxDepth, cfg.LearningRate = 1, 1, 0.3
			cfg.L1, cfg.L2, cfg.MinChildWeight = tt.l1, tt.l2, 0
			m := fit(t, Data{X: X, Y: y}, nil, cfg)
			if m.Ensemble.Base != 0 {
				t.Errorf("got base %v; want 0 for a base rate of 1/2", m.Ensemble.Base)
			}
			nodes := m.Ensemble.Trees[0].Nodes
			if len(nodes) != 3 {
				t.Fatalf("got %d nodes; want a stump of 3", len(nodes))
			}
			// At margin 0, p = 1/2: g = 1/2 - y and h = 1/4 per row.
			// Left: three 0s and one 1 → G = 1, H = 1; right: G = -1, H = 1.
			soft := func(g float64) float64 { return math.Copysign(max(math.Abs(g)-tt.l1, 0), g) }
			wantL := 0.3 * -soft(1) / (1 + tt.l2)
			wantR := 0.3 * -soft(-1) / (1 + tt.l2)
			root, l, r := nodes[0], nodes[nodes[0].Left], nodes[nodes[0].Right]
			if root.Feature != 0 || root.Threshold != 0.5 {
				t.Errorf("got split feature %d threshold %v; want 0 and 0.5", root.Feature, root.Threshold)
			}
			if math.Abs(l.Value-wantL) > 1e-12 || math.Abs(r.Value-wantR) > 1e-12 {
				t.Errorf("got leaves %v, %v; want %v, %v", l.Value, r.Value, wantL, wantR)
			}
			if root.Cover != 2 || l.Cover != 1 || r.Cover != 1 {
				t.Errorf("got covers %v, %v, %v; want 2, 1, 1", root.Cover, l.Cover, r.Cover)
			}
			if want := (wantL + wantR) / 2; math.Abs(root.Value-want) > 1e-12 {
				t.Errorf("got inner value %v; want cover-weighted mean %v", root.Value, want)
			}
		})
	}
}

// TestMonotone sweeps a constrained feature over a grid for many fixed
// rows and checks that the margin never moves against the constraint,
// although the data pull the other way over part of the range.
func TestMonotone(t *testing.T) {
	logit := func(x []float64) float64 { return 2*math.Sin(3*x[0]) + x[1] - x[2]*x[0] }
	d := synth(4, 8000, 3, 0.05, logit)
	grid := make([]float64, 0, 200)
	for v := -3.0; v <= 3; v += 0.03 {
		grid = append(grid, v)
	}
	probe := synth(5, 200, 3, 0.05, logit).X
	// violations counts rows whose margin moves against dir along the grid.
	violations := func(m *Model, dir float64) int {
		bad := 0
		x := make([]float64, 3)
		for i := range probe.Rows {
			copy(x, probe.Row(i))
			prev := math.Inf(-int(dir))
			for _, v := range grid {
				x[0] = v
				cur := m.Ensemble.Margin(x)
				if dir*(cur-prev) < 0 {
					bad++
					break
				}
				prev = cur
			}
		}
		return bad
	}
	for _, tt := range []struct {
		name   string
		growth Growth
		dir    int8
	}{
		{"increasing depth-wise", DepthWise, 1},
		{"decreasing depth-wise", DepthWise, -1},
		{"increasing leaf-wise", LeafWise, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Rounds, cfg.LearningRate, cfg.Growth, cfg.MaxLeaves = 60, 0.3, tt.growth, 16
			free := fit(t, d, nil, cfg)
			if violations(free, float64(tt.dir)) == 0 {
				t.Fatalf("unconstrained model is already monotone; the test data do not exercise the constraint")
			}
			cfg.Monotone = []int8{tt.dir, 0, 0}
			m := fit(t, d, nil, cfg)
			if n := violations(m, float64(tt.dir)); n != 0 {
				t.Errorf("got %d of %d rows non-monotone in feature 0; want 0", n, probe.Rows)
			}
		})
	}
}

// TestMissingValues checks that the learned default directions carry the
// signal of missingness: rows missing feature 0 are mostly positive, and
// feature 0 is otherwise an ordinary increasing signal.
func TestMissingValues(t *testing.T) {
	logit := func(x []float64) float64 {
		if math.IsNaN(x[0]) {
			return 3
		}
		return 2 * x[0]
	}
	d := synth(6, 10000, 2, 0.2, logit)
	cfg := DefaultConfig()
	cfg.Rounds = 30
	m := fit(t, d, nil, cfg)
	tests := []struct {
		name   string
		x0     float64
		lo, hi float64
	}{
		{"missing", math.NaN(), 0.85, 1},
		{"low", -1.5, 0, 0.15},
		{"high", 1.5, 0.85, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := m.Ensemble.Prob(m.Ensemble.Margin([]float64{tt.x0, 0}))
			if p < tt.lo || p > tt.hi {
				t.Errorf("got probability %.3f for x0 = %v; want in [%v, %v]", p, tt.x0, tt.lo, tt.hi)
			}
		})
	}
	// Missing values must have gone the way of the high side at the first
	// split on feature 0 of the first tree.
	nodes := m.Ensemble.Trees[0].Nodes
	for _, n := range nodes {
		if n.Feature == 0 && n.Threshold > -math.MaxFloat64 {
			if n.DefaultLeft {
				t.Errorf("first split on feature 0 sends missing values left (low side); want right")
			}
			break
		}
	}
}

// binnedLeaf walks tr on the bins of row i, recovering each split's bin
// from its threshold.
func binnedLeaf(t *testing.T, tr *tree.Tree, bins *binning.Matrix, i int) int {
	t.Helper()
	k := int32(0)
	for {
		n := &tr.Nodes[k]
		if n.IsLeaf() {
			return int(k)
		}
		f := int(n.Feature)
		var split uint8
		if n.Threshold != -math.MaxFloat64 {
			j, ok := slices.BinarySearch(bins.Cuts.Points[f], n.Threshold)
			if !ok {
				t.Fatalf("threshold %v of feature %d is not a cut point", n.Threshold, f)
			}
			split = uint8(j + 1)
		}
		b := bins.Cols[f][i]
		if (b == binning.MissingBin && n.DefaultLeft) || (b != binning.MissingBin && b <= split) {
			k = n.Left
		} else {
			k = n.Right
		}
	}
}

// TestRawRoutingMatchesBins checks that every tree routes every training
// row on raw values to the leaf its bins reach, and that the training
// loss tracked on binned routing equals the loss of the raw ensemble.
func TestRawRoutingMatchesBins(t *testing.T) {
	d := synth(7, 6000, 4, 0.15, func(x []float64) float64 {
		v := 0.0
		for _, xi := range x {
			if !math.IsNaN(xi) {
				v += xi
			}
		}
		return v
	})
	// Ties and a heavy value, like count features.
	for i := range d.X.Rows {
		if v := d.X.At(i, 1); !math.IsNaN(v) {
			d.X.Set(i, 1, math.Round(v*2))
		}
	}
	for _, sub := range []float64{1, 0.7} {
		t.Run(fmt.Sprintf("subsample %v", sub), func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Rounds, cfg.MaxBins, cfg.Subsample, cfg.Seed = 20, 32, sub, 11
			m := fit(t, d, nil, cfg)
			bins, err := binning.New(d.X, binning.Config{MaxBins: cfg.MaxBins, Seed: cfg.Seed})
			if err != nil {
				t.Fatalf("binning: %v", err)
			}
			for ti := range m.Ensemble.Trees {
				tr := &m.Ensemble.Trees[ti]
				for i := range d.X.Rows {
					raw, binned := tr.Leaf(d.X.Row(i)), binnedLeaf(t, tr, bins, i)
					if raw != binned {
						t.Fatalf("tree %d row %d: raw values reach leaf %d, bins leaf %d", ti, i, raw, binned)
					}
				}
			}
			margin := predictMargin(m, d.X)
			got := meanLogLoss(1, margin, &d, float64(d.X.Rows))
			if want := m.TrainLoss[len(m.TrainLoss)-1]; math.Abs(got-want) > 1e-12 {
				t.Errorf("got raw-ensemble train loss %v; want the tracked %v", got, want)
			}
		})
	}
}

func TestEarlyStopping(t *testing.T) {
	logit := func(x []float64) float64 { return x[0] }
	train := synth(8, 2000, 6, 0, logit)
	valid := synth(9, 2000, 6, 0, logit)
	cfg := DefaultConfig()
	cfg.Rounds, cfg.LearningRate, cfg.EarlyStoppingRounds = 300, 0.5, 5
	m := fit(t, train, &valid, cfg)
	best := 0
	for r, l := range m.ValidLoss {
		if l < m.ValidLoss[best] {
			best = r
		}
	}
	if m.BestRound != best {
		t.Errorf("got BestRound %d; want %d, the minimum of ValidLoss", m.BestRound, best)
	}
	if got, want := len(m.ValidLoss), best+1+cfg.EarlyStoppingRounds; got != want {
		t.Errorf("got %d rounds fitted; want %d (stop %d rounds after the best)", got, want, cfg.EarlyStoppingRounds)
	}
	if len(m.ValidLoss) >= cfg.Rounds {
		t.Fatalf("early stopping never triggered in %d rounds", cfg.Rounds)
	}
	if got := len(m.Ensemble.Trees); got != best+1 {
		t.Errorf("got %d trees; want %d (rounds 0..BestRound)", got, best+1)
	}
	if got := len(m.TrainLoss); got != len(m.ValidLoss) {
		t.Errorf("got %d train losses; want %d, one per fitted round", got, len(m.ValidLoss))
	}
	got := meanLogLoss(1, predictMargin(m, valid.X), &valid, float64(valid.X.Rows))
	if math.Abs(got-m.ValidLoss[best]) > 1e-12 {
		t.Errorf("got validation loss %v of the kept ensemble; want ValidLoss[BestRound] = %v", got, m.ValidLoss[best])
	}
}

func TestDeterminism(t *testing.T) {
	d := synth(10, 5000, 6, 0.1, func(x []float64) float64 { return x[0] - x[1] })
	base := DefaultConfig()
	base.Rounds, base.Subsample, base.ColSampleByTree, base.Seed = 20, 0.8, 0.5, 7
	leaf := base
	leaf.Growth, leaf.MaxLeaves = LeafWise, 12
	mono := base
	mono.Monotone = []int8{1, -1, 0, 0, 0, 0}
	for _, tt := range []struct {
		name string
		cfg  Config
	}{{"depth-wise", base}, {"leaf-wise", leaf}, {"monotone", mono}} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Threads = 1
			ref := fit(t, d, nil, cfg)
			for _, threads := range []int{1, 2, 3} {
				cfg.Threads = threads
				m := fit(t, d, nil, cfg)
				if !reflect.DeepEqual(m.Ensemble, ref.Ensemble) {
					t.Errorf("threads=%d: ensemble differs from the 1-thread fit", threads)
				}
				if !slices.Equal(m.TrainLoss, ref.TrainLoss) {
					t.Errorf("threads=%d: train losses differ from the 1-thread fit", threads)
				}
			}
			cfg.Seed++
			if other := fit(t, d, nil, cfg); reflect.DeepEqual(other.Ensemble, ref.Ensemble) {
				t.Errorf("seeds %d and %d gave the same ensemble; want different subsamples", cfg.Seed-1, cfg.Seed)
			}
		})
	}
}

// TestWeightsMatchDuplicates checks that weight 2 acts like a duplicated
// row. Features take few distinct values so binning sees the same cuts.
func TestWeightsMatchDuplicates(t *testing.T) {
	d := synth(11, 3000, 3, 0.1, func(x []float64) float64 { return x[0] + x[1] })
	for i, v := range d.X.Data {
		if !math.IsNaN(v) {
			d.X.Data[i] = math.Round(v * 10)
		}
	}
	w := make([]float64, d.X.Rows)
	var dupIdx []int
	for i := range w {
		w[i] = float64(1 + i%2)
		dupIdx = append(dupIdx, i)
		if i%2 == 1 {
			dupIdx = append(dupIdx, i)
		}
	}
	dupY := make([]float64, len(dupIdx))
	for k, i := range dupIdx {
		dupY[k] = d.Y[i]
	}
	cfg := DefaultConfig()
	cfg.Rounds = 20
	weighted := fit(t, Data{X: d.X, Y: d.Y, Weight: w}, nil, cfg)
	dup := fit(t, Data{X: d.X.SelectRows(dupIdx), Y: dupY}, nil, cfg)
	pw, pd := predictMargin(weighted, d.X), predictMargin(dup, d.X)
	for i := range pw {
		if math.Abs(pw[i]-pd[i]) > 1e-9 {
			t.Fatalf("row %d: weighted margin %v, duplicated-rows margin %v; want equal", i, pw[i], pd[i])
		}
	}
}

func TestColumnSample(t *testing.T) {
	d := synth(12, 3000, 8, 0, func(x []float64) float64 { return x[0] + x[1] + x[2] })
	cfg := DefaultConfig()
	cfg.Rounds, cfg.ColSampleByTree, cfg.Seed = 30, 1.0/8, 3
	m := fit(t, d, nil, cfg)
	used := map[int32]bool{}
	for ti, tr := range m.Ensemble.Trees {
		feats := map[int32]bool{}
		for _, n := range tr.Nodes {
			if !n.IsLeaf() {
				feats[n.Feature] = true
				used[n.Feature] = true
			}
		}
		if len(feats) > 1 {
			t.Fatalf("tree %d splits on %d features; want at most 1 with ColSampleByTree 1/8", ti, len(feats))
		}
	}
	if len(used) < 2 {
		t.Errorf("got %d features used over %d trees; want the sample to vary per tree", len(used), len(m.Ensemble.Trees))
	}
}

func TestConstantAndMissingColumns(t *testing.T) {
	d := synth(13, 2000, 3, 0, func(x []float64) float64 { return 2 * x[2] })
	for i := range d.X.Rows {
		d.X.Set(i, 0, 5)
		d.X.Set(i, 1, math.NaN())
	}
	cfg := DefaultConfig()
	cfg.Rounds = 10
	m := fit(t, d, nil, cfg)
	for ti, tr := range m.Ensemble.Trees {
		for _, n := range tr.Nodes {
			if !n.IsLeaf() && n.Feature != 2 {
				t.Fatalf("tree %d splits on feature %d; want only feature 2", ti, n.Feature)
			}
		}
	}
}

// predictMargin returns the log-odds of every row of X, using every core.
func predictMargin(m *Model, X *matrix.Dense) []float64 {
	dst := make([]float64, X.Rows)
	m.Ensemble.MarginInto(dst, X, 0)
	return dst
}
