package audit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Segment file names: SegmentPrefix, a number of at least six digits from
// 1, SegmentExt.
const (
	SegmentPrefix = "audit-"
	SegmentExt    = ".jsonl"
)

// MaxRecordBytes bounds a record's line: a longer line is not a record.
const MaxRecordBytes = 4 << 20

// lockFile is the file a sink holds an exclusive lock on.
const lockFile = "audit.lock"

// SegmentName returns the file name of segment n.
func SegmentName(n int) string {
	return fmt.Sprintf("%s%06d%s", SegmentPrefix, n, SegmentExt)
}

// segmentNumber returns n for a name SegmentName(n) and false for any other.
func segmentNumber(name string) (int, bool) {
	digits, ok := strings.CutPrefix(name, SegmentPrefix)
	if !ok {
		return 0, false
	}
	digits, ok = strings.CutSuffix(digits, SegmentExt)
	if !ok || len(digits) < 6 {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || SegmentName(n) != name {
		return 0, false
	}
	return n, true
}

// segment is one segment file of a directory.
type segment struct {
	n    int
	name string
}

// listSegments returns dir's segments in order. Other files are ignored.
func listSegments(dir string) ([]segment, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	var segs []segment
	for _, e := range ents {
		if n, ok := segmentNumber(e.Name()); ok && e.Type().IsRegular() {
			segs = append(segs, segment{n, e.Name()})
		}
	}
	slices.SortFunc(segs, func(a, b segment) int { return a.n - b.n })
	return segs, nil
}

// lineReader reads a segment line by line and knows each line's offset.
type lineReader struct {
	r    *bufio.Reader
	off  int64 // offset of the next line
	line int   // number of the next line, from 1
	buf  []byte
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10), line: 1}
}

// next returns the next line without its newline, its offset and number,
// and whether it ended with a newline (false for a torn last line). A line
// longer than MaxRecordBytes is returned cut at that length, as an
// incomplete line that does not end the file. It returns io.EOF at the
// end.
func (lr *lineReader) next() (line []byte, off int64, num int, complete bool, err error) {
	lr.buf = lr.buf[:0]
	off, num = lr.off, lr.line
	for {
		chunk, err := lr.r.ReadSlice('\n')
		lr.buf = append(lr.buf, chunk...)
		lr.off += int64(len(chunk))
		switch {
		case err == nil:
			lr.line++
			return lr.buf[:len(lr.buf)-1], off, num, true, nil
		case errors.Is(err, bufio.ErrBufferFull):
			if len(lr.buf) > MaxRecordBytes {
				lr.line++
				return lr.buf, off, num, false, nil
			}
		case errors.Is(err, io.EOF):
			if len(lr.buf) == 0 {
				return nil, off, num, false, io.EOF
			}
			return lr.buf, off, num, false, nil
		default:
			return nil, off, num, false, err
		}
	}
}

var genesis = Head{0, GenesisHash}

// segmentScan checks one segment's records against the chain that came
// before it. Lines that are not records (a torn record) must be followed by
// a gap record that names them exactly.
type segmentScan struct {
	name string
	head Head
	// trustStart takes the chain's start from the first record instead
	// of checking it against head.
	trustStart bool

	// onRecord, when set, is called for every chained record with its line
	// (without newline) and offset.
	onRecord func(rec *Record, line []byte, off int64, num int) error

	records   int       // records read
	firstTime time.Time // the first record's time
	bad       *badSpan  // lines since the last record that are not records
	hasher    hash.Hash // hashes bad spans
}

// badSpan is a run of lines that are not records.
type badSpan struct {
	off      int64
	line     int
	lines    int
	err      error
	complete bool // it ends with a newline
	end      int64
}

// scan reads the segment from r. It returns the first break as a
// *VerifyError; a bad span at the end (a torn record not yet fenced off)
// is left in s.bad for the caller to judge.
func (s *segmentScan) scan(r io.Reader) error {
	lr := newLineReader(r)
	for {
		line, off, num, complete, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("audit: read %s: %w", s.name, err)
		}
		var rec Record
		var derr error
		switch {
		case complete:
			rec, derr = DecodeRecord(line)
		case len(line) > MaxRecordBytes:
			derr = fmt.Errorf("%w: line longer than %d bytes", ErrMalformed, MaxRecordBytes)
		default:
			derr = errTorn
		}
		if derr != nil {
			if s.bad == nil {
				s.bad = &badSpan{off: off, line: num, err: derr}
				if s.hasher == nil {
					s.hasher = sha256.New()
				}
				s.hasher.Reset()
			}
			s.hasher.Write(line)
			if complete {
				s.hasher.Write([]byte{'\n'})
			}
			s.bad.lines++
			s.bad.complete = complete
			s.bad.end = lr.off
			continue
		}
		if s.trustStart && s.records == 0 && rec.Seq > 0 {
			s.head = Head{rec.Seq - 1, rec.Prev}
		}
		if s.bad != nil {
			if err := s.fenced(&rec, off); err != nil {
				return err
			}
			s.bad = nil
		} else if rec.Kind == KindGap {
			return &VerifyError{Segment: s.name, Offset: off, Line: num, Seq: rec.Seq,
				Err: fmt.Errorf("%w: gap record with nothing to fence off", ErrGap)}
		}
		if rec.Seq != s.head.Seq+1 {
			return &VerifyError{Segment: s.name, Offset: off, Line: num, Seq: rec.Seq,
				Err: fmt.Errorf("%w: seq %d follows seq %d", ErrSequence, rec.Seq, s.head.Seq)}
		}
		if rec.Prev != s.head.Hash {
			return &VerifyError{Segment: s.name, Offset: off, Line: num, Seq: rec.Seq,
				Err: fmt.Errorf("%w: prev %.12s… is not the hash of seq %d (%.12s…)", ErrChain, rec.Prev, s.head.Seq, s.head.Hash)}
		}
		if s.onRecord != nil {
			if err := s.onRecord(&rec, line, off, num); err != nil {
				return err
			}
		}
		if s.records == 0 {
			s.firstTime = rec.Time
		}
		s.head = Head{rec.Seq, rec.Hash}
		s.records++
	}
}

// fenced checks that rec, read at off right after a bad span, is the gap
// record that names the span; otherwise the span is the break.
func (s *segmentScan) fenced(rec *Record, off int64) error {
	b := s.bad
	g := rec.Gap
	if rec.Kind == KindGap && g != nil && g.Segment == s.name && g.Offset == b.off &&
		g.Bytes == off-b.off && g.SHA256 == hex.EncodeToString(s.hasher.Sum(nil)) {
		return nil
	}
	return &VerifyError{Segment: s.name, Offset: b.off, Line: b.line, Err: b.err}
}

// errTorn is the cause of a line without its newline.
var errTorn = fmt.Errorf("%w: record without its newline", ErrTruncated)

// readFile scans one segment file.
func (s *segmentScan) readFile(dir string) error {
	f, err := os.Open(filepath.Join(dir, s.name))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	defer f.Close()
	return s.scan(f)
}
