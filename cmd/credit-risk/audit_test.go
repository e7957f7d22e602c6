package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/serve"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

var auditStart = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// auditTrail writes n decisions a minute apart from auditStart into
// dir/audit, over segments of at most two records.
func auditTrail(t *testing.T, dir string, n int) string {
	t.Helper()
	trail := filepath.Join(dir, "audit")
	s, err := audit.Open(trail, audit.Options{MaxSegmentBytes: 1200})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range n {
		rec := audit.Record{
			Time:      auditStart.Add(time.Duration(i) * time.Minute),
			RequestID: fmt.Sprintf("req-%d", i), ModelName: "gbdt", ModelVersion: "gbdt_v3",
			ModelSHA256: strings.Repeat("5", 64), Input: []byte(`{"loan_amnt": 12000, "term": " 36 months"}`),
			DefaultProbability: []float64{0.05, 0.2, 0.35, 0.5, 0.65}[i%5], Decision: audit.DecisionApproved, Threshold: 0.5,
		}
		if rec.DefaultProbability >= rec.Threshold {
			rec.Decision = audit.DecisionDeclined
			rec.Reasons = []audit.Reason{{Code: "R01", Reason: "Income insufficient for amount requested", Field: "annual_inc"}}
		}
		if err := s.Append(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return trail
}

func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	trail := auditTrail(t, dir, 5)
	out := mustRun(t, dir, "audit", "verify", "--dir", trail)
	want := "audit verify: ok: 5 records (5 decisions, 0 gaps) in 3 segments; decisions from 2026-12-01T09:00:00Z to 2026-12-01T09:04:00Z; head seq 5 sha256 "
	if !strings.HasPrefix(out, want) || strings.Count(out, "\n") != 1 {
		t.Errorf("verify printed\n%s\nwant one line starting\n%s", out, want)
	}

	seg := filepath.Join(trail, audit.SegmentName(2))
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	first := strings.Index(string(b), "\n") + 1
	i := strings.LastIndex(string(b), `"req-3"`)
	b[i+5] = '9'
	if err := os.WriteFile(seg, b, 0o640); err != nil {
		t.Fatal(err)
	}
	m, stdout, stderr := testMain(dir)
	err = m.Run(t.Context(), []string{"audit", "verify", "--dir", trail})
	if code := m.ExitCode(err); code != 1 {
		t.Errorf("exit code %d; want 1", code)
	}
	wantErr := fmt.Sprintf("credit-risk: audit verify %s: broken after 3 good records: %s: offset %d (line 2): audit: record hash mismatch: seq 4\n",
		trail, audit.SegmentName(2), first)
	if stderr.String() != wantErr || stdout.Len() > 0 {
		t.Errorf("stderr %q, stdout %q; want stderr %q", stderr, stdout, wantErr)
	}
}

// TestAuditVerifyLive runs verify while a sink has the trail open and a
// record is half written.
func TestAuditVerifyLive(t *testing.T) {
	dir := t.TempDir()
	trail := auditTrail(t, dir, 2)
	s, err := audit.Open(trail, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f, err := os.OpenFile(filepath.Join(trail, audit.SegmentName(1)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":3,"kind":"deci`)
	f.Close()
	out := mustRun(t, dir, "audit", "verify", "--dir", trail)
	if !strings.Contains(out, "ok: 2 records") || !strings.HasSuffix(out, "; 21 bytes of a record being written left out\n") {
		t.Errorf("verify printed %q", out)
	}
}

// TestAuditVerifyGap checks that verify passes on a trail that was
// reopened after a crash cut a record, and lists the gap.
func TestAuditVerifyGap(t *testing.T) {
	dir := t.TempDir()
	trail := auditTrail(t, dir, 2)
	f, err := os.OpenFile(filepath.Join(trail, audit.SegmentName(1)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":3,"kind":"deci`)
	f.Close()
	if _, err := run(t, dir, "audit", "verify", "--dir", trail); !errors.Is(err, audit.ErrTruncated) {
		t.Errorf("verify of a cut trail = %v; want ErrTruncated", err)
	}
	s, err := audit.Open(trail, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	out := mustRun(t, dir, "audit", "verify", "--dir", trail)
	if !strings.Contains(out, "ok: 3 records (2 decisions, 1 gaps)") || !strings.Contains(out, "\ngap: audit-000001.jsonl offset ") {
		t.Errorf("verify printed\n%s", out)
	}
}

func TestAuditExport(t *testing.T) {
	dir := t.TempDir()
	trail := auditTrail(t, dir, 5)

	out := mustRun(t, dir, "audit", "export", "--dir", trail, "--from", "2026-12-01T09:01:00Z", "--to", "2026-12-01T09:04:00Z")
	var ids []string
	for l := range strings.Lines(out) {
		var rec struct {
			RequestID          string   `json:"request_id"`
			ModelVersion       string   `json:"model_version"`
			Decision           string   `json:"decision"`
			DefaultProbability *float64 `json:"default_probability"`
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		if rec.ModelVersion != "gbdt_v3" || rec.Decision == "" || rec.DefaultProbability == nil {
			t.Errorf("line lacks fields: %s", l)
		}
		ids = append(ids, rec.RequestID)
	}
	if got := strings.Join(ids, ","); got != "req-1,req-2,req-3" {
		t.Errorf("exported %s; want req-1,req-2,req-3", got)
	}

	csvPath := filepath.Join(dir, "out", "decisions.csv")
	if out := mustRun(t, dir, "audit", "export", "--dir", trail, "--format", "csv", "--out", csvPath); out != "audit export: 5 decisions written to "+csvPath+"\n" {
		t.Errorf("export printed %q", out)
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 || strings.Join(rows[0], ",") != strings.Join(audit.CSVHeader(), ",") || rows[5][2] != "req-4" || rows[5][10] != "declined" {
		t.Errorf("csv rows %v", rows)
	}

	// A trail that does not verify leaves no file.
	seg := filepath.Join(trail, audit.SegmentName(3))
	os.WriteFile(seg, []byte("{}\n"), 0o640)
	bad := filepath.Join(dir, "bad.csv")
	if _, err := run(t, dir, "audit", "export", "--dir", trail, "--out", bad); !errors.Is(err, audit.ErrMalformed) {
		t.Errorf("export of a broken trail = %v; want ErrMalformed", err)
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("export of a broken trail left %s", bad)
	}
}

func TestAuditUsage(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "usage: audit: want verify, export or replay"},
		{[]string{"audit", "rewrite"}, `usage: audit: unknown subcommand "rewrite"`},
		{[]string{"audit", "replay", "--range-policy", "ignore"}, "usage: --range-policy ignore: want clamp or reject"},
		{[]string{"audit", "verify", "extra"}, `usage: audit verify: unexpected argument "extra"`},
		{[]string{"audit", "verify", "--format", "csv"}, "usage: flag provided but not defined: -format"},
		{[]string{"audit", "export", "--format", "xml"}, "usage: --format xml: want jsonl or csv"},
		{[]string{"audit", "export", "--from", "yesterday"}, "usage: --from yesterday: want an RFC 3339 time"},
		{[]string{"audit", "export", "--from", "2026-12-02T00:00:00Z", "--to", "2026-12-01T00:00:00Z"}, "usage: --from 2026-12-02T00:00:00Z is not before --to"},
		{[]string{"audit", "export", "--instance", "api-0"}, "usage: --instance needs --database-url or --database"},
		{[]string{"audit", "replay", "--database"}, "usage: --database needs AUDIT_DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			m, _, _ := testMain(dir)
			err := m.Run(t.Context(), tt.args)
			if !errors.Is(err, errUsage) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %v; want a usage error starting %q", err, tt.want)
			}
			if code := m.ExitCode(err); code != 2 {
				t.Errorf("exit code %d; want 2", code)
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		for _, args := range [][]string{{"audit", "--help"}, {"audit", "verify", "--help"}} {
			out := mustRun(t, dir, args...)
			if !strings.Contains(out, "Usage: credit-risk audit verify") || !strings.Contains(out, "Examples:") {
				t.Errorf("%v printed %q", args, out)
			}
		}
		if out := mustRun(t, dir, "help"); !strings.Contains(out, "  audit        verify, export or replay the decision audit trail\n") {
			t.Errorf("help lacks the audit command:\n%s", out)
		}
	})
	t.Run("missing directory", func(t *testing.T) {
		_, err := run(t, dir, "audit", "verify", "--dir", filepath.Join(dir, "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("verify of a missing directory = %v", err)
		}
	})
	t.Run("AUDIT_DIR", func(t *testing.T) {
		trail := auditTrail(t, t.TempDir(), 1)
		m := &Main{Stdout: new(strings.Builder), Stderr: new(strings.Builder), Getenv: func(k string) string {
			if k == "AUDIT_DIR" {
				return trail
			}
			return ""
		}}
		if err := m.Run(t.Context(), []string{"audit", "verify"}); err != nil {
			t.Errorf("verify with AUDIT_DIR: %v", err)
		}
	})
}

// recordDecisions writes a model of the given version in dir/models (the
// champion) and records n decisions of an in-process server with
// AUDIT=file in dir/audit; it returns the two folders and the model's
// base name.
func recordDecisions(t *testing.T, dir string, version, n int) (models, trail, base string) {
	t.Helper()
	models = filepath.Join(dir, "models")
	if err := os.MkdirAll(models, 0o755); err != nil {
		t.Fatal(err)
	}
	base = servetest.WriteModel(t, models, servetest.Options{Version: version})
	servetest.SetAlias(t, models, base)
	trail = filepath.Join(dir, "audit")
	cfg := serve.NewConfig()
	cfg.ModelPath, cfg.ReloadInterval = filepath.Join(models, "production.model"), 0
	cfg.Audit, cfg.AuditDir, cfg.AuditTimeout = serve.AuditFile, trail, 5*time.Second
	srv, err := serve.New(cfg, serve.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		body, _ := json.Marshal(servetest.Application(i))
		req := httptest.NewRequest("POST", "/predict", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	if err := srv.Close(t.Context()); err != nil {
		t.Fatal(err)
	}
	return models, trail, base
}

// TestAuditReplay records decisions through the scoring API's own code
// (an in-process server with AUDIT=file), replays them with the model
// files, then checks that a recorded PD that is not what the model gives
// is reported, and that a changed model file makes its decisions
// unreplayable.
func TestAuditReplay(t *testing.T) {
	dir := t.TempDir()
	models, trail, base := recordDecisions(t, dir, 3, 20)
	out := mustRun(t, dir, "audit", "replay", "--dir", trail, "--models-dir", models)
	if !strings.Contains(out, "20 decisions replayed: 20 identical, 0 differ") {
		t.Fatalf("replay: %s", out)
	}

	// A decision whose recorded PD is not the model's.
	s, err := audit.Open(trail, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var first audit.Record
	audit.Scan(t.Context(), trail, func(r *audit.Record, _ []byte) error {
		if first.RequestID == "" {
			first = *r
		}
		return nil
	})
	forged := first
	forged.Seq, forged.Prev, forged.Hash, forged.Time, forged.InputSHA256 = 0, "", "", time.Time{}, ""
	forged.RequestID, forged.DefaultProbability = "forged-1", first.DefaultProbability/2
	if err := s.Append(t.Context(), forged); err != nil {
		t.Fatal(err)
	}
	s.Close()
	out, err = run(t, dir, "audit", "replay", "--dir", trail, "--models-dir", models)
	if err == nil || !strings.Contains(out, "differs: forged-1") || !strings.Contains(out, "21 decisions replayed: 20 identical, 1 differ") {
		t.Errorf("replay with a forged PD: %v\n%s", err, out)
	}

	// A model file that is not the one recorded: nothing is replayed
	// with it.
	path := filepath.Join(models, base+".model")
	os.Chmod(path, 0o644)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(data, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = run(t, dir, "audit", "replay", "--dir", trail, "--models-dir", models)
	if err != nil || !strings.Contains(out, "0 decisions replayed") || !strings.Contains(out, "21 whose model file is missing or changed") {
		t.Errorf("replay with a changed model file: %v\n%s", err, out)
	}
}
