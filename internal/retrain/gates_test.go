package retrain

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/specs"
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

// TestRun_challengerLendingClub retrains on the real Lending Club file,
// then on a copy whose oldest loans (the older half of the file by issue
// date, all inside the rows the candidates are fitted on, well before the
// validation slice and the test period) have their outcomes shuffled among
// themselves. The second run's candidate, fitted on mostly meaningless
// labels, is compared with the first champion on the second run's recent
// window, whose labels are untouched: it must lose, be registered as the
// challenger with min_gain named, and leave the production alias alone.
func TestRun_challengerLendingClub(t *testing.T) {
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set: the challenger test on Lending Club needs the data sets")
	}
	data, err := os.ReadFile(filepath.Join(root, lendingClubFile))
	if err != nil {
		t.Skipf("no Lending Club file: %v", err)
	}
	spec, err := specs.Load(specs.Default)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "data", "raw", "loans.csv")
	if err := os.MkdirAll(filepath.Dir(raw), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(raw, data, 0o644); err != nil {
		t.Fatal(err)
	}
	o := Options{
		Spec: spec, SpecSource: "built-in", DataDir: filepath.Join(dir, "data"),
		ModelsDir: filepath.Join(dir, "models"), ArtifactsDir: filepath.Join(dir, "artifacts"),
		Algorithms: []learn.Algorithm{learn.Logistic}, CodeVersion: "test",
	}
	first, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("first run: %s, %s %.4f on the window (%d rows)", first.Champion, first.Promotion.Metric, first.Promotion.CandidateValue, first.Promotion.Rows)
	if first.Promotion.Verdict != promotion.Promoted {
		t.Fatalf("first run: verdict %s (%s); want promoted", first.Promotion.Verdict, first.Promotion.Stopped())
	}
	shuffled := shuffleOldOutcomes(t, data, "issue_d", "loan_status", 0.5)
	t.Logf("outcomes shuffled among the %d oldest loans", shuffled.rows)
	if err := os.WriteFile(raw, shuffled.data, 0o644); err != nil {
		t.Fatal(err)
	}
	second, err := Run(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	d := second.Promotion
	t.Logf("window: %d rows, %s; candidate %s %s %.4f, champion %s %.4f; stopped by %s",
		d.Rows, d.Window, d.Candidate, d.Metric, d.CandidateValue, d.Champion, d.ChampionValue, d.Stopped())
	if d.Verdict != promotion.Challenger || len(d.Failed()) == 0 || d.Failed()[0].Gate != promotion.GateMinGain {
		t.Fatalf("second run: verdict %s, failed %+v; want challenger stopped by min_gain", d.Verdict, d.Failed())
	}
	// The champion is scored from the same raw rows of the same window in
	// both runs: its figure is the first run's.
	if d.ChampionValue != first.Promotion.CandidateValue || d.Rows != first.Promotion.Rows {
		t.Errorf("champion on the second window %v (%d rows); on the first %v (%d rows)", d.ChampionValue, d.Rows, first.Promotion.CandidateValue, first.Promotion.Rows)
	}
	meta, err := model.ReadMetadata(filepath.Join(o.ModelsDir, model.MetadataName(model.FileBase(first.Champion.Name, first.Champion.Version))))
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(first.Promotion.CandidateValue-meta.Validation.ROCAUC) > 1e-12 {
		t.Errorf("first champion: window ROC-AUC from the raw rows %v, validation ROC-AUC from the feature table %v", first.Promotion.CandidateValue, meta.Validation.ROCAUC)
	}
	if d.Champion != first.Champion.String() {
		t.Errorf("compared with %s; want the first champion %s", d.Champion, first.Champion)
	}
	reg, err := registry.Read(filepath.Join(o.ArtifactsDir, "registry"))
	if err != nil {
		t.Fatal(err)
	}
	prod, chal := reg.Production(), reg.Challenger()
	if prod == nil || prod.Ref() != first.Champion || chal == nil || chal.Ref() != second.Champion {
		t.Fatalf("registry production %v, challenger %v; want %s and %s", prod, chal, first.Champion, second.Champion)
	}
	for _, a := range []struct {
		alias registry.Alias
		want  string
	}{{registry.Production, prod.File}, {registry.Challenger, chal.File}} {
		if got, err := registry.AliasTarget(o.ModelsDir, a.alias, model.Ext); err != nil || got != a.want {
			t.Errorf("%s alias %q, %v; want %q", a.alias, got, err, a.want)
		}
	}
	run := lastRun(t, o)
	if run.Promoted || run.Promotion == nil || run.Promotion.Verdict != promotion.Challenger {
		t.Errorf("registry run: promoted %v, promotion %+v; want a challenger, not promoted", run.Promoted, run.Promotion)
	}
}

// shuffled is a raw file whose oldest rows' outcomes were shuffled.
type shuffled struct {
	data []byte
	rows int
}

// shuffleOldOutcomes permutes the target column among the rows whose date
// (Mon-YYYY) is among the oldest share of the rows that have one; every
// other byte of the meaning is kept.
func shuffleOldOutcomes(t *testing.T, data []byte, dateCol, targetCol string, share float64) shuffled {
	t.Helper()
	rd := csv.NewReader(bytes.NewReader(data))
	rd.FieldsPerRecord = -1
	recs, err := rd.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := recs[0]
	di, ti := slices.Index(header, dateCol), slices.Index(header, targetCol)
	if di < 0 || ti < 0 {
		t.Fatalf("no %s or %s column", dateCol, targetCol)
	}
	type dated struct {
		row  int
		date time.Time
	}
	var rows []dated
	for i, rec := range recs[1:] {
		if len(rec) <= max(di, ti) {
			continue
		}
		d, err := time.Parse("Jan-2006", rec[di])
		if err != nil {
			continue
		}
		rows = append(rows, dated{i + 1, d})
	}
	slices.SortStableFunc(rows, func(a, b dated) int { return a.date.Compare(b.date) })
	// The oldest share, cut between two months so that a month is never
	// split.
	n := int(share * float64(len(rows)))
	for n > 0 && rows[n].date.Equal(rows[n-1].date) {
		n--
	}
	old := rows[:n]
	labels := make([]string, len(old))
	for k, r := range old {
		labels[k] = recs[r.row][ti]
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(labels), func(i, j int) { labels[i], labels[j] = labels[j], labels[i] })
	for k, r := range old {
		recs[r.row][ti] = labels[k]
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(recs); err != nil {
		t.Fatal(err)
	}
	return shuffled{data: buf.Bytes(), rows: len(old)}
}

// TestRun_championChanged: when another process changes the production
// champion between the gates and the promotion, the decision no longer
// holds: the run fails with ErrChampionChanged and leaves production as
// that process set it.
func TestRun_championChanged(t *testing.T) {
	o := testRun(t, 3000)
	if _, err := Run(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	regDir := filepath.Join(o.ArtifactsDir, "registry")
	o.Pause = func(point string) {
		if point != "report" {
			return
		}
		// By hand, meanwhile: the run's own candidate (lr v2) to production.
		_, err := registry.SetStage(regDir, o.ModelsDir, registry.Change{
			Pick: func(r *registry.Registry) (*registry.Version, error) {
				return r.Version(registry.Ref{Name: "lr", Version: 2})
			},
			Action: registry.ActionPromote, Reason: "by hand",
		}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := Run(t.Context(), o)
	if !errors.Is(err, ErrChampionChanged) {
		t.Fatalf("err %v; want ErrChampionChanged", err)
	}
	reg, err := registry.Read(regDir)
	if err != nil {
		t.Fatal(err)
	}
	run := lastRun(t, o)
	if p := reg.Production(); p.Version != 2 || run.Promoted || run.Status != registry.RunFailed || run.Step != "promote" {
		t.Errorf("production %s, run promoted %v, status %s at %s; want lr v2, false, failed at promote", p.Ref(), run.Promoted, run.Status, run.Step)
	}
}

// TestRun_forceNeedsReason: a forced promotion without a reason, or with
// --no-promote, is refused before a run is recorded.
func TestRun_forceNeedsReason(t *testing.T) {
	for _, o := range []Options{{ForcePromote: true}, {ForcePromote: true, NoPromote: true, Reason: "x"}} {
		base := testRun(t, 100)
		base.ForcePromote, base.NoPromote, base.Reason = o.ForcePromote, o.NoPromote, o.Reason
		if _, err := Run(t.Context(), base); !errors.Is(err, ErrForceReason) {
			t.Errorf("force %v, no-promote %v, reason %q: err %v; want ErrForceReason", o.ForcePromote, o.NoPromote, o.Reason, err)
		}
		if _, err := os.Stat(filepath.Join(base.ArtifactsDir, "registry", registry.File)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused run wrote the registry: %v", err)
		}
	}
}

// TestRun_fairness retrains on German credit and UCI Taiwan, whose specs
// declare protected attributes: none is a feature, the report has a
// fairness section per attribute, the registry run records the analyses
// (numeric ones in their bands, the groups holding every test
// application) and the min_air gate is applied.
func TestRun_fairness(t *testing.T) {
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set: the fairness test needs the German credit and UCI Taiwan data sets")
	}
	tests := []struct {
		spec, dir, file string
		protected       []string
		banded          int // the index of the banded attribute
	}{
		{"german_credit", "german_credit_statlog", "german.data", []string{"personal_status", "age", "foreign_worker"}, 1},
		{"uci_taiwan", "uci_credit_card_default_taiwan", "UCI_Credit_Card.csv", []string{"SEX", "MARRIAGE", "AGE"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(root, tt.dir, tt.file))
			if err != nil {
				t.Skipf("no data file: %v", err)
			}
			spec, err := specs.Load(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			raw := filepath.Join(dir, "data", "raw")
			if err := os.MkdirAll(raw, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(raw, tt.file), data, 0o644); err != nil {
				t.Fatal(err)
			}
			spec.Files = []string{tt.file}
			o := Options{
				Spec: spec, SpecSource: "built-in", DataDir: filepath.Join(dir, "data"),
				ModelsDir: filepath.Join(dir, "models"), ArtifactsDir: filepath.Join(dir, "artifacts"),
				Algorithms: []learn.Algorithm{learn.Logistic}, CodeVersion: "test",
			}
			sum, err := Run(t.Context(), o)
			if err != nil {
				t.Fatal(err)
			}
			m, _, err := model.Load(sum.Candidates[0].Path, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range m.Features {
				for _, p := range tt.protected {
					if f == p || strings.HasPrefix(f, p+"=") || strings.HasPrefix(f, p+"_") {
						t.Errorf("feature %s comes from the protected attribute %s", f, p)
					}
				}
			}
			run := lastRun(t, o)
			if len(run.Fairness) != len(tt.protected) {
				t.Fatalf("registry run fairness: %d analyses; want %d", len(run.Fairness), len(tt.protected))
			}
			ms := sum.Candidates[0].Metrics
			testRows := ms.TP + ms.FP + ms.TN + ms.FN
			for i, a := range run.Fairness {
				total := a.Missing
				for _, g := range a.Groups {
					total += g.Applications
				}
				if a.Attribute != tt.protected[i] || total != testRows {
					t.Errorf("analysis %d: %s holds %d applications; want %s and the %d test applications", i, a.Attribute, total, tt.protected[i], testRows)
				}
			}
			if b := run.Fairness[tt.banded]; len(b.Groups) != 4 || b.Groups[0].Name != "< 25" || b.Groups[3].Name != ">= 50" {
				t.Errorf("banded analysis %+v; want the four bands in order", b)
			}
			var air *promotion.Check
			for i := range run.Promotion.Checks {
				if run.Promotion.Checks[i].Gate == promotion.GateMinAIR {
					air = &run.Promotion.Checks[i]
				}
			}
			if air == nil || air.Skipped != "" || !(air.Value > 0) {
				t.Errorf("min_air gate %+v; want it applied to the protected attributes", air)
			}
			page, err := os.ReadFile(sum.Report)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range append([]string{`<h2 id="fairness">Fairness</h2>`, "most favoured"}, tt.protected...) {
				if !strings.Contains(string(page), want) {
					t.Errorf("the report lacks %q", want)
				}
			}
		})
	}
}
