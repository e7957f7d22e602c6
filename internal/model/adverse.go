package model

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/credit-risk/credit-risk/internal/features"
)

// DefaultAdverseReasons is the number of principal reasons a declined
// application is given by default: Regulation B (12 CFR 1002.9) finds more
// than four unlikely to help the applicant.
const DefaultAdverseReasons = 4

// AdverseReason is one principal reason for declining an application: a
// reason of the catalogue the model file carries (features.Reasons), and
// the application field it names.
type AdverseReason struct {
	// Code and Reason are the catalogue's code and statement.
	Code   string `json:"code"`
	Reason string `json:"reason"`
	// Field is the application field the reason names; when fields share
	// the code, the one that contributed most (ties by name).
	Field string `json:"field"`
	// Contribution is what the reason's fields added to the margin
	// together (positive: toward decline).
	Contribution float64 `json:"-"`
}

// FieldContribution is the summed contribution of one application field.
type FieldContribution struct {
	Field        string  `json:"field"`
	Contribution float64 `json:"contribution"`
}

// AdverseAction returns the principal reasons toward declining the
// application with feature vector x: at most k, largest first. Each
// feature's contribution to the margin (exact TreeSHAP for trees, exact
// terms for logistic regression; Contributions) is summed onto the
// application fields it derives from (Pipeline.Lineage); a field with a
// positive total pushed toward decline and gives its catalogue reason for
// the direction of its value, dirs (Pipeline.Directions on the cleaned
// row of x; DirectionMissing gives the field's "insufficient information"
// reason). Fields that give the same code count as one reason with their
// totals added. Reasons are ordered by total, largest first, equal totals
// by code, so the result does not depend on the order of fields or
// features. Fields with a zero, negative or NaN total are never reasons,
// so fewer than k (or none) may come back.
//
// phi is scratch of length len(Features). AdverseAction panics when the
// lengths differ.
func (m *Model) AdverseAction(phi, x []float64, dirs []features.Direction, k int) []AdverseReason {
	if k <= 0 {
		m.checkDirs(dirs)
		return nil
	}
	var s AdverseScratch
	return m.AdverseActionTo(make([]AdverseReason, 0, k), &s, phi, x, dirs, k)
}

// AdverseScratch is the reusable scratch space of AdverseActionTo. The
// zero value is ready for use; one scratch serves one goroutine at a time.
type AdverseScratch struct {
	byField []float64
	groups  []adverseGroup
}

// adverseGroup is the fields that give one reason code.
type adverseGroup struct {
	AdverseReason
	top float64 // the largest single field's total
}

// AdverseActionTo is AdverseAction appending the reasons to dst and
// working in s, for callers that explain many applications: once s and
// dst have grown it allocates only for a field without a catalogue entry
// whose value is missing (features.Pipeline.Reason builds that
// statement).
func (m *Model) AdverseActionTo(dst []AdverseReason, s *AdverseScratch, phi, x []float64, dirs []features.Direction, k int) []AdverseReason {
	p := m.Pipeline
	m.checkDirs(dirs)
	if k <= 0 {
		return dst
	}
	m.Contributions(phi, x)
	if len(s.byField) != len(p.Inputs) {
		s.byField = make([]float64, len(p.Inputs))
	}
	byField := s.byField
	p.FieldContributions(phi, byField)
	groups := s.groups[:0]
	for i, c := range byField {
		if !(c > 0) {
			continue
		}
		r := p.Reason(i, dirs[i])
		name := p.Inputs[i].Name
		j := -1
		for gi := range groups {
			if groups[gi].Code == r.Code {
				j = gi
				break
			}
		}
		if j < 0 {
			groups = append(groups, adverseGroup{AdverseReason{Code: r.Code, Reason: r.Statement, Field: name, Contribution: c}, c})
			continue
		}
		g := &groups[j]
		g.Contribution += c
		if c > g.top || c == g.top && name < g.Field {
			g.Field, g.top = name, c
		}
	}
	// Select the k first by total, largest first, then by code: a total
	// order, as codes differ and totals are never NaN, so the k come out
	// as a full sort would have them.
	n := min(k, len(groups))
	for i := range n {
		best := i
		for j := i + 1; j < len(groups); j++ {
			a, b := &groups[j], &groups[best]
			if a.Contribution > b.Contribution || a.Contribution == b.Contribution && a.Code < b.Code {
				best = j
			}
		}
		groups[i], groups[best] = groups[best], groups[i]
		dst = append(dst, groups[i].AdverseReason)
	}
	s.groups = groups
	return dst
}

func (m *Model) checkDirs(dirs []features.Direction) {
	if len(dirs) != len(m.Pipeline.Inputs) {
		panic(fmt.Sprintf("model: %d directions for %d inputs", len(dirs), len(m.Pipeline.Inputs)))
	}
}

// FieldContributions returns the k application fields whose summed
// contributions are the largest positive ones, largest first (ties by
// name): phi, the per-feature contributions Contributions wrote, grouped
// onto the fields they derive from (Pipeline.Lineage).
func (m *Model) FieldContributions(phi []float64, k int) []FieldContribution {
	if k <= 0 {
		return nil
	}
	p := m.Pipeline
	byField := make([]float64, len(p.Inputs))
	p.FieldContributions(phi, byField)
	var out []FieldContribution
	for i, c := range byField {
		if c > 0 {
			out = append(out, FieldContribution{Field: p.Inputs[i].Name, Contribution: c})
		}
	}
	slices.SortFunc(out, func(a, b FieldContribution) int {
		if c := cmp.Compare(b.Contribution, a.Contribution); c != 0 {
			return c
		}
		return cmp.Compare(a.Field, b.Field)
	})
	if len(out) > k {
		out = out[:k:k]
	}
	return out
}
