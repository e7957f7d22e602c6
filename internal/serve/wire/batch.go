package wire

import (
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/features"
)

// A batch body is {"applications": [item, item, ...]}, with any other
// top-level fields ignored. It is read in one pass, in parallel: the
// applications array is cut into segments at guessed item boundaries; the
// goroutines take the segments in turn, decode each one's items, hand them
// to the caller's Segment, and stop a segment at the first item that
// starts at or after the next guess. A guess is only a guess (the bytes
// `},{` may sit inside a string), so the segments are then checked in
// order: a segment counts when the one before it stopped exactly where it
// started; otherwise the items from where the previous segment stopped are
// read again on the calling goroutine. Segment 0 starts at the first item,
// so every segment kept was read from a true item start, and the body is
// read correctly whatever it holds.

// minSegmentBytes is the least body a segment is given by default: smaller
// batches are read on the calling goroutine alone.
const minSegmentBytes = 64 << 10

// segmentsPerWorker is the number of segments per goroutine of a large
// batch.
const segmentsPerWorker = 4

// itemDepth is the nesting depth of a batch item: inside the top-level
// object and the applications array.
const itemDepth = 2

// TooManyError reports a batch with more items than BatchReader.MaxItems.
type TooManyError struct {
	Limit int // BatchReader.MaxItems
}

// Error returns "more than <Limit> applications".
func (e *TooManyError) Error() string {
	return fmt.Sprintf("more than %d applications", e.Limit)
}

// Segment receives the items of one segment of a batch: a run of
// consecutive items of its applications array. The reader calls Start,
// then Object or NotObject for each item in order, then End, all on one
// goroutine; once the whole batch is read and checked, it calls Finish on
// each segment the batch is made of. Different segments are called on
// different goroutines at the same time.
type Segment interface {
	// Start returns the Application the segment's object items are
	// decoded into; the reader resets it before each item.
	Start() *Application
	// Object is called after an object item has been decoded into the
	// Application Start returned. Its strings share the body.
	Object(a *Application)
	// NotObject is called for an item that is well-formed JSON but not an
	// object; kind names its JSON type, e.g. "a string".
	NotObject(kind string)
	// End is called once the segment's items are read. ok is false when
	// reading stopped at an error, which refuses the whole batch.
	End(ok bool)
	// Finish is called on each segment of a batch read without an error,
	// after every segment has been read and checked; first is the index
	// in the applications array of the segment's first item.
	Finish(first int)
}

// BatchReader reads batch bodies. Set its fields, then call Read; a
// BatchReader is not changed by Read, so one may read many bodies, one at
// a time or at once.
type BatchReader struct {
	// Index maps the input names of the items to positions.
	Index *Index
	// MaxItems is the most items a batch may hold; more is a
	// *TooManyError. 0 means no limit.
	MaxItems int
	// Workers is the number of goroutines, the caller's among them, that
	// read and finish segments; 0 or 1 reads on the caller's goroutine
	// alone.
	Workers int
	// SegmentBytes is the least body a segment is given; 0 means 64 KiB.
	SegmentBytes int
	// New returns an empty segment (fresh, or from a pool).
	New func() Segment
	// Admit, when set, is called with the segments and the number of items
	// of a batch read without an error, before any Finish: an error
	// refuses the batch.
	Admit func(segs []Segment, items int) error
	// Release takes back a segment that Read does not return: one read
	// from a wrong guess, or every segment when Read fails. Nil drops
	// them.
	Release func(Segment)
}

// run is a segment with the reader's notes on it.
type run struct {
	seg      Segment
	items    int  // items handed to seg
	first    int  // the batch index of its first item, once checked
	stop     int  // where reading stopped: an item start, or after ']'
	arrayEnd bool // stop is after the array's closing bracket
	err      error
}

func (b *BatchReader) limit() int {
	if b.MaxItems <= 0 {
		return math.MaxInt
	}
	return b.MaxItems
}

func (b *BatchReader) release(seg Segment) {
	if b.Release != nil && seg != nil {
		b.Release(seg)
	}
}

// read hands the items of the segment starting at item offset from to r,
// until an item starts at or after stopAt, the array ends, or an error.
func (b *BatchReader) read(body string, r *run, from, stopAt int) {
	a := r.seg.Start()
	ok := false
	defer func() { r.seg.End(ok) }()
	n := b.Index.Len()
	limit := b.limit()
	i := from
	for {
		if i >= stopAt {
			r.stop = i
			break
		}
		if r.items == limit {
			r.err = &TooManyError{Limit: limit}
			return
		}
		var end int
		var err error
		if i < len(body) && body[i] == '{' {
			a.Reset(n)
			end, err = decodeObject(body, i, itemDepth+1, b.Index, a)
			if err == nil {
				r.items++
				a.Span = body[i:end]
				r.seg.Object(a)
			}
		} else {
			end, err = skipValue(body, i, itemDepth)
			if err == nil {
				r.items++
				r.seg.NotObject(kindName(body[i]))
			}
		}
		if err != nil {
			r.err = err
			return
		}
		i = skipSpace(body, end)
		if i >= len(body) {
			r.err = synErr(i, "unterminated array")
			return
		}
		if body[i] == ']' {
			r.stop, r.arrayEnd = i+1, true
			break
		}
		if body[i] != ',' {
			r.err = synErr(i, "want ',' or ']'")
			return
		}
		i = skipSpace(body, i+1)
	}
	ok = true
}

// array reads the applications array whose first item (or closing
// bracket) is at body[i]. It returns the segments in order and the offset
// after the array.
func (b *BatchReader) array(body string, i int) ([]run, int, error) {
	if i < len(body) && body[i] == ']' {
		return nil, i + 1, nil
	}
	workers := max(b.Workers, 1)
	starts := []int{i}
	segmentBytes := b.SegmentBytes
	if segmentBytes <= 0 {
		segmentBytes = minSegmentBytes
	}
	// A few segments per goroutine, taken in turn: a goroutine slowed
	// down (a busy machine) holds the others up less.
	if n := min(segmentsPerWorker*workers, (len(body)-i)/segmentBytes); n > 1 {
		for k := 1; k < n; k++ {
			c := guessItemStart(body, i+k*(len(body)-i)/n)
			if c < 0 {
				break
			}
			if c > starts[len(starts)-1] {
				starts = append(starts, c)
			}
		}
	}
	stopAt := func(k int) int {
		if k+1 < len(starts) {
			return starts[k+1]
		}
		return math.MaxInt
	}
	runs := make([]run, len(starts))
	for k := range runs {
		runs[k].seg = b.New()
	}
	forEach(len(runs), workers, func(k int) { b.read(body, &runs[k], starts[k], stopAt(k)) })

	// Keep the segments that start where the one before stopped. A
	// segment's seg is set to nil in runs once it moves to out or is
	// released.
	out := make([]run, 0, len(runs))
	fail := func(err error) ([]run, int, error) {
		for _, r := range runs {
			b.release(r.seg)
		}
		for _, r := range out {
			b.release(r.seg)
		}
		return nil, 0, err
	}
	cur, k := runs[0], 0
	runs[0].seg = nil
	count := 0
	limit := b.limit()
	for {
		out = append(out, cur)
		if cur.err != nil {
			return fail(cur.err)
		}
		if count += cur.items; count > limit {
			return fail(&TooManyError{Limit: limit})
		}
		if cur.arrayEnd {
			break
		}
		pos := cur.stop
		k++
		if k < len(runs) && pos == starts[k] {
			cur = runs[k]
			runs[k].seg = nil
			continue
		}
		// The guess at k was not an item start: read on from pos.
		if k < len(runs) {
			b.release(runs[k].seg)
			runs[k].seg = nil
		}
		cur = run{seg: b.New()}
		b.read(body, &cur, pos, stopAt(k))
	}
	for _, r := range runs {
		b.release(r.seg)
	}
	return out, cur.stop, nil
}

// guessItemStart returns the first offset at or after from that looks like
// the start of an object item of an array: a '{' after a ',' after a '}',
// blanks aside; -1 when there is none.
func guessItemStart(body string, from int) int {
	for i := from; i < len(body); i++ {
		if body[i] != '{' {
			continue
		}
		j := i - 1
		for j >= 0 && isSpace(body[j]) {
			j--
		}
		if j < 0 || body[j] != ',' {
			continue
		}
		j--
		for j >= 0 && isSpace(body[j]) {
			j--
		}
		if j >= 0 && body[j] == '}' {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// Read reads a batch body: its top-level object, and the items of its
// applications array in segments, on up to Workers goroutines. Other
// top-level fields are checked and ignored; applications sent twice is a
// field problem (ProblemDuplicate), not the last one as in encoding/json.
// Once the whole body is read, Admit (when set) may refuse the batch by its
// number of items (Read then returns Admit's error); else the segments'
// Finish methods are called, and the segments are returned in order; the
// caller releases them. An empty array gives no
// segment.
//
// A malformed body is a *SyntaxError, a body that is not an object wraps
// ErrNotObject, and a batch over MaxItems is a *TooManyError. A missing or
// non-array applications field is returned as a field problem (of
// features.ProblemMissing or features.ProblemType), not an error. In every
// one of these cases no segment is returned: each one is released.
func (b *BatchReader) Read(body string) ([]Segment, *features.FieldError, error) {
	runs, problem, err := b.readBatch(body)
	if err != nil || problem != nil {
		return nil, problem, err
	}
	if len(runs) == 0 {
		return nil, nil, nil
	}
	segs := make([]Segment, len(runs))
	n := 0
	for k := range runs {
		runs[k].first, segs[k] = n, runs[k].seg
		n += runs[k].items
	}
	if b.Admit != nil {
		if err := b.Admit(segs, n); err != nil {
			for _, seg := range segs {
				b.release(seg)
			}
			return nil, nil, err
		}
	}
	forEach(len(segs), max(b.Workers, 1), func(k int) { segs[k].Finish(runs[k].first) })
	return segs, nil, nil
}

// readBatch is Read up to the calls of Finish.
func (b *BatchReader) readBatch(body string) (runs []run, problem *features.FieldError, err error) {
	release := func() {
		for _, r := range runs {
			b.release(r.seg)
		}
		runs = nil
	}
	defer func() {
		if err != nil || problem != nil {
			release()
		}
	}()
	i := skipSpace(body, 0)
	if i == len(body) {
		return nil, nil, synErr(i, "empty body")
	}
	if body[i] != '{' {
		end, err := skipValue(body, i, 0)
		if err != nil {
			return nil, nil, err
		}
		if j := skipSpace(body, end); j != len(body) {
			return nil, nil, synErr(j, "data after the top-level value")
		}
		return nil, nil, fmt.Errorf("%w: got %s", ErrNotObject, kindName(body[i]))
	}
	found, seen := false, false
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return runs, nil, synErr(i, "want a field name")
			}
			key, next, err := readString(body, i)
			if err != nil {
				return runs, nil, err
			}
			i = skipSpace(body, next)
			if i >= len(body) || body[i] != ':' {
				return runs, nil, synErr(i, "want ':' after a field name")
			}
			i = skipSpace(body, i+1)
			if key == "applications" && seen {
				// Checked, never read: the body is refused.
				if i, err = skipValue(body, i, 1); err != nil {
					return runs, nil, err
				}
				release()
				found = false
				problem = &features.FieldError{Field: "applications", Problem: ProblemDuplicate, Detail: "appears more than once in the body; send one array"}
			} else if key == "applications" && i < len(body) && body[i] == '[' {
				seen = true
				release()
				found, problem = true, nil
				if runs, i, err = b.array(body, skipSpace(body, i+1)); err != nil {
					return nil, nil, err
				}
			} else {
				start := i
				if i, err = skipValue(body, i, 1); err != nil {
					return runs, nil, err
				}
				if key == "applications" {
					seen = true
					release()
					found = false
					problem = &features.FieldError{Field: "applications", Problem: features.ProblemType, Detail: "want an array of applications, got " + kindName(body[start])}
				}
			}
			i = skipSpace(body, i)
			if i >= len(body) {
				return runs, nil, synErr(i, "unterminated object")
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return runs, nil, synErr(i, "want ',' or '}' after an object field")
			}
			i = skipSpace(body, i+1)
		}
	}
	if j := skipSpace(body, i); j != len(body) {
		return runs, nil, synErr(j, "data after the top-level value")
	}
	if problem != nil {
		return nil, problem, nil
	}
	if !found {
		return nil, &features.FieldError{Field: "applications", Problem: features.ProblemMissing, Detail: "is required: an array of application objects"}, nil
	}
	return runs, nil, nil
}

// forEach calls fn(k) for every k in [0, n) on up to workers goroutines,
// the caller's among them, which take the next k in turn. A panic in fn is
// raised again on the caller's goroutine once every call has returned (an
// escaped panic would end the process; the server recovers this one).
func forEach(n, workers int, fn func(k int)) {
	if n == 0 {
		return
	}
	var next atomic.Int64
	var panicked atomic.Pointer[string]
	work := func() {
		defer func() {
			if v := recover(); v != nil {
				msg := fmt.Sprintf("%v\n%s", v, debug.Stack())
				panicked.CompareAndSwap(nil, &msg)
			}
		}()
		for {
			k := int(next.Add(1) - 1)
			if k >= n {
				return
			}
			fn(k)
		}
	}
	var wg sync.WaitGroup
	for range min(workers, n) - 1 {
		wg.Go(work)
	}
	work()
	wg.Wait()
	if msg := panicked.Load(); msg != nil {
		panic("wire: batch worker: " + *msg)
	}
}
