package parquetfile

import (
	"bytes"
	"fmt"
	"github.com/credit-risk/credit-risk/internal/frame"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchSizes are the row counts of the Parquet benchmarks: 40 numeric and
// 8 categorical columns, the shape of the Lending Club feature table.
var benchSizes = []int{10_000, 100_000, 1_000_000}

// benchFrame returns n rows of 40 numeric columns (half continuous, half
// small integers) and 8 categorical columns of 12 levels, 5% missing.
func benchFrame(n int) *frame.Frame {
	return randomFrame(rand.New(rand.NewPCG(1, uint64(n))), n, 40, 8, 12, 0)
}

// frameBytes is the in-memory size of f's values: 8 bytes per number and 4
// per categorical code.
func frameBytes(f *frame.Frame) int64 {
	var n int64
	for _, c := range f.Columns {
		if c.Kind == frame.Categorical {
			n += 4 * int64(len(c.Codes))
		} else {
			n += 8 * int64(len(c.Num))
		}
	}
	return n
}

// heapPeak samples the heap while a benchmark runs and reports the highest
// heap in use above the level at start, in MB per operation's worth of work.
type heapPeak struct {
	stop chan struct{}
	done sync.WaitGroup
	base uint64
	peak uint64
}

const heapMetric = "/memory/classes/heap/objects:bytes"

func readHeap(s []metrics.Sample) uint64 {
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func startHeapPeak() *heapPeak {
	runtime.GC()
	h := &heapPeak{stop: make(chan struct{})}
	s := []metrics.Sample{{Name: heapMetric}}
	h.base = readHeap(s)
	h.peak = h.base
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
				h.peak = max(h.peak, readHeap(s))
			}
		}
	}()
	return h
}

// report stops sampling and reports the peak extra heap and the process's
// peak resident set size so far.
func (h *heapPeak) report(b *testing.B) {
	close(h.stop)
	h.done.Wait()
	b.ReportMetric(float64(h.peak-h.base)/(1<<20), "peak-heap-MB")
	if rss, ok := peakRSS(); ok {
		b.ReportMetric(float64(rss)/(1<<20), "maxRSS-MB")
	}
}

// peakRSS returns the process's peak resident set size from /proc.
func peakRSS() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}

func BenchmarkWriteParquet(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			f := benchFrame(n)
			b.ReportAllocs()
			b.SetBytes(frameBytes(f))
			h := startHeapPeak()
			var written int64
			for b.Loop() {
				cw := &countingWriter{}
				if err := Write(cw, f); err != nil {
					b.Fatal(err)
				}
				written = cw.n
			}
			h.report(b)
			b.ReportMetric(float64(written)/(1<<20), "file-MB")
		})
	}
}

func BenchmarkReadParquet(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprintf("rows=%d", n), func(b *testing.B) {
			var buf bytes.Buffer
			if err := Write(&buf, benchFrame(n)); err != nil {
				b.Fatal(err)
			}
			data := buf.Bytes()
			b.ReportAllocs()
			b.SetBytes(int64(n) * (40*8 + 8*4))
			h := startHeapPeak()
			for b.Loop() {
				if _, err := Read(bytes.NewReader(data), int64(len(data))); err != nil {
					b.Fatal(err)
				}
			}
			h.report(b)
		})
	}
}

// countingWriter discards what is written and counts the bytes.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)
