package logbuf

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a writer that remembers each Write call.
type recorder struct {
	mu     sync.Mutex
	writes []string
	err    error
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.writes = append(r.writes, string(p))
	return len(p), r.err
}

func (r *recorder) all() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.writes, "")
}

func (r *recorder) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.writes)
}

func TestWriter(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		records   []string
		wantCalls int // underlying writes after Close
	}{
		{"batched", 100, []string{"a\n", "b\n", "c\n"}, 1},
		{"flush when full", 6, []string{"aa\n", "bb\n", "cc\n"}, 2},
		{"large record written directly", 4, []string{"a\n", "0123456789\n", "b\n"}, 3},
		{"nothing", 10, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{}
			w := New(rec, tt.size, time.Hour)
			for _, r := range tt.records {
				if n, err := w.Write([]byte(r)); n != len(r) || err != nil {
					t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(r))
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			if got, want := rec.all(), strings.Join(tt.records, ""); got != want {
				t.Errorf("output %q; want %q", got, want)
			}
			if got := rec.calls(); got != tt.wantCalls {
				t.Errorf("%d writes; want %d", got, tt.wantCalls)
			}
			for _, wr := range rec.writes {
				if !strings.HasSuffix(wr, "\n") {
					t.Errorf("write %q splits a record", wr)
				}
			}
		})
	}
}

func TestWriterInterval(t *testing.T) {
	rec := &recorder{}
	w := New(rec, 1<<10, 10*time.Millisecond)
	defer w.Close()
	w.Write([]byte("tick\n"))
	deadline := time.Now().Add(2 * time.Second)
	for rec.all() != "tick\n" {
		if time.Now().After(deadline) {
			t.Fatalf("record not flushed by the interval")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWriterErrors(t *testing.T) {
	rec := &recorder{err: errors.New("disk full")}
	w := New(rec, 1<<10, time.Hour)
	if _, err := w.Write([]byte("x\n")); err != nil {
		t.Errorf("Write = %v; want nil (errors are kept for Flush)", err)
	}
	if err := w.Flush(); err == nil || err.Error() != "disk full" {
		t.Errorf("Flush = %v; want disk full", err)
	}
	w.Close()
	if _, err := w.Write([]byte("y\n")); !errors.Is(err, ErrClosed) {
		t.Errorf("Write after Close = %v; want ErrClosed", err)
	}
	if err := w.Close(); err == nil {
		t.Errorf("second Close = nil; want the kept error")
	}
}

func TestWriterConcurrent(t *testing.T) {
	var buf bytes.Buffer
	var mu sync.Mutex
	w := New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), 256, time.Millisecond)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				fmt.Fprintf(w, "goroutine %d record %d\n", g, i)
			}
		})
	}
	wg.Wait()
	w.Close()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2000 {
		t.Fatalf("%d lines; want 2000", len(lines))
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "goroutine ") {
			t.Fatalf("torn line %q", l)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func BenchmarkWrite(b *testing.B) {
	for _, size := range []int{100, 400} {
		b.Run(fmt.Sprintf("record=%d", size), func(b *testing.B) {
			w := New(writerFunc(func(p []byte) (int, error) { return len(p), nil }), 0, 0)
			defer w.Close()
			rec := []byte(strings.Repeat("x", size-1) + "\n")
			b.ReportAllocs()
			for b.Loop() {
				w.Write(rec)
			}
		})
	}
}
