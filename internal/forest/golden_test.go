package forest

import (
	"encoding/csv"
	"math"
	"os"
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// goldenTol is the largest difference allowed between a probability and
// scikit-learn's: both are a ratio of the same sums of class weights, added
// in a different order.
const goldenTol = 1e-12

// readGolden reads testdata/golden.csv: four features, the label, then one
// column of scikit-learn probabilities per configuration.
func readGolden(tb testing.TB) (X *matrix.Dense, y []float64, preds map[string][]float64) {
	tb.Helper()
	f, err := os.Open("testdata/golden.csv")
	if err != nil {
		tb.Fatalf("open fixture: %v", err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	head, rows := recs[0], recs[1:]
	X = matrix.New(len(rows), 4)
	y = make([]float64, len(rows))
	preds = make(map[string][]float64)
	for i, rec := range rows {
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				tb.Fatalf("fixture row %d column %s: %v", i+1, head[j], err)
			}
			switch {
			case j < 4:
				X.Set(i, j, v)
			case j == 4:
				y[i] = v
			default:
				preds[head[j]] = append(preds[head[j]], v)
			}
		}
	}
	return X, y, preds
}

// TestGoldenSklearn checks single-tree forests without bootstrap against
// scikit-learn's RandomForestClassifier(n_estimators=1, bootstrap=False,
// max_features=None) on a fixture whose features bin without loss.
func TestGoldenSklearn(t *testing.T) {
	X, y, preds := readGolden(t)
	tests := []struct {
		column string
		cfg    func(*Config)
	}{
		{"p_balanced_depth4", func(c *Config) { c.MaxDepth = 4 }},
		{"p_none_depth3_leaf5", func(c *Config) { c.MaxDepth, c.MinSamplesLeaf, c.ClassWeight = 3, 5, learn.Unweighted }},
	}
	for _, tt := range tests {
		t.Run(tt.column, func(t *testing.T) {
			want, ok := preds[tt.column]
			if !ok {
				t.Fatalf("fixture has no column %s", tt.column)
			}
			cfg := DefaultConfig()
			cfg.Trees, cfg.Bootstrap, cfg.MaxFeatures = 1, false, X.Cols
			tt.cfg(&cfg)
			e, err := Fit(t.Context(), X, y, cfg)
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			got := make([]float64, X.Rows)
			e.PredictInto(got, X, 1)
			for i := range got {
				if math.Abs(got[i]-want[i]) > goldenTol {
					t.Fatalf("row %d: got probability %v; want %v (scikit-learn)", i, got[i], want[i])
				}
			}
		})
	}
}
