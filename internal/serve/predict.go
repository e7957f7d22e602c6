package serve

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
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

// checkContent refuses, with 415, a body that is not JSON: its
// Content-Type must be application/json or application/<name>+json, with
// no charset or charset utf-8 (RFC 8259: JSON is UTF-8). A missing
// Content-Type is refused too: curl -d sends a form type, and scoring a
// body the client did not declare as JSON would be a guess. A body with a
// Content-Encoding other than identity (gzip, …) is refused as well, so
// that the size limits hold for exactly the bytes decoded.
func checkContent(w http.ResponseWriter, r *http.Request) *Problem {
	if ce := r.Header["Content-Encoding"]; len(ce) > 0 && !(len(ce) == 1 && strings.EqualFold(ce[0], "identity")) {
		w.Header()["Accept-Encoding"] = []string{"identity"}
		return &Problem{Code: ProblemMediaType, Detail: "the body must not be compressed (no Content-Encoding is accepted); send it as plain JSON"}
	}
	ct := r.Header["Content-Type"]
	if len(ct) == 1 && (ct[0] == "application/json" || ct[0] == "application/json; charset=utf-8") {
		return nil // the usual cases, without parsing
	}
	bad := func(detail string) *Problem {
		w.Header()["Accept-Post"] = contentTypeJSON
		return &Problem{Code: ProblemMediaType, Detail: detail}
	}
	if len(ct) == 0 {
		return bad("no Content-Type; send the body as JSON with Content-Type: application/json")
	}
	mt, params, err := mime.ParseMediaType(ct[0])
	if err != nil || len(ct) > 1 {
		return bad("the Content-Type cannot be read; send Content-Type: application/json")
	}
	if mt != "application/json" && !(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")) {
		if len(mt) > 64 {
			mt = mt[:64] + "…"
		}
		return bad("Content-Type " + mt + " is not JSON; send the body as JSON with Content-Type: application/json")
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return bad("JSON must be UTF-8; send charset=utf-8 or no charset")
	}
	return nil
}

// readBody reads the request body, at most limit bytes, into *bp and
// returns it as a string that shares the buffer: the decoder's input, whose
// unescaped string values are substrings of it. The string is valid until
// the buffer is reused; the caller puts it back with putBodyBuffer once the
// request is done. A larger body is a ProblemTooLarge; the caller has
// checked its type with checkContent.
func readBody(r *http.Request, bp *[]byte, limit int64) (string, *Problem) {
	tooLarge := func() *Problem {
		return &Problem{Code: ProblemTooLarge, Detail: fmt.Sprintf("the body is larger than the limit of %d bytes", limit)}
	}
	if r.ContentLength > limit {
		return "", tooLarge()
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
			return "", tooLarge()
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", readProblem(err, tooLarge())
		}
	}
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// readProblem turns an error reading a body into a problem document. The
// error's text names sockets and addresses, so it is never shown: a read
// deadline (READ_TIMEOUT, a client that stalls) is a ProblemTimeout, any
// other failure a ProblemUnreadable.
func readProblem(err error, tooLarge *Problem) *Problem {
	var maxErr *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &maxErr):
		return tooLarge
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout():
		return &Problem{Code: ProblemTimeout, Detail: "the body did not arrive in time; send it whole within the server's read timeout"}
	}
	return &Problem{Code: ProblemUnreadable, Detail: "the body could not be read to its end (connection closed or body shorter than its Content-Length)"}
}

// decodeProblem turns a decoding error into a problem document.
func decodeProblem(err error) *Problem {
	if errors.Is(err, wire.ErrNotObject) {
		return &Problem{Code: ProblemNotObject, Detail: "the body must be a JSON object of application fields; " + strings.TrimPrefix(err.Error(), wire.ErrNotObject.Error()+": ")}
	}
	return &Problem{Code: ProblemMalformed, Detail: err.Error()}
}

// score runs the pipeline and the model on a decoded application. It
// returns the field problems, if any.
func score(l *loaded, sc *scratch) (pd float64, pred int, problems []features.FieldError) {
	a := &sc.app
	var errs []features.FieldError
	errs, sc.flags = transform(l, a.Raw, sc.row, sc.x, sc.flags[:0])
	if len(errs) > 0 || len(a.Problems) > 0 {
		return 0, 0, mergeProblems(a.Problems, errs)
	}
	pd = l.model.PD(sc.x)
	return pd, l.model.Decide(pd), nil
}

// transform is the model's feature pipeline with the range policy between
// cleaning and encoding (see guard.go): it writes the feature vector of
// raw into x and returns the field problems, and flags with the values
// scored although outside training appended.
func transform(l *loaded, raw []features.Raw, row *features.Row, x []float64, flags []outside) ([]features.FieldError, []outside) {
	p := l.model.Pipeline
	if errs := p.CleanRecord(raw, row); len(errs) > 0 {
		return errs, flags
	}
	errs, flags := checkRanges(l.guards, raw, row, flags)
	if len(errs) > 0 {
		return errs, flags
	}
	p.Encode(row, x)
	return nil, flags
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
	if p := checkContent(w, r); p != nil {
		writeProblem(w, r, p)
		return
	}
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
	sc.app.Reset(len(l.names))
	if err := wire.DecodeApplication(body, l.index, &sc.app); err != nil {
		writeProblem(w, r, decodeProblem(err))
		return
	}
	pd, pred, problems := score(l, sc)
	if problems != nil {
		writeProblem(w, r, &Problem{Code: ProblemInvalid, Detail: invalidDetail(len(problems)), Errors: problems})
		return
	}
	var adverse []model.AdverseReason
	if pred == 1 {
		l.model.Pipeline.Directions(sc.row, sc.dirs)
		adverse = l.model.AdverseAction(sc.contrib, sc.x, sc.dirs, s.cfg.ReasonsMax)
	}
	if s.audit != nil && !s.auditDecisions(w, r, []audit.Record{decisionRecord(l, auditWriter(w), body, sc.app.Compact(), pd, pred, adverse)}) {
		return
	}
	s.record(l, sc, pd, pred)
	b := append(sc.out[:0], '{')
	b = appendPrediction(b, pd, pred)
	b = appendScore(b, l.model, sc.x)
	b = append(b, ',')
	b = appendModel(b, l)
	if pred == 1 {
		b = appendAdverse(b, pd, adverse)
	}
	if explain {
		b = appendExplain(b, l, sc.contrib, sc.x, s.cfg.Reasons)
		b = appendPoints(b, l.model, sc.x)
	}
	if len(sc.flags) > 0 {
		b = appendOutside(b, sc.flags)
	}
	if len(sc.app.Ignored) > 0 {
		b = wire.AppendKey(b, "ignored_fields", false)
		b = wire.AppendStrings(b, sc.app.Ignored)
	}
	b = append(b, '}')
	sc.out = b
	h := w.Header()
	h["Content-Type"] = contentTypeJSON
	w.Write(b)
	// After the answer: the challenger never delays or changes it.
	s.offerShadow(body, pd, pred)
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
	b = wire.AppendFloat(b, pd)
	b = append(b, `,"status":"`...)
	b = append(b, decision(pred)...)
	return append(b, '"')
}

// appendModel appends the model_version and threshold fields.
func appendModel(b []byte, l *loaded) []byte {
	b = append(b, `"model_version":`...)
	b = wire.AppendString(b, l.version)
	b = append(b, `,"threshold":`...)
	return wire.AppendFloat(b, l.model.Threshold)
}

// Disclosure of the score a declined application's notice carries: the
// calibrated PD, on its range.
const (
	disclosureScoreType = "default_probability"
	disclosureRange     = "[0,1]"
)

// appendAdverse appends the fields of a declined application's notice,
// ",adverse_action":[{code, reason, field}, …] and ",disclosure":{score,
// score_type, score_range}.
func appendAdverse(b []byte, pd float64, rs []model.AdverseReason) []byte {
	b = wire.AppendKey(b, "adverse_action", false)
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"code":`...)
		b = wire.AppendString(b, r.Code)
		b = append(b, `,"reason":`...)
		b = wire.AppendString(b, r.Reason)
		b = append(b, `,"field":`...)
		b = wire.AppendString(b, r.Field)
		b = append(b, '}')
	}
	b = append(b, `],"disclosure":{"score":`...)
	b = wire.AppendFloat(b, pd)
	b = append(b, `,"score_type":"`+disclosureScoreType+`","score_range":`+disclosureRange+`}`...)
	return b
}

// appendExplain appends the fields of ?explain=true: ",reasons", the raw
// per-feature contributions, and ",field_contributions", the same summed
// onto the application fields they derive from.
func appendExplain(b []byte, l *loaded, phi, x []float64, k int) []byte {
	b = wire.AppendKey(b, "reasons", false)
	b = appendReasons(b, l.model.Reasons(phi, x, k)) // leaves the contributions in phi
	b = wire.AppendKey(b, "field_contributions", false)
	b = append(b, '[')
	for i, f := range l.model.FieldContributions(phi, k) {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = wire.AppendString(b, f.Field)
		b = append(b, `,"contribution":`...)
		b = wire.AppendFloat(b, f.Contribution)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendReasons(b []byte, rs []model.Reason) []byte {
	b = append(b, '[')
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"feature":`...)
		b = wire.AppendString(b, r.Feature)
		b = append(b, `,"value":`...)
		b = wire.AppendFloat(b, r.Value)
		b = append(b, `,"contribution":`...)
		b = wire.AppendFloat(b, r.Contribution)
		b = append(b, '}')
	}
	return append(b, ']')
}
