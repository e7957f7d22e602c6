package retrain

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/fairness"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/internal/split"
	"github.com/credit-risk/credit-risk/internal/train"
)

// gates scores the run's champion and the production champion on the same
// recent window, the validation slice of this run's training period, each
// from the raw rows through its own feature pipeline, and applies the
// spec's promotion gates (package promotion). The verdict says what the
// promote step does.
func (r *runner) gates(ctx context.Context) error {
	o := r.opts
	cand := r.cands[r.best]
	win, err := r.window(ctx)
	if err != nil {
		return fmt.Errorf("recent window: %w", err)
	}
	in := promotion.Input{Metric: r.selection(), Threshold: cand.m.Threshold}

	reg, err := registry.Read(r.regDir)
	if err != nil {
		return err
	}
	var (
		champ     *model.Model
		champRef  string
		champSkip string
	)
	if v := reg.Production(); v != nil {
		champRef = v.Ref().String()
		m, _, err := model.Load(filepath.Join(o.ModelsDir, v.File), filepath.Join(o.ModelsDir, v.Metadata))
		if err != nil {
			// A champion that does not load has no figure to beat; the
			// report says so.
			champSkip = fmt.Sprintf("the champion %s could not be loaded: %v", champRef, err)
			r.logger.Warn("promotion gates without the champion", "err", err)
		} else {
			champ = m
		}
	}
	candPD, champPD, kept, dropped := win.score(cand.m, champ)
	if champ != nil && len(kept) == 0 {
		// The champion reads none of these rows (its pipeline wants
		// columns the files no longer have): it has no figure to beat.
		champSkip = fmt.Sprintf("the champion %s could not score any row of the window", champRef)
		champ = nil
		candPD, _, kept, dropped = win.score(cand.m, nil)
	}
	in.Candidate = promotion.Scores{Y: kept, PD: candPD}
	in.Protected = win.protected(o.Spec)
	if champ != nil {
		in.Champion = &promotion.Scores{Y: kept, PD: champPD}
	}
	if len(kept) == 0 {
		return fmt.Errorf("the candidate could not score any row of the recent window (%d rows)", len(win.rows))
	}
	// The development reference: the candidate's PDs on the rows it was
	// fitted on (the training period before the window).
	all := make([]float64, r.data.Train.X.Rows)
	cand.m.PDInto(all, r.data.Train.X, o.Threads)
	for i, v := range win.isValid {
		if !v {
			in.Development = append(in.Development, all[i])
		}
	}
	d, err := promotion.Decide(in, o.Spec.Promotion.Thresholds())
	if err != nil {
		return err
	}
	d.Candidate = registry.Ref{Name: cand.m.Name, Version: cand.m.Version}.String()
	d.Champion = champRef
	if champSkip != "" {
		d.Checks[0].Skipped = champSkip
	}
	d.Window = fmt.Sprintf("the validation slice of this run's training period (%s), read from the raw files and scored by each model through its own feature pipeline", win.describe)
	if dropped > 0 {
		d.Window += fmt.Sprintf("; %d rows that one of the models could not score were left out", dropped)
	}
	d.Window += ". The candidate was calibrated and its threshold chosen on these rows, so its calibration figures here are in-sample; the champion's are not"
	switch {
	case o.NoPromote:
		d.Verdict = promotion.Held
	case o.ForcePromote && !d.Passed():
		d.Verdict = promotion.Forced
	}
	d.Reason = r.reason(d)
	r.decision = d
	r.analyseFairness(win)
	for _, c := range d.Checks {
		state := "pass"
		switch {
		case c.Skipped != "":
			state = "not applied: " + c.Skipped
		case !c.Pass:
			state = "FAIL"
		}
		r.progress("      gate %-13s threshold %-8.4g value %-8.4g %s", c.Gate, c.Threshold, c.Value, state)
	}
	r.progress("      verdict: %s", d.Verdict)
	return nil
}

// reason is what the registry records with the stage change.
func (r *runner) reason(d *promotion.Decision) string {
	sel := r.selection()
	switch d.Verdict {
	case promotion.Forced:
		var gates []string
		for _, c := range d.Failed() {
			gates = append(gates, string(c.Gate))
		}
		return fmt.Sprintf("forced over the gate %s: %s", strings.Join(gates, ", "), r.opts.Reason)
	case promotion.Challenger:
		return fmt.Sprintf("retrain %s: stopped by %s", r.runID, d.Stopped())
	}
	if r.opts.Reason != "" {
		return r.opts.Reason
	}
	return fmt.Sprintf("retrain %s: passed the promotion gates; %s %.4f on the recent window (%d rows)", r.runID, sel.Title(), d.CandidateValue, d.Rows)
}

// window is the recent window: the raw rows of the validation slice of the
// run's training period, in the order of the training table.
type window struct {
	headers [][]string // per row
	rows    [][]string
	y       []float64
	// isValid marks the window's rows among the training rows.
	isValid []bool
	// testGroups holds, per protected attribute of the spec, the group of
	// every test row in the test table's order.
	testGroups [][]string
	// kept are the rows (of rows) the last score kept, in order.
	kept     []int
	describe string
}

// window reads the window's raw rows. They are found as the features step
// ordered the cleaned table (featurestep.OrderedRows) and the training
// step held them out (train.ValidationRows); their labels must match the
// training table's, row by row, or the raw files changed under the run.
func (r *runner) window(ctx context.Context) (*window, error) {
	d := r.data
	isValid, err := train.ValidationRows(d, 0)
	if err != nil {
		return nil, err
	}
	a, err := split.ReadFile(filepath.Join(r.processed, split.FileName))
	if err != nil {
		return nil, err
	}
	var dates []float64
	byRow := map[int]int{} // cleaned-table row → position in the window
	if d.Meta.DateColumn != "" {
		dates = make([]float64, len(a.Test))
		// The dates come from the raw rows themselves (first pass).
		n := 0
		if err := clean.Records(ctx, r.opts.Spec, filepath.Join(r.opts.DataDir, "raw"), func(rec *clean.Record) error {
			if rec.Row >= len(dates) {
				return fmt.Errorf("more labelled raw rows than the cleaned table's %d: the raw files changed during the run", len(dates))
			}
			dates[rec.Row] = rec.Date
			n++
			return nil
		}); err != nil {
			return nil, err
		}
		if n != len(dates) {
			return nil, fmt.Errorf("%d labelled raw rows, %d in the cleaned table: the raw files changed during the run", n, len(dates))
		}
	}
	trainRows, testRows := featurestep.OrderedRows(a.Test, dates)
	if len(trainRows) != len(isValid) {
		return nil, fmt.Errorf("%d training rows in the split, %d in the training table", len(trainRows), len(isValid))
	}
	w := &window{isValid: isValid}
	for i, v := range isValid {
		if v {
			byRow[trainRows[i]] = len(w.y)
			w.y = append(w.y, d.Train.Y[i])
		}
	}
	w.rows = make([][]string, len(w.y))
	w.headers = make([][]string, len(w.y))
	// The protected attributes of the test rows, for the fairness section.
	spec := r.opts.Spec
	testPos := map[int]int{}
	if len(spec.Protected) > 0 {
		for i, row := range testRows {
			testPos[row] = i
		}
		w.testGroups = make([][]string, len(spec.Protected))
		for i := range w.testGroups {
			w.testGroups[i] = make([]string, len(testRows))
		}
	}
	var lo, hi float64
	err = clean.Records(ctx, r.opts.Spec, filepath.Join(r.opts.DataDir, "raw"), func(rec *clean.Record) error {
		if t, ok := testPos[rec.Row]; ok {
			for i := range spec.Protected {
				p := &spec.Protected[i]
				if c := slices.Index(rec.Header, p.Column); c >= 0 && c < len(rec.Fields) {
					w.testGroups[i][t] = spec.ProtectedGroup(p, rec.Fields[c])
				}
			}
			return nil
		}
		k, ok := byRow[rec.Row]
		if !ok {
			return nil
		}
		if rec.Label != w.y[k] {
			return fmt.Errorf("raw row %d has label %g, the training table %g: the raw files changed during the run", rec.Row, rec.Label, w.y[k])
		}
		w.rows[k] = append([]string(nil), rec.Fields...)
		w.headers[k] = rec.Header
		if dates != nil {
			if lo == 0 || rec.Date < lo {
				lo = rec.Date
			}
			hi = max(hi, rec.Date)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for k, row := range w.rows {
		if row == nil {
			return nil, fmt.Errorf("window row %d was not found in the raw files", k)
		}
	}
	w.describe = fmt.Sprintf("the newest %.0f%% of the training rows", 100*train.DefaultValidFraction)
	if dates != nil {
		w.describe += fmt.Sprintf(", applications from %s to %s", split.FormatDay(lo), split.FormatDay(hi))
	} else {
		w.describe = fmt.Sprintf("a stratified %.0f%% of the training rows", 100*train.DefaultValidFraction)
	}
	return w, nil
}

// score scores the window with the candidate and, when not nil, the
// champion, each through its own pipeline. Rows that either model cannot
// score are left out of both; it returns the PDs, the labels of the rows
// kept and the number left out.
func (w *window) score(cand, champ *model.Model) (candPD, champPD, y []float64, dropped int) {
	type scorer struct {
		m      *model.Model
		index  []int
		header []string
		raw    []features.Raw
		row    *features.Row
		x      []float64
	}
	newScorer := func(m *model.Model) *scorer {
		p := m.Pipeline
		return &scorer{m: m, raw: make([]features.Raw, len(p.Inputs)), row: p.NewRow(), x: make([]float64, p.NumFeatures())}
	}
	pd := func(s *scorer, header, rec []string) (float64, bool) {
		p := s.m.Pipeline
		if !sameHeader(s.header, header) {
			s.header, s.index = header, p.HeaderIndex(header)
		}
		p.RawFromStrings(s.index, rec, s.raw)
		if errs := p.Transform(s.raw, s.row, s.x); len(errs) > 0 {
			return 0, false
		}
		return s.m.PD(s.x), true
	}
	cs := newScorer(cand)
	var hs *scorer
	if champ != nil {
		hs = newScorer(champ)
	}
	w.kept = w.kept[:0]
	for k, rec := range w.rows {
		a, ok := pd(cs, w.headers[k], rec)
		var b float64
		if ok && hs != nil {
			b, ok = pd(hs, w.headers[k], rec)
		}
		if !ok {
			dropped++
			continue
		}
		candPD = append(candPD, a)
		if hs != nil {
			champPD = append(champPD, b)
		}
		y = append(y, w.y[k])
		w.kept = append(w.kept, k)
	}
	return candPD, champPD, y, dropped
}

// protected returns the groups of the spec's protected attributes for the
// rows the last score kept, in their order.
func (w *window) protected(spec *dataset.Spec) []promotion.Group {
	var out []promotion.Group
	for i := range spec.Protected {
		p := &spec.Protected[i]
		g := promotion.Group{Name: p.Column, Levels: make([]string, len(w.kept))}
		for j, k := range w.kept {
			if c := slices.Index(w.headers[k], p.Column); c >= 0 && c < len(w.rows[k]) {
				g.Levels[j] = spec.ProtectedGroup(p, w.rows[k][c])
			}
		}
		out = append(out, g)
	}
	return out
}

// sameHeader reports whether two headers are equal; a file's rows share
// one header slice, so the comparison is mostly a pointer check.
func sameHeader(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0] || slices.Equal(a, b))
}

// analyseFairness measures the champion's test-set decisions by group of
// each protected attribute, for the report and the registry.
func (r *runner) analyseFairness(win *window) {
	c := &r.rin.Candidates[r.best]
	for i, p := range r.opts.Spec.Protected {
		var order []string
		if len(p.Bands) > 0 {
			order = dataset.BandNames(p.Bands)
		}
		a, err := fairness.Analyze(p.Column, win.testGroups[i], c.Y, c.PD, c.Threshold, order)
		if err != nil {
			r.progress("      fairness %s: %v", p.Column, err)
			continue
		}
		r.rin.Fairness = append(r.rin.Fairness, *a)
		low := a.Groups[0]
		for _, g := range a.Groups {
			if !g.TooSmall && (low.TooSmall || g.AIR < low.AIR) {
				low = g
			}
		}
		r.progress("      fairness %s: %d groups, lowest adverse impact ratio %.2f (%s)", p.Column, len(a.Groups), low.AIR, low.Name)
	}
}
