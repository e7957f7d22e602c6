package serve

import (
	"encoding/json"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/specs"
)

// TestTrainServeParity trains on the real Lending Club file and checks, on
// hundreds of raw rows read with the dataset reader and posted as JSON
// string fields, that /predict gives exactly the PD of Model.PD on the
// vector Pipeline.Transform makes from the same CSV record, and the same
// field problems when the record is refused.
func TestTrainServeParity(t *testing.T) {
	datasets := servetest.DatasetsDir(t)
	if testing.Short() {
		t.Skip("trains on the real data: skipped with -short")
	}
	models := servetest.TrainLendingClub(t, datasets, t.TempDir(), 30)
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(models, "production.model")
	s, err := New(cfg, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	l := s.current.Load()
	p := l.model.Pipeline

	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(datasets, servetest.LendingClubFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := dataset.NewReader(f, f.Name(), spec.Format, spec.Target.Column)
	if err != nil {
		t.Fatal(err)
	}
	header := rd.Header()
	index := p.HeaderIndex(header)
	raw := make([]features.Raw, len(p.Inputs))
	row := p.NewRow()
	x := make([]float64, p.NumFeatures())
	var scored, refused int
	for n := 0; scored+refused < 600; n++ {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n%61 != 0 { // spread the sample over the whole file
			continue
		}
		app := make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) {
				app[h] = rec[i]
			}
		}
		p.RawFromStrings(index, rec, raw)
		errs := p.Transform(raw, row, x)
		resp := do(t, s, "POST", "/predict", app)
		if errs != nil {
			refused++
			if resp.Code != 422 {
				t.Fatalf("line %d: status %d; the pipeline refuses it with %v", rd.Line(), resp.Code, errs)
			}
			got := problemFields(t, decodeJSON(t, resp))
			for _, fe := range errs {
				if got[fe.Field] != fe.Problem {
					t.Errorf("line %d: field %s: problem %q; want %q", rd.Line(), fe.Field, got[fe.Field], fe.Problem)
				}
			}
			continue
		}
		scored++
		if resp.Code != 200 {
			t.Fatalf("line %d: status %d: %s", rd.Line(), resp.Code, resp.Body)
		}
		var got struct {
			PD float64 `json:"default_probability"`
		}
		if err := json.Unmarshal(resp.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if want := l.model.PD(x); math.Abs(got.PD-want) > 1e-12 {
			t.Errorf("line %d: /predict PD %.17g; Pipeline.Transform + Model.PD give %.17g", rd.Line(), got.PD, want)
		}
	}
	if scored < 300 {
		t.Errorf("only %d rows scored (%d refused); want hundreds", scored, refused)
	}
	t.Logf("%d rows scored identically, %d refused with the same field problems", scored, refused)
}
