package serve

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"sync"

	"github.com/credit-risk/credit-risk/internal/audit"
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
	adverse  []model.AdverseReason // a declined application's reasons
	outside  []outside             // values scored although outside training
	notJSON  string                // the item is not an object: its kind
	input    string                // the item as received (a view of the body), for the audit trail
	compact  bool                  // input is compact JSON (wire.Application.Compact)
	score    []byte                // a scorecard's ,"score" (and with explain ,"points") fields
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
	x       []float64            // one row of features per item
	dirs    []features.Direction // per item, the direction of each input
	pds     []float64
	ignored []string // distinct names of fields the model does not read
	seen    map[string]bool
	last    []string // the previous item's ignored fields
	bins    []uint8
	enc     []byte // the encoded results
	errors  int    // items that could not be scored
	decided bool   // decide has run
}

var _ wire.Segment = (*segment)(nil)

// reset empties s for reuse, dropping every string it holds (they point
// into a request body).
func (s *segment) reset() {
	s.s, s.l, s.sc = nil, nil, nil
	clear(s.results)
	s.results = s.results[:0]
	s.x, s.pds, s.bins, s.enc, s.dirs = s.x[:0], s.pds[:0], s.bins[:0], s.enc[:0], s.dirs[:0]
	clear(s.ignored)
	s.ignored = s.ignored[:0]
	clear(s.last)
	s.last = s.last[:0]
	if len(s.seen) > maxPooledNames {
		s.seen = map[string]bool{}
	} else {
		clear(s.seen)
	}
	s.errors, s.decided = 0, false
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

// next adds a result, a feature row and a row of input directions for the
// next item.
func (seg *segment) next() (*itemResult, []float64, []features.Direction) {
	nf, ni := len(seg.l.model.Features), len(seg.l.model.Pipeline.Inputs)
	seg.results = append(seg.results, itemResult{})
	seg.x = slices.Grow(seg.x, nf)[:len(seg.x)+nf]
	seg.dirs = slices.Grow(seg.dirs, ni)[:len(seg.dirs)+ni]
	return &seg.results[len(seg.results)-1], seg.x[len(seg.x)-nf:], seg.dirs[len(seg.dirs)-ni:]
}

// Object notes the decoded application's ignored fields and runs the
// pipeline on it.
func (seg *segment) Object(a *wire.Application) {
	res, x, dirs := seg.next()
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
	// The decision comes once the segment is scored (End); the row does
	// not outlive the item, so its directions are kept for the notice.
	seg.l.model.Pipeline.Directions(seg.sc.row, dirs)
	res.ok = true
	res.input, res.compact = a.Span, a.Compact()
}

// NotObject records an item that is not an application.
func (seg *segment) NotObject(kind string) {
	res, _, _ := seg.next()
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
	seg.decide()
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
			enc = appendItem(enc, first+j, res, nil)
			continue
		}
		x := seg.x[j*nf : (j+1)*nf]
		s.metrics.scored(res.pred, res.pd)
		s.counts.predictions[res.pred].Add(1)
		if l.drift != nil {
			at := len(seg.bins)
			seg.bins = append(seg.bins, sc.bins...)
			l.drift.Bin(seg.bins[at:], x, res.pd)
		}
		var ex *explainer
		if seg.explain {
			ex = &explainer{l: l, phi: sc.contrib, x: x, k: s.cfg.Reasons}
		}
		enc = appendItem(enc, first+j, res, ex)
	}
	seg.enc = enc
	if len(seg.bins) > 0 {
		l.drift.Add(seg.bins)
	}
}

// decide sets each scored item's decision and, for a declined one, its
// adverse-action reasons; once (the audit trail may need them before
// Finish).
func (seg *segment) decide() {
	if seg.decided {
		return
	}
	seg.decided = true
	l, s := seg.l, seg.s
	sc := l.getScratch()
	defer l.putScratch(sc)
	nf, ni := len(l.model.Features), len(l.model.Pipeline.Inputs)
	for j := range seg.results {
		res := &seg.results[j]
		if !res.ok {
			continue
		}
		x := seg.x[j*nf : (j+1)*nf]
		res.pd = seg.pds[j]
		res.pred = l.model.Decide(res.pd)
		res.score = appendScore(res.score[:0], l.model, x)
		if seg.explain {
			res.score = appendPoints(res.score, l.model, x)
		}
		if res.pred == 1 {
			res.adverse = l.model.AdverseAction(sc.contrib, x, seg.dirs[j*ni:(j+1)*ni], s.cfg.ReasonsMax)
		}
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
	if sw := auditWriter(w); (sw != nil && sw.limit != nil) || s.audit != nil {
		// Before the batch is decided and counted: a batch counts its
		// applications against the rate limit (its request took one
		// token), and its decisions are recorded in the audit trail.
		b.Admit = func(segs []wire.Segment, n int) error {
			if sw != nil && sw.limit != nil {
				if p, retry := s.chargeBatch(sw.limit, n); p != nil {
					return &refusedBatch{p, retry}
				}
			}
			if s.audit != nil && !s.auditDecisions(w, r, batchRecords(l, sw, segs, n)) {
				return errAnswered
			}
			return nil
		}
	}
	segs, fieldProblem, err := b.Read(body)
	if err == errAnswered {
		return
	}
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

// errAnswered is returned by a batch's Admit hook when it has answered the
// request itself.
var errAnswered = errors.New("answered")

// batchRecords returns the audit records of a batch's scored items: the
// decisions Finish will send. Each record's request id is the request's
// and the item's index in the batch: "<id>/<index>".
func batchRecords(l *loaded, sw *statusWriter, segs []wire.Segment, n int) []audit.Record {
	var wg sync.WaitGroup
	for _, ws := range segs {
		wg.Go(ws.(*segment).decide)
	}
	wg.Wait()
	recs := make([]audit.Record, 0, n)
	index := 0
	for _, ws := range segs {
		seg := ws.(*segment)
		for j := range seg.results {
			if res := &seg.results[j]; res.ok {
				rec := decisionRecord(l, sw, res.input, res.compact, res.pd, res.pred, res.adverse)
				rec.RequestID += "/" + strconv.Itoa(index)
				recs = append(recs, rec)
			}
			index++
		}
	}
	return recs
}

// refusedBatch is a batch its rate limit refuses, with the seconds to wait
// (0: waiting does not help).
type refusedBatch struct {
	problem *Problem
	retry   int
}

func (e *refusedBatch) Error() string { return e.problem.Detail }

// explainer is what ?explain=true needs to explain one batch item.
type explainer struct {
	l      *loaded
	phi, x []float64
	k      int
}

// appendItem appends the answer for batch item i: its decision, or its
// error; ex, when not nil, explains it.
func appendItem(b []byte, i int, res *itemResult, ex *explainer) []byte {
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
	if res.pred == 1 {
		b = appendAdverse(b, res.pd, res.adverse)
	}
	if ex != nil {
		b = appendExplain(b, ex.l, ex.phi, ex.x, ex.k)
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
