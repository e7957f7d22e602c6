package clean

import (
	"slices"
	"testing"
)

// TestRecords: the raw records Records yields are the cleaned table's
// rows, in its order, with its labels and dates; the excluded and undated
// rows are left out.
func TestRecords(t *testing.T) {
	spec := decodeSpec(t, testSpec)
	raw := writeRaw(t, tinyCSV())
	res, err := Analyze(t.Context(), spec, Options{RawDir: raw})
	if err != nil {
		t.Fatal(err)
	}
	labels := res.Table.Col(spec.Target.Column).Num
	dates := res.Table.Col(spec.Date.Column).Num
	n := 0
	err = Records(t.Context(), spec, raw, func(r *Record) error {
		if r.Row != n {
			t.Errorf("record %d has row %d", n, r.Row)
		}
		if r.Row < len(labels) && (r.Label != labels[r.Row] || r.Date != dates[r.Row]) {
			t.Errorf("row %d: label %v, date %v; the cleaned table has %v, %v", r.Row, r.Label, r.Date, labels[r.Row], dates[r.Row])
		}
		if i := slices.Index(r.Header, spec.Target.Column); i < 0 || len(r.Fields) != len(r.Header) {
			t.Errorf("row %d: header %v, %d fields", r.Row, r.Header, len(r.Fields))
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != res.Table.Rows() {
		t.Errorf("%d records; the cleaned table has %d rows", n, res.Table.Rows())
	}
}
