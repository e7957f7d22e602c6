package fit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve"
)

// paritySpec uses every key of the spec language for real data.
const paritySpec = `
name: parity
target: {column: status, bad: ["1"], good: ["0"]}
date: {column: issued, format: YYYY-MM}
missing_values: ["-"]
columns:
  delinq: {type: numeric, min: 0, max: 60, special_values: [96, 98]}
  emp: {type: numeric, pattern: 'emp_(\d+)', missing_values: [emp_unk], special_values: [99]}
  term: {type: numeric, parser: months, pattern: '(\d+)', range_policy: reject}
  grade: {type: ordinal, order: [A, B, C], missing_values: [unk], special_values: [Z]}
  purpose: {type: categorical, special_values: ["000"]}
  opened: {type: date, format: YYYY-MM, special_values: ["1900-01"]}
derived:
  - {name: delinq_per_emp, op: ratio, args: [delinq, emp]}
  - {name: history, op: months_between, args: [opened, issued]}
encoding: {min_level_share: 0.01}
`

// parityCSV writes n loans for paritySpec with a seeded source, led by an
// unnamed index column.
func parityCSV(n int, rng *rand.Rand) string {
	var b strings.Builder
	b.WriteString(",status,issued,delinq,emp,term,grade,purpose,opened\n")
	pick := func(p float64, yes, no string) string {
		if rng.Float64() < p {
			return yes
		}
		return no
	}
	for i := range n {
		bad := rng.Float64() < 0.25
		delinq := fmt.Sprint(rng.IntN(8))
		switch rng.IntN(12) {
		case 0:
			delinq = "96"
		case 1:
			delinq = pick(0.5, "98", "98.0")
		case 2:
			delinq = pick(0.5, "", "-")
		}
		emp := fmt.Sprintf("emp_%d", rng.IntN(11))
		switch rng.IntN(15) {
		case 0:
			emp = "emp_unk"
		case 1:
			emp = "emp_99"
		case 2:
			emp = "n/a"
		}
		grade := []string{"A", "B", "C", "unk", "Z"}[min(rng.IntN(14), 4)]
		purpose := []string{"car", "other", "debt", "000", "rare", ""}[min(rng.IntN(12), 5)]
		if i == 7 {
			purpose = "unique" // rarer than min_level_share: the bucket
		}
		opened := fmt.Sprintf("%d-%02d", 1990+rng.IntN(20), 1+rng.IntN(12))
		if rng.IntN(20) == 0 {
			opened = "1900-01"
		}
		status := "0"
		if bad {
			status = "1"
		}
		fmt.Fprintf(&b, "%d,%s,%d-%02d,%s,%s,term_%s,%s,%s,%s\n", i, status, 2011+i*2/n, 1+i%12, delinq, emp, pick(0.5, "36", "60"), grade, purpose, opened)
	}
	return b.String()
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestSpecParity runs a spec with special values, patterns, missing tokens
// and an unnamed column through clean, fit, a logistic regression and a
// model file, then scores every raw row with the decoded model's pipeline
// and through the scoring API (/predict, the raw row as JSON text fields):
// each row's features and PD equal the training side's exactly.
func TestSpecParity(t *testing.T) {
	const n = 600
	raw := filepath.Join(t.TempDir(), "raw")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(raw, "loans.csv"), []byte(parityCSV(n, rand.New(rand.NewPCG(1, 2)))), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := dataset.DecodeSpec(strings.NewReader(paritySpec))
	if err != nil {
		t.Fatal(err)
	}
	res, err := clean.Analyze(t.Context(), spec, clean.Options{RawDir: raw})
	if err != nil {
		t.Fatal(err)
	}
	cfg := fit.Config{Dataset: spec.Name, DateInput: spec.Date.Column, Inputs: res.Log.Inputs,
		Encoding: fit.Encoding{MaxOneHot: spec.Encoding.MaxOneHot, MinLevelShare: spec.Encoding.MinLevelShare, Smoothing: spec.Encoding.Smoothing}}
	for _, d := range spec.Derived {
		cfg.Derived = append(cfg.Derived, features.Derived{Name: d.Name, Op: d.Op, Args: d.Args, Scale: d.Scale})
	}
	labels := res.Table.Col(spec.Target.Column).Num
	train := make([]bool, len(res.Test))
	for i, t := range res.Test {
		train[i] = !t
	}
	p, err := fit.Pipeline(cfg, res.Table, labels, train)
	if err != nil {
		t.Fatal(err)
	}
	names := strings.Join(p.FeatureNames(), " ")
	for _, want := range []string{"delinq_special_96", "delinq_special_98", "emp_special_99", "grade_special_Z", "purpose_special_000", "opened_special_1900-01", "purpose=other", "purpose=" + features.OtherLevel} {
		if !strings.Contains(" "+names+" ", " "+want+" ") {
			t.Errorf("features %s lack %s", names, want)
		}
	}
	X, err := featurestep.EncodeFrame(p, res.Table)
	if err != nil {
		t.Fatal(err)
	}
	lin, err := logreg.Fit(t.Context(), X, labels, logreg.Config{})
	if err != nil {
		t.Fatal(err)
	}
	m := &model.Model{Format: model.Format, FormatVersion: model.FormatVersion, Name: string(learn.Logistic), Version: 1,
		Algorithm: string(learn.Logistic), CreatedAt: time.Unix(0, 0).UTC(), Features: p.FeatureNames(), Pipeline: p, Linear: lin, Threshold: 0.5}
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := model.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	served, err := model.Decode(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	modelDir := t.TempDir()
	if err := model.Save(modelDir, "lr_v1", m, &model.Metadata{}); err != nil {
		t.Fatal(err)
	}
	scfg := serve.NewConfig()
	scfg.ModelPath, scfg.ReloadInterval, scfg.DriftWindow = filepath.Join(modelDir, "lr_v1"+model.Ext), 0, 0
	api, err := serve.New(scfg, serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sp := served.Pipeline
	sources, err := dataset.FindSources(raw, nil)
	if err != nil {
		t.Fatal(err)
	}
	var (
		index  []int
		rawRow = make([]features.Raw, len(sp.Inputs))
		row    = sp.NewRow()
		x      = make([]float64, sp.NumFeatures())
		i      int
	)
	err = dataset.ForEach(t.Context(), sources, spec, func(r *dataset.Reader, rec []string) error {
		if index == nil {
			index = sp.HeaderIndex(r.Header())
		}
		sp.RawFromStrings(index, rec, rawRow)
		if errs := sp.Transform(rawRow, row, x); errs != nil {
			return fmt.Errorf("line %d: %v", r.Line(), errs)
		}
		want := X.Row(i)
		for j := range x {
			if !sameFloat(x[j], want[j]) {
				t.Errorf("line %d: %s = %v served; %v in training", r.Line(), sp.Features[j].Name, x[j], want[j])
			}
		}
		pd := m.PD(want)
		if a := served.PD(x); a != pd {
			t.Errorf("line %d: PD %v from the decoded model; %v in training", r.Line(), a, pd)
		}
		app := map[string]string{}
		for k, h := range r.Header() {
			if h != "" && h != spec.Target.Column {
				app[h] = rec[k]
			}
		}
		body, err := json.Marshal(app)
		if err != nil {
			return err
		}
		req := httptest.NewRequest(http.MethodPost, "/predict", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rr := httptest.NewRecorder()
		api.ServeHTTP(rr, req)
		var got struct {
			PD float64 `json:"default_probability"`
		}
		if rr.Code != http.StatusOK || json.Unmarshal(rr.Body.Bytes(), &got) != nil {
			t.Errorf("line %d: /predict answered %d %s", r.Line(), rr.Code, rr.Body)
		} else if got.PD != pd {
			t.Errorf("line %d: /predict PD %v; %v in training", r.Line(), got.PD, pd)
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != n {
		t.Fatalf("scored %d rows; want %d", i, n)
	}
}
