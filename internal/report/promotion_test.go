package report

import (
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/promotion"
)

// TestWrite_promotion checks the Promotion section: the verdict, each
// gate with its threshold, value and result, and the gate that stopped a
// challenger.
func TestWrite_promotion(t *testing.T) {
	checks := []promotion.Check{
		{Gate: promotion.GateMinGain, Threshold: 0.002, Value: -0.0131, Detail: "ROC-AUC 0.6964 for the candidate, 0.7094 for the champion"},
		{Gate: promotion.GateMaxECE, Threshold: 0.05, Value: 0.0123, Pass: true},
		{Gate: promotion.GateMaxScorePSI, Threshold: 0.25, Value: 0.0456, Pass: true},
		{Gate: promotion.GateMinAIR, Threshold: 0.8, Pass: true, Skipped: "no protected attribute declared"},
	}
	decision := func(v promotion.Verdict, champion string) *promotion.Decision {
		return &promotion.Decision{Verdict: v, Candidate: "lr v2", Champion: champion, Metric: metrics.SelectROCAUC,
			CandidateValue: 0.6964, ChampionValue: 0.7094, Window: "the validation slice", Rows: 6770, Checks: checks, Reason: "committee"}
	}
	tests := []struct {
		name string
		d    *promotion.Decision
		want []string
	}{
		{"challenger", decision(promotion.Challenger, "lr v1"), []string{
			"Verdict: challenger.", "stopped by min_gain (value -0.0131, threshold 0.002)", "the champion lr v1 (ROC-AUC 0.7094 on the window) stays in production",
			`<tr class="failed"><td class="l gate">min_gain</td>`, "<td>0.002</td><td>-0.0131</td><td class=\"l\">fail</td>",
			"<td>0.05</td><td>0.0123</td><td class=\"l\">pass</td>", "not applied: no protected attribute declared", "6,770 rows",
		}},
		{"forced", decision(promotion.Forced, "lr v1"), []string{"Verdict: forced.", "promoted by hand over min_gain (value -0.0131, threshold 0.002)", "Reason: committee."}},
		{"first champion", decision(promotion.Promoted, ""), []string{"Verdict: promoted.", "became the first champion"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := synthInput(t, 2000, 1)
			in.Promotion = tt.d
			got := section(t, writePage(t, in), "promotion")
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("section lacks %q:\n%s", w, got)
				}
			}
		})
	}
	if page := writePage(t, synthInput(t, 2000, 1)); strings.Contains(page, `id="promotion"`) {
		t.Error("a run without a decision has a Promotion section")
	}
}
