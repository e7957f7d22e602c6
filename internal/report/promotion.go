package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/promotion"
)

// promotionView is the page's Promotion section.
type promotionView struct {
	Verdict, Summary, Window string
	Rows                     []gateRow
}

// gateRow is one gate of the Promotion section.
type gateRow struct {
	Gate, Rule, Threshold, Value, Result, Detail string
	Failed                                       bool
}

// gateRules says what each gate asks, in words.
var gateRules = map[promotion.Gate]string{
	promotion.GateMinGain:     "the candidate beats the champion on the selection metric by at least",
	promotion.GateMaxECE:      "expected calibration error at most",
	promotion.GateMaxScorePSI: "PSI of the PDs, development vs the window, at most",
	promotion.GateMinAIR:      "adverse impact ratio of every protected group at least",
}

func newPromotion(d *promotion.Decision) *promotionView {
	if d == nil {
		return nil
	}
	v := &promotionView{Verdict: string(d.Verdict)}
	champ := "there was no champion to compare with"
	if d.Champion != "" {
		champ = fmt.Sprintf("the champion %s (%s %s on the window)", d.Champion, d.Metric.Title(), fixed4(d.ChampionValue))
	}
	cand := fmt.Sprintf("%s (%s %s on the window)", d.Candidate, d.Metric.Title(), fixed4(d.CandidateValue))
	var stopped []string
	for _, c := range d.Failed() {
		stopped = append(stopped, fmt.Sprintf("%s (value %s, threshold %s)", c.Gate, fixed4(c.Value), strconv.FormatFloat(c.Threshold, 'g', 4, 64)))
	}
	failed := strings.Join(stopped, " and ")
	switch d.Verdict {
	case promotion.Promoted:
		v.Summary = fmt.Sprintf("The candidate %s passed every gate and replaced %s.", cand, champ)
		if d.Champion == "" {
			v.Summary = fmt.Sprintf("The candidate %s passed every gate and became the first champion.", cand)
		}
	case promotion.Challenger:
		v.Summary = fmt.Sprintf("The candidate %s was stopped by %s and is registered as the challenger; %s stays in production.", cand, failed, champ)
	case promotion.Forced:
		v.Summary = fmt.Sprintf("The candidate %s was promoted by hand over %s, replacing %s. Reason: %s.", cand, orText(failed, "no failed gate"), champ, orText(d.Reason, "not recorded"))
	case promotion.Held:
		v.Summary = fmt.Sprintf("The run was asked not to promote: the candidate %s stays in staging and %s stays in production.", cand, orText(d.Champion, "no model"))
	}
	v.Window = fmt.Sprintf("Both models were scored on %s rows: %s.", count(float64(d.Rows)), d.Window)
	for _, c := range d.Checks {
		r := gateRow{Gate: string(c.Gate), Rule: gateRules[c.Gate], Threshold: strconv.FormatFloat(c.Threshold, 'g', 4, 64), Detail: c.Detail}
		switch {
		case c.Skipped != "":
			r.Value, r.Result = "n/a", "not applied: "+c.Skipped
		case c.Pass:
			r.Value, r.Result = fixed4(c.Value), "pass"
		default:
			r.Value, r.Result, r.Failed = fixed4(c.Value), "fail", true
		}
		v.Rows = append(v.Rows, r)
	}
	return v
}
