package wire

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/credit-risk/credit-risk/internal/features"
)

// This file is the request decoder. It scans a JSON document once and
// writes each field of an application straight into the features.Raw slot
// of its input (no map[string]any, no reflection). It works on a string so
// that every string value without escapes is a substring of the body and
// costs no allocation.

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// Errors of the decoders. A body that is not JSON is a *SyntaxError, which
// wraps ErrSyntax; a well-formed body that is not an object gives an error
// wrapping ErrNotObject, "not a JSON object: got an array".
var (
	// ErrSyntax is wrapped by every malformed-JSON error.
	ErrSyntax = errors.New("malformed JSON")
	// ErrNotObject reports a well-formed document that is not a JSON
	// object where one is required.
	ErrNotObject = errors.New("not a JSON object")
)

// SyntaxError is malformed JSON at a byte offset of the body.
type SyntaxError struct {
	Offset int    // where the problem was found, in bytes from the start
	Msg    string // what was wrong, e.g. "want ':' after a field name"
}

// Error returns "malformed JSON at byte <Offset>: <Msg>".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("malformed JSON at byte %d: %s", e.Offset, e.Msg)
}

// Unwrap returns ErrSyntax.
func (e *SyntaxError) Unwrap() error { return ErrSyntax }

func synErr(off int, format string, args ...any) error {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// Application is where one application is decoded to. Its zero value is
// ready for Reset. The strings it holds may share the decoded body: Clear
// drops them before the body's memory is reused. An Application caches the
// field names it has seen with their positions in one Index, so it must
// only ever be used with that Index (keep one per loaded model). It is not
// safe for concurrent use.
type Application struct {
	// Raw holds the value of each input, aligned with the names of the
	// Index: a string, a number, or absent (missing or null).
	Raw []features.Raw
	// Ignored lists the names of the fields the model does not read, in
	// body order (a repeated field is listed each time).
	Ignored []string
	// Problems are the field problems found while decoding: a boolean,
	// object or array value for an input (features.ProblemType), or an
	// input that appears more than once (ProblemDuplicate).
	Problems []features.FieldError
	// Span is the item's JSON text as received, a view of the body, in a
	// batch (BatchReader sets it before Segment.Object); "" otherwise.
	Span string

	// seen has bit i set once input i has appeared in the object.
	seen []uint64
	// spaced is set once the object was found to hold whitespace outside
	// its strings, or a nested object or array (see Compact).
	spaced bool

	// keys remembers field names in the order an object had them, with
	// their input positions: clients send their fields in one order, some
	// left out, so a name is usually recognised by comparing the body with
	// the names expected next. The names are copies, never views of a
	// body, and the positions are those of the one Index the Application
	// is used with. next is where the names expected next start.
	keys []cachedKey
	next int
}

// Compact reports whether the object decoded last — the body, or a batch
// item's Span — holds no whitespace outside its strings and no nested
// object or array: its text is then what a JSON compactor writes for it,
// byte for byte, and (being decoded) valid JSON without a control
// character, so a consumer that needs it compact (the audit trail) can
// keep it as it is.
func (a *Application) Compact() bool { return !a.spaced }

// skip returns the offset of the first byte at or after i that is not
// whitespace, noting whitespace it skips.
func (a *Application) skip(body string, i int) int {
	j := skipSpace(body, i)
	if j != i {
		a.spaced = true
	}
	return j
}

// skipNested skips the value at i as skipValue does, noting a nested
// object or array, which Compact does not vouch for.
func (a *Application) skipNested(body string, i, depth int) (int, error) {
	if c := body[i]; c == '{' || c == '[' {
		a.spaced = true
	}
	return skipValue(body, i, depth)
}

// ProblemDuplicate is the field problem of an input that appears more than
// once in one object: encoding/json would keep the last value, a client
// may mean the first, so the application is refused rather than guessed.
const ProblemDuplicate = "duplicate_field"

// markSeen records that input slot has appeared and reports whether it had
// already.
func (a *Application) markSeen(slot int) bool {
	w, bit := slot>>6, uint64(1)<<(slot&63)
	dup := a.seen[w]&bit != 0
	a.seen[w] |= bit
	return dup
}

// duplicate records the problem of an input sent more than once, once per
// input.
func (a *Application) duplicate(key string) {
	for _, p := range a.Problems {
		if p.Problem == ProblemDuplicate && p.Field == key {
			return
		}
	}
	a.Problems = append(a.Problems, features.FieldError{
		Field: key, Problem: ProblemDuplicate,
		Detail: "appears more than once in the application; send each field once",
	})
}

// cachedKey is a field name that needs no escaping in JSON, and its input
// position (-1: not read by the model).
type cachedKey struct {
	name string
	slot int
}

// maxCachedKeys and maxCachedKeyBytes bound the key cache of an
// application: the names, and the length of a name.
const (
	maxCachedKeys     = 512
	maxCachedKeyBytes = 256
)

// keyLookahead is how many cached names past the expected one are tried:
// the fields an object leaves out.
const keyLookahead = 4

// expectedKey returns the cached name expected next (or a few after it) when
// the string at body[i] (its opening quote) is exactly that name: the name
// holds no quote, backslash or control byte and is valid UTF-8, so equal
// bytes followed by a quote are the whole string, unescaped.
func (a *Application) expectedKey(body string, i int) (cachedKey, int, bool) {
	for j := a.next; j < len(a.keys) && j <= a.next+keyLookahead; j++ {
		ck := a.keys[j]
		end := i + 1 + len(ck.name)
		if end < len(body) && body[end] == '"' && body[i+1:end] == ck.name {
			a.next = j + 1
			return ck, end + 1, true
		}
	}
	return cachedKey{}, 0, false
}

// remember caches key, read where the cache had no name, with its input
// position; name is a string that does not share the body (the model's
// name for the input), "" to copy key. Names are only added at the end of
// the cache: an object of the usual order fills it, the first time.
func (a *Application) remember(key string, slot int, name string) {
	if a.next != len(a.keys) || len(a.keys) >= maxCachedKeys || len(key) > maxCachedKeyBytes || !plainKey(key) {
		return
	}
	if name == "" {
		name = strings.Clone(key)
	}
	a.keys = append(a.keys, cachedKey{name, slot})
	a.next = len(a.keys)
}

// plainKey reports whether s is written in JSON as itself between quotes:
// no quote, backslash or control byte, valid UTF-8.
func plainKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return s != "" && utf8.ValidString(s)
}

// Reset empties a for an application of n inputs (Index.Len), keeping its
// memory and its cache of field names.
func (a *Application) Reset(n int) {
	if cap(a.Raw) < n {
		a.Raw = make([]features.Raw, n)
	}
	a.Raw = a.Raw[:n]
	clear(a.Raw)
	words := (n + 63) >> 6
	if cap(a.seen) < words {
		a.seen = make([]uint64, words)
	}
	a.seen = a.seen[:words]
	clear(a.seen)
	clear(a.Ignored)
	a.Ignored = a.Ignored[:0]
	a.Problems = a.Problems[:0]
	a.Span = ""
	a.spaced = false
}

// Clear drops every string a holds that may share a decoded body, up to
// the capacity of its slices, so that the body's buffer can be reused
// while a is kept (in a pool) for the next request. The cache of field
// names holds copies and is kept.
func (a *Application) Clear() {
	a.Span = ""
	clear(a.Raw)
	clear(a.Ignored[:cap(a.Ignored)])
	clear(a.Problems[:cap(a.Problems)])
}

// DecodeApplication decodes body, which must be one JSON object and nothing
// else (blanks aside), into a, which the caller has Reset for index. index
// maps input names to positions. Unescaped string values are substrings of
// body, valid as long as body is.
//
// It accepts exactly the documents encoding/json accepts (RFC 8259, nesting
// at most 10,000 deep) and decodes strings the same way: invalid UTF-8 and
// unpaired surrogates become U+FFFD. A number out of float64 range decodes
// to ±Inf. A malformed body is a *SyntaxError; a well-formed body that is
// not an object wraps ErrNotObject. A field of the wrong JSON type, and an
// input that appears more than once (after unescaping: "a" and "\u0061"
// are the same name), are not errors: they are listed in a.Problems, so
// that the caller refuses the application naming the field. A repeated
// field the model does not read is listed in a.Ignored each time.
func DecodeApplication(body string, index *Index, a *Application) error {
	return decodeAt(body, 0, index, a)
}

// decodeAt is decodeApplication for a body nested depth levels deep in a
// larger document (a batch item), so that the nesting limit counts from
// the top of that document.
func decodeAt(body string, depth int, index *Index, a *Application) error {
	i := a.skip(body, 0)
	if i == len(body) {
		return synErr(i, "empty body")
	}
	if body[i] != '{' {
		end, err := skipValue(body, i, depth)
		if err != nil {
			return err
		}
		if j := skipSpace(body, end); j != len(body) {
			return synErr(j, "data after the top-level value")
		}
		return fmt.Errorf("%w: got %s", ErrNotObject, kindName(body[i]))
	}
	end, err := decodeObject(body, i, depth+1, index, a)
	if err != nil {
		return err
	}
	if j := a.skip(body, end); j != len(body) {
		return synErr(j, "data after the top-level value")
	}
	return nil
}

// decodeObject decodes the object starting at body[i] == '{', at nesting
// depth depth, into a and returns the offset after it.
func decodeObject(body string, i, depth int, index *Index, a *Application) (int, error) {
	i = a.skip(body, i+1)
	if i < len(body) && body[i] == '}' {
		return i + 1, nil
	}
	a.next = 0
	for {
		if i >= len(body) || body[i] != '"' {
			return 0, synErr(i, "want a field name")
		}
		var key string
		var slot, next int
		var err error
		if ck, end, ok := a.expectedKey(body, i); ok {
			key, slot, next = ck.name, ck.slot, end
		} else {
			if key, next, err = readString(body, i); err != nil {
				return 0, err
			}
			var name string
			slot, name = index.lookupName(key)
			a.remember(key, slot, name)
		}
		i = a.skip(body, next)
		if i >= len(body) || body[i] != ':' {
			return 0, synErr(i, "want ':' after a field name")
		}
		i = a.skip(body, i+1)
		if i >= len(body) {
			return 0, synErr(i, "want a value")
		}
		if slot < 0 {
			a.Ignored = append(a.Ignored, key)
			if i, err = a.skipNested(body, i, depth); err != nil {
				return 0, err
			}
		} else {
			if a.markSeen(slot) {
				a.duplicate(key)
			}
			switch c := body[i]; {
			case c == '"':
				var s string
				if s, i, err = readString(body, i); err != nil {
					return 0, err
				}
				a.Raw[slot] = features.RawString(s)
			case c == '-' || (c >= '0' && c <= '9'):
				end, err := scanNumber(body, i)
				if err != nil {
					return 0, err
				}
				// A syntactically valid number out of float64 range
				// parses to ±Inf, which the pipeline reports as not
				// finite.
				v, _ := strconv.ParseFloat(body[i:end], 64)
				a.Raw[slot] = features.RawNumber(v)
				i = end
			case c == 'n':
				if i, err = literal(body, i, "null"); err != nil {
					return 0, err
				}
				a.Raw[slot] = features.Raw{}
			default:
				start := i
				if i, err = a.skipNested(body, i, depth); err != nil {
					return 0, err
				}
				a.Raw[slot] = features.Raw{}
				a.Problems = append(a.Problems, features.FieldError{
					Field: key, Problem: features.ProblemType,
					Detail: "want a string or a number, got " + kindName(body[start]),
				})
			}
		}
		i = a.skip(body, i)
		if i >= len(body) {
			return 0, synErr(i, "unterminated object")
		}
		switch body[i] {
		case ',':
			i = a.skip(body, i+1)
		case '}':
			return i + 1, nil
		default:
			return 0, synErr(i, "want ',' or '}' after an object field")
		}
	}
}

// kindName names the JSON type a value starting with c has.
func kindName(c byte) string {
	switch c {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func literal(s string, i int, lit string) (int, error) {
	if len(s)-i < len(lit) || s[i:i+len(lit)] != lit {
		return 0, synErr(i, "invalid literal")
	}
	return i + len(lit), nil
}

// skipValue checks the value starting at s[i] and returns the offset after
// it. depth is the nesting depth of the value's container.
func skipValue(s string, i, depth int) (int, error) {
	if i >= len(s) {
		return 0, synErr(i, "want a value")
	}
	switch c := s[i]; {
	case c == '"':
		end, _, err := scanString(s, i)
		return end, err
	case c == '-' || (c >= '0' && c <= '9'):
		return scanNumber(s, i)
	case c == 't':
		return literal(s, i, "true")
	case c == 'f':
		return literal(s, i, "false")
	case c == 'n':
		return literal(s, i, "null")
	case c == '{' || c == '[':
		if depth+1 > maxDepth {
			return 0, synErr(i, "nesting deeper than %d", maxDepth)
		}
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipSpace(s, i+1)
		if i < len(s) && s[i] == closer {
			return i + 1, nil
		}
		for {
			var err error
			if c == '{' {
				if i >= len(s) || s[i] != '"' {
					return 0, synErr(i, "want a field name")
				}
				if i, _, err = scanString(s, i); err != nil {
					return 0, err
				}
				i = skipSpace(s, i)
				if i >= len(s) || s[i] != ':' {
					return 0, synErr(i, "want ':' after a field name")
				}
				i = skipSpace(s, i+1)
			}
			if i, err = skipValue(s, i, depth+1); err != nil {
				return 0, err
			}
			i = skipSpace(s, i)
			if i >= len(s) {
				return 0, synErr(i, "unterminated %s", containerName(c))
			}
			if s[i] == closer {
				return i + 1, nil
			}
			if s[i] != ',' {
				return 0, synErr(i, "want ',' or '%c'", closer)
			}
			i = skipSpace(s, i+1)
		}
	}
	return 0, synErr(i, "invalid character %q looking for a value", s[i])
}

func containerName(open byte) string {
	if open == '{' {
		return "object"
	}
	return "array"
}

// scanNumber checks the number starting at s[i] against the JSON grammar
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? and returns its end.
func scanNumber(s string, i int) (int, error) {
	start := i
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		digits()
	default:
		return 0, synErr(start, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return 0, synErr(start, "invalid number")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return 0, synErr(start, "invalid number")
		}
	}
	return i, nil
}

// scanString checks the string starting at s[i] == '"' and returns the
// offset after its closing quote and whether it needs unquoting (escapes
// or invalid UTF-8).
func scanString(s string, i int) (end int, slow bool, err error) {
	start := i
	i++
	for i < len(s) {
		// Skip plain bytes eight at a time, stopping at the first byte
		// that needs a look: a quote, a backslash, a control character
		// or a non-ASCII byte.
		if i+8 <= len(s) {
			m := specialBytes(load64(s, i))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		}
		c := s[i]
		switch {
		case c == '"':
			return i + 1, slow, nil
		case c == '\\':
			slow = true
			if i+1 >= len(s) {
				return 0, false, synErr(i, "unterminated string")
			}
			switch s[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(s) || !isHex4(s[i+2:i+6]) {
					return 0, false, synErr(i, "invalid \\u escape")
				}
				i += 6
			default:
				return 0, false, synErr(i, "invalid escape")
			}
		case c < 0x20:
			return 0, false, synErr(i, "control character in a string")
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				slow = true
			}
			i += size
		}
	}
	return 0, false, synErr(start, "unterminated string")
}

// load64 reads s[i:i+8] as a little-endian word.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// specialBytes returns a word whose lowest set bit is the high bit of the
// first byte of w (in memory order) that is '"', '\\', below 0x20 or at
// least 0x80, and 0 when there is none. It uses the classic "has a zero
// byte" test, (x - 0x01…01) & ^x & 0x80…80, whose lowest flagged byte is
// always a true match (a borrow only spreads towards higher bytes).
func specialBytes(w uint64) uint64 {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	q := w ^ ('"' * ones)
	b := w ^ ('\\' * ones)
	return ((w-0x20*ones) & ^w | (q-ones) & ^q | (b-ones) & ^b | w) & highs
}

func isHex4(s string) bool {
	for i := range 4 {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// readString returns the value of the string starting at s[i] and the
// offset after it.
func readString(s string, i int) (string, int, error) {
	end, slow, err := scanString(s, i)
	if err != nil {
		return "", 0, err
	}
	if !slow {
		return s[i+1 : end-1], end, nil
	}
	return unquote(s[i+1 : end-1]), end, nil
}

// unquote decodes the inside of a string scanString accepted.
func unquote(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '\\' {
			switch s[i+1] {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := rune(hex4(s[i+2 : i+6]))
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := utf8.RuneError
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = rune(hex4(s[i+2 : i+6]))
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r = dec
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default: // '"', '\\', '/'
				b = append(b, s[i+1])
			}
			i += 2
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		b = utf8.AppendRune(b, r) // invalid bytes become U+FFFD
		i += size
	}
	return string(b)
}

func hex4(s string) uint16 {
	var v uint16
	for i := range 4 {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		v = v<<4 | uint16(c)
	}
	return v
}
