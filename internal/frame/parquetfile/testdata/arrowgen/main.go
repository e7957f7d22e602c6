// Command arrowgen writes the Parquet fixtures in the parent directory with
// the Apache Arrow Go implementation (the C++ library behind pyarrow has the
// same writer defaults), and checks a Parquet file by reading it with that
// implementation.
//
// It needs a module outside this repository:
//
//	dir=$(mktemp -d) && cp main.go "$dir" && cd "$dir"
//	go mod init arrowgen && go get github.com/apache/arrow-go/v18@v18.8.0
//	go run . gen OUTDIR       # writes the fixtures
//	go run . check FILE       # prints rows, columns, types and checksums
//
// The rows follow the formulas in row() so tests can recompute every value.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

const rows = 300

var levels = []string{"alpha", "βeta", "", "gamma"}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: arrowgen gen OUTDIR | check FILE")
	}
	switch os.Args[1] {
	case "gen":
		gen(os.Args[2])
	case "check":
		check(os.Args[2])
	default:
		log.Fatalf("unknown command %q", os.Args[1])
	}
}

func gen(dir string) {
	mem := memory.DefaultAllocator
	nullable := []arrow.Field{
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
		{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "none", Type: arrow.Null, Nullable: true},
	}
	sc := arrow.NewSchema(nullable, nil)
	b := array.NewRecordBuilder(mem, sc)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.Float64Builder).AppendValues([]float64{float64(i) * 0.5}, []bool{i%7 != 0})
		b.Field(1).(*array.Float32Builder).AppendValues([]float32{float32(i) / 4}, []bool{i%5 != 0})
		b.Field(2).(*array.Int32Builder).Append(int32(i - 150))
		b.Field(3).(*array.Int64Builder).AppendValues([]int64{int64(i) * 1_000_000_000_000}, []bool{i%11 != 0})
		b.Field(4).(*array.Uint32Builder).Append(4_000_000_000 + uint32(i))
		b.Field(5).(*array.Uint64Builder).Append(1<<63 + uint64(i)*1024)
		b.Field(6).(*array.Int8Builder).Append(int8(i%100 - 50))
		b.Field(7).(*array.Uint8Builder).Append(uint8(i % 256))
		b.Field(8).(*array.BooleanBuilder).AppendValues([]bool{i%3 == 0}, []bool{i%4 != 0})
		b.Field(9).(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32(18000 + i)}, []bool{i%9 != 0})
		b.Field(10).(*array.StringBuilder).AppendValues([]string{levels[i%4]}, []bool{i%6 != 0})
		b.Field(11).(*array.NullBuilder).AppendNull()
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	tbl := array.NewTableFromRecords(sc, []arrow.RecordBatch{rec})
	defer tbl.Release()

	// pyarrow's defaults: snappy, dictionary encoding, data page V1.
	write(filepath.Join(dir, "arrow_types.parquet"), tbl, 128,
		parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy)))
	// Data page V2, zstd, no dictionary, format 2.6.
	write(filepath.Join(dir, "arrow_v2.parquet"), tbl, 1000,
		parquet.NewWriterProperties(
			parquet.WithCompression(compress.Codecs.Zstd),
			parquet.WithDataPageVersion(parquet.DataPageV2),
			parquet.WithDictionaryDefault(false),
			parquet.WithVersion(parquet.V2_LATEST)))

	// Required (non-nullable) columns.
	req := arrow.NewSchema([]arrow.Field{
		{Name: "x", Type: arrow.PrimitiveTypes.Float64},
		{Name: "name", Type: arrow.BinaryTypes.String},
	}, nil)
	rb := array.NewRecordBuilder(mem, req)
	defer rb.Release()
	for i := range rows {
		rb.Field(0).(*array.Float64Builder).Append(math.Sqrt(float64(i)))
		rb.Field(1).(*array.StringBuilder).Append(levels[(i*7)%4])
	}
	rrec := rb.NewRecordBatch()
	defer rrec.Release()
	rtbl := array.NewTableFromRecords(req, []arrow.RecordBatch{rrec})
	defer rtbl.Release()
	write(filepath.Join(dir, "arrow_required.parquet"), rtbl, 100,
		parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy)))

	// One file per unsupported type, each with a supported column first.
	unsupported := []struct {
		name string
		typ  arrow.DataType
		add  func(array.Builder)
	}{
		{"timestamp", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
			func(b array.Builder) { b.(*array.TimestampBuilder).Append(1_600_000_000_000_000) }},
		{"decimal", &arrow.Decimal128Type{Precision: 10, Scale: 2},
			func(b array.Builder) { b.(*array.Decimal128Builder).Append(decimal128.FromI64(12345)) }},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int64),
			func(b array.Builder) {
				lb := b.(*array.ListBuilder)
				lb.Append(true)
				lb.ValueBuilder().(*array.Int64Builder).Append(7)
			}},
		{"binary", arrow.BinaryTypes.Binary,
			func(b array.Builder) { b.(*array.BinaryBuilder).Append([]byte{0, 1, 2}) }},
	}
	for _, u := range unsupported {
		us := arrow.NewSchema([]arrow.Field{
			{Name: "ok", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
			{Name: "bad", Type: u.typ, Nullable: true},
		}, nil)
		ub := array.NewRecordBuilder(mem, us)
		ub.Field(0).(*array.Float64Builder).Append(1)
		u.add(ub.Field(1))
		urec := ub.NewRecordBatch()
		utbl := array.NewTableFromRecords(us, []arrow.RecordBatch{urec})
		write(filepath.Join(dir, "arrow_"+u.name+".parquet"), utbl, 100,
			parquet.NewWriterProperties(parquet.WithCompression(compress.Codecs.Snappy)))
		utbl.Release()
		urec.Release()
		ub.Release()
	}
}

func write(path string, tbl arrow.Table, rowGroup int64, props *parquet.WriterProperties) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	// WriteTable closes f.
	if err := pqarrow.WriteTable(tbl, f, rowGroup, props, pqarrow.DefaultWriterProps()); err != nil {
		log.Fatal(err)
	}
}

// check reads path and prints, per column, its Arrow type, null count and
// a checksum: the sum over present rows i of value·(i mod 7 + 1), with a
// string's value being its FNV-1a 32-bit hash mod 1000 and a date's its
// days since the epoch.
func check(path string) {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	tbl, err := pqarrow.ReadTable(context.Background(), f, nil, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		log.Fatal(err)
	}
	defer tbl.Release()
	fmt.Printf("rows %d\n", tbl.NumRows())
	for c := 0; c < int(tbl.NumCols()); c++ {
		col := tbl.Column(c)
		var sum float64
		var nulls, row int
		for _, chunk := range col.Data().Chunks() {
			for i := 0; i < chunk.Len(); i, row = i+1, row+1 {
				if chunk.IsNull(i) {
					nulls++
					continue
				}
				w := float64(row%7 + 1)
				switch a := chunk.(type) {
				case *array.Float64:
					sum += a.Value(i) * w
				case *array.Date32:
					sum += float64(a.Value(i)) * w
				case *array.String:
					h := fnv.New32a()
					h.Write([]byte(a.Value(i)))
					sum += float64(h.Sum32()%1000) * w
				default:
					log.Fatalf("column %s: unexpected array %T", col.Name(), chunk)
				}
			}
		}
		fmt.Printf("%s %s nulls=%d sum=%.6g\n", col.Name(), col.DataType(), nulls, sum)
	}
}
