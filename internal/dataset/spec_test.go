package dataset

import (
	"errors"
	"strings"
	"testing"
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
		{"unknown nested key", strings.Replace(minimalSpec, "{type: numeric}", "{type: numeric, typo: 1}", 1), "typo"},
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
		{"two documents", minimalSpec + "---\nname: y\n", "more than one"},
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
