package evaluate_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/evaluate"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/sample"
	"github.com/credit-risk/credit-risk/specs"
)

// trained runs a retrain of gbdt and lr on synthetic loans in a fresh
// folder and returns the evaluation options for it and the run's summary.
func trained(t testing.TB) (evaluate.Options, *retrain.Summary) {
	t.Helper()
	dir := t.TempDir()
	raw := filepath.Join(dir, "data", "raw")
	if err := sample.WriteFile(t.Context(), filepath.Join(raw, "loans.csv"), sample.Config{Rows: 3000, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	o := retrain.Options{
		Spec: spec, DataDir: filepath.Join(dir, "data"), ModelsDir: filepath.Join(dir, "models"),
		ArtifactsDir: filepath.Join(dir, "artifacts"), Algorithms: []learn.Algorithm{learn.Logistic, learn.GBDT},
	}
	sum, err := retrain.Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	return evaluate.Options{
		ProcessedDir: filepath.Join(o.DataDir, "processed"), ModelsDir: o.ModelsDir,
		ReportsDir: filepath.Join(o.ArtifactsDir, "reports"),
	}, sum
}

func TestRunAndExplain(t *testing.T) {
	opts, sum := trained(t)

	ev, err := evaluate.Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	// The newest version of each learner, in the learner table's order.
	var names []string
	for _, r := range ev.Results {
		names = append(names, r.Model)
	}
	if want := []string{"gbdt_v1", "lr_v1"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("evaluated %v; want %v", names, want)
	}
	for _, r := range ev.Results {
		for _, c := range sum.Candidates {
			if strings.HasPrefix(r.Model, string(c.Algorithm)+"_") && r.Metrics.ROCAUC != c.Metrics.ROCAUC {
				t.Errorf("%s: test AUC %v; the retrain measured %v", r.Model, r.Metrics.ROCAUC, c.Metrics.ROCAUC)
			}
		}
		if len(r.Segments) == 0 {
			t.Errorf("%s: no segments", r.Model)
		}
		for _, s := range r.Segments {
			if math.IsNaN(s.AUC) || s.AUC != -1 && (s.AUC < 0 || s.AUC > 1) {
				t.Errorf("%s: segment %s=%s has AUC %v; want -1 or within [0, 1]", r.Model, s.Segment, s.Level, s.AUC)
			}
		}
	}
	b, err := os.ReadFile(ev.Path)
	if err != nil {
		t.Fatal(err)
	}
	var saved []evaluate.Result
	if err := json.Unmarshal(b, &saved); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(saved, ev.Results) {
		t.Errorf("%s holds\n%+v\nwant\n%+v", ev.Path, saved, ev.Results)
	}

	opts.Models = []string{filepath.Join(opts.ModelsDir, "lr_v1.model")}
	exps, err := evaluate.Explain(t.Context(), opts, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(exps) != 1 || exps[0].Model != "lr_v1" || exps[0].Path != filepath.Join(opts.ReportsDir, "importance-lr_v1.json") {
		t.Fatalf("explained %+v; want lr_v1 only", exps)
	}
	imp := exps[0].Importance
	for i := 1; i < len(imp); i++ {
		if imp[i].MeanAbsSHAP > imp[i-1].MeanAbsSHAP {
			t.Errorf("importance not sorted at %d: %v after %v", i, imp[i].MeanAbsSHAP, imp[i-1].MeanAbsSHAP)
		}
	}
	if _, err := os.Stat(exps[0].Path); err != nil {
		t.Error(err)
	}

	// Without model files: an error that says what to run.
	opts.Models = nil
	for _, models := range []string{t.TempDir(), filepath.Join(t.TempDir(), "missing")} {
		opts.ModelsDir = models
		if _, err := evaluate.Run(t.Context(), opts); err == nil || !strings.Contains(err.Error(), "run `credit-risk train` first") {
			t.Errorf("models in %s: error %v; want it to say to run train", models, err)
		}
	}
}
