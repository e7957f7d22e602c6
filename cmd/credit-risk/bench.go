package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"syscall"
	"time"

	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/forest"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

const benchHelp = `
Usage: credit-risk bench train --train T.csv --test S.csv --algo NAME [flags]

Trains one learner on numeric CSVs (the output of features --export-csv: a
target column, empty cells for missing values), scores the test file and
prints ONE JSON line with the keys of ../shared/bench/anchor_train.py
(model, rows_train, rows_test, features, fit_s, predict_s,
predict_rows_per_s, test_auc, peak_rss_mb), so the two compare row for row.
Defaults equal the anchor's: GBDT 100 rounds, depth 6, eta 0.1, 256 bins;
RF 100 trees, depth 10, balanced class weights; LR C=1, balanced.

Examples:
  credit-risk features --export-csv /tmp/lc
  credit-risk bench train --train /tmp/lc/train.csv --test /tmp/lc/test.csv --algo gbdt
`

// benchResult has the anchor's keys.
type benchResult struct {
	Model           string  `json:"model"`
	RowsTrain       int     `json:"rows_train"`
	RowsTest        int     `json:"rows_test"`
	Features        int     `json:"features"`
	FitS            float64 `json:"fit_s"`
	PredictS        float64 `json:"predict_s"`
	PredictRowsPerS float64 `json:"predict_rows_per_s"`
	TestAUC         float64 `json:"test_auc"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
}

func runBench(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] != "train" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprint(m.Stdout, benchHelp)
			return nil
		}
		return fmt.Errorf("%w: bench: want the subcommand train", errUsage)
	}
	fs := newFlagSet(m, "bench train", benchHelp)
	trainPath := fs.String("train", "", "training CSV (required)")
	testPath := fs.String("test", "", "test CSV (required)")
	target := fs.String("target", featurestep.TargetColumn, "label column")
	algo := fs.String("algo", string(learn.GBDT), "learner: "+learners.List(", "))
	rounds := fs.Int("rounds", gbdt.DefaultRounds, "GBDT boosting rounds")
	depth := fs.Int("depth", gbdt.DefaultMaxDepth, "GBDT tree depth")
	eta := fs.Float64("eta", gbdt.DefaultLearningRate, "GBDT learning rate")
	bins := fs.Int("bins", gbdt.DefaultMaxBins, "histogram bins (GBDT, RF)")
	trees := fs.Int("trees", forest.DefaultTrees, "RF trees")
	rfDepth := fs.Int("rf-depth", forest.DefaultMaxDepth, "RF tree depth")
	threads := fs.Int("threads", runtime.NumCPU(), "goroutines")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *trainPath == "" || *testPath == "" {
		return fmt.Errorf("%w: bench train needs --train and --test", errUsage)
	}
	l, err := learners.Lookup(learn.Algorithm(*algo))
	if err != nil {
		return fmt.Errorf("%w: --algo: %v", errUsage, err)
	}
	Xtr, ytr, names, err := featurestep.ReadCSV(*trainPath, *target)
	if err != nil {
		return err
	}
	Xte, yte, namesTe, err := featurestep.ReadCSV(*testPath, *target)
	if err != nil {
		return err
	}
	if len(names) != len(namesTe) {
		return fmt.Errorf("train has %d features, test %d", len(names), len(namesTe))
	}
	res := benchResult{Model: *algo, RowsTrain: Xtr.Rows, RowsTest: Xte.Rows, Features: Xtr.Cols}
	// The learner package's defaults, as the anchor's, with the flags'
	// values for the learners that have flags.
	cfg := l.Package()
	switch c := cfg.(type) {
	case gbdt.Config:
		c.Rounds, c.MaxDepth, c.LearningRate, c.MaxBins = *rounds, *depth, *eta, *bins
		cfg = c
	case forest.Config:
		c.Trees, c.MaxDepth, c.MaxBins = *trees, *rfDepth, *bins
		cfg = c
	}
	start := time.Now()
	fitted, err := l.Fit(ctx, cfg, learners.Set{X: Xtr, Y: ytr}, learners.Set{}, learners.Schema{}, *threads)
	if err != nil {
		return err
	}
	res.FitS = round(time.Since(start).Seconds(), 3)
	p := make([]float64, Xte.Rows)
	start = time.Now()
	fitted.PredictInto(p, Xte, *threads)
	predS := time.Since(start).Seconds()
	res.PredictS = round(predS, 4)
	res.PredictRowsPerS = math.Round(float64(Xte.Rows) / predS)
	auc, err := metrics.ROCAUC(yte, p, nil)
	if err != nil {
		return err
	}
	res.TestAUC = round(auc, 5)
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err == nil {
		res.PeakRSSMB = round(float64(ru.Maxrss)/1024, 1)
	}
	return json.NewEncoder(m.Stdout).Encode(res)
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
