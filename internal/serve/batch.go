package serve

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// A batch is read by a wire.BatchReader, in segments on every core (see
// package wire). Each segment is a *segment: as its items are decoded, it
// runs the feature pipeline on them and, once they are all read, the model
// (on the goroutine that read them); once the batch is checked, it
// decides, counts, records drift and encodes its results (Finish). The
// response is the segments' encoded results in order.

// itemResult is the answer for one application of a batch.
type itemResult struct {
	ok       bool // scored: pd and pred are set
	pd       float64
	pred     int
	problems []features.FieldError
	reasons  []model.Reason
	score    []byte    // a scorecard's ,"score" (and with explain ,"points") fields
	outside  []outside // values scored although outside training
	notJSON  string    // the item is not an object: its kind
}

// segment scores a run of consecutive batch items; it is the
// wire.Segment of a batch request.
type segment struct {
	// The request: set when the segment is taken from the pool.
	s       *Server
	l       *loaded
	explain bool

	sc      *scratch // between Start and End
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

var _ wire.Segment = (*segment)(nil)

// reset empties s for reuse, dropping every string it holds (they point
// into a request body).
func (s *segment) reset() {
	s.s, s.l, s.sc = nil, nil, nil
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
	s.errors = 0
}

// maxPooledFeatures and maxPooledNames bound what a pooled segment keeps:
// the feature values of its rows (16 MB) and the ignored names it saw.
const (
	maxPooledFeatures = 1 << 21
	maxPooledNames    = 1 << 10
)

// getSegment returns a segment for a batch request scored with l.
func (s *Server) getSegment(l *loaded, explain bool) *segment {
	seg, ok := s.segments.Get().(*segment)
	if !ok {
		seg = &segment{seen: map[string]bool{}}
	}
	seg.s, seg.l, seg.explain = s, l, explain
	return seg
}

func (s *Server) putSegment(seg *segment) {
	seg.reset()
	if cap(seg.x) > maxPooledFeatures {
		return // keep the pool from holding on to huge batches
	}
	s.segments.Put(seg)
}

// Start takes a scratch of the model for the segment's items.
func (seg *segment) Start() *wire.Application {
	seg.sc = seg.l.getScratch()
	return &seg.sc.app
}

// next adds a result and a feature row for the next item.
func (seg *segment) next() (*itemResult, []float64) {
	nf := len(seg.l.model.Features)
	seg.results = append(seg.results, itemResult{})
	seg.x = slices.Grow(seg.x, nf)[:len(seg.x)+nf]
	return &seg.results[len(seg.results)-1], seg.x[len(seg.x)-nf:]
}

// Object notes the decoded application's ignored fields and runs the
// pipeline on it.
func (seg *segment) Object(a *wire.Application) {
	res, x := seg.next()
	// Items of a batch usually carry the same extra fields: only a
	// different list is merged.
	if !slices.Equal(a.Ignored, seg.last) {
		for _, name := range a.Ignored {
			if !seg.seen[name] {
				seg.seen[name] = true
				seg.ignored = append(seg.ignored, name)
			}
		}
		seg.last = append(seg.last[:0], a.Ignored...)
	}
	var errs []features.FieldError
	errs, seg.sc.flags = transform(seg.l, a.Raw, seg.sc.row, x, seg.sc.flags[:0])
	if len(errs) > 0 || len(a.Problems) > 0 {
		res.problems = mergeProblems(a.Problems, errs)
		return
	}
	if len(seg.sc.flags) > 0 {
		res.outside = slices.Clone(seg.sc.flags)
	}
	res.ok = true
}

// NotObject records an item that is not an application.
func (seg *segment) NotObject(kind string) {
	res, _ := seg.next()
	res.notJSON = kind
}

// End runs the model on the segment's rows and gives the scratch back.
func (seg *segment) End(ok bool) {
	seg.l.putScratch(seg.sc)
	seg.sc = nil
	if !ok || len(seg.results) == 0 {
		return
	}
	n, nf := len(seg.results), len(seg.l.model.Features)
	seg.pds = slices.Grow(seg.pds[:0], n)[:n]
	X := &matrix.Dense{Rows: n, Cols: nf, Data: seg.x}
	seg.l.model.PDInto(seg.pds, X, 1)
}

// Finish decides, counts, records drift and encodes the segment's results;
// first is the batch index of its first item.
func (seg *segment) Finish(first int) {
	l, s := seg.l, seg.s
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
			enc = appendItem(enc, first+j, res, seg.explain)
			continue
		}
		x := seg.x[j*nf : (j+1)*nf]
		res.pd = seg.pds[j]
		res.pred = l.model.Decide(res.pd)
		res.score = appendScore(res.score[:0], l.model, x)
		if seg.explain {
			res.reasons = l.model.Reasons(sc.contrib, x, s.cfg.Reasons)
			res.score = appendPoints(res.score, l.model, x)
		}
		s.metrics.scored(res.pred, res.pd)
		s.counts.predictions[res.pred].Add(1)
		if l.drift != nil {
			at := len(seg.bins)
			seg.bins = append(seg.bins, sc.bins...)
			l.drift.Bin(seg.bins[at:], x, res.pd)
		}
		enc = appendItem(enc, first+j, res, seg.explain)
	}
	seg.enc = enc
	if len(seg.bins) > 0 {
		l.drift.Add(seg.bins)
	}
}

// handleBatch scores the applications of {"applications": [...]}. Every
// item gets a result or its own errors; the response is 200 unless the
// request as a whole is wrong.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, l *loaded) {
	if p := checkContent(w, r); p != nil {
		writeProblem(w, r, p)
		return
	}
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
	b := &wire.BatchReader{
		Index:    l.index,
		MaxItems: s.cfg.MaxBatch,
		Workers:  runtime.GOMAXPROCS(0),
		New:      func() wire.Segment { return s.getSegment(l, explain) },
		Release:  func(seg wire.Segment) { s.putSegment(seg.(*segment)) },
	}
	if sw, ok := w.(*statusWriter); ok && sw.limit != nil {
		// A batch counts its applications against the rate limit: its
		// request took one token, the others are taken before the batch
		// is decided.
		b.Admit = func(n int) error {
			if p, retry := s.chargeBatch(sw.limit, n); p != nil {
				return &refusedBatch{p, retry}
			}
			return nil
		}
	}
	segs, fieldProblem, err := b.Read(body)
	if rb, ok := errors.AsType[*refusedBatch](err); ok {
		if rb.retry > 0 {
			w.Header()["Retry-After"] = []string{strconv.Itoa(rb.retry)}
		}
		writeProblem(w, r, rb.problem)
		return
	}
	if tooMany, ok := errors.AsType[*wire.TooManyError](err); ok {
		writeProblem(w, r, &Problem{Code: ProblemBatchTooBig, Detail: fmt.Sprintf("more than %d applications; the limit is %d per request (MAX_BATCH_SIZE)", tooMany.Limit, tooMany.Limit)})
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
			s.putSegment(seg.(*segment))
		}
	}()

	n, errs, size := 0, 0, 256
	var ignored []string
	for _, ws := range segs {
		seg := ws.(*segment)
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
	for _, ws := range segs {
		seg := ws.(*segment)
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
		out = wire.AppendKey(out, "ignored_fields", false)
		out = wire.AppendStrings(out, ignored)
	}
	out = append(out, '}')
	sc.out = out
	w.Header()["Content-Type"] = contentTypeJSON
	w.Write(out)
}

// refusedBatch is a batch its rate limit refuses, with the seconds to wait
// (0: waiting does not help).
type refusedBatch struct {
	problem *Problem
	retry   int
}

func (e *refusedBatch) Error() string { return e.problem.Detail }

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
	b = append(b, res.score...)
	if explain {
		b = wire.AppendKey(b, "reasons", false)
		b = appendReasons(b, res.reasons)
	}
	if len(res.outside) > 0 {
		b = appendOutside(b, res.outside)
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
