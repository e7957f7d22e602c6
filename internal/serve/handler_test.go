package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// wantPD computes the reference PD of an application the way training and
// the score command do: Pipeline.Transform on the raw values, then
// Model.PD.
func wantPD(tb testing.TB, s *Server, app map[string]any) float64 {
	tb.Helper()
	l := s.current.Load()
	p := l.model.Pipeline
	raw := make([]features.Raw, len(p.Inputs))
	for i, in := range p.Inputs {
		switch v := app[in.Name].(type) {
		case string:
			raw[i] = features.RawString(v)
		case float64:
			raw[i] = features.RawNumber(v)
		case int:
			raw[i] = features.RawNumber(float64(v))
		}
	}
	x := make([]float64, p.NumFeatures())
	if errs := p.Transform(raw, p.NewRow(), x); errs != nil {
		tb.Fatalf("reference transform: %v", errs)
	}
	return l.model.PD(x)
}

func TestPredict(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			app := servetest.Application(i)
			rec := do(t, s, "POST", "/predict", app)
			if rec.Code != 200 {
				t.Fatalf("status %d; want 200: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q; want application/json", ct)
			}
			got := decodeJSON(t, rec)
			pd := wantPD(t, s, app)
			if g := got["default_probability"].(float64); math.Abs(g-pd) > 1e-12 {
				t.Errorf("default_probability %v; want %v", g, pd)
			}
			wantPred, wantStatus := 0.0, StatusApproved
			if pd >= 0.3 {
				wantPred, wantStatus = 1, StatusDeclined
			}
			if got["prediction"] != wantPred || got["status"] != wantStatus {
				t.Errorf("prediction %v status %v; want %v %v", got["prediction"], got["status"], wantPred, wantStatus)
			}
			if got["model_version"] != "gbdt_v1" || got["threshold"] != 0.3 {
				t.Errorf("model_version %v threshold %v; want gbdt_v1 0.3", got["model_version"], got["threshold"])
			}
			if ig := fmt.Sprint(got["ignored_fields"]); ig != "[id]" {
				t.Errorf("ignored_fields %s; want [id]", ig)
			}
			if _, ok := got["reasons"]; ok {
				t.Errorf("reasons without ?explain=true")
			}
			if rec.Header().Get("X-Request-Id") == "" {
				t.Errorf("no X-Request-Id header")
			}
		})
	}
}

func TestPredictNumbersAndStrings(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	asText := `{"issue_d":"Dec-2011","loan_amnt":"10000","term":" 36 months","int_rate":"10.65%","grade":"B","emp_length":"10+ years","annual_inc":"50,000"}`
	asNumbers := `{"issue_d":"Dec-2011","loan_amnt":10000,"term":36,"int_rate":10.65,"grade":"B","emp_length":10,"annual_inc":50000}`
	a := decodeJSON(t, do(t, s, "POST", "/predict", asText))
	b := decodeJSON(t, do(t, s, "POST", "/predict", asNumbers))
	if a["default_probability"] == nil || a["default_probability"] != b["default_probability"] {
		t.Errorf("text gives %v, numbers give %v; want the same PD", a["default_probability"], b["default_probability"])
	}
}

func TestPredictExplain(t *testing.T) {
	s, _ := testServer(t, servetest.Options{Trees: 30}, nil)
	rec := do(t, s, "POST", "/predict?explain=true", servetest.Application(3))
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got struct {
		Reasons []struct {
			Feature      string   `json:"feature"`
			Value        *float64 `json:"value"`
			Contribution float64  `json:"contribution"`
		} `json:"reasons"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Reasons) == 0 || len(got.Reasons) > DefaultReasons {
		t.Fatalf("%d reasons; want 1 to %d", len(got.Reasons), DefaultReasons)
	}
	features := s.current.Load().model.Features
	for i, r := range got.Reasons {
		if !(r.Contribution > 0) {
			t.Errorf("reason %d %s: contribution %v; want > 0", i, r.Feature, r.Contribution)
		}
		if i > 0 && r.Contribution > got.Reasons[i-1].Contribution {
			t.Errorf("reasons not sorted: %v after %v", r.Contribution, got.Reasons[i-1].Contribution)
		}
		if !strings.Contains(strings.Join(features, "\x00")+"\x00", r.Feature+"\x00") {
			t.Errorf("reason %q is not a model feature", r.Feature)
		}
	}
	if rec := do(t, s, "POST", "/predict?explain=maybe", servetest.Application(3)); rec.Code != 422 {
		t.Errorf("explain=maybe: status %d; want 422", rec.Code)
	}
}

func TestPredictBadInput(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.MaxBodyBytes = 4096 })
	valid := func(edit func(map[string]any)) map[string]any {
		app := servetest.Application(1)
		edit(app)
		return app
	}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
		fields map[string]string // field → problem
	}{
		{"empty body", "", 400, ProblemMalformed, nil},
		{"malformed", `{"loan_amnt": }`, 400, ProblemMalformed, nil},
		{"truncated", `{"loan_amnt": "1"`, 400, ProblemMalformed, nil},
		{"trailing data", `{} {}`, 400, ProblemMalformed, nil},
		{"array", `[1, 2]`, 400, ProblemNotObject, nil},
		{"string", `"hello"`, 400, ProblemNotObject, nil},
		{"too large", `{"id": "` + strings.Repeat("x", 5000) + `"}`, 413, ProblemTooLarge, nil},
		{"missing required", valid(func(a map[string]any) { delete(a, "loan_amnt"); delete(a, "grade") }), 422, ProblemInvalid,
			map[string]string{"loan_amnt": features.ProblemMissing, "grade": features.ProblemMissing}},
		{"null required", valid(func(a map[string]any) { a["term"] = nil }), 422, ProblemInvalid,
			map[string]string{"term": features.ProblemMissing}},
		{"wrong type", valid(func(a map[string]any) { a["loan_amnt"] = true; a["int_rate"] = []int{1}; a["term"] = map[string]any{} }), 422, ProblemInvalid,
			map[string]string{"loan_amnt": features.ProblemType, "int_rate": features.ProblemType, "term": features.ProblemType}},
		{"date as number", valid(func(a map[string]any) { a["issue_d"] = 2011 }), 422, ProblemInvalid,
			map[string]string{"issue_d": features.ProblemType}},
		{"unparseable", valid(func(a map[string]any) { a["int_rate"] = "ten percent"; a["issue_d"] = "2011-13-45" }), 422, ProblemInvalid,
			map[string]string{"int_rate": features.ProblemSyntax, "issue_d": features.ProblemSyntax}},
		{"out of range", valid(func(a map[string]any) { a["term"] = 900; a["loan_amnt"] = "-5" }), 422, ProblemInvalid,
			map[string]string{"term": features.ProblemRange, "loan_amnt": features.ProblemRange}},
		{"not finite", `{"issue_d":"Dec-2011","loan_amnt":1e999,"term":36,"int_rate":-1e400,"grade":"B"}`, 422, ProblemInvalid,
			map[string]string{"loan_amnt": features.ProblemNotFinite, "int_rate": features.ProblemNotFinite}},
		{"bad enum", valid(func(a map[string]any) { a["grade"] = "Z" }), 422, ProblemInvalid,
			map[string]string{"grade": features.ProblemEnum}},
		{"duplicate field", `{"issue_d":"Dec-2011","loan_amnt":5000,"term":36,"int_rate":"10%","grade":"B","annual_inc":20000,"annual_inc":900000}`, 422, ProblemInvalid,
			map[string]string{"annual_inc": wire.ProblemDuplicate}},
		{"every problem at once", `{"loan_amnt": false, "term": "forever", "int_rate": 1000, "grade": "Q", "annual_inc": -1}`, 422, ProblemInvalid,
			map[string]string{"issue_d": features.ProblemMissing, "loan_amnt": features.ProblemType, "term": features.ProblemSyntax,
				"int_rate": features.ProblemRange, "grade": features.ProblemEnum, "annual_inc": features.ProblemRange}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, "POST", "/predict", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d; want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q; want application/problem+json", ct)
			}
			doc := decodeJSON(t, rec)
			if doc["type"] != problemTypeBase+tt.code || doc["status"] != float64(tt.status) || doc["title"] == "" || doc["detail"] == "" {
				t.Errorf("problem %v; want type %s, status %d, a title and a detail", doc, problemTypeBase+tt.code, tt.status)
			}
			if tt.fields != nil {
				got := problemFields(t, doc)
				if fmt.Sprint(got) != fmt.Sprint(tt.fields) {
					t.Errorf("field problems %v; want %v", got, tt.fields)
				}
			}
		})
	}
}

func TestBatch(t *testing.T) {
	// Bodies over 2 × 64 KiB are read in segments (wire.BatchReader); a string
	// holding "},{" makes a segment's guessed start wrong.
	tests := []struct {
		name string
		n    int
		trap bool
	}{
		{"one segment", 300, false},
		{"segments", 3000, false},
		{"guesses inside strings", 3000, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			testBatch(t, tt.n, tt.trap)
		})
	}
}

func testBatch(t *testing.T, n int, trap bool) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.MaxBatch = 5000 })
	var apps []any
	for i := range n {
		app := servetest.Application(i)
		if trap {
			app["note"] = `x"},{"a":1},{"b":"`
		}
		apps = append(apps, app)
	}
	bad := servetest.Application(7)
	bad["grade"] = "Z"
	apps[10] = bad
	apps[20] = "not an application"
	rec := do(t, s, "POST", "/predict/batch", map[string]any{"applications": apps, "source": "test"})
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var got struct {
		ModelVersion string   `json:"model_version"`
		Count        int      `json:"count"`
		Errors       int      `json:"errors"`
		Ignored      []string `json:"ignored_fields"`
		Results      []struct {
			Index      int      `json:"index"`
			Prediction *int     `json:"prediction"`
			PD         *float64 `json:"default_probability"`
			Status     string   `json:"status"`
			Error      *struct {
				Status int `json:"status"`
				Errors []features.FieldError
			} `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Count != n || got.Errors != 2 || len(got.Results) != n || got.ModelVersion != "gbdt_v1" {
		t.Fatalf("count %d errors %d results %d version %s; want %d 2 %d gbdt_v1", got.Count, got.Errors, len(got.Results), got.ModelVersion, n, n)
	}
	wantIgnored := "[id]"
	if trap {
		wantIgnored = "[id note]"
	}
	if fmt.Sprint(got.Ignored) != wantIgnored {
		t.Errorf("ignored_fields %v; want %s", got.Ignored, wantIgnored)
	}
	for i, r := range got.Results {
		if r.Index != i {
			t.Fatalf("result %d has index %d", i, r.Index)
		}
		switch i {
		case 10:
			if r.Error == nil || r.Error.Status != 422 || len(r.Error.Errors) != 1 || r.Error.Errors[0].Field != "grade" {
				t.Errorf("item 10: %+v; want a 422 on grade", r.Error)
			}
		case 20:
			if r.Error == nil || r.Error.Status != 400 {
				t.Errorf("item 20: %+v; want a 400 (not an object)", r.Error)
			}
		default:
			if r.Error != nil || r.PD == nil || r.Prediction == nil {
				t.Fatalf("item %d: %+v; want a prediction", i, r)
			}
			if want := wantPD(t, s, apps[i].(map[string]any)); math.Abs(*r.PD-want) > 1e-12 {
				t.Errorf("item %d: PD %v; want %v", i, *r.PD, want)
			}
		}
	}
}

func TestBatchBad(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.MaxBatch = 3; c.MaxBatchBodyBytes = 1 << 12 })
	three := []any{servetest.Application(1), servetest.Application(2), servetest.Application(3)}
	tests := []struct {
		name   string
		body   any
		status int
		code   string
	}{
		{"malformed", `{"applications": [ {]}`, 400, ProblemMalformed},
		{"not an object", `[]`, 400, ProblemNotObject},
		{"no applications", `{"apps": []}`, 422, ProblemInvalid},
		{"applications not an array", `{"applications": {}}`, 422, ProblemInvalid},
		{"too many", map[string]any{"applications": append(three, servetest.Application(4))}, 413, ProblemBatchTooBig},
		{"body too large", `{"applications": ["` + strings.Repeat("x", 5000) + `"]}`, 413, ProblemTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, s, "POST", "/predict/batch", tt.body)
			if rec.Code != tt.status {
				t.Fatalf("status %d; want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if doc := decodeJSON(t, rec); doc["type"] != problemTypeBase+tt.code {
				t.Errorf("type %v; want %s", doc["type"], problemTypeBase+tt.code)
			}
		})
	}
	rec := do(t, s, "POST", "/predict/batch", `{"applications": []}`)
	if doc := decodeJSON(t, rec); rec.Code != 200 || doc["count"] != 0.0 {
		t.Errorf("empty batch: status %d count %v; want 200 0", rec.Code, doc["count"])
	}
}

func TestEndpoints(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.ModelInfoFull = true })
	do(t, s, "POST", "/predict", servetest.Application(1))
	tests := []struct {
		method, path string
		status       int
		contentType  string
		contains     []string
	}{
		{"GET", "/health", 200, "application/json", []string{`"status":"ok"`}},
		{"GET", "/ready", 200, "application/json", []string{`"status":"ready"`, `"model_version":"gbdt_v1"`}},
		{"GET", "/model/info", 200, "application/json", []string{`"algorithm": "gbdt"`, `"threshold": 0.3`, `"roc_auc"`, `"name": "int_rate"`, `"valid_max": 100`, `"parser": "percent"`, `"build"`, `"version": "test"`}},
		{"GET", "/openapi.json", 200, "application/json", []string{`"openapi":"3.1.0"`, `"/predict"`, `"int_rate"`, `"required":["issue_d","loan_amnt","term","int_rate","grade"]`}},
		{"GET", "/docs", 200, "text/html; charset=utf-8", []string{"swagger-ui-bundle.js", "/docs/init.js"}},
		{"GET", "/docs/init.js", 200, "text/javascript; charset=utf-8", []string{"/openapi.json"}},
		{"GET", "/docs/swagger-ui-bundle.js", 200, "text/javascript; charset=utf-8", []string{"SwaggerUIBundle"}},
		{"GET", "/docs/swagger-ui.css", 200, "text/css; charset=utf-8", []string{".swagger-ui"}},
		{"GET", "/docs/nope.js", 404, "application/problem+json", []string{ProblemNotFound}},
		{"GET", "/metrics", 200, "text/plain; version=0.0.4; charset=utf-8", []string{`http_requests_total{endpoint="/predict",method="POST",status="200"} 1`, "model_loaded 1", `model_info{algorithm="gbdt",version="gbdt_v1"} 1`, "prediction_probability_bucket", `predictions_total{prediction=`}},
		{"GET", "/stats", 200, "application/json", []string{`"POST /predict"`, `"error_rate"`, `"p99"`, `"drift"`}},
		{"HEAD", "/health", 200, "application/json", nil},
		{"GET", "/nope", 404, "application/problem+json", []string{ProblemNotFound}},
		{"GET", "/predict", 405, "application/problem+json", []string{ProblemMethod}},
		{"DELETE", "/health", 405, "application/problem+json", []string{ProblemMethod}},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			rec := do(t, s, tt.method, tt.path, nil)
			if rec.Code != tt.status {
				t.Fatalf("status %d; want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type %q; want %q", ct, tt.contentType)
			}
			for _, want := range tt.contains {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("body lacks %q:\n%.2000s", want, rec.Body)
				}
			}
		})
	}
	if rec := do(t, s, "GET", "/predict", nil); rec.Header().Get("Allow") != "POST" {
		t.Errorf("405 Allow %q; want POST", rec.Header().Get("Allow"))
	}
}

func TestRequestID(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	tests := []struct{ sent, want string }{
		{"abc-123", "abc-123"},
		{"has space", ""},
		{strings.Repeat("x", 200), ""},
	}
	for _, tt := range tests {
		t.Run(tt.sent, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/health", nil)
			req.Header.Set("X-Request-ID", tt.sent)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			got := rec.Header().Get("X-Request-Id")
			if tt.want != "" && got != tt.want {
				t.Errorf("X-Request-Id %q; want %q", got, tt.want)
			}
			if tt.want == "" && (got == "" || got == tt.sent) {
				t.Errorf("X-Request-Id %q; want a generated id", got)
			}
		})
	}
}

func TestNoModel(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	s.current.Store(nil)
	msg := "the last model failed its sha256 check"
	s.lastReason.Store(&msg)
	for _, tt := range []struct{ method, path string }{
		{"POST", "/predict"}, {"POST", "/predict/batch"}, {"GET", "/ready"}, {"GET", "/model/info"}, {"GET", "/openapi.json"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			rec := do(t, s, tt.method, tt.path, "{}")
			if rec.Code != 503 {
				t.Fatalf("status %d; want 503", rec.Code)
			}
			if doc := decodeJSON(t, rec); !strings.Contains(doc["detail"].(string), msg) {
				t.Errorf("detail %q; want the reason %q", doc["detail"], msg)
			}
		})
	}
	if rec := do(t, s, "GET", "/health", nil); rec.Code != 200 {
		t.Errorf("/health: status %d; want 200 (liveness does not need a model)", rec.Code)
	}
	if rec := do(t, s, "GET", "/metrics", nil); !strings.Contains(rec.Body.String(), "model_loaded 0") {
		t.Errorf("/metrics lacks model_loaded 0")
	}
}

func TestPanicRecovered(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	for _, rt := range s.byPath["/health"] {
		rt.handle = func(http.ResponseWriter, *http.Request, *loaded) { panic("boom") }
	}
	rec := do(t, s, "GET", "/health", nil)
	if rec.Code != 500 {
		t.Fatalf("status %d; want 500", rec.Code)
	}
	if doc := decodeJSON(t, rec); doc["type"] != problemTypeBase+ProblemInternal {
		t.Errorf("type %v; want %s", doc["type"], problemTypeBase+ProblemInternal)
	}
	if got := s.counts.panics.Load(); got != 1 {
		t.Errorf("panics counted %d; want 1", got)
	}
	if rec := do(t, s, "GET", "/metrics", nil); !strings.Contains(rec.Body.String(), "http_panics_recovered_total 1") {
		t.Errorf("/metrics lacks http_panics_recovered_total 1")
	}
}
