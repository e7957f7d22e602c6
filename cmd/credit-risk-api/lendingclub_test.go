package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/specs"
)

// TestEndToEndLendingClub runs the two programs as a lender would: the
// credit-risk CLI retrains on the real Lending Club file and sets the
// champion alias, credit-risk-api serves it, and hundreds of raw rows
// (every non-empty cell as the text the export has) get the same PD from
// /predict, from /predict/batch and from `credit-risk score` on a CSV of
// the same rows, to 1e-12, and every declined row the same adverse-action
// reasons, each naming an application field of the Lending Club spec;
// rows the pipeline refuses are refused by all three. It needs
// CREDIT_RISK_DATASETS.
func TestEndToEndLendingClub(t *testing.T) {
	ws := newLCWorkspace(t)
	datasets, api, work, runCLI := ws.datasets, ws.api, ws.work, ws.run
	runCLI("retrain", "--algorithms", "gbdt", "--tune-trials", "0")

	// Rows spread over the whole file, written as the raw CSV the score
	// command reads; every 40th has a grade the model does not know and
	// must be refused.
	header, rows := servetest.LendingClubRows(t, datasets, 400, 97)
	grade := slices.Index(header, "grade")
	for i := 0; i < len(rows); i += 40 {
		rows[i][grade] = "Z"
	}
	in := ws.writeCSV(t, "applications.csv", header, rows)
	runCLI("score", "--in", in, "--out", filepath.Join(work, "scores.csv"))
	scores := readScores(t, filepath.Join(work, "scores.csv"))

	p := start(t, api, "MODEL_PATH="+filepath.Join(work, "models", "production.model"))
	apps := applications(header, rows)
	idCol := slices.Index(header, "id")
	status, _, body := p.request(t, "POST", "/predict/batch", map[string]any{"applications": apps})
	if status != 200 {
		t.Fatalf("/predict/batch: status %d: %.500s", status, body)
	}
	var batch struct {
		ModelVersion string `json:"model_version"`
		Results      []struct {
			PD      *float64        `json:"default_probability"`
			Adverse []adverseReason `json:"adverse_action"`
			Error   json.RawMessage `json:"error"`
		} `json:"results"`
	}
	if err := json.Unmarshal(body, &batch); err != nil || len(batch.Results) != len(rows) {
		t.Fatalf("/predict/batch: %d results, %v", len(batch.Results), err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	scored, refused, declined, reasons := 0, 0, 0, map[string]int{}
	for i, app := range apps {
		want := scores[rows[i][idCol]]
		if want.modelVersion != batch.ModelVersion {
			t.Fatalf("score used model %q; the API serves %q", want.modelVersion, batch.ModelVersion)
		}
		status, _, body := p.request(t, "POST", "/predict", app)
		if want.err != "" {
			refused++
			if status != 422 || batch.Results[i].Error == nil {
				t.Errorf("row %s: score refuses it (%s); /predict status %d, batch error %s", rows[i][idCol], want.err, status, batch.Results[i].Error)
			}
			continue
		}
		scored++
		var one struct {
			PD      float64         `json:"default_probability"`
			Adverse []adverseReason `json:"adverse_action"`
		}
		if status != 200 || json.Unmarshal(body, &one) != nil {
			t.Fatalf("row %s: /predict status %d: %.300s", rows[i][idCol], status, body)
		}
		if math.Abs(one.PD-want.pd) > 1e-12 {
			t.Errorf("row %s: /predict PD %.17g; credit-risk score %.17g", rows[i][idCol], one.PD, want.pd)
		}
		if got := batch.Results[i].PD; got == nil || math.Abs(*got-want.pd) > 1e-12 {
			t.Errorf("row %s: /predict/batch PD %v; credit-risk score %.17g", rows[i][idCol], got, want.pd)
		}
		if !slices.Equal(one.Adverse, batch.Results[i].Adverse) {
			t.Errorf("row %s: /predict reasons %v; /predict/batch %v", rows[i][idCol], one.Adverse, batch.Results[i].Adverse)
		}
		var codes, fields []string
		for _, r := range one.Adverse {
			codes, fields = append(codes, r.Code), append(fields, r.Field)
			reasons[r.Code]++
			if spec.RoleOf(r.Field) != dataset.RoleFeature {
				t.Errorf("row %s: reason %+v names %q, not an application field of the spec", rows[i][idCol], r, r.Field)
			}
			if c, ok := spec.Reasons[r.Field]; !ok || !slices.Contains([]string{c.Code, c.Missing.Code, text(c.High), text(c.Low)}, r.Code) {
				t.Errorf("row %s: reason %+v is not one of the catalogue's for %s", rows[i][idCol], r, r.Field)
			}
		}
		if len(one.Adverse) > 0 {
			declined++
		}
		if got, want := strings.Join(codes, ";")+" "+strings.Join(fields, ";"), want.adverse+" "+want.adverseFields; got != want {
			t.Errorf("row %s: /predict reasons %q; credit-risk score %q", rows[i][idCol], got, want)
		}
	}
	if scored < 300 || refused != 10 {
		t.Errorf("%d rows scored, %d refused; want hundreds scored", scored, refused)
	}
	if declined < 20 {
		t.Errorf("%d rows declined with reasons; want more to compare", declined)
	}
	t.Logf("%d rows scored identically by /predict, /predict/batch and credit-risk score; %d refused by all three; %d declined with the same reasons from all three (codes: %v)", scored, refused, declined, reasons)

	for _, c := range []struct{ path, contains string }{
		{"/model/info", `"model_version": "` + batch.ModelVersion + `"`},
		{"/openapi.json", `"int_rate"`},
		{"/metrics", `model_info{algorithm="gbdt",version="` + batch.ModelVersion + `"} 1`},
	} {
		status, _, body := p.request(t, "GET", c.path, nil)
		if status != 200 || !strings.Contains(string(body), c.contains) {
			t.Errorf("GET %s: status %d, body without %q", c.path, status, c.contains)
		}
	}
}

type score struct {
	pd                     float64
	modelVersion           string
	adverse, adverseFields string
	err                    string
}

// adverseReason is one reason of an answer's adverse_action.
type adverseReason struct {
	Code   string `json:"code"`
	Reason string `json:"reason"`
	Field  string `json:"field"`
}

// text returns the code of an optional catalogue reason, "" for none.
func text(r *dataset.ReasonText) string {
	if r == nil {
		return ""
	}
	return r.Code
}

// readScores reads the output of credit-risk score by id.
func readScores(t *testing.T, path string) map[string]score {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("scores: %d records, %v", len(recs), err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []string{"id", "default_probability", "model_version", "adverse_action", "adverse_action_fields", "error"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("scores have no %s column: %q", c, recs[0])
		}
	}
	out := map[string]score{}
	for _, r := range recs[1:] {
		s := score{modelVersion: r[col["model_version"]], err: r[col["error"]],
			adverse: r[col["adverse_action"]], adverseFields: r[col["adverse_action_fields"]]}
		if s.err == "" {
			if s.pd, err = strconv.ParseFloat(r[col["default_probability"]], 64); err != nil {
				t.Fatalf("scores: %v", err)
			}
		}
		out[r[col["id"]]] = s
	}
	return out
}

// lcWorkspace is a working folder whose data/raw holds the real Lending
// Club file, with both programs built: the setting of the end-to-end
// tests on real data.
type lcWorkspace struct {
	datasets, api, cli, work string
	t                        *testing.T
}

// newLCWorkspace builds the programs and makes the folder; it skips
// without CREDIT_RISK_DATASETS and with -short.
func newLCWorkspace(t *testing.T) *lcWorkspace {
	t.Helper()
	ws := &lcWorkspace{datasets: servetest.DatasetsDir(t), t: t}
	if testing.Short() {
		t.Skip("retrains on the real data: skipped with -short")
	}
	ws.api = buildBinary(t)
	ws.cli = filepath.Join(binDir, "credit-risk")
	if out, err := exec.Command("go", "build", "-o", ws.cli, "../credit-risk").CombinedOutput(); err != nil {
		t.Fatalf("go build credit-risk: %v\n%s", err, out)
	}
	ws.work = t.TempDir()
	raw := filepath.Join(ws.work, "data", "raw")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(ws.datasets, servetest.LendingClubFile)
	if err := os.Symlink(src, filepath.Join(raw, filepath.Base(src))); err != nil {
		t.Fatal(err)
	}
	return ws
}

// run runs credit-risk in the folder and fails the test if it fails.
func (ws *lcWorkspace) run(args ...string) {
	ws.t.Helper()
	cmd := exec.Command(ws.cli, args...)
	cmd.Dir = ws.work
	if out, err := cmd.CombinedOutput(); err != nil {
		ws.t.Fatalf("credit-risk %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// writeCSV writes header and rows as the CSV name in the folder and
// returns its path.
func (ws *lcWorkspace) writeCSV(t *testing.T, name string, header []string, rows [][]string) string {
	t.Helper()
	path := filepath.Join(ws.work, name)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	w.Write(header)
	w.WriteAll(rows)
	w.Flush()
	if err := errors.Join(w.Error(), f.Close()); err != nil {
		t.Fatal(err)
	}
	return path
}

// applications turns raw rows into API applications: every non-empty
// cell, as text, under its column's name.
func applications(header []string, rows [][]string) []map[string]string {
	apps := make([]map[string]string, len(rows))
	for i, row := range rows {
		apps[i] = map[string]string{}
		for j, h := range header {
			if row[j] != "" {
				apps[i][h] = row[j]
			}
		}
	}
	return apps
}
