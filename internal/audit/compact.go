package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// maxDepth bounds the nesting of arrays and objects in an input, as
// encoding/json bounds it.
const maxDepth = 10000

// errDepth is the error of an input nested deeper than maxDepth.
var errDepth = errors.New("exceeded max depth")

// appendCompact appends src, one JSON value, to dst without insignificant
// whitespace, in a single pass: the bytes are those encoding/json.Compact
// writes, and src is rejected when Compact rejects it.
//
// What is checked is the JSON grammar of RFC 8259, as encoding/json checks
// it: structure and nesting (at most maxDepth deep), one value and nothing
// but whitespace after it, string escapes, number syntax, the literals
// true, false and null, and no control character (below U+0020) in a
// string. Outside strings only the grammar's characters remain once
// whitespace is removed, so the result holds no newline or other control
// character anywhere, and a record line holding it stays one line that
// DecodeRecord reads back.
//
// What is not checked, as encoding/json.Compact does not check it: that
// strings are valid UTF-8 (their bytes are copied as they are), that the
// keys of an object differ, and that numbers fit any Go type.
//
// On error dst is returned as it was, with an error naming the offset in
// src.
func appendCompact(dst, src []byte) ([]byte, error) {
	c := compactor{dst: dst, src: src}
	if err := c.value(); err != nil {
		return dst, err
	}
	return append(c.dst, src[c.from:]...), nil
}

// compactor walks one JSON value, checking its grammar. The compacted
// value is the source without its whitespace outside strings: what lies
// between two runs of whitespace is copied once, when the second run is
// met, not token by token.
type compactor struct {
	dst, src []byte
	from     int // the start of the source bytes not yet copied to dst
}

// space skips the whitespace at i, copying the bytes before it, and
// returns the offset after it.
func (c *compactor) space(i int) int {
	j := skipSpace(c.src, i)
	if j > i {
		c.dst = append(c.dst, c.src[c.from:i]...)
		c.from = j
	}
	return j
}

// value checks the source: one value, with whitespace around it.
func (c *compactor) value() error {
	src := c.src
	var stackBuf [64]bool // true for an object, false for an array
	stack := stackBuf[:0]
	i := c.space(0)
	for {
		// A value starts at i.
		if i >= len(src) {
			return syntaxError(src, i, "end of input, want a value")
		}
		switch ch := src[i]; ch {
		case '{', '[':
			if len(stack) == maxDepth {
				return fmt.Errorf("offset %d: %w", i, errDepth)
			}
			end := byte('}')
			if ch == '[' {
				end = ']'
			}
			i = c.space(i + 1)
			if i < len(src) && src[i] == end {
				i++
				break
			}
			stack = append(stack, ch == '{')
			if ch == '{' {
				var err error
				if i, err = c.key(i); err != nil {
					return err
				}
			}
			continue
		case '"':
			var err error
			if i, err = scanJSONString(src, i); err != nil {
				return err
			}
		case 't', 'f', 'n':
			lit := "null"
			switch ch {
			case 't':
				lit = "true"
			case 'f':
				lit = "false"
			}
			if len(src)-i < len(lit) || string(src[i:i+len(lit)]) != lit {
				return syntaxError(src, i, "want "+lit)
			}
			i += len(lit)
		default:
			end, ok := scanNumber(src, i)
			if !ok {
				return syntaxError(src, end, "want a value")
			}
			i = end
		}

		// A value ended at i: close the containers it ends, up to the
		// next value.
		for {
			i = c.space(i)
			if len(stack) == 0 {
				if i < len(src) {
					return syntaxError(src, i, "after the top-level value")
				}
				return nil
			}
			if i >= len(src) {
				return syntaxError(src, i, "end of input, want , or a closing bracket")
			}
			object := stack[len(stack)-1]
			ch := src[i]
			if ch == ',' {
				i = c.space(i + 1)
				if object {
					var err error
					if i, err = c.key(i); err != nil {
						return err
					}
				}
				break
			}
			if object && ch == '}' || !object && ch == ']' {
				stack = stack[:len(stack)-1]
				i++
				continue
			}
			return syntaxError(src, i, "want , or a closing bracket")
		}
	}
}

// key checks an object's key at i and its colon, and returns the offset
// of its value, after whitespace.
func (c *compactor) key(i int) (int, error) {
	src := c.src
	if i >= len(src) || src[i] != '"' {
		return i, syntaxError(src, i, "want an object key")
	}
	i, err := scanJSONString(src, i)
	if err != nil {
		return i, err
	}
	i = c.space(i)
	if i >= len(src) || src[i] != ':' {
		return i, syntaxError(src, i, "want : after an object key")
	}
	return c.space(i + 1), nil
}

// scanJSONString checks the string that starts with the quote at i and
// returns the offset after its closing quote.
func scanJSONString(src []byte, i int) (int, error) {
	j := i + 1
	for j < len(src) {
		// Skip eight bytes at a time while none of them ends the string
		// or needs a look.
		for j+8 <= len(src) && !special(binary.LittleEndian.Uint64(src[j:])) {
			j += 8
		}
		if j >= len(src) {
			break
		}
		switch c := src[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= len(src) {
				return j, syntaxError(src, j+1, "end of input in a string escape")
			}
			switch src[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				for k := j + 2; k < j+6; k++ {
					if k >= len(src) || !isHex(src[k]) {
						return k, syntaxError(src, k, `want a hex digit in a \u escape`)
					}
				}
				j += 6
			default:
				return j + 1, syntaxError(src, j+1, "in a string escape")
			}
		case c < 0x20:
			return j, syntaxError(src, j, "in a string")
		default:
			j++
		}
	}
	return j, syntaxError(src, j, "end of input in a string")
}

// special reports whether any of the eight bytes in w is a quote, a
// backslash or a control character (below 0x20).
func special(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	quote := w ^ ('"' * ones)
	backslash := w ^ ('\\' * ones)
	// A byte b has its high bit set in b-1 &^ b only when it is 0, in
	// b-0x20 &^ b only when it is below 0x20; a borrow from a lower byte
	// can only add to a byte above one that is found.
	return (quote-ones)&^quote&highs|(backslash-ones)&^backslash&highs|(w-0x20*ones)&^w&highs != 0
}

// scanNumber returns the end of the number at i, or the offset of the
// first byte that does not fit and false.
func scanNumber(src []byte, i int) (int, bool) {
	if i < len(src) && src[i] == '-' {
		i++
	}
	switch {
	case i < len(src) && src[i] == '0':
		i++
	case i < len(src) && '1' <= src[i] && src[i] <= '9':
		i = skipDigits(src, i+1)
	default:
		return i, false
	}
	if i < len(src) && src[i] == '.' {
		if i++; i >= len(src) || !isDigit(src[i]) {
			return i, false
		}
		i = skipDigits(src, i+1)
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		if i++; i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if i >= len(src) || !isDigit(src[i]) {
			return i, false
		}
		i = skipDigits(src, i+1)
	}
	return i, true
}

func skipDigits(src []byte, i int) int {
	for i < len(src) && isDigit(src[i]) {
		i++
	}
	return i
}

// skipSpace returns the offset of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// syntaxError describes the byte at offset i of src, or its end.
func syntaxError(src []byte, i int, what string) error {
	if i >= len(src) {
		return fmt.Errorf("offset %d: %s", i, what)
	}
	return fmt.Errorf("offset %d: unexpected %q: %s", i, src[i], what)
}
