package model

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
)

// linearModel returns testModels' linear model: every feature's term is
// 0.1 times its value (mean 0, scale 1), so contributions are known.
func linearModel(t *testing.T) *Model {
	t.Helper()
	m := testModels(t)[1]
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestModel_AdverseAction(t *testing.T) {
	rateReasons := &features.Reasons{Code: "RATE", Statement: "Interest rate",
		High:    &features.ReasonText{Code: "RATE_HIGH", Statement: "Interest rate too high"},
		Missing: features.ReasonText{Code: "RATE_NI", Statement: "No interest rate given"}}
	purposeReasons := &features.Reasons{Code: "PURPOSE", Statement: "Purpose of the loan",
		Missing: features.ReasonText{Code: "PURPOSE_NI", Statement: "No purpose given"}}
	tests := []struct {
		name     string
		catalog  bool
		rate     string // the raw rate
		purpose  string // the raw purpose
		k        int
		want     []AdverseReason
		wantNone bool
	}{
		{name: "catalogue, high rate first", catalog: true, rate: "30", purpose: "debt", k: 4, want: []AdverseReason{
			{Code: "RATE_HIGH", Reason: "Interest rate too high", Field: "rate"},
			{Code: "PURPOSE", Reason: "Purpose of the loan", Field: "purpose"}}},
		{name: "at most k", catalog: true, rate: "30", purpose: "debt", k: 1, want: []AdverseReason{
			{Code: "RATE_HIGH", Reason: "Interest rate too high", Field: "rate"}}},
		{name: "a zero contribution is no reason", catalog: true, rate: "0", purpose: "car", k: 4, want: []AdverseReason{
			{Code: "PURPOSE", Reason: "Purpose of the loan", Field: "purpose"}}},
		{name: "low rate: the field's own reason", catalog: true, rate: "12", purpose: "car", k: 4, want: []AdverseReason{
			{Code: "RATE", Reason: "Interest rate", Field: "rate"},
			{Code: "PURPOSE", Reason: "Purpose of the loan", Field: "purpose"}}},
		{name: "no catalogue: the field names", rate: "30", purpose: "debt", k: 4, want: []AdverseReason{
			{Code: "rate", Reason: "rate", Field: "rate"},
			{Code: "purpose", Reason: "purpose", Field: "purpose"}}},
		{name: "k 0", catalog: true, rate: "30", purpose: "debt", k: 0, wantNone: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := linearModel(t)
			p := m.Pipeline
			p.Inputs[0].Stats.Median = new(17.0)
			if tt.catalog {
				p.Inputs[0].Reasons, p.Inputs[1].Reasons = rateReasons, purposeReasons
			}
			if err := p.Init(); err != nil {
				t.Fatal(err)
			}
			raw := []features.Raw{features.RawString(tt.rate), features.RawString(tt.purpose)}
			row, x := p.NewRow(), make([]float64, p.NumFeatures())
			if errs := p.Transform(raw, row, x); errs != nil {
				t.Fatal(errs)
			}
			dirs := make([]features.Direction, len(p.Inputs))
			p.Directions(row, dirs)
			got := m.AdverseAction(make([]float64, p.NumFeatures()), x, dirs, tt.k)
			if tt.wantNone {
				if len(got) != 0 {
					t.Fatalf("got %v; want none", got)
				}
				return
			}
			for i := range got {
				if !(got[i].Contribution > 0) {
					t.Errorf("reason %d: contribution %v; want positive", i, got[i].Contribution)
				}
				if i > 0 && got[i].Contribution > got[i-1].Contribution {
					t.Errorf("reason %d: contribution %v above the one before (%v)", i, got[i].Contribution, got[i-1].Contribution)
				}
			}
			for i := range got {
				got[i].Contribution = 0
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

// TestModel_AdverseActionGroups checks that fields sharing a code are one
// reason, named by the field that contributed most, and that equal totals
// are ordered by code; and that a missing field gives its "insufficient
// information" reason.
func TestModel_AdverseActionGroups(t *testing.T) {
	m := linearModel(t)
	p := m.Pipeline
	phi := make([]float64, p.NumFeatures())
	x := make([]float64, p.NumFeatures())
	shared := features.ReasonText{Code: "SAME", Statement: "Same"}
	p.Inputs[0].Reasons = &features.Reasons{Code: shared.Code, Statement: shared.Statement, Missing: features.ReasonText{Code: "A_NI", Statement: "No a"}}
	p.Inputs[1].Reasons = &features.Reasons{Code: shared.Code, Statement: shared.Statement, Missing: features.ReasonText{Code: "B_NI", Statement: "No b"}}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	for i, name := range p.FeatureNames() {
		switch name {
		case "rate":
			x[i] = 2
		case "purpose=debt":
			x[i] = 3
		}
	}
	dirs := []features.Direction{features.DirectionNone, features.DirectionNone}
	got := m.AdverseAction(phi, x, dirs, 4)
	want := []AdverseReason{{Code: "SAME", Reason: "Same", Field: "purpose", Contribution: 0.1*2 + 0.1*3}}
	if len(got) != 1 || got[0].Code != want[0].Code || got[0].Field != want[0].Field || math.Abs(got[0].Contribution-want[0].Contribution) > 1e-12 {
		t.Errorf("got %+v; want %+v", got, want)
	}
	dirs = []features.Direction{features.DirectionMissing, features.DirectionMissing}
	got = m.AdverseAction(phi, x, dirs, 4)
	if len(got) != 2 || got[0].Code != "B_NI" || got[1].Code != "A_NI" || got[0].Field != "purpose" || got[1].Field != "rate" {
		t.Errorf("missing fields: got %+v; want B_NI (purpose), A_NI (rate)", got)
	}
	// Equal totals: ordered by code.
	for i, name := range p.FeatureNames() {
		if name == "purpose=debt" {
			x[i] = 2
		}
	}
	got = m.AdverseAction(phi, x, dirs, 4)
	if len(got) != 2 || got[0].Code != "A_NI" || got[1].Code != "B_NI" {
		t.Errorf("equal totals: got %+v; want A_NI then B_NI", got)
	}
}

// TestModel_FieldContributions checks that the grouped contributions of
// every field add up to the margin above the base for both learners.
func TestModel_FieldContributions(t *testing.T) {
	for _, m := range testModels(t) {
		t.Run(m.Algorithm, func(t *testing.T) {
			if err := m.Init(); err != nil {
				t.Fatal(err)
			}
			p := m.Pipeline
			row, x := p.NewRow(), make([]float64, p.NumFeatures())
			if errs := p.Transform([]features.Raw{features.RawString("30"), features.RawString("debt")}, row, x); errs != nil {
				t.Fatal(errs)
			}
			phi := make([]float64, p.NumFeatures())
			base := m.Contributions(phi, x)
			byField := make([]float64, len(p.Inputs))
			p.FieldContributions(phi, byField)
			sum := base
			for _, c := range byField {
				sum += c
			}
			if margin := m.Margin(x); math.Abs(sum-margin) > 1e-9 {
				t.Errorf("base + field totals = %v; want the margin %v", sum, margin)
			}
			fc := m.FieldContributions(phi, 10)
			for i, f := range fc {
				if !(f.Contribution > 0) || (i > 0 && f.Contribution > fc[i-1].Contribution) {
					t.Errorf("field contributions not positive and descending: %+v", fc)
				}
			}
		})
	}
}

// TestDecodeRefusesBadCatalogue checks that a model file's reason-code
// catalogue is checked on decoding, as the rest of the file.
func TestDecodeRefusesBadCatalogue(t *testing.T) {
	tests := []struct {
		name    string
		reasons *features.Reasons
		want    string
	}{
		{"bad code", &features.Reasons{Code: "a b", Statement: "A", Missing: features.ReasonText{Code: "A_NI", Statement: "No A"}}, `code "a b"`},
		{"no missing reason", &features.Reasons{Code: "A", Statement: "A"}, `code ""`},
		{"control character", &features.Reasons{Code: "A", Statement: "A\n", Missing: features.ReasonText{Code: "A_NI", Statement: "No A"}}, "statement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testModels(t)[0]
			m.Pipeline.Inputs[0].Reasons = tt.reasons
			var buf bytes.Buffer
			if err := Encode(&buf, m); err != nil {
				t.Fatal(err)
			}
			_, err := Decode(buf.Bytes())
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want ErrInvalid naming %q", err, tt.want)
			}
		})
	}
}

// TestModel_AdverseActionTo checks that AdverseActionTo gives what
// AdverseAction gives, with scratch and output reused across calls, and
// that, warm, it does not allocate.
func TestModel_AdverseActionTo(t *testing.T) {
	raws := [][2]string{{"30", "debt"}, {"12", "car"}, {"0", "car"}, {"25", "house"}, {"", "debt"}}
	dirSets := [][]features.Direction{
		{features.DirectionHigh, features.DirectionNone},
		{features.DirectionLow, features.DirectionMissing},
		{features.DirectionMissing, features.DirectionMissing},
	}
	for _, m := range testModels(t) {
		t.Run(m.Algorithm, func(t *testing.T) {
			if err := m.Init(); err != nil {
				t.Fatal(err)
			}
			p := m.Pipeline
			row, x := p.NewRow(), make([]float64, p.NumFeatures())
			phi := make([]float64, p.NumFeatures())
			var s AdverseScratch
			var dst []AdverseReason
			for _, raw := range raws {
				if errs := p.Transform([]features.Raw{features.RawString(raw[0]), features.RawString(raw[1])}, row, x); errs != nil {
					continue
				}
				for _, dirs := range dirSets {
					for _, k := range []int{0, 1, 4} {
						want := m.AdverseAction(make([]float64, p.NumFeatures()), x, dirs, k)
						dst = m.AdverseActionTo(dst[:0], &s, phi, x, dirs, k)
						if len(want) == 0 && len(dst) == 0 {
							continue
						}
						if !reflect.DeepEqual(dst, want) {
							t.Errorf("%q, %v, k %d: got %+v; want %+v", raw, dirs, k, dst, want)
						}
					}
				}
			}
			if errs := p.Transform([]features.Raw{features.RawString("30"), features.RawString("debt")}, row, x); errs != nil {
				t.Fatal(errs)
			}
			dirs := dirSets[0]
			allocs := testing.AllocsPerRun(100, func() {
				dst = m.AdverseActionTo(dst[:0], &s, phi, x, dirs, 4)
			})
			if allocs != 0 {
				t.Errorf("%v allocations per call; want 0", allocs)
			}
		})
	}
}

// referenceAdverseAction is AdverseAction as first written (a full sort
// of the groups); TestModel_AdverseActionReference checks that the
// selection of the first k gives the same.
func referenceAdverseAction(m *Model, phi, x []float64, dirs []features.Direction, k int) []AdverseReason {
	p := m.Pipeline
	if len(dirs) != len(p.Inputs) {
		panic(fmt.Sprintf("model: %d directions for %d inputs", len(dirs), len(p.Inputs)))
	}
	if k <= 0 {
		return nil
	}
	m.Contributions(phi, x)
	byField := make([]float64, len(p.Inputs))
	p.FieldContributions(phi, byField)
	type group struct {
		AdverseReason
		top float64 // the largest single field's total
	}
	var groups []group
	for i, c := range byField {
		if !(c > 0) {
			continue
		}
		r := p.Reason(i, dirs[i])
		name := p.Inputs[i].Name
		j := slices.IndexFunc(groups, func(g group) bool { return g.Code == r.Code })
		if j < 0 {
			groups = append(groups, group{AdverseReason{Code: r.Code, Reason: r.Statement, Field: name, Contribution: c}, c})
			continue
		}
		g := &groups[j]
		g.Contribution += c
		if c > g.top || c == g.top && name < g.Field {
			g.Field, g.top = name, c
		}
	}
	slices.SortFunc(groups, func(a, b group) int {
		if c := cmp.Compare(b.Contribution, a.Contribution); c != 0 {
			return c
		}
		return cmp.Compare(a.Code, b.Code)
	})
	out := make([]AdverseReason, min(k, len(groups)))
	for i := range out {
		out[i] = groups[i].AdverseReason
	}
	return out
}

func TestModel_AdverseActionReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := []float64{-2, -1, 0, 1, 2, 3, math.NaN()}
	for _, m := range testModels(t) {
		if err := m.Init(); err != nil {
			t.Fatal(err)
		}
		p := m.Pipeline
		var s AdverseScratch
		var dst []AdverseReason
		phi := make([]float64, p.NumFeatures())
		x := make([]float64, p.NumFeatures())
		dirs := make([]features.Direction, len(p.Inputs))
		for range 2000 {
			for i := range x {
				x[i] = values[rng.IntN(len(values))]
			}
			for i := range dirs {
				dirs[i] = features.Direction(rng.IntN(4))
			}
			k := rng.IntN(4)
			want := referenceAdverseAction(m, make([]float64, len(phi)), x, dirs, k)
			dst = m.AdverseActionTo(dst[:0], &s, phi, x, dirs, k)
			if len(want) != len(dst) || len(want) > 0 && !reflect.DeepEqual(dst, want) {
				t.Fatalf("%s: x %v, dirs %v, k %d: got %+v; want %+v", m.Algorithm, x, dirs, k, dst, want)
			}
		}
	}
}
