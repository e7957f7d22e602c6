package value

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFloat(t *testing.T) {
	tests := []struct {
		name    string
		kind    Kind
		layout  string
		in      string
		want    float64
		missing bool
		wantErr bool
	}{
		{"plain", Number, "", "5000", 5000, false, false},
		{"blanks", Number, "", " 27.65 ", 27.65, false, false},
		{"thousands", Number, "", "1,250.5", 1250.5, false, false},
		{"negative", Number, "", "-2", -2, false, false},
		{"empty", Number, "", "", math.NaN(), true, false},
		{"na token", Number, "", "N/A", math.NaN(), true, false},
		{"junk", Number, "", "12abc", math.NaN(), false, true},
		{"inf is junk", Number, "", "Inf", math.NaN(), false, true},
		{"nan token is missing", Number, "", "NaN", math.NaN(), true, false},
		{"percent", Percent, "", "10.65%", 10.65, false, false},
		{"percent padded", Percent, "", "  83.7 % ", 83.7, false, false},
		{"percent bare", Percent, "", "21", 21, false, false},
		{"percent junk", Percent, "", "%", math.NaN(), false, true},
		{"term", Months, "", " 36 months", 36, false, false},
		{"term bare", Months, "", "60", 60, false, false},
		{"term junk", Months, "", "three years", math.NaN(), false, true},
		{"years plus", Years, "", "10+ years", 10, false, false},
		{"years less", Years, "", "< 1 year", 0, false, false},
		{"years one", Years, "", "1 year", 1, false, false},
		{"years n/a", Years, "", "n/a", math.NaN(), true, false},
		{"years junk", Years, "", "many", math.NaN(), false, true},
		{"date", Date, "Jan-2006", "Dec-2011", 15309, false, false},
		{"date iso", Date, "2006-01-02", "1970-01-02", 1, false, false},
		{"date junk", Date, "Jan-2006", "2011-12", math.NaN(), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Parser{Kind: tt.kind, Layout: tt.layout}
			got, missing, err := p.ParseFloat(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseFloat(%q) error = %v; want error %v", tt.in, err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not wrap ErrSyntax", err)
			}
			if missing != tt.missing {
				t.Errorf("ParseFloat(%q) missing = %v; want %v", tt.in, missing, tt.missing)
			}
			if !same(got, tt.want) {
				t.Errorf("ParseFloat(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

func TestParseText(t *testing.T) {
	p := Parser{Kind: Text, Missing: []string{"", "unknown"}}
	if v, m := p.ParseText("  RENT "); v != "RENT" || m {
		t.Errorf("ParseText = %q, %v; want RENT, false", v, m)
	}
	if _, m := p.ParseText("Unknown"); !m {
		t.Errorf("ParseText(Unknown) not missing")
	}
	if _, m := p.ParseText("n/a"); m {
		t.Errorf("ParseText(n/a) missing with custom tokens")
	}
}

func TestMonthsBetween(t *testing.T) {
	a, _ := ParseDate("Mar-1993", "Jan-2006")
	b, _ := ParseDate("Dec-2011", "Jan-2006")
	if got := MonthsBetween(a, b); got != 225 {
		t.Errorf("MonthsBetween = %v; want 225", got)
	}
	if got := MonthsBetween(math.NaN(), b); !math.IsNaN(got) {
		t.Errorf("MonthsBetween(NaN) = %v; want NaN", got)
	}
}

func TestDateLayout(t *testing.T) {
	for in, want := range map[string]string{"Mon-YYYY": "Jan-2006", "YYYY-MM-DD": "2006-01-02", "02.01.2006": "02.01.2006"} {
		got, err := DateLayout(in)
		if err != nil || got != want {
			t.Errorf("DateLayout(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := DateLayout("dd-mm"); err == nil {
		t.Errorf("DateLayout(dd-mm) succeeded; want error")
	}
}

func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"10.65%", " 36 months", "10+ years", "< 1 year", "Dec-2011", "1,000", "", "n/a", "-0", "1e308", "%%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{Number, Percent, Months, Years, Date} {
			p := Parser{Kind: k, Layout: "Jan-2006"}
			v, missing, err := p.ParseFloat(s)
			switch {
			case err != nil:
				if !math.IsNaN(v) || missing {
					t.Fatalf("%s %q: error with value %v missing %v", k, s, v, missing)
				}
			case missing:
				if !math.IsNaN(v) {
					t.Fatalf("%s %q: missing with value %v", k, s, v)
				}
			default:
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Fatalf("%s %q: non-finite value %v without error", k, s, v)
				}
			}
		}
	})
}

// FuzzFastPaths checks each fast path against the general code it stands
// in for: parseDecimal against strconv.ParseFloat, parseMonthYear against
// time.Parse, isMissingTrimmed and a prepared parser's isMissing against
// comparing every token, and trimSpace against strings.TrimSpace.
func FuzzFastPaths(f *testing.F) {
	for _, s := range []string{"12.50", "-0", "007", ".5", "1.", "-", "123456789012345", "1234567890123456",
		"0.000000000000001", " 36 months", "x\u00a0", "\u0085y", "\t", "Dec-2011", "dec-2011", "DEC-0000", "Sep-1969", "Jan-20x1", "n/a", "NaN", "KB", "\u212a", "?"} {
		f.Add(s)
	}
	tokens := append(DefaultMissing(), "-1", "k", "\u212aB", "Ks")
	f.Fuzz(func(t *testing.T, s string) {
		if v, ok := parseDecimal(s); ok {
			want, err := strconv.ParseFloat(s, 64)
			if err != nil || math.Float64bits(v) != math.Float64bits(want) {
				t.Fatalf("parseDecimal(%q) = %v; strconv.ParseFloat gives %v, %v", s, v, want, err)
			}
		}
		if days, ok := parseMonthYear(s); ok {
			tm, err := time.Parse("Jan-2006", s)
			if err != nil || float64(tm.Unix()/86400) != days {
				t.Fatalf("parseMonthYear(%q) = %v; time.Parse gives %v, %v", s, days, tm, err)
			}
		}
		trimmed := strings.TrimSpace(s)
		if got := trimSpace(s); got != trimmed {
			t.Fatalf("trimSpace(%q) = %q; strings.TrimSpace gives %q", s, got, trimmed)
		}
		want := slices.ContainsFunc(tokens, func(tok string) bool { return strings.EqualFold(trimmed, tok) })
		if got := isMissingTrimmed(trimmed, tokens); got != want {
			t.Fatalf("isMissingTrimmed(%q) = %v; want %v", trimmed, got, want)
		}
		p := Parser{Kind: Number, Missing: tokens}
		p.Prepare()
		if got := p.isMissing(trimmed); got != want {
			t.Fatalf("prepared isMissing(%q) = %v; want %v", trimmed, got, want)
		}
	})
}

// TestKinds_fresh checks that Kinds and DefaultMissing hand out copies: a
// caller changing its slice changes nobody else's.
func TestKinds_fresh(t *testing.T) {
	k := Kinds()
	k[0] = "changed"
	if got := Kinds()[0]; got != Number {
		t.Errorf("got Kinds()[0] %q after a caller's change; want %q", got, Number)
	}
	m := DefaultMissing()
	m[1] = "changed"
	if got := DefaultMissing()[1]; got != "n/a" {
		t.Errorf("got DefaultMissing()[1] %q after a caller's change; want %q", got, "n/a")
	}
	if !IsMissing("N/A", DefaultMissing()) || (&Parser{Kind: Number}).tokens()[1] != "n/a" {
		t.Error("the default tokens changed")
	}
}

func TestExtract(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       string
		ok         bool
	}{
		{`(\d+)`, "term_36", "36", true},
		{`(\d+)`, "emp_5", "5", true},
		{`\d+`, "36 months", "36", true},
		{`^emp_(\d+)$`, "emp_unk", "", false},
		{`(\d+)|n/a`, "n/a", "", true}, // the group took no part
		{`(?:x|y)(\d)`, "y7", "7", true},
	}
	for _, tt := range tests {
		re, err := CompilePattern(tt.pattern)
		if err != nil {
			t.Fatalf("CompilePattern(%q): %v", tt.pattern, err)
		}
		if got, ok := Extract(re, tt.s); got != tt.want || ok != tt.ok {
			t.Errorf("Extract(%q, %q) = %q, %v; want %q, %v", tt.pattern, tt.s, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCompilePatternErrors(t *testing.T) {
	tests := []struct{ name, pattern, want string }{
		{"syntax", `(\d+`, "missing closing )"},
		{"two groups", `(\d)(\d)`, "2 capture groups"},
		{"too long", strings.Repeat("a", MaxPatternLen+1), "at most 256"},
		{"backreference", `(a)\1`, "invalid escape"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := CompilePattern(tt.pattern); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v; want one containing %q", err, tt.want)
			}
		})
	}
}
