package monitor

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/dataset"
)

// CheckName names a threshold of the spec's monitoring block.
type CheckName string

// Checks, named by their spec keys.
const (
	CheckScorePSI     CheckName = "max_score_psi"
	CheckCSI          CheckName = "max_csi"
	CheckMinAUC       CheckName = "min_auc"
	CheckAUCDrop      CheckName = "max_auc_drop"
	CheckBadRateRatio CheckName = "max_bad_rate_ratio"
)

// Thresholds are the spec's monitoring thresholds as a run applies and
// records them (see dataset.Monitoring); +Inf is a maximum switched off.
type Thresholds struct {
	MaxScorePSI     Float `json:"max_score_psi"`
	MaxCSI          Float `json:"max_csi"`
	MinAUC          Float `json:"min_auc"`
	MaxAUCDrop      Float `json:"max_auc_drop"`
	MaxBadRateRatio Float `json:"max_bad_rate_ratio"`
	BandAlpha       Float `json:"band_alpha"`
	MinRows         int   `json:"min_rows"`
}

// NewThresholds returns the thresholds of a spec's monitoring block.
func NewThresholds(m dataset.Monitoring) Thresholds {
	return Thresholds{
		MaxScorePSI: Float(m.MaxScorePSI), MaxCSI: Float(m.MaxCSI), MinAUC: Float(m.MinAUC),
		MaxAUCDrop: Float(m.MaxAUCDrop), MaxBadRateRatio: Float(m.MaxBadRateRatio),
		BandAlpha: Float(m.BandAlpha), MinRows: m.MinRows,
	}
}

// Breach is one threshold exceeded.
type Breach struct {
	Check CheckName `json:"check"`
	// Subject is what exceeded it: "score", a feature's name, "backtest".
	Subject string `json:"subject"`
	Value   Float  `json:"value"`
	Limit   Float  `json:"limit"`
	// Message says it in one line, with the counts behind it.
	Message string `json:"message"`
}

// String returns the message.
func (b Breach) String() string { return b.Message }

// Check returns the breaches of res's thresholds (res.Thresholds): the
// stability thresholds when res.Stability.Judged, the backtest ones when
// the backtest holds at least monitoring.min_rows loans. A maximum is
// exceeded by a value strictly above it, a minimum by one strictly below;
// an undefined value (NaN) breaches nothing.
func Check(res *Result) []Breach {
	t := res.Thresholds
	maxPSI, maxCSI, minAUC := float64(t.MaxScorePSI), float64(t.MaxCSI), float64(t.MinAUC)
	maxDrop, maxRatio := float64(t.MaxAUCDrop), float64(t.MaxBadRateRatio)
	out := []Breach{}
	above := func(v, limit float64) bool { return !math.IsNaN(v) && v > limit }
	if st := res.Stability; st.Judged {
		if v := float64(st.Score.PSI); above(v, maxPSI) {
			out = append(out, Breach{Check: CheckScorePSI, Subject: "score", Value: Float(v), Limit: Float(maxPSI),
				Message: fmt.Sprintf("score PSI %.3f above max_score_psi %g (%s band; %d applications against the development deciles of the PD)", v, maxPSI, st.Score.Band, st.Score.Rows)})
		}
		for _, c := range st.Characteristics {
			if v := float64(c.PSI); above(v, maxCSI) {
				out = append(out, Breach{Check: CheckCSI, Subject: c.Name, Value: Float(v), Limit: Float(maxCSI),
					Message: fmt.Sprintf("CSI of %s %.3f above max_csi %g (%s band; %d applications against its training bins)", c.Name, v, maxCSI, c.Band, c.Rows)})
			}
		}
	}
	bt := res.Backtest
	if bt == nil || bt.Loans < t.MinRows {
		return out
	}
	auc := float64(bt.AUC)
	if minAUC > 0 && !math.IsNaN(auc) && auc < minAUC {
		out = append(out, Breach{Check: CheckMinAUC, Subject: "backtest", Value: Float(auc), Limit: Float(minAUC),
			Message: fmt.Sprintf("backtest ROC-AUC %.4f below min_auc %g (%d matured loans, %d bad)", auc, minAUC, bt.Loans, bt.Bads)})
	}
	if test := float64(res.Model.TestAUC); !math.IsNaN(test) && above(test-auc, maxDrop) {
		out = append(out, Breach{Check: CheckAUCDrop, Subject: "backtest", Value: Float(test - auc), Limit: Float(maxDrop),
			Message: fmt.Sprintf("backtest ROC-AUC %.4f is %.4f below the model's test ROC-AUC %.4f, more than max_auc_drop %g (%d matured loans, %d bad)", auc, test-auc, test, maxDrop, bt.Loans, bt.Bads)})
	}
	if r := float64(bt.Ratio); above(r, maxRatio) || (!math.IsNaN(r) && r < 1/maxRatio) {
		out = append(out, Breach{Check: CheckBadRateRatio, Subject: "backtest", Value: Float(r), Limit: Float(maxRatio),
			Message: fmt.Sprintf("observed bad rate %.4f is %.2f times the mean PD %.4f, outside 1/%g to %g (%d matured loans, %d bad; binomial p = %.3g)",
				float64(bt.BadRate), r, float64(bt.MeanPD), maxRatio, maxRatio, bt.Loans, bt.Bads, float64(bt.PValue))})
	}
	return out
}
