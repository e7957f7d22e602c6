package wire

import (
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/credit-risk/credit-risk/internal/features"
)

// This file holds the append-based JSON encoders of the hot path: each
// response is appended to a caller's byte slice with no reflection.

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// and <, > and & are escaped as encoding/json does, so the output is safe
// to embed in HTML.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendFloat appends v as a JSON number in its shortest exact form, or
// null when v is NaN or infinite (JSON has no such numbers).
func AppendFloat(b []byte, v float64) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// AppendKey appends "name": to an object, after a comma unless first (the
// object has no field yet). name is written as it is: it must need no
// escaping.
func AppendKey(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

// AppendStrings appends a JSON array of strings.
func AppendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, s)
	}
	return append(b, ']')
}

// AppendFieldErrors appends a JSON array of field problems, each
// {"field":…,"problem":…,"detail":…}.
func AppendFieldErrors(b []byte, errs []features.FieldError) []byte {
	b = append(b, '[')
	for i, fe := range errs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = AppendString(b, fe.Field)
		b = append(b, `,"problem":`...)
		b = AppendString(b, fe.Problem)
		b = append(b, `,"detail":`...)
		b = AppendString(b, fe.Detail)
		b = append(b, '}')
	}
	return append(b, ']')
}
