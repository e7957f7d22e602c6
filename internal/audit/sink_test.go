package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// openSink opens a sink on dir and closes it at the end of the test.
func openSink(t testing.TB, dir string, opts Options) *Sink {
	t.Helper()
	s, err := Open(dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// appendN appends decisions id0 … id(n-1) with the given prefix.
func appendN(t testing.TB, s *Sink, prefix string, n int) {
	t.Helper()
	for i := range n {
		if err := s.Append(t.Context(), decision(fmt.Sprintf("%s%d", prefix, i))); err != nil {
			t.Fatalf("Append %d: %v", i, err)
		}
	}
}

// records reads every record of a verified trail.
func records(t testing.TB, dir string) []Record {
	t.Helper()
	var recs []Record
	if _, err := Scan(t.Context(), dir, func(rec *Record, _ []byte) error {
		recs = append(recs, *rec)
		return nil
	}); err != nil {
		t.Fatalf("Scan: %v", err)
	}
	return recs
}

func mustVerify(t testing.TB, dir string) Summary {
	t.Helper()
	sum, err := Verify(t.Context(), dir)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return sum
}

func TestSinkAppend(t *testing.T) {
	raw := []byte("{\n  \"loan_amnt\": 10000,\n  \"term\": \" 36 months\"\n}")
	rawSum := sha256.Sum256(raw)
	tests := []struct {
		name      string
		opts      Options
		wantInput string
	}{
		{"always raw", Options{}, `{"loan_amnt":10000,"term":" 36 months"}`},
		{"always hash", Options{Inputs: InputsHash}, ""},
		{"interval raw", Options{Sync: SyncInterval, Interval: time.Millisecond}, `{"loan_amnt":10000,"term":" 36 months"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			s := openSink(t, dir, tt.opts)
			rec := decision("r1")
			rec.Input = raw
			if err := s.Append(t.Context(), rec); err != nil {
				t.Fatal(err)
			}
			rec.Input = raw
			rec.Time = time.Time{}
			rec.RequestID = "r2"
			if err := s.Append(t.Context(), rec); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			sum := mustVerify(t, dir)
			if sum.Records != 2 || sum.Decisions != 2 || sum.Segments != 1 || len(sum.Gaps) != 0 || sum.Head.Seq != 2 {
				t.Errorf("summary %+v; want 2 decisions in 1 segment", sum)
			}
			recs := records(t, dir)
			for i, r := range recs {
				if got := string(r.Input); got != tt.wantInput {
					t.Errorf("record %d input %q; want %q", i, got, tt.wantInput)
				}
				if r.InputSHA256 != hex.EncodeToString(rawSum[:]) {
					t.Errorf("record %d input_sha256 %s is not the hash of the input as received", i, r.InputSHA256)
				}
				if r.Seq != uint64(i+1) || r.Time.Location() != time.UTC {
					t.Errorf("record %d: seq %d, time %v", i, r.Seq, r.Time)
				}
			}
			if recs[0].Prev != GenesisHash || recs[1].Prev != recs[0].Hash {
				t.Errorf("chain: %s <- %s", recs[0].Prev, recs[1].Prev)
			}
			if !recs[0].Time.Equal(testTime) || recs[1].Time.Before(testTime) {
				t.Errorf("times %v, %v; want the given one, then now", recs[0].Time, recs[1].Time)
			}
			if err := s.Append(t.Context(), rec); !errors.Is(err, ErrClosed) {
				t.Errorf("Append after Close = %v; want ErrClosed", err)
			}
			if err := s.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}
		})
	}
}

func TestAppendInvalid(t *testing.T) {
	huge := decision("huge")
	huge.Input = []byte(`"` + strings.Repeat("x", MaxRecordBytes) + `"`)
	tests := []struct {
		name   string
		inputs InputMode
		rec    Record
		want   string
	}{
		{"input not JSON", InputsRaw, func() Record { r := decision("a"); r.Input = []byte(`{"a":`); return r }(), "input is not valid JSON"},
		{"input not JSON, hash only", InputsHash, func() Record { r := decision("a"); r.Input = []byte(`{"a":`); return r }(), "input is not valid JSON"},
		{"input hash mismatch", InputsRaw, func() Record { r := decision("a"); r.InputSHA256 = strings.Repeat("0", 64); return r }(), "input_sha256 is not the SHA-256 of input"},
		{"too large", InputsRaw, huge, "too large"},
		{"no request id", InputsRaw, decision(""), "request_id is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSink(t, dir, Options{Inputs: tt.inputs})
			err := s.Append(t.Context(), tt.rec)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Append = %v; want ErrInvalid mentioning %q", err, tt.want)
			}
			s.Close()
			if sum := mustVerify(t, dir); sum.Records != 0 {
				t.Errorf("%d records written", sum.Records)
			}
		})
	}
}

func TestSinkReopen(t *testing.T) {
	dir := t.TempDir()
	for round := range 3 {
		s, err := Open(dir, Options{MaxSegmentBytes: 4 << 10})
		if err != nil {
			t.Fatal(err)
		}
		if g := s.Recovered(); g != nil {
			t.Errorf("round %d: Recovered = %+v after a clean Close", round, g)
		}
		appendN(t, s, fmt.Sprintf("round%d-", round), 10)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	sum := mustVerify(t, dir)
	if sum.Decisions != 30 || sum.Segments < 3 {
		t.Errorf("summary %+v; want 30 decisions in several segments", sum)
	}
	for i, r := range records(t, dir) {
		if want := fmt.Sprintf("round%d-%d", i/10, i%10); r.RequestID != want {
			t.Fatalf("record %d is %s; want %s", i, r.RequestID, want)
		}
	}
}

func TestSinkRotation(t *testing.T) {
	now := testTime
	var mu sync.Mutex
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
	stored := decision("r00")
	inSum := sha256.Sum256(stored.Input)
	stored.InputSHA256 = hex.EncodeToString(inSum[:])
	lineLen := len(line(t, stored, 1, GenesisHash)) + 1 // as the sink writes r00
	tests := []struct {
		name     string
		opts     Options
		step     time.Duration // clock advance before each record
		n        int
		segments int
	}{
		{"by size", Options{MaxSegmentBytes: int64(3 * lineLen)}, 0, 10, 4},
		{"by size, record larger than the limit", Options{MaxSegmentBytes: 10}, 0, 3, 3},
		{"by age", Options{MaxSegmentAge: time.Hour}, 25 * time.Minute, 10, 4},
		{"no age limit", Options{MaxSegmentAge: -1}, 25 * time.Hour, 10, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.opts.Now = clock
			s := openSink(t, dir, tt.opts)
			for i := range tt.n {
				advance(tt.step)
				rec := decision(fmt.Sprintf("r%02d", i))
				rec.Time = time.Time{}
				if err := s.Append(t.Context(), rec); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			sum := mustVerify(t, dir)
			if sum.Segments != tt.segments || sum.Decisions != uint64(tt.n) {
				t.Errorf("%d decisions in %d segments; want %d in %d", sum.Decisions, sum.Segments, tt.n, tt.segments)
			}
			segs, _ := listSegments(dir)
			for _, seg := range segs[:len(segs)-1] {
				fi, err := os.Stat(filepath.Join(dir, seg.name))
				if err != nil {
					t.Fatal(err)
				}
				if max := tt.opts.MaxSegmentBytes; max > int64(lineLen) && fi.Size() > max {
					t.Errorf("%s holds %d bytes; limit %d", seg.name, fi.Size(), max)
				}
			}
		})
	}
}

// TestSinkGroupCommit appends from many goroutines under SyncAlways: every
// record is there once, the chain verifies, and far fewer fsyncs than
// records were made. Each fsync is made to take a millisecond more, as on
// a slow disk, so that the result does not depend on the speed of the
// temporary directory's fsync (none on tmpfs).
func TestSinkGroupCommit(t *testing.T) {
	const goroutines, each = 32, 100
	dir := t.TempDir()
	s := openSink(t, dir, Options{MaxSegmentBytes: 64 << 10})
	s.beforeSync = func() { time.Sleep(time.Millisecond) }
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if err := s.Append(t.Context(), decision(fmt.Sprintf("g%d-%d", g, i))); err != nil {
					t.Errorf("Append: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sum := mustVerify(t, dir)
	seen := map[string]bool{}
	for _, r := range records(t, dir) {
		if seen[r.RequestID] {
			t.Errorf("%s recorded twice", r.RequestID)
		}
		seen[r.RequestID] = true
	}
	if len(seen) != goroutines*each || sum.Decisions != goroutines*each {
		t.Errorf("%d distinct records, %d decisions; want %d", len(seen), sum.Decisions, goroutines*each)
	}
	fileSyncs := st.Syncs - uint64(sum.Segments) // a directory sync per segment created
	t.Logf("%d records, %d writes, %d fsyncs, %d segments", st.Records, st.Batches, st.Syncs, sum.Segments)
	if fileSyncs*4 > st.Records {
		t.Errorf("%d fsyncs for %d records; want group commit to share them (at most a quarter)", fileSyncs, st.Records)
	}
}

// TestInputCompact checks that an input declared compact is kept as it
// is, and that one declared compact but holding a newline is checked and
// compacted all the same.
func TestInputCompact(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	compact := `{"loan_amnt":10000,"term":" 36 months"}`
	for i, in := range []string{compact, "{\n\"loan_amnt\": 10000,\n\"term\": \" 36 months\"}"} {
		rec := decision(fmt.Sprintf("c%d", i))
		rec.Input, rec.InputCompact = []byte(in), true
		if err := s.Append(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	bad := decision("bad")
	bad.Input, bad.InputCompact = []byte("{\"a\":\n"), true
	if err := s.Append(t.Context(), bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Append of a broken input with a newline, declared compact = %v; want ErrInvalid", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, dir)
	for i, r := range records(t, dir) {
		if string(r.Input) != compact || r.InputCompact {
			t.Errorf("record %d: input %q, InputCompact %v; want %q, false", i, r.Input, r.InputCompact, compact)
		}
	}
}

// TestSinkSyncStall stalls the fsync: an Append whose context ends first
// reports that its record is written but not confirmed, and the records
// are all in the trail once the fsync goes on.
func TestSinkSyncStall(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	release := make(chan struct{})
	entered := make(chan struct{}, 8)
	s.beforeSync = func() {
		entered <- struct{}{}
		<-release
	}
	errs := make(chan error, 1)
	go func() { errs <- s.Append(context.Background(), decision("first")) }()
	<-entered // the syncer is about to fsync "first"
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Append(ctx, decision("second"))
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "not yet confirmed") {
		t.Errorf("Append during a stalled fsync = %v; want a not-confirmed deadline error", err)
	}
	if st := s.Stats(); st.Queued != 2 {
		t.Errorf("Stats.Queued = %d during the stall; want 2", st.Queued)
	}
	canceled, cancel2 := context.WithCancel(t.Context())
	cancel2()
	if err := s.Append(canceled, decision("never")); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not written") {
		t.Errorf("Append with an ended context = %v; want a not-written error", err)
	}
	close(release)
	if err := <-errs; err != nil {
		t.Errorf("Append: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range records(t, dir) {
		ids = append(ids, r.RequestID)
	}
	if got := strings.Join(ids, ","); got != "first,second" {
		t.Errorf("trail holds %s; want first,second", got)
	}
}

// TestSinkTimeout checks that Options.Timeout bounds the wait for an
// fsync as a context deadline does.
func TestSinkTimeout(t *testing.T) {
	s := openSink(t, t.TempDir(), Options{Timeout: 20 * time.Millisecond})
	release := make(chan struct{})
	s.beforeSync = func() { <-release }
	defer close(release)
	err := s.Append(context.Background(), decision("slow"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Append with a stalled fsync = %v; want the timeout", err)
	}
}

// TestSinkWriteError checks that a write error stops the sink: the Append
// that met it and every later one fail with it, Err reports it, and Close
// returns it.
func TestSinkWriteError(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "ok", 2)
	if err := s.Err(); err != nil {
		t.Fatalf("Err = %v on a working sink", err)
	}
	s.seg.Close() // the next write fails
	first := s.Append(t.Context(), decision("lost"))
	if first == nil || !errors.Is(first, os.ErrClosed) || !strings.Contains(first.Error(), SegmentName(1)) {
		t.Fatalf("Append = %v; want the write error naming the segment", first)
	}
	if err := s.Append(t.Context(), decision("later")); err != first {
		t.Errorf("later Append = %v; want %v", err, first)
	}
	if err := s.Err(); err != first {
		t.Errorf("Err = %v; want %v", err, first)
	}
	if err := s.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close = %v; want the write error", err)
	}
	if sum := mustVerify(t, dir); sum.Decisions != 2 {
		t.Errorf("%d decisions; want the 2 written before the error", sum.Decisions)
	}
}

func TestSinkInterval(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{Sync: SyncInterval, Interval: 5 * time.Millisecond})
	appendN(t, s, "i", 20)
	if st := s.Stats(); st.Records != 20 {
		t.Errorf("Stats.Records = %d; want 20", st.Records)
	}
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Syncs < 2 { // the segment's directory entry, then the interval
		if time.Now().After(deadline) {
			t.Fatal("no fsync within the interval")
		}
		time.Sleep(time.Millisecond)
	}
	// Written within FlushDelay: readable before any Close.
	if sum := mustVerify(t, dir); sum.Decisions != 20 {
		t.Errorf("%d decisions on disk before Close; want 20", sum.Decisions)
	}
	// Idle, the syncer parks; the next record wakes it and is written
	// without a Close.
	time.Sleep(20 * time.Millisecond)
	appendN(t, s, "j", 1)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if sum := mustVerify(t, dir); sum.Decisions == 21 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a record appended after an idle spell was not written")
		}
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		field string
	}{
		{"sync", Options{Sync: "sometimes"}, "Sync"},
		{"inputs", Options{Inputs: "full"}, "Inputs"},
		{"interval", Options{Interval: -time.Second}, "Interval"},
		{"segment bytes", Options{MaxSegmentBytes: -1}, "MaxSegmentBytes"},
		{"timeout", Options{Timeout: -time.Second}, "Timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "audit")
			_, err := Open(dir, tt.opts)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, ErrConfig) {
				t.Errorf("Open = %v; want a ConfigError for %s", err, tt.field)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Open with bad options made %s", dir)
			}
		})
	}
	t.Run("locked", func(t *testing.T) {
		dir := t.TempDir()
		openSink(t, dir, Options{})
		if _, err := Open(dir, Options{}); !errors.Is(err, ErrLocked) {
			t.Errorf("second Open = %v; want ErrLocked", err)
		}
	})
	t.Run("missing segment", func(t *testing.T) {
		dir := t.TempDir()
		s := openSink(t, dir, Options{MaxSegmentBytes: 10})
		appendN(t, s, "r", 3)
		s.Close()
		os.Remove(filepath.Join(dir, SegmentName(2)))
		_, err := Open(dir, Options{})
		var ve *VerifyError
		if !errors.As(err, &ve) || !errors.Is(err, ErrMissingSegment) || ve.Segment != SegmentName(2) {
			t.Errorf("Open = %v; want ErrMissingSegment naming %s", err, SegmentName(2))
		}
	})
}

// TestOpenTorn writes the bytes a crash can leave at the end of the last
// segment and checks that Open fences them off with a gap record: Verify
// fails before, at the torn bytes, and passes after, listing the gap, and
// the bytes are still there.
func TestOpenTorn(t *testing.T) {
	whole := line(t, decision("x"), 99, GenesisHash) + "\n"
	tests := []struct {
		name    string
		torn    string // appended to the last segment
		newSeg  bool   // the torn bytes are alone in a new segment
		wantErr error  // Verify before reopening
	}{
		{"half a record", whole[:len(whole)/2], false, ErrTruncated},
		{"one byte", "{", false, ErrTruncated},
		{"zeros", "\x00\x00\x00\x00", false, ErrTruncated},
		{"garbage and a torn record", "garbage\n{\"seq", false, ErrMalformed},
		{"torn record alone in a new segment", whole[:40], true, ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSink(t, dir, Options{})
			appendN(t, s, "before", 3)
			s.Close()
			seg := SegmentName(1)
			if tt.newSeg {
				seg = SegmentName(2)
			}
			path := filepath.Join(dir, seg)
			before, _ := os.ReadFile(path)
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString(tt.torn)
			f.Close()

			_, err = Verify(t.Context(), dir)
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, tt.wantErr) || ve.Segment != seg || ve.Offset != int64(len(before)) {
				t.Fatalf("Verify before reopen = %v; want %v at %s offset %d", err, tt.wantErr, seg, len(before))
			}

			s = openSink(t, dir, Options{})
			g := s.Recovered()
			wantBytes := int64(len(tt.torn)) + 1 // and the newline that ends them
			if g == nil || g.Segment != seg || g.Offset != int64(len(before)) || g.Bytes != wantBytes {
				t.Fatalf("Recovered = %+v; want %s offset %d, %d bytes", g, seg, len(before), wantBytes)
			}
			appendN(t, s, "after", 2)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			sum := mustVerify(t, dir)
			if sum.Decisions != 5 || sum.Records != 6 || len(sum.Gaps) != 1 || sum.Gaps[0] != *g {
				t.Errorf("summary %+v; want 5 decisions and the gap", sum)
			}
			after, _ := os.ReadFile(path)
			if !bytes.HasPrefix(after, append(before, tt.torn...)) {
				t.Errorf("the torn bytes were not kept")
			}
			cut := after[g.Offset : g.Offset+g.Bytes]
			if h := sha256.Sum256(cut); hex.EncodeToString(h[:]) != g.SHA256 {
				t.Errorf("gap sha256 does not match the bytes")
			}
			// A second crash after the gap is fenced off again.
			f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
			f.WriteString(`{"seq":`)
			f.Close()
			s = openSink(t, dir, Options{})
			if s.Recovered() == nil {
				t.Errorf("second torn record not found")
			}
			s.Close()
			if sum := mustVerify(t, dir); len(sum.Gaps) != 2 {
				t.Errorf("%d gaps; want 2", len(sum.Gaps))
			}
		})
	}
}

// TestOpenRefusesBroken checks that Open does not append to a last segment
// broken in a way a crash does not leave, and names where.
func TestOpenRefusesBroken(t *testing.T) {
	tests := []struct {
		name   string
		change func(b []byte) []byte
		line   int
		want   error
	}{
		{"first record changed", func(b []byte) []byte {
			return bytes.Replace(b, []byte(`"threshold":0.35`), []byte(`"threshold":0.36`), 1)
		}, 1, ErrHash},
		{"last record changed", func(b []byte) []byte {
			i := bytes.LastIndex(b, []byte(`"threshold":0.35`))
			b[i+len(`"threshold":0.3`)] = '6'
			return b
		}, 3, ErrHash},
		{"whole line of garbage at the end", func(b []byte) []byte { return append(b, "garbage\n"...) }, 4, ErrMalformed},
		{"record deleted", func(b []byte) []byte {
			i := bytes.IndexByte(b, '\n')
			j := i + 1 + bytes.IndexByte(b[i+1:], '\n')
			return append(b[:i+1], b[j+1:]...)
		}, 2, ErrSequence},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openSink(t, dir, Options{})
			appendN(t, s, "r", 3)
			s.Close()
			path := filepath.Join(dir, SegmentName(1))
			b, _ := os.ReadFile(path)
			os.WriteFile(path, tt.change(b), 0o640)
			_, err := Open(dir, Options{})
			var ve *VerifyError
			if !errors.As(err, &ve) || !errors.Is(err, tt.want) || ve.Line != tt.line {
				t.Errorf("Open = %v; want %v at line %d", err, tt.want, tt.line)
			}
		})
	}
}

// TestOpenFenceCut checks the crash that cuts Open's own fencing write
// after the newline that ends the torn bytes: the next Open fences off the
// torn bytes, the newline and the cut gap record together.
func TestOpenFenceCut(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	appendN(t, s, "r", 2)
	s.Close()
	path := filepath.Join(dir, SegmentName(1))
	before, _ := os.ReadFile(path)
	torn := "{\"seq\":3,\"ki\n{\"seq\":3,\"kind\":\"gap\",\"ti"
	os.WriteFile(path, append(before, torn...), 0o640)
	s = openSink(t, dir, Options{})
	if g := s.Recovered(); g == nil || g.Offset != int64(len(before)) || g.Bytes != int64(len(torn)+1) {
		t.Errorf("Recovered = %+v; want offset %d, %d bytes", g, len(before), len(torn)+1)
	}
	appendN(t, s, "after", 1)
	s.Close()
	if sum := mustVerify(t, dir); sum.Decisions != 3 || len(sum.Gaps) != 1 {
		t.Errorf("summary %+v", sum)
	}
}

func TestSinkAppendAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s := openSink(t, dir, Options{})
	var recs []Record
	for i := range 100 {
		r := decision(fmt.Sprintf("batch-%03d", i))
		recs = append(recs, r)
	}
	if err := s.AppendAll(t.Context(), recs); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAll(t.Context(), nil); err != nil {
		t.Errorf("AppendAll of nothing: %v", err)
	}
	st := s.Stats()
	if st.Records != 100 || st.Batches != 1 {
		t.Errorf("stats %+v; want 100 records in one write", st)
	}
	bad := []Record{decision("ok"), {Kind: KindDecision}}
	if err := s.AppendAll(t.Context(), bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("AppendAll with an invalid record: %v; want ErrInvalid", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendAll(t.Context(), recs[:1]); !errors.Is(err, ErrClosed) {
		t.Errorf("AppendAll after Close: %v; want ErrClosed", err)
	}
	got := records(t, dir)
	if len(got) != 100 {
		t.Fatalf("%d records in the trail; want 100 (the invalid batch wrote none)", len(got))
	}
	for i, r := range got {
		if want := fmt.Sprintf("batch-%03d", i); r.RequestID != want {
			t.Errorf("record %d is %s; want %s, in order", i, r.RequestID, want)
		}
	}
	mustVerify(t, dir)
}

// TestSinkGolden appends to a new trail the records of a trail written
// before the sink encoded records in the callers' goroutines (testdata):
// the lines must be byte for byte the same, the old trail must verify, and
// a sink must continue its chain.
func TestSinkGolden(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join("testdata", "trail", SegmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	r1 := decision("golden-1")
	r1.Input = []byte("{\n  \"loan_amnt\": 5875, \"term\": \" 36 months\",\n  \"emp_title\": \"Nurse \\\"RN\\\"\\n\", \"tags\": [ 1, 2.5e3, true, null ]\n}")
	r2 := decision("golden-2")
	r2.Input, r2.InputSHA256, r2.Score, r2.Reasons, r2.KeyID = nil, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", nil, nil, ""
	r2.Decision = DecisionApproved
	r3 := decision("golden-3")
	r3.Time = time.Date(2026, 12, 7, 12, 0, 3, 0, time.UTC)

	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	if err := s.AppendAll(t.Context(), []Record{r1, r2}); err != nil {
		t.Fatal(err)
	}
	if err := s.Append(t.Context(), r3); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, SegmentName(1)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, golden) {
		t.Errorf("trail:\n%s\nwant:\n%s", got, golden)
	}

	old := t.TempDir()
	if err := os.WriteFile(filepath.Join(old, SegmentName(1)), golden, 0o640); err != nil {
		t.Fatal(err)
	}
	if sum := mustVerify(t, old); sum.Records != 3 {
		t.Errorf("old trail: %d records; want 3", sum.Records)
	}
	s = openSink(t, old, Options{})
	appendN(t, s, "after", 2)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if sum := mustVerify(t, old); sum.Records != 5 || sum.Head.Seq != 5 {
		t.Errorf("old trail continued: %+v; want 5 records", sum)
	}
}
