package report

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// alpha is the significance level below which the page calls a margin
// more than noise.
const alpha = 0.05

// selectionView explains why the champion won: the rule, every
// candidate's test ROC-AUC and the champion's margin over each of the
// others, tested with DeLong's test on the same test rows.
type selectionView struct {
	Rule string
	Rows []selectionRow
	// Verdict states the margin over the runner-up in words.
	Verdict string
	// Margin is the short form of Verdict for the summary, such as
	// "+0.0017 (within noise, p = 0.67)"; empty with one candidate.
	Margin string
}

// selectionRow is one candidate compared with the champion.
type selectionRow struct {
	Name     string
	Champion bool
	AUC      string
	// Diff, SE, Interval and P describe the champion's AUC minus this
	// candidate's; "—" on the champion's row.
	Diff, SE, Interval, P string
	// Reading is "within noise", "more than noise" or "—".
	Reading string
}

// newSelection compares the champion (at index champ) with every other
// candidate on test ROC-AUC, candidates by decreasing AUC.
func newSelection(cands []Candidate, champ int, rule string) *selectionView {
	v := &selectionView{Rule: orText(rule, "not recorded")}
	c := &cands[champ]
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmpAUC(&cands[b], &cands[a]) })
	runnerUp := -1
	for _, i := range order {
		o := &cands[i]
		r := selectionRow{Name: label(o), Champion: o.Champion, AUC: fixed4(testAUC(o)),
			Diff: "—", SE: "—", Interval: "—", P: "—", Reading: "—"}
		if i != champ {
			if runnerUp < 0 {
				runnerUp = i
			}
			if d, err := compareAUC(c, o); err == nil {
				r.Diff, r.SE = signed4(d.Diff), fixed4(d.SE)
				r.Interval = signed4(d.Lower) + " to " + signed4(d.Upper)
				r.P, r.Reading = pValue(d.P), reading(d.P)
			}
		}
		v.Rows = append(v.Rows, r)
	}
	if runnerUp < 0 {
		v.Verdict = "Only one candidate was trained, so there was no choice to make."
		return v
	}
	o := &cands[runnerUp]
	d, err := compareAUC(c, o)
	if err != nil {
		v.Verdict = fmt.Sprintf("The margin over the runner-up, %s, could not be tested: %v.", label(o), err)
		v.Margin = "not tested"
		return v
	}
	lead := "leads"
	if d.Diff < 0 {
		lead = "trails"
	}
	zero := "includes"
	if d.Lower > 0 || d.Upper < 0 {
		zero = "excludes"
	}
	v.Verdict = fmt.Sprintf("%s %s the runner-up, %s, by %s in test ROC-AUC (%s against %s). "+
		"The margin %s is %s (%s): its standard error is %s and its 95%% interval, %s to %s, %s zero "+
		"(DeLong's test, both models scored on the same %s test loans).",
		label(c), lead, label(o), fixed4(math.Abs(d.Diff)), fixed4(d.AUCA), fixed4(d.AUCB),
		fixed4(d.Diff), reading(d.P), pText(d.P), fixed4(d.SE), signed4(d.Lower), signed4(d.Upper), zero,
		count(float64(len(c.Y))))
	v.Margin = fmt.Sprintf("%s over %s (%s, %s)", signed4(d.Diff), label(o), reading(d.P), pText(d.P))
	return v
}

// errNotPaired reports candidates scored on different test rows.
var errNotPaired = errors.New("the candidates were scored on different test rows")

// compareAUC runs DeLong's test of a's AUC against b's; both must hold the
// same test labels.
func compareAUC(a, b *Candidate) (metrics.AUCComparison, error) {
	if !slices.Equal(a.Y, b.Y) {
		return metrics.AUCComparison{}, errNotPaired
	}
	return metrics.DeLong(a.Y, a.PD, b.PD)
}

// testAUC returns the candidate's recorded test ROC-AUC.
func testAUC(c *Candidate) float64 { return c.Metrics.ROCAUC }

// cmpAUC orders candidates by test ROC-AUC, a NaN one lowest.
func cmpAUC(a, b *Candidate) int {
	x, y := testAUC(a), testAUC(b)
	switch {
	case math.IsNaN(x) && math.IsNaN(y):
		return 0
	case math.IsNaN(x):
		return -1
	case math.IsNaN(y):
		return 1
	}
	return cmp.Compare(x, y)
}

// reading puts a p-value in words.
func reading(p float64) string {
	if p < alpha {
		return "more than noise"
	}
	return "within noise"
}

// pValue formats a p-value for a table: "0.41", "0.047" or "< 0.001";
// three decimals below 0.1 keep values near alpha apart.
func pValue(p float64) string {
	switch {
	case math.IsNaN(p):
		return "n/a"
	case p < 0.001:
		return "< 0.001"
	case p < 0.1:
		return strconv.FormatFloat(p, 'f', 3, 64)
	}
	return strconv.FormatFloat(p, 'f', 2, 64)
}

// pText formats a p-value for a sentence: "p = 0.41" or "p < 0.001".
func pText(p float64) string {
	if v := pValue(p); v[0] == '<' {
		return "p " + v
	}
	return "p = " + pValue(p)
}

// signed4 formats v with four decimals and a sign.
func signed4(v float64) string {
	return formatFinite(v, func(v float64) string {
		if v = math.Round(v*1e4) / 1e4; v == 0 {
			v = 0 // no "-0.0000"
		}
		s := strconv.FormatFloat(v, 'f', 4, 64)
		if v >= 0 {
			s = "+" + s
		}
		return s
	})
}

// label names a candidate as the registry does: "gbdt v3".
func label(c *Candidate) string { return fmt.Sprintf("%s v%d", c.Name, c.Version) }

func orText(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}
