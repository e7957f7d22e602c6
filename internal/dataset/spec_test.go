package dataset

import (
	"errors"
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
