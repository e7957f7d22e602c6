package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// tuningView is the search of one learner as the page shows it.
type tuningView struct {
	Learner string
	// Headline sums the search up: trials, time and the choice.
	Headline string
	// Stopped explains an early end; empty when the search finished.
	Stopped string
	Folds   string
	Rungs   []tuningRungRow
	// Deciding holds the trials of the deciding rung, best first, and
	// DecidingNote describes that rung.
	Deciding     trialsTable
	DecidingNote string
	// Others holds the trials of the other rungs, highest rung first and
	// best first within a rung; nil when there are none.
	Others *trialsTable
}

// trialsTable is a table of trials.
type trialsTable struct {
	// Params are the names of the searched parameters, one column each.
	Params []string
	Rows   []tuningRow
	// ShowRung adds a column with each trial's rung.
	ShowRung bool
}

// tuningRungRow is one rung in the rungs table.
type tuningRungRow struct {
	Rung, Trials, Folds, Rows, Best, Seconds string
	Deciding                                 bool
}

// tuningRow is one trial in a trials table.
type tuningRow struct {
	ID, Rung, Role, AUC, VsDefault, Seconds string
	Params                                  []string
	Chosen                                  bool
}

// newTuning lays out the tuning results of a validated input.
func newTuning(ts []Tuning) []tuningView {
	var out []tuningView
	for i := range ts {
		out = append(out, newTuningView(&ts[i]))
	}
	return out
}

func newTuningView(t *Tuning) tuningView {
	v := tuningView{Learner: t.Learner}
	kind := "stratified"
	if t.TimeOrdered {
		kind = "time-ordered (expanding windows: each validates on loans newer than it trained on)"
	}
	v.Folds = fmt.Sprintf("%d configurations searched on %s training rows with %d %s cross-validation folds; "+
		"a configuration's score is its mean validation ROC-AUC over the folds of its rung.",
		t.Configs, count(float64(t.Rows)), t.Folds, kind)
	choice := fmt.Sprintf("chose configuration %d, CV ROC-AUC %s against %s for the default (%s)",
		t.BestID, fixed4(t.BestAUC), fixed4(t.DefaultAUC), signed4(t.BestAUC-t.DefaultAUC))
	if t.BestID == 0 {
		choice = fmt.Sprintf("kept the default configuration, CV ROC-AUC %s: no other configuration beat it", fixed4(t.DefaultAUC))
	}
	budget := "no time budget: reproducible"
	if t.BudgetSeconds > 0 {
		budget = "time budget " + general(t.BudgetSeconds) + " s: the trials run can depend on the machine's load"
	}
	v.Headline = fmt.Sprintf("%d trials in %s s (%s); %s.",
		len(t.Trials), seconds(t.Seconds), budget, choice)
	if t.Stopped != "" {
		v.Stopped = fmt.Sprintf("The search ended before its plan was done (%s); it decided on rung %d of %d.",
			t.Stopped, t.DecidingRung+1, len(t.Rungs))
	}

	keys := map[string]bool{}
	for _, tr := range t.Trials {
		for k := range tr.Params {
			keys[k] = true
		}
	}
	params := slices.Sorted(maps.Keys(keys))
	// Headers may wrap after an underscore (a zero-width space), which
	// keeps wide searches on the page.
	headers := make([]string, len(params))
	for i, k := range params {
		headers[i] = strings.ReplaceAll(k, "_", "_\u200b")
	}
	v.Deciding.Params = headers
	others := trialsTable{Params: headers, ShowRung: true}

	defaultAUC := map[int]float64{} // the default's score per rung
	for _, tr := range t.Trials {
		if tr.ID == 0 {
			defaultAUC[tr.Rung] = tr.MeanAUC
		}
	}
	byRung := make([][]TuningTrial, len(t.Rungs))
	for _, tr := range t.Trials {
		byRung[tr.Rung] = append(byRung[tr.Rung], tr)
	}
	for r := range byRung {
		slices.SortStableFunc(byRung[r], func(a, b TuningTrial) int {
			if c := cmp.Compare(b.MeanAUC, a.MeanAUC); c != 0 {
				return c
			}
			return cmp.Compare(a.ID, b.ID)
		})
	}
	row := func(tr TuningTrial) tuningRow {
		chosen := tr.Rung == t.DecidingRung && tr.ID == t.BestID
		var roles []string
		if chosen {
			roles = append(roles, "chosen")
		}
		if tr.ID == 0 {
			roles = append(roles, "default")
		}
		vs := "—"
		if d, ok := defaultAUC[tr.Rung]; ok && tr.ID != 0 {
			vs = signed4(tr.MeanAUC - d)
		}
		r := tuningRow{
			ID: strconv.Itoa(tr.ID), Rung: strconv.Itoa(tr.Rung + 1), Role: strings.Join(roles, ", "),
			AUC: fixed4(tr.MeanAUC), VsDefault: vs, Seconds: seconds(tr.Seconds), Chosen: chosen,
		}
		for _, k := range params {
			r.Params = append(r.Params, paramText(tr.Params, k))
		}
		return r
	}
	for r := len(t.Rungs) - 1; r >= 0; r-- {
		ri := t.Rungs[r]
		rr := tuningRungRow{
			Rung: fmt.Sprintf("%d of %d", r+1, len(t.Rungs)), Trials: strconv.Itoa(len(byRung[r])),
			Folds: strconv.Itoa(len(ri.TrainRows)), Rows: rowList(ri.TrainRows),
			Best: "—", Seconds: "0.00", Deciding: r == t.DecidingRung,
		}
		var secs float64
		for _, tr := range byRung[r] {
			secs += tr.Seconds
		}
		if len(byRung[r]) > 0 {
			rr.Best, rr.Seconds = fixed4(byRung[r][0].MeanAUC), seconds(secs)
		}
		v.Rungs = append(v.Rungs, rr)
		for _, tr := range byRung[r] {
			if r == t.DecidingRung {
				v.Deciding.Rows = append(v.Deciding.Rows, row(tr))
			} else {
				others.Rows = append(others.Rows, row(tr))
			}
		}
	}
	if len(others.Rows) > 0 {
		v.Others = &others
	}
	ri := t.Rungs[t.DecidingRung]
	v.DecidingNote = fmt.Sprintf("The %d configurations scored on the deciding rung (%d of %d: %s on %s training rows), best first; "+
		"the final model was fitted with the chosen one. Scores on lower rungs use fewer rows or folds and do not compare with these.",
		len(byRung[t.DecidingRung]), t.DecidingRung+1, len(t.Rungs), plural(len(ri.TrainRows), "fold"), rowList(ri.TrainRows))
	return v
}

// rowList formats per-fold row counts: "25,388" or "8,462, 16,925 and 25,388".
func rowList(rows []int) string {
	parts := make([]string, len(rows))
	for i, n := range rows {
		parts[i] = count(float64(n))
	}
	switch len(parts) {
	case 0:
		return "n/a"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// plural formats n with a noun, adding "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// paramText formats parameter k of params, "—" when it is absent.
func paramText(params map[string]any, k string) string {
	v, ok := params[k]
	if !ok {
		return "—"
	}
	switch x := v.(type) {
	case float64:
		return general(x)
	case int:
		return strconv.Itoa(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}
