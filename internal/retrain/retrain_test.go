package retrain

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/internal/sample"
	"github.com/credit-risk/credit-risk/internal/train"
	"github.com/credit-risk/credit-risk/specs"
)

// testRun returns the options of a run in a fresh folder holding rows
// synthetic Lending Club loans in data/raw.
func testRun(t testing.TB, rows int) Options {
	t.Helper()
	dir := t.TempDir()
	raw := filepath.Join(dir, "data", "raw")
	if err := sample.WriteFile(t.Context(), filepath.Join(raw, "loans.csv"), sample.Config{Rows: rows, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Spec: spec, SpecSource: "built-in", DataDir: filepath.Join(dir, "data"),
		ModelsDir: filepath.Join(dir, "models"), ArtifactsDir: filepath.Join(dir, "artifacts"),
		Algorithms: []learn.Algorithm{learn.Logistic}, CodeVersion: "test",
	}
}

// lastRun returns the newest run in the registry of o.
func lastRun(t testing.TB, o Options) registry.Run {
	t.Helper()
	reg, err := registry.Read(filepath.Join(o.ArtifactsDir, "registry"))
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Runs) == 0 {
		t.Fatal("no run in the registry")
	}
	return reg.Runs[len(reg.Runs)-1]
}

var errTuner = errors.New("tuner broke")

// TestRun_failedStep breaks one step of a run at a time and checks that
// the error and the registry's record of the run both name that step.
func TestRun_failedStep(t *testing.T) {
	tests := []struct {
		step  string
		setup func(t *testing.T, o *Options)
		is    error  // the error wraps it, when not nil
		says  string // the error says it
	}{
		{"clean", func(t *testing.T, o *Options) {
			// No raw folder.
			if err := os.RemoveAll(filepath.Join(o.DataDir, "raw")); err != nil {
				t.Fatal(err)
			}
		}, os.ErrNotExist, "raw data folder"},
		{"features", func(t *testing.T, o *Options) {
			// Payment totals, known only after the loan, left in as
			// features give the outcome away.
			spec := *o.Spec
			spec.LeakageColumns = nil
			o.Spec = &spec
		}, fit.ErrLeakage, "leakage_columns"},
		{"tune", func(t *testing.T, o *Options) {
			o.Tune = func(context.Context, *train.Data, []learn.Algorithm, Progressf) (train.Options, map[string]any, error) {
				return train.Options{}, nil, errTuner
			}
		}, errTuner, "tune: tuner broke"},
		{"train", func(t *testing.T, o *Options) {
			o.Algorithms = []learn.Algorithm{"nope"}
		}, nil, `train: nope: unknown learner "nope"`},
		{"report", func(t *testing.T, o *Options) {
			// The tuning hook runs once the run's report folder exists:
			// it puts a folder where the report's page goes.
			o.Tune = func(context.Context, *train.Data, []learn.Algorithm, Progressf) (train.Options, map[string]any, error) {
				runs, err := filepath.Glob(filepath.Join(o.ArtifactsDir, "reports", "*"))
				if err != nil || len(runs) != 1 {
					t.Fatalf("report folders %v, %v; want one", runs, err)
				}
				return train.Options{}, nil, os.Mkdir(filepath.Join(runs[0], "report.html"), 0o755)
			}
		}, nil, "report.html"},
		{"promote", func(t *testing.T, o *Options) {
			// A folder where the champion alias goes.
			if err := os.MkdirAll(filepath.Join(o.ModelsDir, registry.AliasBase+model.Ext, "x"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, nil, "alias"},
	}
	for _, tt := range tests {
		t.Run(tt.step, func(t *testing.T) {
			o := testRun(t, 3000)
			tt.setup(t, &o)
			sum, err := Run(t.Context(), o)
			if err == nil {
				t.Fatalf("the run succeeded: %+v", sum)
			}
			if !strings.HasPrefix(err.Error(), tt.step+": ") {
				t.Errorf("error %q; want it to start with %q", err, tt.step+": ")
			}
			if !strings.Contains(err.Error(), tt.says) {
				t.Errorf("error %q; want it to say %q", err, tt.says)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %q; want it to wrap %q", err, tt.is)
			}
			run := lastRun(t, o)
			if run.Status != registry.RunFailed || run.Step != tt.step || run.Error != err.Error() || run.Ended == nil {
				t.Errorf("registry run: status %q, step %q, error %q, ended %v; want %q, %q, %q, a time",
					run.Status, run.Step, run.Error, run.Ended, registry.RunFailed, tt.step, err.Error())
			}
		})
	}
}

// TestRun_versions runs twice: every learner gets version 1, then 2, in
// the summary, the model files and the registry.
func TestRun_versions(t *testing.T) {
	o := testRun(t, 3000)
	o.Algorithms = learners.Names()
	for want := 1; want <= 2; want++ {
		sum, err := Run(t.Context(), o)
		if err != nil {
			t.Fatalf("run %d: %v", want, err)
		}
		if len(sum.Candidates) != len(o.Algorithms) {
			t.Fatalf("run %d: %d candidates; want %d", want, len(sum.Candidates), len(o.Algorithms))
		}
		for i, c := range sum.Candidates {
			if c.Algorithm != o.Algorithms[i] || c.Version != want {
				t.Errorf("run %d: candidate %d is %s v%d; want %s v%d", want, i, c.Algorithm, c.Version, o.Algorithms[i], want)
			}
			if wantPath := filepath.Join(o.ModelsDir, model.FileBase(string(c.Algorithm), want)+model.Ext); c.Path != wantPath {
				t.Errorf("run %d: %s saved as %s; want %s", want, c.Algorithm, c.Path, wantPath)
			}
		}
		run := lastRun(t, o)
		if run.Status != registry.RunSucceeded || run.ID != sum.RunID || len(run.Candidates) != len(o.Algorithms) {
			t.Fatalf("run %d in the registry: %+v", want, run)
		}
		for _, ref := range run.Candidates {
			if ref.Version != want {
				t.Errorf("run %d registered %s; want version %d", want, ref, want)
			}
		}
	}
	newest, err := model.Newest(o.ModelsDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, algo := range o.Algorithms {
		if newest[string(algo)] != 2 {
			t.Errorf("newest %s file is v%d; want v2", algo, newest[string(algo)])
		}
	}
}

// TestRun_selection checks the champion is chosen by the selection metric
// on the validation slice, and that the registry records the rule and
// each candidate's figure, separate from its test figures.
func TestRun_selection(t *testing.T) {
	for _, sel := range []metrics.Selection{metrics.SelectROCAUC, metrics.SelectBrier} {
		t.Run(string(sel), func(t *testing.T) {
			o := testRun(t, 3000)
			o.Algorithms = learners.Names()
			if sel == metrics.SelectBrier {
				o.Spec.SelectionMetric = string(sel) // from the spec
			} else {
				o.Selection = sel // from the option
			}
			sum, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			reg, err := registry.Read(filepath.Join(o.ArtifactsDir, "registry"))
			if err != nil {
				t.Fatal(err)
			}
			run := lastRun(t, o)
			if run.Selection != SelectionRule(sel) || !strings.Contains(run.Selection, "validation") {
				t.Errorf("run selection %q; want %q", run.Selection, SelectionRule(sel))
			}
			var best *registry.Version
			for _, ref := range run.Candidates {
				v, err := reg.Version(ref)
				if err != nil {
					t.Fatal(err)
				}
				s := v.Selection
				if s == nil || s.Metric != string(sel) || s.Slice != registry.SliceValidation || s.Rows == 0 {
					t.Fatalf("%s: selection %+v; want %s on the validation slice", ref, s, sel)
				}
				meta, err := model.ReadMetadata(filepath.Join(o.ModelsDir, v.Metadata))
				if err != nil {
					t.Fatal(err)
				}
				if got := sel.Value(&meta.Validation); got != s.Value {
					t.Errorf("%s: registry value %v; metadata validation %v", ref, s.Value, got)
				}
				if best == nil || sel.Better(s.Value, best.Selection.Value) {
					best = v
				}
			}
			if sum.Champion != best.Ref() {
				t.Errorf("champion %s; want %s, the best validation %s", sum.Champion, best.Ref(), sel)
			}
		})
	}
}

// lendingClubFile is the raw Lending Club export under CREDIT_RISK_DATASETS.
const lendingClubFile = "lending_club_loanstats3a_2007_2011/LoanStats3a_securev1_2007_2011.csv"

// TestRun_reproducibleLendingClub retrains on the real Lending Club file
// twice, tuned, with one and with two threads, in fresh folders, and
// checks that every model file is byte-identical: the same data, spec and
// seed give the same models on any thread count (creation times live in
// the metadata).
func TestRun_reproducibleLendingClub(t *testing.T) {
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set: the reproducibility test on Lending Club needs the data sets")
	}
	data, err := os.ReadFile(filepath.Join(root, lendingClubFile))
	if err != nil {
		t.Skipf("no Lending Club file: %v", err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, threads := range []int{1, 2} {
		dir := t.TempDir()
		raw := filepath.Join(dir, "data", "raw")
		if err := os.MkdirAll(raw, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(raw, "loans.csv"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		o := Options{
			Spec: spec, SpecSource: "built-in", DataDir: filepath.Join(dir, "data"),
			ModelsDir: filepath.Join(dir, "models"), ArtifactsDir: filepath.Join(dir, "artifacts"),
			Threads: threads, CodeVersion: "test",
			Tune: NewTuner(TuneOptions{Trials: 6, Threads: threads}),
		}
		sum, err := Run(t.Context(), o)
		if err != nil {
			t.Fatalf("threads %d: %v", threads, err)
		}
		if run := lastRun(t, o); run.Params["reproducible"] != true {
			t.Errorf("threads %d: run params reproducible = %v; want true", threads, run.Params["reproducible"])
		}
		for _, c := range sum.Candidates {
			b, err := os.ReadFile(c.Path)
			if err != nil {
				t.Fatal(err)
			}
			name := filepath.Base(c.Path)
			if prev, ok := files[name]; ok && !bytes.Equal(prev, b) {
				t.Errorf("%s differs between 1 and 2 threads (%d and %d bytes)", name, len(prev), len(b))
			}
			files[name] = b
		}
	}
	if len(files) != len(learners.Names()) {
		t.Errorf("compared %d model files; want one per learner", len(files))
	}
}
