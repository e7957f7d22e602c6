package serve

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// adverseAnswer is the part of a scoring answer a notice reads.
type adverseAnswer struct {
	PD            float64               `json:"default_probability"`
	Status        string                `json:"status"`
	AdverseAction []model.AdverseReason `json:"adverse_action"`
	Disclosure    *struct {
		Score      float64   `json:"score"`
		ScoreType  string    `json:"score_type"`
		ScoreRange []float64 `json:"score_range"`
	} `json:"disclosure"`
	FieldContributions []model.FieldContribution `json:"field_contributions"`
}

// checkAdverse checks one answer: a declined application has between 1
// and max reasons, each naming an application field (never a feature such
// as a one-hot level or a missing indicator) with a code and a statement,
// and the disclosure of its PD; an approved one has neither.
func checkAdverse(t *testing.T, i int, a adverseAnswer, inputs []string, max int) {
	t.Helper()
	if a.Status != StatusDeclined {
		if a.AdverseAction != nil || a.Disclosure != nil {
			t.Errorf("application %d: approved with adverse_action %v, disclosure %v", i, a.AdverseAction, a.Disclosure)
		}
		return
	}
	if len(a.AdverseAction) == 0 || len(a.AdverseAction) > max {
		t.Errorf("application %d: declined with %d reasons; want 1 to %d", i, len(a.AdverseAction), max)
	}
	codes := map[string]bool{}
	for _, r := range a.AdverseAction {
		if !slices.Contains(inputs, r.Field) {
			t.Errorf("application %d: reason %+v names %q, which is not an application field", i, r, r.Field)
		}
		if r.Code == "" || r.Reason == "" || codes[r.Code] {
			t.Errorf("application %d: reason %+v: empty or repeated code or statement", i, r)
		}
		codes[r.Code] = true
	}
	if d := a.Disclosure; d == nil || d.Score != a.PD || d.ScoreType != "default_probability" || !slices.Equal(d.ScoreRange, []float64{0, 1}) {
		t.Errorf("application %d: disclosure %+v; want the PD %v on [0, 1]", i, d, a.PD)
	}
}

// TestAdverseAction scores test applications through /predict and
// /predict/batch: every declined one gets the reasons Model.AdverseAction
// gives on the pipeline's vector and directions, naming application
// fields, the same from both endpoints; a missing field gives its
// "insufficient information" reason.
func TestAdverseAction(t *testing.T) {
	tests := []struct {
		name string
		max  int // REASONS_MAX; 0 the default
	}{
		{"default", 0},
		{"reasons max 2", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := testServer(t, servetest.Options{Trees: 30, Depth: 4, Train: true}, func(c *Config) {
				if tt.max > 0 {
					c.ReasonsMax = tt.max
				}
			})
			max := s.cfg.ReasonsMax
			l := s.current.Load()
			m, p := l.model, l.model.Pipeline
			var inputs []string
			for _, in := range p.Inputs {
				inputs = append(inputs, in.Name)
			}
			const n = 300
			var apps []map[string]any
			var single []adverseAnswer
			declined, missingReasons := 0, 0
			for i := range n {
				app := servetest.Application(i)
				apps = append(apps, app)
				resp := do(t, s, "POST", "/predict", app)
				if resp.Code != 200 {
					t.Fatalf("application %d: status %d: %s", i, resp.Code, resp.Body)
				}
				var a adverseAnswer
				if err := json.Unmarshal(resp.Body.Bytes(), &a); err != nil {
					t.Fatal(err)
				}
				single = append(single, a)
				checkAdverse(t, i, a, inputs, max)
				if a.Status != StatusDeclined {
					continue
				}
				declined++
				// The same from the model on the pipeline's own row.
				raw, row, x := rawApplication(p, app), p.NewRow(), make([]float64, p.NumFeatures())
				if errs := p.Transform(raw, row, x); errs != nil {
					t.Fatal(errs)
				}
				dirs := make([]features.Direction, len(p.Inputs))
				p.Directions(row, dirs)
				want := m.AdverseAction(make([]float64, p.NumFeatures()), x, dirs, max)
				for k := range want {
					want[k].Contribution = 0
				}
				if !reflect.DeepEqual(a.AdverseAction, want) {
					t.Errorf("application %d: /predict gives %+v; Model.AdverseAction %+v", i, a.AdverseAction, want)
				}
				for _, r := range a.AdverseAction {
					if _, given := app[r.Field]; !given && (r.Field == "annual_inc" || r.Field == "emp_length") {
						missingReasons++
						if r.Code != "INCOME_NI" && r.Code != "EMPLOYMENT_NI" {
							t.Errorf("application %d: %s was not given; reason %+v", i, r.Field, r)
						}
					}
				}
			}
			if declined < 20 {
				t.Fatalf("only %d of %d declined; the test needs more", declined, n)
			}
			if missingReasons == 0 {
				t.Error("no declined application has a missing field's reason; the test cannot check them")
			}
			resp := do(t, s, "POST", "/predict/batch", map[string]any{"applications": apps})
			if resp.Code != 200 {
				t.Fatalf("batch: status %d: %s", resp.Code, resp.Body)
			}
			var batch struct {
				Results []adverseAnswer `json:"results"`
			}
			if err := json.Unmarshal(resp.Body.Bytes(), &batch); err != nil {
				t.Fatal(err)
			}
			for i, a := range batch.Results {
				if !reflect.DeepEqual(a, single[i]) {
					t.Errorf("application %d: /predict/batch gives %+v; /predict %+v", i, a, single[i])
				}
			}
			t.Logf("%d of %d declined, with reasons identical from /predict, /predict/batch and the model; %d missing-field reasons", declined, n, missingReasons)
		})
	}
}

// TestExplainFieldContributions checks that ?explain=true groups the raw
// contributions by application field too, on both endpoints.
func TestExplainFieldContributions(t *testing.T) {
	s, _ := testServer(t, servetest.Options{Trees: 30, Depth: 4, Train: true}, nil)
	p := s.current.Load().model.Pipeline
	var inputs []string
	for _, in := range p.Inputs {
		inputs = append(inputs, in.Name)
	}
	for _, target := range []string{"/predict?explain=true", "/predict/batch?explain=true"} {
		t.Run(target, func(t *testing.T) {
			var body any = servetest.Application(3)
			if target != "/predict?explain=true" {
				body = map[string]any{"applications": []any{body}}
			}
			resp := do(t, s, "POST", target, body)
			if resp.Code != 200 {
				t.Fatalf("status %d: %s", resp.Code, resp.Body)
			}
			var a adverseAnswer
			var b struct {
				Results []adverseAnswer `json:"results"`
			}
			if target == "/predict?explain=true" {
				if err := json.Unmarshal(resp.Body.Bytes(), &a); err != nil {
					t.Fatal(err)
				}
			} else {
				if err := json.Unmarshal(resp.Body.Bytes(), &b); err != nil || len(b.Results) != 1 {
					t.Fatalf("batch answer %s: %v", resp.Body, err)
				}
				a = b.Results[0]
			}
			if len(a.FieldContributions) == 0 {
				t.Fatalf("no field_contributions: %s", resp.Body)
			}
			for i, f := range a.FieldContributions {
				if !slices.Contains(inputs, f.Field) || !(f.Contribution > 0) || i > 0 && f.Contribution > a.FieldContributions[i-1].Contribution {
					t.Errorf("field contributions %+v: want application fields, positive, largest first", a.FieldContributions)
				}
			}
		})
	}
}

// rawApplication aligns a test application's string fields with the
// pipeline's inputs.
func rawApplication(p *features.Pipeline, app map[string]any) []features.Raw {
	raw := make([]features.Raw, len(p.Inputs))
	for i, in := range p.Inputs {
		if v, ok := app[in.Name].(string); ok {
			raw[i] = features.RawString(v)
		}
	}
	return raw
}

// TestModelInfoReasons checks that the full /model/info lists each
// input's reason-code catalogue entry, so that a notice can be prepared
// from the codes.
func TestModelInfoReasons(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.ModelInfoFull = true })
	resp := do(t, s, "GET", "/model/info", nil)
	var info struct {
		Inputs []struct {
			Name    string            `json:"name"`
			Reasons *features.Reasons `json:"reasons"`
		} `json:"inputs"`
	}
	if err := json.Unmarshal(resp.Body.Bytes(), &info); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, in := range info.Inputs {
		if in.Reasons != nil {
			got[in.Name] = in.Reasons.Code + " " + in.Reasons.Missing.Code
		}
	}
	want := map[string]string{"int_rate": "RATE RATE_NI", "grade": "GRADE GRADE_NI", "emp_length": "EMPLOYMENT EMPLOYMENT_NI", "annual_inc": "INCOME INCOME_NI"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
}
