package frame

import (
	"fmt"
	"math"
)

// Kind is the type of a column.
type Kind uint8

// Column kinds.
const (
	Numeric     Kind = iota + 1 // float64, NaN = missing
	Categorical                 // int32 codes into Levels, -1 = missing
	Date                        // float64 days since 1970-01-01 UTC, NaN = missing
)

// String returns the kind's name as used in metadata files.
func (k Kind) String() string {
	switch k {
	case Numeric:
		return "numeric"
	case Categorical:
		return "categorical"
	case Date:
		return "date"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Column is one named, typed column. Exactly one of Num (Numeric, Date) or
// Codes (Categorical) is used.
type Column struct {
	Name   string
	Kind   Kind
	Num    []float64
	Codes  []int32
	Levels []string
}

// Len returns the number of values in the column.
func (c *Column) Len() int {
	if c.Kind == Categorical {
		return len(c.Codes)
	}
	return len(c.Num)
}

// IsMissing reports whether row i is missing.
func (c *Column) IsMissing(i int) bool {
	if c.Kind == Categorical {
		return c.Codes[i] < 0
	}
	return math.IsNaN(c.Num[i])
}

// String returns the category of row i, or "" when it is missing or the
// column is not categorical.
func (c *Column) String(i int) string {
	if c.Kind != Categorical || c.Codes[i] < 0 {
		return ""
	}
	return c.Levels[c.Codes[i]]
}

// Frame is a table of equally long columns.
type Frame struct {
	Columns []*Column
}

// Rows returns the number of rows, 0 for a frame without columns.
func (f *Frame) Rows() int {
	if len(f.Columns) == 0 {
		return 0
	}
	return f.Columns[0].Len()
}

// Col returns the column with the given name, or nil.
func (f *Frame) Col(name string) *Column {
	for _, c := range f.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Validate checks that column names are unique and non-empty, kinds are
// known, lengths agree and categorical codes are in range.
func (f *Frame) Validate() error {
	seen := make(map[string]bool, len(f.Columns))
	n := f.Rows()
	for _, c := range f.Columns {
		if c.Name == "" {
			return fmt.Errorf("frame: column with empty name")
		}
		if seen[c.Name] {
			return fmt.Errorf("frame: duplicate column %q", c.Name)
		}
		seen[c.Name] = true
		switch c.Kind {
		case Numeric, Date:
		case Categorical:
			for i, code := range c.Codes {
				if code < -1 || int(code) >= len(c.Levels) {
					return fmt.Errorf("frame: column %q row %d: code %d out of range", c.Name, i, code)
				}
			}
		default:
			return fmt.Errorf("frame: column %q: unknown kind %d", c.Name, c.Kind)
		}
		if c.Len() != n {
			return fmt.Errorf("frame: column %q has %d rows; want %d", c.Name, c.Len(), n)
		}
	}
	return nil
}
