// Package value parses the raw text of a loan field into a number, a date or
// a category, the way lenders export them: " 36 months", "10.65%",
// "10+ years", "Dec-2011", "1,250.00".
//
// Every parser takes the raw string and returns the parsed value, whether it
// was missing (an empty or "n/a"-like token), and an error when the text is
// present but cannot be read. Parsers never panic, whatever the input.
package value

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ErrSyntax is wrapped by every parse error.
var ErrSyntax = errors.New("cannot parse")

// Kind names a parser. The names are those used in dataset spec files.
type Kind string

// The parsers.
const (
	// Number reads a plain decimal number; thousands separators and
	// surrounding blanks are allowed ("1,250.5", " 42 ").
	Number Kind = "number"
	// Percent reads a percentage with or without the sign, keeping the
	// percent scale: "10.65%" and "10.65" both give 10.65.
	Percent Kind = "percent"
	// Months reads a duration in months: " 36 months", "60", "36 mo".
	Months Kind = "months"
	// Years reads an employment length in years: "10+ years" → 10,
	// "< 1 year" → 0, "3 years" → 3, "n/a" → missing.
	Years Kind = "years"
	// Date reads a date with the column's layout; the value is days since
	// 1970-01-01 UTC.
	Date Kind = "date"
	// Text keeps the trimmed string; categorical and ordinal columns use it.
	Text Kind = "text"
)

// kinds lists every parser name, in the order documentation shows them.
var kinds = [...]Kind{Number, Percent, Months, Years, Date, Text}

// Kinds returns every parser name, in the order documentation shows them,
// in a new slice the caller may change.
func Kinds() []Kind { return slices.Clone(kinds[:]) }

// Valid reports whether k names a parser.
func (k Kind) Valid() bool { return slices.Contains(kinds[:], k) }

// Numeric reports whether the parser yields a number (Date included).
func (k Kind) Numeric() bool { return k != Text }

// defaultMissing are the tokens read as missing in every column, compared
// after trimming blanks, case-insensitively.
var defaultMissing = [...]string{"", "n/a", "na", "nan", "null", "none", "?"}

// DefaultMissing returns the tokens read as missing in every column unless
// a column says otherwise, compared after trimming blanks,
// case-insensitively, in a new slice the caller may change.
func DefaultMissing() []string { return slices.Clone(defaultMissing[:]) }

// IsMissing reports whether s (trimmed, case-insensitive) is one of the
// missing tokens.
func IsMissing(s string, tokens []string) bool {
	return isMissingTrimmed(trimSpace(s), tokens)
}

// trimSpace is strings.TrimSpace with a fast path for the usual value,
// which has nothing to trim: a first and a last byte that are ASCII and
// not blank (every other blank is a multi-byte rune).
func trimSpace(s string) string {
	if n := len(s); n > 0 && s[0] > ' ' && s[0] < utf8.RuneSelf && s[n-1] > ' ' && s[n-1] < utf8.RuneSelf {
		return s
	}
	return strings.TrimSpace(s)
}

func isMissingTrimmed(s string, tokens []string) bool {
	if s != "" {
		// An ASCII byte other than k and s folds only to itself and, for
		// a letter, its other case (K and s also fold to the Kelvin sign
		// and the long s): only a token starting with such a byte can be
		// equal to s. Numbers take this path.
		if c := s[0]; c < utf8.RuneSelf && c|0x20 != 'k' && c|0x20 != 's' {
			c = lowerASCII(c)
			for _, t := range tokens {
				if t != "" && lowerASCII(t[0]) == c && strings.EqualFold(s, t) {
					return true
				}
			}
			return false
		}
	}
	for _, t := range tokens {
		if strings.EqualFold(s, t) {
			return true
		}
	}
	return false
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// Parser reads one column's raw text.
type Parser struct {
	// Kind selects the parser.
	Kind Kind
	// Layout is the Go time layout for Date columns (see DateLayout for the
	// friendly spellings a spec may use).
	Layout string
	// Missing are the tokens read as missing; nil means DefaultMissing.
	Missing []string

	// firsts, set by Prepare, marks the bytes a missing token can start
	// with, in both cases; see isMissing.
	firsts   [4]uint64
	prepared bool
}

// Prepare readies p for many values: it notes which first bytes the
// missing tokens have, so that most values are told apart from them by
// their first byte alone. Call it again after changing Missing.
func (p *Parser) Prepare() {
	p.firsts = [4]uint64{}
	for _, t := range p.tokens() {
		if t == "" {
			continue
		}
		c := t[0]
		p.firsts[c>>6] |= 1 << (c & 63)
		if l := lowerASCII(c); l != c {
			p.firsts[l>>6] |= 1 << (l & 63)
		} else if 'a' <= c && c <= 'z' {
			u := c - 'a' + 'A'
			p.firsts[u>>6] |= 1 << (u & 63)
		}
	}
	p.prepared = true
}

func (p *Parser) tokens() []string {
	if p.Missing == nil {
		return defaultMissing[:] // read only
	}
	return p.Missing
}

// isMissing reports whether the trimmed value t is a missing token. On a
// prepared parser an ASCII first byte that no token starts with settles
// it (k and s aside: they also fold from non-ASCII runes).
func (p *Parser) isMissing(t string) bool {
	if p.prepared && t != "" {
		if c := t[0]; c < utf8.RuneSelf && c|0x20 != 'k' && c|0x20 != 's' && p.firsts[c>>6]&(1<<(c&63)) == 0 {
			return false
		}
	}
	return isMissingTrimmed(t, p.tokens())
}

// ParseFloat parses s with p's numeric parser. It returns (NaN, true, nil)
// for a missing token.
func (p *Parser) ParseFloat(s string) (v float64, missing bool, err error) {
	t := trimSpace(s)
	if p.isMissing(t) {
		return math.NaN(), true, nil
	}
	switch p.Kind {
	case Number:
		v, err = parseNumber(t)
	case Percent:
		v, err = parseNumber(trimSpace(strings.TrimSuffix(t, "%")))
	case Months:
		v, err = parseUnit(t, "months", "month", "mos", "mo", "m")
	case Years:
		v, err = parseYears(t)
	case Date:
		v, err = ParseDate(t, p.Layout)
	default:
		return math.NaN(), false, fmt.Errorf("parser %q is not numeric", p.Kind)
	}
	if err != nil {
		return math.NaN(), false, fmt.Errorf("%w %q as %s", ErrSyntax, s, p.Kind)
	}
	return v, false, nil
}

// ParseText returns the trimmed text, or missing for a missing token.
func (p *Parser) ParseText(s string) (v string, missing bool) {
	t := trimSpace(s)
	if p.isMissing(t) {
		return "", true
	}
	return t, false
}

func parseNumber(s string) (float64, error) {
	if v, ok := parseDecimal(s); ok {
		return v, nil
	}
	if s == "" {
		return 0, ErrSyntax
	}
	if strings.IndexByte(s, ',') >= 0 {
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, ErrSyntax
	}
	return v, nil
}

// pow10 are the powers of ten that float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// parseDecimal reads the common short decimal, an optional minus sign,
// at most 15 digits and at most one point ("-12.50", "7", ".5"), exactly
// as strconv.ParseFloat does: the digits make an integer below 2^53 and
// the point a division by an exact power of ten, so the one rounding of
// the division gives the correctly rounded value. Anything else reports
// false and is left to strconv.
func parseDecimal(s string) (float64, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	var mant uint64
	digits, frac := 0, -1
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			mant = mant*10 + uint64(c-'0')
			digits++
			if frac >= 0 {
				frac++
			}
		case c == '.' && frac < 0:
			frac = 0
		default:
			return 0, false
		}
	}
	if digits == 0 || digits > 15 {
		return 0, false
	}
	v := float64(mant)
	if frac > 0 {
		v /= pow10[frac]
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseUnit reads "<number> <unit>" where the unit is optional.
func parseUnit(s string, units ...string) (float64, error) {
	lower := strings.ToLower(s)
	for _, u := range units {
		if strings.HasSuffix(lower, u) {
			lower = trimSpace(strings.TrimSuffix(lower, u))
			break
		}
	}
	return parseNumber(lower)
}

func parseYears(s string) (float64, error) {
	lower := strings.ToLower(trimSpace(s))
	less := strings.HasPrefix(lower, "<")
	if less {
		lower = trimSpace(lower[1:])
	}
	for _, u := range []string{"years", "year", "yrs", "yr", "y"} {
		if strings.HasSuffix(lower, u) {
			lower = trimSpace(strings.TrimSuffix(lower, u))
			break
		}
	}
	lower = trimSpace(strings.TrimSuffix(lower, "+"))
	v, err := parseNumber(lower)
	if err != nil {
		return 0, err
	}
	if less {
		// "< 1 year" is under a year: the lower bound of the bucket, as
		// "10+ years" is read as 10.
		return math.Max(0, v-1), nil
	}
	return v, nil
}

// DateLayout turns a spec's date format into a Go time layout. It accepts Go
// layouts as they are and these friendly spellings: "Mon-YYYY" (Dec-2011),
// "YYYY-MM-DD", "YYYY-MM", "DD/MM/YYYY", "MM/DD/YYYY", "YYYYMMDD".
func DateLayout(format string) (string, error) {
	switch format {
	case "Mon-YYYY", "MMM-YYYY", "%b-%Y":
		return "Jan-2006", nil
	case "YYYY-MM-DD", "%Y-%m-%d":
		return "2006-01-02", nil
	case "YYYY-MM", "%Y-%m":
		return "2006-01", nil
	case "DD/MM/YYYY", "%d/%m/%Y":
		return "02/01/2006", nil
	case "MM/DD/YYYY", "%m/%d/%Y":
		return "01/02/2006", nil
	case "YYYYMMDD", "%Y%m%d":
		return "20060102", nil
	}
	if strings.Contains(format, "2006") {
		return format, nil
	}
	return "", fmt.Errorf("unknown date format %q (use Mon-YYYY, YYYY-MM-DD, YYYY-MM, DD/MM/YYYY, MM/DD/YYYY, YYYYMMDD or a Go layout)", format)
}

// ParseDate parses s with a Go layout and returns days since 1970-01-01 UTC.
func ParseDate(s, layout string) (float64, error) {
	s = trimSpace(s)
	if layout == "Jan-2006" {
		if days, ok := parseMonthYear(s); ok {
			return days, nil
		}
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return 0, ErrSyntax
	}
	return float64(t.Unix() / 86400), nil
}

// monthAbbrev are the month names of the "Jan" layout element, lower case.
const monthAbbrev = "janfebmaraprmayjunjulaugsepoctnovdec"

// parseMonthYear reads "Dec-2011" (the month name in any case) as
// time.Parse does with the layout "Jan-2006"; anything else reports false
// and is left to time.Parse.
func parseMonthYear(s string) (float64, bool) {
	if len(s) != 8 || s[3] != '-' {
		return 0, false
	}
	var name [3]byte
	for i := range name {
		name[i] = lowerASCII(s[i])
	}
	m := strings.Index(monthAbbrev, string(name[:]))
	if m < 0 || m%3 != 0 {
		return 0, false
	}
	year := 0
	for _, c := range []byte(s[4:]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		year = year*10 + int(c-'0')
	}
	t := time.Date(year, time.Month(m/3+1), 1, 0, 0, 0, 0, time.UTC)
	return float64(t.Unix() / 86400), true
}

// DaysToTime converts days since 1970-01-01 to a UTC time.
func DaysToTime(days float64) time.Time {
	return time.Unix(int64(days)*86400, 0).UTC()
}

// TimeToDays converts a time to whole days since 1970-01-01 UTC.
func TimeToDays(t time.Time) float64 {
	y, m, d := t.Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// MonthsBetween returns the whole calendar months from date a to date b, both
// in days since 1970-01-01, ignoring the day of month: Mar-1993 to Dec-2011
// is 225. It is NaN when either is NaN.
func MonthsBetween(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.NaN()
	}
	ta, tb := DaysToTime(a), DaysToTime(b)
	return float64((tb.Year()-ta.Year())*12 + int(tb.Month()) - int(ta.Month()))
}

// MaxPatternLen is the longest extraction pattern CompilePattern accepts,
// in bytes.
const MaxPatternLen = 256

// CompilePattern compiles an extraction pattern, a dataset spec's
// "pattern" key: RE2 syntax, at most MaxPatternLen bytes, at most one
// capture group. RE2 matches in time linear in the input whatever the
// pattern, so a pattern cannot make matching blow up.
func CompilePattern(pattern string) (*regexp.Regexp, error) {
	if len(pattern) > MaxPatternLen {
		return nil, fmt.Errorf("%d bytes: at most %d", len(pattern), MaxPatternLen)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", pattern, err)
	}
	if n := re.NumSubexp(); n > 1 {
		return nil, fmt.Errorf("%q has %d capture groups; want at most one (use (?:…) to group)", pattern, n)
	}
	return re, nil
}

// Extract returns the part of s that re (from CompilePattern) picks out:
// its capture group, or the whole match when it has none. It reports false
// when re does not match s.
func Extract(re *regexp.Regexp, s string) (string, bool) {
	m := re.FindStringSubmatchIndex(s)
	if m == nil {
		return "", false
	}
	if len(m) >= 4 {
		if m[2] < 0 {
			return "", true // the group did not take part in the match
		}
		return s[m[2]:m[3]], true
	}
	return s[m[0]:m[1]], true
}
