package serve

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/model"
)

// Decisions, the status field of a scored application.
const (
	StatusApproved = "approved" // prediction 0: PD below the threshold
	StatusDeclined = "declined" // prediction 1: PD at or above the threshold
)

func decision(pred int) string {
	if pred == 1 {
		return StatusDeclined
	}
	return StatusApproved
}

// maxPooledBody is the largest body buffer kept for reuse.
const maxPooledBody = 64 << 20

// getBodyBuffer returns a buffer to read a request body into. A body is
// decoded from a string view of its buffer (readBody), so the buffer goes
// back to the pool (putBodyBuffer) only when the request is done: every
// string taken from the body is then either copied into the response or
// cleared from the pooled scratch (putScratch).
func (s *Server) getBodyBuffer() *[]byte {
	if bp, ok := s.bodies.Get().(*[]byte); ok {
		return bp
	}
	return new([]byte)
}

func (s *Server) putBodyBuffer(bp *[]byte) {
	if cap(*bp) <= maxPooledBody {
		*bp = (*bp)[:0]
		s.bodies.Put(bp)
	}
}

// readBody reads the request body, at most limit bytes, into *bp and
// returns it as a string that shares the buffer: the decoder's input, whose
// unescaped string values are substrings of it. The string is valid until
// the buffer is reused; the caller puts it back with putBodyBuffer once the
// request is done. A larger body is a ProblemTooLarge. The body is read as
// JSON whatever its Content-Type says, so that clients such as curl -d
// work as they are.
func readBody(r *http.Request, bp *[]byte, limit int64) (string, *Problem) {
	tooLarge := &Problem{Code: ProblemTooLarge, Detail: fmt.Sprintf("the body is larger than the limit of %d bytes", limit)}
	if r.ContentLength > limit {
		return "", tooLarge
	}
	buf := (*bp)[:0]
	if want := int(r.ContentLength) + 1; r.ContentLength >= 0 && cap(buf) < want {
		buf = make([]byte, 0, want) // room to read io.EOF without growing
	}
	defer func() { *bp = buf }()
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(cap(buf), 512))
		}
		n, err := r.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return "", tooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			var maxErr *http.MaxBytesError
			if errors.As(err, &maxErr) {
				return "", tooLarge
			}
			return "", &Problem{Code: ProblemMalformed, Detail: "reading the body: " + err.Error()}
		}
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// decodeProblem turns a decoding error into a problem document.
func decodeProblem(err error) *Problem {
	if errors.Is(err, errNotObject) {
		return &Problem{Code: ProblemNotObject, Detail: "the body must be a JSON object of application fields; " + strings.TrimPrefix(err.Error(), errNotObject.Error()+": ")}
	}
	return &Problem{Code: ProblemMalformed, Detail: err.Error()}
}

// score runs the pipeline and the model on a decoded application. It
// returns the field problems, if any.
func score(l *loaded, sc *scratch) (pd float64, pred int, problems []features.FieldError) {
	a := &sc.app
	errs := l.model.Pipeline.Transform(a.raw, sc.row, sc.x)
	if len(errs) > 0 || len(a.problems) > 0 {
		return 0, 0, mergeProblems(a.problems, errs)
	}
	pd = l.model.PD(sc.x)
	return pd, l.model.Decide(pd), nil
}

// mergeProblems lists decoding problems first, then the pipeline's for
// fields without a decoding problem (a field sent as a boolean is also
// "missing" to the pipeline; once is enough).
func mergeProblems(decoding, pipeline []features.FieldError) []features.FieldError {
	out := slices.Clone(decoding)
	for _, fe := range pipeline {
		if !slices.ContainsFunc(decoding, func(d features.FieldError) bool { return d.Field == fe.Field }) {
			out = append(out, fe)
		}
	}
	return out
}

func explainParam(r *http.Request) (bool, *Problem) {
	if r.URL.RawQuery == "" {
		return false, nil
	}
	v := r.URL.Query().Get("explain")
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, &Problem{Code: ProblemInvalid, Detail: "query parameter explain must be true or false",
			Errors: []features.FieldError{{Field: "explain", Problem: features.ProblemType, Detail: fmt.Sprintf("want true or false, got %q", v)}}}
	}
	return b, nil
}

// handlePredict scores one application.
func (s *Server) handlePredict(w http.ResponseWriter, r *http.Request, l *loaded) {
	explain, p := explainParam(r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	sc := l.getScratch()
	defer l.putScratch(sc)
	bp := s.getBodyBuffer()
	defer s.putBodyBuffer(bp)
	body, p := readBody(r, bp, s.cfg.MaxBodyBytes)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	sc.app.reset(len(l.names))
	if err := decodeApplication(body, l.index, &sc.app); err != nil {
		writeProblem(w, r, decodeProblem(err))
		return
	}
	pd, pred, problems := score(l, sc)
	if problems != nil {
		writeProblem(w, r, &Problem{Code: ProblemInvalid, Detail: invalidDetail(len(problems)), Errors: problems})
		return
	}
	s.record(l, sc, pd, pred)
	b := append(sc.out[:0], '{')
	b = appendPrediction(b, pd, pred)
	b = append(b, ',')
	b = appendModel(b, l)
	if explain {
		b = appendKey(b, "reasons", false)
		b = appendReasons(b, l.model.Reasons(sc.contrib, sc.x, s.cfg.Reasons))
	}
	if len(sc.app.ignored) > 0 {
		b = appendKey(b, "ignored_fields", false)
		b = appendStrings(b, sc.app.ignored)
	}
	b = append(b, '}')
	sc.out = b
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	w.Write(b)
}

func invalidDetail(n int) string {
	if n == 1 {
		return "1 field has a problem; see errors"
	}
	return strconv.Itoa(n) + " fields have problems; see errors"
}

// record counts one scored application and adds it to the drift window.
func (s *Server) record(l *loaded, sc *scratch, pd float64, pred int) {
	s.metrics.scored(pred, pd)
	s.counts.predictions[pred].Add(1)
	if l.drift != nil {
		l.drift.Bin(sc.bins, sc.x, pd)
		l.drift.Add(sc.bins)
	}
}

// appendPrediction appends the decision fields of a scored application,
// prediction, default_probability and status, without braces.
func appendPrediction(b []byte, pd float64, pred int) []byte {
	b = append(b, `"prediction":`...)
	b = append(b, byte('0'+pred))
	b = append(b, `,"default_probability":`...)
	b = appendFloat(b, pd)
	b = append(b, `,"status":"`...)
	b = append(b, decision(pred)...)
	return append(b, '"')
}

// appendModel appends the model_version and threshold fields.
func appendModel(b []byte, l *loaded) []byte {
	b = append(b, `"model_version":`...)
	b = appendString(b, l.version)
	b = append(b, `,"threshold":`...)
	return appendFloat(b, l.model.Threshold)
}

func appendReasons(b []byte, rs []model.Reason) []byte {
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"feature":`...)
		b = appendString(b, r.Feature)
		b = append(b, `,"value":`...)
		b = appendFloat(b, r.Value)
		b = append(b, `,"contribution":`...)
		b = appendFloat(b, r.Contribution)
		b = append(b, '}')
	}
	return append(b, ']')
}

// batchChunk is the number of applications a batch worker takes at a time.
const batchChunk = 64

// itemResult is the answer for one application of a batch.
type itemResult struct {
	ok       bool // scored: pd and pred are set
	pd       float64
	pred     int
	problems []features.FieldError
	reasons  []model.Reason
	notJSON  string // the item is not an object: its kind
}

// handleBatch scores the applications of {"applications": [...]} in
// parallel. Every item gets a result or its own errors; the response is
// 200 unless the request as a whole is wrong.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request, l *loaded) {
	explain, p := explainParam(r)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	sc := l.getScratch()
	defer l.putScratch(sc)
	bp := s.getBodyBuffer()
	defer s.putBodyBuffer(bp)
	body, p := readBody(r, bp, s.cfg.MaxBatchBodyBytes)
	if p != nil {
		writeProblem(w, r, p)
		return
	}
	items, fieldProblem, err := batchItems(body, nil)
	if err != nil {
		writeProblem(w, r, decodeProblem(err))
		return
	}
	if fieldProblem != nil {
		writeProblem(w, r, &Problem{Code: ProblemInvalid, Detail: "the body must be {\"applications\": [ ... ]}", Errors: []features.FieldError{*fieldProblem}})
		return
	}
	if len(items) > s.cfg.MaxBatch {
		writeProblem(w, r, &Problem{Code: ProblemBatchTooBig, Detail: fmt.Sprintf("%d applications; the limit is %d per request (MAX_BATCH_SIZE)", len(items), s.cfg.MaxBatch)})
		return
	}
	results := make([]itemResult, len(items))
	out, err := s.scoreBatch(l, body, items, results, explain)
	if err != nil {
		writeProblem(w, r, decodeProblem(err))
		return
	}
	n := 0
	for _, c := range out.chunks {
		n += len(c)
	}
	b := slices.Grow(sc.out[:0], n+256+16*len(out.ignored))
	b = append(b, '{')
	b = appendModel(b, l)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(len(items)), 10)
	b = append(b, `,"errors":`...)
	b = strconv.AppendInt(b, int64(out.errors), 10)
	b = append(b, `,"results":[`...)
	for i, c := range out.chunks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, c...)
	}
	b = append(b, ']')
	if len(out.ignored) > 0 {
		b = appendKey(b, "ignored_fields", false)
		b = appendStrings(b, out.ignored)
	}
	b = append(b, '}')
	sc.out = b
	w.Header()["Content-Type"] = contentTypeJSON
	w.Write(b)
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

// batchOutput is a scored batch: the encoded results, chunk by chunk, the
// number of items that could not be scored, and the sorted names of the
// fields the model does not read.
type batchOutput struct {
	chunks  [][]byte
	errors  int
	ignored []string
}

// scoreBatch scores the items of a batch body. It runs in three steps:
// decode and transform every item into one row of a matrix (in parallel),
// predict the whole matrix at once (Model.PDInto: the trees' batch path,
// bit for bit the PD of Model.PD), then decide, count, record drift and
// encode each chunk's results (in parallel).
//
// A malformed item (batchItems only skims them) makes the whole body
// malformed: the first syntax error, with its offset in the body, is
// returned.
func (s *Server) scoreBatch(l *loaded, body string, items [][2]int, results []itemResult, explain bool) (batchOutput, error) {
	n := len(items)
	if n == 0 {
		return batchOutput{}, nil
	}
	workers := min(runtime.GOMAXPROCS(0), (n+batchChunk-1)/batchChunk)
	X := matrix.New(n, len(l.model.Features))
	ignoredBy := make([][]string, workers)
	syntaxErrs := make([]error, workers)
	parallelChunks(n, workers, func(w, lo, hi int) {
		sc := l.getScratch()
		defer l.putScratch(sc)
		var seen map[string]bool
		var last []string // the previous item's ignored fields
		for i := lo; i < hi; i++ {
			res := &results[i]
			item := body[items[i][0]:items[i][1]]
			var err error
			if item[0] != '{' {
				if err = checkItem(item); err == nil {
					res.notJSON = kindName(item[0])
					continue
				}
			} else {
				sc.app.reset(len(l.names))
				err = decodeAt(item, itemDepth, l.index, &sc.app)
			}
			if err != nil {
				var se *syntaxError
				if errors.As(err, &se) {
					err = &syntaxError{Offset: items[i][0] + se.Offset, Msg: se.Msg}
				}
				if syntaxErrs[w] == nil {
					syntaxErrs[w] = err
				}
				return
			}
			// Items of a batch usually carry the same extra fields:
			// only a different list is merged.
			if !slices.Equal(sc.app.ignored, last) {
				if seen == nil {
					seen = map[string]bool{}
				}
				for _, name := range sc.app.ignored {
					if !seen[name] {
						seen[name] = true
						ignoredBy[w] = append(ignoredBy[w], name)
					}
				}
				last = append(last[:0], sc.app.ignored...)
			}
			errs := l.model.Pipeline.Transform(sc.app.raw, sc.row, X.Row(i))
			if len(errs) > 0 || len(sc.app.problems) > 0 {
				res.problems = mergeProblems(sc.app.problems, errs)
				continue
			}
			res.ok = true
		}
	})
	for _, err := range syntaxErrs {
		if err != nil {
			return batchOutput{}, err
		}
	}
	pds := make([]float64, n)
	l.model.PDInto(pds, X, workers)
	out := batchOutput{chunks: make([][]byte, (n+batchChunk-1)/batchChunk)}
	errs := make([]int, workers)
	parallelChunks(n, workers, func(w, lo, hi int) {
		sc := l.getScratch()
		defer l.putScratch(sc)
		var bins []uint8
		enc := make([]byte, 0, (hi-lo)*96)
		defer func() { out.chunks[lo/batchChunk] = enc }()
		for i := lo; i < hi; i++ {
			res := &results[i]
			if i > lo {
				enc = append(enc, ',')
			}
			if !res.ok {
				errs[w]++
				enc = appendItem(enc, i, res, explain)
				continue
			}
			x := X.Row(i)
			res.pd = pds[i]
			res.pred = l.model.Decide(res.pd)
			if explain {
				res.reasons = l.model.Reasons(sc.contrib, x, s.cfg.Reasons)
			}
			s.metrics.scored(res.pred, res.pd)
			s.counts.predictions[res.pred].Add(1)
			if l.drift != nil {
				k := len(bins)
				bins = append(bins, sc.bins...)
				l.drift.Bin(bins[k:], x, res.pd)
			}
			enc = appendItem(enc, i, res, explain)
		}
		if len(bins) > 0 {
			l.drift.Add(bins)
		}
	})
	for _, e := range errs {
		out.errors += e
	}
	for _, names := range ignoredBy {
		out.ignored = append(out.ignored, names...)
	}
	slices.Sort(out.ignored)
	out.ignored = slices.Compact(out.ignored)
	return out, nil
}

// parallelChunks calls fn(worker, lo, hi) for consecutive chunks of
// [0, n), batchChunk at a time, on workers goroutines. A panic in fn is
// raised again on the caller's goroutine once every worker has stopped
// (an escaped panic would end the process; ServeHTTP recovers this one).
func parallelChunks(n, workers int, fn func(worker, lo, hi int)) {
	nchunks := (n + batchChunk - 1) / batchChunk
	var next atomic.Int64
	var panicked atomic.Pointer[string]
	work := func(w int) {
		defer func() {
			if v := recover(); v != nil {
				msg := fmt.Sprintf("%v\n%s", v, debug.Stack())
				panicked.CompareAndSwap(nil, &msg)
			}
		}()
		for {
			c := int(next.Add(1) - 1)
			if c >= nchunks {
				return
			}
			fn(w, c*batchChunk, min((c+1)*batchChunk, n))
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(func() { work(w) })
	}
	work(0)
	wg.Wait()
	if msg := panicked.Load(); msg != nil {
		panic("serve: batch worker: " + *msg)
	}
}
