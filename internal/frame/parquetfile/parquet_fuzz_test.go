package parquetfile

import (
	"bytes"
	"errors"
	"github.com/credit-risk/credit-risk/internal/frame"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// fuzzSeeds returns small valid files written by Write and by Arrow,
// and truncated and bit-flipped variants of them.
func fuzzSeeds(tb testing.TB) [][]byte {
	tb.Helper()
	nan := math.NaN()
	var valid [][]byte
	for _, f := range []*frame.Frame{
		sampleFrame(),
		{Columns: []*frame.Column{{Name: "x", Kind: frame.Numeric, Num: []float64{}}}},
		{Columns: []*frame.Column{{Name: "c", Kind: frame.Categorical, Codes: []int32{-1, -1}, Levels: []string{"a"}}}},
		{Columns: []*frame.Column{{Name: "d", Kind: frame.Date, Num: []float64{-1, nan, 19000}}}},
		randomFrame(rand.New(rand.NewPCG(11, 12)), 40, 1, 1, 3, 1),
	} {
		valid = append(valid, writeBytes(tb, f))
	}
	for _, name := range []string{"arrow_required.parquet", "arrow_v2.parquet", "arrow_timestamp.parquet", "arrow_list.parquet", "corrupt_rle_run.parquet"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			tb.Fatalf("ReadFile: %v", err)
		}
		valid = append(valid, data)
	}
	seeds := valid
	rng := rand.New(rand.NewPCG(13, 14))
	for _, data := range valid {
		seeds = append(seeds, data[:len(data)/2], data[:len(data)-1], data[4:])
		for range 4 {
			bad := bytes.Clone(data)
			bad[rng.IntN(len(bad))] ^= 1 << rng.IntN(8)
			seeds = append(seeds, bad)
		}
	}
	return seeds
}

// maxFuzzAlloc bounds what reading one fuzzed file may allocate: the
// seeds are a few kilobytes, so anything near this is a count the file's
// bytes cannot back.
const maxFuzzAlloc = 64 << 20

// FuzzReadParquet checks that Read never panics nor allocates more than
// maxFuzzAlloc, and that whatever it accepts is a valid frame that
// survives a write and a second read.
func FuzzReadParquet(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		got, err := readBytes(data)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > maxFuzzAlloc {
			t.Fatalf("reading %d bytes allocated %d MB (error %v); want at most %d MB", len(data), n>>20, err, maxFuzzAlloc>>20)
		}
		if err != nil {
			return
		}
		if err := got.Validate(); err != nil {
			t.Fatalf("Read returned an invalid frame: %v", err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, got); err != nil {
			if errors.Is(err, ErrNoColumns) || errors.Is(err, ErrInvalidValue) {
				return
			}
			t.Fatalf("Write of a frame read back: %v", err)
		}
		again, err := readBytes(buf.Bytes())
		if err != nil {
			t.Fatalf("Read of a rewritten file: %v", err)
		}
		assertSameFrame(t, again, got)
	})
}
