// Package document writes a model's development document — what a model
// validator reads before signing off a model — from what the retrain
// recorded: the registry (the run, the version, its promotion history),
// the model's metadata (features, threshold, validation and test figures,
// reference distributions) and, when it is the run's, the clean step's log
// (sources, exclusions with counts, the split). It makes nothing up: a
// section whose facts were not recorded says so.
//
// Build gathers the facts into a Document; WriteMarkdown and WriteHTML
// render it (the HTML is self-contained: no script, no external asset).
package document

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/fairness"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/registry"
)

// Inputs are the records a document is built from. Registry, Version and
// Meta are required; Run is the run that trained the version (nil when
// the registry has none), Clean the clean step's log when it belongs to
// that run's data, and Spec the dataset spec (Clean's when nil).
type Inputs struct {
	Registry *registry.Registry
	Version  *registry.Version
	Run      *registry.Run
	Meta     *model.Metadata
	Clean    *clean.Log
	Spec     *dataset.Spec
	// Report is the path of the run's HTML report, "" when unknown.
	Report string
	// Now is when the document is written.
	Now time.Time
}

// Document is a model development document: a title and its sections, in
// order.
type Document struct {
	Title    string
	Subtitle string
	Sections []Section
}

// Section is one numbered section: paragraphs, then tables.
type Section struct {
	Title      string
	Paragraphs []string
	Tables     []Table
}

// Table is a table with a header row.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
}

// Build gathers the document's facts.
func Build(in Inputs) (*Document, error) {
	if in.Registry == nil || in.Version == nil || in.Meta == nil {
		return nil, fmt.Errorf("document: the registry, the version and the model's metadata are required")
	}
	spec := in.Spec
	if spec == nil && in.Clean != nil {
		spec = in.Clean.Spec
	}
	v, m := in.Version, in.Meta
	d := &Document{
		Title: fmt.Sprintf("Model development document: %s v%d", v.Name, v.Version),
		Subtitle: fmt.Sprintf("%s model, stage %s, written %s from the registry and the model's records",
			v.Algorithm, v.Stage, in.Now.UTC().Format(time.RFC3339)),
	}
	d.Sections = append(d.Sections,
		purpose(in, spec),
		data(in, spec),
		featuresSection(m, spec, in.Clean),
		methodology(in),
		selection(in),
		performance(m, spec, in.Report),
		stability(m),
		fairnessSection(in.Run),
		limitations(in, m),
		monitoringPlan(spec),
		history(in),
	)
	return d, nil
}

func purpose(in Inputs, spec *dataset.Spec) Section {
	s := Section{Title: "Purpose and intended use"}
	desc := "not recorded"
	name := in.Meta.Dataset
	if spec != nil {
		name = spec.Name
		if spec.Description != "" {
			desc = strings.TrimSuffix(spec.Description, ".")
		}
	}
	s.Paragraphs = append(s.Paragraphs,
		"The model estimates the probability of default (PD) of a loan application at the time of application, from the application's fields only, and declines an application whose PD is at or above its decision threshold. It is served by the scoring API (credit-risk-api) and by batch scoring (credit-risk score).",
		fmt.Sprintf("Data set: %s — %s.", orNone(name), desc),
		fmt.Sprintf("Decision threshold: %s (%s).", m4(in.Meta.Threshold), orText(in.Meta.ThresholdRule, "rule not recorded")),
		"Not intended for: applicants or products unlike those of the development data, decisions after origination (collections, limits), or any use of a protected attribute.")
	return s
}

func data(in Inputs, spec *dataset.Spec) Section {
	s := Section{Title: "Data"}
	fp := ""
	if in.Run != nil {
		fp = in.Run.DataFingerprint
	}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Data fingerprint (SHA-256 of the cleaned table): %s. Model data fingerprint: %s.",
		orNone(fp), orNone(in.Meta.DataFingerprint)))
	if spec != nil {
		t := spec.Target
		s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Target: column %s; bad (default) = %s; good = %s; excluded (outcome not final) = %s.",
			t.Column, quoteList(t.Bad), quoteList(t.Good), orNone(quoteList(t.Exclude))))
		if spec.Date != nil {
			s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Application date: %s (%s); the test set is the newest period (out of time).", spec.Date.Column, spec.Date.Format))
		}
	}
	c := in.Clean
	if c == nil {
		s.Paragraphs = append(s.Paragraphs, "The clean step's log of this run's data is not available (a later run replaced it, or the data folder was not given): sources, exclusions and the split are not in this document; see the run's report.")
		return s
	}
	src := Table{Caption: "Sources", Header: []string{"file", "rows"}}
	for _, f := range c.Sources {
		src.Rows = append(src.Rows, []string{f.Name, count(f.Rows)})
	}
	s.Tables = append(s.Tables, src)
	ex := Table{Caption: "Rows and exclusions", Header: []string{"", "rows"}}
	ex.Rows = append(ex.Rows, []string{"read", count(c.RowsRead)}, []string{"labelled (good or bad)", count(c.Target.Rows)},
		[]string{"bad", count(c.Target.Bad)}, []string{"good", count(c.Target.Good)})
	for _, vc := range c.Target.Excluded {
		ex.Rows = append(ex.Rows, []string{"excluded: outcome " + strconv.Quote(vc.Value), count(vc.Count)})
	}
	if c.Target.Undated > 0 {
		ex.Rows = append(ex.Rows, []string{"excluded: no application date", count(c.Target.Undated)})
	}
	s.Tables = append(s.Tables, ex)
	sp := c.Split
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Split: %s; training %s rows (bad rate %s), test %s rows (bad rate %s)%s.",
		sp.Kind, count(sp.TrainRows), pct(sp.TrainBadRate), count(sp.TestRows), pct(sp.TestBadRate), splitDates(sp)))
	return s
}

func splitDates(sp clean.SplitLog) string {
	if sp.Date == "" {
		return ""
	}
	return fmt.Sprintf("; test from %s (data from %s to %s)", sp.Date, orNone(sp.FirstDate), orNone(sp.LastDate))
}

func featuresSection(m *model.Metadata, spec *dataset.Spec, c *clean.Log) Section {
	s := Section{Title: "Features and exclusions"}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("The model reads %d features, derived by its feature pipeline from the application's fields (the pipeline travels in the model file, so training and serving compute them identically): %s.",
		len(m.Features), strings.Join(m.Features, ", ")))
	if spec != nil && len(spec.LeakageColumns) > 0 {
		s.Paragraphs = append(s.Paragraphs, "Columns known only after the loan was granted are never features (declared leakage): "+strings.Join(spec.LeakageColumns, ", ")+".")
	}
	if c != nil && len(c.Dropped) > 0 {
		t := Table{Caption: "Columns not used", Header: []string{"column", "reason", "detail"}}
		for _, dc := range c.Dropped {
			t.Rows = append(t.Rows, []string{dc.Name, dc.Reason, dc.Detail})
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}

func methodology(in Inputs) Section {
	s := Section{Title: "Methodology"}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Learner: %s. Training rows: %s; validation rows (newest part of the training period, held out to calibrate the PD, choose the threshold and select the champion): %s; test rows: %s.",
		in.Version.Algorithm, count(in.Meta.TrainRows), count(in.Meta.Metrics.ValidRows), count(in.Meta.TestRows)))
	s.Paragraphs = append(s.Paragraphs, "The PD is calibrated on the validation rows ("+orText(in.Meta.Calibration, "method not recorded")+").")
	if len(in.Meta.Params) > 0 {
		t := Table{Caption: "Parameters", Header: []string{"parameter", "value"}}
		for _, k := range sortedKeys(in.Meta.Params) {
			t.Rows = append(t.Rows, []string{k, fmt.Sprint(in.Meta.Params[k])})
		}
		s.Tables = append(s.Tables, t)
	}
	if in.Run != nil {
		tuned, _ := in.Run.Params["tuned"].(bool)
		repro, ok := in.Run.Params["reproducible"].(bool)
		line := "The run did not tune its learners: default parameters."
		if tuned {
			line = "The learners were tuned by cross-validation inside the training period (time-ordered folds for dated data); the tuning results are in the run's report."
		}
		if ok && !repro {
			line += " The tuning ran under a time budget, so re-running it on another machine may tune differently."
		} else if ok {
			line += " The run is reproducible: the same data, spec and seed give byte-identical model files."
		}
		s.Paragraphs = append(s.Paragraphs, line)
	}
	return s
}

func selection(in Inputs) Section {
	s := Section{Title: "Selection"}
	if in.Run == nil {
		s.Paragraphs = append(s.Paragraphs, "The run that trained this version is not in the registry.")
		return s
	}
	s.Paragraphs = append(s.Paragraphs, "Rule: the champion is "+orText(in.Run.Selection, "not recorded (a run from before selection was recorded)")+".")
	t := Table{Caption: "Candidates of run " + in.Run.ID, Header: []string{"model", "selection metric", "value", "on", "test ROC-AUC", "chosen"}}
	for _, ref := range in.Run.Candidates {
		cv, err := in.Registry.Version(ref)
		if err != nil {
			continue
		}
		metric, value, on := "not recorded", "", ""
		if sel := cv.Selection; sel != nil {
			metric, value, on = sel.Metric, m4(sel.Value), fmt.Sprintf("%s (%s rows)", sel.Slice, count(sel.Rows))
		}
		chosen := ""
		if in.Run.Champion != nil && *in.Run.Champion == ref {
			chosen = "yes"
		}
		t.Rows = append(t.Rows, []string{ref.String(), metric, value, on, m4(cv.Metrics.ROCAUC), chosen})
	}
	s.Tables = append(s.Tables, t)
	return s
}

func performance(m *model.Metadata, spec *dataset.Spec, reportPath string) Section {
	s := Section{Title: "Performance"}
	s.Paragraphs = append(s.Paragraphs, "Discrimination and calibration on the validation rows (used for the choice) and on the out-of-time test set (measured after it). The PD is calibrated; decisions are at the threshold.")
	t := Table{Header: []string{"metric", "validation", "test"}}
	row := func(name string, get func(*metrics.Summary) float64) {
		t.Rows = append(t.Rows, []string{name, m4(get(&m.Validation)), m4(get(&m.Metrics))})
	}
	row("ROC-AUC", func(x *metrics.Summary) float64 { return x.ROCAUC })
	row("Gini", func(x *metrics.Summary) float64 { return x.Gini })
	row("KS", func(x *metrics.Summary) float64 { return x.KS })
	row("PR-AUC", func(x *metrics.Summary) float64 { return x.PRAUC })
	row("Brier score", func(x *metrics.Summary) float64 { return x.Brier })
	row("log loss", func(x *metrics.Summary) float64 { return x.LogLoss })
	row("expected calibration error", func(x *metrics.Summary) float64 { return x.ECE })
	row("precision at the threshold", func(x *metrics.Summary) float64 { return x.Precision })
	row("recall at the threshold", func(x *metrics.Summary) float64 { return x.Recall })
	s.Tables = append(s.Tables, t)
	if m.Validation.IsZero() {
		s.Paragraphs = append(s.Paragraphs, "This version's validation figures were not recorded (a model from before they were).")
	}
	if spec != nil && len(spec.Segments) > 0 {
		s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Discrimination by segment (the test ROC-AUC within each level of %s) is in the run's report%s.",
			strings.Join(spec.Segments, ", "), orText(prefixed(": ", reportPath), "")))
	}
	return s
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func stability(m *model.Metadata) Section {
	s := Section{Title: "Stability"}
	if m.Reference == nil {
		s.Paragraphs = append(s.Paragraphs, "The model carries no reference distributions: drift cannot be measured against development.")
		return s
	}
	s.Paragraphs = append(s.Paragraphs, "The model file's metadata holds the development distribution of every feature and of the PD; the scoring API measures the population stability index (PSI) of recent applications against them (drift gauges in /metrics and /stats), and credit-risk monitor measures score PSI and characteristic stability (CSI) on files of recent applications.")
	return s
}

func fairnessSection(run *registry.Run) Section {
	s := Section{Title: "Fairness"}
	if run == nil || len(run.Fairness) == 0 {
		s.Paragraphs = append(s.Paragraphs, "No fair-lending analysis was recorded for this version's run: its spec declares no protected attributes. Protected attributes are never model features.")
		return s
	}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("The run's champion's decisions on the test set by group of each protected attribute (never a model input). Adverse impact ratio (AIR): the group's approval rate ÷ the most favoured group's; below %g (the four-fifths rule) is flagged in groups of at least %d applications.", fairness.FourFifths, fairness.MinGroup))
	for _, a := range run.Fairness {
		t := Table{Caption: a.Attribute + " (most favoured: " + a.Reference + ")",
			Header: []string{"group", "applications", "approval rate", "AIR", "bad rate", "mean PD", "ROC-AUC", "flag"}}
		for _, g := range a.Groups {
			flag := ""
			switch {
			case g.Flagged:
				flag = "below four-fifths"
			case g.TooSmall:
				flag = "too small to read"
			}
			t.Rows = append(t.Rows, []string{g.Name, count(g.Applications), pct(g.ApprovalRate), m2(g.AIR), pct(g.BadRate), pct(g.MeanPD), m4(g.AUC), flag})
		}
		s.Tables = append(s.Tables, t)
	}
	return s
}

// m2 formats a ratio with two decimals, "n/a" for NaN or ±Inf.
func m2(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

func limitations(in Inputs, m *model.Metadata) Section {
	s := Section{Title: "Limitations"}
	s.Paragraphs = append(s.Paragraphs,
		"The PD is estimated from applications whose outcome was final at development time; applications unlike them (new products, channels or periods) may be scored less accurately. Values outside the training range are clamped or refused by the server's range policy and flagged in the answer.")
	if w, ok := m.Params["warnings"]; ok {
		s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Training warnings: %v.", w))
	}
	if in.Run != nil && in.Run.Status != registry.RunSucceeded {
		s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("The run that trained this version ended %s (%s).", in.Run.Status, orText(in.Run.Error, "no error recorded")))
	}
	return s
}

func monitoringPlan(spec *dataset.Spec) Section {
	s := Section{Title: "Monitoring plan", Paragraphs: []string{
		"Population stability: score PSI and characteristic CSI of recent applications against development, read as stable below 0.1, to watch from 0.1 to 0.25, and needing action above 0.25 (the scoring API's drift gauges; credit-risk monitor on files, with the spec's thresholds).",
		"Performance on matured outcomes: ROC-AUC, KS and observed against predicted bad rate per score band by origination month (credit-risk monitor with outcomes).",
		"Every decision is recorded in the audit trail when it is on (AUDIT=file): credit-risk audit verify checks it, audit replay re-scores it with this model file.",
	}}
	if spec == nil {
		return s
	}
	mo := spec.Monitoring
	t := Table{Caption: "Thresholds of credit-risk monitor (the spec's monitoring block; a breach exits 3)", Header: []string{"check", "threshold"}}
	t.Rows = append(t.Rows,
		[]string{"score PSI at most", m4(mo.MaxScorePSI)},
		[]string{"characteristic CSI at most", m4(mo.MaxCSI)},
		[]string{"ROC-AUC at least", orText(zeroOff(mo.MinAUC), "off")},
		[]string{"ROC-AUC drop below the model's test figure at most", m4(mo.MaxAUCDrop)},
		[]string{"observed / predicted bad rate within a factor of", m4(mo.MaxBadRateRatio)},
		[]string{"fewest loans to judge", count(mo.MinRows)},
	)
	s.Tables = append(s.Tables, t)
	return s
}

// zeroOff formats a threshold that 0 switches off.
func zeroOff(v float64) string {
	if v == 0 {
		return ""
	}
	return m4(v)
}

func history(in Inputs) Section {
	s := Section{Title: "Promotion history"}
	t := Table{Header: []string{"time", "action", "version", "from", "to", "reason"}}
	for _, e := range in.Registry.Events {
		if e.Name != in.Version.Name {
			continue
		}
		t.Rows = append(t.Rows, []string{e.Time.UTC().Format(time.RFC3339), string(e.Action), fmt.Sprintf("%s v%d", e.Name, e.Ver), string(e.From), string(e.To), e.Reason})
	}
	if len(t.Rows) == 0 {
		s.Paragraphs = append(s.Paragraphs, "No stage change of this model name is recorded.")
		return s
	}
	s.Paragraphs = append(s.Paragraphs, fmt.Sprintf("Stage changes of %s, oldest first. This version is in stage %s.", in.Version.Name, in.Version.Stage))
	if in.Report != "" {
		s.Paragraphs = append(s.Paragraphs, "The run's report: "+in.Report+".")
	}
	s.Tables = append(s.Tables, t)
	return s
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return strings.Join(q, ", ")
}

func orNone(s string) string { return orText(s, "none recorded") }

func orText(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

// m4 formats a figure with four decimals, "n/a" for NaN or ±Inf.
func m4(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + " %" }

// count formats a count with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
