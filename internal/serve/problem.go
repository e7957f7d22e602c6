package serve

import (
	"net/http"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// Problem codes: what went wrong with a request. Each maps to one HTTP
// status and one RFC 9457 problem type in problemTable.
const (
	ProblemMalformed        = "malformed-json"         // the body is not JSON
	ProblemUnreadable       = "body-unreadable"        // the body ended early
	ProblemTimeout          = "request-timeout"        // the body came too slowly
	ProblemNotObject        = "not-an-object"          // JSON, but not an object
	ProblemInvalid          = "invalid-application"    // field problems
	ProblemTooLarge         = "body-too-large"         // the body is over the limit
	ProblemMediaType        = "unsupported-media-type" // the body is not JSON
	ProblemBatchTooBig      = "batch-too-large"        // too many applications
	ProblemNoModel          = "model-not-loaded"       // nothing to score with
	ProblemNotFound         = "not-found"              // no such endpoint
	ProblemMethod           = "method-not-allowed"     // endpoint exists, wrong method
	ProblemInternal         = "internal-error"         // a bug: a recovered panic
	ProblemAuth             = "unauthorized"           // no valid API key
	ProblemForbidden        = "forbidden"              // the key lacks the scope
	ProblemRateLimited      = "rate-limited"           // the key is over its rate limit
	ProblemAuditUnavailable = "audit-unavailable"      // the decision could not be recorded
	problemTypeBase         = "urn:credit-risk:problem:"
	contentTypeProblem      = "application/problem+json"
)

// problemTable maps each problem code to its status and title: the one
// place request errors become HTTP statuses.
var problemTable = map[string]struct {
	status int
	title  string
}{
	ProblemMalformed:        {http.StatusBadRequest, "Malformed JSON"},
	ProblemNotObject:        {http.StatusBadRequest, "Body is not a JSON object"},
	ProblemUnreadable:       {http.StatusBadRequest, "Body could not be read"},
	ProblemTimeout:          {http.StatusRequestTimeout, "Request timeout"},
	ProblemInvalid:          {http.StatusUnprocessableEntity, "Invalid application"},
	ProblemTooLarge:         {http.StatusRequestEntityTooLarge, "Request body too large"},
	ProblemMediaType:        {http.StatusUnsupportedMediaType, "Unsupported media type"},
	ProblemBatchTooBig:      {http.StatusRequestEntityTooLarge, "Too many applications"},
	ProblemNoModel:          {http.StatusServiceUnavailable, "No model loaded"},
	ProblemNotFound:         {http.StatusNotFound, "Not found"},
	ProblemMethod:           {http.StatusMethodNotAllowed, "Method not allowed"},
	ProblemInternal:         {http.StatusInternalServerError, "Internal server error"},
	ProblemAuth:             {http.StatusUnauthorized, "Unauthorized"},
	ProblemForbidden:        {http.StatusForbidden, "Forbidden"},
	ProblemRateLimited:      {http.StatusTooManyRequests, "Too many requests"},
	ProblemAuditUnavailable: {http.StatusServiceUnavailable, "Audit trail unavailable"},
}

// Problem is an RFC 9457 problem document with the list of field problems
// of an invalid application.
type Problem struct {
	Code   string
	Detail string
	Errors []features.FieldError
}

// Status returns the HTTP status of the problem.
func (p *Problem) Status() int { return problemTable[p.Code].status }

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// appendJSON appends the problem document; instance is the request path.
func (p *Problem) appendJSON(b []byte, instance string) []byte {
	e := problemTable[p.Code]
	b = append(b, `{"type":`...)
	b = wire.AppendString(b, problemTypeBase+p.Code)
	b = append(b, `,"title":`...)
	b = wire.AppendString(b, e.title)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"detail":`...)
	b = wire.AppendString(b, p.Detail)
	if instance != "" {
		b = append(b, `,"instance":`...)
		b = wire.AppendString(b, instance)
	}
	if len(p.Errors) > 0 {
		b = append(b, `,"errors":`...)
		b = wire.AppendFieldErrors(b, p.Errors)
	}
	return append(b, '}')
}

// writeProblem writes p as application/problem+json. After a body that
// could not be read (timeout, early end) the connection is closed: what is
// left of the body cannot be told apart from the next request.
func writeProblem(w http.ResponseWriter, r *http.Request, p *Problem) {
	b := p.appendJSON(make([]byte, 0, 256), r.URL.Path)
	h := w.Header()
	h["Content-Type"] = []string{contentTypeProblem}
	h["Cache-Control"] = noStore
	if p.Code == ProblemTimeout || p.Code == ProblemUnreadable {
		h["Connection"] = []string{"close"}
	}
	w.WriteHeader(p.Status())
	w.Write(b)
}
