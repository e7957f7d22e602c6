package report

import (
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// writePage writes the report of in to a temporary folder and returns the
// page.
func writePage(t *testing.T, in *Input) string {
	t.Helper()
	path, err := Write(t.Context(), filepath.Join(t.TempDir(), "r"), in)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	// html/template writes + and ' as character references.
	return strings.NewReplacer("&#43;", "+", "&#39;", "'", "&lt;", "<").Replace(readFile(t, path))
}

// section returns the part of page from the heading with the given id to
// the next h2 heading.
func section(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<h2 id="`+id+`">`)
	if start < 0 {
		t.Fatalf("page has no section %q", id)
	}
	rest := page[start+1:]
	if end := strings.Index(rest, "<h2 "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

func TestWrite_selection(t *testing.T) {
	base := synthInput(t, 5000, 1)
	const rule = "the highest ROC-AUC on the test set"
	champ := base.Candidates[0]
	// Near-copies of the champion: with a weaker model's PDs on one loan
	// in 100 (slightly worse), or jittered (here slightly better).
	blend := func(in *Input) {
		c := &in.Candidates[2]
		copy(c.PD, champ.PD)
		for i := 0; i < len(c.PD); i += 100 {
			c.PD[i] = in.Candidates[1].PD[i]
		}
		c.Metrics = evaluate(t, c.Y, c.PD, c.Threshold)
	}
	jitter := func(in *Input) {
		c := &in.Candidates[2]
		for i := range c.PD {
			c.PD[i] = min(1, max(0, champ.PD[i]*(1+0.02*math.Sin(float64(i)))))
		}
		c.Metrics = evaluate(t, c.Y, c.PD, c.Threshold)
	}
	tests := []struct {
		name string
		in   *Input
		// tested says whether the margin can be tested; lead is the verb
		// of the verdict.
		tested bool
		lead   string
		want   []string
	}{
		{
			name: "clear win", tested: true, lead: "leads",
			in:   mutate(base, func(in *Input) { in.Selection = rule }),
			want: []string{"Rule: the champion is " + rule + ".", "more than noise", "excludes zero"},
		},
		{
			name: "lead within noise", tested: true, lead: "leads",
			in:   mutate(base, func(in *Input) { in.Selection = rule; blend(in) }),
			want: []string{"within noise", "includes zero"},
		},
		{
			name: "champion behind on AUC", tested: true, lead: "trails",
			in:   mutate(base, jitter),
			want: []string{"within noise", "includes zero"},
		},
		{
			name: "one candidate",
			in:   mutate(base, func(in *Input) { in.Candidates = in.Candidates[:1] }),
			want: []string{"Rule: the champion is not recorded.", "Only one candidate was trained, so there was no choice to make."},
		},
		{
			name: "different test rows",
			in: mutate(base, func(in *Input) {
				for i := range in.Candidates[1:] {
					c := &in.Candidates[i+1]
					c.Y, c.PD = c.Y[:4000], c.PD[:4000]
				}
			}),
			want: []string{"could not be tested: the candidates were scored on different rows."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sec := section(t, writePage(t, tt.in), "selection")
			for _, w := range tt.want {
				if !strings.Contains(sec, w) {
					t.Errorf("selection section: got no %q in\n%s", w, sec)
				}
			}
			for _, c := range tt.in.Candidates {
				if want := ">" + fixed4(c.Metrics.ROCAUC) + "<"; !strings.Contains(sec, want) {
					t.Errorf("selection section: got no test AUC %s of %s", want, c.Name)
				}
			}
			if !tt.tested {
				return
			}
			// The runner-up is the best of the others by test AUC.
			o := &tt.in.Candidates[1]
			if a := &tt.in.Candidates[2]; a.Metrics.ROCAUC > o.Metrics.ROCAUC {
				o = a
			}
			c := &tt.in.Candidates[0]
			d, err := metrics.DeLong(c.Y, c.PD, o.PD)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(d.AUCA-c.Metrics.ROCAUC) > 1e-12 {
				t.Fatalf("DeLong AUC %v; recorded %v", d.AUCA, c.Metrics.ROCAUC)
			}
			verdict := "gbdt v3 " + tt.lead + " the runner-up, " + label(o) + ", by " + fixed4(math.Abs(d.Diff)) + " in test ROC-AUC (" +
				fixed4(d.AUCA) + " against " + fixed4(d.AUCB) + "). The margin " + fixed4(d.Diff) + " is " + reading(d.P) +
				" (" + pText(d.P) + "): its standard error is " + fixed4(d.SE) + " and its 95% interval, " +
				signed4(d.Lower) + " to " + signed4(d.Upper)
			if !strings.Contains(sec, verdict) {
				t.Errorf("selection section: got no verdict %q in\n%s", verdict, sec)
			}
			if want := "same 5,000 test loans"; !strings.Contains(sec, want) {
				t.Errorf("selection section: got no %q", want)
			}
			row := "<td>" + signed4(d.Diff) + "</td><td>" + fixed4(d.SE) + "</td><td>" + signed4(d.Lower) + " to " +
				signed4(d.Upper) + "</td><td>" + pValue(d.P) + "</td>"
			if !strings.Contains(sec, row) {
				t.Errorf("selection section: got no table row %q", row)
			}
		})
	}
	// The synthetic candidates are far apart, the twin is not: the
	// readings above rest on these p-values.
	checkSelectionOnValidation(t, base)
	clear := mutate(base, func(*Input) {})
	if d, _ := metrics.DeLong(champ.Y, champ.PD, clear.Candidates[2].PD); !(d.P < 0.001) {
		t.Errorf("synthetic forest: p = %v; want a clear loss", d.P)
	}
}

func TestPValueFormats(t *testing.T) {
	tests := []struct {
		p           float64
		table, text string
	}{
		{0.41234, "0.41", "p = 0.41"},
		{0.0123, "0.012", "p = 0.012"},
		{0.047, "0.047", "p = 0.047"},
		{0.0051, "0.005", "p = 0.005"},
		{0.0004, "< 0.001", "p < 0.001"},
		{1, "1.00", "p = 1.00"},
	}
	for _, tt := range tests {
		if got := pValue(tt.p); got != tt.table {
			t.Errorf("pValue(%v) = %q; want %q", tt.p, got, tt.table)
		}
		if got := pText(tt.p); got != tt.text {
			t.Errorf("pText(%v) = %q; want %q", tt.p, got, tt.text)
		}
	}
	for v, want := range map[float64]string{0.00214: "+0.0021", -0.0021: "-0.0021", -0.00001: "+0.0000", 0: "+0.0000"} {
		if got := signed4(v); got != want {
			t.Errorf("signed4(%v) = %q; want %q", v, got, want)
		}
	}
}

// tuningInput is a boosting search of 5 configurations on two rungs:
// configuration 3 wins the top rung over the default.
func tuningInput() Tuning {
	p := func(depth float64, eta float64) map[string]any {
		return map[string]any{"max_depth": depth, "learning_rate": eta, "growth": "depthwise"}
	}
	return Tuning{
		Learner: "gbdt", Configs: 5, Folds: 3, TimeOrdered: true, Rows: 33851,
		Rungs:        []TuningRung{{TrainRows: []int{25388}}, {TrainRows: []int{8462, 16925, 25388}}},
		DecidingRung: 1, BestID: 3, BestAUC: 0.70396, DefaultAUC: 0.69366,
		Seconds: 16.02, BudgetSeconds: 20,
		Trials: []TuningTrial{
			{ID: 0, Rung: 0, Params: p(6, 0.1), MeanAUC: 0.702, Seconds: 0.32},
			{ID: 1, Rung: 0, Params: p(2, 0.0305), MeanAUC: 0.7073, Seconds: 0.82},
			{ID: 2, Rung: 0, Params: p(8, 0.25), MeanAUC: 0.6911, Seconds: 0.5},
			{ID: 3, Rung: 0, Params: p(4, 0.0334), MeanAUC: 0.7078, Seconds: 0.66},
			{ID: 4, Rung: 0, Params: p(3, 0.05), MeanAUC: 0.7, Seconds: 0.4},
			{ID: 0, Rung: 1, Params: p(6, 0.1), MeanAUC: 0.69366, Seconds: 0.93},
			{ID: 3, Rung: 1, Params: p(4, 0.0334), MeanAUC: 0.70396, Seconds: 1.95},
			{ID: 1, Rung: 1, Params: p(2, 0.0305), MeanAUC: 0.7032, Seconds: 2.12},
		},
	}
}

func TestWrite_tuning(t *testing.T) {
	lr := Tuning{
		Learner: "lr", Configs: 2, Folds: 3, Rows: 1000, Rungs: []TuningRung{{TrainRows: []int{600, 600, 600}}},
		BestID: 0, BestAUC: 0.711, DefaultAUC: 0.711, Seconds: 1.06, BudgetSeconds: 20, Stopped: "time budget spent",
		Trials: []TuningTrial{
			{ID: 0, Params: map[string]any{"C": 1.0}, MeanAUC: 0.711, Seconds: 0.2},
			{ID: 1, Params: map[string]any{"C": 0.000123}, MeanAUC: 0.7089, Seconds: 0.1},
		},
	}
	gbdt := tuningInput()
	gbdt.BudgetSeconds = 0 // no time budget
	in := mutate(synthInput(t, 2000, 2), func(in *Input) { in.Tuning = []Tuning{gbdt, lr} })
	sec := section(t, writePage(t, in), "tuning")
	for _, want := range []string{
		// gbdt: headline, folds, rungs (top first), deciding trials best
		// first with their parameters, the lower rung folded.
		"<h3>gbdt: 8 trials in 16.0 s (no time budget: reproducible); chose configuration 3, CV ROC-AUC 0.7040 against 0.6937 for the default (+0.0103).</h3>",
		"5 configurations searched on 33,851 training rows with 3 time-ordered",
		`<tr class="chosen"><td>2 of 2<span class="badge">deciding</span></td><td>3</td><td>3</td><td>8,462, 16,925 and 25,388</td><td>0.7040</td><td>5.00</td></tr>`,
		"<tr><td>1 of 2</td><td>5</td><td>1</td><td>25,388</td><td>0.7078</td><td>2.70</td></tr>",
		"The 3 configurations scored on the deciding rung (2 of 2: 3 folds on 8,462, 16,925 and 25,388 training rows), best first",
		"<th class=\"l param\">growth</th><th class=\"l param\">learning_\u200brate</th><th class=\"l param\">max_\u200bdepth</th>",
		`<tr class="chosen"><td>3</td><td class="l">chosen</td><td>0.7040</td><td>+0.0103</td><td class="l">depthwise</td><td class="l">0.0334</td><td class="l">4</td><td>1.95</td></tr>` +
			"\n" + `<tr><td>1</td><td class="l"></td><td>0.7032</td><td>+0.0095</td><td class="l">depthwise</td><td class="l">0.0305</td><td class="l">2</td><td>2.12</td></tr>` +
			"\n" + `<tr><td>0</td><td class="l">default</td><td>0.6937</td><td>—</td><td class="l">depthwise</td><td class="l">0.1</td><td class="l">6</td><td>0.93</td></tr>`,
		"<summary>The 5 trials of the other rungs, highest rung first</summary>",
		`<tr><td>3</td><td>1</td><td class="l"></td><td>0.7078</td><td>+0.0058</td>`,
		// lr: kept the default, stopped early, one rung, stratified.
		"<h3>lr: 2 trials in 1.06 s (time budget 20 s: the trials run can depend on the machine's load); kept the default configuration, CV ROC-AUC 0.7110: no other configuration beat it.</h3>",
		"with 3 stratified cross-validation folds",
		"The search ended before its plan was done (time budget spent); it decided on rung 1 of 1.",
		`<tr class="chosen"><td>0</td><td class="l">chosen, default</td><td>0.7110</td><td>—</td><td class="l">1</td><td>0.20</td></tr>`,
		`<td class="l">0.000123</td>`,
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("tuning section: got no\n%s\nin\n%s", want, sec)
		}
	}
	if n := strings.Count(sec, "<details>"); n != 1 {
		t.Errorf("got %d folded trial tables; want 1 (lr has one rung)", n)
	}

	page := writePage(t, synthInput(t, 2000, 2))
	if sec := section(t, page, "tuning"); !strings.Contains(sec, "This run did not tune") {
		t.Errorf("untuned run: tuning section is\n%s", sec)
	}
}

func TestWrite_tuningErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Tuning)
	}{
		{"no learner", func(t *Tuning) { t.Learner = "" }},
		{"no trials", func(t *Tuning) { t.Trials = nil }},
		{"deciding rung out of range", func(t *Tuning) { t.DecidingRung = 2 }},
		{"trial rung out of range", func(t *Tuning) { t.Trials[4].Rung = -1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tu := tuningInput()
			tt.edit(&tu)
			in := mutate(synthInput(t, 500, 3), func(in *Input) { in.Tuning = []Tuning{tu} })
			dir := t.TempDir()
			if _, err := Write(t.Context(), dir, in); !errors.Is(err, ErrTuning) {
				t.Errorf("got %v; want ErrTuning", err)
			}
			assertNoPage(t, dir)
		})
	}
}

func TestWrite_otherMetrics(t *testing.T) {
	withValid := func(rows ...int) func(*Input) {
		return func(in *Input) {
			for i := range in.Candidates {
				in.Candidates[i].Metrics.ValidRows = rows[i]
			}
		}
	}
	tests := []struct {
		name      string
		edit      func(*Input)
		other     bool
		want, not []string
	}{
		{
			name: "shared validation rows go to the data summary",
			edit: withValid(6770, 6770, 6770),
			want: []string{"<dt>Validation rows</dt><dd>6,770 of the train rows, held out to calibrate the PDs and choose the thresholds</dd>"},
			not:  []string{"valid_rows", "<th title=\"training rows held out to calibrate the PD and choose the threshold\">"},
		},
		{
			name:  "different validation rows stay a column",
			edit:  withValid(6770, 6770, 5000),
			other: true,
			want:  []string{`<th title="training rows held out to calibrate the PD and choose the threshold">Validation rows</th>`, "<td>5,000</td>"},
			not:   []string{"<dt>Validation rows</dt>"},
		},
		{
			name: "an unknown key gets a readable label",
			edit: func(in *Input) {
				withValid(6770, 6770, 6770)(in)
				in.Candidates[0].Metrics.Extra = map[string]float64{"fit_rows": 27081.5}
			},
			other: true,
			want:  []string{`<th title="fit_rows">Fit rows</th>`, "<td>27081.5</td>", "<td>n/a</td>"},
		},
		{name: "nothing else: no table", edit: func(*Input) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := writePage(t, mutate(synthInput(t, 500, 4), tt.edit))
			if got := strings.Contains(page, "<h3>Other metrics</h3>"); got != tt.other {
				t.Errorf("Other metrics table shown: %v; want %v", got, tt.other)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page: got no %q", w)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(page, w) {
					t.Errorf("page: got %q; want none", w)
				}
			}
		})
	}
}

// checkSelectionOnValidation checks the selection section of a run that
// chose on validation figures: the selection metric and DeLong's test on
// the validation rows, the test ROC-AUC beside them, and the candidates
// ordered by the selection metric (lower first for the Brier score).
func checkSelectionOnValidation(t *testing.T, base *Input) {
	t.Helper()
	withValidation := func(sel metrics.Selection) *Input {
		return mutate(base, func(in *Input) {
			in.Selection, in.SelectionMetric = "the best on validation", sel
			for i := range in.Candidates {
				c := &in.Candidates[i]
				c.ValidY, c.ValidPD = c.Y[:2500], c.PD[:2500]
				c.Validation = evaluate(t, c.ValidY, c.ValidPD, c.Threshold)
			}
		})
	}
	in := withValidation(metrics.SelectROCAUC)
	sec := section(t, writePage(t, in), "selection")
	c, o := &in.Candidates[0], &in.Candidates[1]
	d, err := metrics.DeLong(c.ValidY, c.ValidPD, o.ValidPD)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Validation ROC-AUC</th>",
		"by " + fixed4(math.Abs(d.Diff)) + " in validation ROC-AUC (" + fixed4(d.AUCA) + " against " + fixed4(d.AUCB) + ")",
		"same 2,500 validation loans",
		"the test set took no part in the choice",
		"<td>" + fixed4(c.Validation.ROCAUC) + "</td>",
		"<td>" + fixed4(c.Metrics.ROCAUC) + "</td></tr>", // test AUC, last column
	} {
		if !strings.Contains(sec, want) {
			t.Errorf("selection on validation: got no %q in\n%s", want, sec)
		}
	}
	// By the Brier score the best is the lowest.
	in = withValidation(metrics.SelectBrier)
	sec = section(t, writePage(t, in), "selection")
	best := 0
	for i := range in.Candidates {
		if in.Candidates[i].Validation.Brier < in.Candidates[best].Validation.Brier {
			best = i
		}
	}
	first := strings.Index(sec, "<tbody>")
	if i := strings.Index(sec[first:], label(&in.Candidates[best])); i < 0 || strings.Count(sec[first:first+i], "<tr") != 1 {
		t.Errorf("by the Brier score, %s (lowest) is not the first row:\n%s", label(&in.Candidates[best]), sec)
	}
	if !strings.Contains(sec, "Validation Brier score</th>") {
		t.Errorf("no Validation Brier score column:\n%s", sec)
	}
}
