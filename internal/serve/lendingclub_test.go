package serve

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
	"github.com/credit-risk/credit-risk/specs"
)

// TestTrainServeParity trains on the real Lending Club file and checks, on
// hundreds of raw rows read with the dataset reader and posted as JSON
// string fields, that /predict gives exactly the PD of Model.PD on the
// vector Pipeline.Transform makes from the same CSV record, the same
// adverse-action reasons as Model.AdverseAction there, each naming an
// application field of the spec, and the same field problems when the
// record is refused.
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
	phi, dirs := make([]float64, p.NumFeatures()), make([]features.Direction, len(p.Inputs))
	var scored, refused, declined int
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
		var got adverseAnswer
		if err := json.Unmarshal(resp.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		want := l.model.PD(x)
		if math.Abs(got.PD-want) > 1e-12 {
			t.Errorf("line %d: /predict PD %.17g; Pipeline.Transform + Model.PD give %.17g", rd.Line(), got.PD, want)
		}
		var reasons []model.AdverseReason
		if l.model.Decide(want) == 1 {
			declined++
			p.Directions(row, dirs)
			reasons = l.model.AdverseAction(phi, x, dirs, s.cfg.ReasonsMax)
			for k := range reasons {
				reasons[k].Contribution = 0
			}
		}
		if !slices.Equal(got.AdverseAction, reasons) {
			t.Errorf("line %d: /predict reasons %+v; Model.AdverseAction %+v", rd.Line(), got.AdverseAction, reasons)
		}
		for _, r := range got.AdverseAction {
			if spec.RoleOf(r.Field) != dataset.RoleFeature {
				t.Errorf("line %d: reason %+v names %q, not an application field of the spec", rd.Line(), r, r.Field)
			}
		}
	}
	if scored < 300 {
		t.Errorf("only %d rows scored (%d refused); want hundreds", scored, refused)
	}
	if declined < 30 {
		t.Errorf("only %d rows declined; want enough to compare reasons", declined)
	}
	t.Logf("%d rows scored identically (%d declined, with the same reasons), %d refused with the same field problems", scored, declined, refused)
}

// lendingClubApplications reads the first n rows of the raw Lending Club
// file as applications a lender posts: every non-empty cell, as a string.
func lendingClubApplications(tb testing.TB, datasets string, n int) []map[string]string {
	tb.Helper()
	header, rows := servetest.LendingClubRows(tb, datasets, n, 1)
	apps := make([]map[string]string, len(rows))
	for k, rec := range rows {
		apps[k] = make(map[string]string, len(header))
		for i, h := range header {
			if i < len(rec) && rec[i] != "" {
				apps[k][h] = rec[i]
			}
		}
	}
	return apps
}

// BenchmarkLendingClub scores raw Lending Club rows with a 100-tree model
// trained on the real file: one application per request (/predict) and
// batches of n (/predict/batch). It needs CREDIT_RISK_DATASETS.
func BenchmarkLendingClub(b *testing.B) {
	datasets := servetest.DatasetsDir(b)
	models := servetest.TrainLendingClub(b, datasets, b.TempDir(), 100)
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(models, "production.model")
	cfg.ReloadInterval = 0
	s, err := New(cfg, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	apps := lendingClubApplications(b, datasets, 10000)
	l := s.current.Load()
	bodies := make([]string, 1000)
	for i := range bodies {
		data, err := json.Marshal(apps[i])
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = string(data)
	}
	// The steps of one application on one goroutine: decoding the JSON
	// body, then the feature pipeline.
	b.Run("decode", func(b *testing.B) {
		sc := l.getScratch()
		i := 0
		for b.Loop() {
			sc.app.Reset(len(l.names))
			if err := wire.DecodeApplication(bodies[i%len(bodies)], l.index, &sc.app); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("transform", func(b *testing.B) {
		sc := l.getScratch()
		raws := make([][]features.Raw, len(bodies))
		for i, body := range bodies {
			sc.app.Reset(len(l.names))
			if err := wire.DecodeApplication(body, l.index, &sc.app); err != nil {
				b.Fatal(err)
			}
			raws[i] = slices.Clone(sc.app.Raw)
		}
		i := 0
		for b.Loop() {
			l.model.Pipeline.Transform(raws[i%len(raws)], sc.row, sc.x)
			i++
		}
	})
	b.Run("predict", func(b *testing.B) {
		bodies := make([]*reusableRequest, 64)
		for i := range bodies {
			data, err := json.Marshal(apps[i])
			if err != nil {
				b.Fatal(err)
			}
			bodies[i] = newReusableRequest("/predict", data)
		}
		w := &discardWriter{h: http.Header{}}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			rr := bodies[i%len(bodies)]
			i++
			rr.rewind()
			clear(w.h)
			w.status = 0
			s.ServeHTTP(w, rr.req)
			if w.status != 0 && w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
		}
	})
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			body, err := json.Marshal(map[string]any{"applications": apps[:n]})
			if err != nil {
				b.Fatal(err)
			}
			rr := newReusableRequest("/predict/batch", body)
			w := &discardWriter{h: http.Header{}}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				rr.rewind()
				clear(w.h)
				w.status = 0
				s.ServeHTTP(w, rr.req)
				if w.status != 0 && w.status != 200 {
					b.Fatalf("status %d", w.status)
				}
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "apps/s")
			b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "apps/cpu-s")
		})
	}
}
