package parquetfile

import (
	"fmt"
	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/frame"
	"io"
	"math"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

const (
	// rowGroupBytes bounds the input values, in bytes at 8 per value, that
	// go into one row group. The writer holds one row group's encoded pages
	// in memory before it writes them out.
	rowGroupBytes = 32 << 20
	// minRowGroupRows and maxRowGroupRows clamp the rows per row group.
	// 64 Ki rows is in the range that DuckDB (122 880) and Spark use and
	// lets readers split a 1 M-row file across cores.
	minRowGroupRows = 1 << 10
	maxRowGroupRows = 1 << 16
	// batchRows is how many values of one column are converted to Parquet
	// values at a time.
	batchRows = 4096
)

// rowGroupRows returns the number of rows per row group for a frame with
// cols columns.
func rowGroupRows(cols int) int {
	n := rowGroupBytes / (8 * max(cols, 1))
	return min(max(n, minRowGroupRows), maxRowGroupRows)
}

// Write writes f to w as a Parquet file (see the package
// documentation for the schema). Rows go out in row groups of at most 64 Ki
// rows and about 32 MB of values, and only the row group being written is
// held in memory, encoded and compressed.
//
// It returns an error, after writing an unspecified prefix of the file, when
// f is invalid (frame.Frame.Validate), has no columns, holds a date that is not a
// whole number of days or lies outside the INT32 range, or a category level
// that is not valid UTF-8.
func Write(w io.Writer, f *frame.Frame) error {
	if err := writeParquet(w, f); err != nil {
		return fmt.Errorf("frame: write parquet: %w", err)
	}
	return nil
}

func writeParquet(w io.Writer, f *frame.Frame) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if len(f.Columns) == 0 {
		return ErrNoColumns
	}
	if len(f.Columns) > parquet.MaxColumnIndex {
		return fmt.Errorf("%d columns; a parquet file holds at most %d", len(f.Columns), parquet.MaxColumnIndex)
	}
	encs := make([]columnEncoder, len(f.Columns))
	for i, c := range f.Columns {
		enc, err := newColumnEncoder(c, i)
		if err != nil {
			return err
		}
		encs[i] = enc
	}
	// Version 1 data pages are what pyarrow writes by default and what
	// every reader supports.
	pw := parquet.NewGenericWriter[any](w, parquetSchema(f), &parquet.WriterConfig{
		Compression:     &parquet.Snappy,
		DataPageVersion: 1,
	})
	cws := pw.ColumnWriters()
	buf := make([]parquet.Value, 0, batchRows)
	n, step := f.Rows(), rowGroupRows(len(f.Columns))
	for lo := 0; lo < n; lo += step {
		hi := min(lo+step, n)
		for i, enc := range encs {
			for b := lo; b < hi; b += batchRows {
				var err error
				buf, err = enc(buf[:0], b, min(b+batchRows, hi))
				if err != nil {
					return err
				}
				if _, err := cws[i].WriteRowValues(buf); err != nil {
					return fmt.Errorf("column %q: %w", f.Columns[i].Name, err)
				}
			}
		}
		if err := pw.Flush(); err != nil {
			return err
		}
	}
	return pw.Close()
}

// columnEncoder appends the Parquet values of rows [lo, hi) to dst.
type columnEncoder func(dst []parquet.Value, lo, hi int) ([]parquet.Value, error)

func newColumnEncoder(c *frame.Column, col int) (columnEncoder, error) {
	null := parquet.NullValue().Level(0, 0, col)
	switch c.Kind {
	case frame.Numeric:
		return func(dst []parquet.Value, lo, hi int) ([]parquet.Value, error) {
			for _, x := range c.Num[lo:hi] {
				if math.IsNaN(x) {
					dst = append(dst, null)
				} else {
					v := parquet.DoubleValue(x)
					v.SetDefinitionLevel(1)
					v.SetColumnIndex(col)
					dst = append(dst, v)
				}
			}
			return dst, nil
		}, nil
	case frame.Date:
		return func(dst []parquet.Value, lo, hi int) ([]parquet.Value, error) {
			for i, x := range c.Num[lo:hi] {
				switch {
				case math.IsNaN(x):
					dst = append(dst, null)
				case x != math.Trunc(x) || x < math.MinInt32 || x > math.MaxInt32:
					return dst, fmt.Errorf("column %q row %d: %w: date %v is not a whole number of days in the INT32 range",
						c.Name, lo+i, ErrInvalidValue, x)
				default:
					v := parquet.Int32Value(int32(x))
					v.SetDefinitionLevel(1)
					v.SetColumnIndex(col)
					dst = append(dst, v)
				}
			}
			return dst, nil
		}, nil
	case frame.Categorical:
		levels := make([]parquet.Value, len(c.Levels))
		for i, s := range c.Levels {
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("column %q level %d: %w: %q is not valid UTF-8", c.Name, i, ErrInvalidValue, s)
			}
			levels[i] = parquet.ByteArrayValue([]byte(s)).Level(0, 1, col)
		}
		return func(dst []parquet.Value, lo, hi int) ([]parquet.Value, error) {
			for _, code := range c.Codes[lo:hi] {
				if code < 0 {
					dst = append(dst, null)
				} else {
					dst = append(dst, levels[code])
				}
			}
			return dst, nil
		}, nil
	}
	panic("frame: column encoder for unvalidated column")
}

// WriteFile writes f to the file at path with Write,
// atomically: it writes a temporary file in the same directory, syncs it,
// renames it over path and syncs the directory. On any error the temporary
// file is removed and path is left as it was. The file's mode is 0644.
func WriteFile(path string, f *frame.Frame) error {
	err := writeFileAtomic(path, func(w io.Writer) error { return writeParquet(w, f) })
	if err != nil {
		return fmt.Errorf("frame: write parquet %s: %w", path, err)
	}
	return nil
}

// writeFileAtomic writes path through atomicfile.Write: a temporary file
// next to path, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, 0o644, write)
}
