package parquetfile

import (
	"encoding/binary"
	"fmt"
	"github.com/credit-risk/credit-risk/internal/frame"
	"io"
	"math"
	"os"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"
)

// readBufferSize is the buffer through which column chunks are read.
const readBufferSize = 256 << 10

// Read reads the Parquet file of size bytes in r into a new frame.Frame,
// with one column per top-level field, in file order:
//
//	DOUBLE, FLOAT, INT32, INT64 (signed or unsigned) → frame.Numeric
//	BOOLEAN                                         → frame.Numeric, false 0, true 1
//	INT32 DATE                                      → frame.Date
//	BYTE_ARRAY STRING or ENUM                       → frame.Categorical
//	INT32 UNKNOWN (a column of nulls only)          → frame.Numeric, all missing
//
// Nulls become missing values. INT64 values beyond ±2⁵³ lose precision in
// the conversion to float64. The levels of a categorical column are the
// distinct strings in order of first appearance in the file; unused levels
// of the frame that was written are not kept. Any other column type, such as
// TIMESTAMP, DECIMAL or a nested or repeated field, gives an error wrapping
// ErrUnsupportedType that names the column and its type.
//
// A truncated or corrupt file gives an error, never a panic. Before a column
// chunk is decoded, its page headers, the run lengths of its levels and
// dictionary indexes, and the value counts of delta encodings are checked
// against the chunk's bytes and the row group's rows (errors wrap
// ErrCorrupt), which keeps a forged count from making the decoder allocate
// gigabytes. A page is at most 1 GiB uncompressed; with codecs other than
// Snappy its true size is known only after decompression.
func Read(r io.ReaderAt, size int64) (*frame.Frame, error) {
	f, err := readParquet(r, size, nil, true)
	if err != nil {
		return nil, fmt.Errorf("frame: read parquet: %w", err)
	}
	return f, nil
}

// ReadFile reads the Parquet file at path with Read.
func ReadFile(path string) (*frame.Frame, error) {
	f, err := readParquetFile(path, nil, true)
	if err != nil {
		return nil, fmt.Errorf("frame: read parquet %s: %w", path, err)
	}
	return f, nil
}

// ReadColumns reads only the named columns of the Parquet file at
// path, in the order of names, converting them as Read does. Other
// columns are not read, and their types do not matter. A name that is not
// in the file gives an error wrapping ErrColumnNotFound; a name given twice
// is an error too.
func ReadColumns(path string, names []string) (*frame.Frame, error) {
	f, err := readParquetFile(path, names, false)
	if err != nil {
		return nil, fmt.Errorf("frame: read parquet %s: %w", path, err)
	}
	return f, nil
}

func readParquetFile(path string, names []string, all bool) (*frame.Frame, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	return readParquet(file, info.Size(), names, all)
}

// readParquet reads the named columns, or all of them when all is set.
//
// The Parquet decoder assumes well-formed input in places and can panic on
// a corrupt file; such a panic is turned into an error wrapping ErrCorrupt.
func readParquet(r io.ReaderAt, size int64, names []string, all bool) (f *frame.Frame, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, fmt.Errorf("%w: %v", ErrCorrupt, p)
		}
	}()
	if err := checkFooter(r, size); err != nil {
		return nil, err
	}
	pf, err := parquet.OpenFile(r, size,
		parquet.SkipPageIndex(true),
		parquet.SkipBloomFilters(true),
		parquet.ReadBufferSize(readBufferSize),
	)
	if err != nil {
		return nil, err
	}
	elems, err := topLevelFields(pf.Metadata().Schema)
	if err != nil {
		return nil, err
	}
	cols := pf.Root().Columns()
	if len(cols) != len(elems) {
		return nil, fmt.Errorf("%w: schema has %d top-level fields but the file has %d columns", ErrCorrupt, len(elems), len(cols))
	}
	idx, err := selectColumns(elems, names, all)
	if err != nil {
		return nil, err
	}
	nrows := pf.NumRows()
	var sum int64
	for _, rg := range pf.RowGroups() {
		n := rg.NumRows()
		if n < 0 || sum > math.MaxInt64-n {
			return nil, fmt.Errorf("%w: row group with %d rows", ErrCorrupt, n)
		}
		sum += n
	}
	if sum != nrows {
		return nil, fmt.Errorf("%w: row groups hold %d rows; footer says %d", ErrCorrupt, sum, nrows)
	}
	// A corrupt footer can claim any number of rows, so the up-front
	// allocation is bounded by what the file could plausibly hold; slices
	// grow past it when a file really is that dense.
	capHint := int(min(nrows, 64*size+4096))
	f = &frame.Frame{Columns: make([]*frame.Column, 0, len(idx))}
	guard := &chunkGuard{}
	for _, i := range idx {
		name := elems[i].Name
		t, err := columnTypeOf(&elems[i])
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		c, err := readColumn(r, size, pf, guard, cols[i], t, capHint)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", name, err)
		}
		c.Name = name
		f.Columns = append(f.Columns, c)
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return f, nil
}

// checkFooter checks the trailing magic, the footer length and the
// footer's Thrift lengths before the file is opened, so that a corrupt
// length cannot make the decoder allocate more than the file holds.
func checkFooter(r io.ReaderAt, size int64) error {
	if size < 12 {
		return fmt.Errorf("%w: %d bytes is too short for a parquet file", ErrCorrupt, size)
	}
	var tail [8]byte
	if err := readFull(r, tail[:], size-8); err != nil {
		return err
	}
	if string(tail[4:]) != "PAR1" {
		return fmt.Errorf("%w: trailing magic %q; want \"PAR1\"", ErrCorrupt, tail[4:])
	}
	n := int64(binary.LittleEndian.Uint32(tail[:4]))
	if n > size-12 {
		return fmt.Errorf("%w: footer of %d bytes in a file of %d bytes", ErrCorrupt, n, size)
	}
	footer := make([]byte, n)
	if err := readFull(r, footer, size-8-n); err != nil {
		return err
	}
	if err := checkThrift(footer); err != nil {
		return fmt.Errorf("%w: footer: %w", ErrCorrupt, err)
	}
	return nil
}

// readFull reads len(b) bytes at off, failing when fewer are there.
func readFull(r io.ReaderAt, b []byte, off int64) error {
	n, err := r.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// topLevelFields returns the schema elements of the root's children, in
// order, skipping the elements nested below them.
func topLevelFields(schema []format.SchemaElement) ([]format.SchemaElement, error) {
	if len(schema) == 0 {
		return nil, fmt.Errorf("%w: empty schema", ErrCorrupt)
	}
	n := int(schema[0].NumChildren.V)
	if n < 0 || n >= len(schema) {
		return nil, fmt.Errorf("%w: root has %d children in a schema of %d elements", ErrCorrupt, n, len(schema))
	}
	fields := make([]format.SchemaElement, 0, n)
	i := 1
	for range n {
		if i >= len(schema) {
			return nil, fmt.Errorf("%w: schema ends inside the root group", ErrCorrupt)
		}
		fields = append(fields, schema[i])
		// Skip the subtree rooted at schema[i]: pending counts the
		// elements still to visit.
		for pending := 1; pending > 0; i++ {
			if i >= len(schema) {
				return nil, fmt.Errorf("%w: schema ends inside group %q", ErrCorrupt, fields[len(fields)-1].Name)
			}
			k := int(schema[i].NumChildren.V)
			if k < 0 || k > len(schema) {
				return nil, fmt.Errorf("%w: element %q has %d children", ErrCorrupt, schema[i].Name, k)
			}
			pending += k - 1
		}
	}
	return fields, nil
}

// selectColumns returns the indexes into fields of the requested names.
func selectColumns(fields []format.SchemaElement, names []string, all bool) ([]int, error) {
	if all {
		idx := make([]int, len(fields))
		for i := range idx {
			idx[i] = i
		}
		return idx, nil
	}
	pos := make(map[string]int, len(fields))
	for i := len(fields) - 1; i >= 0; i-- {
		pos[fields[i].Name] = i
	}
	idx := make([]int, len(names))
	seen := make(map[string]bool, len(names))
	for j, name := range names {
		if seen[name] {
			return nil, fmt.Errorf("column %q requested twice", name)
		}
		seen[name] = true
		i, ok := pos[name]
		if !ok {
			return nil, fmt.Errorf("column %q: %w", name, ErrColumnNotFound)
		}
		idx[j] = i
	}
	return idx, nil
}

// source says how the stored values of a column become frame values.
type source uint8

const (
	fromDouble source = iota
	fromFloat
	fromInt32
	fromUint32
	fromInt64
	fromUint64
	fromBoolean
	fromString
)

// columnType is the frame kind of a Parquet column and how to convert it.
type columnType struct {
	kind frame.Kind
	from source
	phys parquet.Kind
	// null marks a column of the UNKNOWN (null) logical type, whose pages
	// hold definition levels only.
	null bool
}

// columnTypeOf maps a top-level schema element to a column type.
func columnTypeOf(el *format.SchemaElement) (columnType, error) {
	if el.NumChildren.V > 0 || !el.Type.Valid {
		return columnType{}, fmt.Errorf("%w: nested group", ErrUnsupportedType)
	}
	if el.RepetitionType.Valid && el.RepetitionType.V == format.Repeated {
		return columnType{}, fmt.Errorf("%w: repeated %s", ErrUnsupportedType, typeName(el))
	}
	lt := el.LogicalType.Value
	ct, hasCT := el.ConvertedType.Get()
	plain := lt == nil && !hasCT
	// legacy reports whether the column has no logical type and one of the
	// given converted types, as older writers annotate columns.
	legacy := func(cts ...deprecated.ConvertedType) bool {
		return lt == nil && hasCT && slices.Contains(cts, ct)
	}
	intType, isInt := lt.(*format.IntType)
	t := columnType{kind: frame.Numeric, phys: parquet.Kind(el.Type.V)}
	switch el.Type.V {
	case format.Boolean:
		if plain {
			t.from = fromBoolean
			return t, nil
		}
	case format.Int32:
		_, isDate := lt.(*format.DateType)
		_, isNull := lt.(*format.NullType)
		switch {
		case plain, isInt && intType.IsSigned && intType.BitWidth <= 32,
			legacy(deprecated.Int8, deprecated.Int16, deprecated.Int32):
			t.from = fromInt32
			return t, nil
		case isInt && !intType.IsSigned && intType.BitWidth <= 32,
			legacy(deprecated.Uint8, deprecated.Uint16, deprecated.Uint32):
			t.from = fromUint32
			return t, nil
		case isDate, legacy(deprecated.Date):
			t.kind, t.from = frame.Date, fromInt32
			return t, nil
		case isNull:
			t.from, t.null = fromInt32, true
			return t, nil
		}
	case format.Int64:
		switch {
		case plain, isInt && intType.IsSigned, legacy(deprecated.Int64):
			t.from = fromInt64
			return t, nil
		case isInt && !intType.IsSigned, legacy(deprecated.Uint64):
			t.from = fromUint64
			return t, nil
		}
	case format.Float:
		if plain {
			t.from = fromFloat
			return t, nil
		}
	case format.Double:
		if plain {
			t.from = fromDouble
			return t, nil
		}
	case format.ByteArray:
		_, isString := lt.(*format.StringType)
		_, isEnum := lt.(*format.EnumType)
		if isString || isEnum || legacy(deprecated.UTF8, deprecated.Enum) {
			t.kind, t.from = frame.Categorical, fromString
			return t, nil
		}
	}
	return columnType{}, fmt.Errorf("%w: %s", ErrUnsupportedType, typeName(el))
}

// typeName describes a schema element's type for error messages, such as
// "INT64 TIMESTAMP(isAdjustedToUTC=true,unit=NANOS)".
func typeName(el *format.SchemaElement) string {
	s := el.Type.V.String()
	if el.LogicalType.Value != nil {
		return s + " " + el.LogicalType.Value.String()
	}
	if ct, ok := el.ConvertedType.Get(); ok {
		if int(ct) >= 0 && int(ct) < len(convertedTypeNames) {
			return s + " " + convertedTypeNames[ct]
		}
		return fmt.Sprintf("%s converted type %d", s, ct)
	}
	return s
}

// convertedTypeNames are the names of the legacy converted types, indexed
// by their value in the Parquet format.
var convertedTypeNames = [...]string{
	"UTF8", "MAP", "MAP_KEY_VALUE", "LIST", "ENUM", "DECIMAL", "DATE",
	"TIME_MILLIS", "TIME_MICROS", "TIMESTAMP_MILLIS", "TIMESTAMP_MICROS",
	"UINT_8", "UINT_16", "UINT_32", "UINT_64", "INT_8", "INT_16", "INT_32", "INT_64",
	"JSON", "BSON", "INTERVAL",
}

// readColumn decodes every page of column pc, row group by row group, after
// checking each column chunk with guard.
func readColumn(r io.ReaderAt, size int64, pf *parquet.File, guard *chunkGuard, pc *parquet.Column, t columnType, capHint int) (*frame.Column, error) {
	if !t.null && pc.Type().Kind() != t.phys {
		return nil, fmt.Errorf("%w: column decodes as %s; schema says %s", ErrCorrupt, pc.Type().Kind(), t.phys)
	}
	if pc.MaxRepetitionLevel() != 0 || pc.MaxDefinitionLevel() > 1 {
		return nil, fmt.Errorf("%w: nested column", ErrUnsupportedType)
	}
	d := &columnDecoder{t: t, maxDef: byte(pc.MaxDefinitionLevel())}
	c := &frame.Column{Kind: t.kind}
	if t.kind == frame.Categorical {
		d.index = make(map[string]int32)
		c.Codes = make([]int32, 0, capHint)
	} else {
		c.Num = make([]float64, 0, capHint)
	}
	guard.kind, guard.maxDef = format.Type(t.phys), int(d.maxDef)
	meta := pf.Metadata().RowGroups
	if len(meta) != len(pf.RowGroups()) {
		return nil, fmt.Errorf("%w: %d row groups in the footer, %d opened", ErrCorrupt, len(meta), len(pf.RowGroups()))
	}
	for g, rg := range pf.RowGroups() {
		chunks := rg.ColumnChunks()
		if pc.Index() >= len(chunks) || pc.Index() >= len(meta[g].Columns) {
			return nil, fmt.Errorf("%w: row group without chunk %d", ErrCorrupt, pc.Index())
		}
		md := &meta[g].Columns[pc.Index()].MetaData
		guard.codec, guard.maxRows = md.Codec, rg.NumRows()
		if err := guard.checkChunk(r, size, md); err != nil {
			return nil, err
		}
		start := c.Len()
		if err := d.chunk(c, chunks[pc.Index()]); err != nil {
			return nil, err
		}
		if got, want := int64(c.Len()-start), rg.NumRows(); got != want {
			return nil, fmt.Errorf("%w: column chunk holds %d rows; row group has %d", ErrCorrupt, got, want)
		}
	}
	c.Levels = d.levels
	if c.Kind == frame.Categorical && c.Levels == nil {
		c.Levels = []string{}
	}
	return c, nil
}

// columnDecoder appends the pages of one column's chunks to a frame.Column.
type columnDecoder struct {
	t      columnType
	maxDef byte

	// dict is the current chunk's dictionary; dictNum holds its entries as
	// float64 and dictCodes the level code of each entry, or unassigned
	// until a row uses it, so that levels come in order of appearance.
	dict      parquet.Dictionary
	dictNum   []float64
	dictCodes []int32

	levels []string
	index  map[string]int32

	num    []float64
	codes  []int32
	values []parquet.Value
}

const unassigned = -2

// chunk appends the rows of one column chunk to c.
func (d *columnDecoder) chunk(c *frame.Column, cc parquet.ColumnChunk) error {
	d.dict, d.dictNum, d.dictCodes = nil, d.dictNum[:0], d.dictCodes[:0]
	pages := cc.Pages()
	defer pages.Close()
	for {
		p, err := pages.ReadPage()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		err = d.page(c, p)
		parquet.Release(p)
		if err != nil {
			return err
		}
	}
}

func (d *columnDecoder) page(c *frame.Column, p parquet.Page) error {
	if d.t.from == fromBoolean {
		return d.booleanPage(c, p)
	}
	defs := p.DefinitionLevels()
	if d.t.null {
		var err error
		c.Num, err = scatter(c.Num, defs, nil, d.maxDef, math.NaN())
		return err
	}
	if dict := p.Dictionary(); dict != nil {
		if d.dict == nil {
			d.setDictionary(dict)
		}
		data := p.Data()
		return d.indexedPage(c, defs, data.Int32())
	}
	data := p.Data()
	var err error
	switch d.t.from {
	case fromString:
		if d.codes, err = d.stringCodes(d.codes[:0], &data); err != nil {
			return err
		}
		c.Codes, err = scatter(c.Codes, defs, d.codes, d.maxDef, -1)
		return err
	case fromDouble:
		c.Num, err = scatter(c.Num, defs, data.Double(), d.maxDef, math.NaN())
		return err
	case fromFloat:
		d.num = convert(d.num[:0], data.Float())
	case fromInt32:
		d.num = convert(d.num[:0], data.Int32())
	case fromUint32:
		d.num = convert(d.num[:0], data.Uint32())
	case fromInt64:
		d.num = convert(d.num[:0], data.Int64())
	case fromUint64:
		d.num = convert(d.num[:0], data.Uint64())
	}
	c.Num, err = scatter(c.Num, defs, d.num, d.maxDef, math.NaN())
	return err
}

// setDictionary makes dict the dictionary of the current chunk. frame.Numeric
// entries are converted at once; string entries get a level code when a row
// first refers to them.
func (d *columnDecoder) setDictionary(dict parquet.Dictionary) {
	d.dict = dict
	n := dict.Len()
	if d.t.from == fromString {
		for range n {
			d.dictCodes = append(d.dictCodes, unassigned)
		}
		return
	}
	for i := range n {
		d.dictNum = append(d.dictNum, d.numeric(dict.Index(int32(i))))
	}
}

// indexedPage appends the rows of a dictionary-encoded page.
func (d *columnDecoder) indexedPage(c *frame.Column, defs []byte, idx []int32) error {
	n := int32(d.dict.Len())
	for _, k := range idx {
		if k < 0 || k >= n {
			return fmt.Errorf("%w: dictionary index %d out of %d entries", ErrCorrupt, k, n)
		}
	}
	var err error
	if d.t.from == fromString {
		d.codes = d.codes[:0]
		for _, k := range idx {
			code := d.dictCodes[k]
			if code == unassigned {
				code = d.code(d.dict.Index(k).ByteArray())
				d.dictCodes[k] = code
			}
			d.codes = append(d.codes, code)
		}
		c.Codes, err = scatter(c.Codes, defs, d.codes, d.maxDef, -1)
		return err
	}
	d.num = d.num[:0]
	for _, k := range idx {
		d.num = append(d.num, d.dictNum[k])
	}
	c.Num, err = scatter(c.Num, defs, d.num, d.maxDef, math.NaN())
	return err
}

// stringCodes appends the level codes of the plain byte-array values in data.
func (d *columnDecoder) stringCodes(dst []int32, data *encoding.Values) ([]int32, error) {
	b, offsets := data.ByteArray()
	for i := 1; i < len(offsets); i++ {
		lo, hi := offsets[i-1], offsets[i]
		if lo > hi || int(hi) > len(b) {
			return dst, fmt.Errorf("%w: byte array offsets %d..%d in %d bytes", ErrCorrupt, lo, hi, len(b))
		}
		dst = append(dst, d.code(b[lo:hi]))
	}
	return dst, nil
}

// code returns the level code of s, adding s to the levels when it is new.
func (d *columnDecoder) code(s []byte) int32 {
	if code, ok := d.index[string(s)]; ok {
		return code
	}
	code := int32(len(d.levels))
	d.levels = append(d.levels, string(s))
	d.index[string(s)] = code
	return code
}

// numeric converts one stored value to float64.
func (d *columnDecoder) numeric(v parquet.Value) float64 {
	switch d.t.from {
	case fromDouble:
		return v.Double()
	case fromFloat:
		return float64(v.Float())
	case fromInt32:
		return float64(v.Int32())
	case fromUint32:
		return float64(v.Uint32())
	case fromInt64:
		return float64(v.Int64())
	case fromUint64:
		return float64(v.Uint64())
	case fromBoolean:
		if v.Boolean() {
			return 1
		}
		return 0
	}
	panic("frame: numeric conversion of a string column")
}

// booleanPage appends a page of booleans through the generic value reader,
// since boolean pages store packed bits.
func (d *columnDecoder) booleanPage(c *frame.Column, p parquet.Page) error {
	if d.values == nil {
		d.values = make([]parquet.Value, 1024)
	}
	vr := p.Values()
	for {
		n, err := vr.ReadValues(d.values)
		for _, v := range d.values[:n] {
			if v.IsNull() {
				c.Num = append(c.Num, math.NaN())
			} else {
				c.Num = append(c.Num, d.numeric(v))
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: boolean page stopped without end", ErrCorrupt)
		}
	}
}

// convert appends src converted to float64 to dst.
func convert[T int32 | uint32 | int64 | uint64 | float32](dst []float64, src []T) []float64 {
	for _, x := range src {
		dst = append(dst, float64(x))
	}
	return dst
}

// scatter appends one value per definition level to dst: the next value of
// dense where the level is maxDef, null elsewhere. Without levels every row
// is present.
func scatter[T any](dst []T, defs []byte, dense []T, maxDef byte, null T) ([]T, error) {
	if len(defs) == 0 {
		return append(dst, dense...), nil
	}
	n := len(dst)
	dst = slices.Grow(dst, len(defs))[:n+len(defs)]
	out := dst[n:]
	j := 0
	for i, def := range defs {
		switch {
		case def == maxDef:
			if j >= len(dense) {
				return dst[:n], fmt.Errorf("%w: page has fewer values than definition levels say", ErrCorrupt)
			}
			out[i] = dense[j]
			j++
		case def < maxDef:
			out[i] = null
		default:
			return dst[:n], fmt.Errorf("%w: definition level %d above %d", ErrCorrupt, def, maxDef)
		}
	}
	if j != len(dense) {
		return dst[:n], fmt.Errorf("%w: page has %d values; definition levels say %d", ErrCorrupt, len(dense), j)
	}
	return dst, nil
}
