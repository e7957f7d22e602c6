package logreg

import (
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

// splitSeed and splitmix64 define the 80/20 split of the Taiwan data by
// client ID; testdata/golden.py uses the same rule, so both sides train and
// test on the same rows.
const splitSeed = 20240601

func splitmix64(x uint64) uint64 {
	x += 0x9E3779B97F4A7C15
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9
	x = (x ^ (x >> 27)) * 0x94D049BB133111EB
	return x ^ (x >> 31)
}

// loadTaiwan reads UCI_Credit_Card.csv: ID, 23 features, then the label.
// It returns the train and test parts of the split.
func loadTaiwan(tb testing.TB) (trainX *matrix.Dense, trainY []float64, testX *matrix.Dense, testY []float64) {
	tb.Helper()
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		tb.Skip("CREDIT_RISK_DATASETS is not set")
	}
	path := filepath.Join(root, "uci_credit_card_default_taiwan", "UCI_Credit_Card.csv")
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	var train, test [][]float64
	for line, rec := range recs[1:] {
		vals := make([]float64, len(rec))
		for j, s := range rec {
			if vals[j], err = strconv.ParseFloat(s, 64); err != nil {
				tb.Fatalf("%s line %d: %v", path, line+2, err)
			}
		}
		if splitmix64(uint64(vals[0])^splitSeed)%5 == 0 {
			test = append(test, vals[1:])
		} else {
			train = append(train, vals[1:])
		}
	}
	split := func(rows [][]float64) (*matrix.Dense, []float64) {
		cols := len(rows[0]) - 1
		X := matrix.New(len(rows), cols)
		y := make([]float64, len(rows))
		for i, r := range rows {
			copy(X.Row(i), r[:cols])
			y[i] = r[cols]
		}
		return X, y
	}
	trainX, trainY = split(train)
	testX, testY = split(test)
	return trainX, trainY, testX, testY
}

func TestTaiwanAUC(t *testing.T) {
	trainX, trainY, testX, testY := loadTaiwan(t)
	if trainX.Rows != 24049 || testX.Rows != 5951 {
		t.Fatalf("split has %d train and %d test rows; want 24049 and 5951", trainX.Rows, testX.Rows)
	}
	tests := []struct {
		name string
		cfg  Config
		want float64 // scikit-learn StandardScaler + LogisticRegression, testdata/golden.py
	}{
		{"default", Config{}, 0.7250891171716453},
		{"balanced", Config{ClassWeight: learn.Balanced}, 0.7250817421785793},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Fit(t.Context(), trainX, trainY, tc.cfg)
			if err != nil {
				t.Fatalf("Fit: %v", err)
			}
			p := make([]float64, testX.Rows)
			m.PredictProbaInto(p, testX)
			auc, err := metrics.ROCAUC(testY, p, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("test AUC %.6f; scikit-learn %.6f", auc, tc.want)
			if math.Abs(auc-tc.want) > 0.002 {
				t.Errorf("test AUC = %.6f; want %.6f ± 0.002", auc, tc.want)
			}
		})
	}
}

// BenchmarkFitTaiwan fits the default model on the Taiwan training split
// (24049×23); testdata/bench_sklearn.py times scikit-learn on the same rows.
func BenchmarkFitTaiwan(b *testing.B) {
	trainX, trainY, testX, _ := loadTaiwan(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("fit/workers=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Fit(b.Context(), trainX, trainY, Config{Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("predict", func(b *testing.B) {
		m, err := Fit(b.Context(), trainX, trainY, Config{})
		if err != nil {
			b.Fatal(err)
		}
		p := make([]float64, testX.Rows)
		b.ReportAllocs()
		for b.Loop() {
			m.PredictProbaInto(p, testX)
		}
	})
}
