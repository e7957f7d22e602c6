package fit

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

// ErrLeakage is wrapped when a single feature separates the classes almost
// perfectly on the training rows.
var ErrLeakage = errors.New("leakage")

// LeakageAUC is the distance from 0.5 of a single feature's AUC above which
// the feature is taken to leak the outcome. The features step refuses such
// a feature; the validate step's quality report flags such a raw column.
const LeakageAUC = 0.4

// LeakageFinding is the training AUC of one feature on its own.
type LeakageFinding struct {
	Feature string  `json:"feature"`
	AUC     float64 `json:"auc"`
}

// CheckLeakage computes the ROC-AUC of each column of the training matrix
// X on its own against the labels y (missing values left out; a column
// whose non-missing rows hold one class is skipped) and returns them all,
// in column order. When some |AUC − 0.5| exceeds LeakageAUC the error wraps
// ErrLeakage and names the worst column.
func CheckLeakage(names []string, X *matrix.Dense, y []float64) ([]LeakageFinding, error) {
	var leaks, all []LeakageFinding
	col := make([]float64, 0, X.Rows)
	lab := make([]float64, 0, X.Rows)
	for j, name := range names {
		col, lab = col[:0], lab[:0]
		for i := 0; i < X.Rows; i++ {
			if v := X.At(i, j); !math.IsNaN(v) {
				col = append(col, v)
				lab = append(lab, y[i])
			}
		}
		auc, err := metrics.ROCAUC(lab, col, nil)
		if err != nil {
			continue // one class among the non-missing rows: no signal to judge
		}
		f := LeakageFinding{Feature: name, AUC: auc}
		all = append(all, f)
		if math.Abs(auc-0.5) > LeakageAUC {
			leaks = append(leaks, f)
		}
	}
	if len(leaks) == 0 {
		return all, nil
	}
	slices.SortFunc(leaks, func(a, b LeakageFinding) int {
		return cmpFloat(math.Abs(b.AUC-0.5), math.Abs(a.AUC-0.5))
	})
	return all, fmt.Errorf("%w: %s separates the classes almost perfectly on its own (training AUC %.3f); it is probably recorded after the outcome: list it in the spec's leakage_columns", ErrLeakage, leaks[0].Feature, leaks[0].AUC)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
