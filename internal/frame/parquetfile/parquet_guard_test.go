package parquetfile

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

func TestCheckRuns(t *testing.T) {
	tests := []struct {
		name      string
		data      []byte
		width     int
		numValues int
		wantMsg   string
	}{
		{"empty", nil, 1, 0, ""},
		{"rle run", []byte{5 << 1, 1}, 1, 5, ""},
		{"rle run of wide values", []byte{3 << 1, 0xff, 0xff, 0x01}, 17, 3, ""},
		{"bit-packed group with padding", []byte{1<<1 | 1, 0xff}, 1, 3, ""},
		{"zero-length run", []byte{0, 2 << 1, 1}, 1, 2, ""},
		{"run longer than the page", []byte{0xe8, 0x07 << 1, 1}, 1, 10, "more than the page's 10 values"},
		{"forged huge run", binary.AppendUvarint(nil, 1<<40), 1, 100, "more than the page's 100 values"},
		{"bit-packed run past the end", []byte{2<<1 | 1, 0xff}, 1, 16, "run of 2 bytes with 1 left"},
		{"rle value past the end", []byte{4 << 1}, 8, 4, "run of 1 bytes with 0 left"},
		{"bad header", bytes.Repeat([]byte{0xff}, 11), 1, 4, "bad run header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRuns(tt.data, tt.width, tt.numValues)
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("got error %v; want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %v; want one containing %q", err, tt.wantMsg)
			}
		})
	}
}

func TestCheckThrift(t *testing.T) {
	deep := append(bytes.Repeat([]byte{0x1c}, 40), bytes.Repeat([]byte{0}, 41)...)
	tests := []struct {
		name    string
		data    []byte
		wantMsg string
	}{
		{"empty struct", []byte{0}, ""},
		{"i32 and binary fields", []byte{0x15, 0x04, 0x18, 0x02, 'h', 'i', 0}, ""},
		{"list of three i32", []byte{0x19, 0x35, 2, 4, 6, 0}, ""},
		{"long-form field id", []byte{0x05, 0x28, 0x02, 0}, ""},
		{"binary longer than the input", []byte{0x18, 0xff, 0xff, 0xff, 0x7f, 'x', 0}, "exceeds the 2 bytes left"},
		{"list longer than the input", []byte{0x19, 0xf5, 0xff, 0xff, 0x03, 0}, "exceeds the 1 bytes left"},
		{"short list longer than the input", []byte{0x19, 0xe5, 0}, "list of 14 in 1 bytes"},
		{"map longer than the input", []byte{0x1b, 0xff, 0xff, 0x03, 0}, "exceeds the 1 bytes left"},
		{"too deep", deep, "nested deeper than 32"},
		{"unknown type", []byte{0x1d, 0}, "unknown type 13"},
		{"truncated", []byte{0x15}, "bad varint"},
		{"no stop", []byte{0x15, 0x02}, "unexpected end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkThrift(tt.data)
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("got error %v; want nil", err)
				}
				return
			}
			if !errors.Is(err, errThrift) || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %v; want one containing %q", err, tt.wantMsg)
			}
		})
	}
}

// TestReadPageHeader decodes the page headers of a file written by
// Write and checks them against the column chunk metadata.
func TestReadPageHeader(t *testing.T) {
	data := writeBytes(t, sampleFrame())
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	for _, cc := range pf.Metadata().RowGroups[0].Columns {
		md := cc.MetaData
		start := md.DataPageOffset
		if md.DictionaryPageOffset != 0 {
			start = md.DictionaryPageOffset
		}
		chunk := data[start : start+md.TotalCompressedSize]
		var values int64
		var types []format.PageType
		for pos := 0; pos < len(chunk); {
			h, n, err := readPageHeader(chunk[pos:])
			if err != nil {
				t.Fatalf("column %v: readPageHeader: %v", md.PathInSchema, err)
			}
			types = append(types, h.typ)
			if h.typ == format.DataPage {
				values += int64(h.numValues)
			}
			pos += n + int(h.compressedSize)
		}
		if values != md.NumValues {
			t.Errorf("column %v: got %d values in data pages; want %d", md.PathInSchema, values, md.NumValues)
		}
		wantTypes := "[DATA_PAGE]"
		if md.DictionaryPageOffset != 0 {
			wantTypes = "[DICTIONARY_PAGE DATA_PAGE]"
		}
		if got := fmtTypes(types); got != wantTypes {
			t.Errorf("column %v: got pages %s; want %s", md.PathInSchema, got, wantTypes)
		}
	}
}

// fmtTypes formats page types as "[DICTIONARY_PAGE DATA_PAGE]".
func fmtTypes(types []format.PageType) string {
	var s []string
	for _, t := range types {
		s = append(s, t.String())
	}
	return "[" + strings.Join(s, " ") + "]"
}

// TestReadParquetForgedCounts checks that files whose counts were forged to
// make the decoder allocate gigabytes are rejected cheaply.
func TestReadParquetForgedCounts(t *testing.T) {
	for _, name := range []string{"corrupt_rle_run.parquet", "corrupt_rle_repeat.parquet", "corrupt_page_header.parquet"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err = readBytes(data)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("got error %v; want it to wrap ErrCorrupt", err)
			}
			if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
				t.Errorf("got %d MB allocated; want at most 16 MB", got>>20)
			}
		})
	}
}
