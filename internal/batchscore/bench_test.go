package batchscore

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/sample"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// benchRows is the number of raw rows a File benchmark scores.
const benchRows = 20000

// benchModels returns a 100-tree GBDT of depth 6 and a logistic
// regression on the same pipeline (servetest's Lending Club subset).
func benchModels(b *testing.B) map[string]*model.Model {
	b.Helper()
	gb, _ := servetest.Build(b, servetest.Options{Trees: 100, Depth: 6, Train: true})
	lr, _ := servetest.Build(b, servetest.Options{})
	lr.Ensemble, lr.Calibration, lr.Algorithm, lr.Threshold = nil, nil, "lr", 0.15 // declines about half
	lr.Linear = &linear.Model{Intercept: -0.85}
	for j := range lr.Features {
		lr.Linear.Features = append(lr.Linear.Features, linear.Feature{Scale: 1, Coef: 1e-5 * float64(j%5-2)})
	}
	if err := lr.Init(); err != nil {
		b.Fatal(err)
	}
	return map[string]*model.Model{"gbdt": gb, "lr": lr}
}

// BenchmarkFile scores benchRows rows of sample-data's synthetic Lending
// Club file (151 columns, LC's formats) into a CSV; it reports rows/s.
func BenchmarkFile(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "loans.csv")
	if err := sample.WriteFile(b.Context(), in, sample.Config{Rows: benchRows, Seed: 7, Notes: true}); err != nil {
		b.Fatal(err)
	}
	_, meta := servetest.Build(b, servetest.Options{})
	models := benchModels(b)
	for _, name := range []string{"lr", "gbdt"} {
		m := models[name]
		b.Run(name, func(b *testing.B) {
			out := filepath.Join(dir, "scores-"+name+".csv")
			b.ReportAllocs()
			for b.Loop() {
				sum, err := File(b.Context(), m, meta, in, out, Options{IDColumn: "id"})
				if err != nil || sum.Scored == 0 {
					b.Fatalf("%+v, %v", sum, err)
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkFileWorkers is BenchmarkFile by number of workers.
func BenchmarkFileWorkers(b *testing.B) {
	dir := b.TempDir()
	in := filepath.Join(dir, "loans.csv")
	if err := sample.WriteFile(b.Context(), in, sample.Config{Rows: benchRows, Seed: 7, Notes: true}); err != nil {
		b.Fatal(err)
	}
	_, meta := servetest.Build(b, servetest.Options{})
	m := benchModels(b)["lr"]
	for _, workers := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("lr/workers=%d", workers), func(b *testing.B) {
			out := filepath.Join(dir, "scores.csv")
			b.ReportAllocs()
			for b.Loop() {
				if _, err := File(b.Context(), m, meta, in, out, Options{IDColumn: "id", Workers: workers}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
