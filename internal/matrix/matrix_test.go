package matrix

import (
	"math"
	"slices"
	"testing"
)

func TestDense(t *testing.T) {
	m := FromRows([][]float64{{1, 2, 3}, {4, math.NaN(), 6}})
	if m.Rows != 2 || m.Cols != 3 || len(m.Data) != 6 {
		t.Fatalf("FromRows: %d×%d with %d values", m.Rows, m.Cols, len(m.Data))
	}
	if m.At(0, 2) != 3 || !math.IsNaN(m.At(1, 1)) {
		t.Errorf("At: %v, %v", m.At(0, 2), m.At(1, 1))
	}
	m.Set(1, 1, 5)
	if !slices.Equal(m.Row(1), []float64{4, 5, 6}) {
		t.Errorf("Row(1) = %v after Set", m.Row(1))
	}
	row := m.Row(0)
	if cap(row) != 3 {
		t.Errorf("Row's capacity %d lets an append overwrite the next row", cap(row))
	}
	row[0] = 10
	if m.At(0, 0) != 10 {
		t.Error("Row does not alias the matrix")
	}
	buf := make([]float64, 0, 8)
	if got := m.Column(buf, 2); !slices.Equal(got, []float64{3, 6}) {
		t.Errorf("Column(2) = %v", got)
	}
	sel := m.SelectRows([]int{1, 0, 1})
	want := []float64{4, 5, 6, 10, 2, 3, 4, 5, 6}
	if sel.Rows != 3 || !slices.Equal(sel.Data, want) {
		t.Errorf("SelectRows = %v, want %v", sel.Data, want)
	}
	sel.Set(0, 0, -1)
	if m.At(1, 0) != 4 {
		t.Error("SelectRows shares storage with the source")
	}
	if e := FromRows(nil); e.Rows != 0 || e.Cols != 0 {
		t.Errorf("FromRows(nil) = %d×%d", e.Rows, e.Cols)
	}
	if z := New(2, 0); z.Rows != 2 || len(z.Data) != 0 {
		t.Errorf("New(2, 0) = %+v", z)
	}
}

func TestPanics(t *testing.T) {
	tests := map[string]func(){
		"negative dimension": func() { New(-1, 2) },
		"ragged rows":        func() { FromRows([][]float64{{1, 2}, {3}}) },
	}
	for name, f := range tests {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}
