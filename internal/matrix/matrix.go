// Package matrix holds the dense feature matrix that every learner trains on
// and predicts from.
//
// Values are stored row-major as float64. A missing value is NaN; learners
// decide how to treat it (trees learn a default direction, the linear model
// imputes and adds an indicator).
package matrix

import "fmt"

// Dense is a row-major matrix of Rows×Cols values. Row i occupies
// Data[i*Cols : (i+1)*Cols]. NaN marks a missing value.
type Dense struct {
	Rows int
	Cols int
	Data []float64
}

// New returns a zero-filled Rows×Cols matrix.
func New(rows, cols int) *Dense {
	if rows < 0 || cols < 0 {
		panic(fmt.Sprintf("matrix: negative dimension %d×%d", rows, cols))
	}
	return &Dense{Rows: rows, Cols: cols, Data: make([]float64, rows*cols)}
}

// FromRows copies equally long rows into a new matrix. It panics when the rows
// differ in length, which is a programmer error.
func FromRows(rows [][]float64) *Dense {
	if len(rows) == 0 {
		return &Dense{}
	}
	m := New(len(rows), len(rows[0]))
	for i, r := range rows {
		if len(r) != m.Cols {
			panic(fmt.Sprintf("matrix: row %d has %d values; want %d", i, len(r), m.Cols))
		}
		copy(m.Row(i), r)
	}
	return m
}

// Row returns row i as a slice that aliases the matrix storage.
func (m *Dense) Row(i int) []float64 {
	return m.Data[i*m.Cols : (i+1)*m.Cols : (i+1)*m.Cols]
}

// At returns the value at row i, column j.
func (m *Dense) At(i, j int) float64 { return m.Data[i*m.Cols+j] }

// Set stores v at row i, column j.
func (m *Dense) Set(i, j int, v float64) { m.Data[i*m.Cols+j] = v }

// Column copies column j into dst (grown as needed) and returns it.
func (m *Dense) Column(dst []float64, j int) []float64 {
	dst = dst[:0]
	for i := 0; i < m.Rows; i++ {
		dst = append(dst, m.Data[i*m.Cols+j])
	}
	return dst
}

// SelectRows returns a new matrix holding the given rows in the given order.
func (m *Dense) SelectRows(idx []int) *Dense {
	out := New(len(idx), m.Cols)
	for k, i := range idx {
		copy(out.Row(k), m.Row(i))
	}
	return out
}
