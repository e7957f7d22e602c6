package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/calibrate"
	"github.com/credit-risk/credit-risk/internal/classing"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/tree"
	"github.com/credit-risk/credit-risk/internal/value"
)

// testPipeline returns a fitted pipeline over two raw fields: a numeric
// rate ("12.5%") and a categorical purpose.
func testPipeline(t testing.TB) *features.Pipeline {
	t.Helper()
	f := &frame.Frame{Columns: []*frame.Column{
		{Name: "rate", Kind: frame.Numeric, Num: []float64{5, 10, 15, 20, 25, 30}},
		{Name: "purpose", Kind: frame.Categorical, Codes: []int32{0, 1, 0, 1, 0, 1}, Levels: []string{"car", "debt"}},
	}}
	cfg := fit.Config{
		Dataset: "test",
		Inputs: []features.Input{
			{Name: "rate", Kind: features.KindNumeric, Parser: value.Percent, Required: true},
			{Name: "purpose", Kind: features.KindCategorical, ImputeLevel: features.MissingLevel},
		},
		Encoding: fit.Encoding{MaxOneHot: 8},
	}
	p, err := fit.Pipeline(cfg, f, []float64{0, 0, 0, 1, 1, 1}, []bool{true, true, true, true, true, true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testModels returns a tree model and a linear model over testPipeline.
func testModels(t testing.TB) []*Model {
	t.Helper()
	p := testPipeline(t)
	n := p.NumFeatures()
	ens := &tree.Ensemble{NumFeatures: n, Base: -1, Scale: 1, Output: tree.LogOdds, Trees: []tree.Tree{{Nodes: []tree.Node{
		{Feature: 0, Threshold: 17, Left: 1, Right: 2, Cover: 6, Value: 0},
		{Feature: -1, Value: -0.5, Cover: 3},
		{Feature: -1, Value: 0.5, Cover: 3},
	}}}}
	lm := &linear.Model{Intercept: -0.2}
	for range n {
		lm.Features = append(lm.Features, linear.Feature{Mean: 0, Scale: 1, Coef: 0.1})
	}
	base := Model{Format: Format, FormatVersion: FormatVersion, Name: "x", Version: 1, CreatedAt: time.Unix(0, 0).UTC(),
		Features: p.FeatureNames(), Pipeline: p, Threshold: 0.3,
		Calibration: &calibrate.Calibrator{Method: calibrate.Platt, Slope: 1, Intercept: 0.1}}
	g, l, s := base, base, base
	g.Name, g.Algorithm, g.Ensemble = string(learn.GBDT), string(learn.GBDT), ens
	l.Name, l.Algorithm, l.Linear = string(learn.Logistic), string(learn.Logistic), lm
	s.Name, s.Algorithm, s.Scorecard = string(learn.Scorecard), string(learn.Scorecard), testScorecard(t, p)
	return []*Model{&g, &l, &s}
}

// testScorecard returns a scorecard over testPipeline's features: rate in
// two ranges cut at 17, and purpose read from its one-hot columns.
func testScorecard(t testing.TB, p *features.Pipeline) *scorecard.Scorecard {
	t.Helper()
	var levels []scorecard.LevelColumn
	binLevels := map[string]int{}
	for _, f := range p.Features {
		if f.Kind == features.FeatureOneHot {
			levels = append(levels, scorecard.LevelColumn{Feature: f.Name, Level: f.Level})
			binLevels[f.Level] = 0
			if f.Level == "debt" {
				binLevels[f.Level] = 1
			}
		}
	}
	return &scorecard.Scorecard{
		Version: scorecard.FormatVersion, Scaling: scorecard.DefaultScaling(), Intercept: -1,
		Characteristics: []scorecard.Characteristic{
			{Name: "rate", Source: scorecard.Source{Feature: "rate"}, Coef: -1, Points: []int{320, 290, 300},
				Binning: &classing.Binning{Version: classing.FormatVersion, Name: "rate", Kind: classing.Numeric,
					Direction: classing.Increasing, Cuts: []float64{17}, Missing: 2,
					Bins: []classing.Bin{{Kind: classing.Range, Goods: 3, Bads: 0, WoE: 1.9, IV: 0.9}, {Kind: classing.Range, Goods: 0, Bads: 3, WoE: -1.9, IV: 0.9}, {Kind: classing.Missing}},
					IV:   1.8}},
			{Name: "purpose", Source: scorecard.Source{Levels: levels}, Coef: -0.5, Points: []int{305, 295, 300},
				Binning: &classing.Binning{Version: classing.FormatVersion, Name: "purpose", Kind: classing.Categorical,
					Levels: binLevels, Missing: 2,
					Bins: []classing.Bin{{Kind: classing.Levels, Goods: 2, Bads: 1, WoE: 0.7, IV: 0.2}, {Kind: classing.Levels, Goods: 1, Bads: 2, WoE: -0.7, IV: 0.2}, {Kind: classing.Missing}},
					IV:   0.4}},
		},
	}
}

func TestSaveLoadScore(t *testing.T) {
	for _, m := range testModels(t) {
		t.Run(m.Algorithm, func(t *testing.T) {
			dir := t.TempDir()
			if err := Save(dir, m.Name+"_v1", m, &Metadata{Dataset: "test"}); err != nil {
				t.Fatal(err)
			}
			got, meta, err := Load(filepath.Join(dir, m.Name+"_v1.model"), "")
			if err != nil {
				t.Fatal(err)
			}
			if meta.SHA256 == "" || meta.Algorithm != m.Algorithm || len(meta.Features) != len(m.Features) {
				t.Errorf("metadata = %+v", meta)
			}
			raw := []features.Raw{features.RawString("21.5%"), features.RawString("debt")}
			x := make([]float64, got.Pipeline.NumFeatures())
			if errs := got.Pipeline.Transform(raw, got.Pipeline.NewRow(), x); errs != nil {
				t.Fatal(errs)
			}
			pd := got.PD(x)
			if pd <= 0 || pd >= 1 || pd != m.PD(x) {
				t.Errorf("PD after load = %v; before %v", pd, m.PD(x))
			}
			phi := make([]float64, len(x))
			base := got.Contributions(phi, x)
			sum := base
			for _, v := range phi {
				sum += v
			}
			if math.Abs(sum-got.Margin(x)) > 1e-12 {
				t.Errorf("base + Σφ = %v; margin %v", sum, got.Margin(x))
			}
			if r := got.Reasons(phi, x, 3); len(r) == 0 || r[0].Contribution <= 0 {
				t.Errorf("reasons = %+v; want a positive first reason", r)
			}
		})
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	m := testModels(t)[0]
	tests := []struct {
		name   string
		mutate func(t *testing.T, modelPath, metaPath string)
		check  string
		is     error
	}{
		{"tampered model", func(t *testing.T, p, _ string) { flip(t, p, 40) }, "sha256", ErrHash},
		{"truncated model", func(t *testing.T, p, _ string) { truncate(t, p) }, "sha256", ErrHash},
		{"missing metadata", func(t *testing.T, _, mp string) { os.Remove(mp) }, "metadata", os.ErrNotExist},
		{"truncated metadata", func(t *testing.T, _, mp string) { truncate(t, mp) }, "metadata", ErrMetadata},
		{"schema differs", func(t *testing.T, _, mp string) {
			rewrite(t, mp, `"rate"`, `"rate_pct"`)
		}, "schema", ErrSchema},
		{"missing model", func(t *testing.T, p, _ string) { os.Remove(p) }, "read", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Save(dir, "m", m, &Metadata{}); err != nil {
				t.Fatal(err)
			}
			mp, metap := filepath.Join(dir, "m.model"), filepath.Join(dir, "m_metadata.json")
			tt.mutate(t, mp, metap)
			_, _, err := Load(mp, "")
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v; want a *LoadError", err)
			}
			if le.Check != tt.check || !errors.Is(err, tt.is) {
				t.Errorf("err = %v (check %q); want check %q wrapping %v", err, le.Check, tt.check, tt.is)
			}
			if !strings.Contains(err.Error(), tt.check) {
				t.Errorf("message %q does not name the check", err)
			}
		})
	}
}

func flip(t *testing.T, path string, at int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	data[at] ^= 0x01
	os.WriteFile(path, data, 0o644)
}

func truncate(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, data[:len(data)/2], 0o644)
}

func rewrite(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, bytes.Replace(data, []byte(old), []byte(new), 1), 0o644)
}

func TestDecodeRejects(t *testing.T) {
	m := testModels(t)[0]
	var buf bytes.Buffer
	if err := Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	tests := []struct {
		name, old, new string
		is             error
	}{
		{"format version", `"format_version":1`, `"format_version":9`, ErrFormat},
		{"unknown field", `"threshold":`, `"surprise":1,"threshold":`, ErrInvalid},
		{"threshold", `"threshold":0.3`, `"threshold":3`, ErrInvalid},
		{"child out of range", `"Left":1`, `"Left":7`, ErrInvalid},
		{"algorithm", `"algorithm":"gbdt"`, `"algorithm":"svm"`, ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := strings.Replace(good, tt.old, tt.new, 1)
			if bad == good {
				t.Fatalf("%q not found in the encoded model", tt.old)
			}
			if _, err := Decode([]byte(bad)); !errors.Is(err, tt.is) {
				t.Errorf("Decode = %v; want %v", err, tt.is)
			}
		})
	}
	if _, err := Decode([]byte(good)); err != nil {
		t.Errorf("Decode(good) = %v", err)
	}
}

func TestMetadataPath(t *testing.T) {
	if got := MetadataPath("/app/models/production.model"); got != "/app/models/production_metadata.json" {
		t.Errorf("MetadataPath = %q", got)
	}
}

func TestBins(t *testing.T) {
	vals := []float64{1, 2, 3, 4, 5, 6, 7, 8, math.NaN(), 10}
	b := NewBins("x", vals, 4)
	var total float64
	for _, s := range b.Shares {
		total += s
	}
	if math.Abs(total-1) > 1e-12 || len(b.Shares) != len(b.Edges)+2 {
		t.Errorf("bins %+v: shares sum %v", b, total)
	}
	if b.Index(math.NaN()) != len(b.Edges)+1 || b.Index(-100) != 0 || b.Index(100) != len(b.Edges) {
		t.Errorf("Index misplaces values: %+v", b)
	}
	// A value on an edge belongs to the bin above it; between two edges,
	// to the bin of the upper one. Many edges are searched, not counted.
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i % 97)
	}
	for _, b := range []Bins{b, NewBins("many", many, 90)} {
		checkBinIndex(t, b)
	}
}

func checkBinIndex(t *testing.T, b Bins) {
	t.Helper()
	for i, e := range b.Edges {
		if got := b.Index(e); got != i+1 {
			t.Errorf("Index(edge %d = %v) = %d; want %d", i, e, got, i+1)
		}
		if got := b.Index(math.Nextafter(e, math.Inf(-1))); got != i {
			t.Errorf("Index(just below edge %d) = %d; want %d", i, got, i)
		}
	}
}

// FuzzDecode checks that no model file, however damaged, panics Decode or
// a model that Decode accepts.
func FuzzDecode(f *testing.F) {
	for _, m := range testModels(f) {
		var buf bytes.Buffer
		Encode(&buf, m)
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:buf.Len()/2])
	}
	// A model carrying a reason-code catalogue and training medians.
	m := testModels(f)[0]
	m.Pipeline.Inputs[0].Stats.Median = new(17.0)
	m.Pipeline.Inputs[0].Reasons = &features.Reasons{Code: "RATE", Statement: "Interest rate",
		High:    &features.ReasonText{Code: "RATE_HIGH", Statement: "Interest rate too high"},
		Missing: features.ReasonText{Code: "RATE_NI", Statement: "No interest rate given"}}
	var buf bytes.Buffer
	Encode(&buf, m)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Decode(data)
		if err != nil {
			return
		}
		x := make([]float64, len(m.Features))
		pd := m.PD(x)
		if math.IsNaN(pd) || pd < 0 || pd > 1 {
			t.Fatalf("accepted model gives PD %v", pd)
		}
		phi := make([]float64, len(x))
		m.Contributions(phi, x)
		dirs := make([]features.Direction, len(m.Pipeline.Inputs))
		for i := range dirs {
			dirs[i] = features.Direction(i % 4)
		}
		for _, r := range m.AdverseAction(phi, x, dirs, 4) {
			if r.Code == "" || r.Reason == "" || r.Field == "" {
				t.Fatalf("accepted model gives an empty reason %+v", r)
			}
		}
	})
}

// TestLoadRefusesImplausibleNumbers edits the numbers of saved models and
// recomputes the hash, as a careless edit or a buggy writer would: the
// file is well formed and its hash valid, yet loading refuses it and
// names the check.
func TestLoadRefusesImplausibleNumbers(t *testing.T) {
	type doc = map[string]any
	tests := []struct {
		name  string
		algo  string // the model edited: gbdt or lr
		edit  func(model, meta doc)
		check string
		is    error
	}{
		{"platt slope 1e308", string(learn.GBDT), func(m, _ doc) { m["calibration"].(doc)["slope"] = 1e308 }, "numbers", ErrImplausible},
		{"platt slope 0", string(learn.GBDT), func(m, _ doc) { m["calibration"].(doc)["slope"] = 0.0 }, "numbers", ErrImplausible},
		{"platt intercept 1e6", string(learn.Logistic), func(m, _ doc) { m["calibration"].(doc)["intercept"] = 1e6 }, "numbers", ErrImplausible},
		{"isotonic flat", string(learn.GBDT), func(m, meta doc) {
			m["calibration"] = doc{"method": "isotonic", "slope": 0, "intercept": 0, "thresholds": []float64{-1, 1}, "values": []float64{0.2, 0.2}}
			meta["calibration"] = "isotonic"
		}, "numbers", ErrImplausible},
		{"threshold 0", string(learn.GBDT), func(m, meta doc) { m["threshold"], meta["threshold"] = 0.0, 0.0 }, "numbers", ErrImplausible},
		{"threshold 1", string(learn.Logistic), func(m, meta doc) { m["threshold"], meta["threshold"] = 1.0, 1.0 }, "numbers", ErrImplausible},
		{"leaf 1e300", string(learn.GBDT), func(m, _ doc) {
			m["ensemble"].(doc)["Trees"].([]any)[0].(doc)["Nodes"].([]any)[1].(doc)["Value"] = 1e300
		}, "numbers", ErrImplausible},
		{"base 1e6", string(learn.GBDT), func(m, _ doc) { m["ensemble"].(doc)["Base"] = 1e6 }, "numbers", ErrImplausible},
		{"coefficient 1e300", string(learn.Logistic), func(m, _ doc) {
			m["linear"].(doc)["features"].([]any)[0].(doc)["coef"] = 1e300
		}, "numbers", ErrImplausible},
		{"metadata threshold edited", string(learn.GBDT), func(_, meta doc) { meta["threshold"] = 0.5 }, "metadata", ErrMetadata},
		{"metadata calibration edited", string(learn.Logistic), func(_, meta doc) { meta["calibration"] = "isotonic" }, "metadata", ErrMetadata},
		{"metadata name edited", string(learn.GBDT), func(_, meta doc) { meta["name"] = "other" }, "metadata", ErrMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m *Model
			for _, c := range testModels(t) {
				if c.Algorithm == tt.algo {
					m = c
				}
			}
			dir := t.TempDir()
			if err := Save(dir, "m", m, &Metadata{}); err != nil {
				t.Fatal(err)
			}
			mp, metap := filepath.Join(dir, "m.model"), filepath.Join(dir, "m_metadata.json")
			if _, _, err := Load(mp, ""); err != nil {
				t.Fatalf("the unedited model does not load: %v", err)
			}
			editRehash(t, mp, metap, tt.edit)
			_, _, err := Load(mp, "")
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v; want a *LoadError", err)
			}
			if le.Check != tt.check || !errors.Is(err, tt.is) {
				t.Errorf("err = %v (check %q); want check %q wrapping %v", err, le.Check, tt.check, tt.is)
			}
			if !strings.Contains(err.Error(), tt.check) {
				t.Errorf("message %q does not name the check", err)
			}
		})
	}
}

// editRehash decodes a saved model file and its metadata, lets edit change
// them, writes them back and puts the new file's sha256 in the metadata.
func editRehash(t *testing.T, modelPath, metaPath string, edit func(model, meta map[string]any)) {
	t.Helper()
	read := func(path string) map[string]any {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	m, meta := read(modelPath), read(metaPath)
	edit(m, meta)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	meta["sha256"] = hex.EncodeToString(sum[:])
	metaData, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(modelPath, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(metaPath, metaData, 0o644); err != nil {
		t.Fatal(err)
	}
}
