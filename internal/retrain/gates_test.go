package retrain

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/registry"
)

func ptr(v float64) *float64 { return &v }

// TestRun_gates runs a first retrain, then a second one under other
// promotion settings, and checks the verdict, the gate that stopped the
// candidate, the registry's stages and the aliases.
func TestRun_gates(t *testing.T) {
	tests := []struct {
		name    string
		first   func(o *Options) // changes the first run's options
		second  func(o *Options) // nil: no second run
		verdict promotion.Verdict
		stopped promotion.Gate // the gate that failed, "" none
		// prod and chal are the versions the aliases name after the
		// last run (0: no alias).
		prod, chal int
	}{
		{name: "first run: absolute gates only", verdict: promotion.Promoted, prod: 1},
		{name: "same data again: no loss, promoted", second: func(*Options) {}, verdict: promotion.Promoted, prod: 2},
		{name: "min_gain not reached: challenger",
			second:  func(o *Options) { o.Spec.Promotion.MinGain = ptr(0.01) },
			verdict: promotion.Challenger, stopped: promotion.GateMinGain, prod: 1, chal: 2},
		{name: "a forced promotion over the gate",
			second: func(o *Options) {
				o.Spec.Promotion.MinGain = ptr(0.01)
				o.ForcePromote, o.Reason = true, "reviewed by the committee"
			},
			verdict: promotion.Forced, stopped: promotion.GateMinGain, prod: 2},
		{name: "calibration gate on a first run",
			first:   func(o *Options) { o.Spec.Promotion.MaxECE = ptr(1e-6) },
			verdict: promotion.Challenger, stopped: promotion.GateMaxECE, chal: 1},
		{name: "score PSI gate",
			second:  func(o *Options) { o.Spec.Promotion.MaxScorePSI = ptr(1e-9) },
			verdict: promotion.Challenger, stopped: promotion.GateMaxScorePSI, prod: 1, chal: 2},
		{name: "held by --no-promote", second: func(o *Options) { o.NoPromote = true }, verdict: promotion.Held, prod: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testRun(t, 3000)
			spec := *o.Spec
			o.Spec = &spec
			if tt.first != nil {
				tt.first(&o)
			}
			sum, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			if tt.second != nil {
				spec := *o.Spec
				o.Spec = &spec
				tt.second(&o)
				if sum, err = Run(t.Context(), o); err != nil {
					t.Fatal(err)
				}
			}
			d := sum.Promotion
			if d == nil || d.Verdict != tt.verdict {
				t.Fatalf("decision %+v; want verdict %s", d, tt.verdict)
			}
			var failed []promotion.Gate
			for _, c := range d.Failed() {
				failed = append(failed, c.Gate)
			}
			if (tt.stopped == "" && len(failed) > 0) || (tt.stopped != "" && (len(failed) != 1 || failed[0] != tt.stopped)) {
				t.Errorf("failed gates %v; want %q", failed, tt.stopped)
			}
			if tt.stopped != "" && !strings.Contains(d.Reason, string(tt.stopped)) {
				t.Errorf("reason %q does not name the gate %s", d.Reason, tt.stopped)
			}
			if d.Champion == "" && d.Checks[0].Skipped == "" {
				t.Errorf("first run: min_gain applied: %+v", d.Checks[0])
			}
			reg, err := registry.Read(filepath.Join(o.ArtifactsDir, "registry"))
			if err != nil {
				t.Fatal(err)
			}
			run := lastRun(t, o)
			if run.Promotion == nil || run.Promotion.Verdict != tt.verdict || run.Promoted != sum.Promoted {
				t.Errorf("registry run: promotion %+v, promoted %v; want verdict %s, promoted %v", run.Promotion, run.Promoted, tt.verdict, sum.Promoted)
			}
			for _, a := range []struct {
				alias registry.Alias
				v     *registry.Version
				want  int
			}{{registry.Production, reg.Production(), tt.prod}, {registry.Challenger, reg.Challenger(), tt.chal}} {
				target, err := registry.AliasTarget(o.ModelsDir, a.alias, model.Ext)
				if err != nil {
					t.Fatal(err)
				}
				wantFile := ""
				if a.want > 0 {
					wantFile = model.FileBase("lr", a.want) + model.Ext
				}
				got := ""
				if a.v != nil {
					got = a.v.File
				}
				if target != wantFile || got != wantFile {
					t.Errorf("%s: alias %q, registry %q; want %q", a.alias, target, got, wantFile)
				}
			}
			// The window is the validation slice: the candidate's figure
			// there, scored from the raw rows, is its validation figure.
			meta, err := model.ReadMetadata(filepath.Join(o.ModelsDir, model.MetadataName(model.FileBase(sum.Champion.Name, sum.Champion.Version))))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := d.CandidateValue, meta.Validation.ROCAUC; math.Abs(got-want) > 1e-12 || d.Rows != meta.Metrics.ValidRows {
				t.Errorf("window ROC-AUC %v on %d rows; want the validation ROC-AUC %v on %d", got, d.Rows, want, meta.Metrics.ValidRows)
			}
			page, err := os.ReadFile(sum.Report)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(page), `id="promotion"`) || !strings.Contains(string(page), "Verdict: "+string(tt.verdict)) {
				t.Errorf("the report has no Promotion section with the verdict %s", tt.verdict)
			}
		})
	}
}
