package logbuf

import (
	"errors"
	"io"
	"sync"
	"time"
)

// Defaults of New.
const (
	DefaultSize     = 64 << 10
	DefaultInterval = time.Second
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("logbuf: writer closed")

// Writer buffers whole records for an underlying writer. It is safe for
// concurrent use. Create it with New and Close it to flush what is left.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	size   int
	err    error // the first write error, reported by Flush and Close
	closed bool

	stop chan struct{}
	done chan struct{}
}

// New returns a Writer that writes to w when size bytes are buffered, and
// every interval in a background goroutine. size <= 0 means DefaultSize and
// interval <= 0 means DefaultInterval.
func New(w io.Writer, size int, interval time.Duration) *Writer {
	if size <= 0 {
		size = DefaultSize
	}
	if interval <= 0 {
		interval = DefaultInterval
	}
	b := &Writer{w: w, buf: make([]byte, 0, size), size: size, stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop(interval)
	return b
}

func (b *Writer) loop(interval time.Duration) {
	defer close(b.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case <-b.stop:
			return
		}
	}
}

// Write buffers p as one record. A record that does not fit in the buffer
// first flushes it; a record larger than the buffer is written directly.
// Write never returns the underlying writer's error (logging must not fail
// a request); Flush and Close do.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, ErrClosed
	}
	if len(b.buf)+len(p) > b.size {
		b.flushLocked()
	}
	if len(p) > b.size {
		b.writeLocked(p)
		return len(p), nil
	}
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// Flush writes the buffered records and returns the first write error seen
// so far.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	return b.err
}

func (b *Writer) flushLocked() {
	if len(b.buf) > 0 {
		b.writeLocked(b.buf)
		b.buf = b.buf[:0]
	}
}

func (b *Writer) writeLocked(p []byte) {
	if _, err := b.w.Write(p); err != nil && b.err == nil {
		b.err = err
	}
}

// Close stops the background flushes, writes what is buffered and returns
// the first write error seen. Writes after Close fail with ErrClosed.
func (b *Writer) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return b.err
	}
	b.closed = true
	b.mu.Unlock()
	close(b.stop)
	<-b.done
	return b.Flush()
}
