package serve

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// openTestServer starts s on a free port of 127.0.0.1 and returns its
// address; the server is closed when the test ends.
func openTestServer(tb testing.TB, s *Server) string {
	tb.Helper()
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close(tb.Context()) })
	return s.Addr().String()
}

// TestStalledBody sends the headers of a request and part of its body,
// then nothing: past READ_TIMEOUT the answer is 408, with no socket
// address or error text in it, and the connection is closed.
func TestStalledBody(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.Host, c.Port, c.ReadTimeout = "127.0.0.1", 0, 300*time.Millisecond
	})
	addr := openTestServer(t, s)
	for _, path := range []string{"/predict", "/predict/batch"} {
		t.Run(path, func(t *testing.T) {
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"loan_amnt\":", path)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestTimeout {
				t.Errorf("status %d; want 408: %s", resp.StatusCode, body)
			}
			if !strings.Contains(string(body), problemTypeBase+ProblemTimeout) {
				t.Errorf("body %s; want problem type %s", body, ProblemTimeout)
			}
			checkNoInternals(t, string(body))
			if !resp.Close {
				t.Error("the connection is kept open after a body that did not arrive")
			}
		})
	}
}

// TestShortBody closes the connection before the body reaches its
// Content-Length: 400, with no error text.
func TestShortBody(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.Host, c.Port = "127.0.0.1", 0 })
	addr := openTestServer(t, s)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"loan_amnt\":")
	conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), problemTypeBase+ProblemUnreadable) {
		t.Errorf("status %d, body %s; want 400 %s", resp.StatusCode, body, ProblemUnreadable)
	}
	checkNoInternals(t, string(body))
}

// checkNoInternals fails when a response body holds what only the server
// should know: addresses, Go error text, file paths.
func checkNoInternals(tb testing.TB, body string) {
	tb.Helper()
	for _, bad := range []string{"127.0.0.1", "tcp ", "i/o timeout", "EOF", "/tmp/", ".model", "goroutine", "sha256 mismatch"} {
		if strings.Contains(body, bad) {
			tb.Errorf("response holds %q: %s", bad, body)
		}
	}
}

// TestContentType checks that only JSON bodies are scored: what is not
// declared as JSON, or is compressed, is 415.
func TestContentType(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	app, err := json.Marshal(servetest.Application(1))
	if err != nil {
		t.Fatal(err)
	}
	batch := []byte(`{"applications":[` + string(app) + `]}`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(app)
	zw.Close()
	tests := []struct {
		name    string
		headers map[string]string
		body    []byte
		status  int
	}{
		{"json", map[string]string{"Content-Type": "application/json"}, nil, 200},
		{"json utf-8", map[string]string{"Content-Type": "application/json; charset=utf-8"}, nil, 200},
		{"json UTF-8 spaced", map[string]string{"Content-Type": "Application/JSON ;charset=\"UTF-8\""}, nil, 200},
		{"+json", map[string]string{"Content-Type": "application/vnd.credit-risk+json"}, nil, 200},
		{"identity encoding", map[string]string{"Content-Type": "application/json", "Content-Encoding": "identity"}, nil, 200},
		{"missing", map[string]string{}, nil, 415},
		{"text", map[string]string{"Content-Type": "text/plain"}, nil, 415},
		{"xml", map[string]string{"Content-Type": "application/xml"}, []byte(`<app><loan_amnt>5000</loan_amnt></app>`), 415},
		{"form (curl -d)", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, nil, 415},
		{"json in latin-1", map[string]string{"Content-Type": "application/json; charset=iso-8859-1"}, nil, 415},
		{"unreadable type", map[string]string{"Content-Type": "application/json; charset"}, nil, 415},
		{"text/json", map[string]string{"Content-Type": "text/json"}, nil, 415},
		{"gzip", map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, gz.Bytes(), 415},
	}
	for _, path := range []string{"/predict", "/predict/batch"} {
		for _, tt := range tests {
			t.Run(path+"/"+tt.name, func(t *testing.T) {
				body := tt.body
				if body == nil {
					body = app
					if path == "/predict/batch" {
						body = batch
					}
				}
				req := httptest.NewRequest("POST", path, bytes.NewReader(body))
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				rec := httptest.NewRecorder()
				s.ServeHTTP(rec, req)
				if rec.Code != tt.status {
					t.Fatalf("status %d; want %d: %s", rec.Code, tt.status, rec.Body)
				}
				if tt.status == 415 {
					if doc := decodeJSON(t, rec); doc["type"] != problemTypeBase+ProblemMediaType {
						t.Errorf("type %v; want %s", doc["type"], problemTypeBase+ProblemMediaType)
					}
					if rec.Header().Get("Accept-Post") == "" && rec.Header().Get("Accept-Encoding") == "" {
						t.Error("a 415 without Accept-Post or Accept-Encoding")
					}
				}
			})
		}
	}
}

// TestRangePolicy scores values the model never saw in training: far
// outside the training range they are refused whatever the policy; nearer,
// the clamp policy scores them as the nearest training value and lists
// them in outside_training, the reject policy refuses them naming the
// field, the value and the range.
func TestRangePolicy(t *testing.T) {
	app := func(edit map[string]any) map[string]any {
		a := servetest.Application(1)
		maps.Copy(a, edit)
		return a
	}
	type want struct {
		status  int
		problem string // the problem of field, for 422
		flagged bool   // field listed in outside_training, for 200
	}
	tests := []struct {
		name          string
		field         string
		value         any
		clamp, reject want
	}{
		{"date long ago", "issue_d", "Dec-1800", want{422, ProblemImplausible, false}, want{422, ProblemImplausible, false}},
		{"date far ahead", "issue_d", "Dec-9999", want{422, ProblemImplausible, false}, want{422, ProblemImplausible, false}},
		{"date after training", "issue_d", "Dec-2014", want{200, "", false}, want{422, ProblemTrainingRange, false}},
		{"amount 1e38", "loan_amnt", 1e38, want{422, ProblemImplausible, false}, want{422, ProblemImplausible, false}},
		{"amount as text 1e38", "loan_amnt", "1e38", want{422, ProblemImplausible, false}, want{422, ProblemImplausible, false}},
		{"income above training", "annual_inc", 500000, want{200, "", true}, want{422, ProblemTrainingRange, false}},
		{"rate above training", "int_rate", "90%", want{200, "", true}, want{422, ProblemTrainingRange, false}},
		{"term never seen", "term", " 37 months", want{200, "", true}, want{422, ProblemTrainingRange, false}},
		{"unseen level", "home_ownership", "CASTLE", want{200, "", true}, want{422, features.ProblemEnum, false}},
		{"in range", "annual_inc", 50000, want{200, "", false}, want{200, "", false}},
	}
	for _, policy := range []string{features.RangeClamp, features.RangeReject} {
		s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.RangePolicy = policy })
		for _, tt := range tests {
			w := tt.clamp
			if policy == features.RangeReject {
				w = tt.reject
			}
			t.Run(policy+"/"+tt.name, func(t *testing.T) {
				for _, path := range []string{"/predict", "/predict/batch"} {
					body := any(app(map[string]any{tt.field: tt.value}))
					if path == "/predict/batch" {
						body = map[string]any{"applications": []any{body}}
					}
					rec := do(t, s, "POST", path, body)
					doc := decodeJSON(t, rec)
					if path == "/predict/batch" {
						if rec.Code != 200 {
							t.Fatalf("%s: status %d: %s", path, rec.Code, rec.Body)
						}
						item := doc["results"].([]any)[0].(map[string]any)
						if e, ok := item["error"].(map[string]any); ok {
							doc, rec.Code = e, int(e["status"].(float64))
						} else {
							doc = item
						}
					}
					if rec.Code != w.status {
						t.Fatalf("%s: status %d; want %d: %v", path, rec.Code, w.status, doc)
					}
					if w.status == 422 {
						if got := problemFields(t, doc)[tt.field]; got != w.problem {
							t.Errorf("%s: problem of %s %q; want %q: %v", path, tt.field, got, w.problem, doc)
						}
						errs := doc["errors"].([]any)
						detail := errs[0].(map[string]any)["detail"].(string)
						if !strings.Contains(detail, "training") {
							t.Errorf("%s: detail %q does not give what training saw", path, detail)
						}
						continue
					}
					flags, _ := doc["outside_training"].([]any)
					if flagged := len(flags) > 0 && flags[0].(map[string]any)["field"] == tt.field; flagged != w.flagged {
						t.Errorf("%s: outside_training %v; want %s listed: %v", path, flags, tt.field, w.flagged)
					}
				}
			})
		}
	}
}

// TestRangeClampScoresTheBound checks that a clamped value is scored
// exactly as the training bound it is clamped to.
func TestRangeClampScoresTheBound(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	in := s.current.Load().model.Pipeline.Inputs
	var hi float64
	for _, x := range in {
		if x.Name == "annual_inc" {
			hi = *x.Stats.Max
		}
	}
	pd := func(v any) float64 {
		a := servetest.Application(1)
		a["annual_inc"] = v
		rec := do(t, s, "POST", "/predict", a)
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return decodeJSON(t, rec)["default_probability"].(float64)
	}
	if got, want := pd(3*hi), pd(hi); got != want {
		t.Errorf("PD with annual_inc %v is %v; want %v, the PD at the training maximum %v", 3*hi, got, want, hi)
	}
}

// TestSpecRangePolicy checks that an input's own policy, from the spec,
// wins over the server's default.
func TestSpecRangePolicy(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	p := s.current.Load().model.Pipeline
	inputs := slices.Clone(p.Inputs)
	for i := range inputs {
		switch inputs[i].Name {
		case "term":
			inputs[i].RangePolicy = features.RangeReject
		case "annual_inc":
			inputs[i].RangePolicy = features.RangeClamp
		}
	}
	for _, policy := range []string{features.RangeClamp, features.RangeReject} {
		for _, g := range newGuards(&features.Pipeline{Inputs: inputs}, policy) {
			want := policy == features.RangeReject
			switch g.in.Name {
			case "term":
				want = true
			case "annual_inc":
				want = false
			}
			if g.reject != want {
				t.Errorf("server default %s: %s rejects %v; want %v", policy, g.in.Name, g.reject, want)
			}
		}
	}
}

// TestOpenAPIProblems checks the problem documents of the OpenAPI
// document: every problem code the server sends is listed, the example is
// a real problem type, and /predict lists its new statuses.
func TestOpenAPIProblems(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	var doc struct {
		Paths      map[string]map[string]struct{ Responses map[string]any }
		Components struct {
			Schemas map[string]struct {
				Description string
				Example     map[string]any
				Properties  map[string]struct{ Enum []any }
			}
		}
	}
	if err := json.Unmarshal(do(t, s, "GET", "/openapi.json", nil).Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	problem := doc.Components.Schemas["Problem"]
	if typ, _ := problem.Example["type"].(string); !strings.HasPrefix(typ, problemTypeBase) {
		t.Errorf("Problem example type %q; want a %s… URN", typ, problemTypeBase)
	}
	for code, e := range problemTable {
		if want := fmt.Sprintf("%s (%d)", code, e.status); !strings.Contains(problem.Description, want) {
			t.Errorf("Problem description lacks %q", want)
		}
	}
	enum := doc.Components.Schemas["FieldError"].Properties["problem"].Enum
	for _, code := range []string{wire.ProblemDuplicate, ProblemTrainingRange, ProblemImplausible} {
		if !slices.Contains(enum, any(code)) {
			t.Errorf("FieldError problems %v lack %s", enum, code)
		}
	}
	for _, path := range []string{"/predict", "/predict/batch"} {
		for _, status := range []string{"408", "415"} {
			if _, ok := doc.Paths[path]["post"].Responses[status]; !ok {
				t.Errorf("%s lists no %s response", path, status)
			}
		}
	}
	for _, path := range []string{"/predict", "/predict/batch"} {
		for _, status := range []string{"401", "403"} {
			if _, ok := doc.Paths[path]["post"].Responses[status]; !ok {
				t.Errorf("%s lists no %s response", path, status)
			}
		}
	}
	if strings.Contains(docsInit, "onload") {
		t.Error("Swagger UI waits for window.onload")
	}
}
