package forest

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// synthetic returns a learnable problem shaped like a credit table: a
// third of the columns continuous (some with missing values), a third
// small integer counts and a third one-hot flags. The label is drawn from a
// logistic model with an interaction and a missing-value effect, so the
// Bayes AUC is well above 0.5 but below 1.
func synthetic(seed uint64, rows, cols int) (*matrix.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 99))
	X := matrix.New(rows, cols)
	y := make([]float64, rows)
	for i := range rows {
		row := X.Row(i)
		for j := range row {
			switch j % 3 {
			case 0:
				row[j] = math.Round(rng.NormFloat64()*1000) / 100
				if j%6 == 0 && rng.Float64() < 0.15 {
					row[j] = math.NaN()
				}
			case 1:
				row[j] = float64(rng.IntN(6))
			case 2:
				if rng.Float64() < 0.2 {
					row[j] = 1
				}
			}
		}
		z := -1.5
		if cols > 0 {
			if math.IsNaN(row[0]) {
				z += 1.5
			} else {
				z += 0.25 * row[0]
			}
		}
		if cols > 2 {
			z += 0.4*row[1] - 1.2*row[2]
		}
		if cols > 3 && !math.IsNaN(row[3]) {
			z += 0.08 * row[3] * row[1]
		}
		if rng.Float64() < sigmoid(z) {
			y[i] = 1
		}
	}
	return X, y
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// auc returns the area under the ROC curve of scores p for labels y, ties
// counted half (the Mann–Whitney statistic, as scikit-learn's
// roc_auc_score).
func auc(tb testing.TB, y, p []float64) float64 {
	tb.Helper()
	idx := make([]int, len(y))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	var rankSum, pos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && p[idx[j]] == p[idx[i]] {
			j++
		}
		rank := float64(i+j+1) / 2
		for _, k := range idx[i:j] {
			if y[k] == 1 {
				rankSum += rank
				pos++
			}
		}
		i = j
	}
	neg := float64(len(y)) - pos
	if pos == 0 || neg == 0 {
		tb.Fatalf("auc: %v positives and %v negatives; want both", pos, neg)
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// newTestGrower bins X and returns a grower for its trees under cfg.
func newTestGrower(tb testing.TB, X *matrix.Dense, y []float64, cfg Config) *grower {
	tb.Helper()
	labels, err := checkData(X, y)
	if err != nil {
		tb.Fatalf("checkData: %v", err)
	}
	bins, err := binning.New(X, binning.Config{MaxBins: cfg.MaxBins})
	if err != nil {
		tb.Fatalf("binning.New: %v", err)
	}
	return newGrower(newData(bins, labels, cfg))
}
