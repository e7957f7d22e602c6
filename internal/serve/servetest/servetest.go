// Package servetest builds small, real model files for the server's tests:
// a feature pipeline fitted with fit.Pipeline on a hand-made table, a
// random tree ensemble over its features, reference bins for drift, saved
// with model.Save, and the champion alias pointing at it. Only tests import
// it; the server binary does not link it.
package servetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/calibrate"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/gbdt"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	scfit "github.com/credit-risk/credit-risk/internal/scorecard/fit"
	"github.com/credit-risk/credit-risk/internal/tree"
	"github.com/credit-risk/credit-risk/internal/value"
)

// Options shape a test model. The zero value is a small model.
type Options struct {
	// Version is the model version (0 means 1); the file is gbdt_v<N>.
	Version int
	// Trees and Depth size the ensemble (0 means 10 and 4).
	Trees, Depth int
	// Seed drives the trees (and so the scores).
	Seed uint64
	// Threshold is the decision threshold (0 means 0.3).
	Threshold float64
	// NoReference leaves the reference bins out of the metadata.
	NoReference bool
	// Train fits the ensemble with gradient boosting (Trees rounds of
	// depth Depth) on the table instead of drawing random trees.
	Train bool
	// Scorecard fits a scorecard on the table instead (every
	// characteristic a candidate); the file is then scorecard_v<N>.
	Scorecard bool
}

// Rows is the number of rows of the hand-made training table.
const Rows = 400

// Inputs are the raw fields of the test models: a Lending Club subset
// with every kind of input and parser.
func Inputs() []features.Input {
	f := func(v float64) *float64 { return &v }
	missing := value.DefaultMissing()
	in := []features.Input{
		{Name: "issue_d", Kind: features.KindDate, Parser: value.Date, Layout: "Jan-2006", Missing: missing, Required: true},
		{Name: "loan_amnt", Kind: features.KindNumeric, Parser: value.Number, Missing: missing, Min: f(0), Required: true},
		{Name: "term", Kind: features.KindNumeric, Parser: value.Months, Missing: missing, Min: f(1), Max: f(600), Required: true},
		{Name: "int_rate", Kind: features.KindNumeric, Parser: value.Percent, Missing: missing, Min: f(0), Max: f(100), Required: true},
		{Name: "grade", Kind: features.KindOrdinal, Parser: value.Text, Missing: missing, Order: []string{"A", "B", "C", "D", "E", "F", "G"}, Required: true},
		{Name: "home_ownership", Kind: features.KindCategorical, Parser: value.Text, Missing: missing, ImputeLevel: features.MissingLevel},
		{Name: "emp_length", Kind: features.KindNumeric, Parser: value.Years, Missing: missing, Min: f(0), Max: f(60), Indicator: true},
		{Name: "annual_inc", Kind: features.KindNumeric, Parser: value.Number, Missing: missing, Min: f(0)},
		{Name: "earliest_cr_line", Kind: features.KindDate, Parser: value.Date, Layout: "Jan-2006", Missing: missing},
	}
	// A catalogue for some fields; the others are named by themselves.
	in[3].Reasons = &features.Reasons{Code: "RATE", Statement: "Interest rate of the loan requested",
		High:    &features.ReasonText{Code: "RATE_HIGH", Statement: "Interest rate of the loan requested is too high"},
		Missing: features.ReasonText{Code: "RATE_NI", Statement: "Insufficient information on the interest rate"}}
	in[4].Reasons = &features.Reasons{Code: "GRADE", Statement: "Credit grade",
		High:    &features.ReasonText{Code: "GRADE_POOR", Statement: "Credit grade is too low"},
		Missing: features.ReasonText{Code: "GRADE_NI", Statement: "Insufficient information to assign a credit grade"}}
	in[6].Reasons = &features.Reasons{Code: "EMPLOYMENT", Statement: "Length of employment",
		Low:     &features.ReasonText{Code: "EMPLOYMENT_SHORT", Statement: "Length of employment is too short"},
		Missing: features.ReasonText{Code: "EMPLOYMENT_NI", Statement: "Insufficient information on length of employment"}}
	in[7].Reasons = &features.Reasons{Code: "INCOME", Statement: "Income",
		Low:     &features.ReasonText{Code: "INCOME_LOW", Statement: "Income insufficient for amount of credit requested"},
		Missing: features.ReasonText{Code: "INCOME_NI", Statement: "Insufficient information on income"}}
	return in
}

// Application returns a valid raw application for the test models, as a
// client sends it (strings in the lender's formats), with one field the
// models do not read.
func Application(i int) map[string]any {
	grades := "ABCDEFG"
	homes := []string{"RENT", "MORTGAGE", "OWN", "OTHER"}
	app := map[string]any{
		"id":               strconv.Itoa(1000 + i),
		"issue_d":          []string{"Dec-2011", "Jan-2010", "Jun-2009"}[i%3],
		"loan_amnt":        strconv.Itoa(1000 + 250*(i%97)),
		"term":             []string{" 36 months", " 60 months"}[i%2],
		"int_rate":         fmt.Sprintf("%.2f%%", 6+float64(i%150)/10),
		"grade":            string(grades[i%7]),
		"home_ownership":   homes[i%4],
		"emp_length":       []string{"10+ years", "< 1 year", "3 years", "n/a"}[i%4],
		"annual_inc":       strconv.Itoa(20000 + 1000*(i%80)),
		"earliest_cr_line": []string{"Mar-1998", "Jan-2003", "Nov-1985"}[i%3],
	}
	if i%5 == 0 {
		delete(app, "annual_inc") // optional, imputed
	}
	return app
}

// table returns the cleaned training table the pipeline is fitted on, and
// its labels.
func table(rng *rand.Rand) (*frame.Frame, []float64) {
	n := Rows
	num := func(name string, kind frame.Kind, gen func(i int) float64) *frame.Column {
		c := &frame.Column{Name: name, Kind: kind, Num: make([]float64, n)}
		for i := range c.Num {
			c.Num[i] = gen(i)
		}
		return c
	}
	cat := func(name string, levels []string, gen func(i int) int32) *frame.Column {
		c := &frame.Column{Name: name, Kind: frame.Categorical, Levels: levels, Codes: make([]int32, n)}
		for i := range c.Codes {
			c.Codes[i] = gen(i)
		}
		return c
	}
	day := func(y int, m time.Month) float64 { return value.TimeToDays(time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)) }
	labels := make([]float64, n)
	f := &frame.Frame{Columns: []*frame.Column{
		num("issue_d", frame.Date, func(i int) float64 { return day(2008+i%4, time.Month(1+i%12)) }),
		num("loan_amnt", frame.Numeric, func(int) float64 { return float64(1000 + 250*rng.IntN(120)) }),
		num("term", frame.Numeric, func(i int) float64 { return float64(36 + 24*(i%2)) }),
		num("int_rate", frame.Numeric, func(int) float64 { return 5 + 20*rng.Float64() }),
		cat("grade", []string{"A", "B", "C", "D", "E", "F", "G"}, func(int) int32 { return int32(rng.IntN(7)) }),
		cat("home_ownership", []string{"RENT", "MORTGAGE", "OWN", "OTHER", features.MissingLevel}, func(int) int32 { return int32(rng.IntN(5)) }),
		num("emp_length", frame.Numeric, func(int) float64 { return float64(rng.IntN(11)) }),
		num("emp_length_missing", frame.Numeric, func(i int) float64 { return float64(i % 9 / 8) }),
		num("annual_inc", frame.Numeric, func(int) float64 { return 20000 + 100000*rng.Float64() }),
		num("earliest_cr_line", frame.Date, func(i int) float64 { return day(1980+i%25, time.Month(1+i%12)) }),
	}}
	// The bad rate rises with the grade and the interest rate.
	grade, rate := f.Columns[4].Codes, f.Columns[3].Num
	for i := range labels {
		if rng.Float64() < 0.05+0.05*float64(grade[i])+0.01*(rate[i]-5) {
			labels[i] = 1
		}
	}
	return f, labels
}

// Build returns a fitted test model and its metadata (not yet saved).
func Build(tb testing.TB, o Options) (*model.Model, *model.Metadata) {
	tb.Helper()
	if o.Version == 0 {
		o.Version = 1
	}
	if o.Trees == 0 {
		o.Trees = 10
	}
	if o.Depth == 0 {
		o.Depth = 4
	}
	if o.Threshold == 0 {
		o.Threshold = 0.3
	}
	rng := rand.New(rand.NewPCG(o.Seed, 7))
	f, labels := table(rand.New(rand.NewPCG(1, 2)))
	trainRows := make([]bool, f.Rows())
	for i := range trainRows {
		trainRows[i] = true
	}
	inputs := Inputs()
	// What the clean step learns: imputation, caps, statistics.
	for i := range inputs {
		in := &inputs[i]
		c := f.Col(in.Name)
		switch {
		case c.Kind == frame.Categorical:
			in.Stats.Levels = slices.Clone(c.Levels)
			in.Stats.Example = c.Levels[0]
		default:
			vals := slices.Clone(c.Num)
			slices.Sort(vals)
			lo, hi, med := vals[0], vals[len(vals)-1], vals[len(vals)/2]
			in.Stats.Min, in.Stats.Max, in.Stats.Median = &lo, &hi, &med
			if distinct := slices.Compact(slices.Clone(vals)); in.Kind == features.KindNumeric && len(distinct) <= 4 {
				in.Stats.Values = distinct // as the clean step lists them (term: 36, 60)
			}
			if in.Kind == features.KindDate {
				in.Stats.Example = value.DaysToTime(hi).Format(in.Layout)
			} else {
				in.Stats.Example = strconv.FormatFloat(med, 'g', -1, 64)
				if !in.Required {
					in.Impute = &med
				}
			}
		}
	}
	inputs[6].Stats.MissingShare = 1.0 / 9
	p, err := fit.Pipeline(fit.Config{
		Dataset:   "test",
		DateInput: "issue_d",
		Inputs:    inputs,
		Derived: []features.Derived{
			{Name: "credit_history_months", Op: "months_between", Args: []string{"earliest_cr_line", "issue_d"}, Scale: 1},
			{Name: "loan_to_income", Op: "ratio", Args: []string{"loan_amnt", "annual_inc"}, Scale: 1},
		},
		Encoding: fit.Encoding{MaxOneHot: 10, MinLevelShare: 0.01, Smoothing: 10},
	}, f, labels, trainRows)
	if err != nil {
		tb.Fatalf("servetest: fit pipeline: %v", err)
	}
	X, err := featurestep.EncodeFrame(p, f)
	if err != nil {
		tb.Fatalf("servetest: encode: %v", err)
	}
	e := &tree.Ensemble{NumFeatures: X.Cols, Base: -1.4, Scale: 1, Output: tree.LogOdds}
	if o.Train {
		cfg := gbdt.DefaultConfig()
		cfg.Rounds, cfg.MaxDepth, cfg.Threads = o.Trees, o.Depth, 1
		cfg.Monotone = p.Monotone()
		fitted, err := gbdt.Fit(context.Background(), X, labels, cfg)
		if err != nil {
			tb.Fatalf("servetest: train: %v", err)
		}
		e = fitted.Ensemble
	} else {
		for range o.Trees {
			e.Trees = append(e.Trees, randomTree(rng, X, o.Depth))
		}
	}
	m := &model.Model{
		Format: model.Format, FormatVersion: model.FormatVersion,
		Name: string(learn.GBDT), Version: o.Version, Algorithm: string(learn.GBDT),
		CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		Features:  p.FeatureNames(), Pipeline: p, Ensemble: e,
		Calibration: &calibrate.Calibrator{Method: calibrate.Platt, Slope: 0.9, Intercept: -0.1},
		Threshold:   o.Threshold,
	}
	if o.Scorecard {
		var names []string
		for _, in := range p.Inputs {
			names = append(names, in.Name)
		}
		for _, d := range p.Derived {
			names = append(names, d.Name)
		}
		res, err := scfit.Fit(context.Background(), X, labels, p, scfit.Config{IVThreshold: -1, MaxCorrelation: 1, EntryChi2: -1, Cleared: names, Threads: 1})
		if err != nil {
			tb.Fatalf("servetest: fit scorecard: %v", err)
		}
		m.Name, m.Algorithm, m.Ensemble, m.Scorecard = string(learn.Scorecard), string(learn.Scorecard), nil, res.Scorecard
	}
	if err := m.Init(); err != nil {
		tb.Fatalf("servetest: init model: %v", err)
	}
	meta := &model.Metadata{
		Dataset: "test", TrainRows: X.Rows, TestRows: 0,
		ThresholdRule: "fixed for tests",
		Params:        map[string]any{"trees": o.Trees, "max_depth": o.Depth},
		Metrics:       metrics.Summary{ROCAUC: 0.5 + float64(o.Version)/100, Brier: 0.15},
	}
	if !o.NoReference {
		pd := make([]float64, X.Rows)
		m.PDInto(pd, X, 1)
		ref := &model.Reference{Score: model.NewBins("score", pd, 10)}
		col := make([]float64, 0, X.Rows)
		for j, name := range m.Features {
			col = X.Column(col, j)
			ref.Features = append(ref.Features, model.NewBins(name, col, 10))
		}
		meta.Reference = ref
	}
	return m, meta
}

// randomTree grows a random tree of the given depth over X's columns,
// splitting at values seen in X so that rows reach every branch.
func randomTree(rng *rand.Rand, X *matrix.Dense, depth int) tree.Tree {
	t := tree.Tree{Nodes: []tree.Node{{}}}
	var grow func(i int32, d int)
	grow = func(i int32, d int) {
		if d == depth {
			t.Nodes[i] = tree.Node{Feature: -1, Value: rng.NormFloat64() * 0.2, Cover: 1}
			return
		}
		feat := rng.IntN(X.Cols)
		thr := X.At(rng.IntN(X.Rows), feat)
		if math.IsNaN(thr) {
			thr = 0
		}
		l, r := int32(len(t.Nodes)), int32(len(t.Nodes)+1)
		t.Nodes = append(t.Nodes, tree.Node{}, tree.Node{})
		t.Nodes[i] = tree.Node{Feature: int32(feat), Left: l, Right: r, DefaultLeft: rng.IntN(2) == 0, Threshold: thr, Cover: 2}
		grow(l, d+1)
		grow(r, d+1)
	}
	grow(0, 0)
	return t
}

// WriteModel builds a model with o and saves it in dir as gbdt_v<N>.model
// (scorecard_v<N>.model) with its metadata; it returns the model file's
// base name (gbdt_v<N>).
func WriteModel(tb testing.TB, dir string, o Options) string {
	tb.Helper()
	m, meta := Build(tb, o)
	base := fmt.Sprintf("%s_v%d", m.Name, m.Version)
	if err := model.Save(dir, base, m, meta); err != nil {
		tb.Fatalf("servetest: save: %v", err)
	}
	return base
}

// SetAlias points dir/production.model and dir/production_metadata.json at
// base's files the way the pipeline does: relative symbolic links, each
// replaced atomically (new link, then rename).
func SetAlias(tb testing.TB, dir, base string) {
	tb.Helper()
	SetNamedAlias(tb, dir, "production", base)
}

// SetNamedAlias points the alias name (production, challenger) in dir at
// the model base and its metadata, replacing the links atomically.
func SetNamedAlias(tb testing.TB, dir, name, base string) {
	tb.Helper()
	for _, l := range [][2]string{
		{base + model.Ext, name + model.Ext},
		{base + "_metadata.json", name + "_metadata.json"},
	} {
		tmp := filepath.Join(dir, l[1]+".tmp")
		os.Remove(tmp)
		if err := os.Symlink(l[0], tmp); err != nil {
			tb.Fatalf("servetest: alias: %v", err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, l[1])); err != nil {
			tb.Fatalf("servetest: alias: %v", err)
		}
	}
}

// WriteCorrupt writes gbdt_v<version>.model and its metadata where the
// model file does not match the metadata's sha256, and returns the base.
func WriteCorrupt(tb testing.TB, dir string, version int) string {
	tb.Helper()
	base := WriteModel(tb, dir, Options{Version: version, Seed: uint64(version)})
	path := filepath.Join(dir, base+model.Ext)
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	data = append(data[:len(data)-2], ' ', '\n') // one byte off: hash mismatch
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	return base
}

// WriteTampered writes gbdt_v<version>.model and its metadata, then lets
// edit change the model and the metadata and writes both again with the
// new file's sha256: a file with a valid hash whatever its numbers, as a
// careless edit would leave it. It returns the base.
func WriteTampered(tb testing.TB, dir string, version int, edit func(*model.Model, *model.Metadata)) string {
	tb.Helper()
	m, meta := Build(tb, Options{Version: version, Seed: uint64(version)})
	base := fmt.Sprintf("gbdt_v%d", m.Version)
	if err := model.Save(dir, base, m, meta); err != nil {
		tb.Fatalf("servetest: save: %v", err)
	}
	edit(m, meta)
	var buf bytes.Buffer
	if err := model.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	meta.SHA256 = hex.EncodeToString(sum[:])
	metaData, err := json.Marshal(meta)
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(dir, base+model.Ext)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(model.MetadataPath(path), metaData, 0o644); err != nil {
		tb.Fatal(err)
	}
	return base
}
