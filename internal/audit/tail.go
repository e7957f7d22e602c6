package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Tail follows a trail a sink is appending to: Next returns the whole
// records written since the last call, in order and across segments, so a
// shipper can copy the trail elsewhere as it grows. A record still being
// written (no newline yet) is left for a later call, and the bytes a crash
// cut, which a gap record fences off, are skipped (the gap record itself
// is returned). A Tail only reads; it is not safe for concurrent use.
type Tail struct {
	dir   string
	seg   int    // the segment being read, 0 before the first
	off   int64  // the offset in it of the next unread line
	last  uint64 // the sequence number of the last record returned
	buf   []byte // the unread part of what was read
	chunk []byte // read buffer, kept between calls: a follower polls often
}

// TailRecord is one record Next returns: the decoded record and its line
// as stored, without the newline.
type TailRecord struct {
	Record Record
	Line   []byte
}

// ErrTailBroken is returned by Next when the trail does not continue the
// records returned before: a sequence number that does not follow.
var ErrTailBroken = errors.New("audit: the trail does not continue where the tail left it")

// NewTail returns a Tail positioned after the record with sequence number
// after (0: at the start of the trail). The trail must hold that record.
func NewTail(ctx context.Context, dir string, after uint64) (*Tail, error) {
	t := &Tail{dir: dir}
	if after == 0 {
		return t, nil
	}
	for t.last != after {
		recs, err := t.next(ctx, 4096, after)
		if err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("audit: %s holds no record %d to continue after (its last is %d)", dir, after, t.last)
		}
	}
	return t, nil
}

// Next returns up to max records written after those returned before.
func (t *Tail) Next(ctx context.Context, max int) ([]TailRecord, error) {
	return t.next(ctx, max, 0)
}

// next is Next that, when stop is not 0, stops right after the record
// with that sequence number.
func (t *Tail) next(ctx context.Context, max int, stop uint64) ([]TailRecord, error) {
	var out []TailRecord
	for len(out) < max && (stop == 0 || t.last != stop) {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		segs, err := listSegments(t.dir)
		if err != nil {
			return out, err
		}
		k := -1
		for i := range segs {
			if segs[i].n >= t.seg {
				k = i
				break
			}
		}
		if k < 0 {
			return out, nil
		}
		if segs[k].n != t.seg {
			t.seg, t.off = segs[k].n, 0
		}
		got, atEnd, err := t.read(filepath.Join(t.dir, segs[k].name), max-len(out), stop)
		out = append(out, got...)
		if err != nil || !atEnd || k == len(segs)-1 {
			// An error, a cut line or a full batch, or the newest segment
			// read to its end: the rest comes later.
			return out, err
		}
		t.seg, t.off = segs[k].n+1, 0 // a later segment exists: this one is whole
	}
	return out, nil
}

// read reads whole lines of the segment at path from t.off, at most max
// records; atEnd reports the file was read to its end with nothing left.
func (t *Tail) read(path string, max int, stop uint64) (out []TailRecord, atEnd bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, false, fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(t.off, io.SeekStart); err != nil {
		return nil, false, fmt.Errorf("audit: %w", err)
	}
	name := filepath.Base(path)
	t.buf = t.buf[:0]
	if t.chunk == nil {
		t.chunk = make([]byte, 64<<10)
	}
	chunk := t.chunk
	eof := false
	for !eof {
		n, rerr := f.Read(chunk)
		t.buf = append(t.buf, chunk[:n]...)
		switch {
		case rerr == io.EOF:
			eof = true
		case rerr != nil:
			return out, false, fmt.Errorf("audit: %w", rerr)
		}
		for len(out) < max && (stop == 0 || t.last != stop) {
			i := bytes.IndexByte(t.buf, '\n')
			if i < 0 {
				break
			}
			line := t.buf[:i]
			rec, derr := DecodeRecord(line)
			if derr != nil {
				// Bytes a crash cut are fenced off by the gap record that
				// follows them; anything else is a broken trail.
				j := bytes.IndexByte(t.buf[i+1:], '\n')
				if j < 0 {
					if eof {
						return out, false, nil // the gap record is not written yet
					}
					break
				}
				gap, gerr := DecodeRecord(t.buf[i+1 : i+1+j])
				if gerr != nil || gap.Kind != KindGap || gap.Gap == nil || gap.Gap.Segment != name || gap.Gap.Offset != t.off {
					return out, false, &VerifyError{Segment: name, Offset: t.off, Err: derr}
				}
				t.off += int64(i + 1)
				t.buf = t.buf[i+1:]
				continue
			}
			if t.last != 0 && rec.Seq != t.last+1 {
				return out, false, fmt.Errorf("%w: seq %d after %d in %s", ErrTailBroken, rec.Seq, t.last, name)
			}
			out = append(out, TailRecord{rec, bytes.Clone(line)})
			t.last = rec.Seq
			t.off += int64(i + 1)
			t.buf = t.buf[i+1:]
		}
		if len(out) >= max || (stop != 0 && t.last == stop) {
			return out, false, nil
		}
	}
	return out, len(t.buf) == 0, nil
}
