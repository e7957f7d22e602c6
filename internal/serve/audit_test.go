package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// trail returns the decision records of the audit trail in dir, after
// checking that it verifies.
func trail(tb testing.TB, dir string) []audit.Record {
	tb.Helper()
	var recs []audit.Record
	if _, err := audit.Scan(context.Background(), dir, func(r *audit.Record, _ []byte) error {
		if r.Kind == audit.KindDecision {
			recs = append(recs, *r)
		}
		return nil
	}); err != nil {
		tb.Fatalf("the audit trail does not verify: %v", err)
	}
	return recs
}

// closeServer closes s, which closes its audit trail.
func closeServer(tb testing.TB, s *Server) {
	tb.Helper()
	if err := s.Close(context.Background()); err != nil {
		tb.Fatal(err)
	}
}

func TestAudit_Predict(t *testing.T) {
	for _, inputs := range []audit.InputMode{audit.InputsRaw, audit.InputsHash} {
		t.Run(string(inputs), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			keysPath := filepath.Join(t.TempDir(), "keys.json")
			sec := writeKeys(t, keysPath, testKey{"origination", []string{apikey.ScopeScore}})
			s, _ := testServer(t, servetest.Options{}, func(c *Config) {
				c.Audit, c.AuditDir, c.AuditInputs, c.APIKeysFile = AuditFile, dir, inputs, keysPath
			})
			body := appBody(t)
			req := httptest.NewRequest("POST", "/predict", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+sec["origination"])
			req.Header.Set("X-Request-Id", "loan-42")
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			var ans struct {
				Prediction         int     `json:"prediction"`
				DefaultProbability float64 `json:"default_probability"`
				ModelVersion       string  `json:"model_version"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
				t.Fatal(err)
			}
			// An invalid application gets no decision and no record.
			if rec := doAuth(t, s, "POST", "/predict", "X-API-Key", sec["origination"], []byte(`{"loan_amnt": true}`)); rec.Code != 422 {
				t.Fatalf("invalid application: %d", rec.Code)
			}
			if got := counterTotal(t, s, "audit_records_total"); got != 1 {
				t.Errorf("audit_records_total = %v; want 1", got)
			}
			closeServer(t, s)
			recs := trail(t, dir)
			if len(recs) != 1 {
				t.Fatalf("%d records; want 1", len(recs))
			}
			r := recs[0]
			wantDecision := audit.DecisionApproved
			if ans.Prediction == 1 {
				wantDecision = audit.DecisionDeclined
			}
			l := s.current.Load()
			if r.RequestID != "loan-42" || r.KeyID != "origination" || r.ModelVersion != ans.ModelVersion ||
				r.ModelSHA256 != l.meta.SHA256 || r.DefaultProbability != ans.DefaultProbability ||
				r.Decision != wantDecision || r.Threshold != l.model.Threshold {
				t.Errorf("record %+v does not match the answer %+v", r, ans)
			}
			switch inputs {
			case audit.InputsRaw:
				var compact bytes.Buffer
				json.Compact(&compact, body)
				if string(r.Input) != compact.String() {
					t.Errorf("input %s; want the application as received", r.Input)
				}
			case audit.InputsHash:
				if len(r.Input) != 0 || len(r.InputSHA256) != 64 {
					t.Errorf("hash mode kept input %q, sha %q", r.Input, r.InputSHA256)
				}
			}
		})
	}
}

func TestAudit_Batch(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.Audit, c.AuditDir = AuditFile, dir })
	app := string(appBody(t))
	body := `{"applications": [` + app + `, {"loan_amnt": true}, ` + app + `, "x"]}`
	req := httptest.NewRequest("POST", "/predict/batch", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "batch-7")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var ans struct {
		Results []struct {
			Index              int      `json:"index"`
			DefaultProbability *float64 `json:"default_probability"`
		} `json:"results"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	closeServer(t, s)
	recs := trail(t, dir)
	// Items 0 and 2 were scored; 1 (invalid) and 3 (not an object) not.
	if len(recs) != 2 || recs[0].RequestID != "batch-7/0" || recs[1].RequestID != "batch-7/2" {
		t.Fatalf("records %+v; want batch-7/0 and batch-7/2", recs)
	}
	for i, r := range recs {
		idx := []int{0, 2}[i]
		if p := ans.Results[idx].DefaultProbability; p == nil || *p != r.DefaultProbability {
			t.Errorf("item %d: record PD %v, answer %v", idx, r.DefaultProbability, p)
		}
		var compact bytes.Buffer
		json.Compact(&compact, []byte(app))
		if string(r.Input) != compact.String() {
			t.Errorf("item %d: input %s; want the item as received", idx, r.Input)
		}
	}
}

func TestAudit_NoRecordNoDecision(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.Audit, c.AuditDir = AuditFile, dir })
	if err := s.audit.Close(); err != nil { // the trail can no longer take records
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		body []byte
	}{
		{"/predict", appBody(t)},
		{"/predict/batch", batchBody(t, 3)},
	} {
		rec := do(t, s, "POST", tt.path, tt.body)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s with the trail closed: %d (Retry-After %q); want 503 with Retry-After", tt.path, rec.Code, rec.Header().Get("Retry-After"))
		}
		if strings.Contains(rec.Body.String(), "default_probability") || !strings.Contains(rec.Body.String(), ProblemAuditUnavailable) {
			t.Errorf("%s: body %s; want the audit problem and no decision", tt.path, rec.Body)
		}
	}
	if got := counterTotal(t, s, "predictions_total"); got != 0 {
		t.Errorf("predictions_total = %v; want 0: nothing was decided", got)
	}
	if got := counterTotal(t, s, "audit_failures_total"); got != 2 {
		t.Errorf("audit_failures_total = %v; want 2", got)
	}
}

func TestAudit_Config(t *testing.T) {
	tests := []struct {
		env     map[string]string
		wantVar string
	}{
		{map[string]string{"AUDIT": "file", "AUDIT_SYNC": "interval", "AUDIT_INPUTS": "hash", "AUDIT_DIR": "/var/audit"}, ""},
		{map[string]string{"AUDIT": "postgres"}, "AUDIT_DATABASE_URL"},
		{map[string]string{"AUDIT": "postgres", "AUDIT_DATABASE_URL": "postgres://u:p@h/d", "AUDIT_SPOOL_MAX": "0"}, "AUDIT_SPOOL_MAX"},
		{map[string]string{"AUDIT": "yes"}, "AUDIT"},
		{map[string]string{"AUDIT_SYNC": "never"}, "AUDIT_SYNC"},
		{map[string]string{"AUDIT_INPUTS": "none"}, "AUDIT_INPUTS"},
		{map[string]string{"AUDIT": "file", "AUDIT_TIMEOUT": "0"}, "AUDIT_TIMEOUT"},
	}
	for _, tt := range tests {
		c, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
		var ce *ConfigError
		switch {
		case tt.wantVar == "" && err != nil:
			t.Errorf("%v: %v", tt.env, err)
		case tt.wantVar == "" && (c.Audit != AuditFile || c.AuditSync != audit.SyncInterval || c.AuditInputs != audit.InputsHash || c.AuditDir != "/var/audit"):
			t.Errorf("%v: config %+v", tt.env, c)
		case tt.wantVar != "" && (!asConfigError(err, &ce) || ce.Var != tt.wantVar):
			t.Errorf("%v: %v; want a ConfigError naming %s", tt.env, err, tt.wantVar)
		}
	}
	// A trail another server holds is refused at start, naming AUDIT_DIR.
	dir := filepath.Join(t.TempDir(), "audit")
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.Audit, c.AuditDir = AuditFile, dir })
	defer closeServer(t, s)
	cfg := s.cfg
	if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "AUDIT_DIR") {
		t.Errorf("a second server on the same trail: %v; want an error naming AUDIT_DIR", err)
	}
}

// asConfigError is errors.As for a *ConfigError.
func asConfigError(err error, ce **ConfigError) bool {
	e, ok := errors.AsType[*ConfigError](err)
	*ce = e
	return ok
}

// TestAudit_Reasons checks that a declined decision's record carries the
// adverse-action reasons its answer gave, from /predict and from a batch.
func TestAudit_Reasons(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s, _ := testServer(t, servetest.Options{Threshold: 0.1}, func(c *Config) { c.Audit, c.AuditDir = AuditFile, dir })
	type answer struct {
		Prediction    int `json:"prediction"`
		AdverseAction []struct {
			Code, Field string
		} `json:"adverse_action"`
	}
	var want [][]string
	var apps []json.RawMessage
	for i := range 40 {
		body, _ := json.Marshal(servetest.Application(i))
		apps = append(apps, body)
		var a answer
		rec := do(t, s, "POST", "/predict", body)
		if err := json.Unmarshal(rec.Body.Bytes(), &a); err != nil || rec.Code != 200 {
			t.Fatalf("%d: %s", rec.Code, rec.Body)
		}
		var codes []string
		for _, r := range a.AdverseAction {
			codes = append(codes, r.Code+"/"+r.Field)
		}
		want = append(want, codes)
	}
	batch, _ := json.Marshal(map[string]any{"applications": apps})
	if rec := do(t, s, "POST", "/predict/batch", batch); rec.Code != 200 {
		t.Fatalf("batch: %d", rec.Code)
	}
	closeServer(t, s)
	recs := trail(t, dir)
	if len(recs) != 80 {
		t.Fatalf("%d records; want 80", len(recs))
	}
	declined := 0
	for i, r := range recs {
		var got []string
		for _, rr := range r.Reasons {
			got = append(got, rr.Code+"/"+rr.Field)
		}
		w := want[i%40]
		if strings.Join(got, ",") != strings.Join(w, ",") {
			t.Errorf("record %d (%s): reasons %v; the answer gave %v", i, r.RequestID, got, w)
		}
		if r.Decision == audit.DecisionDeclined {
			declined++
		}
	}
	if declined == 0 {
		t.Error("no declined decision: the test checks nothing")
	}
}
