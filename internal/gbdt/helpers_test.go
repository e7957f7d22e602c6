package gbdt

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// synth draws n rows of nf standard-normal features (a share missing) and
// labels y ~ Bernoulli(sigmoid(logit(x))). logit sees NaN for missing values.
func synth(seed uint64, n, nf int, missing float64, logit func(x []float64) float64) Data {
	rng := rand.New(rand.NewPCG(seed, 99))
	X := matrix.New(n, nf)
	y := make([]float64, n)
	for i := range n {
		row := X.Row(i)
		for j := range row {
			row[j] = rng.NormFloat64()
			if rng.Float64() < missing {
				row[j] = math.NaN()
			}
		}
		if rng.Float64() < tree.Sigmoid(logit(row)) {
			y[i] = 1
		}
	}
	return Data{X: X, Y: y}
}

// auc returns the area under the ROC curve of scores p for labels y, ties
// counted half (the Mann-Whitney statistic, as scikit-learn's roc_auc_score).
func auc(tb testing.TB, p, y []float64) float64 {
	tb.Helper()
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return p[idx[a]] < p[idx[b]] })
	var rankSum, npos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && p[idx[j]] == p[idx[i]] {
			j++
		}
		r := float64(i+j+1) / 2
		for k := i; k < j; k++ {
			if y[idx[k]] == 1 {
				rankSum += r
				npos++
			}
		}
		i = j
	}
	nneg := float64(len(p)) - npos
	if npos == 0 || nneg == 0 {
		tb.Fatalf("auc: only one class among %d labels", len(y))
	}
	return (rankSum - npos*(npos+1)/2) / (npos * nneg)
}

// logLoss returns the mean log loss of probabilities p for labels y.
func logLoss(p, y []float64) float64 {
	var s float64
	for i := range p {
		q := min(max(p[i], 1e-15), 1-1e-15)
		if y[i] == 1 {
			s -= math.Log(q)
		} else {
			s -= math.Log(1 - q)
		}
	}
	return s / float64(len(p))
}

// fit calls Fit and fails the test on error.
func fit(tb testing.TB, train Data, valid *Data, cfg Config) *Model {
	tb.Helper()
	m, err := FitData(tb.Context(), train, valid, cfg)
	if err != nil {
		tb.Fatalf("Fit: %v", err)
	}
	if err := m.Ensemble.Validate(); err != nil {
		tb.Fatalf("fitted ensemble invalid: %v", err)
	}
	return m
}
