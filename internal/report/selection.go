package report

import (
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
// candidate's value of the selection metric on the data it was chosen on
// (the validation slice; the test set for inputs that did not record it),
// the champion's ROC-AUC margin over each of the others, tested with
// DeLong's test on the same rows, and each test ROC-AUC, measured after
// the choice.
type selectionView struct {
	Rule string
	// Metric is the selection metric's title and Slice the data it was
	// measured on: "validation" or "test".
	Metric, Slice string
	// OnTest: the choice was made on the test set (an input without
	// validation figures).
	OnTest bool
	Rows   []selectionRow
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
	// Value is the selection metric on the selection slice, TestAUC the
	// test ROC-AUC.
	Value, TestAUC string
	// Diff, SE, Interval and P describe the champion's ROC-AUC minus this
	// candidate's on the selection slice; "—" on the champion's row.
	Diff, SE, Interval, P string
	// Reading is "within noise", "more than noise" or "—".
	Reading string
}

// selectionData is what a candidate is compared on.
type selectionData struct {
	sel    metrics.Selection
	onTest bool
}

// value is c's selection metric on the selection slice.
func (sd selectionData) value(c *Candidate) float64 {
	if sd.onTest {
		return testAUC(c)
	}
	return sd.sel.Value(&c.Validation)
}

// rows returns the labels and PDs of the selection slice.
func (sd selectionData) rows(c *Candidate) (y, pd []float64) {
	if sd.onTest {
		return c.Y, c.PD
	}
	return c.ValidY, c.ValidPD
}

// newSelection compares the champion (at index champ) with every other
// candidate on the selection slice, candidates best first.
func newSelection(cands []Candidate, champ int, rule string, sel metrics.Selection) *selectionView {
	if sel == "" {
		sel = metrics.DefaultSelection
	}
	sd := selectionData{sel: sel}
	for i := range cands {
		if len(cands[i].ValidY) == 0 || cands[i].Validation.IsZero() {
			sd = selectionData{sel: metrics.SelectROCAUC, onTest: true}
			break
		}
	}
	v := &selectionView{Rule: orText(rule, "not recorded"), Metric: sd.sel.Title(), Slice: "validation", OnTest: sd.onTest}
	if sd.onTest {
		v.Slice = "test"
	}
	c := &cands[champ]
	order := make([]int, len(cands))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		va, vb := sd.value(&cands[a]), sd.value(&cands[b])
		switch {
		case sd.sel.Better(va, vb):
			return -1
		case sd.sel.Better(vb, va):
			return 1
		}
		return 0
	})
	runnerUp := -1
	for _, i := range order {
		o := &cands[i]
		r := selectionRow{Name: label(o), Champion: o.Champion, Value: fixed4(sd.value(o)), TestAUC: fixed4(testAUC(o)),
			Diff: "—", SE: "—", Interval: "—", P: "—", Reading: "—"}
		if i != champ {
			if runnerUp < 0 {
				runnerUp = i
			}
			if d, err := sd.compareAUC(c, o); err == nil {
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
	d, err := sd.compareAUC(c, o)
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
	y, _ := sd.rows(c)
	v.Verdict = fmt.Sprintf("%s %s the runner-up, %s, by %s in %s ROC-AUC (%s against %s). "+
		"The margin %s is %s (%s): its standard error is %s and its 95%% interval, %s to %s, %s zero "+
		"(DeLong's test, both models scored on the same %s %s loans).",
		label(c), lead, label(o), fixed4(math.Abs(d.Diff)), v.Slice, fixed4(d.AUCA), fixed4(d.AUCB),
		fixed4(d.Diff), reading(d.P), pText(d.P), fixed4(d.SE), signed4(d.Lower), signed4(d.Upper), zero,
		count(float64(len(y))), v.Slice)
	v.Margin = fmt.Sprintf("%s over %s in %s ROC-AUC (%s, %s)", signed4(d.Diff), label(o), v.Slice, reading(d.P), pText(d.P))
	return v
}

// errNotPaired reports candidates scored on different rows.
var errNotPaired = errors.New("the candidates were scored on different rows")

// compareAUC runs DeLong's test of a's ROC-AUC against b's on the
// selection slice; both must hold the same labels.
func (sd selectionData) compareAUC(a, b *Candidate) (metrics.AUCComparison, error) {
	ya, pa := sd.rows(a)
	yb, pb := sd.rows(b)
	if !slices.Equal(ya, yb) || len(pa) != len(ya) || len(pb) != len(yb) {
		return metrics.AUCComparison{}, errNotPaired
	}
	return metrics.DeLong(ya, pa, pb)
}

// testAUC returns the candidate's recorded test ROC-AUC.
func testAUC(c *Candidate) float64 { return c.Metrics.ROCAUC }

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
