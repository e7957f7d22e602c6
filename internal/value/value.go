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
	"strconv"
	"strings"
	"time"
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

// Kinds lists every parser name, in the order documentation shows them.
var Kinds = []Kind{Number, Percent, Months, Years, Date, Text}

// Valid reports whether k names a parser.
func (k Kind) Valid() bool {
	for _, v := range Kinds {
		if k == v {
			return true
		}
	}
	return false
}

// Numeric reports whether the parser yields a number (Date included).
func (k Kind) Numeric() bool { return k != Text }

// DefaultMissing are the tokens read as missing in every column, compared
// after trimming blanks, case-insensitively.
var DefaultMissing = []string{"", "n/a", "na", "nan", "null", "none", "?"}

// IsMissing reports whether s (trimmed, case-insensitive) is one of the
// missing tokens.
func IsMissing(s string, tokens []string) bool {
	s = strings.TrimSpace(s)
	for _, t := range tokens {
		if strings.EqualFold(s, t) {
			return true
		}
	}
	return false
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
}

// ParseFloat parses s with p's numeric parser. It returns (NaN, true, nil)
// for a missing token.
func (p *Parser) ParseFloat(s string) (v float64, missing bool, err error) {
	tokens := p.Missing
	if tokens == nil {
		tokens = DefaultMissing
	}
	if IsMissing(s, tokens) {
		return math.NaN(), true, nil
	}
	t := strings.TrimSpace(s)
	switch p.Kind {
	case Number:
		v, err = parseNumber(t)
	case Percent:
		v, err = parseNumber(strings.TrimSpace(strings.TrimSuffix(t, "%")))
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
	tokens := p.Missing
	if tokens == nil {
		tokens = DefaultMissing
	}
	if IsMissing(s, tokens) {
		return "", true
	}
	return strings.TrimSpace(s), false
}

func parseNumber(s string) (float64, error) {
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

// parseUnit reads "<number> <unit>" where the unit is optional.
func parseUnit(s string, units ...string) (float64, error) {
	lower := strings.ToLower(s)
	for _, u := range units {
		if strings.HasSuffix(lower, u) {
			lower = strings.TrimSpace(strings.TrimSuffix(lower, u))
			break
		}
	}
	return parseNumber(lower)
}

func parseYears(s string) (float64, error) {
	lower := strings.ToLower(strings.TrimSpace(s))
	less := strings.HasPrefix(lower, "<")
	if less {
		lower = strings.TrimSpace(lower[1:])
	}
	for _, u := range []string{"years", "year", "yrs", "yr", "y"} {
		if strings.HasSuffix(lower, u) {
			lower = strings.TrimSpace(strings.TrimSuffix(lower, u))
			break
		}
	}
	lower = strings.TrimSpace(strings.TrimSuffix(lower, "+"))
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
	t, err := time.Parse(layout, strings.TrimSpace(s))
	if err != nil {
		return 0, ErrSyntax
	}
	return float64(t.Unix() / 86400), nil
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
