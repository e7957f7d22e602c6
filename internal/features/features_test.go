package features

import (
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/value"
)

func ptr(v float64) *float64 { return &v }

func testPipeline(t testing.TB) *Pipeline {
	t.Helper()
	p := &Pipeline{
		Version:   FormatVersion,
		Dataset:   "t",
		DateInput: "issued",
		Inputs: []Input{
			{Name: "rate", Kind: KindNumeric, Parser: value.Percent, Required: true, Min: ptr(0), Max: ptr(100), CapHigh: ptr(25)},
			{Name: "income", Kind: KindNumeric, Parser: value.Number, Impute: ptr(25), Indicator: true},
			{Name: "grade", Kind: KindOrdinal, Order: []string{"A", "B", "C"}, ImputeLevel: "A"},
			{Name: "purpose", Kind: KindCategorical, ImputeLevel: MissingLevel},
			{Name: "issued", Kind: KindDate, Parser: value.Date, Layout: "Jan-2006"},
			{Name: "opened", Kind: KindDate, Parser: value.Date, Layout: "Jan-2006"},
		},
		Derived: []Derived{
			{Name: "rate_per_income", Op: "ratio", Args: []string{"rate", "income"}, Scale: 1},
			{Name: "history", Op: "months_between", Args: []string{"opened", "issued"}, Scale: 1},
		},
		Features: []Feature{
			{Name: "rate", Kind: FeatureNumber, Source: "rate"},
			{Name: "income", Kind: FeatureNumber, Source: "income"},
			{Name: "income_missing", Kind: FeatureIndicator, Source: "income"},
			{Name: "grade", Kind: FeatureRank, Source: "grade"},
			{Name: "purpose=car", Kind: FeatureOneHot, Source: "purpose", Level: "car"},
			{Name: "purpose=debt", Kind: FeatureOneHot, Source: "purpose", Level: "debt"},
			{Name: "rate_per_income", Kind: FeatureNumber, Source: "rate_per_income"},
			{Name: "history", Kind: FeatureNumber, Source: "history"},
		},
	}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTransform(t *testing.T) {
	p := testPipeline(t)
	want := map[string]float64{
		"rate": 25, "income": 25, "income_missing": 1, "grade": 2, "purpose=car": 0, "purpose=debt": 1,
		"rate_per_income": 1, "history": 10*12 + 1,
	}
	raw := []Raw{RawString("30%"), {}, RawString("C"), RawString(" debt "), RawString("Feb-2011"), RawString("Jan-2001")}
	x := make([]float64, p.NumFeatures())
	if errs := p.Transform(raw, p.NewRow(), x); errs != nil {
		t.Fatal(errs)
	}
	for i, name := range p.FeatureNames() {
		w, ok := want[name]
		if !ok {
			t.Errorf("unexpected feature %q", name)
			continue
		}
		if x[i] != w {
			t.Errorf("%s = %v; want %v", name, x[i], w)
		}
	}
}

func TestTransformErrors(t *testing.T) {
	p := testPipeline(t)
	ok := func() []Raw {
		return []Raw{RawNumber(12), RawNumber(30), RawString("A"), RawString("car"), RawString("Jan-2011"), RawString("Jan-2001")}
	}
	tests := []struct {
		name    string
		mutate  func(r []Raw)
		field   string
		problem string
	}{
		{"required missing", func(r []Raw) { r[0] = Raw{} }, "rate", ProblemMissing},
		{"required empty", func(r []Raw) { r[0] = RawString("") }, "rate", ProblemMissing},
		{"unparseable", func(r []Raw) { r[0] = RawString("high") }, "rate", ProblemSyntax},
		{"out of range", func(r []Raw) { r[0] = RawNumber(150) }, "rate", ProblemRange},
		{"NaN", func(r []Raw) { r[1] = RawNumber(math.NaN()) }, "income", ProblemNotFinite},
		{"Inf", func(r []Raw) { r[1] = RawNumber(math.Inf(1)) }, "income", ProblemNotFinite},
		{"unknown ordinal", func(r []Raw) { r[2] = RawString("Z") }, "grade", ProblemEnum},
		{"number for a date", func(r []Raw) { r[4] = RawNumber(2011) }, "issued", ProblemType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := ok()
			tt.mutate(raw)
			errs := p.Transform(raw, p.NewRow(), make([]float64, p.NumFeatures()))
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Problem != tt.problem {
				t.Errorf("errors = %+v; want one %s on %s", errs, tt.problem, tt.field)
			}
		})
	}
	// Several problems are all reported.
	raw := ok()
	raw[0], raw[2] = Raw{}, RawString("Z")
	if errs := p.Transform(raw, p.NewRow(), make([]float64, p.NumFeatures())); len(errs) != 2 {
		t.Errorf("got %d errors; want 2: %+v", len(errs), errs)
	}
	// An unseen category is not an error.
	raw = ok()
	raw[3] = RawString("boat")
	if errs := p.Transform(raw, p.NewRow(), make([]float64, p.NumFeatures())); errs != nil {
		t.Errorf("unseen category: %+v", errs)
	}
}

func TestInitRejects(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Pipeline)
	}{
		{"version", func(p *Pipeline) { p.Version = 99 }},
		{"duplicate input", func(p *Pipeline) { p.Inputs[1].Name = "rate" }},
		{"derived on text", func(p *Pipeline) { p.Derived[0].Args[1] = "purpose" }},
		{"feature source", func(p *Pipeline) { p.Features[0].Source = "nope" }},
		{"feature kind", func(p *Pipeline) { p.Features[0].Kind = "magic" }},
		{"no features", func(p *Pipeline) { p.Features = nil }},
		{"bad op", func(p *Pipeline) { p.Derived[0].Op = "power" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPipeline(t)
			tt.mutate(p)
			if err := p.Init(); err == nil {
				t.Error("Init accepted a broken pipeline")
			}
		})
	}
}
