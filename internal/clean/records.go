package clean

import (
	"context"
	"fmt"
	"slices"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
)

// Record is a raw row that the cleaned table keeps.
type Record struct {
	// Row is the row's index in the cleaned table.
	Row int
	// Label is its target (1 bad, 0 good) and Date its application date
	// (days since 1970-01-01; 0 without a date column).
	Label, Date float64
	// Header names the fields of Fields, as its file's header does.
	Header []string
	// Fields is the raw record.
	Fields []string
}

// Records streams the raw files of spec in rawDir in the order Run reads
// them and calls fn with every row the cleaned table keeps (a final
// outcome and, when the spec has a date, a date), so that a model with
// another feature pipeline can score the same loans from their raw text.
// Fields is reused between calls; Header is shared by a file's rows.
func Records(ctx context.Context, spec *dataset.Spec, rawDir string, fn func(r *Record) error) error {
	sources, err := dataset.FindSources(rawDir, spec.Files)
	if err != nil {
		return err
	}
	st := newState(spec)
	rec := &Record{}
	for _, src := range sources {
		var target, date int
		rec.Header = nil
		err := dataset.ForEach(ctx, []dataset.Source{src}, spec, func(r *dataset.Reader, fields []string) error {
			if rec.Header == nil {
				rec.Header = slices.Clone(r.Header())
				target = slices.Index(rec.Header, spec.Target.Column)
				date = -1
				if st.dateInput != nil {
					date = slices.Index(rec.Header, spec.Date.Column)
				}
			}
			y, ok, err := st.label(fields[target])
			if err != nil {
				return &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: spec.Target.Column, Field: target + 1, Err: err}
			}
			if !ok {
				return nil
			}
			rec.Label, rec.Date = y, 0
			if date >= 0 {
				p, _, fe := st.dateInput.Parse(features.RawString(fields[date]), true)
				if fe != nil {
					return &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: spec.Date.Column, Field: date + 1, Err: fe}
				}
				if p.Missing {
					return nil
				}
				rec.Date = p.Num
			}
			rec.Fields = fields
			err = fn(rec)
			rec.Row++
			return err
		})
		if err != nil {
			return fmt.Errorf("raw records: %w", err)
		}
	}
	return nil
}
