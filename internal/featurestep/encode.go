package featurestep

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// RowsFromFrame calls fn with each row of a cleaned table (as written by the
// clean step: one column per input, plus indicator columns for inputs with
// Indicator set and special-value columns for inputs with special values).
// The Row is reused between calls.
func RowsFromFrame(p *features.Pipeline, f *frame.Frame, fn func(i int, row *features.Row) error) error {
	cols := make([]*frame.Column, len(p.Inputs))
	ind := make([]*frame.Column, len(p.Inputs))
	special := make([]*frame.Column, len(p.Inputs))
	for i := range p.Inputs {
		in := &p.Inputs[i]
		c := f.Col(in.Name)
		if c == nil {
			return fmt.Errorf("cleaned table has no column %q", in.Name)
		}
		if in.IsText() != (c.Kind == frame.Categorical) {
			return fmt.Errorf("cleaned table column %q is %s; the pipeline wants %s", in.Name, c.Kind, in.Kind)
		}
		cols[i] = c
		if in.Indicator {
			if ind[i] = f.Col(features.IndicatorColumn(in.Name)); ind[i] == nil {
				return fmt.Errorf("cleaned table has no column %q", features.IndicatorColumn(in.Name))
			}
		}
		if len(in.Special) > 0 {
			if special[i] = f.Col(features.SpecialColumn(in.Name)); special[i] == nil {
				return fmt.Errorf("cleaned table has no column %q", features.SpecialColumn(in.Name))
			}
		}
	}
	row := p.NewRow()
	for r := 0; r < f.Rows(); r++ {
		for i, c := range cols {
			if c.Kind == frame.Categorical {
				row.Level[i] = c.String(r)
				row.Num[i] = math.NaN()
				row.Missing[i] = c.Codes[r] < 0
			} else {
				row.Num[i] = c.Num[r]
				row.Missing[i] = math.IsNaN(c.Num[r])
			}
			if ind[i] != nil {
				row.Missing[i] = ind[i].Num[r] == 1
			}
			if special[i] != nil {
				row.Special[i] = int(special[i].Num[r])
				row.Missing[i] = row.Missing[i] || row.Special[i] > 0
			}
		}
		if err := fn(r, row); err != nil {
			return err
		}
	}
	return nil
}

// EncodeFrame encodes every row of a cleaned table into a new matrix.
func EncodeFrame(p *features.Pipeline, f *frame.Frame) (*matrix.Dense, error) {
	m := matrix.New(f.Rows(), len(p.Features))
	err := RowsFromFrame(p, f, func(i int, row *features.Row) error {
		p.Encode(row, m.Row(i))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}
