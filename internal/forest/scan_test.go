package forest

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// TestAllMissingNode grows trees with a node in which every row lacks the
// only feature. The root splits missing from present values; its missing
// child then scans a histogram whose present bins are all empty. With 256
// bin codes and a node large enough for batched histograms, that scan once
// narrowed its bin range with a uint8 counter that wrapped from 255 to 0
// and never ended.
func TestAllMissingNode(t *testing.T) {
	tests := []struct {
		name     string
		present  int // rows with distinct present values, all of class 0
		missing  int // rows with missing values, alternating classes
		wantBins int
	}{
		{"256 bins, batched node", 300, 300, 256},
		{"256 bins, small node", 300, 100, 256},
		{"few bins, batched node", 50, 300, 51},
		{"few bins, small node", 50, 100, 51},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := tc.present + tc.missing
			X := matrix.New(n, 1)
			y := make([]float64, n)
			for i := range tc.present {
				X.Data[i] = float64(i)
			}
			for i := tc.present; i < n; i++ {
				X.Data[i] = math.NaN()
				y[i] = float64(i % 2)
			}
			bins, err := binning.New(X, binning.Config{MaxBins: DefaultMaxBins})
			if err != nil {
				t.Fatalf("binning.New: %v", err)
			}
			if got := bins.Cuts.NumBins(0); got != tc.wantBins {
				t.Fatalf("NumBins(0) = %d; want %d", got, tc.wantBins)
			}

			cfg := DefaultConfig()
			cfg.Trees = 2
			cfg.MaxDepth = 0
			cfg.Bootstrap = false
			cfg.ClassWeight = learn.Unweighted
			cfg.Threads = 1
			type result struct {
				e   *tree.Ensemble
				err error
			}
			done := make(chan result, 1)
			go func() {
				e, err := Fit(context.Background(), X, y, cfg)
				done <- result{e, err}
			}()
			var res result
			select {
			case res = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("Fit did not return within 10s")
			}
			if res.err != nil {
				t.Fatalf("Fit: %v", res.err)
			}
			if err := res.e.Validate(); err != nil {
				t.Fatalf("fitted ensemble invalid: %v", err)
			}

			for k, tr := range res.e.Trees {
				if got := len(tr.Nodes); got != 3 {
					t.Fatalf("tree %d has %d nodes; want 3", k, got)
				}
				root := tr.Nodes[0]
				if root.Feature != 0 || root.Threshold != -math.MaxFloat64 || !root.DefaultLeft {
					t.Errorf("tree %d root = feature %d, threshold %g, default left %t; want 0, %g, true",
						k, root.Feature, root.Threshold, root.DefaultLeft, -math.MaxFloat64)
				}
				left, right := tr.Nodes[root.Left], tr.Nodes[root.Right]
				if left.Feature != -1 || left.Value != 0.5 || left.Cover != float64(tc.missing) {
					t.Errorf("tree %d missing child = feature %d, value %g, cover %g; want leaf, 0.5, %d",
						k, left.Feature, left.Value, left.Cover, tc.missing)
				}
				if right.Feature != -1 || right.Value != 0 || right.Cover != float64(tc.present) {
					t.Errorf("tree %d present child = feature %d, value %g, cover %g; want leaf, 0, %d",
						k, right.Feature, right.Value, right.Cover, tc.present)
				}
			}
		})
	}
}
