package dataset

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/value"
)

const minimalSpec = `
name: t
target: {column: status, bad: [B], good: [G], exclude: [C]}
date: {column: issued, format: Mon-YYYY}
columns:
  amount: {type: numeric}
  rate: {type: numeric, parser: percent, max: 100}
  grade: {type: ordinal, order: [A, B, C]}
leakage_columns: [paid_*]
`

func TestDecodeSpec(t *testing.T) {
	s, err := DecodeSpec(strings.NewReader(minimalSpec))
	if err != nil {
		t.Fatal(err)
	}
	if s.Format.Delimiter != "," || s.Cleaning.MaxMissing != DefaultMaxMissing || s.Split.TestFraction != DefaultTestFraction {
		t.Errorf("defaults not filled: %+v %+v %+v", s.Format, s.Cleaning, s.Split)
	}
	if got := s.Columns["amount"].Parser; got != "number" {
		t.Errorf("default numeric parser = %q; want number", got)
	}
	roles := map[string]Role{"status": RoleTarget, "issued": RoleDate, "amount": RoleFeature, "paid_total": RoleLeakage, "other": RoleUndeclared}
	for name, want := range roles {
		if got := s.RoleOf(name); got != want {
			t.Errorf("RoleOf(%q) = %v; want %v", name, got, want)
		}
	}
}

func TestMonitoringDefaults(t *testing.T) {
	tests := []struct {
		name, yaml string
		want       Monitoring
	}{
		{"defaults", "", Monitoring{MaxScorePSI: 0.25, MaxCSI: 0.25, MaxAUCDrop: 0.05, MaxBadRateRatio: 1.5, BandAlpha: 0.01, MinRows: 500}},
		{"set and off", "monitoring: {max_score_psi: 0.1, max_csi: .inf, min_auc: 0.6, min_rows: 50}\n",
			Monitoring{MaxScorePSI: 0.1, MaxCSI: math.Inf(1), MinAUC: 0.6, MaxAUCDrop: 0.05, MaxBadRateRatio: 1.5, BandAlpha: 0.01, MinRows: 50}},
		{"vintage", "monitoring: {vintage: {default_date: paid_d}}\n",
			Monitoring{MaxScorePSI: 0.25, MaxCSI: 0.25, MaxAUCDrop: 0.05, MaxBadRateRatio: 1.5, BandAlpha: 0.01, MinRows: 500,
				Vintage: &Vintage{DefaultDate: "paid_d", Format: "Mon-YYYY", Cohort: CohortQuarter}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := DecodeSpec(strings.NewReader(minimalSpec + tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(s.Monitoring, tt.want) {
				t.Errorf("got %+v; want %+v", s.Monitoring, tt.want)
			}
		})
	}
}

func TestDecodeSpecJSON(t *testing.T) {
	js := `{"name": "j", "target": {"column": "y", "bad": ["1"], "good": ["0"]}}`
	if _, err := DecodeSpec(strings.NewReader(js)); err != nil {
		t.Fatalf("JSON spec: %v", err)
	}
}

func TestDecodeSpecErrors(t *testing.T) {
	tests := []struct {
		name, spec, want string
	}{
		{"empty", "", "empty"},
		{"unknown key", minimalSpec + "colour: red\n", "colour"},
		{"unknown nested key", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, typo: 1}", 1), "columns.amount.typo: unknown key (line 6); want one of type, parser"},
		{"unknown key in a list item", minimalSpec + "derived: [{name: d, op: ratio, args: [amount, rate], scael: 2}]\n", "derived[0].scael: unknown key"},
		{"unknown key under a mapping", minimalSpec + "cleaning: {cap_low: 0.1}\n", "cleaning.cap_low: unknown key"},
		{"no target", "name: x\n", "target.column"},
		{"value in two lists", "name: x\ntarget: {column: y, bad: [1], good: [1]}\n", "both"},
		{"bad type", strings.Replace(minimalSpec, "{type: numeric}", "{type: money}", 1), "columns.amount"},
		{"bad parser", strings.Replace(minimalSpec, "parser: percent", "parser: roman", 1), "columns.rate"},
		{"ordinal without order", strings.Replace(minimalSpec, "order: [A, B, C]", "order: []", 1), "order"},
		{"bad date format", strings.Replace(minimalSpec, "Mon-YYYY", "someday", 1), "date.format"},
		{"bad derived op", minimalSpec + "derived: [{name: d, op: power, args: [amount, rate]}]\n", "unknown op"},
		{"derived arity", minimalSpec + "derived: [{name: d, op: ratio, args: [amount]}]\n", "2 arguments"},
		{"bad range policy", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, range_policy: ignore}", 1), "range_policy"},
		{"bad delimiter", minimalSpec + "format: {delimiter: '#'}\n", "delimiter"},
		{"unknown selection metric", minimalSpec + "selection_metric: accuracy\n", `selection_metric: unknown selection metric "accuracy"`},
		{"ece above one", minimalSpec + "promotion: {max_ece: 1.5}\n", `promotion.max_ece: 1.5: want a number in [0, 1]`},
		{"negative psi", minimalSpec + "promotion: {max_score_psi: -0.1}\n", `promotion.max_score_psi: -0.1`},
		{"unknown gate", minimalSpec + "promotion: {max_gain: 1}\n", `promotion.max_gain: unknown key`},
		{"scorecard negative pdo", minimalSpec + "scorecard: {pdo: -20}\n", "scorecard: scorecard: invalid scaling: pdo -20"},
		{"scorecard negative odds", minimalSpec + "scorecard: {base_score: 600, base_odds: -1}\n", "scorecard: scorecard: invalid scaling: base_odds -1"},
		{"scorecard unknown key", minimalSpec + "scorecard: {points: 600}\n", "points"},
		{"two documents", minimalSpec + "---\nname: y\n", "more than one"},
		{"special value the parser cannot read", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, special_values: [96, many]}", 1), "columns.amount.special_values: \"many\""},
		{"special value twice", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, special_values: [96, '96.0']}", 1), "columns.amount.special_values"},
		{"special value that is a missing token", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, special_values: [NA]}", 1), "columns.amount.special_values: \"NA\" is also a missing token"},
		{"special value among an ordinal's levels", strings.Replace(minimalSpec, "order: [A, B, C]", "order: [A, B, C], special_values: [B]", 1), "columns.grade.special_values"},
		{"too many special values", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, special_values: ["+strings.Repeat("1,", MaxSpecialValues)+"0]}", 1), "columns.amount.special_values"},
		{"bad pattern", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, pattern: '(\\d+'}", 1), "columns.amount.pattern"},
		{"pattern with two groups", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, pattern: '(a)(b)'}", 1), "columns.amount.pattern"},
		{"pattern too long", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, pattern: '"+strings.Repeat("a", 300)+"'}", 1), "columns.amount.pattern: 300 bytes"},
		{"no_cap on a category", strings.Replace(minimalSpec, "order: [A, B, C]", "order: [A, B, C], no_cap: true", 1), "columns.grade.no_cap"},
		{"ordinal level that is a missing token", strings.Replace(minimalSpec, "order: [A, B, C]", "order: [A, B, unk], missing_values: [unk]", 1), "columns.grade.missing_values"},
		{"bad parser names the key", strings.Replace(minimalSpec, "parser: percent", "parser: roman", 1), "columns.rate.parser"},
		{"cap_upper", minimalSpec + "cleaning: {cap_upper: 2}\n", "cleaning.cap_upper"},
		{"min_level_share", minimalSpec + "encoding: {min_level_share: 0.7}\n", "encoding.min_level_share"},
		{"derived op names the entry", minimalSpec + "derived: [{name: d, op: power, args: [amount, rate]}]\n", "derived[0] (d).op"},
		{"negative score PSI", minimalSpec + "monitoring: {max_score_psi: -0.1}\n", "monitoring.max_score_psi"},
		{"NaN CSI", minimalSpec + "monitoring: {max_csi: .nan}\n", "monitoring.max_csi"},
		{"min_auc of 1", minimalSpec + "monitoring: {min_auc: 1}\n", "monitoring.min_auc"},
		{"bad-rate ratio below 1", minimalSpec + "monitoring: {max_bad_rate_ratio: 0.8}\n", "monitoring.max_bad_rate_ratio"},
		{"band_alpha", minimalSpec + "monitoring: {band_alpha: 1}\n", "monitoring.band_alpha"},
		{"min_rows", minimalSpec + "monitoring: {min_rows: -3}\n", "monitoring.min_rows"},
		{"vintage without default_date", minimalSpec + "monitoring: {vintage: {cohort: month}}\n", "monitoring.vintage.default_date: is required"},
		{"vintage on the date column", minimalSpec + "monitoring: {vintage: {default_date: issued}}\n", "monitoring.vintage.default_date"},
		{"vintage cohort", minimalSpec + "monitoring: {vintage: {default_date: paid_d, cohort: year}}\n", "monitoring.vintage.cohort"},
		{"vintage format", minimalSpec + "monitoring: {vintage: {default_date: paid_d, format: someday}}\n", "monitoring.vintage.format"},
		{"vintage without a date", "name: x\ntarget: {column: y, bad: [1], good: [0]}\nmonitoring: {vintage: {default_date: paid_d}}\n", "monitoring.vintage: vintage curves"},
		{"unknown monitoring key", minimalSpec + "monitoring: {max_psi: 0.2}\n", "monitoring.max_psi: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSpec(strings.NewReader(tt.spec))
			if err == nil {
				t.Fatal("got nil error")
			}
			if !errors.Is(err, ErrSpec) {
				t.Errorf("error %v does not wrap ErrSpec", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// TestSpecErrorKey checks that a validation error is a *SpecError whose
// Key names the column and the key.
func TestSpecErrorKey(t *testing.T) {
	_, err := DecodeSpec(strings.NewReader(strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, special_values: [x]}", 1)))
	var se *SpecError
	if !errors.As(err, &se) || se.Key != "columns.amount.special_values" {
		t.Fatalf("got error %v; want a *SpecError with key columns.amount.special_values", err)
	}
}

// TestMissingTokens checks that the file-wide missing_values add to the
// default tokens unless missing_values_replace_defaults is set, and that
// a column's own tokens add to both.
func TestMissingTokens(t *testing.T) {
	defaults := strings.Join(value.DefaultMissing(), "|")
	tests := []struct {
		name, extra  string
		file, amount string // the tokens joined with |
	}{
		{"defaults", "", defaults, defaults},
		{"added", "missing_values: ['-', '.']\n", defaults + "|-|.", defaults + "|-|."},
		{"replaced", "missing_values: ['-']\nmissing_values_replace_defaults: true\n", "-", "-"},
		{"replaced by none", "missing_values_replace_defaults: true\n", "", ""},
		{"column", "", defaults, defaults + "|unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := minimalSpec + tt.extra
			if tt.name == "column" {
				src = strings.Replace(src, "{type: numeric}", "{type: numeric, missing_values: [unknown]}", 1)
			}
			s, err := DecodeSpec(strings.NewReader(src))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(s.MissingTokens(), "|"); got != tt.file {
				t.Errorf("MissingTokens() = %q; want %q", got, tt.file)
			}
			if got := strings.Join(s.ColumnMissing("amount"), "|"); got != tt.amount {
				t.Errorf("ColumnMissing(amount) = %q; want %q", got, tt.amount)
			}
		})
	}
}

// TestUnnamed checks which header names are no name, and that a declared
// one keeps the role the spec gives it.
func TestUnnamed(t *testing.T) {
	s, err := DecodeSpec(strings.NewReader(minimalSpec + "drop_columns: ['Unnamed: 1']\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		unnamed bool
		role    Role
	}{
		{"", true, RoleUnnamed},
		{"Unnamed: 0", true, RoleUnnamed},
		{"Unnamed: 1", true, RoleDrop},
		{"Unnamed: x", false, RoleUndeclared},
		{"Unnamed: ", false, RoleUndeclared},
		{"unnamed: 0", false, RoleUndeclared},
		{"amount", false, RoleFeature},
	}
	for _, tt := range tests {
		if got := IsUnnamed(tt.name); got != tt.unnamed {
			t.Errorf("IsUnnamed(%q) = %v; want %v", tt.name, got, tt.unnamed)
		}
		if got := s.RoleOf(tt.name); got != tt.role {
			t.Errorf("RoleOf(%q) = %v; want %v", tt.name, got, tt.role)
		}
	}
}

func TestCheckHeader(t *testing.T) {
	s, err := DecodeSpec(strings.NewReader(minimalSpec))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CheckHeader("f.csv", []string{"status", "issued", "amount", "rate", "grade"}); err != nil {
		t.Errorf("full header: %v", err)
	}
	err = s.CheckHeader("f.csv", []string{"status", "issued", "amount"})
	if err == nil || !strings.Contains(err.Error(), `"grade"`) || !strings.Contains(err.Error(), `"rate"`) || !strings.Contains(err.Error(), "f.csv") {
		t.Errorf("missing columns: error %v should name f.csv, rate and grade", err)
	}
}

func TestSpecReasons(t *testing.T) {
	const ok = "reasons:\n  amount: {code: AMT, statement: Amount requested, high: {code: AMT_HIGH, statement: Amount requested is too high}, missing: {code: AMT_NI, statement: No amount given}}\n"
	tests := []struct {
		name, reasons, want string // want "" for a valid spec
	}{
		{"valid", ok, ""},
		{"shared code, same statement", ok + "  rate: {code: AMT, statement: Amount requested, missing: {code: RATE_NI, statement: No rate given}}\n", ""},
		{"ordinal low", "reasons:\n  grade: {code: G, statement: Grade, low: {code: G_LOW, statement: Grade too low}, missing: {code: G_NI, statement: No grade}}\n", ""},
		{"undeclared field", "reasons:\n  colour: {code: C, statement: Colour, missing: {code: C_NI, statement: No colour}}\n", "reasons.colour: names no feature column (its role is undeclared)"},
		{"target", "reasons:\n  status: {code: S, statement: Status, missing: {code: S_NI, statement: No status}}\n", "reasons.status: names no feature column"},
		{"date", "reasons:\n  issued: {code: D, statement: Date, missing: {code: D_NI, statement: No date}}\n", "reasons.issued: names no feature column (its role is date)"},
		{"no code", "reasons:\n  amount: {statement: Amount, missing: {code: A_NI, statement: No amount}}\n", "reasons.amount: code \"\""},
		{"no missing", "reasons:\n  amount: {code: A, statement: Amount}\n", "reasons.amount.missing: code \"\""},
		{"bad code", "reasons:\n  amount: {code: _A, statement: Amount, missing: {code: A_NI, statement: No amount}}\n", "starting with a letter or digit"},
		{"code with a blank", "reasons:\n  amount: {code: A B, statement: Amount, missing: {code: A_NI, statement: No amount}}\n", "code \"A B\""},
		{"long code", "reasons:\n  amount: {code: " + strings.Repeat("A", 41) + ", statement: Amount, missing: {code: A_NI, statement: No amount}}\n", "want 1 to 40 characters"},
		{"empty statement", "reasons:\n  amount: {code: A, statement: '', missing: {code: A_NI, statement: No amount}}\n", "reasons.amount: statement"},
		{"control character", "reasons:\n  amount: {code: A, statement: \"Amount\\u0007\", missing: {code: A_NI, statement: No amount}}\n", "control characters"},
		{"long statement", "reasons:\n  amount: {code: A, statement: " + strings.Repeat("a", 201) + ", missing: {code: A_NI, statement: No amount}}\n", "want 1 to 200 bytes"},
		{"one code, two statements", ok + "  rate: {code: AMT_HIGH, statement: Rate too high, missing: {code: RATE_NI, statement: No rate}}\n", "reasons.rate.code: \"AMT_HIGH\" stands for \"Amount requested is too high\""},
		{"direction of a category", "  home: {type: categorical}\nreasons:\n  home: {code: H, statement: Home, high: {code: H_HIGH, statement: Home too high}, missing: {code: H_NI, statement: No home}}\n", "reasons.home.high: a categorical field's levels have no direction"},
		{"unknown key", "reasons:\n  amount: {code: A, statement: Amount, missing: {code: A_NI, statement: No amount}, up: {code: U, statement: Up}}\n", "reasons.amount.up: unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// minimalSpec ends inside no mapping: a leading column line
			// goes under a columns key of its own.
			spec := minimalSpec + tt.reasons
			if col, rest, ok := strings.Cut(tt.reasons, "\nreasons:"); ok && col != "" {
				spec = strings.Replace(minimalSpec, "leakage_columns", col+"\nleakage_columns", 1) + "reasons:" + rest
			}
			s, err := DecodeSpec(strings.NewReader(spec))
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v; want a valid spec", err)
				}
				if len(s.Reasons) == 0 {
					t.Fatal("got no reasons")
				}
				return
			}
			if err == nil || !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v; want one containing %q", err, tt.want)
			}
		})
	}
}
