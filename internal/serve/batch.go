package serve

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/model"
)

// A batch body is {"applications": [item, item, ...]}, with any other
// top-level fields ignored. It is read in one pass, in parallel: the
// applications array is cut into segments at guessed item boundaries; the
// goroutines take the segments in turn, decode each one's items, run the
// pipeline and the model on them, and stop a segment at the first item
// that starts at or after the next guess. A guess is only a guess (the
// bytes `},{` may sit inside a string), so the segments are then checked
// in order: a segment counts when the one before it stopped exactly where
// it started; otherwise the items from where the previous segment stopped
// are read again on the request's goroutine. Segment 0 starts at the first
// item, so every segment kept was read from a true item start, and the
// body is read correctly whatever it holds.

// minSegmentBytes is the least body a segment is given: smaller batches
// are read on the request's goroutine alone.
const minSegmentBytes = 64 << 10

// segmentsPerWorker is the number of segments per goroutine of a large
// batch.
const segmentsPerWorker = 4

// errTooMany reports a batch over the configured number of applications.
type errTooMany struct{ limit int }

func (e errTooMany) Error() string {
	return fmt.Sprintf("more than %d applications; the limit is %d per request (MAX_BATCH_SIZE)", e.limit, e.limit)
}

// itemResult is the answer for one application of a batch.
type itemResult struct {
	ok       bool // scored: pd and pred are set
	pd       float64
	pred     int
	problems []features.FieldError
	reasons  []model.Reason
	notJSON  string // the item is not an object: its kind
}

// segment is a run of consecutive batch items read by one goroutine.
type segment struct {
	stop     int  // where reading stopped: an item start, or after ']'
	arrayEnd bool // stop is after the array's closing bracket
	err      error

	results []itemResult
	x       []float64 // one row of features per item
	pds     []float64
	ignored []string // distinct names of fields the model does not read
	seen    map[string]bool
	last    []string // the previous item's ignored fields
	bins    []uint8
	enc     []byte // the encoded results
	errors  int    // items that could not be scored
}

// reset empties s for reuse, dropping every string it holds (they point
// into a request body).
func (s *segment) reset() {
	clear(s.results)
	s.results = s.results[:0]
	s.x, s.pds, s.bins, s.enc = s.x[:0], s.pds[:0], s.bins[:0], s.enc[:0]
	clear(s.ignored)
	s.ignored = s.ignored[:0]
	clear(s.last)
	s.last = s.last[:0]
	if len(s.seen) > maxPooledNames {
		s.seen = map[string]bool{}
	} else {
		clear(s.seen)
	}
	s.stop, s.arrayEnd, s.err, s.errors = 0, false, nil, 0
}

// batchReader reads the items of one batch body.
type batchReader struct {
	body     string
	index    *fieldIndex
	nraw     int
	maxItems int
	// l scores the items; nil only decodes them (tests).
	l    *loaded
	pool *sync.Pool // *segment
	// segmentBytes is the least body a segment is given; 0 means
	// minSegmentBytes.
	segmentBytes int
}

func (b *batchReader) getSegment() *segment {
	if s, ok := b.pool.Get().(*segment); ok {
		return s
	}
	return &segment{seen: map[string]bool{}}
}

// maxPooledFeatures and maxPooledNames bound what a pooled segment keeps:
// the feature values of its rows (16 MB) and the ignored names it saw.
const (
	maxPooledFeatures = 1 << 21
	maxPooledNames    = 1 << 10
)

func (b *batchReader) putSegment(s *segment) {
	s.reset()
	if cap(s.x) > maxPooledFeatures {
		return // keep the pool from holding on to huge batches
	}
	b.pool.Put(s)
}

// read decodes the items of the segment starting at item offset from,
// until an item starts at or after stopAt, the array ends, or an error.
// Each object is decoded, run through the pipeline and, once the segment
// is done, the model, all on the calling goroutine.
func (b *batchReader) read(seg *segment, from, stopAt int) {
	var sc *scratch
	var nf int
	if b.l != nil {
		sc = b.l.getScratch()
		defer b.l.putScratch(sc)
		nf = len(b.l.model.Features)
	} else {
		sc = &scratch{}
	}
	body := b.body
	i := from
	for {
		if i >= stopAt {
			seg.stop = i
			break
		}
		if len(seg.results) == b.maxItems {
			seg.err = errTooMany{b.maxItems}
			return
		}
		seg.results = append(seg.results, itemResult{})
		res := &seg.results[len(seg.results)-1]
		seg.x = slices.Grow(seg.x, nf)[:len(seg.x)+nf]
		x := seg.x[len(seg.x)-nf:]
		var end int
		var err error
		if i < len(body) && body[i] == '{' {
			sc.app.reset(b.nraw)
			end, err = decodeObject(body, i, itemDepth+1, b.index, &sc.app)
			if err == nil {
				b.score(seg, sc, res, x)
			}
		} else {
			end, err = skipValue(body, i, itemDepth)
			if err == nil {
				res.notJSON = kindName(body[i])
			}
		}
		if err != nil {
			seg.err = err
			return
		}
		i = skipSpace(body, end)
		if i >= len(body) {
			seg.err = synErr(i, "unterminated array")
			return
		}
		if body[i] == ']' {
			seg.stop, seg.arrayEnd = i+1, true
			break
		}
		if body[i] != ',' {
			seg.err = synErr(i, "want ',' or ']'")
			return
		}
		i = skipSpace(body, i+1)
	}
	if b.l != nil && len(seg.results) > 0 {
		n := len(seg.results)
		seg.pds = slices.Grow(seg.pds[:0], n)[:n]
		X := &matrix.Dense{Rows: n, Cols: nf, Data: seg.x}
		b.l.model.PDInto(seg.pds, X, 1)
	}
}

// score notes the decoded application's ignored fields and runs the
// pipeline on it into x.
func (b *batchReader) score(seg *segment, sc *scratch, res *itemResult, x []float64) {
	// Items of a batch usually carry the same extra fields: only a
	// different list is merged.
	if !slices.Equal(sc.app.ignored, seg.last) {
		for _, name := range sc.app.ignored {
			if !seg.seen[name] {
				seg.seen[name] = true
				seg.ignored = append(seg.ignored, name)
			}
		}
		seg.last = append(seg.last[:0], sc.app.ignored...)
	}
	if b.l == nil {
		return
	}
	errs := b.l.model.Pipeline.Transform(sc.app.raw, sc.row, x)
	if len(errs) > 0 || len(sc.app.problems) > 0 {
		res.problems = mergeProblems(sc.app.problems, errs)
		return
	}
	res.ok = true
}

// array reads the applications array whose first item (or closing
// bracket) is at body[i], on up to workers goroutines. It returns the
// segments in order and the offset after the array.
func (b *batchReader) array(i, workers int) ([]*segment, int, error) {
	body := b.body
	if i < len(body) && body[i] == ']' {
		return nil, i + 1, nil
	}
	starts := []int{i}
	segmentBytes := b.segmentBytes
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
	segs := make([]*segment, len(starts))
	for k := range segs {
		segs[k] = b.getSegment()
	}
	forEach(len(segs), workers, func(k int) { b.read(segs[k], starts[k], stopAt(k)) })

	// Keep the segments that start where the one before stopped.
	var out []*segment
	fail := func(err error) ([]*segment, int, error) {
		for _, s := range segs {
			if s != nil {
				b.putSegment(s)
			}
		}
		for _, s := range out {
			b.putSegment(s)
		}
		return nil, 0, err
	}
	cur, k := segs[0], 0
	segs[0] = nil
	count := 0
	for {
		out = append(out, cur)
		if cur.err != nil {
			return fail(cur.err)
		}
		if count += len(cur.results); count > b.maxItems {
			return fail(errTooMany{b.maxItems})
		}
		if cur.arrayEnd {
			break
		}
		pos := cur.stop
		k++
		if k < len(segs) && pos == starts[k] {
			cur, segs[k] = segs[k], nil
			continue
		}
		// The guess at k was not an item start: read on from pos.
		if k < len(segs) {
			b.putSegment(segs[k])
			segs[k] = nil
		}
		cur = b.getSegment()
		b.read(cur, pos, stopAt(k))
	}
	for _, s := range segs {
		if s != nil {
			b.putSegment(s)
		}
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

// readBatch reads a batch body: its top-level object, and the items of
// its applications array in segments (array). Other top-level fields are
// checked and ignored; when applications appears twice, the last one
// counts, as in encoding/json. A body that is not an object is
// errNotObject; a missing or non-array applications field is a field
// problem.
func (b *batchReader) readBatch(workers int) (segs []*segment, problem *features.FieldError, err error) {
	body := b.body
	release := func() {
		for _, s := range segs {
			b.putSegment(s)
		}
		segs = nil
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
		return nil, nil, fmt.Errorf("%w: got %s", errNotObject, kindName(body[i]))
	}
	found := false
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		i++
	} else {
		for {
			if i >= len(body) || body[i] != '"' {
				return segs, nil, synErr(i, "want a field name")
			}
			key, next, err := readString(body, i)
			if err != nil {
				return segs, nil, err
			}
			i = skipSpace(body, next)
			if i >= len(body) || body[i] != ':' {
				return segs, nil, synErr(i, "want ':' after a field name")
			}
			i = skipSpace(body, i+1)
			if key == "applications" && i < len(body) && body[i] == '[' {
				release()
				found, problem = true, nil
				if segs, i, err = b.array(skipSpace(body, i+1), workers); err != nil {
					return nil, nil, err
				}
			} else {
				start := i
				if i, err = skipValue(body, i, 1); err != nil {
					return segs, nil, err
				}
				if key == "applications" {
					release()
					found = false
					problem = &features.FieldError{Field: "applications", Problem: features.ProblemType, Detail: "want an array of applications, got " + kindName(body[start])}
				}
			}
			i = skipSpace(body, i)
			if i >= len(body) {
				return segs, nil, synErr(i, "unterminated object")
			}
			if body[i] == '}' {
				i++
				break
			}
			if body[i] != ',' {
				return segs, nil, synErr(i, "want ',' or '}' after an object field")
			}
			i = skipSpace(body, i+1)
		}
	}
	if j := skipSpace(body, i); j != len(body) {
		return segs, nil, synErr(j, "data after the top-level value")
	}
	if problem != nil {
		return nil, problem, nil
	}
	if !found {
		return nil, &features.FieldError{Field: "applications", Problem: features.ProblemMissing, Detail: "is required: an array of application objects"}, nil
	}
	return segs, nil, nil
}

// itemDepth is the nesting depth of a batch item: inside the top-level
// object and the applications array.
const itemDepth = 2

// handleBatch scores the applications of {"applications": [...]}. Every
// item gets a result or its own errors; the response is 200 unless the
// request as a whole is wrong.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, l *loaded) {
	explain, p := explainParam(r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	bp := s.getBodyBuffer()
	defer s.putBodyBuffer(bp)
	body, p := readBody(r, bp, s.cfg.MaxBatchBodyBytes)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	b := &batchReader{body: body, index: l.index, nraw: len(l.names), maxItems: s.cfg.MaxBatch, l: l, pool: &s.segments}
	workers := runtime.GOMAXPROCS(0)
	segs, fieldProblem, err := b.readBatch(workers)
	var tooMany errTooMany
	if errors.As(err, &tooMany) {
		writeProblem(w, r, &Problem{Code: ProblemBatchTooBig, Detail: tooMany.Error()})
		return
	}
	if err != nil {
		writeProblem(w, r, decodeProblem(err))
		return
	}
	if fieldProblem != nil {
		writeProblem(w, r, &Problem{Code: ProblemInvalid, Detail: "the body must be {\"applications\": [ ... ]}", Errors: []features.FieldError{*fieldProblem}})
		return
	}
	defer func() {
		for _, seg := range segs {
			b.putSegment(seg)
		}
	}()
	s.finishBatch(l, segs, explain, workers)

	n, errs, size := 0, 0, 256
	var ignored []string
	for _, seg := range segs {
		n += len(seg.results)
		errs += seg.errors
		size += len(seg.enc) + 1
		ignored = append(ignored, seg.ignored...)
	}
	slices.Sort(ignored)
	ignored = slices.Compact(ignored)
	sc := l.getScratch()
	defer l.putScratch(sc)
	out := slices.Grow(sc.out[:0], size+16*len(ignored))
	out = append(out, '{')
	out = appendModel(out, l)
	out = append(out, `,"count":`...)
	out = strconv.AppendInt(out, int64(n), 10)
	out = append(out, `,"errors":`...)
	out = strconv.AppendInt(out, int64(errs), 10)
	out = append(out, `,"results":[`...)
	first := true
	for _, seg := range segs {
		if len(seg.enc) == 0 {
			continue
		}
		if !first {
			out = append(out, ',')
		}
		first = false
		out = append(out, seg.enc...)
	}
	out = append(out, ']')
	if len(ignored) > 0 {
		out = appendKey(out, "ignored_fields", false)
		out = appendStrings(out, ignored)
	}
	out = append(out, '}')
	sc.out = out
	w.Header()["Content-Type"] = contentTypeJSON
	w.Write(out)
}

// finishBatch decides, counts, records drift and encodes the results of
// every segment, the segments on up to workers goroutines.
func (s *Server) finishBatch(l *loaded, segs []*segment, explain bool, workers int) {
	base := make([]int, len(segs))
	n := 0
	for k, seg := range segs {
		base[k] = n
		n += len(seg.results)
	}
	finish := func(k int) {
		seg := segs[k]
		sc := l.getScratch()
		defer l.putScratch(sc)
		nf := len(l.model.Features)
		enc := slices.Grow(seg.enc[:0], len(seg.results)*96)
		for j := range seg.results {
			res := &seg.results[j]
			if j > 0 {
				enc = append(enc, ',')
			}
			if !res.ok {
				seg.errors++
				enc = appendItem(enc, base[k]+j, res, explain)
				continue
			}
			x := seg.x[j*nf : (j+1)*nf]
			res.pd = seg.pds[j]
			res.pred = l.model.Decide(res.pd)
			if explain {
				res.reasons = l.model.Reasons(sc.contrib, x, s.cfg.Reasons)
			}
			s.metrics.scored(res.pred, res.pd)
			s.counts.predictions[res.pred].Add(1)
			if l.drift != nil {
				at := len(seg.bins)
				seg.bins = append(seg.bins, sc.bins...)
				l.drift.Bin(seg.bins[at:], x, res.pd)
			}
			enc = appendItem(enc, base[k]+j, res, explain)
		}
		seg.enc = enc
		if len(seg.bins) > 0 {
			l.drift.Add(seg.bins)
		}
	}
	forEach(len(segs), workers, finish)
}

// forEach calls fn(k) for every k in [0, n) on up to workers goroutines,
// the caller's among them, which take the next k in turn. A panic in fn is
// raised again on the caller's goroutine once every call has returned (an
// escaped panic would end the process; ServeHTTP recovers this one).
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
		panic("serve: batch worker: " + *msg)
	}
}

// appendItem appends the answer for batch item i: its decision, or its
// error.
func appendItem(b []byte, i int, res *itemResult, explain bool) []byte {
	switch {
	case res.notJSON != "":
		return appendItemError(b, i, &Problem{Code: ProblemNotObject, Detail: "an application must be a JSON object, got " + res.notJSON})
	case !res.ok:
		return appendItemError(b, i, &Problem{Code: ProblemInvalid, Detail: invalidDetail(len(res.problems)), Errors: res.problems})
	}
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, ',')
	b = appendPrediction(b, res.pd, res.pred)
	if explain {
		b = appendKey(b, "reasons", false)
		b = appendReasons(b, res.reasons)
	}
	return append(b, '}')
}

// appendItemError appends the error of batch item i: its index and a
// problem document.
func appendItemError(b []byte, i int, p *Problem) []byte {
	b = append(b, `{"index":`...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, `,"error":`...)
	b = p.appendJSON(b, "")
	return append(b, '}')
}
