package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Kind is what a record stands for.
type Kind string

// The kinds of record.
const (
	// KindDecision is a scoring decision, appended by the caller.
	KindDecision Kind = "decision"
	// KindGap marks bytes of a segment that are not records: a record torn
	// by a crash, found and fenced off when the trail was reopened. Only
	// the sink writes gap records.
	KindGap Kind = "gap"
)

// Decision is the outcome of a scored application, as the API reports it.
type Decision string

// The decisions the API makes.
const (
	DecisionApproved Decision = "approved" // PD below the threshold
	DecisionDeclined Decision = "declined" // PD at or above the threshold
)

// GenesisHash is the Prev of the first record of a trail: 64 zeros.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Record is one entry of the audit trail.
//
// On disk a record is one line of JSON with its fields in the order they
// are declared here; fields marked optional are left out when empty. The
// line is canonical: DecodeRecord accepts exactly the bytes the sink
// writes, so a record has one encoding and its hash is reproducible. Hash is
// the lowercase hex SHA-256 of the line without its hash field, that is of
// the JSON object holding every other field, and it is the line's last
// field:
//
//	{"seq":7,"kind":"decision","time":"…","prev":"…",…,"threshold":0.42,"hash":"…"}
type Record struct {
	// Seq is the record's position in the trail, from 1, with no gaps;
	// the sink sets it.
	Seq uint64
	// Kind is KindDecision or KindGap; Append accepts "" as KindDecision.
	Kind Kind
	// Time is when the decision was made, in UTC, written in RFC 3339
	// with nanoseconds (trailing zeros removed). Append sets it to the
	// current time when it is zero.
	Time time.Time
	// Prev is the Hash of the record before this one, GenesisHash for the
	// first; the sink sets it. It links records across segments too.
	Prev string

	// RequestID identifies the request the decision answered (the
	// client's X-Request-Id or one the server made). Required for a
	// decision.
	RequestID string
	// KeyID is the id of the API key that called, when authentication is
	// on. Optional.
	KeyID string
	// ModelName is the model's name, such as "gbdt".
	ModelName string
	// ModelVersion is the model's version id as the API reports it, such as
	// "gbdt_v3". Required for a decision.
	ModelVersion string
	// ModelSHA256 is the lowercase hex SHA-256 of the model file that
	// scored.
	ModelSHA256 string
	// InputSHA256 is the lowercase hex SHA-256 of the application exactly
	// as received. Append computes it from Input when it is empty; one of
	// the two is required.
	InputSHA256 string
	// Input is the application as received, a JSON value, stored without
	// insignificant whitespace (the bytes encoding/json.Compact makes);
	// left out when the sink keeps hashes only (InputsHash). Append
	// rejects an Input that is not JSON by the grammar of RFC 8259; it
	// does not check that its strings are valid UTF-8 or its keys
	// distinct. Optional.
	Input json.RawMessage
	// InputCompact declares that Input is already what the check and the
	// compaction above make of it: one JSON value without whitespace
	// outside its strings, as checked by the decoder that read it (the
	// scoring API's: wire.Application.Compact). Append then keeps Input as
	// it is, saving a pass over it; a newline in it still sends it through
	// the check. It is not stored. Set it only for input so checked: a
	// wrong claim can put a line that does not verify in the trail.
	InputCompact bool
	// DefaultProbability is the calibrated probability of default (PD),
	// in [0, 1].
	DefaultProbability float64
	// Score is the credit score shown to the applicant, when the model
	// produces one. Optional.
	Score *float64
	// Decision is the outcome at Threshold. Required for a decision.
	Decision Decision
	// Threshold is the PD at or above which an application is declined.
	Threshold float64
	// Reasons are the principal reasons for the decision, most important
	// first. Optional.
	Reasons []Reason

	// Gap describes the bytes a gap record fences off; set only for
	// KindGap, which carries no decision fields.
	Gap *Gap

	// Hash is the record's own hash (see Record); the sink sets it.
	Hash string
}

// Reason is one principal reason for a decision, from the reason-code
// catalogue.
type Reason struct {
	// Code is the catalogue's stable code for the reason.
	Code string `json:"code"`
	// Reason is the catalogue's plain statement.
	Reason string `json:"reason"`
	// Field is the application field the reason names.
	Field string `json:"field"`
}

// Gap says which bytes of a segment are not records: a record torn by a
// crash (possibly after whole lines that are not records either) and the
// newline added to end it.
type Gap struct {
	// Segment is the file name of the segment holding the bytes.
	Segment string `json:"segment"`
	// Offset is the byte offset of the first of them.
	Offset int64 `json:"offset"`
	// Bytes is how many there are; the gap record starts right after them.
	Bytes int64 `json:"bytes"`
	// SHA256 is the lowercase hex SHA-256 of the bytes.
	SHA256 string `json:"sha256"`
}

// Errors wrapped by DecodeRecord, Append and Verify.
var (
	// ErrMalformed: a line is not a record in the canonical encoding.
	ErrMalformed = errors.New("audit: malformed record")
	// ErrHash: a record's hash does not match its content.
	ErrHash = errors.New("audit: record hash mismatch")
	// ErrInvalid: a record given to Append lacks a required field or holds
	// a value that cannot be recorded.
	ErrInvalid = errors.New("audit: invalid record")
)

// DecodeRecord decodes one line of a segment, without its newline, and
// checks its hash. It accepts only the canonical encoding: the line must be
// byte for byte what the sink writes for the record it decodes to. A
// malformed line wraps ErrMalformed; a well-formed line whose hash does not
// match wraps ErrHash and still returns the decoded record.
func DecodeRecord(line []byte) (Record, error) {
	var w struct {
		Seq                uint64          `json:"seq"`
		Kind               Kind            `json:"kind"`
		Time               string          `json:"time"`
		Prev               string          `json:"prev"`
		RequestID          string          `json:"request_id"`
		KeyID              string          `json:"key_id"`
		ModelName          string          `json:"model_name"`
		ModelVersion       string          `json:"model_version"`
		ModelSHA256        string          `json:"model_sha256"`
		InputSHA256        string          `json:"input_sha256"`
		Input              json.RawMessage `json:"input"`
		DefaultProbability float64         `json:"default_probability"`
		Score              *float64        `json:"score"`
		Decision           Decision        `json:"decision"`
		Threshold          float64         `json:"threshold"`
		Reasons            []Reason        `json:"reasons"`
		Gap                *Gap            `json:"gap"`
		Hash               string          `json:"hash"`
	}
	if err := json.Unmarshal(line, &w); err != nil {
		return Record{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	t, err := time.Parse(time.RFC3339Nano, w.Time)
	if err != nil {
		return Record{}, fmt.Errorf("%w: time: %v", ErrMalformed, err)
	}
	rec := Record{
		Seq: w.Seq, Kind: w.Kind, Time: t, Prev: w.Prev,
		RequestID: w.RequestID, KeyID: w.KeyID,
		ModelName: w.ModelName, ModelVersion: w.ModelVersion, ModelSHA256: w.ModelSHA256,
		InputSHA256: w.InputSHA256, Input: w.Input,
		DefaultProbability: w.DefaultProbability, Score: w.Score,
		Decision: w.Decision, Threshold: w.Threshold, Reasons: w.Reasons,
		Gap: w.Gap, Hash: w.Hash,
	}
	body, err := appendBody(make([]byte, 0, len(line)), &rec)
	if err != nil {
		return Record{}, err
	}
	if n := len(body); len(line) != n+len(`,"hash":""}`)+len(w.Hash) ||
		string(line[:n]) != string(body) || string(line[n:]) != `,"hash":"`+w.Hash+`"}` {
		return Record{}, fmt.Errorf("%w: not in canonical form", ErrMalformed)
	}
	if sum := hashBody(body); sum != w.Hash {
		return rec, fmt.Errorf("%w: seq %d", ErrHash, rec.Seq)
	}
	return rec, nil
}

// appendLine appends rec's line with its newline and returns it with the
// record's hash.
func appendLine(dst []byte, rec *Record) ([]byte, string, error) {
	start := len(dst)
	dst, err := appendBody(dst, rec)
	if err != nil {
		return dst[:start], "", err
	}
	sum := hashBody(dst[start:])
	dst = append(dst, `,"hash":"`...)
	dst = append(dst, sum...)
	dst = append(dst, "\"}\n"...)
	return dst, sum, nil
}

// appendChained appends the line of a record at seq, after the record
// whose hash is prev, and sets prev to the record's hash. head is the
// record's appendKindTime, tail its appendFields: the bytes are those
// appendLine writes for the record with that seq and prev.
func appendChained(dst []byte, seq uint64, prev *[2 * sha256.Size]byte, head, tail []byte) []byte {
	start := len(dst)
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, head...)
	dst = append(dst, '"')
	dst = append(dst, prev[:]...)
	dst = append(dst, '"')
	dst = append(dst, tail...)
	dst = append(dst, '}') // hashed with the body, then replaced
	sum := sha256.Sum256(dst[start:])
	hex.Encode(prev[:], sum[:])
	dst = append(dst[:len(dst)-1], `,"hash":"`...)
	dst = append(dst, prev[:]...)
	return append(dst, "\"}\n"...)
}

// hashBody returns the hex SHA-256 of the object body closes: body + "}".
func hashBody(body []byte) string {
	h := sha256.New()
	h.Write(body)
	h.Write([]byte{'}'})
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))
}

// appendBody appends the canonical encoding of every field but the hash:
// the JSON object without its closing brace.
func appendBody(b []byte, r *Record) ([]byte, error) {
	b = append(b, `{"seq":`...)
	b = strconv.AppendUint(b, r.Seq, 10)
	b = appendKindTime(b, r)
	b = appendString(b, r.Prev)
	return appendFields(b, r)
}

// appendKindTime appends the fields between seq and prev's value:
// `,"kind":…,"time":…,"prev":`.
func appendKindTime(b []byte, r *Record) []byte {
	b = append(b, `,"kind":`...)
	b = appendString(b, string(r.Kind))
	b = append(b, `,"time":"`...)
	b = r.Time.UTC().AppendFormat(b, time.RFC3339Nano) // nothing in it to escape
	return append(b, `","prev":`...)
}

// appendFields appends the fields after prev, up to the hash.
func appendFields(b []byte, r *Record) ([]byte, error) {
	switch r.Kind {
	case KindDecision:
		b = append(b, `,"request_id":`...)
		b = appendString(b, r.RequestID)
		if r.KeyID != "" {
			b = append(b, `,"key_id":`...)
			b = appendString(b, r.KeyID)
		}
		b = append(b, `,"model_name":`...)
		b = appendString(b, r.ModelName)
		b = append(b, `,"model_version":`...)
		b = appendString(b, r.ModelVersion)
		b = append(b, `,"model_sha256":`...)
		b = appendString(b, r.ModelSHA256)
		b = append(b, `,"input_sha256":`...)
		b = appendString(b, r.InputSHA256)
		if r.Input != nil {
			b = append(b, `,"input":`...)
			b = append(b, r.Input...)
		}
		b = append(b, `,"default_probability":`...)
		b = appendFloat(b, r.DefaultProbability)
		if r.Score != nil {
			b = append(b, `,"score":`...)
			b = appendFloat(b, *r.Score)
		}
		b = append(b, `,"decision":`...)
		b = appendString(b, string(r.Decision))
		b = append(b, `,"threshold":`...)
		b = appendFloat(b, r.Threshold)
		if len(r.Reasons) > 0 {
			b = append(b, `,"reasons":[`...)
			for i, rs := range r.Reasons {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"code":`...)
				b = appendString(b, rs.Code)
				b = append(b, `,"reason":`...)
				b = appendString(b, rs.Reason)
				b = append(b, `,"field":`...)
				b = appendString(b, rs.Field)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
	case KindGap:
		if r.Gap == nil {
			return b, fmt.Errorf("%w: gap record without gap", ErrMalformed)
		}
		b = append(b, `,"gap":{"segment":`...)
		b = appendString(b, r.Gap.Segment)
		b = append(b, `,"offset":`...)
		b = strconv.AppendInt(b, r.Gap.Offset, 10)
		b = append(b, `,"bytes":`...)
		b = strconv.AppendInt(b, r.Gap.Bytes, 10)
		b = append(b, `,"sha256":`...)
		b = appendString(b, r.Gap.SHA256)
		b = append(b, '}')
	default:
		return b, fmt.Errorf("%w: unknown kind %q", ErrMalformed, r.Kind)
	}
	return b, nil
}

// appendString appends s as a JSON string: '"' and '\\' escaped, \n, \r
// and \t in their short forms, other control characters as \u00XX, every
// other character as it is. s must be valid UTF-8.
func appendString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendFloat appends f as a JSON number: the shortest decimal that reads
// back as f, in positional notation for magnitudes in [1e-9, 1e15) and
// zero, in exponent notation (1e-10, 1e+15) otherwise. f must be finite.
func appendFloat(b []byte, f float64) []byte {
	if a := math.Abs(f); a == 0 || (a >= 1e-9 && a < 1e15) {
		return strconv.AppendFloat(b, f, 'f', -1, 64)
	}
	return strconv.AppendFloat(b, f, 'e', -1, 64)
}

// validate checks a decision record given to Append, but for its input:
// Append checks that Input is JSON as it compacts it (appendCompact).
func validate(r *Record) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
	}
	if r.Kind != KindDecision {
		return bad("kind %q: only decisions are appended", r.Kind)
	}
	required := [...]struct{ name, v string }{
		{"request_id", r.RequestID}, {"model_version", r.ModelVersion}, {"decision", string(r.Decision)},
	}
	for _, f := range required {
		if f.v == "" {
			return bad("%s is empty", f.name)
		}
	}
	strs := [...]struct{ name, v string }{
		{"request_id", r.RequestID}, {"key_id", r.KeyID}, {"model_name", r.ModelName},
		{"model_version", r.ModelVersion}, {"model_sha256", r.ModelSHA256}, {"decision", string(r.Decision)},
	}
	for _, f := range strs {
		if !utf8.ValidString(f.v) {
			return bad("%s is not valid UTF-8", f.name)
		}
	}
	for _, rs := range r.Reasons {
		for _, f := range [...]struct{ name, v string }{
			{"reasons.code", rs.Code}, {"reasons.reason", rs.Reason}, {"reasons.field", rs.Field},
		} {
			if !utf8.ValidString(f.v) {
				return bad("%s is not valid UTF-8", f.name)
			}
		}
	}
	if r.InputSHA256 == "" && r.Input == nil {
		return bad("no input and no input_sha256")
	}
	if r.InputSHA256 != "" && !isHexSHA256(r.InputSHA256) {
		return bad("input_sha256 %q is not a lowercase hex SHA-256", r.InputSHA256)
	}
	p := r.DefaultProbability
	if math.IsNaN(p) || p < 0 || p > 1 {
		return bad("default_probability %v is not in [0, 1]", p)
	}
	if math.IsNaN(r.Threshold) || math.IsInf(r.Threshold, 0) {
		return bad("threshold %v is not finite", r.Threshold)
	}
	if r.Score != nil && (math.IsNaN(*r.Score) || math.IsInf(*r.Score, 0)) {
		return bad("score %v is not finite", *r.Score)
	}
	return nil
}

func isHexSHA256(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
