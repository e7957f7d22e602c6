package monitor

import (
	"cmp"
	"slices"
)

// CohortKind groups loans into vintage cohorts by origination month.
type CohortKind string

// Cohort kinds, as the spec's monitoring.vintage.cohort names them.
const (
	ByMonth   CohortKind = "month"
	ByQuarter CohortKind = "quarter"
)

// Loan is one loan of a vintage analysis.
type Loan struct {
	// Origination is the month the loan was granted.
	Origination Month
	// Bad is true when the loan has defaulted (so far).
	Bad bool
	// Default is the month a bad loan went bad; NoMonth when unknown, in
	// which case it counts from month on book 0.
	Default Month
}

// Vintage holds the vintage curves of a portfolio.
type Vintage struct {
	// Cohort is how loans are grouped.
	Cohort CohortKind `json:"cohort"`
	// AsOf is the last month observed: a cohort's curve runs to the
	// months on book its newest loan has reached by then.
	AsOf string `json:"as_of"`
	// Cohorts are the curves, oldest cohort first.
	Cohorts []Cohort `json:"cohorts"`
}

// Cohort is the vintage curve of loans originated in one month or quarter.
type Cohort struct {
	// Name is the cohort's month (2011-09) or quarter (2011Q3).
	Name  string `json:"name"`
	Loans int    `json:"loans"`
	// Bads are the cohort's defaults, Undated those without a default
	// month (counted from month on book 0).
	Bads    int `json:"bads"`
	Undated int `json:"undated"`
	// Curve[m] is the cumulative bad rate at m months on book: the share
	// of the cohort's loans that went bad at most m months after
	// origination, for m from 0 to the months on book of the cohort's
	// newest loan at AsOf.
	Curve []Float `json:"curve"`
}

// NewVintage computes the vintage curves of loans observed up to asOf.
// Months on book are counted from origination to default month; a default
// dated before its origination counts at month 0. Loans originated after
// asOf are left out.
func NewVintage(loans []Loan, kind CohortKind, asOf Month) Vintage {
	v := Vintage{Cohort: kind, AsOf: asOf.String()}
	start := func(m Month) Month {
		if kind == ByQuarter {
			return m - m%3
		}
		return m
	}
	sorted := make([]Loan, 0, len(loans))
	for _, l := range loans {
		if l.Origination.Known() && l.Origination <= asOf {
			sorted = append(sorted, l)
		}
	}
	slices.SortStableFunc(sorted, func(a, b Loan) int { return cmp.Compare(a.Origination, b.Origination) })
	for lo := 0; lo < len(sorted); {
		first := start(sorted[lo].Origination)
		hi := lo
		for hi < len(sorted) && start(sorted[hi].Origination) == first {
			hi++
		}
		group := sorted[lo:hi]
		newest := group[len(group)-1].Origination
		c := Cohort{Name: first.String(), Loans: len(group)}
		if kind == ByQuarter {
			c.Name = first.Quarter()
		}
		observed := int(asOf - newest)
		bads := make([]int, observed+1) // defaults per month on book
		for _, l := range group {
			if !l.Bad {
				continue
			}
			c.Bads++
			mob := 0
			if !l.Default.Known() {
				c.Undated++
			} else {
				mob = max(int(l.Default-l.Origination), 0)
			}
			if mob <= observed {
				bads[mob]++
			}
		}
		c.Curve = make([]Float, observed+1)
		cum := 0
		for m := range bads {
			cum += bads[m]
			c.Curve[m] = Float(float64(cum) / float64(c.Loans))
		}
		v.Cohorts = append(v.Cohorts, c)
		lo = hi
	}
	return v
}
