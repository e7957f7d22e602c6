package tune

import (
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/specs"
)

// lendingClub runs the clean and features steps on the Lending Club
// 2007-2011 file under $CREDIT_RISK_DATASETS into a temporary directory and
// returns that processed directory. It skips when the variable is unset.
func lendingClub(tb testing.TB) string {
	tb.Helper()
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		tb.Skip("CREDIT_RISK_DATASETS not set")
	}
	src := filepath.Join(root, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv")
	if _, err := os.Stat(src); err != nil {
		tb.Skipf("Lending Club file: %v", err)
	}
	dir := tb.TempDir()
	raw, out := filepath.Join(dir, "raw"), filepath.Join(dir, "processed")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(src, filepath.Join(raw, filepath.Base(src))); err != nil {
		tb.Fatal(err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := clean.Run(tb.Context(), spec, clean.Options{RawDir: raw, OutDir: out}); err != nil {
		tb.Fatalf("clean: %v", err)
	}
	if _, err := featurestep.Run(tb.Context(), featurestep.Options{Dir: out}); err != nil {
		tb.Fatalf("features: %v", err)
	}
	return out
}

// loadProcessed reads the training table of a processed directory, as the
// train step does: rows in date order when the data set has a date.
func loadProcessed(tb testing.TB, dir string) (X *matrix.Dense, y []float64, timeOrdered bool) {
	tb.Helper()
	p, err := featurestep.ReadPipeline(dir)
	if err != nil {
		tb.Fatal(err)
	}
	meta, err := featurestep.ReadMeta(dir)
	if err != nil {
		tb.Fatal(err)
	}
	f, err := parquetfile.ReadFile(filepath.Join(dir, featurestep.TrainFile))
	if err != nil {
		tb.Fatal(err)
	}
	X, y, err = featurestep.Matrix(f, p.FeatureNames())
	if err != nil {
		tb.Fatal(err)
	}
	return X, y, meta.DateColumn != ""
}

func TestLendingClub(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the clean and features steps and fits real models")
	}
	X, y, timeOrdered := loadProcessed(t, lendingClub(t))
	if !timeOrdered || X.Rows < 30000 {
		t.Fatalf("time ordered %v, %d rows; want time-ordered rows, over 30000", timeOrdered, X.Rows)
	}
	res, err := GBDT(t.Context(), X, y, nil, Options{Budget: Budget{Trials: 9, Seconds: noDeadline}, TimeOrdered: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, res)
	t.Logf("gbdt: CV AUC %.4f (default %.4f), %d trials, %.1f s, best %v",
		res.BestAUC, res.DefaultAUC, len(res.Trials), res.Seconds, res.BestParams)
	// Honest application-time models on this file score about 0.70.
	if res.Rung != 2 || res.BestAUC < 0.67 || res.BestAUC > 0.74 {
		t.Errorf("decided on rung %d with CV AUC %.4f; want rung 2 and an AUC in [0.67, 0.74]", res.Rung, res.BestAUC)
	}
}

// BenchmarkDefaultBudget tunes each learner with the default budget, on
// the processed directory $CREDIT_RISK_TUNE_PROCESSED when set (the output
// of `credit-risk features`), else on Lending Club 2007-2011 prepared from
// $CREDIT_RISK_DATASETS. Run it once per learner with -benchtime 1x. It
// reports the cross-validated AUC of the tuned and the default
// configuration, and the process CPU seconds.
func BenchmarkDefaultBudget(b *testing.B) {
	dir := os.Getenv("CREDIT_RISK_TUNE_PROCESSED")
	if dir == "" {
		dir = lendingClub(b)
	}
	X, y, timeOrdered := loadProcessed(b, dir)
	opts := Options{TimeOrdered: timeOrdered}
	for _, tc := range []struct {
		name string
		run  func() (best, def float64, trials int, err error)
	}{
		{"gbdt", func() (float64, float64, int, error) {
			r, err := GBDT(b.Context(), X, y, nil, opts)
			if err != nil {
				return 0, 0, 0, err
			}
			return r.BestAUC, r.DefaultAUC, len(r.Trials), nil
		}},
		{"rf", func() (float64, float64, int, error) {
			r, err := Forest(b.Context(), X, y, nil, opts)
			if err != nil {
				return 0, 0, 0, err
			}
			return r.BestAUC, r.DefaultAUC, len(r.Trials), nil
		}},
		{"lr", func() (float64, float64, int, error) {
			r, err := Logistic(b.Context(), X, y, nil, opts)
			if err != nil {
				return 0, 0, 0, err
			}
			return r.BestAUC, r.DefaultAUC, len(r.Trials), nil
		}},
	} {
		b.Run(tc.name+"/rows="+itoa(X.Rows), func(b *testing.B) {
			b.ReportAllocs()
			var best, def, cpu float64
			var trials int
			for b.Loop() {
				c0, t0 := cpuSeconds(), time.Now()
				var err error
				if best, def, trials, err = tc.run(); err != nil {
					b.Fatal(err)
				}
				cpu += cpuSeconds() - c0
				b.Logf("%s: %.1f s wall, CV AUC %.4f, default %.4f", tc.name, time.Since(t0).Seconds(), best, def)
			}
			b.ReportMetric(best, "cv-auc")
			b.ReportMetric(def, "default-cv-auc")
			b.ReportMetric(math.Round((best-def)*1e4), "gain-bp")
			b.ReportMetric(float64(trials), "trials")
			b.ReportMetric(cpu/float64(b.N), "cpu-s/op")
		})
	}
}

// cpuSeconds returns the user and system CPU time of the process so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
