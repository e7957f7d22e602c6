package shap

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// tol is the agreement asked of exact computations that differ only in the
// order of floating-point operations.
const tol = 1e-9

func TestExplain_LocalAccuracy(t *testing.T) {
	tests := []struct {
		name        string
		trees       int
		numFeatures int
		spec        treeSpec
		grid        bool
		nanRate     float64
	}{
		{"stumps", 20, 3, treeSpec{features: 3, depth: 1, full: true}, false, 0.2},
		{"shallow grid with ties", 10, 5, treeSpec{features: 5, depth: 3, grid: true}, true, 0.2},
		{"deep few features", 10, 4, treeSpec{features: 4, depth: 10}, false, 0.2},
		{"full depth 6", 30, 45, treeSpec{features: 45, depth: 6, full: true}, false, 0.1},
		{"all missing", 10, 8, treeSpec{features: 8, depth: 5}, false, 1},
		{"zero covers", 20, 6, treeSpec{features: 6, depth: 6, grid: true, zeroCover: true}, true, 0.2},
		{"unused features", 10, 50, treeSpec{features: 7, depth: 6}, false, 0.1},
		{"several quadrature blocks", 5, 20, treeSpec{features: 20, depth: 12}, false, 0.2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			for range 5 {
				e := randomEnsemble(t, rng, tt.trees, tt.numFeatures, tt.spec)
				x, err := NewExplainer(e)
				if err != nil {
					t.Fatalf("NewExplainer: %v", err)
				}
				phi := make([]float64, tt.numFeatures)
				for range 40 {
					row := randomRow(rng, tt.numFeatures, tt.grid, tt.nanRate)
					base := x.Explain(phi, row)
					got, want := base+sum(phi), e.Margin(row)
					if !closeTo(got, want, tol) {
						t.Fatalf("base + Σφ = %.15g; want margin %.15g (row %v)", got, want, row)
					}
				}
			}
		})
	}
}

func TestExplain_BruteForce(t *testing.T) {
	tests := []struct {
		name        string
		trees       int
		numFeatures int
		spec        treeSpec
		grid        bool
	}{
		{"one stump", 1, 1, treeSpec{features: 1, depth: 1, full: true}, false},
		{"one tree, repeated features", 1, 2, treeSpec{features: 2, depth: 4, grid: true}, true},
		{"one full tree", 1, 5, treeSpec{features: 5, depth: 4, full: true}, false},
		{"ensemble", 5, 5, treeSpec{features: 5, depth: 4, grid: true}, true},
		{"ensemble with zero covers", 5, 5, treeSpec{features: 5, depth: 4, grid: true, zeroCover: true}, true},
		{"unused feature", 3, 5, treeSpec{features: 3, depth: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(3, 4))
			for range 30 {
				e := randomEnsemble(t, rng, tt.trees, tt.numFeatures, tt.spec)
				x, err := NewExplainer(e)
				if err != nil {
					t.Fatalf("NewExplainer: %v", err)
				}
				got := make([]float64, tt.numFeatures)
				for range 10 {
					row := randomRow(rng, tt.numFeatures, tt.grid, 0.2)
					base := x.Explain(got, row)
					want, wantBase := bruteForce(e, row)
					if !closeTo(base, wantBase, tol) {
						t.Fatalf("base = %.15g; want %.15g", base, wantBase)
					}
					for j := range want {
						if !closeTo(got[j], want[j], tol) {
							t.Fatalf("row %v: φ[%d] = %.15g; want %.15g (all: got %v; want %v)",
								row, j, got[j], want[j], got, want)
						}
					}
				}
			}
		})
	}
}

func TestExplain_UnusedFeatureIsZero(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const used, numFeatures = 6, 9
	e := randomEnsemble(t, rng, 20, numFeatures, treeSpec{features: used, depth: 6})
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	phi := make([]float64, numFeatures)
	for range 100 {
		x.Explain(phi, randomRow(rng, numFeatures, false, 0.2))
		for j := used; j < numFeatures; j++ {
			if phi[j] != 0 {
				t.Fatalf("φ[%d] = %g for a feature no tree uses; want 0", j, phi[j])
			}
		}
	}
}

// andTree returns the tree of f(x) = 1 if x0 >= 0 and x1 >= 0, else 0, with
// every split halving the cover: x0 and x1 play symmetric roles.
func andTree() *tree.Ensemble {
	return &tree.Ensemble{
		NumFeatures: 2,
		Scale:       1,
		Output:      tree.Probability,
		Trees: []tree.Tree{{Nodes: []tree.Node{
			{Feature: 0, Left: 1, Right: 2, Cover: 4, Value: 0.25},
			{Feature: -1, Cover: 2, Value: 0},
			{Feature: 1, Left: 3, Right: 4, Cover: 2, Value: 0.5},
			{Feature: -1, Cover: 1, Value: 0},
			{Feature: -1, Cover: 1, Value: 1},
		}}},
	}
}

func TestExplain_Symmetry(t *testing.T) {
	x, err := NewExplainer(andTree())
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	// E[f] = 1/4. With both features on, f = 1 and each feature gets half
	// of the 3/4 gap. With both off, f = 0: v({0}) = v({1}) = 0, so each
	// gets -1/8. With x0 on and x1 off: v({0}) = 1/2, v({1}) = 0, v({0,1}) =
	// 0, so φ0 = ½(1/2-1/4) + ½(0-0) = 1/8 and φ1 = -3/8.
	tests := []struct {
		name string
		row  []float64
		want []float64
	}{
		{"both on", []float64{1, 1}, []float64{0.375, 0.375}},
		{"both off", []float64{-1, -1}, []float64{-0.125, -0.125}},
		{"first on", []float64{1, -1}, []float64{0.125, -0.375}},
		{"second on", []float64{-1, 1}, []float64{-0.375, 0.125}},
		{"at thresholds", []float64{0, 0}, []float64{0.375, 0.375}},
		{"missing goes right", []float64{math.NaN(), math.NaN()}, []float64{0.375, 0.375}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			phi := make([]float64, 2)
			base := x.Explain(phi, tt.row)
			if base != 0.25 {
				t.Errorf("base = %g; want 0.25", base)
			}
			for j := range phi {
				if !closeTo(phi[j], tt.want[j], tol) {
					t.Errorf("φ[%d] = %g; want %g", j, phi[j], tt.want[j])
				}
			}
		})
	}
}

// TestExplain_MissingLikePrediction checks that a missing value takes the
// DefaultLeft branch: on a stump the whole gap goes to the one feature.
func TestExplain_MissingLikePrediction(t *testing.T) {
	stump := func(defaultLeft bool) *tree.Ensemble {
		return &tree.Ensemble{
			NumFeatures: 1,
			Base:        -1,
			Scale:       2,
			Output:      tree.LogOdds,
			Trees: []tree.Tree{{Nodes: []tree.Node{
				{Feature: 0, Threshold: 3, DefaultLeft: defaultLeft, Left: 1, Right: 2, Cover: 4},
				{Feature: -1, Value: -1, Cover: 3},
				{Feature: -1, Value: 1, Cover: 1},
			}}},
		}
	}
	// E[tree] = (3·-1 + 1·1)/4 = -1/2, so base = -1 + 2·-1/2 = -2; the
	// margin is -3 on the left and 1 on the right.
	tests := []struct {
		name        string
		defaultLeft bool
		x           float64
		want        float64 // φ0 = margin - base
	}{
		{"below", false, 2.5, -1},
		{"at threshold", true, 3, 3},
		{"above", true, 7, 3},
		{"missing, default left", true, math.NaN(), -1},
		{"missing, default right", false, math.NaN(), 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := NewExplainer(stump(tt.defaultLeft))
			if err != nil {
				t.Fatalf("NewExplainer: %v", err)
			}
			phi := make([]float64, 1)
			if base := x.Explain(phi, []float64{tt.x}); base != -2 {
				t.Errorf("base = %g; want -2", base)
			}
			if !closeTo(phi[0], tt.want, tol) {
				t.Errorf("φ0 = %g; want %g", phi[0], tt.want)
			}
		})
	}
}

func TestNewExplainer_Errors(t *testing.T) {
	leaf := func(cover float64) tree.Node { return tree.Node{Feature: -1, Cover: cover, Value: 1} }
	split := func(l, r int32, cover float64) tree.Node {
		return tree.Node{Feature: 0, Left: l, Right: r, Cover: cover}
	}
	ensemble := func(nodes ...tree.Node) *tree.Ensemble {
		return &tree.Ensemble{NumFeatures: 1, Scale: 1, Output: tree.LogOdds, Trees: []tree.Tree{{Nodes: nodes}}}
	}
	chain := make([]tree.Node, 0, 2*MaxDepth+3)
	for d := range MaxDepth + 1 {
		i := int32(2 * d)
		chain = append(chain, split(i+1, i+2, 1), leaf(0.5))
	}
	chain = append(chain, leaf(0.5))
	tests := []struct {
		name    string
		e       *tree.Ensemble
		wantMsg string
		tree    bool // also wraps tree.ErrInvalid
	}{
		{"nil", nil, "nil ensemble", false},
		{"fails Validate", &tree.Ensemble{NumFeatures: 0, Output: tree.LogOdds, Scale: 1}, "0 features", true},
		{"negative cover", ensemble(split(1, 2, 2), leaf(-1), leaf(3)), "negative cover", false},
		{"children without cover", ensemble(split(1, 2, 1), leaf(0), leaf(0)), "children have no cover", false},
		{"shared child", ensemble(split(1, 2, 2), split(3, 3, 2), leaf(1), leaf(1)), "2 parents", false},
		{"orphan", ensemble(split(1, 3, 2), leaf(1), leaf(1), leaf(1)), "0 parents", false},
		{"too deep", ensemble(chain...), "deeper than", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := NewExplainer(tt.e)
			if err == nil {
				t.Fatalf("NewExplainer = %v, nil; want an error", x)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", err)
			}
			if got := errors.Is(err, tree.ErrInvalid); got != tt.tree {
				t.Errorf("errors.Is(%q, tree.ErrInvalid) = %v; want %v", err, got, tt.tree)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantMsg)
			}
		})
	}
}

func TestNewExplainer_AcceptsEdgeCases(t *testing.T) {
	tests := []struct {
		name     string
		e        *tree.Ensemble
		wantBase float64
	}{
		{"no trees", &tree.Ensemble{NumFeatures: 2, Base: 0.5, Scale: 1, Output: tree.LogOdds}, 0.5},
		{"single leaf", &tree.Ensemble{NumFeatures: 2, Base: 0.5, Scale: 2, Output: tree.LogOdds,
			Trees: []tree.Tree{{Nodes: []tree.Node{{Feature: -1, Value: 0.25, Cover: 0}}}}}, 1},
		{"empty child", &tree.Ensemble{NumFeatures: 1, Scale: 1, Output: tree.LogOdds,
			Trees: []tree.Tree{{Nodes: []tree.Node{
				{Feature: 0, Left: 1, Right: 2, Cover: 2},
				{Feature: -1, Value: 5, Cover: 0},
				{Feature: -1, Value: 1, Cover: 2},
			}}}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x, err := NewExplainer(tt.e)
			if err != nil {
				t.Fatalf("NewExplainer: %v", err)
			}
			if got := x.ExpectedValue(); got != tt.wantBase {
				t.Errorf("ExpectedValue() = %g; want %g", got, tt.wantBase)
			}
			phi := make([]float64, tt.e.NumFeatures)
			for _, v := range []float64{-1, 1, math.NaN()} {
				row := make([]float64, tt.e.NumFeatures)
				for j := range row {
					row[j] = v
				}
				base := x.Explain(phi, row)
				if got, want := base+sum(phi), tt.e.Margin(row); !closeTo(got, want, tol) {
					t.Errorf("x=%g: base + Σφ = %g; want margin %g", v, got, want)
				}
			}
		})
	}
}

// TestNewExplainer_Copies checks that the Explainer does not alias the
// ensemble it was built from.
func TestNewExplainer_Copies(t *testing.T) {
	e := andTree()
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	e.Trees[0].Nodes[4].Value = 100
	phi := make([]float64, 2)
	if base := x.Explain(phi, []float64{1, 1}); !closeTo(base+sum(phi), 1, tol) {
		t.Errorf("after changing the ensemble, base + Σφ = %g; want 1", base+sum(phi))
	}
}

func TestExplain_Concurrent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const numFeatures = 12
	e := randomEnsemble(t, rng, 30, numFeatures, treeSpec{features: numFeatures, depth: 6})
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	rows := make([][]float64, 50)
	want := make([][]float64, len(rows))
	for i := range rows {
		rows[i] = randomRow(rng, numFeatures, false, 0.1)
		want[i] = make([]float64, numFeatures)
		x.Explain(want[i], rows[i])
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for range 4 {
		wg.Go(func() {
			phi := make([]float64, numFeatures)
			for i, row := range rows {
				x.Explain(phi, row)
				for j := range phi {
					if phi[j] != want[i][j] {
						errs <- "concurrent Explain differs from sequential"
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func TestExplainInto(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const numFeatures = 10
	e := randomEnsemble(t, rng, 20, numFeatures, treeSpec{features: numFeatures, depth: 5})
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	for _, rows := range []int{0, 1, 63, 64, 65, 300} {
		X := matrix.New(rows, numFeatures)
		for i := range rows {
			copy(X.Row(i), randomRow(rng, numFeatures, false, 0.1))
		}
		want := matrix.New(rows, numFeatures)
		for i := range rows {
			x.Explain(want.Row(i), X.Row(i))
		}
		for _, threads := range []int{0, 1, 2, 3} {
			dst := matrix.New(rows, numFeatures)
			base, err := x.ExplainInto(t.Context(), dst, X, threads)
			if err != nil {
				t.Fatalf("rows=%d threads=%d: ExplainInto: %v", rows, threads, err)
			}
			if base != x.ExpectedValue() {
				t.Errorf("rows=%d threads=%d: base = %g; want %g", rows, threads, base, x.ExpectedValue())
			}
			for k := range dst.Data {
				if dst.Data[k] != want.Data[k] {
					t.Fatalf("rows=%d threads=%d: dst[%d] = %g; want %g", rows, threads, k, dst.Data[k], want.Data[k])
				}
			}
		}
	}
}

func TestExplainInto_Cancelled(t *testing.T) {
	x, err := NewExplainer(andTree())
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	X := matrix.New(1000, 2)
	for _, threads := range []int{1, 2} {
		_, err := x.ExplainInto(ctx, matrix.New(1000, 2), X, threads)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("threads=%d: error %v; want context.Canceled", threads, err)
		}
	}
}

func TestExplain_NoAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	rng := rand.New(rand.NewPCG(11, 12))
	e := randomEnsemble(t, rng, 10, 20, treeSpec{features: 20, depth: 6, full: true})
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	row := randomRow(rng, 20, false, 0.1)
	phi := make([]float64, 20)
	x.Explain(phi, row)
	if n := testing.AllocsPerRun(100, func() { x.Explain(phi, row) }); n != 0 {
		t.Errorf("Explain allocates %g times per call; want 0", n)
	}
}

func TestExplain_PanicsOnBadLengths(t *testing.T) {
	x, err := NewExplainer(andTree())
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	tests := []struct {
		name string
		call func()
		want string
	}{
		{"short row", func() { x.Explain(make([]float64, 2), []float64{1}) }, "row has 1 values"},
		{"long dst", func() { x.Explain(make([]float64, 3), []float64{1, 2}) }, "dst has 3 values"},
		{"X columns", func() { x.ExplainInto(t.Context(), matrix.New(1, 2), matrix.New(1, 3), 1) }, "X has 3 columns"},
		{"dst rows", func() { x.ExplainInto(t.Context(), matrix.New(2, 2), matrix.New(1, 2), 1) }, "dst is 2×2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.Contains(msg, tt.want) {
					t.Errorf("panic %v; want one mentioning %q", r, tt.want)
				}
			}()
			tt.call()
		})
	}
}
