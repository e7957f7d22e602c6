package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// SyncPolicy says when appended records are made durable.
type SyncPolicy string

// The sync policies.
const (
	// SyncAlways: Append returns once the record is written and fsynced.
	// Records appended while an fsync is under way share the next write
	// and fsync (group commit).
	SyncAlways SyncPolicy = "always"
	// SyncInterval: Append returns once the record is chained, in the
	// sink's buffer; the buffer is written to the segment file within
	// FlushDelay (sooner once it holds FlushBytes) and the file is fsynced
	// every Options.Interval. A crash of the process can lose the records
	// confirmed during the last FlushDelay; a crash of the machine or a
	// power loss those confirmed during the last interval, and leave the
	// last one torn. Whatever is lost is lost from the end: the records
	// that remain are every one confirmed before them, in order.
	SyncInterval SyncPolicy = "interval"
)

// InputMode says how the application is kept.
type InputMode string

// The input modes.
const (
	// InputsRaw keeps the application as received, and its SHA-256.
	InputsRaw InputMode = "raw"
	// InputsHash keeps only the SHA-256 of the application as received.
	InputsHash InputMode = "hash"
)

// Defaults of Options.
const (
	DefaultInterval        = 100 * time.Millisecond
	DefaultMaxSegmentBytes = 64 << 20
	DefaultMaxSegmentAge   = 24 * time.Hour
)

// Under SyncInterval, the buffered records are written at least every
// FlushDelay, and at once when they reach FlushBytes.
const (
	FlushDelay = time.Millisecond
	FlushBytes = 64 << 10
)

// Options configure a Sink. The zero value is usable: every field has a
// default.
type Options struct {
	// Sync is the sync policy; "" means SyncAlways.
	Sync SyncPolicy
	// Interval is how often SyncInterval fsyncs; 0 means DefaultInterval.
	Interval time.Duration
	// MaxSegmentBytes is the size at which a segment is closed and the next
	// one started: a record that would take a non-empty segment past it
	// goes to a new segment. 0 means DefaultMaxSegmentBytes.
	MaxSegmentBytes int64
	// MaxSegmentAge closes a segment whose first record is this old when
	// the next record comes; 0 means DefaultMaxSegmentAge, a negative value
	// no limit.
	MaxSegmentAge time.Duration
	// Inputs is how applications are kept; "" means InputsRaw.
	Inputs InputMode
	// Timeout, when positive, bounds how long Append and AppendAll wait
	// for their records' fsync (SyncAlways), as a deadline on their
	// context would; 0 means only the context bounds it.
	Timeout time.Duration
	// Logger receives the sink's warnings (a torn record found at Open) and
	// errors; nil discards them.
	Logger *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Errors of Open, Append and Close.
var (
	// ErrConfig is wrapped by every *ConfigError.
	ErrConfig = errors.New("audit: invalid options")
	// ErrClosed is returned by Append after Close.
	ErrClosed = errors.New("audit: sink closed")
	// ErrLocked: another sink, in this process or another, has the
	// directory open.
	ErrLocked = errors.New("audit: directory in use by another sink")
)

// ConfigError is an Options field that cannot be used.
type ConfigError struct {
	Field string // the Options field
	Value string // its value
	Err   error  // what is wrong with it
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("audit: options: %s=%q: %v", e.Field, e.Value, e.Err)
}

// Unwrap returns ErrConfig and the cause.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }

// withDefaults fills in the defaults and checks the values.
func (o Options) withDefaults() (Options, error) {
	switch o.Sync {
	case "":
		o.Sync = SyncAlways
	case SyncAlways, SyncInterval:
	default:
		return o, &ConfigError{"Sync", string(o.Sync), errors.New("want always or interval")}
	}
	switch o.Inputs {
	case "":
		o.Inputs = InputsRaw
	case InputsRaw, InputsHash:
	default:
		return o, &ConfigError{"Inputs", string(o.Inputs), errors.New("want raw or hash")}
	}
	if o.Interval < 0 {
		return o, &ConfigError{"Interval", o.Interval.String(), errors.New("negative")}
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Timeout < 0 {
		return o, &ConfigError{"Timeout", o.Timeout.String(), errors.New("negative")}
	}
	if o.MaxSegmentBytes < 0 {
		return o, &ConfigError{"MaxSegmentBytes", fmt.Sprint(o.MaxSegmentBytes), errors.New("negative")}
	}
	if o.MaxSegmentBytes == 0 {
		o.MaxSegmentBytes = DefaultMaxSegmentBytes
	}
	if o.MaxSegmentAge == 0 {
		o.MaxSegmentAge = DefaultMaxSegmentAge
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o, nil
}

// Sink appends decision records to the segment files of one directory. It
// is safe for concurrent use. Append chains its record itself, under a
// mutex, into the sink's buffer (the record's encoding is done before, in
// parallel); one goroutine writes the buffer and fsyncs. Under SyncAlways
// it writes and fsyncs as soon as there is something to, and the callers
// wait for the fsync that covers their records: whatever is appended
// during an fsync shares the next one (group commit), without a handoff
// of each record to a writer. Under SyncInterval it writes the buffer
// every FlushDelay and fsyncs every interval, and nobody waits.
//
// A write or fsync error stops the sink for good: the Appends waiting and
// every later one return it (an fsync that failed cannot be retried
// safely). Opening the directory again repairs what a crash left.
type Sink struct {
	dir  string
	opts Options
	kick chan struct{} // capacity 1: wakes the syncer (SyncAlways)
	stop chan struct{}
	done chan struct{} // closed when the syncer has returned
	lock *os.File

	mu        sync.RWMutex // held for reading while appending, for writing by Close
	closed    bool
	closeOnce sync.Once
	closeErr  error

	recovered *Gap

	records, batches, syncs atomic.Uint64
	pending                 atomic.Int64 // records chained and not yet durable (SyncAlways) or written (SyncInterval)

	// wmu serialises chaining and writing; the syncer holds segMu, not
	// wmu, while it fsyncs, so that appending goes on.
	wmu sync.Mutex

	segMu sync.Mutex
	seg   *os.File
	segN  int

	dirty atomic.Bool // written since the last fsync (SyncInterval)

	errMu sync.Mutex
	err   error // the first write or sync error; the sink stops

	// requests holds *request values for reuse, with their buffers;
	// timers stopped *time.Timer values (Options.Timeout).
	requests, timers sync.Pool

	// Held with wmu.
	segSize  int64 // bytes written to the current segment
	segStart time.Time
	seq      uint64                // the last record's seq
	prev     [2 * sha256.Size]byte // the last record's hash, in hex
	buf      []byte                // chained lines not yet written, all of the current segment
	// epoch is closed once the records chained into it are durable, or
	// the sink failed (SyncAlways); the syncer starts a new one with each
	// fsync.
	epoch    chan struct{}
	unsynced int // records chained into epoch

	// beforeSync, when set before the first Append, runs in the syncer
	// before each fsync of SyncAlways (tests stall it with it).
	beforeSync func()
}

// request is one record, encoded but for the fields that depend on its
// place in the chain (seq, prev and hash).
type request struct {
	buf  []byte // holds head and tail (after the compacted input)
	head []byte // the record's appendKindTime
	tail []byte // the record's appendFields
}

// maxPooledBuf bounds the buffers kept in Sink.requests.
const maxPooledBuf = 64 << 10

// newRequest returns an unused request.
func (s *Sink) newRequest() *request { return s.requests.Get().(*request) }

// reuse puts back a request once it is chained, or failed.
func (s *Sink) reuse(req *request) {
	if cap(req.buf) > maxPooledBuf {
		req.buf = nil
	}
	req.head, req.tail = nil, nil
	s.requests.Put(req)
}

// lineOverhead is the most chaining adds to a request's head and tail:
// seq, prev's value, the hash field, the closing brace and the newline.
const lineOverhead = len(`{"seq":18446744073709551615""`) + 2*sha256.Size + len(`,"hash":""}`) + 2*sha256.Size + 1

// Stats are the sink's counters since Open, and the records in flight.
type Stats struct {
	Records uint64 // records chained, gap records included
	Batches uint64 // write calls, each holding one or more records
	Syncs   uint64 // fsyncs: of segment files, and of the directory when a segment is created
	Queued  int    // records chained and not yet on disk (SyncAlways) or not yet written (SyncInterval)
}

// Open opens the trail in dir for appending, creating dir when needed. It
// continues the chain from the last whole record. When the last segment
// ends with bytes that are not a whole record (a record torn by a crash),
// they are kept as they are, ended with a newline, and a gap record naming
// their segment, offset, length and SHA-256 is written and synced first;
// Recovered returns it and Options.Logger logs it. Open refuses, with a
// *VerifyError, a directory whose last segment is broken in any other way
// (whole lines that are not records, which a crash does not leave) or
// whose segment numbers skip, and, with ErrLocked, one that another sink
// holds.
func Open(dir string, opts Options) (*Sink, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := mkdir(dir); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("audit: open %s: %w", dir, err)
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("audit: open %s: %w", dir, ErrLocked)
		}
		return nil, fmt.Errorf("audit: lock %s: %w", dir, err)
	}
	s := &Sink{
		dir: dir, opts: opts, lock: lock,
		kick:  make(chan struct{}, 1),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
		epoch: make(chan struct{}),
	}
	s.requests.New = func() any { return &request{buf: make([]byte, 0, 4096)} }
	s.timers.New = func() any {
		t := time.NewTimer(time.Hour)
		t.Stop()
		return t
	}
	if err := s.recover(); err != nil {
		if s.seg != nil {
			s.seg.Close()
		}
		lock.Close()
		return nil, fmt.Errorf("audit: open %s: %w", dir, err)
	}
	if opts.Sync == SyncInterval {
		go s.syncEvery(opts.Interval)
	} else {
		go s.syncAlways()
	}
	return s, nil
}

// mkdir creates dir when it is missing and makes its entry durable.
func mkdir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return syncDir(filepath.Dir(filepath.Clean(dir)))
}

// Recovered returns the gap record Open wrote for a torn record, or nil.
func (s *Sink) Recovered() *Gap { return s.recovered }

// Err returns the write or fsync error that stopped the sink, or nil while
// it works: a readiness check can report it.
func (s *Sink) Err() error { return s.failure() }

// Stats returns the sink's counters and the records in flight.
func (s *Sink) Stats() Stats {
	return Stats{Records: s.records.Load(), Batches: s.batches.Load(), Syncs: s.syncs.Load(), Queued: int(s.pending.Load())}
}

// Append records a decision. It fills in Kind (KindDecision), Time (now,
// when zero), InputSHA256 (from Input) and, under InputsHash, drops Input;
// the sink sets Seq, Prev and Hash. Under SyncAlways it returns nil only
// once the record is on disk, under SyncInterval once it is chained in the
// sink's buffer (see SyncInterval).
//
// When ctx ends (or Options.Timeout passes) before the record's fsync,
// Append returns an error wrapping ctx.Err(); the record was chained and
// is still written. A record is not chained when ctx has ended already.
// An invalid record wraps ErrInvalid; after Close, Append returns
// ErrClosed.
func (s *Sink) Append(ctx context.Context, rec Record) error {
	req := s.newRequest()
	if err := s.prepare(&rec, req); err != nil {
		s.reuse(req)
		return err
	}
	return s.append(ctx, rec.RequestID, []*request{req})
}

// AppendAll appends recs in order, as Append does each, and returns once
// every one is on disk (SyncAlways) or chained (SyncInterval): the records
// of a batch of decisions are chained together and share one fsync. It
// returns the first error; none is chained when one is invalid. recs is
// not changed.
func (s *Sink) AppendAll(ctx context.Context, recs []Record) error {
	if len(recs) == 0 {
		return nil
	}
	reqs := make([]*request, len(recs))
	for i := range recs {
		reqs[i] = s.newRequest()
		rec := recs[i]
		if err := s.prepare(&rec, reqs[i]); err != nil {
			for _, req := range reqs[:i+1] {
				s.reuse(req)
			}
			return err
		}
	}
	return s.append(ctx, recs[0].RequestID, reqs)
}

// append chains prepared records, in order, and under SyncAlways waits for
// the fsync that covers them. id names the first in errors.
func (s *Sink) append(ctx context.Context, id string, reqs []*request) error {
	defer func() {
		for _, req := range reqs {
			s.reuse(req)
		}
	}()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("audit: record %s not written: %w", id, err)
	}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return ErrClosed
	}
	s.wmu.Lock()
	err := s.failure()
	now := s.opts.Now()
	for _, req := range reqs {
		if err != nil {
			break
		}
		err = s.chain(req, now)
	}
	if err == nil && len(s.buf) >= FlushBytes {
		err = s.flushBuffer()
	}
	epoch := s.epoch
	if err == nil {
		s.unsynced += len(reqs)
		s.pending.Add(int64(len(reqs)))
	}
	s.wmu.Unlock()
	s.mu.RUnlock()
	if err != nil {
		return err
	}
	select {
	case s.kick <- struct{}{}:
	default: // the syncer has been woken already
	}
	if s.opts.Sync == SyncInterval {
		return nil
	}
	var timeout <-chan time.Time // Options.Timeout: a pooled timer, cheaper than a context
	if s.opts.Timeout > 0 {
		t := s.timers.Get().(*time.Timer)
		t.Reset(s.opts.Timeout)
		defer func() {
			t.Stop()
			s.timers.Put(t)
		}()
		timeout = t.C
	}
	select {
	case <-epoch:
		return s.failure()
	case <-ctx.Done():
		return fmt.Errorf("audit: record %s written, not yet confirmed on disk: %w", id, ctx.Err())
	case <-timeout:
		return fmt.Errorf("audit: record %s written, not yet confirmed on disk within %v: %w", id, s.opts.Timeout, context.DeadlineExceeded)
	}
}

// prepare validates rec, fills in what Append fills in, and encodes it
// into req, in the caller's goroutine: all of the record's line but what
// depends on its place in the chain, which chain adds. req holds
// nothing of rec, which the caller may reuse once Append returns.
func (s *Sink) prepare(rec *Record, req *request) error {
	if rec.Kind == "" {
		rec.Kind = KindDecision
	}
	if rec.Time.IsZero() {
		rec.Time = s.opts.Now()
	}
	rec.Time = rec.Time.UTC()
	rec.Seq, rec.Prev, rec.Hash, rec.Gap = 0, "", "", nil
	if err := validate(rec); err != nil {
		return err
	}
	b := req.buf[:0]
	if rec.Input != nil {
		sum := sha256.Sum256(rec.Input)
		var h [2 * sha256.Size]byte
		hex.Encode(h[:], sum[:])
		if rec.InputSHA256 != "" && rec.InputSHA256 != string(h[:]) {
			return fmt.Errorf("%w: input_sha256 is not the SHA-256 of input", ErrInvalid)
		}
		rec.InputSHA256 = string(h[:])
		// The compacted input goes first in the buffer; head and tail,
		// which hold a copy of it under InputsRaw, follow.
		if rec.InputCompact && bytes.IndexByte(rec.Input, '\n') < 0 {
			b = append(b, rec.Input...)
		} else {
			var err error
			if b, err = appendCompact(b, rec.Input); err != nil {
				return fmt.Errorf("%w: input is not valid JSON: %v", ErrInvalid, err)
			}
		}
		rec.Input = b
		if s.opts.Inputs == InputsHash {
			rec.Input, b = nil, b[:0]
		}
	}
	start := len(b)
	b = appendKindTime(b, rec)
	mid := len(b)
	b, err := appendFields(b, rec)
	if err != nil {
		// validate makes this unreachable.
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	req.buf = b
	if n := len(b) - start + lineOverhead; n > MaxRecordBytes {
		return fmt.Errorf("%w: record %s is too large (a line of %d bytes; the limit is %d)", ErrInvalid, rec.RequestID, n, MaxRecordBytes)
	}
	req.head, req.tail = b[start:mid], b[mid:]
	return nil
}

// Close stops accepting records, writes and fsyncs those chained, and closes
// the files. It returns the sink's write error, if any.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Sink) close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	close(s.stop)
	<-s.done
	s.wmu.Lock()
	s.flushBuffer()
	s.wmu.Unlock()
	err := s.failure()
	if s.seg != nil {
		if err == nil {
			if serr := s.seg.Sync(); serr != nil {
				err = fmt.Errorf("audit: sync %s: %w", SegmentName(s.segN), serr)
			} else {
				s.syncs.Add(1)
			}
		}
		if cerr := s.seg.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("audit: close %s: %w", SegmentName(s.segN), cerr)
		}
	}
	s.lock.Close() // releases the lock
	return err
}

// syncAlways is the syncer goroutine of SyncAlways: woken by an Append,
// it writes the buffer, fsyncs, and releases the callers waiting on the
// epoch the fsync covers, then goes on at once if records were chained
// meanwhile.
func (s *Sink) syncAlways() {
	defer close(s.done)
	for {
		select {
		case <-s.kick:
			// An fsync costs much more than a record: let the callers
			// that are ready to run chain theirs first, while more come,
			// so that it covers them all.
			for range maxSyncGather {
				n := s.pending.Load()
				runtime.Gosched()
				if s.pending.Load() == n {
					break
				}
			}
			s.syncEpoch()
		case <-s.stop:
			// Close holds no reader any more: nothing new is chained.
			s.syncEpoch()
			return
		}
	}
}

// maxSyncGather bounds how many times the syncer lets callers run before
// an fsync.
const maxSyncGather = 4

// syncEpoch writes the buffer and fsyncs the current segment, then closes
// the epoch of the records chained before it (SyncAlways).
func (s *Sink) syncEpoch() {
	s.wmu.Lock()
	if s.unsynced == 0 {
		s.wmu.Unlock()
		return
	}
	epoch, n := s.epoch, s.unsynced
	s.epoch, s.unsynced = make(chan struct{}), 0
	err := s.flushBuffer()
	s.wmu.Unlock()
	if err == nil {
		if s.beforeSync != nil {
			s.beforeSync()
		}
		s.segMu.Lock()
		if s.failure() == nil {
			s.sync() // an error stops the sink
		}
		s.segMu.Unlock()
	}
	s.pending.Add(-int64(n))
	close(epoch) // the waiters read the sink's error, if any
}

// syncEvery is the syncer goroutine of SyncInterval: it writes the
// buffered records every FlushDelay, and fsyncs the current segment every
// interval when it was written to, while appending goes on. Once nothing
// is buffered or unsynced it parks until the next Append kicks it, so an
// idle server does not wake every millisecond.
func (s *Sink) syncEvery(interval time.Duration) {
	defer close(s.done)
	tick := min(FlushDelay, interval)
	t := time.NewTicker(tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case now := <-t.C:
			s.wmu.Lock()
			n := s.unsynced
			s.unsynced = 0
			s.flushBuffer()
			s.wmu.Unlock()
			s.pending.Add(-int64(n))
			if now.Sub(last) >= interval {
				last = now
				if s.dirty.Swap(false) {
					s.segMu.Lock()
					if s.seg != nil && s.failure() == nil {
						s.sync() // an error stops the sink
					}
					s.segMu.Unlock()
				}
			}
			if n > 0 || s.dirty.Load() {
				continue
			}
			// Idle: park until a record comes. A kick left from before
			// is dropped first; one sent after the buffer was found empty
			// wakes the syncer at once.
			t.Stop()
			select {
			case <-s.kick:
			default:
			}
			s.wmu.Lock()
			idle := s.unsynced == 0
			s.wmu.Unlock()
			if idle {
				select {
				case <-s.kick:
				case <-s.stop:
					return
				}
			}
			t.Reset(tick)
		case <-s.stop:
			return
		}
	}
}

// chain appends req's line, chained to the last record, to the buffer.
// When the line would take the current segment past its size or age, the
// buffer before it is written and the next segment started first.
func (s *Sink) chain(req *request, now time.Time) error {
	start := len(s.buf)
	s.seq++
	s.buf = appendChained(s.buf, s.seq, &s.prev, req.head, req.tail)
	if size := s.segSize + int64(start); size > 0 &&
		(size+int64(len(s.buf)-start) > s.opts.MaxSegmentBytes ||
			s.opts.MaxSegmentAge > 0 && now.Sub(s.segStart) >= s.opts.MaxSegmentAge) {
		if err := s.flush(s.buf[:start]); err != nil {
			return err
		}
		if err := s.rotate(now); err != nil {
			return err
		}
		s.buf = s.buf[:copy(s.buf, s.buf[start:])]
	} else if size == 0 {
		s.segStart = now
	}
	s.records.Add(1)
	return nil
}

// flushBuffer writes the buffer to the current segment and empties it.
// A sink that failed writes nothing more.
func (s *Sink) flushBuffer() error {
	if len(s.buf) == 0 {
		return nil
	}
	if err := s.failure(); err != nil {
		s.buf = s.buf[:0]
		return err
	}
	err := s.flush(s.buf)
	s.buf = s.buf[:0]
	if err == nil {
		s.dirty.Store(true)
	}
	return err
}

// sync makes the current segment durable (fdatasync).
func (s *Sink) sync() error {
	if err := datasync(s.seg); err != nil {
		return s.fail(fmt.Errorf("sync: %w", err))
	}
	s.syncs.Add(1)
	return nil
}

// datasync makes f's data durable, and the metadata needed to read it
// back (its size), as fsync does for a file only appended to, without
// waiting for its times to be written too.
func datasync(f *os.File) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := sc.Control(func(fd uintptr) {
		for {
			if serr = syscall.Fdatasync(int(fd)); serr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}

// setHead makes h the record the next one is chained to.
func (s *Sink) setHead(h Head) error {
	if !isHexSHA256(h.Hash) {
		return fmt.Errorf("audit: the last record's hash %q is not a SHA-256", h.Hash)
	}
	s.seq = h.Seq
	copy(s.prev[:], h.Hash)
	return nil
}

// flush writes b to the current segment.
func (s *Sink) flush(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := s.seg.Write(b)
	s.segSize += int64(n)
	if err != nil {
		return s.fail(fmt.Errorf("write: %w", err))
	}
	s.batches.Add(1)
	return nil
}

// rotate syncs and closes the current segment and starts the next.
func (s *Sink) rotate(now time.Time) error {
	s.segMu.Lock()
	defer s.segMu.Unlock()
	if err := s.seg.Sync(); err != nil {
		return s.fail(fmt.Errorf("sync: %w", err))
	}
	s.syncs.Add(1)
	if err := s.seg.Close(); err != nil {
		return s.fail(fmt.Errorf("close: %w", err))
	}
	s.seg = nil
	if err := s.create(s.segN + 1); err != nil {
		return s.fail(err)
	}
	s.segStart = now
	return nil
}

// create starts segment n and makes its directory entry durable.
func (s *Sink) create(n int) error {
	f, err := os.OpenFile(filepath.Join(s.dir, SegmentName(n)), os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("create segment: %w", err)
	}
	s.seg, s.segN, s.segSize = f, n, 0
	if err := syncDir(s.dir); err != nil {
		return err
	}
	s.syncs.Add(1)
	return nil
}

// fail makes err the sink's error, unless it has one already, and returns
// the sink's error. It is called with wmu held, or by the syncer with
// segMu held.
func (s *Sink) fail(err error) error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	if s.err == nil {
		s.err = fmt.Errorf("audit: %s: %w", SegmentName(s.segN), err)
		s.opts.Logger.Error("audit trail stopped", "dir", s.dir, "err", s.err)
	}
	return s.err
}

// failure returns the sink's error.
func (s *Sink) failure() error {
	s.errMu.Lock()
	defer s.errMu.Unlock()
	return s.err
}

// syncDir fsyncs a directory so that entries made in it are durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("audit: sync %s: %w", dir, err)
	}
	return nil
}
