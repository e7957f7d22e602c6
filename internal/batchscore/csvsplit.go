package batchscore

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads and writes CSV records in memory, exactly as
// encoding/csv does with the settings package dataset reads raw files
// with (Comma ',', LazyQuotes, FieldsPerRecord -1, no comment character,
// no leading-space trimming) and the settings of csv.NewWriter: the same
// records, fields and line numbers, and the same output bytes, without a
// copy or an allocation for a record that holds no quote. The tests check
// both directions against encoding/csv.

// splitter splits the records of a text that starts at a record boundary
// and ends at one or at the end of the input. It reuses its buffers
// between records.
type splitter struct {
	// need, when set, marks the columns a caller reads: a record without
	// a quote then has only those fields cut out (see next).
	need   []bool
	cols   []string // len(need): the needed fields of the last record
	fields []string
	buf    []byte // a quoted record's unescaped text
	ends   []int  // the end of each field in buf
}

// setNeed makes next cut out only the fields of the columns marked in
// need; nil cuts out every field.
func (sp *splitter) setNeed(need []bool) {
	sp.need = need
	sp.cols = make([]string, len(need))
}

// next returns the record that starts at or after pos in s (empty lines
// before it are skipped): its number of fields n, its fields and where the
// one after it may start. When need is set and the record holds no quote,
// fields has len(need) entries and only the needed ones of a record of
// len(need) fields are set; otherwise it has all n fields. before is how
// many line breaks were passed from pos to the record's first byte, in
// how many the record holds (its own included), and ok is false when no
// record is left. The fields share s's memory unless the record holds a
// quote. They are valid until the next call.
func (sp *splitter) next(s string, pos int) (fields []string, n, end, before, in int, ok bool) {
	// Skip empty lines: "\n", "\r\n", and a lone "\r" at the end of the
	// input (encoding/csv drops a trailing \r before EOF).
	for pos < len(s) {
		switch {
		case s[pos] == '\n':
			pos++
			before++
			continue
		case s[pos] == '\r' && pos+1 < len(s) && s[pos+1] == '\n':
			pos += 2
			before++
			continue
		case s[pos] == '\r' && pos+1 == len(s):
			pos++
			continue
		}
		break
	}
	if pos >= len(s) {
		return nil, 0, pos, before, 0, false
	}
	rest := s[pos:]
	line, hasNL := rest, false
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		line, hasNL = rest[:i], true
	}
	end = pos + len(line)
	if hasNL {
		end++
		in = 1
	}
	if strings.IndexByte(line, '"') >= 0 {
		fields, end = sp.quoted(s, pos)
		return fields, len(fields), end, before, strings.Count(s[pos:end], "\n"), true
	}
	// One trailing \r goes: "\r\n" is read as "\n", and a \r before the
	// end of the input is dropped.
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if sp.need != nil {
		return sp.cols, sp.cut(line), end, before, in, true
	}
	sp.fields = sp.fields[:0]
	for {
		i := strings.IndexByte(line, ',')
		if i < 0 {
			sp.fields = append(sp.fields, line)
			break
		}
		sp.fields = append(sp.fields, line[:i])
		line = line[i+1:]
	}
	return sp.fields, len(sp.fields), end, before, in, true
}

// cut sets sp.cols to the needed fields of line, which holds no quote,
// and returns its number of fields. One pass over the bytes finds the
// short fields of a raw loan file faster than a search per field.
func (sp *splitter) cut(line string) int {
	need, cols := sp.need, sp.cols
	f, from := 0, 0
	for i := 0; i < len(line); i++ {
		if line[i] != ',' {
			continue
		}
		if f < len(need) && need[f] {
			cols[f] = line[from:i]
		}
		f++
		from = i + 1
		if f >= len(need) {
			// Past the needed columns: count the rest.
			return f + 1 + strings.Count(line[from:], ",")
		}
	}
	if f < len(need) && need[f] {
		cols[f] = line[from:]
	}
	return f + 1
}

// readLine returns the physical line of s at pos as encoding/csv reads
// it: its text without the line break ("\r\n" counts as "\n"; a \r at the
// end of the input is dropped), whether it had one, and where the next
// line starts.
func readLine(s string, pos int) (text string, nl bool, next int) {
	rest := s[pos:]
	if i := strings.IndexByte(rest, '\n'); i >= 0 {
		text, nl, next = rest[:i], true, pos+i+1
		if n := len(text); n > 0 && text[n-1] == '\r' {
			text = text[:n-1]
		}
		return text, nl, next
	}
	text, next = rest, len(s)
	if n := len(text); n > 0 && text[n-1] == '\r' {
		text = text[:n-1]
	}
	return text, false, next
}

// quoted reads the record at pos, which has a quote on its first line,
// following encoding/csv's readRecord with LazyQuotes: a field that starts
// with a quote runs to a quote followed by a comma, a line break or the
// end of the input; "" inside it is one quote, and any other quote is
// kept. Such a field may span lines. It returns the fields, which share
// one new string, and where the next record may start.
func (sp *splitter) quoted(s string, pos int) ([]string, int) {
	sp.buf, sp.ends = sp.buf[:0], sp.ends[:0]
	line, nl, next := readLine(s, pos)
fields:
	for {
		if len(line) == 0 || line[0] != '"' {
			// An unquoted field.
			i := strings.IndexByte(line, ',')
			if i < 0 {
				sp.buf = append(sp.buf, line...)
				sp.ends = append(sp.ends, len(sp.buf))
				break fields
			}
			sp.buf = append(sp.buf, line[:i]...)
			sp.ends = append(sp.ends, len(sp.buf))
			line = line[i+1:]
			continue
		}
		// A quoted field.
		line = line[1:]
		for {
			i := strings.IndexByte(line, '"')
			switch {
			case i >= 0:
				sp.buf = append(sp.buf, line[:i]...)
				line = line[i+1:]
				switch {
				case len(line) > 0 && line[0] == '"': // "" is a quote
					sp.buf = append(sp.buf, '"')
					line = line[1:]
				case len(line) > 0 && line[0] == ',': // end of the field
					line = line[1:]
					sp.ends = append(sp.ends, len(sp.buf))
					continue fields
				case len(line) == 0: // end of the record
					sp.ends = append(sp.ends, len(sp.buf))
					break fields
				default: // a bare quote is kept
					sp.buf = append(sp.buf, '"')
				}
			case len(line) > 0 || nl:
				// The field goes on on the next line.
				sp.buf = append(sp.buf, line...)
				if nl {
					sp.buf = append(sp.buf, '\n')
				}
				if next >= len(s) {
					// The input ends inside the field.
					sp.ends = append(sp.ends, len(sp.buf))
					break fields
				}
				line, nl, next = readLine(s, next)
			default:
				// The input ends inside the field.
				sp.ends = append(sp.ends, len(sp.buf))
				break fields
			}
		}
	}
	str := string(sp.buf)
	sp.fields = sp.fields[:0]
	from := 0
	for _, e := range sp.ends {
		sp.fields = append(sp.fields, str[from:e])
		from = e
	}
	return sp.fields, next
}

// recordEnd returns the end of the last complete record of b, which
// starts at a record boundary: the offset just after the line break that
// ends it, or -1 when b holds no complete record. A record is complete
// when what follows cannot change where it ends; more is needed when b
// ends inside a quoted field or just after one of its quotes. At the end
// of the input every record is complete: use len(b).
func recordEnd(b []byte) int {
	last, pos := -1, 0
	for {
		q := bytes.IndexByte(b[pos:], '"')
		if q < 0 {
			if j := bytes.LastIndexByte(b[pos:], '\n'); j >= 0 {
				last = pos + j + 1
			}
			return last
		}
		q += pos
		if j := bytes.LastIndexByte(b[pos:q], '\n'); j >= 0 {
			last = pos + j + 1
		}
		if q > 0 && b[q-1] != ',' && b[q-1] != '\n' {
			pos = q + 1 // a quote inside an unquoted field is text
			continue
		}
		// A quoted field: find the quote that ends it.
		p := q + 1
	quoted:
		for {
			r := bytes.IndexByte(b[p:], '"')
			if r < 0 {
				return last
			}
			r += p
			if r+1 >= len(b) {
				return last
			}
			switch c := b[r+1]; {
			case c == '"':
				p = r + 2
			case c == ',':
				pos = r + 2
				break quoted
			case c == '\n':
				last, pos = r+2, r+2
				break quoted
			case c == '\r' && r+2 >= len(b):
				return last
			case c == '\r' && b[r+2] == '\n':
				last, pos = r+3, r+3
				break quoted
			default:
				p = r + 1
			}
		}
	}
}

// appendRecord appends fields to dst as one line of csv.Writer's output
// (Comma ',', UseCRLF false).
func appendRecord(dst []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendField(dst, f)
	}
	return append(dst, '\n')
}

// appendField appends one field as csv.Writer writes it: quoted, with
// quotes doubled, when it holds a comma, a quote, \r or \n, starts with a
// space, or is `\.`.
func appendField(dst []byte, f string) []byte {
	if !fieldNeedsQuotes(f) {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for len(f) > 0 {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			dst = append(dst, f...)
			break
		}
		dst = append(dst, f[:i+1]...)
		dst = append(dst, '"')
		f = f[i+1:]
	}
	return append(dst, '"')
}

// fieldNeedsQuotes is csv.Writer's rule.
func fieldNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		if c := f[i]; c == '\n' || c == '\r' || c == '"' || c == ',' {
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}
