package promotion

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/fairness"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

// Gate names a promotion gate; the spec's promotion block and the
// registry use these names.
type Gate string

// The gates, in the order they are checked and shown.
const (
	// GateMinGain: the candidate's selection metric on the window minus
	// the champion's (the champion's minus the candidate's for a metric
	// where lower is better) is at least the threshold.
	GateMinGain Gate = "min_gain"
	// GateMaxECE: the candidate's expected calibration error on the
	// window (10 equal-width bins) is at most the threshold.
	GateMaxECE Gate = "max_ece"
	// GateMaxScorePSI: the population stability index of the candidate's
	// PDs between development (the rows it was fitted on) and the window
	// is at most the threshold.
	GateMaxScorePSI Gate = "max_score_psi"
	// GateMinAIR: the lowest adverse impact ratio over the groups of every
	// protected attribute is at least the threshold.
	GateMinAIR Gate = "min_air"
)

// Gates lists every gate in order.
var Gates = []Gate{GateMinGain, GateMaxECE, GateMaxScorePSI, GateMinAIR}

// Defaults of the thresholds, used when the spec leaves a gate out.
const (
	DefaultMinGain     = 0.0
	DefaultMaxECE      = 0.05
	DefaultMaxScorePSI = 0.25
	DefaultMinAIR      = 0.8
)

// PSIBins is the number of quantile bins of the development PDs the score
// PSI is computed over.
const PSIBins = 10

// Thresholds are the gates' thresholds. A zero MaxECE, MaxScorePSI or
// MinAIR switches that gate off; MinGain applies whatever its value
// (negative tolerates a small loss).
type Thresholds struct {
	MinGain     float64
	MaxECE      float64
	MaxScorePSI float64
	MinAIR      float64
}

// DefaultThresholds returns the documented defaults.
func DefaultThresholds() Thresholds {
	return Thresholds{MinGain: DefaultMinGain, MaxECE: DefaultMaxECE, MaxScorePSI: DefaultMaxScorePSI, MinAIR: DefaultMinAIR}
}

// Check is one gate applied to a candidate.
type Check struct {
	Gate Gate `json:"gate"`
	// Threshold is the gate's threshold and Value the candidate's figure.
	Threshold float64 `json:"threshold"`
	Value     float64 `json:"value"`
	// Pass says whether the candidate passed; a gate that did not apply
	// passes.
	Pass bool `json:"pass"`
	// Skipped says why the gate did not apply (switched off, no champion,
	// no protected attribute); empty when it did.
	Skipped string `json:"skipped,omitempty"`
	// Detail says more: the two values compared, the group at fault, or
	// why the value could not be computed.
	Detail string `json:"detail,omitempty"`
}

// Verdict is what a retrain did with its best candidate.
type Verdict string

// Verdicts.
const (
	// Promoted: the candidate passed every gate and is production.
	Promoted Verdict = "promoted"
	// Challenger: a gate stopped the candidate; it is the challenger and
	// the champion stays.
	Challenger Verdict = "challenger"
	// Forced: a person promoted the candidate whatever the gates said,
	// with a recorded reason.
	Forced Verdict = "forced"
	// Held: the run was asked not to promote (--no-promote); the
	// candidate stays in staging.
	Held Verdict = "held"
)

// Decision is a candidate's promotion decision with its evidence.
type Decision struct {
	Verdict Verdict `json:"verdict"`
	// Candidate and Champion name the two models compared ("lr v2");
	// Champion is empty on a first run.
	Candidate string `json:"candidate"`
	Champion  string `json:"champion,omitempty"`
	// Metric is the selection metric, CandidateValue and ChampionValue the
	// two models' values of it on the window.
	Metric         metrics.Selection `json:"metric"`
	CandidateValue float64           `json:"candidate_value"`
	ChampionValue  float64           `json:"champion_value,omitempty"`
	// Window describes the rows both models were scored on and Rows
	// counts them.
	Window string `json:"window"`
	Rows   int    `json:"rows"`
	// Checks holds every gate in the order of Gates.
	Checks []Check `json:"checks"`
	// Reason is recorded with the stage change.
	Reason string `json:"reason,omitempty"`
}

// Failed returns the checks that did not pass.
func (d *Decision) Failed() []Check {
	var out []Check
	for _, c := range d.Checks {
		if !c.Pass {
			out = append(out, c)
		}
	}
	return out
}

// Passed reports whether every gate passed.
func (d *Decision) Passed() bool { return len(d.Failed()) == 0 }

// Stopped says which gates stopped the candidate, with their figures, as
// a sentence; empty when every gate passed.
func (d *Decision) Stopped() string {
	s := ""
	for _, c := range d.Failed() {
		if s != "" {
			s += "; "
		}
		s += fmt.Sprintf("%s %s (threshold %s)", c.Gate, formatValue(c.Value), formatValue(c.Threshold))
		if c.Detail != "" {
			s += ": " + c.Detail
		}
	}
	return s
}

func formatValue(v float64) string { return fmt.Sprintf("%.4g", v) }

// Scores are one model's PDs on the window, with the labels.
type Scores struct {
	// Y holds the labels (1 bad) and PD the model's calibrated PDs, row by
	// row.
	Y, PD []float64
}

// Group is the protected attribute of the window's rows: its name and
// each row's group ("" for a row without one, left out).
type Group struct {
	Name   string
	Levels []string
}

// Input is what Decide compares.
type Input struct {
	// Metric is the selection metric; "" is metrics.DefaultSelection.
	Metric metrics.Selection
	// Candidate holds the candidate's PDs on the window and Threshold its
	// decision threshold (a PD at or above it is declined).
	Candidate Scores
	Threshold float64
	// Development holds the candidate's PDs on the rows it was developed
	// on, the reference of the score PSI.
	Development []float64
	// Champion holds the champion's PDs on the same window, row by row;
	// nil when there is no champion.
	Champion *Scores
	// Protected holds the window's protected attributes; none switches
	// the adverse impact gate off.
	Protected []Group
}

// Decide applies the gates t to in and returns the checks, with the
// verdict Promoted when every gate passed and Challenger otherwise. The
// caller fills in the names, the window and the reason. A figure that
// cannot be computed (a window with one class) fails its gate, with the
// error in Detail.
func Decide(in Input, t Thresholds) (*Decision, error) {
	n := len(in.Candidate.Y)
	if len(in.Candidate.PD) != n || (in.Champion != nil && (len(in.Champion.PD) != n || len(in.Champion.Y) != n)) {
		panic("promotion: Decide: the candidate's and the champion's scores differ in length")
	}
	if in.Metric == "" {
		in.Metric = metrics.DefaultSelection
	}
	d := &Decision{Metric: in.Metric, Rows: n}
	cand, err := selectionValue(in.Metric, in.Candidate)
	if err != nil {
		return nil, fmt.Errorf("candidate %s: %w", in.Metric, err)
	}
	d.CandidateValue = cand

	gain := Check{Gate: GateMinGain, Threshold: t.MinGain}
	if in.Champion == nil {
		gain.Pass, gain.Skipped = true, "no champion to compare with"
	} else if champ, err := selectionValue(in.Metric, *in.Champion); err != nil {
		// A champion that cannot be scored on the window does not block
		// the candidate: it has no figure to beat.
		gain.Pass, gain.Detail = true, fmt.Sprintf("the champion's %s could not be computed: %v", in.Metric, err)
	} else {
		d.ChampionValue = champ
		gain.Value = cand - champ
		if !in.Metric.HigherIsBetter() {
			gain.Value = champ - cand
		}
		gain.Pass = gain.Value >= t.MinGain
		gain.Detail = fmt.Sprintf("%s %.4f for the candidate, %.4f for the champion", in.Metric.Title(), cand, champ)
	}
	d.Checks = append(d.Checks, gain)

	ece := Check{Gate: GateMaxECE, Threshold: t.MaxECE}
	if t.MaxECE == 0 {
		ece.Pass, ece.Skipped = true, "switched off"
	} else if v, err := metrics.ECE(in.Candidate.Y, in.Candidate.PD, 10); err != nil {
		ece.Detail = err.Error()
	} else {
		ece.Value, ece.Pass = v, v <= t.MaxECE
	}
	d.Checks = append(d.Checks, ece)

	psi := Check{Gate: GateMaxScorePSI, Threshold: t.MaxScorePSI}
	if t.MaxScorePSI == 0 {
		psi.Pass, psi.Skipped = true, "switched off"
	} else if v, err := ScorePSI(in.Development, in.Candidate.PD, PSIBins); err != nil {
		psi.Detail = err.Error()
	} else {
		psi.Value, psi.Pass = v, v <= t.MaxScorePSI
		psi.Detail = fmt.Sprintf("%d development rows, %d window rows", len(in.Development), n)
	}
	d.Checks = append(d.Checks, psi)

	air := Check{Gate: GateMinAIR, Threshold: t.MinAIR}
	switch {
	case t.MinAIR == 0:
		air.Pass, air.Skipped = true, "switched off"
	case len(in.Protected) == 0:
		air.Pass, air.Skipped = true, "no protected attribute declared"
	default:
		air.Value, air.Pass = math.Inf(1), true
		var notJudged []string
		for _, g := range in.Protected {
			r, err := AdverseImpact(g.Levels, in.Candidate.PD, in.Threshold)
			if errors.Is(err, ErrTooFewGroups) {
				notJudged = append(notJudged, g.Name)
				continue
			}
			if err != nil {
				air.Pass, air.Value, air.Detail = false, 0, fmt.Sprintf("%s: %v", g.Name, err)
				break
			}
			if r.Ratio < air.Value {
				air.Value = r.Ratio
				air.Detail = fmt.Sprintf("%s: group %q approved %.1f%% of %d, the most favoured %q %.1f%%",
					g.Name, r.Group, 100*r.Rate, r.Count, r.Reference, 100*r.ReferenceRate)
			}
		}
		if air.Detail != "" && air.Value < t.MinAIR {
			air.Pass = false
		}
		switch {
		case len(notJudged) == len(in.Protected):
			air.Value, air.Skipped = 0, "no protected attribute has two groups of at least "+strconv.Itoa(fairness.MinGroup)+" rows in the window"
		case len(notJudged) > 0:
			air.Detail += fmt.Sprintf("; not judged (groups too small): %s", strings.Join(notJudged, ", "))
		}
	}
	d.Checks = append(d.Checks, air)

	d.Verdict = Promoted
	if !d.Passed() {
		d.Verdict = Challenger
	}
	return d, nil
}

// selectionValue computes the metric m of s.
func selectionValue(m metrics.Selection, s Scores) (float64, error) {
	var (
		v   float64
		err error
	)
	switch m {
	case metrics.SelectROCAUC:
		v, err = metrics.ROCAUC(s.Y, s.PD, nil)
	case metrics.SelectPRAUC:
		v, err = metrics.AveragePrecision(s.Y, s.PD, nil)
	case metrics.SelectKS:
		v, err = metrics.KS(s.Y, s.PD, nil)
	case metrics.SelectGini:
		v, err = metrics.Gini(s.Y, s.PD, nil)
	case metrics.SelectBrier:
		v, err = metrics.Brier(s.Y, s.PD, nil)
	case metrics.SelectLogLoss:
		v, err = metrics.LogLoss(s.Y, s.PD, nil)
	default:
		return 0, fmt.Errorf("%w %q", metrics.ErrUnknownSelection, m)
	}
	if err == nil && math.IsNaN(v) {
		err = fmt.Errorf("%s is not defined on these rows", m)
	}
	return v, err
}

// ScorePSI returns the population stability index (metrics.PSI) of the
// PDs recent against the PDs dev, over at most bins quantile bins of dev
// (fewer when PDs repeat); a bin holds edges[i-1] <= pd < edges[i].
func ScorePSI(dev, recent []float64, bins int) (float64, error) {
	if len(dev) == 0 || len(recent) == 0 {
		return 0, fmt.Errorf("score psi: %d development and %d recent PDs", len(dev), len(recent))
	}
	sorted := slices.Clone(dev)
	slices.Sort(sorted)
	var edges []float64
	for k := 1; k < bins; k++ {
		e := sorted[k*len(sorted)/bins]
		if e > sorted[0] && (len(edges) == 0 || e > edges[len(edges)-1]) {
			edges = append(edges, e)
		}
	}
	count := func(pd []float64) []float64 {
		c := make([]float64, len(edges)+1)
		for _, p := range pd {
			i, found := slices.BinarySearch(edges, p)
			if found {
				i++ // a PD on an edge belongs to the bin above it
			}
			c[i]++
		}
		return c
	}
	return metrics.PSI(count(dev), count(recent))
}

// Impact is the adverse impact of a decision rule on one attribute: the
// group with the lowest approval rate against the most favoured one.
type Impact struct {
	// Group is the least favoured group, Rate its approval rate and Count
	// its rows.
	Group string
	Rate  float64
	Count int
	// Reference is the most favoured group and ReferenceRate its approval
	// rate.
	Reference     string
	ReferenceRate float64
	// Ratio is Rate / ReferenceRate, the adverse impact ratio; below 0.8
	// fails the four-fifths rule.
	Ratio float64
}

// ErrTooFewGroups is an attribute with fewer than two groups large enough
// to compare: the adverse impact gate does not judge it.
var ErrTooFewGroups = errors.New("fewer than two groups large enough to compare")

// AdverseImpact returns the adverse impact of declining every PD at or
// above threshold, by the groups levels gives the rows ("" leaves a row
// out). Groups of fewer than fairness.MinGroup rows are left out; it
// needs two groups (else ErrTooFewGroups) and a favoured group with
// approvals.

func AdverseImpact(levels []string, pd []float64, threshold float64) (Impact, error) {
	if len(levels) != len(pd) {
		panic("promotion: AdverseImpact: levels and PDs differ in length")
	}
	type tally struct{ n, ok int }
	by := map[string]*tally{}
	for i, g := range levels {
		if g == "" {
			continue
		}
		t := by[g]
		if t == nil {
			t = &tally{}
			by[g] = t
		}
		t.n++
		if pd[i] < threshold {
			t.ok++
		}
	}
	// Groups too small to read (fewer than fairness.MinGroup) are neither
	// the reference nor judged.
	for g, t := range by {
		if t.n < fairness.MinGroup {
			delete(by, g)
		}
	}
	if len(by) < 2 {
		return Impact{}, fmt.Errorf("%w (%d of at least %d applications)", ErrTooFewGroups, len(by), fairness.MinGroup)
	}
	var im Impact
	im.Rate, im.ReferenceRate = math.Inf(1), math.Inf(-1)
	for _, g := range slices.Sorted(maps.Keys(by)) {
		t := by[g]
		rate := float64(t.ok) / float64(t.n)
		if rate > im.ReferenceRate {
			im.Reference, im.ReferenceRate = g, rate
		}
		if rate < im.Rate {
			im.Group, im.Rate, im.Count = g, rate, t.n
		}
	}
	if im.ReferenceRate == 0 {
		return Impact{}, fmt.Errorf("no group has an approval")
	}
	im.Ratio = im.Rate / im.ReferenceRate
	return im, nil
}
