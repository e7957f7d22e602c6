package features

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/value"
)

// TestParseSpecialPattern checks special values, extraction patterns,
// missing tokens and the reserved rare-level bucket in Input.Parse, on a
// prepared input and on the same input unprepared.
func TestParseSpecialPattern(t *testing.T) {
	missing := append(value.DefaultMissing(), "emp_unk")
	delinq := Input{Name: "delinq", Kind: KindNumeric, Parser: value.Number, Missing: missing, Min: ptr(0), Max: ptr(60), Special: []string{"96", "98"}}
	emp := Input{Name: "emp", Kind: KindNumeric, Parser: value.Number, Missing: missing, Pattern: `(\d+)`, Special: []string{"99"}}
	term := Input{Name: "term", Kind: KindNumeric, Parser: value.Months, Missing: missing, Pattern: `\d+`}
	rate := Input{Name: "rate", Kind: KindNumeric, Parser: value.Percent, Missing: missing, Special: []string{"-1"}}
	opened := Input{Name: "opened", Kind: KindDate, Parser: value.Date, Layout: "02/01/2006", Missing: missing, Special: []string{"01/01/1900"}}
	grade := Input{Name: "grade", Kind: KindOrdinal, Missing: missing, Order: []string{"low", "high"}, Labels: map[string]string{"L": "low", "H": "high"}, Special: []string{"U", "X"}}
	level := Input{Name: "level", Kind: KindOrdinal, Missing: missing, Order: []string{"1", "2", "3"}, Pattern: `^lvl_(\d)$`}
	purpose := Input{Name: "purpose", Kind: KindCategorical, Missing: missing, Special: []string{"999"}}
	tests := []struct {
		name    string
		in      Input
		raw     Raw
		want    Parsed
		problem string // the FieldError's problem, "" for none
		detail  string // in the FieldError's detail
	}{
		{"special", delinq, RawString("96"), Parsed{Missing: true, Special: 1}, "", ""},
		{"special written otherwise", delinq, RawString(" 98.0 "), Parsed{Missing: true, Special: 2}, "", ""},
		{"special as a JSON number", delinq, RawNumber(98), Parsed{Missing: true, Special: 2}, "", ""},
		{"ordinary value", delinq, RawString("5"), Parsed{Num: 5}, "", ""},
		{"out of range, not special", delinq, RawString("97"), Parsed{}, ProblemRange, "outside the valid range"},
		{"missing token", delinq, RawString(""), Parsed{Missing: true}, "", ""},
		{"pattern group", emp, RawString("emp_5"), Parsed{Num: 5}, "", ""},
		{"pattern then special", emp, RawString("emp_99"), Parsed{Missing: true, Special: 1}, "", ""},
		{"missing token before pattern", emp, RawString("EMP_UNK"), Parsed{Missing: true}, "", ""},
		{"pattern no match", emp, RawString("emp_x"), Parsed{}, ProblemSyntax, `does not match the pattern "(\\d+)"`},
		{"pattern and a JSON number", emp, RawNumber(7), Parsed{Num: 7}, "", ""},
		{"pattern whole match", term, RawString("term_36"), Parsed{Num: 36}, "", ""},
		{"percent special", rate, RawString("-1%"), Parsed{Missing: true, Special: 1}, "", ""},
		{"date special", opened, RawString("01/01/1900"), Parsed{Missing: true, Special: 1}, "", ""},
		{"ordinal special before labels", grade, RawString("X"), Parsed{Missing: true, Special: 2}, "", ""},
		{"ordinal level", grade, RawString("H"), Parsed{Level: "high"}, "", ""},
		{"ordinal missing token", grade, RawString("emp_unk"), Parsed{Missing: true}, "", ""},
		{"ordinal pattern", level, RawString("lvl_2"), Parsed{Level: "2"}, "", ""},
		{"ordinal pattern no match", level, RawString("lvl_22"), Parsed{}, ProblemSyntax, "does not match"},
		{"categorical special as a number", purpose, RawNumber(999), Parsed{Missing: true, Special: 1}, "", ""},
		{"a real level called other", purpose, RawString("other"), Parsed{Level: "other"}, "", ""},
		{"the reserved bucket", purpose, RawString(OtherLevel), Parsed{}, ProblemEnum, "reserved"},
		{"the reserved missing level", purpose, RawString(MissingLevel), Parsed{}, ProblemEnum, "reserved"},
		{"a real level called missing", purpose, RawString("missing"), Parsed{Level: "missing"}, "", ""},
	}
	for _, tt := range tests {
		for _, prepared := range []bool{true, false} {
			name := tt.name + "/unprepared"
			if prepared {
				name = tt.name + "/prepared"
			}
			t.Run(name, func(t *testing.T) {
				in := tt.in
				if prepared {
					if err := in.Prepare(); err != nil {
						t.Fatal(err)
					}
				}
				got, _, fe := in.Parse(tt.raw, true)
				if tt.problem != "" {
					if fe == nil || fe.Problem != tt.problem || !strings.Contains(fe.Detail, tt.detail) {
						t.Fatalf("got %+v, error %+v; want a %s error mentioning %q", got, fe, tt.problem, tt.detail)
					}
					return
				}
				if fe != nil {
					t.Fatalf("got error %+v", fe)
				}
				wantNum := tt.want.Num
				if tt.want.Missing || in.IsText() {
					wantNum = math.NaN()
				}
				if got.Missing != tt.want.Missing || got.Special != tt.want.Special || got.Level != tt.want.Level || !sameFloat(got.Num, wantNum) {
					t.Errorf("got %+v; want %+v", got, tt.want)
				}
			})
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// specialPipeline has a numeric input with two special values, a missing
// indicator and a feature for the first special value only (the second
// was not seen in training), and a categorical input with a real level
// "other" beside the rare levels' bucket.
func specialPipeline(t testing.TB) *Pipeline {
	t.Helper()
	p := &Pipeline{
		Version: FormatVersion,
		Dataset: "t",
		Inputs: []Input{
			{Name: "delinq", Kind: KindNumeric, Parser: value.Number, Missing: value.DefaultMissing(), Impute: ptr(2), Indicator: true, CapHigh: ptr(10),
				Special: []string{"96", "98"}, Stats: InputStats{SpecialShares: []float64{0.1, 0}}},
			{Name: "purpose", Kind: KindCategorical, Missing: value.DefaultMissing(), ImputeLevel: MissingLevel},
		},
		Derived: []Derived{{Name: "delinq_log", Op: "log1p", Args: []string{"delinq"}, Scale: 1}},
		Features: []Feature{
			{Name: "delinq", Kind: FeatureNumber, Source: "delinq"},
			{Name: "delinq_missing", Kind: FeatureIndicator, Source: "delinq"},
			{Name: "delinq_special_96", Kind: FeatureSpecial, Source: "delinq", Level: "96"},
			{Name: "purpose=car", Kind: FeatureOneHot, Source: "purpose", Level: "car"},
			{Name: "purpose=other", Kind: FeatureOneHot, Source: "purpose", Level: "other"},
			{Name: "purpose=" + OtherLevel, Kind: FeatureOneHot, Source: "purpose", Level: OtherLevel},
			{Name: "delinq_log", Kind: FeatureNumber, Source: "delinq_log"},
		},
	}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestEncodeSpecial checks the features of special values: the number is
// missing (NaN, not imputed, and so is what is derived from it), the
// missing indicator stays 0, the special value's own feature is 1; and
// that a real level "other" is not the rare levels' bucket.
func TestEncodeSpecial(t *testing.T) {
	p := specialPipeline(t)
	nan := math.NaN()
	tests := []struct {
		name    string
		delinq  Raw
		purpose Raw
		want    []float64
		special int
	}{
		{"ordinary", RawString("3"), RawString("car"), []float64{3, 0, 0, 1, 0, 0, math.Log1p(3)}, 0},
		{"capped", RawString("50"), RawString("other"), []float64{10, 0, 0, 0, 1, 0, math.Log1p(10)}, 0},
		{"missing", RawString("n/a"), RawString("boat"), []float64{2, 1, 0, 0, 0, 1, math.Log1p(2)}, 0},
		{"special seen in training", RawString("96"), RawString("car"), []float64{nan, 0, 1, 1, 0, 0, nan}, 1},
		{"special not seen in training", RawNumber(98), Raw{}, []float64{nan, 0, 0, 0, 0, 1, nan}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row := p.NewRow()
			x := make([]float64, p.NumFeatures())
			if errs := p.Transform([]Raw{tt.delinq, tt.purpose}, row, x); errs != nil {
				t.Fatal(errs)
			}
			for i, name := range p.FeatureNames() {
				if !sameFloat(x[i], tt.want[i]) {
					t.Errorf("%s = %v; want %v", name, x[i], tt.want[i])
				}
			}
			if row.Special[0] != tt.special {
				t.Errorf("row.Special = %d; want %d", row.Special[0], tt.special)
			}
		})
	}
}

// TestOtherLevelVersions checks where an unseen level goes: the bucket
// OtherLevel in a version 2 pipeline, the level "other" in a version 1
// pipeline (read as it always was).
func TestOtherLevelVersions(t *testing.T) {
	for _, tt := range []struct {
		version int
		bucket  string
	}{{1, LegacyOtherLevel}, {2, OtherLevel}} {
		p := &Pipeline{
			Version: tt.version,
			Inputs:  []Input{{Name: "purpose", Kind: KindCategorical, Missing: value.DefaultMissing()}},
			Features: []Feature{
				{Name: "car", Kind: FeatureOneHot, Source: "purpose", Level: "car"},
				{Name: "bucket", Kind: FeatureOneHot, Source: "purpose", Level: tt.bucket},
			},
		}
		if err := p.Init(); err != nil {
			t.Fatalf("version %d: %v", tt.version, err)
		}
		x := make([]float64, 2)
		if errs := p.Transform([]Raw{RawString("boat")}, p.NewRow(), x); errs != nil {
			t.Fatal(errs)
		}
		if x[0] != 0 || x[1] != 1 {
			t.Errorf("version %d: an unseen level gives %v; want [0 1]", tt.version, x)
		}
	}
}

// TestInitRejectsSpecial checks that Init refuses a pipeline whose
// special values, patterns or special features do not hold together, as a
// model file with them edited would be.
func TestInitRejectsSpecial(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(p *Pipeline)
		want   string
	}{
		{"feature for an undeclared special", func(p *Pipeline) { p.Features[2].Level = "97" }, "not a special value"},
		{"special feature on a derived value", func(p *Pipeline) { p.Features[2].Source = "delinq_log" }, "only be a number"},
		{"unreadable special", func(p *Pipeline) { p.Inputs[0].Special[0] = "many" }, "special value"},
		{"duplicate special", func(p *Pipeline) { p.Inputs[0].Special[1] = "96.0" }, "twice"},
		{"empty special", func(p *Pipeline) { p.Inputs[0].Special[1] = "" }, "empty"},
		{"too many specials", func(p *Pipeline) {
			p.Inputs[0].Stats.SpecialShares = nil
			for i := range MaxSpecialValues {
				p.Inputs[0].Special = append(p.Inputs[0].Special, fmt.Sprint(100+i))
			}
		}, "at most"},
		{"shares for other values", func(p *Pipeline) { p.Inputs[0].Stats.SpecialShares = []float64{0.1} }, "shares"},
		{"share above 1", func(p *Pipeline) { p.Inputs[0].Stats.SpecialShares[1] = 2 }, "outside [0, 1]"},
		{"share NaN", func(p *Pipeline) { p.Inputs[0].Stats.SpecialShares[1] = math.NaN() }, "outside [0, 1]"},
		{"bad pattern", func(p *Pipeline) { p.Inputs[0].Pattern = "(" }, "pattern"},
		{"pattern with two groups", func(p *Pipeline) { p.Inputs[0].Pattern = `(\d)(\d)` }, "capture groups"},
		{"pattern too long", func(p *Pipeline) { p.Inputs[0].Pattern = strings.Repeat("a", value.MaxPatternLen+1) }, "at most"},
		{"special values in version 1", func(p *Pipeline) {
			p.Version = 1
			p.Features = p.Features[:2]
		}, "version 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specialPipeline(t)
			tt.mutate(p)
			err := p.Init()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v; want one mentioning %q", err, tt.want)
			}
		})
	}
}

// TestSpecialRoundTrip checks that a pipeline with special values and a
// pattern encodes the same after a JSON round trip (as a model file
// carries it).
func TestSpecialRoundTrip(t *testing.T) {
	p := specialPipeline(t)
	p.Inputs[0].Pattern = `(\d+)`
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var q Pipeline
	if err := json.Unmarshal(data, &q); err != nil {
		t.Fatal(err)
	}
	if err := q.Init(); err != nil {
		t.Fatal(err)
	}
	for _, raw := range [][]Raw{
		{RawString("d_96"), RawString("car")},
		{RawString("d_4"), RawString("other")},
		{RawString(""), RawString("boat")},
	} {
		a, b := make([]float64, p.NumFeatures()), make([]float64, q.NumFeatures())
		if errs := p.Transform(raw, p.NewRow(), a); errs != nil {
			t.Fatal(errs)
		}
		if errs := q.Transform(raw, q.NewRow(), b); errs != nil {
			t.Fatal(errs)
		}
		for i := range a {
			if !sameFloat(a[i], b[i]) {
				t.Errorf("%v: feature %s = %v after the round trip; want %v", raw, p.Features[i].Name, b[i], a[i])
			}
		}
	}
}

// TestRequiredSpecial checks that a special value satisfies a required
// input: it is a value, not a missing one.
func TestRequiredSpecial(t *testing.T) {
	p := specialPipeline(t)
	p.Inputs[0].Required = true
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	x := make([]float64, p.NumFeatures())
	if errs := p.Transform([]Raw{RawString("96"), RawString("car")}, p.NewRow(), x); errs != nil {
		t.Errorf("a special value of a required input: %+v", errs)
	}
	errs := p.Transform([]Raw{RawString(""), RawString("car")}, p.NewRow(), x)
	if len(errs) != 1 || errs[0].Problem != ProblemMissing {
		t.Errorf("a missing required input: got %+v; want one %s", errs, ProblemMissing)
	}
}
