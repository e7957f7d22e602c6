package report_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/split"
)

func ExampleWrite() {
	dir, err := os.MkdirTemp("", "report-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	y := []float64{0, 0, 1, 0, 1, 0, 0, 1, 0, 0}
	in := &report.Input{
		RunID:     "run-1",
		Dataset:   "lending_club",
		CreatedAt: time.Date(2024, 6, 11, 10, 0, 0, 0, time.UTC),
		Data:      report.DataSummary{RowsRead: 10, Labelled: 10, Bad: 3, TestRows: 10, TestBadRate: 0.3, SplitKind: split.KindStratified},
		Candidates: []report.Candidate{
			{
				Name: "gbdt", Algorithm: "gbdt", Version: 1, Champion: true,
				Threshold: 0.5, ThresholdRule: "maximise F1 on validation",
				Metrics:    metrics.Summary{ROCAUC: 0.95},
				Y:          y,
				PD:         []float64{0.1, 0.2, 0.8, 0.3, 0.6, 0.1, 0.4, 0.9, 0.2, 0.55},
				Importance: []report.Importance{{Feature: "int_rate", MeanAbsSHAP: 0.4}, {Feature: "dti", MeanAbsSHAP: 0.1}},
			},
			{
				Name: "logistic", Algorithm: "linear", Version: 1,
				Threshold: 0.4,
				Y:         y,
				PD:        []float64{0.2, 0.3, 0.6, 0.2, 0.4, 0.3, 0.5, 0.7, 0.1, 0.3},
			},
		},
	}
	path, err := report.Write(context.Background(), dir, in)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(path))
	plots, err := os.ReadDir(filepath.Join(dir, report.PlotDir))
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range plots {
		fmt.Println(report.PlotDir + "/" + p.Name())
	}
	// Output:
	// report.html
	// plots/calibration.svg
	// plots/importance.svg
	// plots/pr.svg
	// plots/roc.svg
	// plots/score_distribution.svg
}
