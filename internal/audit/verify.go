package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Errors wrapped by a *VerifyError, naming what broke.
var (
	// ErrTruncated: a record is cut short (no newline), and no gap record
	// fences it off.
	ErrTruncated = errors.New("audit: truncated record")
	// ErrSequence: a record's sequence number does not follow the one
	// before it (a record deleted, duplicated or moved).
	ErrSequence = errors.New("audit: sequence break")
	// ErrChain: a record's prev is not the hash of the record before it.
	ErrChain = errors.New("audit: chain break")
	// ErrGap: a gap record that does not match the bytes it fences off.
	ErrGap = errors.New("audit: bad gap record")
	// ErrMissingSegment: the segment numbers skip one, or do not start at
	// 1.
	ErrMissingSegment = errors.New("audit: missing segment")
)

// VerifyError is the first place where a trail does not verify.
type VerifyError struct {
	Segment string // the segment's file name
	Offset  int64  // byte offset of the record (or of the first bad byte) in it
	Line    int    // line number, from 1; 0 when the segment is missing
	Seq     uint64 // the record's sequence number when it could be read
	Err     error  // the cause, wrapping one of the Err sentinels
}

func (e *VerifyError) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: %v", e.Segment, e.Err)
	}
	return fmt.Sprintf("%s: offset %d (line %d): %v", e.Segment, e.Offset, e.Line, e.Err)
}

// Unwrap returns the cause.
func (e *VerifyError) Unwrap() error { return e.Err }

// Summary describes a verified trail.
type Summary struct {
	Segments  int       // segment files
	Records   uint64    // records of every kind
	Decisions uint64    // decision records
	Gaps      []Gap     // what each gap record fences off
	First     time.Time // time of the first decision, zero when none
	Last      time.Time // time of the last decision, zero when none
	Head      Head      // the last record
	// Pending is the length of a record being written at the end of the
	// last segment while a sink had the trail open: bytes not yet a whole
	// record, not checked. 0 otherwise (without a sink they are a cut
	// record, ErrTruncated).
	Pending int64
}

// Head is the end of a chain: anchoring it elsewhere (a log, a ticket, a
// second system) is what makes the removal of whole records at the end of
// a trail evident, which the chain alone cannot show.
type Head struct {
	Seq  uint64 // sequence number of the last record, 0 for an empty trail
	Hash string // its hash, GenesisHash for an empty trail
}

// Verify checks the whole trail in dir: every segment in order with none
// missing, every record's encoding and hash, sequence numbers and prev
// links, and every gap record against the bytes it fences off. The first
// break is returned as a *VerifyError naming the segment, byte offset and
// line. On a trail a sink has open, the record being written at the end is
// left out (Summary.Pending).
func Verify(ctx context.Context, dir string) (Summary, error) {
	return Scan(ctx, dir, nil)
}

// Scan is Verify that also hands every record, in order, to fn with its
// line as stored (without the newline); the line is only valid during the
// call. It stops at the first break or at fn's first error.
func Scan(ctx context.Context, dir string, fn func(rec *Record, line []byte) error) (Summary, error) {
	var sum Summary
	segs, err := listSegments(dir)
	if err != nil {
		return sum, err
	}
	sum.Segments = len(segs)
	h := genesis
	for i, seg := range segs {
		if seg.n != i+1 {
			return sum, &VerifyError{Segment: SegmentName(i + 1),
				Err: fmt.Errorf("%w: found %s", ErrMissingSegment, seg.name)}
		}
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		s := segmentScan{name: seg.name, head: h}
		s.onRecord = func(rec *Record, line []byte, _ int64, num int) error {
			switch rec.Kind {
			case KindDecision:
				if sum.Decisions == 0 {
					sum.First = rec.Time
				}
				sum.Last = rec.Time
				sum.Decisions++
			case KindGap:
				sum.Gaps = append(sum.Gaps, *rec.Gap)
			}
			sum.Records++
			if fn != nil {
				if err := fn(rec, line); err != nil {
					return err
				}
			}
			if num%4096 == 0 {
				return ctx.Err()
			}
			return nil
		}
		if err := s.readFile(dir); err != nil {
			return sum, err
		}
		if b := s.bad; b != nil {
			if i == len(segs)-1 && b.lines == 1 && !b.complete && appending(dir) {
				sum.Pending = b.end - b.off
			} else {
				return sum, &VerifyError{Segment: seg.name, Offset: b.off, Line: b.line, Err: b.err}
			}
		}
		h = s.head
	}
	sum.Head = h
	return sum, nil
}

// appending reports whether a sink has the trail in dir open: whether the
// lock it holds cannot be had. The lock is let go at once, so that a sink
// can open the trail meanwhile.
func appending(dir string) bool {
	f, err := os.Open(filepath.Join(dir, lockFile))
	if err != nil {
		return false
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB)
	if err == nil {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	}
	return errors.Is(err, syscall.EWOULDBLOCK)
}
