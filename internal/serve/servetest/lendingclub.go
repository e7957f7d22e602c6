package servetest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/train"
	"github.com/credit-risk/credit-risk/specs"
)

// LendingClubFile is the raw Lending Club 2007-2011 export, relative to the
// datasets folder.
const LendingClubFile = "lending_club_loanstats3a_2007_2011/LoanStats3a_securev1_2007_2011.csv"

// DatasetsDir returns the datasets folder named by CREDIT_RISK_DATASETS,
// and skips the test when it is unset or the Lending Club file is absent.
func DatasetsDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		tb.Skip("CREDIT_RISK_DATASETS is not set")
	}
	if _, err := os.Stat(filepath.Join(dir, LendingClubFile)); err != nil {
		tb.Skipf("no Lending Club file: %v", err)
	}
	return dir
}

// TrainLendingClub runs the pipeline's clean, features and train steps on
// the real Lending Club file into work (data/, models/), with a boosted
// model of the given number of rounds, saves it as models/gbdt_v1.model,
// points the alias at it and returns the models folder.
func TrainLendingClub(tb testing.TB, datasets, work string, rounds int) string {
	tb.Helper()
	ctx := context.Background()
	raw := filepath.Join(work, "data", "raw")
	processed := filepath.Join(work, "data", "processed")
	models := filepath.Join(work, "models")
	for _, d := range []string{raw, processed, models} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	src := filepath.Join(datasets, LendingClubFile)
	if err := os.Symlink(src, filepath.Join(raw, filepath.Base(src))); err != nil {
		tb.Fatal(err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := clean.Run(ctx, spec, clean.Options{RawDir: raw, OutDir: processed}); err != nil {
		tb.Fatalf("clean: %v", err)
	}
	if _, err := featurestep.Run(ctx, featurestep.Options{Dir: processed}); err != nil {
		tb.Fatalf("features: %v", err)
	}
	d, err := train.Load(processed)
	if err != nil {
		tb.Fatalf("load tables: %v", err)
	}
	cfg := gbdt.DefaultConfig()
	cfg.Rounds = rounds
	cfg.EarlyStoppingRounds = 0
	m, meta, _, err := train.Fit(ctx, d, learn.GBDT, train.Options{Configs: map[learn.Algorithm]any{learn.GBDT: cfg}})
	if err != nil {
		tb.Fatalf("train: %v", err)
	}
	m.Version = 1
	if err := model.Save(models, "gbdt_v1", m, meta); err != nil {
		tb.Fatal(err)
	}
	SetAlias(tb, models, "gbdt_v1")
	return models
}

// LendingClubRows returns the header of the raw Lending Club file and up to
// n of its rows, one in every `every` (notes and summary lines skipped), as
// the dataset reader gives them.
func LendingClubRows(tb testing.TB, datasets string, n, every int) ([]string, [][]string) {
	tb.Helper()
	spec, err := specs.Load(specs.Default)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(datasets, LendingClubFile)
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	rd, err := dataset.NewReader(f, path, spec.Format, spec.Target.Column)
	if err != nil {
		tb.Fatal(err)
	}
	var rows [][]string
	for k := 0; len(rows) < n; k++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
		if k%every == 0 {
			rows = append(rows, slices.Clone(rec))
		}
	}
	return rd.Header(), rows
}
