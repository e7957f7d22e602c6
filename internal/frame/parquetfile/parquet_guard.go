package parquetfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"slices"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// The Parquet decoder sizes its buffers from counts stored in the file: the
// lengths in Thrift headers, the number of values in a page header, and the
// run lengths inside RLE/bit-packed streams. A corrupt count can make it
// allocate gigabytes before it notices that the data is short. The checks in
// this file read the same structures first and reject any count that the
// surrounding bytes or the row group cannot back, so the decoder only ever
// sees files whose allocations are bounded by their size and row count.

// maxPageBytes bounds the uncompressed size of one page.
const maxPageBytes = 1 << 30

// maxThriftDepth bounds the nesting of Thrift structures, lists and maps.
const maxThriftDepth = 32

var errThrift = errors.New("malformed thrift")

// thriftReader reads the Thrift compact protocol from a byte slice and
// checks every length against the bytes that remain.
type thriftReader struct {
	b   []byte
	pos int
}

func (r *thriftReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, fmt.Errorf("%w: unexpected end", errThrift)
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *thriftReader) uvarint() (uint64, error) {
	x, n := binary.Uvarint(r.b[r.pos:])
	if n <= 0 {
		return 0, fmt.Errorf("%w: bad varint at byte %d", errThrift, r.pos)
	}
	r.pos += n
	return x, nil
}

func (r *thriftReader) varint() (int64, error) {
	u, err := r.uvarint()
	return int64(u>>1) ^ -int64(u&1), err
}

// i32 reads a zigzag varint that must fit in an int32.
func (r *thriftReader) i32() (int32, error) {
	v, err := r.varint()
	if err == nil && int64(int32(v)) != v {
		err = fmt.Errorf("%w: %d overflows int32", errThrift, v)
	}
	return int32(v), err
}

// length reads a size that must not exceed the remaining bytes divided by
// per, the fewest bytes one element can take.
func (r *thriftReader) length(per int) (int, error) {
	n, err := r.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64((len(r.b)-r.pos)/per) {
		return 0, fmt.Errorf("%w: length %d exceeds the %d bytes left", errThrift, n, len(r.b)-r.pos)
	}
	return int(n), nil
}

// Compact protocol types.
const (
	tStop   = 0
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
)

// field reads a field header after the field with id last; typ is tStop at
// the end of a struct.
func (r *thriftReader) field(last int16) (id int16, typ byte, err error) {
	c, err := r.byte()
	if err != nil || c == tStop {
		return 0, tStop, err
	}
	typ = c & 0x0f
	if delta := int16(c >> 4); delta != 0 {
		return last + delta, typ, nil
	}
	v, err := r.varint()
	return int16(v), typ, err
}

// skip reads over one value of type typ, checking its lengths.
func (r *thriftReader) skip(typ byte, depth int) error {
	if depth > maxThriftDepth {
		return fmt.Errorf("%w: nested deeper than %d", errThrift, maxThriftDepth)
	}
	switch typ {
	case tTrue, tFalse:
		return nil
	case tByte:
		_, err := r.byte()
		return err
	case tI16, tI32, tI64:
		_, err := r.uvarint()
		return err
	case tDouble:
		if len(r.b)-r.pos < 8 {
			return fmt.Errorf("%w: unexpected end", errThrift)
		}
		r.pos += 8
		return nil
	case tBinary:
		n, err := r.length(1)
		r.pos += n
		return err
	case tList, tSet:
		c, err := r.byte()
		if err != nil {
			return err
		}
		n, elem := int(c>>4), c&0x0f
		if n == 15 {
			if n, err = r.length(1); err != nil {
				return err
			}
		} else if n > len(r.b)-r.pos {
			return fmt.Errorf("%w: list of %d in %d bytes", errThrift, n, len(r.b)-r.pos)
		}
		for range n {
			// Booleans in lists take a byte each.
			if elem == tTrue || elem == tFalse {
				elem = tByte
			}
			if err := r.skip(elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tMap:
		n, err := r.length(2)
		if err != nil || n == 0 {
			return err
		}
		c, err := r.byte()
		if err != nil {
			return err
		}
		for range n {
			if err := r.skip(c>>4, depth+1); err != nil {
				return err
			}
			if err := r.skip(c&0x0f, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tStruct:
		var last int16
		for {
			id, typ, err := r.field(last)
			if err != nil || typ == tStop {
				return err
			}
			if err := r.skip(typ, depth+1); err != nil {
				return err
			}
			last = id
		}
	}
	return fmt.Errorf("%w: unknown type %d", errThrift, typ)
}

// checkThrift checks that b holds one well-formed Thrift struct.
func checkThrift(b []byte) error {
	r := &thriftReader{b: b}
	return r.skip(tStruct, 0)
}

// pageHeader holds the fields of a Parquet page header that bound the
// decoder's allocations.
type pageHeader struct {
	typ              format.PageType
	uncompressedSize int32
	compressedSize   int32
	numValues        int32
	encoding         format.Encoding
	defEncoding      format.Encoding // data page V1 only
	// Data page V2 only.
	numNulls, numRows  int32
	defBytes, repBytes int32
	compressed         bool
}

// readPageHeader decodes the page header at the start of b and returns it
// with its length in bytes.
func readPageHeader(b []byte) (pageHeader, int, error) {
	r := &thriftReader{b: b}
	h := pageHeader{compressed: true}
	var last int16
	for {
		id, typ, err := r.field(last)
		if err != nil {
			return h, 0, err
		}
		if typ == tStop {
			return h, r.pos, nil
		}
		last = id
		switch {
		case id == 1 && typ == tI32:
			var v int32
			v, err = r.i32()
			h.typ = format.PageType(v)
		case id == 2 && typ == tI32:
			h.uncompressedSize, err = r.i32()
		case id == 3 && typ == tI32:
			h.compressedSize, err = r.i32()
		case (id == 5 || id == 7 || id == 8) && typ == tStruct:
			err = h.readSubHeader(r, id)
		default:
			err = r.skip(typ, 1)
		}
		if err != nil {
			return h, 0, err
		}
	}
}

// readSubHeader reads the data (5), dictionary (7) or data V2 (8) header.
func (h *pageHeader) readSubHeader(r *thriftReader, which int16) error {
	var last int16
	for {
		id, typ, err := r.field(last)
		if err != nil || typ == tStop {
			return err
		}
		last = id
		var v int32
		switch {
		case typ == tI32 && (id <= 2 || which == 5 && id == 3 || which == 8 && id <= 6):
			if v, err = r.i32(); err != nil {
				return err
			}
			switch {
			case id == 1:
				h.numValues = v
			case which != 8 && id == 2, which == 8 && id == 4:
				h.encoding = format.Encoding(v)
			case which == 5 && id == 3:
				h.defEncoding = format.Encoding(v)
			case which == 8 && id == 2:
				h.numNulls = v
			case which == 8 && id == 3:
				h.numRows = v
			case which == 8 && id == 5:
				h.defBytes = v
			case which == 8 && id == 6:
				h.repBytes = v
			}
		case which == 8 && id == 7 && (typ == tTrue || typ == tFalse):
			h.compressed = typ == tTrue
		default:
			if err := r.skip(typ, 2); err != nil {
				return err
			}
		}
	}
}

// chunkGuard checks the pages of one column chunk before they are decoded.
type chunkGuard struct {
	codec   format.CompressionCodec
	kind    format.Type
	maxDef  int
	maxRows int64
	// chunk holds the column chunk's bytes and scratch its decompressed
	// pages; both are reused from chunk to chunk.
	chunk   []byte
	scratch []byte
}

// checkChunk reads the column chunk described by md from r and checks
// every page header, and the level and dictionary-index runs of every page,
// against the chunk's bytes and the row group's rows.
func (g *chunkGuard) checkChunk(r io.ReaderAt, size int64, md *format.ColumnMetaData) error {
	start := md.DataPageOffset
	if md.DictionaryPageOffset != 0 {
		start = md.DictionaryPageOffset
	}
	n := md.TotalCompressedSize
	if start < 4 || n < 0 || start > size || n > size-start {
		return fmt.Errorf("%w: column chunk at %d+%d outside a file of %d bytes", ErrCorrupt, start, n, size)
	}
	if md.NumValues < 0 || md.NumValues > g.maxRows {
		return fmt.Errorf("%w: column chunk of %d values in a row group of %d rows", ErrCorrupt, md.NumValues, g.maxRows)
	}
	g.chunk = slices.Grow(g.chunk[:0], int(n))[:n]
	chunk := g.chunk
	if err := readFull(r, chunk, start); err != nil {
		return err
	}
	for pos := 0; pos < len(chunk); {
		h, hn, err := readPageHeader(chunk[pos:])
		if err != nil {
			return fmt.Errorf("%w: page header at byte %d of the chunk: %w", ErrCorrupt, pos, err)
		}
		pos += hn
		if h.compressedSize < 0 || int(h.compressedSize) > len(chunk)-pos {
			return fmt.Errorf("%w: page of %d bytes with %d left in the chunk", ErrCorrupt, h.compressedSize, len(chunk)-pos)
		}
		body := chunk[pos : pos+int(h.compressedSize)]
		pos += int(h.compressedSize)
		if err := g.checkPage(&h, body); err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
	}
	return nil
}

func (g *chunkGuard) checkPage(h *pageHeader, body []byte) error {
	if h.uncompressedSize < 0 || h.uncompressedSize > maxPageBytes {
		return fmt.Errorf("page of %d uncompressed bytes", h.uncompressedSize)
	}
	if h.numValues < 0 || int64(h.numValues) > g.maxRows && h.typ != format.DictionaryPage {
		return fmt.Errorf("page of %d values in a row group of %d rows", h.numValues, g.maxRows)
	}
	switch h.typ {
	case format.DictionaryPage:
		data, err := g.decompress(body, h.uncompressedSize)
		if err != nil {
			return err
		}
		if per := minValueBytes(g.kind); per > 0 && int64(h.numValues)*per > int64(len(data)) {
			return fmt.Errorf("dictionary of %d values in %d bytes", h.numValues, len(data))
		}
		return nil
	case format.DataPage:
		data, err := g.decompress(body, h.uncompressedSize)
		if err != nil {
			return err
		}
		if g.maxDef > 0 && h.defEncoding == format.BitPacked {
			n := (int(h.numValues)*bitWidth(g.maxDef) + 7) / 8
			if n > len(data) {
				return fmt.Errorf("bit-packed definition levels of %d bytes in a page of %d", n, len(data))
			}
			data = data[n:]
		} else if g.maxDef > 0 {
			if len(data) < 4 {
				return fmt.Errorf("data page too short for its definition levels")
			}
			n := binary.LittleEndian.Uint32(data)
			if uint64(n) > uint64(len(data)-4) {
				return fmt.Errorf("definition levels of %d bytes in a page of %d", n, len(data))
			}
			if err := checkRuns(data[4:4+n], bitWidth(g.maxDef), int(h.numValues)); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
			data = data[4+n:]
		}
		return checkValues(h.encoding, data, int(h.numValues))
	case format.DataPageV2:
		if h.numNulls < 0 || h.numNulls > h.numValues || h.numRows < 0 || int64(h.numRows) > g.maxRows {
			return fmt.Errorf("data page v2 with %d values, %d nulls, %d rows", h.numValues, h.numNulls, h.numRows)
		}
		if h.repBytes < 0 || h.defBytes < 0 || int64(h.repBytes)+int64(h.defBytes) > int64(len(body)) {
			return fmt.Errorf("data page v2 levels of %d+%d bytes in a page of %d", h.repBytes, h.defBytes, len(body))
		}
		levels := body[h.repBytes : h.repBytes+h.defBytes]
		if g.maxDef > 0 {
			if err := checkRuns(levels, bitWidth(g.maxDef), int(h.numValues)); err != nil {
				return fmt.Errorf("definition levels: %w", err)
			}
		}
		data := body[h.repBytes+h.defBytes:]
		if h.compressed {
			var err error
			if data, err = g.decompress(data, h.uncompressedSize-h.repBytes-h.defBytes); err != nil {
				return err
			}
		}
		return checkValues(h.encoding, data, int(h.numValues))
	}
	// Index pages and unknown page types are skipped by the decoder.
	return nil
}

// decompress returns the page body decompressed, checking that it has the
// size its header states.
func (g *chunkGuard) decompress(body []byte, size int32) ([]byte, error) {
	if size < 0 {
		return nil, fmt.Errorf("negative page size %d", size)
	}
	switch g.codec {
	case format.Uncompressed:
		if int(size) != len(body) {
			return nil, fmt.Errorf("uncompressed page of %d bytes states %d", len(body), size)
		}
		return body, nil
	case format.Snappy:
		// A Snappy block starts with its decoded length; checking it
		// first keeps the decoder from allocating a forged size.
		n, k := binary.Uvarint(body)
		if k <= 0 || n != uint64(size) {
			return nil, fmt.Errorf("snappy page decodes to %d bytes; header states %d", n, size)
		}
	}
	out, err := parquet.LookupCompressionCodec(g.codec).Decode(g.scratch[:0], body)
	if err != nil {
		return nil, fmt.Errorf("decompressing page: %w", err)
	}
	g.scratch = out[:0]
	if len(out) != int(size) {
		return nil, fmt.Errorf("page decompresses to %d bytes; header states %d", len(out), size)
	}
	return out, nil
}

// checkValues checks the runs of dictionary indexes and RLE booleans, and
// the value count of delta encodings; plain and byte-stream-split values
// are bounded by the page's bytes.
func checkValues(enc format.Encoding, data []byte, numValues int) error {
	switch enc {
	case format.RLEDictionary, format.PlainDictionary: //lint:ignore SA1019 older writers still use it in data pages
		if len(data) == 0 {
			if numValues == 0 {
				return nil
			}
			return fmt.Errorf("dictionary indexes missing")
		}
		width := int(data[0])
		if width > 32 {
			return fmt.Errorf("dictionary index width %d", width)
		}
		if err := checkRuns(data[1:], width, numValues); err != nil {
			return fmt.Errorf("dictionary indexes: %w", err)
		}
	case format.RLE:
		if len(data) < 4 {
			return fmt.Errorf("boolean runs too short")
		}
		n := binary.LittleEndian.Uint32(data)
		if uint64(n) > uint64(len(data)-4) {
			return fmt.Errorf("boolean runs of %d bytes in %d", n, len(data)-4)
		}
		return checkRuns(data[4:4+n], 1, numValues)
	case format.DeltaBinaryPacked, format.DeltaLengthByteArray, format.DeltaByteArray:
		// Each starts with a delta-binary-packed header: block size,
		// miniblocks per block, value count, first value.
		r := &thriftReader{b: data}
		for range 2 {
			if _, err := r.uvarint(); err != nil {
				return fmt.Errorf("delta header: %w", err)
			}
		}
		count, err := r.uvarint()
		if err != nil {
			return fmt.Errorf("delta header: %w", err)
		}
		if count > uint64(numValues) {
			return fmt.Errorf("delta encoding of %d values in a page of %d", count, numValues)
		}
	}
	return nil
}

// checkRuns checks an RLE/bit-packed hybrid stream of values width bits
// wide: every run must fit in data, and the runs together may hold at most
// numValues values plus the padding of one bit-packed group.
func checkRuns(data []byte, width, numValues int) error {
	limit := uint64(numValues) + 8
	var total uint64
	for i := 0; i < len(data); {
		u, n := binary.Uvarint(data[i:])
		if n <= 0 {
			return fmt.Errorf("bad run header at byte %d", i)
		}
		i += n
		count := u >> 1
		var values, size uint64
		if u&1 != 0 {
			values, size = 8*count, count*uint64(width)
		} else if count > 0 {
			values, size = count, uint64((width+7)/8)
		}
		if values > limit-total {
			return fmt.Errorf("runs hold more than the page's %d values", numValues)
		}
		if size > uint64(len(data)-i) {
			return fmt.Errorf("run of %d bytes with %d left", size, len(data)-i)
		}
		total += values
		i += int(size)
	}
	return nil
}

// bitWidth is the number of bits needed to store levels up to max.
func bitWidth(max int) int { return bits.Len(uint(max)) }

// minValueBytes is the fewest bytes one plain-encoded value of a physical
// type takes, or 0 when a value can take less than a byte.
func minValueBytes(t format.Type) int64 {
	switch t {
	case format.Int32, format.Float, format.ByteArray:
		return 4
	case format.Int64, format.Double:
		return 8
	case format.Int96:
		return 12
	}
	return 0
}
