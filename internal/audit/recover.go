package audit

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// recover finds the end of the chain, fences off a torn last record and
// opens the segment to append to. It runs in Open, before the syncer starts.
func (s *Sink) recover() error {
	segs, err := listSegments(s.dir)
	if err != nil {
		return err
	}
	for i, seg := range segs {
		if seg.n != i+1 {
			return &VerifyError{Segment: SegmentName(i + 1), Err: fmt.Errorf("%w: found %s", ErrMissingSegment, seg.name)}
		}
	}
	// A segment created just before a crash may be empty: it holds
	// nothing, so it goes, and the one before it is continued.
	for len(segs) > 0 {
		last := filepath.Join(s.dir, segs[len(segs)-1].name)
		fi, err := os.Stat(last)
		if err != nil {
			return err
		}
		if fi.Size() > 0 {
			break
		}
		if err := os.Remove(last); err != nil {
			return err
		}
		if err := syncDir(s.dir); err != nil {
			return err
		}
		segs = segs[:len(segs)-1]
	}
	if len(segs) == 0 {
		if err := s.setHead(genesis); err != nil {
			return err
		}
		return s.create(1)
	}

	last := segs[len(segs)-1]
	scan := segmentScan{name: last.name, head: genesis, trustStart: true}
	if err := scan.readFile(s.dir); err != nil {
		return err
	}
	if scan.records == 0 && len(segs) > 1 {
		// Nothing whole in the last segment: the chain ends in the one
		// before it, which must be whole.
		prev := segmentScan{name: segs[len(segs)-2].name, head: genesis, trustStart: true}
		if err := prev.readFile(s.dir); err != nil {
			return err
		}
		if b := prev.bad; b != nil {
			return &VerifyError{Segment: prev.name, Offset: b.off, Line: b.line, Err: b.err}
		}
		scan.head = prev.head
	}
	if err := s.setHead(scan.head); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(s.dir, last.name), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	s.seg, s.segN, s.segSize = f, last.n, fi.Size()
	s.segStart = s.opts.Now()
	if scan.records > 0 {
		s.segStart = scan.firstTime
	}
	switch b := scan.bad; {
	case b == nil:
		return nil
	case b.complete:
		// Whole lines that are not records, and nothing cut after them: not
		// what a crash leaves (it cuts the last write short), so someone
		// must look before anything is appended.
		return &VerifyError{Segment: scan.name, Offset: b.off, Line: b.line, Err: b.err}
	}
	return s.fence(&scan)
}

// fence ends the torn bytes at the end of the current segment with a
// newline, and writes and syncs a gap record naming them and the newline,
// in one write.
func (s *Sink) fence(scan *segmentScan) error {
	b := scan.bad
	out := []byte{'\n'}
	scan.hasher.Write(out)
	g := Gap{
		Segment: scan.name,
		Offset:  b.off,
		Bytes:   b.end - b.off + 1,
		SHA256:  hex.EncodeToString(scan.hasher.Sum(nil)),
	}
	rec := Record{Seq: s.seq + 1, Kind: KindGap, Time: s.opts.Now().UTC(), Prev: string(s.prev[:]), Gap: &g}
	out, sum, err := appendLine(out, &rec)
	if err != nil {
		return err
	}
	if err := s.flush(out); err != nil {
		return err
	}
	if err := s.seg.Sync(); err != nil {
		return s.fail(fmt.Errorf("sync: %w", err))
	}
	s.syncs.Add(1)
	s.records.Add(1)
	if err := s.setHead(Head{rec.Seq, sum}); err != nil {
		return err
	}
	s.recovered = &g
	s.opts.Logger.Warn("audit trail: torn record fenced off with a gap record",
		"segment", g.Segment, "offset", g.Offset, "bytes", g.Bytes, "seq", rec.Seq, "err", b.err)
	return nil
}
