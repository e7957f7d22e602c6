package audit

import (
	"os"
	"path/filepath"
	"testing"
)

// tailAll reads everything a tail has now.
func tailAll(t *testing.T, tl *Tail) []TailRecord {
	t.Helper()
	var out []TailRecord
	for {
		recs, err := tl.Next(t.Context(), 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) == 0 {
			return out
		}
		out = append(out, recs...)
	}
}

func TestTail(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "audit")
	s := openSink(t, dir, Options{MaxSegmentBytes: 2000}) // many segments
	appendN(t, s, "a", 40)
	tl, err := NewTail(t.Context(), dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := tailAll(t, tl)
	if len(got) != 40 {
		t.Fatalf("%d records; want 40", len(got))
	}
	// More records, and a crash that cut one: the trail reopened fences
	// the cut bytes with a gap record, which the tail returns, skipping
	// the bytes.
	appendN(t, s, "b", 10)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	segs, _ := listSegments(dir)
	last := filepath.Join(dir, segs[len(segs)-1].name)
	f, err := os.OpenFile(last, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"seq":51,"kind":"decision","ti`)
	f.Close()
	s2 := openSink(t, dir, Options{MaxSegmentBytes: 2000})
	appendN(t, s2, "c", 15)
	got = append(got, tailAll(t, tl)...)
	if len(got) != 40+10+1+15 {
		t.Fatalf("%d records; want 66 (with one gap record)", len(got))
	}
	gaps := 0
	for i, r := range got {
		if r.Record.Seq != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, r.Record.Seq)
		}
		if r.Record.Kind == KindGap {
			gaps++
		}
		if rec, err := DecodeRecord(r.Line); err != nil || rec.Seq != r.Record.Seq {
			t.Fatalf("line %d does not decode to its record: %v", i, err)
		}
	}
	if gaps != 1 {
		t.Errorf("%d gap records; want 1", gaps)
	}
	// A tail started after a record continues with the next one.
	tl2, err := NewTail(t.Context(), dir, 37)
	if err != nil {
		t.Fatal(err)
	}
	rest := tailAll(t, tl2)
	if len(rest) != 66-37 || rest[0].Record.Seq != 38 {
		t.Errorf("after 37: %d records from seq %d; want 29 from 38", len(rest), rest[0].Record.Seq)
	}
	if _, err := NewTail(t.Context(), dir, 500); err == nil {
		t.Error("a tail after a record the trail does not hold: no error")
	}
}
