package frame

import (
	"math"
	"strings"
	"testing"
)

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Numeric: "numeric", Categorical: "categorical", Date: "date", 0: "kind(0)", 9: "kind(9)"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

func TestColumn(t *testing.T) {
	num := &Column{Name: "x", Kind: Numeric, Num: []float64{1, math.NaN(), 3}}
	cat := &Column{Name: "c", Kind: Categorical, Codes: []int32{1, -1, 0}, Levels: []string{"a", "b"}}
	tests := []struct {
		col     *Column
		row     int
		missing bool
		str     string
	}{
		{num, 0, false, ""},
		{num, 1, true, ""},
		{cat, 0, false, "b"},
		{cat, 1, true, ""},
		{cat, 2, false, "a"},
	}
	for _, tt := range tests {
		if got := tt.col.IsMissing(tt.row); got != tt.missing {
			t.Errorf("%s.IsMissing(%d) = %v, want %v", tt.col.Name, tt.row, got, tt.missing)
		}
		if got := tt.col.String(tt.row); got != tt.str {
			t.Errorf("%s.String(%d) = %q, want %q", tt.col.Name, tt.row, got, tt.str)
		}
	}
	if num.Len() != 3 || cat.Len() != 3 {
		t.Errorf("Len() = %d, %d; want 3, 3", num.Len(), cat.Len())
	}
	f := &Frame{Columns: []*Column{num, cat}}
	if f.Rows() != 3 || f.Col("c") != cat || f.Col("nope") != nil {
		t.Errorf("Rows() = %d, Col(c) = %v, Col(nope) = %v", f.Rows(), f.Col("c"), f.Col("nope"))
	}
	if (&Frame{}).Rows() != 0 {
		t.Error("an empty frame has rows")
	}
}

func TestValidate(t *testing.T) {
	num := func(name string, n int) *Column { return &Column{Name: name, Kind: Numeric, Num: make([]float64, n)} }
	tests := []struct {
		name    string
		cols    []*Column
		wantErr string
	}{
		{"valid", []*Column{num("a", 2), {Name: "c", Kind: Categorical, Codes: []int32{0, -1}, Levels: []string{"x"}}, {Name: "d", Kind: Date, Num: []float64{1, 2}}}, ""},
		{"no columns", nil, ""},
		{"empty name", []*Column{num("", 2)}, "empty name"},
		{"duplicate", []*Column{num("a", 2), num("a", 2)}, `duplicate column "a"`},
		{"lengths differ", []*Column{num("a", 2), num("b", 3)}, `column "b" has 3 rows; want 2`},
		{"code too large", []*Column{{Name: "c", Kind: Categorical, Codes: []int32{1}, Levels: []string{"x"}}}, `column "c" row 0: code 1 out of range`},
		{"code below -1", []*Column{{Name: "c", Kind: Categorical, Codes: []int32{-2}, Levels: []string{"x"}}}, "code -2 out of range"},
		{"unknown kind", []*Column{{Name: "k", Kind: 7}}, `column "k": unknown kind 7`},
	}
	for _, tt := range tests {
		err := (&Frame{Columns: tt.cols}).Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want one with %q", tt.name, err, tt.wantErr)
		}
	}
}
