package evaluate

import (
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/report"
)

// SegmentAUCs returns the AUC of pd within each level of each segment
// column (NaN where a level holds one class only), segments in the given
// order and levels by size.
func SegmentAUCs(segs []*frame.Column, y, pd []float64) []report.SegmentAUC {
	var out []report.SegmentAUC
	for _, c := range segs {
		byLevel := map[int32][]int{}
		for i, code := range c.Codes {
			byLevel[code] = append(byLevel[code], i)
		}
		codes := make([]int32, 0, len(byLevel))
		for code := range byLevel {
			codes = append(codes, code)
		}
		sort.Slice(codes, func(a, b int) bool {
			na, nb := len(byLevel[codes[a]]), len(byLevel[codes[b]])
			if na != nb {
				return na > nb
			}
			return codes[a] < codes[b]
		})
		for _, code := range codes {
			idx := byLevel[code]
			ys, ps := make([]float64, len(idx)), make([]float64, len(idx))
			var bad float64
			for k, i := range idx {
				ys[k], ps[k] = y[i], pd[i]
				bad += y[i]
			}
			auc, err := metrics.ROCAUC(ys, ps, nil)
			if err != nil {
				auc = math.NaN()
			}
			level := "missing"
			if code >= 0 {
				level = c.Levels[code]
			}
			out = append(out, report.SegmentAUC{Segment: c.Name, Level: level, Rows: len(idx), BadRate: bad / float64(len(idx)), AUC: auc})
		}
	}
	return out
}

// Importance returns the mean |contribution| of each feature to the margin
// over evenly spaced rows of X, largest first. The number of rows is at most
// maxRows and shrinks for large ensembles (TreeSHAP costs about nodes ×
// depth² per row) to keep the step to a few seconds, but never below 200.
func Importance(m *model.Model, X *matrix.Dense, maxRows int) []report.Importance {
	rows := maxRows
	if e := m.Ensemble; e != nil {
		var nodes, depth int
		for i := range e.Trees {
			nodes += len(e.Trees[i].Nodes)
			depth = max(depth, e.Trees[i].Depth())
		}
		const budget = 4e9 // TreeSHAP inner steps
		rows = min(maxRows, max(200, int(budget/float64(max(1, nodes*depth*depth)))))
	}
	step := max(1, X.Rows/rows)
	var idx []int
	for i := 0; i < X.Rows; i += step {
		idx = append(idx, i)
	}
	workers := runtime.GOMAXPROCS(0)
	sums := make([][]float64, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum := make([]float64, X.Cols)
			phi := make([]float64, X.Cols)
			for k := w; k < len(idx); k += workers {
				m.Contributions(phi, X.Row(idx[k]))
				for j, v := range phi {
					sum[j] += math.Abs(v)
				}
			}
			sums[w] = sum
		}()
	}
	wg.Wait()
	out := make([]report.Importance, X.Cols)
	for j := range out {
		var total float64
		for _, s := range sums {
			total += s[j]
		}
		out[j] = report.Importance{Feature: m.Features[j], MeanAbsSHAP: total / float64(max(len(idx), 1))}
	}
	slices.SortStableFunc(out, func(a, b report.Importance) int {
		switch {
		case a.MeanAbsSHAP > b.MeanAbsSHAP:
			return -1
		case a.MeanAbsSHAP < b.MeanAbsSHAP:
			return 1
		}
		return 0
	})
	return out
}
