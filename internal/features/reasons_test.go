package features

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestPipeline_Lineage(t *testing.T) {
	p := testPipeline(t)
	want := [][]Source{
		{{"rate", 1}},
		{{"income", 1}},
		{{"income", 1}},                  // income_missing
		{{"grade", 1}},                   // a rank
		{{"purpose", 1}},                 // purpose=car
		{{"purpose", 1}},                 // purpose=debt
		{{"rate", 0.5}, {"income", 0.5}}, // ratio: an equal share each
		{{"opened", 1}},                  // months_between(opened, issued): not the application date
	}
	if got := p.Lineage(); !reflect.DeepEqual(got, want) {
		t.Errorf("got %v; want %v", got, want)
	}
	phi := []float64{1, 2, 3, 4, 5, 6, 7, 8}
	got := make([]float64, len(p.Inputs))
	p.FieldContributions(phi, got)
	wantTotals := []float64{1 + 3.5, 2 + 3 + 3.5, 4, 5 + 6, 0, 8}
	if !reflect.DeepEqual(got, wantTotals) {
		t.Errorf("FieldContributions: got %v; want %v", got, wantTotals)
	}
	var sum float64
	for _, v := range got {
		sum += v
	}
	if sum != 36 {
		t.Errorf("the totals add up to %v; want the contributions' 36", sum)
	}
}

func TestPipeline_Directions(t *testing.T) {
	p := testPipeline(t)
	p.Inputs[0].Stats.Median = ptr(10) // rate
	p.Inputs[2].Stats.Median = ptr(1)  // grade B
	p.Inputs[5].Stats.Median = ptr(0)  // opened: 1970-01-01
	// issued has no median: given, its direction is none.
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		raw  []Raw
		want []Direction
	}{
		{"high", []Raw{RawString("20"), RawString("30"), RawString("C"), RawString("car"), RawString("Feb-2011"), RawString("Jan-2001")},
			[]Direction{DirectionHigh, DirectionHigh, DirectionHigh, DirectionNone, DirectionNone, DirectionHigh}},
		{"low and missing", []Raw{RawString("10"), {}, RawString("B"), {}, RawString("Feb-2011"), {}},
			[]Direction{DirectionLow, DirectionMissing, DirectionLow, DirectionMissing, DirectionNone, DirectionMissing}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := p.NewRow()
			if errs := p.CleanRecord(tt.raw, row); errs != nil {
				t.Fatal(errs)
			}
			got := make([]Direction, len(p.Inputs))
			p.Directions(row, got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func TestPipeline_Reason(t *testing.T) {
	p := testPipeline(t)
	p.Inputs[1].Reasons = &Reasons{
		Code: "INCOME", Statement: "Income",
		Low:     &ReasonText{"INCOME_LOW", "Income insufficient for amount of credit requested"},
		Missing: ReasonText{"INCOME_NI", "Insufficient information on income"},
	}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		input int
		d     Direction
		want  ReasonText
	}{
		{1, DirectionLow, ReasonText{"INCOME_LOW", "Income insufficient for amount of credit requested"}},
		{1, DirectionHigh, ReasonText{"INCOME", "Income"}},
		{1, DirectionNone, ReasonText{"INCOME", "Income"}},
		{1, DirectionMissing, ReasonText{"INCOME_NI", "Insufficient information on income"}},
		{0, DirectionHigh, ReasonText{"rate", "rate"}},
		{0, DirectionMissing, ReasonText{"rate", "No information given: rate"}},
	}
	for _, tt := range tests {
		if got := p.Reason(tt.input, tt.d); got != tt.want {
			t.Errorf("Reason(%d, %v) = %+v; want %+v", tt.input, tt.d, got, tt.want)
		}
	}
}

func TestPipeline_InitReasons(t *testing.T) {
	good := func() *Reasons {
		return &Reasons{Code: "A", Statement: "A", Missing: ReasonText{"A_NI", "No A"}}
	}
	tests := []struct {
		name   string
		change func(p *Pipeline)
		want   string
	}{
		{"bad code", func(p *Pipeline) { r := good(); r.Code = "a b"; p.Inputs[0].Reasons = r }, `reasons: code "a b"`},
		{"empty missing", func(p *Pipeline) { r := good(); r.Missing = ReasonText{}; p.Inputs[0].Reasons = r }, `reasons: code ""`},
		{"control character", func(p *Pipeline) { r := good(); r.High = &ReasonText{"H", "x\x00"}; p.Inputs[0].Reasons = r }, "control characters"},
		{"one code, two statements", func(p *Pipeline) {
			p.Inputs[0].Reasons = good()
			r := good()
			r.Statement = "B"
			p.Inputs[1].Reasons = r
		}, `code "A" stands for "A" and "B"`},
		{"non-finite median", func(p *Pipeline) { p.Inputs[0].Stats.Median = ptr(math.Inf(1)) }, "non-finite median"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := testPipeline(t)
			tt.change(p)
			err := p.Init()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

// BenchmarkDirections is the per-application cost of the directions the
// scoring API keeps for every batch item (a number, an ordinal, a
// category, two dates).
func BenchmarkDirections(b *testing.B) {
	p := testPipeline(b)
	for i := range p.Inputs {
		p.Inputs[i].Stats.Median = ptr(1)
	}
	if err := p.Init(); err != nil {
		b.Fatal(err)
	}
	row := p.NewRow()
	raw := []Raw{RawString("30%"), RawString("20"), RawString("C"), RawString(" debt "), RawString("Feb-2011"), RawString("Jan-2001")}
	if errs := p.CleanRecord(raw, row); errs != nil {
		b.Fatal(errs)
	}
	dirs := make([]Direction, len(p.Inputs))
	b.ReportAllocs()
	for b.Loop() {
		p.Directions(row, dirs)
	}
}
