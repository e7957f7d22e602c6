// Package wire is the JSON wire format of the scoring API: it decodes the
// body of a request straight into the raw inputs of a model's feature
// pipeline, reads batch bodies in parallel segments, and appends the JSON
// of responses to byte slices. It knows JSON and the shape of requests,
// never HTTP, models or scores: package serve does the rest.
//
// # Requests
//
// An application is one JSON object whose fields are the lender's raw
// fields. DecodeApplication writes each field the model reads (its Index)
// into the features.Raw slot of its input: a string stays a string (the
// pipeline's parsers read " 36 months", "10.65%", "Dec-2011"), a number is
// a number, and null or an absent field is missing. A boolean, object or
// array for an input is a field problem (features.ProblemType), listed in
// Application.Problems rather than returned as an error. Fields the model
// does not read are listed in Application.Ignored. For example, with the
// inputs loan_amnt and term,
//
//	{"loan_amnt": 5000, "term": " 36 months", "member_id": 7}
//
// decodes to Raw [5000, " 36 months"] and Ignored [member_id].
//
// A batch is {"applications": [item, item, ...]}; other top-level fields
// are ignored. Every item is an application; an item that is not an
// object is handed on as such (Segment.NotObject) rather than refusing the
// batch. BatchReader cuts the array into segments at guessed item
// boundaries, reads them on several goroutines and keeps a segment only
// where it starts exactly where the one before it stopped, re-reading the
// rest, so the result is that of reading the body from start to end.
//
// Both accept exactly the documents encoding/json accepts (RFC 8259,
// nesting at most 10,000 deep), and decode strings the same way: invalid
// UTF-8 and unpaired surrogates become U+FFFD. Two differences: a number
// out of float64 range decodes to ±Inf (which the pipeline refuses as not
// finite) where encoding/json returns an error, and an input sent twice in
// one application, or a batch's applications field sent twice, is a field
// problem (ProblemDuplicate) where encoding/json keeps the last value:
// ambiguous input is refused, never guessed. The fuzz tests check this against
// encoding/json. A malformed body is a *SyntaxError with its byte offset;
// a well-formed body that is not an object wraps ErrNotObject; a batch
// over its limit is a *TooManyError.
//
// # Speed
//
// The body is a string (usually a view of the request's buffer), so a
// string value without escapes is a substring of it and costs no
// allocation; such values stay valid only as long as the buffer, and
// Application.Clear drops them before the buffer is reused. An Application
// remembers the field names of the objects it decoded, in order, so a
// client that sends its fields in one order has each name recognised by
// one comparison instead of a hash lookup. Strings are scanned eight bytes
// at a time.
//
// # Responses
//
// AppendString, AppendFloat, AppendKey, AppendStrings and
// AppendFieldErrors append JSON to a caller's byte slice without
// reflection. Strings are escaped as encoding/json escapes them (<, > and
// & too, so the output is safe in HTML; invalid UTF-8 becomes U+FFFD), and
// NaN or ±Inf, which JSON cannot hold, becomes null.
package wire
