package parquetfile

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/credit-risk/credit-risk/internal/frame"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// writeBytes writes f with Write and returns the file.
func writeBytes(tb testing.TB, f *frame.Frame) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		tb.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// readBytes reads a file held in memory with Read.
func readBytes(data []byte) (*frame.Frame, error) {
	return Read(bytes.NewReader(data), int64(len(data)))
}

// assertSameFrame checks that got holds the same columns, kinds and values
// as want: numbers bit for bit (any NaN equals any NaN), categories by their
// strings per row, and levels in order of first appearance.
func assertSameFrame(tb testing.TB, got, want *frame.Frame) {
	tb.Helper()
	if len(got.Columns) != len(want.Columns) {
		tb.Fatalf("got %d columns; want %d", len(got.Columns), len(want.Columns))
	}
	for j, w := range want.Columns {
		g := got.Columns[j]
		if g.Name != w.Name || g.Kind != w.Kind {
			tb.Fatalf("column %d: got %q %v; want %q %v", j, g.Name, g.Kind, w.Name, w.Kind)
		}
		if g.Len() != w.Len() {
			tb.Fatalf("column %q: got %d rows; want %d", w.Name, g.Len(), w.Len())
		}
		if w.Kind == frame.Categorical {
			if want, got := firstAppearance(w), g.Levels; !equalStrings(got, want) {
				tb.Fatalf("column %q: got levels %q; want %q", w.Name, got, want)
			}
			for i := range w.Codes {
				if g.IsMissing(i) != w.IsMissing(i) || g.String(i) != w.String(i) {
					tb.Fatalf("column %q row %d: got %q (missing %v); want %q (missing %v)",
						w.Name, i, g.String(i), g.IsMissing(i), w.String(i), w.IsMissing(i))
				}
			}
			continue
		}
		for i, x := range w.Num {
			y := g.Num[i]
			if math.IsNaN(x) != math.IsNaN(y) || !math.IsNaN(x) && math.Float64bits(x) != math.Float64bits(y) {
				tb.Fatalf("column %q row %d: got %v; want %v", w.Name, i, y, x)
			}
		}
	}
}

// firstAppearance returns the levels of c that rows use, in order of first
// use: the levels Read derives.
func firstAppearance(c *frame.Column) []string {
	levels := []string{}
	seen := make(map[int32]bool)
	for _, code := range c.Codes {
		if code >= 0 && !seen[code] {
			seen[code] = true
			levels = append(levels, c.Levels[code])
		}
	}
	return levels
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// randomFrame returns n rows of nNum numeric, nCat categorical (levels
// levels each) and nDate date columns with about 5% missing values.
func randomFrame(rng *rand.Rand, n, nNum, nCat, levels, nDate int) *frame.Frame {
	f := &frame.Frame{}
	for j := range nNum {
		c := &frame.Column{Name: fmt.Sprintf("num_%d", j), Kind: frame.Numeric, Num: make([]float64, n)}
		for i := range c.Num {
			switch {
			case rng.IntN(20) == 0:
				c.Num[i] = math.NaN()
			case j%2 == 0:
				c.Num[i] = rng.NormFloat64() * 1000
			default:
				c.Num[i] = float64(rng.IntN(60))
			}
		}
		f.Columns = append(f.Columns, c)
	}
	for j := range nCat {
		c := &frame.Column{Name: fmt.Sprintf("cat_%d", j), Kind: frame.Categorical, Codes: make([]int32, n)}
		for k := range levels {
			c.Levels = append(c.Levels, fmt.Sprintf("level-%d-%d", j, k))
		}
		for i := range c.Codes {
			if rng.IntN(20) == 0 {
				c.Codes[i] = -1
			} else {
				c.Codes[i] = int32(rng.IntN(levels))
			}
		}
		f.Columns = append(f.Columns, c)
	}
	for j := range nDate {
		c := &frame.Column{Name: fmt.Sprintf("date_%d", j), Kind: frame.Date, Num: make([]float64, n)}
		for i := range c.Num {
			if rng.IntN(20) == 0 {
				c.Num[i] = math.NaN()
			} else {
				c.Num[i] = float64(13000 + rng.IntN(5000))
			}
		}
		f.Columns = append(f.Columns, c)
	}
	return f
}

func TestParquetRoundTrip(t *testing.T) {
	nan := math.NaN()
	manyLevels := &frame.Column{Name: "many", Kind: frame.Categorical, Codes: make([]int32, 60000)}
	for i := range 50000 {
		manyLevels.Levels = append(manyLevels.Levels, fmt.Sprintf("level %05d with some padding text", i))
	}
	for i := range manyLevels.Codes {
		manyLevels.Codes[i] = int32((i * 7919) % 50000)
	}
	tests := []struct {
		name string
		f    *frame.Frame
	}{
		{"one of each kind", &frame.Frame{Columns: []*frame.Column{
			{Name: "loan_amnt", Kind: frame.Numeric, Num: []float64{5000, nan, 2400.5}},
			{Name: "grade", Kind: frame.Categorical, Codes: []int32{1, -1, 0}, Levels: []string{"A", "B"}},
			{Name: "issue_d", Kind: frame.Date, Num: []float64{15310, 0, nan}},
		}}},
		{"empty frame with columns", &frame.Frame{Columns: []*frame.Column{
			{Name: "x", Kind: frame.Numeric, Num: []float64{}},
			{Name: "c", Kind: frame.Categorical, Codes: []int32{}, Levels: []string{"unused"}},
			{Name: "d", Kind: frame.Date, Num: []float64{}},
		}}},
		{"all missing", &frame.Frame{Columns: []*frame.Column{
			{Name: "x", Kind: frame.Numeric, Num: []float64{nan, nan, nan, nan}},
			{Name: "c", Kind: frame.Categorical, Codes: []int32{-1, -1, -1, -1}, Levels: []string{"a"}},
			{Name: "d", Kind: frame.Date, Num: []float64{nan, nan, nan, nan}},
		}}},
		{"unicode strings", &frame.Frame{Columns: []*frame.Column{
			{Name: "naïve 列 🙂", Kind: frame.Categorical, Codes: []int32{0, 1, 2, 3, 4, 5, -1, 5},
				Levels: []string{"", "é", "日本語", "🙂👍🏽", "e\u0301", "nul\x00byte"}},
		}}},
		{"special numbers", &frame.Frame{Columns: []*frame.Column{
			{Name: "x", Kind: frame.Numeric, Num: []float64{math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0,
				math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64, 1e-300, nan}},
			{Name: "d", Kind: frame.Date, Num: []float64{math.MinInt32, math.MaxInt32, -1, 0, 1, -719162, 2932896, nan, 19000}},
		}}},
		{"column order is kept", &frame.Frame{Columns: []*frame.Column{
			{Name: "z", Kind: frame.Numeric, Num: []float64{1}},
			{Name: "a", Kind: frame.Numeric, Num: []float64{2}},
			{Name: "m.n", Kind: frame.Numeric, Num: []float64{3}},
			{Name: "with, comma", Kind: frame.Numeric, Num: []float64{4}},
			{Name: "B", Kind: frame.Numeric, Num: []float64{5}},
		}}},
		{"unused and reordered levels", &frame.Frame{Columns: []*frame.Column{
			{Name: "c", Kind: frame.Categorical, Codes: []int32{3, 3, 1, -1, 1}, Levels: []string{"a", "b", "c", "d"}},
		}}},
		{"many levels", &frame.Frame{Columns: []*frame.Column{manyLevels}}},
		{"100k rows", randomFrame(rand.New(rand.NewPCG(1, 2)), 100_000, 3, 2, 30, 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := writeBytes(t, tt.f)
			got, err := readBytes(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			assertSameFrame(t, got, tt.f)
		})
	}
}

// TestWriteParquetRowGroups checks that large frames are cut into bounded
// row groups, which is what keeps the writer's memory bounded.
func TestWriteParquetRowGroups(t *testing.T) {
	tests := []struct {
		rows, cols int
		wantGroups int
	}{
		{0, 1, 0},
		{10, 1, 1},
		{maxRowGroupRows, 1, 1},
		{maxRowGroupRows + 1, 1, 2},
		{2*maxRowGroupRows + 1, 3, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.rows, tt.cols), func(t *testing.T) {
			f := randomFrame(rand.New(rand.NewPCG(3, 4)), tt.rows, tt.cols, 0, 0, 0)
			data := writeBytes(t, f)
			pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatalf("OpenFile: %v", err)
			}
			if got := len(pf.RowGroups()); got != tt.wantGroups {
				t.Errorf("got %d row groups; want %d", got, tt.wantGroups)
			}
			for i, rg := range pf.RowGroups() {
				if n := rg.NumRows(); n > int64(rowGroupRows(tt.cols)) {
					t.Errorf("row group %d: got %d rows; want at most %d", i, n, rowGroupRows(tt.cols))
				}
			}
			got, err := readBytes(data)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			assertSameFrame(t, got, f)
		})
	}
}

// TestRowGroupRows checks that wide frames get shorter row groups, so that
// one row group's values stay near rowGroupBytes.
func TestRowGroupRows(t *testing.T) {
	tests := []struct {
		cols, want int
	}{
		{0, maxRowGroupRows},
		{1, maxRowGroupRows},
		{64, maxRowGroupRows},
		{65, rowGroupBytes / (8 * 65)},
		{600, rowGroupBytes / (8 * 600)},
		{4096, minRowGroupRows},
		{60000, minRowGroupRows},
	}
	for _, tt := range tests {
		if got := rowGroupRows(tt.cols); got != tt.want {
			t.Errorf("rowGroupRows(%d) = %d; want %d", tt.cols, got, tt.want)
		}
	}
}

// TestWriteParquetSchema checks the physical and logical types that pandas
// and DuckDB rely on.
func TestWriteParquetSchema(t *testing.T) {
	f := &frame.Frame{Columns: []*frame.Column{
		{Name: "x", Kind: frame.Numeric, Num: []float64{1}},
		{Name: "d", Kind: frame.Date, Num: []float64{1}},
		{Name: "c", Kind: frame.Categorical, Codes: []int32{0}, Levels: []string{"a"}},
	}}
	data := writeBytes(t, f)
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	var sb strings.Builder
	if err := parquet.PrintSchema(&sb, "frame", pf.Schema()); err != nil {
		t.Fatalf("PrintSchema: %v", err)
	}
	want := "message frame {\n\toptional double x;\n\toptional int32 d (DATE);\n\toptional binary c (STRING);\n}"
	if got := sb.String(); got != want {
		t.Errorf("got schema\n%s\nwant\n%s", got, want)
	}
	for _, c := range pf.Metadata().RowGroups[0].Columns {
		if got := c.MetaData.Codec.String(); got != "SNAPPY" {
			t.Errorf("column %v: got codec %s; want SNAPPY", c.MetaData.PathInSchema, got)
		}
	}
}

func TestWriteParquetErrors(t *testing.T) {
	tests := []struct {
		name    string
		f       *frame.Frame
		wantErr error
		wantMsg string
	}{
		{"no columns", &frame.Frame{}, ErrNoColumns, "no columns"},
		{"invalid frame", &frame.Frame{Columns: []*frame.Column{
			{Name: "a", Kind: frame.Numeric, Num: []float64{1, 2}},
			{Name: "b", Kind: frame.Numeric, Num: []float64{1}},
		}}, nil, `column "b" has 1 rows`},
		{"fractional date", &frame.Frame{Columns: []*frame.Column{
			{Name: "d", Kind: frame.Date, Num: []float64{1, 2.5}},
		}}, ErrInvalidValue, `column "d" row 1`},
		{"date beyond int32", &frame.Frame{Columns: []*frame.Column{
			{Name: "d", Kind: frame.Date, Num: []float64{math.MaxInt32 + 1}},
		}}, ErrInvalidValue, "INT32 range"},
		{"infinite date", &frame.Frame{Columns: []*frame.Column{
			{Name: "d", Kind: frame.Date, Num: []float64{math.Inf(-1)}},
		}}, ErrInvalidValue, `column "d" row 0`},
		{"level not utf-8", &frame.Frame{Columns: []*frame.Column{
			{Name: "c", Kind: frame.Categorical, Codes: []int32{0}, Levels: []string{"ok", "\xff"}},
		}}, ErrInvalidValue, `column "c" level 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Write(io.Discard, tt.f)
			if err == nil {
				t.Fatal("got nil error; want one")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("got error %v; want it to wrap %v", err, tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %q; want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// sampleFrame is a small frame with every kind and a missing value in each
// column.
func sampleFrame() *frame.Frame {
	nan := math.NaN()
	return &frame.Frame{Columns: []*frame.Column{
		{Name: "loan_amnt", Kind: frame.Numeric, Num: []float64{5000, 2500, nan, 10000}},
		{Name: "grade", Kind: frame.Categorical, Codes: []int32{0, 1, 1, -1}, Levels: []string{"B", "C"}},
		{Name: "issue_d", Kind: frame.Date, Num: []float64{15310, nan, 15340, 15371}},
		{Name: "int_rate", Kind: frame.Numeric, Num: []float64{10.65, 15.27, 15.96, nan}},
	}}
}

func TestReadParquetColumns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sample.parquet")
	want := sampleFrame()
	if err := WriteFile(path, want); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	tests := []struct {
		name    string
		names   []string
		wantErr error
		wantMsg string
	}{
		{"subset in requested order", []string{"int_rate", "grade"}, nil, ""},
		{"all", []string{"loan_amnt", "grade", "issue_d", "int_rate"}, nil, ""},
		{"none", []string{}, nil, ""},
		{"absent column", []string{"grade", "fico"}, ErrColumnNotFound, `column "fico"`},
		{"requested twice", []string{"grade", "grade"}, nil, `column "grade" requested twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadColumns(path, tt.names)
			if tt.wantMsg != "" {
				if err == nil {
					t.Fatal("got nil error; want one")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("got error %v; want it to wrap %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("got error %q; want it to contain %q", err, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadColumns: %v", err)
			}
			sub := &frame.Frame{}
			for _, name := range tt.names {
				sub.Columns = append(sub.Columns, want.Col(name))
			}
			assertSameFrame(t, got, sub)
		})
	}
}

// TestReadParquetColumnsSkipsUnsupported checks that a column of a type the
// frame cannot hold does not stop the others from being read.
func TestReadParquetColumnsSkipsUnsupported(t *testing.T) {
	got, err := ReadColumns(filepath.Join("testdata", "arrow_timestamp.parquet"), []string{"ok"})
	if err != nil {
		t.Fatalf("ReadColumns: %v", err)
	}
	if got.Rows() != 1 || got.Columns[0].Num[0] != 1 {
		t.Errorf("got %d rows, first %v; want 1 row holding 1", got.Rows(), got.Columns[0].Num)
	}
}

// arrowRow returns the values of row i of the fixtures written by
// testdata/arrowgen, as Read should read them.
func arrowRow(i int) map[string]float64 {
	nan := math.NaN()
	when := func(present bool, x float64) float64 {
		if present {
			return x
		}
		return nan
	}
	b := 0.0
	if i%3 == 0 {
		b = 1
	}
	return map[string]float64{
		"f64":  when(i%7 != 0, float64(i)*0.5),
		"f32":  when(i%5 != 0, float64(float32(i)/4)),
		"i32":  float64(i - 150),
		"i64":  when(i%11 != 0, float64(i)*1e12),
		"u32":  4e9 + float64(i),
		"u64":  float64(uint64(1<<63) + uint64(i)*1024),
		"i8":   float64(i%100 - 50),
		"u8":   float64(i % 256),
		"b":    when(i%4 != 0, b),
		"d":    when(i%9 != 0, float64(18000+i)),
		"none": nan,
	}
}

var arrowLevels = []string{"alpha", "βeta", "", "gamma"}

func TestReadParquetArrowFiles(t *testing.T) {
	kinds := map[string]frame.Kind{"d": frame.Date, "s": frame.Categorical}
	order := []string{"f64", "f32", "i32", "i64", "u32", "u64", "i8", "u8", "b", "d", "s", "none"}
	for _, file := range []string{"arrow_types.parquet", "arrow_v2.parquet"} {
		t.Run(file, func(t *testing.T) {
			f, err := ReadFile(filepath.Join("testdata", file))
			if err != nil {
				t.Fatalf("ReadFile: %v", err)
			}
			if f.Rows() != 300 || len(f.Columns) != len(order) {
				t.Fatalf("got %d rows, %d columns; want 300 rows, %d columns", f.Rows(), len(f.Columns), len(order))
			}
			for j, c := range f.Columns {
				wantKind := kinds[order[j]]
				if wantKind == 0 {
					wantKind = frame.Numeric
				}
				if c.Name != order[j] || c.Kind != wantKind {
					t.Fatalf("column %d: got %q %v; want %q %v", j, c.Name, c.Kind, order[j], wantKind)
				}
				for i := range 300 {
					if c.Kind == frame.Categorical {
						want, missing := arrowLevels[i%4], i%6 == 0
						if c.IsMissing(i) != missing || c.String(i) != want && !missing {
							t.Fatalf("column s row %d: got %q (missing %v); want %q (missing %v)",
								i, c.String(i), c.IsMissing(i), want, missing)
						}
						continue
					}
					got, want := c.Num[i], arrowRow(i)[c.Name]
					if got != want && !(math.IsNaN(got) && math.IsNaN(want)) {
						t.Fatalf("column %s row %d: got %v; want %v", c.Name, i, got, want)
					}
				}
			}
		})
	}
	t.Run("arrow_required.parquet", func(t *testing.T) {
		f, err := ReadFile(filepath.Join("testdata", "arrow_required.parquet"))
		if err != nil {
			t.Fatalf("ReadFile: %v", err)
		}
		if f.Rows() != 300 {
			t.Fatalf("got %d rows; want 300", f.Rows())
		}
		x, name := f.Col("x"), f.Col("name")
		for i := range 300 {
			if x.Num[i] != math.Sqrt(float64(i)) || name.String(i) != arrowLevels[(i*7)%4] {
				t.Fatalf("row %d: got %v %q; want %v %q", i, x.Num[i], name.String(i), math.Sqrt(float64(i)), arrowLevels[(i*7)%4])
			}
		}
	})
}

func TestReadParquetUnsupported(t *testing.T) {
	tests := []struct {
		file    string
		wantMsg string
	}{
		{"arrow_timestamp.parquet", `column "bad": unsupported parquet column type: INT64 TIMESTAMP`},
		{"arrow_decimal.parquet", `column "bad": unsupported parquet column type: FIXED_LEN_BYTE_ARRAY DECIMAL(10,2)`},
		{"arrow_list.parquet", `column "bad": unsupported parquet column type: nested group`},
		{"arrow_binary.parquet", `column "bad": unsupported parquet column type: BYTE_ARRAY`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := ReadFile(filepath.Join("testdata", tt.file))
			if !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("got error %v; want it to wrap ErrUnsupportedType", err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("got error %q; want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

// TestReadParquetCorrupt checks that damaged files give errors, not panics
// or out-of-range frames.
func TestReadParquetCorrupt(t *testing.T) {
	data := writeBytes(t, randomFrame(rand.New(rand.NewPCG(5, 6)), 500, 2, 2, 5, 1))
	t.Run("truncated", func(t *testing.T) {
		for _, n := range []int{0, 3, 4, 11, 12, 100, len(data) / 2, len(data) - 9, len(data) - 8, len(data) - 1} {
			if _, err := readBytes(data[:n]); err == nil {
				t.Errorf("%d of %d bytes: got nil error; want one", n, len(data))
			}
		}
	})
	t.Run("footer length beyond file", func(t *testing.T) {
		bad := bytes.Clone(data)
		copy(bad[len(bad)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
		_, err := readBytes(bad)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("got error %v; want it to wrap ErrCorrupt", err)
		}
	})
	t.Run("bit flips", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		step := 3
		if testing.Short() {
			step = 17
		}
		for i := 0; i < len(data); i += step {
			bad := bytes.Clone(data)
			bad[i] ^= 1 << rng.IntN(8)
			f, err := readBytes(bad)
			if err == nil {
				if err := f.Validate(); err != nil {
					t.Fatalf("flip at byte %d: got an invalid frame: %v", i, err)
				}
			}
		}
	})
}

func TestWriteParquetFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "train.parquet")
	want := sampleFrame()
	if err := WriteFile(path, want); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if got := info.Mode().Perm(); got != 0o644 {
		t.Errorf("got mode %v; want 0644", got)
	}
	assertDirHolds(t, dir, "train.parquet")
	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	assertSameFrame(t, got, want)
}

// assertDirHolds checks that dir holds exactly the named entries.
func assertDirHolds(tb testing.TB, dir string, names ...string) {
	tb.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatalf("ReadDir: %v", err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !equalStrings(got, names) {
		tb.Errorf("got directory entries %q; want %q", got, names)
	}
}

var errInjected = errors.New("injected write failure")

// failingWriter passes n bytes through and then fails.
type failingWriter struct {
	w io.Writer
	n int
}

func (fw *failingWriter) Write(p []byte) (int, error) {
	if len(p) > fw.n {
		k, _ := fw.w.Write(p[:fw.n])
		fw.n = 0
		return k, errInjected
	}
	fw.n -= len(p)
	return fw.w.Write(p)
}

func TestWriteParquetFileAtomic(t *testing.T) {
	badDate := randomFrame(rand.New(rand.NewPCG(9, 10)), 3*maxRowGroupRows, 1, 0, 0, 1)
	badDate.Columns[1].Num[2*maxRowGroupRows+5] = 0.5
	tests := []struct {
		name  string
		write func(path string) error
		// old is the content at path before the write, if any.
		old []byte
	}{
		{"writer fails after some bytes", func(path string) error {
			return writeFileAtomic(path, func(w io.Writer) error {
				return Write(&failingWriter{w: w, n: 1000}, sampleFrame())
			})
		}, nil},
		{"writer fails on first byte", func(path string) error {
			return writeFileAtomic(path, func(w io.Writer) error {
				return Write(&failingWriter{w: w}, sampleFrame())
			})
		}, nil},
		{"bad value after two row groups", func(path string) error {
			return WriteFile(path, badDate)
		}, nil},
		{"existing file is kept", func(path string) error {
			return WriteFile(path, &frame.Frame{})
		}, []byte("previous version")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "features.parquet")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.write(path); err == nil {
				t.Fatal("got nil error; want one")
			}
			if tt.old == nil {
				assertDirHolds(t, dir)
				return
			}
			assertDirHolds(t, dir, "features.parquet")
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.old) {
				t.Errorf("got %q at path; want the old %q", got, tt.old)
			}
		})
	}
	t.Run("rename onto a directory", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "taken")
		if err := os.MkdirAll(filepath.Join(path, "child"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, sampleFrame()); err == nil {
			t.Fatal("got nil error; want one")
		}
		assertDirHolds(t, dir, "taken")
	})
	t.Run("missing directory", func(t *testing.T) {
		err := WriteFile(filepath.Join(t.TempDir(), "no", "such", "x.parquet"), sampleFrame())
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("got error %v; want it to wrap os.ErrNotExist", err)
		}
	})
}
