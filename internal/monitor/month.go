package monitor

import (
	"fmt"
	"time"

	"github.com/credit-risk/credit-risk/internal/value"
)

// Month is a calendar month counted from January of year 0: year·12 +
// month − 1. Months subtract to whole months on book, ignoring the day.
type Month int

// NoMonth is the zero Month: an unknown month, or a bound not set.
const NoMonth Month = 0

// Known reports whether m is a month (January of year 0 and earlier are
// not: no loan data goes back that far).
func (m Month) Known() bool { return m > 0 }

// MonthOf returns the month of a date given as days since 1970-01-01 (as
// value.ParseDate returns it).
func MonthOf(days float64) Month {
	return MonthOfTime(value.DaysToTime(days))
}

// MonthOfTime returns the month of t.
func MonthOfTime(t time.Time) Month {
	return Month(t.Year()*12 + int(t.Month()) - 1)
}

// String writes the month as YYYY-MM.
func (m Month) String() string {
	if !m.Known() {
		return "unknown"
	}
	return fmt.Sprintf("%04d-%02d", int(m)/12, int(m)%12+1)
}

// Quarter writes the quarter the month is in, as 2011Q3.
func (m Month) Quarter() string {
	if !m.Known() {
		return "unknown"
	}
	return fmt.Sprintf("%04dQ%d", int(m)/12, int(m)%12/3+1)
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	t, err := time.Parse("2006-01", s)
	if err != nil {
		return NoMonth, fmt.Errorf("month %q: want YYYY-MM", s)
	}
	if m := MonthOfTime(t); m.Known() {
		return m, nil
	}
	return NoMonth, fmt.Errorf("month %q: before year 1", s)
}
