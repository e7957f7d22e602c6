package promotion

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// window is twelve rows: six bad, six good.
var windowY = []float64{1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0}

// good ranks every bad above every good (ROC-AUC 1), fair ranks six of the 36 pairs
// wrong (ROC-AUC 30/36).
var (
	goodPD = []float64{0.9, 0.8, 0.7, 0.6, 0.55, 0.5, 0.4, 0.3, 0.2, 0.15, 0.1, 0.05}
	fairPD = []float64{0.9, 0.8, 0.7, 0.6, 0.3, 0.2, 0.55, 0.5, 0.4, 0.15, 0.1, 0.05}
)

func TestDecide(t *testing.T) {
	loose := Thresholds{MinGain: 0, MaxECE: 1, MaxScorePSI: 100, MinAIR: 0.8}
	tests := []struct {
		name      string
		in        Input
		t         Thresholds
		verdict   Verdict
		failed    []Gate
		skipped   []Gate
		gainValue float64
	}{
		{"first run: no champion, min_gain skipped",
			Input{Candidate: Scores{windowY, goodPD}, Development: goodPD}, loose, Promoted, nil, []Gate{GateMinGain, GateMinAIR}, 0},
		{"beats the champion",
			Input{Candidate: Scores{windowY, goodPD}, Development: goodPD, Champion: &Scores{windowY, fairPD}}, loose, Promoted, nil, []Gate{GateMinAIR}, 1 - 30.0/36},
		{"loses to the champion",
			Input{Candidate: Scores{windowY, fairPD}, Development: fairPD, Champion: &Scores{windowY, goodPD}}, loose, Challenger, []Gate{GateMinGain}, []Gate{GateMinAIR}, 30.0/36 - 1},
		{"beats by less than min_gain",
			Input{Candidate: Scores{windowY, goodPD}, Development: goodPD, Champion: &Scores{windowY, fairPD}},
			Thresholds{MinGain: 0.5, MaxECE: 1, MaxScorePSI: 100}, Challenger, []Gate{GateMinGain}, []Gate{GateMinAIR}, 1 - 30.0/36},
		{"badly calibrated",
			Input{Candidate: Scores{windowY, goodPD}, Development: goodPD}, Thresholds{MaxECE: 0.01, MaxScorePSI: 100}, Challenger, []Gate{GateMaxECE}, []Gate{GateMinGain, GateMinAIR}, 0},
		{"scores drifted from development",
			Input{Candidate: Scores{windowY, goodPD}, Development: []float64{0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1}},
			Thresholds{MaxECE: 1, MaxScorePSI: 0.25}, Challenger, []Gate{GateMaxScorePSI}, []Gate{GateMinGain, GateMinAIR}, 0},
		{"gates switched off",
			Input{Candidate: Scores{windowY, goodPD}, Development: []float64{0.01, 0.02}}, Thresholds{}, Promoted, nil, []Gate{GateMinGain, GateMaxECE, GateMaxScorePSI, GateMinAIR}, 0},
		{"adverse impact below four fifths",
			Input{Candidate: Scores{times(windowY, 5), times(goodPD, 5)}, Development: goodPD, Threshold: 0.5,
				Protected: []Group{{"sex", times([]string{"f", "f", "f", "f", "f", "f", "m", "m", "m", "m", "m", "m"}, 5)}}},
			loose, Challenger, []Gate{GateMinAIR}, []Gate{GateMinGain}, 0},
		{"adverse impact within four fifths",
			Input{Candidate: Scores{times(windowY, 5), times(goodPD, 5)}, Development: goodPD, Threshold: 0.5,
				Protected: []Group{{"sex", times([]string{"f", "m", "f", "m", "f", "m", "f", "m", "f", "m", "f", "m"}, 5)}}},
			loose, Promoted, nil, []Gate{GateMinGain}, 0},
		{"adverse impact on groups too small to judge",
			Input{Candidate: Scores{windowY, goodPD}, Development: goodPD, Threshold: 0.5,
				Protected: []Group{{"sex", []string{"f", "f", "f", "f", "f", "f", "m", "m", "m", "m", "m", "m"}}}},
			loose, Promoted, nil, []Gate{GateMinGain, GateMinAIR}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Decide(tt.in, tt.t)
			if err != nil {
				t.Fatal(err)
			}
			if d.Verdict != tt.verdict {
				t.Errorf("verdict %s; want %s (stopped: %s)", d.Verdict, tt.verdict, d.Stopped())
			}
			if len(d.Checks) != len(Gates) {
				t.Fatalf("%d checks; want %d", len(d.Checks), len(Gates))
			}
			var failed, skipped []Gate
			for i, c := range d.Checks {
				if c.Gate != Gates[i] {
					t.Errorf("check %d is %s; want %s", i, c.Gate, Gates[i])
				}
				if !c.Pass {
					failed = append(failed, c.Gate)
				}
				if c.Skipped != "" {
					skipped = append(skipped, c.Gate)
				}
			}
			if !equal(failed, tt.failed) || !equal(skipped, tt.skipped) {
				t.Errorf("failed %v, skipped %v; want %v, %v", failed, skipped, tt.failed, tt.skipped)
			}
			if g := d.Checks[0]; g.Skipped == "" && math.Abs(g.Value-tt.gainValue) > 1e-12 {
				t.Errorf("gain %v; want %v", g.Value, tt.gainValue)
			}
			for _, g := range tt.failed {
				if !strings.Contains(d.Stopped(), string(g)) {
					t.Errorf("Stopped() = %q; want it to name %s", d.Stopped(), g)
				}
			}
		})
	}
}

// TestDecide_lowerIsBetter: with the Brier score the gain is the
// champion's value minus the candidate's.
func TestDecide_lowerIsBetter(t *testing.T) {
	d, err := Decide(Input{Metric: metrics.SelectBrier, Candidate: Scores{windowY, goodPD}, Development: goodPD, Champion: &Scores{windowY, fairPD}},
		Thresholds{MaxECE: 1, MaxScorePSI: 100})
	if err != nil {
		t.Fatal(err)
	}
	want := d.ChampionValue - d.CandidateValue
	if g := d.Checks[0]; g.Value != want || g.Value <= 0 || !g.Pass {
		t.Errorf("gain %v, pass %v; want %v > 0, pass", g.Value, g.Pass, want)
	}
}

func TestScorePSI(t *testing.T) {
	dev := make([]float64, 1000)
	for i := range dev {
		dev[i] = float64(i) / 1000
	}
	tests := []struct {
		name   string
		recent []float64
		lo, hi float64
	}{
		{"same distribution", dev, 0, 1e-12},
		{"every PD in the top bin", []float64{0.95, 0.96, 0.97, 0.99}, 2, 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ScorePSI(dev, tt.recent, PSIBins)
			if err != nil {
				t.Fatal(err)
			}
			if got < tt.lo || got > tt.hi {
				t.Errorf("PSI %v; want [%v, %v]", got, tt.lo, tt.hi)
			}
		})
	}
	if _, err := ScorePSI(nil, dev, PSIBins); err == nil {
		t.Error("PSI of no development PDs: no error")
	}
}

func TestAdverseImpact(t *testing.T) {
	tests := []struct {
		name    string
		levels  []string
		pd      []float64
		want    Impact
		wantErr bool
	}{
		{"half the rate", cat(rep("a", 30), rep("b", 30), []string{""}), catf(repf(0.1, 30), repf(0.1, 15), repf(0.9, 15), []float64{0.9}),
			Impact{Group: "b", Rate: 0.5, Count: 30, Reference: "a", ReferenceRate: 1, Ratio: 0.5}, false},
		{"a small group is not judged", cat(rep("a", 30), rep("b", 30), rep("c", 5)), catf(repf(0.1, 30), repf(0.1, 15), repf(0.9, 15), repf(0.9, 5)),
			Impact{Group: "b", Rate: 0.5, Count: 30, Reference: "a", ReferenceRate: 1, Ratio: 0.5}, false},
		{"one group", rep("a", 40), repf(0.1, 40), Impact{}, true},
		{"one large group", cat(rep("a", 40), rep("b", 5)), repf(0.1, 45), Impact{}, true},
		{"no approvals", cat(rep("a", 30), rep("b", 30)), repf(0.9, 60), Impact{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := AdverseImpact(tt.levels, tt.pd, 0.5)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v; want error %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

// rep and repf repeat a value n times; cat and catf join slices.
func rep(v string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func repf(v float64, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = v
	}
	return out
}

func cat(parts ...[]string) []string { return slices.Concat(parts...) }

func catf(parts ...[]float64) []float64 { return slices.Concat(parts...) }

// times repeats s k times.
func times[T any](s []T, k int) []T {
	var out []T
	for range k {
		out = append(out, s...)
	}
	return out
}

func equal(a, b []Gate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
