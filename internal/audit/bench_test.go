package audit

import (
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// benchInput is an application about the size of a raw Lending Club row
// as JSON (about 1.2 kB).
var benchInput = func() []byte {
	var b strings.Builder
	b.WriteString("{")
	for i := range 40 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"field_%02d":"value of field %02d`+`"`, i, i)
	}
	b.WriteString("}")
	return []byte(b.String())
}()

// BenchmarkAppendAlways appends from many goroutines with SyncAlways: each
// Append waits for its fsync, shared with the records written with it.
func BenchmarkAppendAlways(b *testing.B) {
	benchAppend(b, Options{Sync: SyncAlways})
}

// BenchmarkAppendInterval appends from many goroutines with SyncInterval
// (the default 100 ms).
func BenchmarkAppendInterval(b *testing.B) {
	benchAppend(b, Options{Sync: SyncInterval})
}

func benchAppend(b *testing.B, opts Options) {
	for _, par := range []int{1, 8, 32} { // goroutines per GOMAXPROCS
		b.Run(fmt.Sprintf("goroutines=%dx", par), func(b *testing.B) {
			s, err := Open(b.TempDir(), opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Uint64
			b.ReportAllocs()
			b.SetParallelism(par)
			cpu0 := cpuTime(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rec := decision("")
				rec.Input = benchInput
				for pb.Next() {
					rec.RequestID = fmt.Sprintf("req-%d", n.Add(1))
					if err := s.Append(b.Context(), rec); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(st.Records)/float64(max(st.Syncs, 1)), "records/fsync")
			b.ReportMetric(float64(st.Records)/float64(max(st.Batches, 1)), "records/write")
		})
	}
}

// BenchmarkAppendLoaded appends from 32 goroutines that each spend about
// 20 µs of CPU before each record, as the API spends on a request: it
// shows how large the writes and fsyncs grow when the writer competes for
// the CPU with its callers, and what a record costs then (cpu-ns/op less
// that of sync=none, which spins without appending).
func BenchmarkAppendLoaded(b *testing.B) {
	for _, sync := range []SyncPolicy{"none", SyncAlways, SyncInterval} {
		b.Run("sync="+string(sync), func(b *testing.B) {
			if sync == "none" {
				b.SetParallelism(32 / max(runtime.GOMAXPROCS(0), 1))
				cpu0 := cpuTime(b)
				var spun atomic.Uint64
				b.RunParallel(func(pb *testing.PB) {
					var x uint64
					for pb.Next() {
						x = spin(x, 20000)
					}
					spun.Add(x)
				})
				b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
				return
			}
			s, err := Open(b.TempDir(), Options{Sync: sync})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			var n atomic.Uint64
			var spun atomic.Uint64
			b.ReportAllocs()
			b.SetParallelism(32 / max(runtime.GOMAXPROCS(0), 1))
			cpu0 := cpuTime(b)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rec := decision("")
				rec.Input = benchInput
				var x uint64
				for pb.Next() {
					x = spin(x, 20000)
					rec.RequestID = fmt.Sprintf("req-%d", n.Add(1))
					if err := s.Append(b.Context(), rec); err != nil {
						b.Error(err)
						return
					}
				}
				spun.Add(x)
			})
			b.StopTimer()
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
			st := s.Stats()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
			b.ReportMetric(float64(st.Records)/float64(max(st.Syncs, 1)), "records/fsync")
			b.ReportMetric(float64(st.Records)/float64(max(st.Batches, 1)), "records/write")
		})
	}
}

// spin spends about n nanoseconds of CPU.
func spin(x uint64, n int) uint64 {
	for i := range n {
		x = x*6364136223846793005 + uint64(i)
	}
	return x
}

// cpuTime returns the CPU time the process has used, user and system, on
// every thread: on a machine shared with other work it measures the cost of
// a record better than the time that passed.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkVerify reads and checks a trail of 10,000 decisions.
func BenchmarkVerify(b *testing.B) {
	dir := b.TempDir()
	s, err := Open(dir, Options{Sync: SyncInterval})
	if err != nil {
		b.Fatal(err)
	}
	rec := decision("")
	rec.Input = benchInput
	for i := range 10000 {
		rec.RequestID = fmt.Sprintf("req-%d", i)
		if err := s.Append(b.Context(), rec); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(b.Context(), dir); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(10000*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
