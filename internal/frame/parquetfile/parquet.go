package parquetfile

import (
	"errors"
	"github.com/credit-risk/credit-risk/internal/frame"
	"reflect"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// Errors returned by the Parquet readers and writers, wrapped with the column
// and row they concern.
var (
	// ErrNoColumns is returned when writing a frame without columns.
	ErrNoColumns = errors.New("frame has no columns")
	// ErrInvalidValue is returned when a value cannot be stored in its
	// Parquet column: a date that is not a whole number of days or lies
	// outside the INT32 range, or a category level that is not UTF-8.
	ErrInvalidValue = errors.New("value cannot be stored")
	// ErrUnsupportedType is returned when a Parquet column has a type that no
	// column kind can hold, such as TIMESTAMP, DECIMAL or a nested group.
	ErrUnsupportedType = errors.New("unsupported parquet column type")
	// ErrColumnNotFound is returned when a requested column is not in the file.
	ErrColumnNotFound = errors.New("column not found")
	// ErrCorrupt is returned when a file's metadata or pages contradict each
	// other or cannot be decoded.
	ErrCorrupt = errors.New("corrupt parquet file")
)

// parquetSchema returns the Parquet schema of f: one optional leaf per column,
// in column order.
func parquetSchema(f *frame.Frame) *parquet.Schema {
	fields := make(group, len(f.Columns))
	for i, c := range f.Columns {
		var leaf parquet.Node
		switch c.Kind {
		case frame.Numeric:
			leaf = parquet.Leaf(parquet.DoubleType)
		case frame.Date:
			leaf = parquet.Date()
		case frame.Categorical:
			leaf = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
		default:
			panic("frame: parquet schema of unvalidated frame")
		}
		fields[i] = field{Node: parquet.Optional(leaf), name: c.Name}
	}
	return parquet.NewSchema("frame", fields)
}

// group is a Parquet group whose fields keep the order they were given in.
// parquet.Group is a map and would sort the columns by name.
type group []parquet.Field

func (g group) ID() int                     { return 0 }
func (g group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g group) Optional() bool              { return false }
func (g group) Repeated() bool              { return false }
func (g group) Required() bool              { return true }
func (g group) Leaf() bool                  { return false }
func (g group) Fields() []parquet.Field     { return g }
func (g group) Encoding() encoding.Encoding { return nil }
func (g group) Compression() compress.Codec { return nil }
func (g group) GoType() reflect.Type        { return reflect.TypeFor[struct{}]() }
func (g group) String() string {
	var b strings.Builder
	b.WriteString("group {")
	for _, f := range g {
		b.WriteString(" ")
		b.WriteString(f.Name())
		b.WriteString(": ")
		b.WriteString(f.String())
		b.WriteString(";")
	}
	b.WriteString(" }")
	return b.String()
}

// field names a node inside a group. Frames are written column by column, so
// the reflection-based Value accessor is never used.
type field struct {
	parquet.Node
	name string
}

func (f field) Name() string                      { return f.name }
func (f field) Value(reflect.Value) reflect.Value { return reflect.Value{} }
