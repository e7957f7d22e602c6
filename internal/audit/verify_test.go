package audit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// trailLine is one line of a segment file.
type trailLine struct {
	off  int64
	text string // with its newline
}

// segLines reads a segment's lines.
func segLines(t testing.TB, dir string, n int) []trailLine {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, SegmentName(n)))
	if err != nil {
		t.Fatal(err)
	}
	var lines []trailLine
	off := int64(0)
	for l := range strings.Lines(string(b)) {
		lines = append(lines, trailLine{off, l})
		off += int64(len(l))
	}
	return lines
}

func writeSeg(t testing.TB, dir string, n int, lines []trailLine) {
	t.Helper()
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(l.text)
	}
	if err := os.WriteFile(filepath.Join(dir, SegmentName(n)), []byte(b.String()), 0o640); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyTamper changes a three-segment trail of four records a segment
// in the ways one would to hide or alter a decision, and checks that Verify
// fails naming the segment, offset and line of the first record that no
// longer fits.
func TestVerifyTamper(t *testing.T) {
	build := func(t *testing.T) string {
		dir := t.TempDir()
		s := openSink(t, dir, Options{})
		for seg := range 3 {
			appendN(t, s, fmt.Sprintf("s%d-", seg+1), 4)
			if seg < 2 {
				s.segSize = s.opts.MaxSegmentBytes // the next record starts a segment
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if sum := mustVerify(t, dir); sum.Segments != 3 || sum.Decisions != 12 {
			t.Fatalf("trail: %+v", sum)
		}
		return dir
	}
	type where struct {
		seg  int
		line int // from 1; 0: the segment is missing
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, dir string)
		want   error
		at     where
	}{
		{"one byte of a value", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 2)
			ls[1].text = strings.Replace(ls[1].text, `"threshold":0.35`, `"threshold":0.36`, 1)
			writeSeg(t, dir, 2, ls)
		}, ErrHash, where{2, 2}},
		{"one byte of a hash", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 3)
			b := []byte(ls[3].text)
			b[len(b)-4] ^= 1
			ls[3].text = string(b)
			writeSeg(t, dir, 3, ls)
		}, ErrHash, where{3, 4}},
		{"one byte of the syntax", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 1)
			ls[2].text = "[" + ls[2].text[1:]
			writeSeg(t, dir, 1, ls)
		}, ErrMalformed, where{1, 3}},
		{"record deleted", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 2)
			writeSeg(t, dir, 2, append(ls[:1:1], ls[2:]...))
		}, ErrSequence, where{2, 2}},
		{"last record of a segment deleted", func(t *testing.T, dir string) {
			writeSeg(t, dir, 1, segLines(t, dir, 1)[:3])
		}, ErrSequence, where{2, 1}},
		{"record duplicated", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 1)
			writeSeg(t, dir, 1, append(ls[:2:2], ls[1:]...))
		}, ErrSequence, where{1, 3}},
		{"records swapped", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 3)
			ls[1], ls[2] = ls[2], ls[1]
			writeSeg(t, dir, 3, ls)
		}, ErrSequence, where{3, 2}},
		{"record rewritten with its hash", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 2)
			rec, err := DecodeRecord([]byte(strings.TrimSuffix(ls[1].text, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			rec.Decision = DecisionApproved
			b, _, _ := appendLine(nil, &rec)
			ls[1].text = string(b)
			writeSeg(t, dir, 2, ls)
		}, ErrChain, where{2, 3}},
		{"gap record with nothing to fence off", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 1)
			first, _ := DecodeRecord([]byte(strings.TrimSuffix(ls[0].text, "\n")))
			g := Record{Seq: 2, Kind: KindGap, Time: testTime, Prev: first.Hash, Gap: &Gap{Segment: SegmentName(1), Offset: 0, Bytes: 1, SHA256: GenesisHash}}
			b, _, _ := appendLine(nil, &g)
			writeSeg(t, dir, 1, append(ls[:1:1], append([]trailLine{{text: string(b)}}, ls[1:]...)...))
		}, ErrGap, where{1, 2}},
		{"segments swapped", func(t *testing.T, dir string) {
			p1, p2 := filepath.Join(dir, SegmentName(1)), filepath.Join(dir, SegmentName(2))
			tmp := p1 + ".tmp"
			os.Rename(p1, tmp)
			os.Rename(p2, p1)
			os.Rename(tmp, p2)
		}, ErrSequence, where{1, 1}},
		{"segment renamed", func(t *testing.T, dir string) {
			os.Rename(filepath.Join(dir, SegmentName(2)), filepath.Join(dir, SegmentName(4)))
		}, ErrMissingSegment, where{2, 0}},
		{"segment deleted", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, SegmentName(1)))
		}, ErrMissingSegment, where{1, 0}},
		{"middle segment emptied", func(t *testing.T, dir string) {
			writeSeg(t, dir, 2, nil)
		}, ErrSequence, where{3, 1}},
		{"segment cut inside a record", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 2)
			ls[2].text = ls[2].text[:100]
			writeSeg(t, dir, 2, ls[:3])
		}, ErrTruncated, where{2, 3}},
		{"last segment cut inside a record", func(t *testing.T, dir string) {
			ls := segLines(t, dir, 3)
			ls[3].text = ls[3].text[:len(ls[3].text)-1]
			writeSeg(t, dir, 3, ls)
		}, ErrTruncated, where{3, 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := build(t)
			var wantOff int64
			if tt.at.line > 0 {
				wantOff = segLines(t, dir, tt.at.seg)[tt.at.line-1].off
			}
			tt.tamper(t, dir)
			_, err := Verify(t.Context(), dir)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify = %v; want a *VerifyError", err)
			}
			if !errors.Is(err, tt.want) || ve.Segment != SegmentName(tt.at.seg) || ve.Line != tt.at.line || ve.Offset != wantOff {
				t.Errorf("Verify = %v (%s offset %d line %d);\nwant %v at %s offset %d line %d",
					err, ve.Segment, ve.Offset, ve.Line, tt.want, SegmentName(tt.at.seg), wantOff, tt.at.line)
			}
			if !strings.Contains(err.Error(), ve.Segment) {
				t.Errorf("message %q does not name the segment", err)
			}
		})
	}
}

// TestVerifyLive checks that a record being written at the end of a trail
// that a sink has open is left out, not reported as cut, and that the same
// bytes are a cut record once no sink has the trail.
func TestVerifyLive(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	appendN(t, s, "r", 3)
	partial := `{"seq":4,"kind":"decision","ti`
	f, err := os.OpenFile(filepath.Join(dir, SegmentName(1)), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(partial) // as a write under way shows
	f.Close()
	sum, err := Verify(t.Context(), dir)
	if err != nil || sum.Pending != int64(len(partial)) || sum.Decisions != 3 {
		t.Errorf("Verify with a sink open = %+v, %v; want 3 decisions and %d bytes pending", sum, err, len(partial))
	}
	var out strings.Builder
	if n, err := Export(t.Context(), dir, &out, ExportOptions{}); err != nil || n != 3 {
		t.Errorf("Export with a sink open = %d, %v; want 3", n, err)
	}
	// Broken records are reported whether a sink is open or not.
	f, _ = os.OpenFile(filepath.Join(dir, SegmentName(1)), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("\n" + partial)
	f.Close()
	if _, err := Verify(t.Context(), dir); !errors.Is(err, ErrMalformed) {
		t.Errorf("Verify of a cut record followed by more = %v; want ErrMalformed", err)
	}
	s.Close()
	if _, err := Verify(t.Context(), dir); !errors.Is(err, ErrMalformed) {
		t.Errorf("Verify after Close = %v; want ErrMalformed", err)
	}
}

// TestVerifyWhileAppending verifies a trail again and again while
// goroutines append to it, across segment rotations: every pass succeeds.
func TestVerifyWhileAppending(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{MaxSegmentBytes: 32 << 10})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if err := s.Append(t.Context(), decision(fmt.Sprintf("g%d-%d", g, i))); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	passes, pending := 0, 0
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); passes++ {
		sum, err := Verify(t.Context(), dir)
		if err != nil {
			t.Errorf("pass %d: %v", passes, err)
			break
		}
		if sum.Pending > 0 {
			pending++
		}
	}
	close(stop)
	wg.Wait()
	sum := mustVerify(t, dir)
	t.Logf("%d passes (%d met a record being written) over a trail that grew to %d records in %d segments", passes, pending, sum.Records, sum.Segments)
}

func TestVerifyEmpty(t *testing.T) {
	dir := t.TempDir()
	sum := mustVerify(t, dir)
	if sum.Records != 0 || sum.Head.Hash != GenesisHash || sum.Head.Seq != 0 {
		t.Errorf("empty trail: %+v", sum)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "audit-1.jsonl"), []byte("x"), 0o644)
	if sum := mustVerify(t, dir); sum.Segments != 0 {
		t.Errorf("other files counted as segments: %+v", sum)
	}
	if _, err := Verify(t.Context(), filepath.Join(dir, "nope")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Verify of a missing directory = %v; want ErrNotExist", err)
	}
}

func TestSegmentName(t *testing.T) {
	tests := []struct {
		name string
		n    int
		ok   bool
	}{
		{"audit-000001.jsonl", 1, true},
		{"audit-123456.jsonl", 123456, true},
		{"audit-1234567.jsonl", 1234567, true},
		{"audit-000000.jsonl", 0, false},
		{"audit-00001.jsonl", 0, false},
		{"audit-0000001.jsonl", 0, false},
		{"audit-00000a.jsonl", 0, false},
		{"audit-000001.jsonl.torn", 0, false},
		{"audit.lock", 0, false},
	}
	for _, tt := range tests {
		n, ok := segmentNumber(tt.name)
		if n != tt.n || ok != tt.ok {
			t.Errorf("segmentNumber(%q) = %d, %v; want %d, %v", tt.name, n, ok, tt.n, tt.ok)
		}
		if ok && SegmentName(n) != tt.name {
			t.Errorf("SegmentName(%d) = %q", n, SegmentName(n))
		}
	}
}

// TestScanStops checks that Scan stops at fn's first error.
func TestScanStops(t *testing.T) {
	dir := t.TempDir()
	s := openSink(t, dir, Options{})
	appendN(t, s, "r", 5)
	s.Close()
	stop := errors.New("enough")
	var n int
	_, err := Scan(t.Context(), dir, func(*Record, []byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("Scan = %v after %d records; want enough after 2", err, n)
	}
}
