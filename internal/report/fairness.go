package report

import (
	"fmt"
	"math"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/fairness"
)

// fairnessView is one protected attribute's section: the champion's
// test-set outcomes by group.
type fairnessView struct {
	Attribute string
	Summary   string
	Rows      []fairnessRow
}

// fairnessRow is one group's figures, formatted.
type fairnessRow struct {
	Group, Applications, Approval, AIR, BadRate, MeanPD, Gap, AUC, ECE, Note string
	Flagged                                                                  bool
}

func newFairness(as []fairness.Analysis) []fairnessView {
	var out []fairnessView
	for _, a := range as {
		v := fairnessView{Attribute: a.Attribute}
		flagged := 0
		for _, g := range a.Groups {
			note := ""
			switch {
			case g.Name == a.Reference:
				note = "most favoured"
			case g.Flagged:
				note = "below four-fifths"
				flagged++
			case g.TooSmall:
				note = fmt.Sprintf("fewer than %d applications: read with care", fairness.MinGroup)
			}
			v.Rows = append(v.Rows, fairnessRow{
				Group: g.Name, Applications: count(float64(g.Applications)), Approval: pctText(g.ApprovalRate),
				AIR: fixed2(g.AIR), BadRate: pctText(g.BadRate), MeanPD: pctText(g.MeanPD), Gap: signedPct(g.CalibrationGap),
				AUC: fixed4(g.AUC), ECE: fixed4(g.ECE), Note: note, Flagged: g.Flagged,
			})
		}
		v.Summary = fmt.Sprintf("%d groups; the most favoured is %q", len(a.Groups), a.Reference)
		if flagged > 0 {
			v.Summary += fmt.Sprintf("; %d below the four-fifths rule (adverse impact ratio < %g): review", flagged, fairness.FourFifths)
		} else {
			v.Summary += "; none below the four-fifths rule"
		}
		if a.Missing > 0 {
			v.Summary += fmt.Sprintf("; %s applications without a value are in no group", count(float64(a.Missing)))
		}
		out = append(out, v)
	}
	return out
}

func pctText(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(100*v, 'f', 1, 64) + "%"
}

func signedPct(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	s := strconv.FormatFloat(100*v, 'f', 1, 64)
	if v >= 0 {
		s = "+" + s
	}
	return s + " pt"
}

func fixed2(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}
