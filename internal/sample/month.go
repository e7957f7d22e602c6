package sample

import (
	"strconv"
	"time"
)

// month counts calendar months: year*12 + (month-1).
type month int

// noMonth marks an empty month field.
const noMonth month = -1

// monthOf returns t's calendar month.
func monthOf(t time.Time) month {
	return month(t.Year()*12 + int(t.Month()) - 1)
}

// mkMonth returns the month of year y, m in 1..12.
func mkMonth(y, m int) month { return month(y*12 + m - 1) }

// year returns m's four-digit year.
func (m month) year() int { return int(m) / 12 }

// num returns m's month number, 1..12.
func (m month) num() int { return int(m)%12 + 1 }

// quarter returns a running quarter index.
func (m month) quarter() int { return int(m) / 3 }

var monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// appendMonth appends m in MonthLayout ("Dec-2011"), or nothing for noMonth.
func appendMonth(b []byte, m month) []byte {
	if m < 0 {
		return b
	}
	b = append(b, monthAbbr[int(m)%12]...)
	b = append(b, '-')
	return strconv.AppendInt(b, int64(m.year()), 10)
}
