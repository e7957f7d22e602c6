package retrain

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/tune"
)

func TestTrialReporter(t *testing.T) {
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		// at is when each trial ends, in seconds after the learner
		// started; trials holds (trial, rung trials) per call.
		at     []float64
		trials [][2]int
		want   []int // indices of the calls that print
	}{
		{"quick trials: the rung's last only", []float64{0.1, 0.2, 0.3}, [][2]int{{1, 3}, {2, 3}, {3, 3}}, []int{2}},
		{"a line every 2 s", []float64{0.9, 1.9, 2.1, 3.0, 4.2, 4.3}, [][2]int{{1, 9}, {2, 9}, {3, 9}, {4, 9}, {5, 9}, {6, 9}}, []int{2, 4}},
		{"slow trials: every trial", []float64{2.5, 5, 7.5}, [][2]int{{1, 4}, {2, 4}, {3, 4}}, []int{0, 1, 2}},
		{"each rung's end", []float64{0.1, 0.2, 0.3, 0.4}, [][2]int{{1, 2}, {2, 2}, {1, 2}, {2, 2}}, []int{1, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var lines []string
			var now time.Time
			r := &trialReporter{
				progress: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) },
				every:    2 * time.Second, now: func() time.Time { return now }, last: start,
			}
			var want []string
			rungStart, prev := 0.0, 0.0
			for k, at := range tt.at {
				now = start.Add(time.Duration(at * float64(time.Second)))
				p := tune.Progress{Learner: "gbdt", Rung: 0, Rungs: 3, Trial: tt.trials[k][0], RungTrials: tt.trials[k][1],
					BestID: k, BestAUC: 0.7 + float64(k)/1000, Elapsed: at, Budget: 20}
				if k > 0 && p.Trial <= tt.trials[k-1][0] {
					rungStart = prev // the trials started over: a new rung
				}
				prev = at
				r.trial(p)
				for _, i := range tt.want {
					if i == k {
						rate := ""
						if p.Trial < p.RungTrials {
							perSec := float64(p.Trial) / (at - rungStart)
							rate = fmt.Sprintf("; %.2g trials/s, rung done in ~%.0fs", perSec, float64(p.RungTrials-p.Trial)/perSec)
						}
						want = append(want, fmt.Sprintf("      tune gbdt: rung 1/3, trial %d of %d, best CV AUC %.4f so far (configuration %d), %.1fs of 20s%s",
							p.Trial, p.RungTrials, p.BestAUC, k, at, rate))
					}
				}
			}
			if strings.Join(lines, "\n") != strings.Join(want, "\n") {
				t.Errorf("got lines\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestTrialReporterRate checks a line's rate and time left by hand: a
// second rung whose 3 trials of 12 took 6 s after the first rung ended
// at 10 s.
func TestTrialReporterRate(t *testing.T) {
	var lines []string
	r := &trialReporter{
		progress: func(format string, args ...any) { lines = append(lines, fmt.Sprintf(format, args...)) },
		every:    0, now: time.Now,
	}
	r.trial(tune.Progress{Learner: "rf", Rung: 0, Rungs: 2, Trial: 4, RungTrials: 4, Elapsed: 10})
	r.trial(tune.Progress{Learner: "rf", Rung: 1, Rungs: 2, Trial: 3, RungTrials: 12, Elapsed: 16})
	if len(lines) != 2 || !strings.HasSuffix(lines[1], "16.0s; 0.5 trials/s, rung done in ~18s") || strings.Contains(lines[0], "trials/s") {
		t.Errorf("lines:\n%s", strings.Join(lines, "\n"))
	}
}
