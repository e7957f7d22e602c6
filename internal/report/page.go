package report

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/split"
)

//go:embed report.html.tmpl
var pageTemplate string

// page is what report.html.tmpl shows. Every value is already formatted, so
// the template only lays text out and html/template escapes all of it.
type page struct {
	RunID, Dataset, Created string
	Champion                string
	ChampionThreshold       string
	ChampionRule            string
	Summary                 []pair
	Quality                 table
	Decision                table
	Other                   *table
	Selection               *selectionView
	Promotion               *promotionView
	Fairness                []fairnessView
	Tuning                  []tuningView
	Scorecard               *scorecardView
	Figures                 []figure
	Importance              *importanceView
	Confusion               confusionView
	Segments                *segmentView
	Data                    []pair
	Dropped                 []Dropped
	// DroppedReasons counts the dropped columns by reason, such as
	// "100 high_missing, 3 constant".
	DroppedReasons string
	// DroppedOpen shows the table of dropped columns unfolded; a long one
	// starts folded.
	DroppedOpen bool
}

// maxOpenDropped is the longest list of dropped columns the page shows
// unfolded.
const maxOpenDropped = 12

// pair is one labelled value of a summary list.
type pair struct {
	Label, Value string
}

// column is a metric column of a candidates table.
type column struct {
	Label, Title string
	// value returns the column's value in a candidate's metrics, and false
	// when it is not recorded; nil for a column filled otherwise.
	value func(*metrics.Summary) (float64, bool)
	// better is +1 when higher is better, -1 when lower is better, 0 when
	// neither; the best value of a column is shown in bold.
	better int
	format func(float64) string
}

// table is a candidates table: one row per candidate.
type table struct {
	Columns []column
	Rows    []row
	// ShowRule adds a column with each row's Rule.
	ShowRule bool
}

// row is one candidate in a table.
type row struct {
	Name, Algorithm, Version string
	Champion                 bool
	Cells                    []cell
	Rule                     string
}

// cell is one formatted value; Best marks the best value of its column.
type cell struct {
	Text string
	Best bool
}

// figure is a plot file shown on the page.
type figure struct {
	Src, Alt, Caption string
	Wide              bool
}

// importanceView is the champion's SHAP importance table.
type importanceView struct {
	Src   string
	Total int
	Rows  []importanceRow
}

type importanceRow struct {
	Rank          int
	Feature, SHAP string
	// Share is the feature's percentage of the summed mean |SHAP| of all
	// features.
	Share string
}

// confusionView is the champion's confusion matrix with counts and rates.
type confusionView struct {
	Threshold                  string
	TP, FP, TN, FN             string
	TPR, FNR, FPR, TNR         string
	Bad, Good, PredBad, PredGd string
	PredBadShare, PredGdShare  string
	Total                      string
	Precision, Accuracy, F1    string
}

// segmentView is the AUC per segment level of every candidate, the
// champion first.
type segmentView struct {
	Models []string
	Rows   []segmentRow
}

type segmentRow struct {
	Segment, Level, Rows, BadRate string
	AUC                           []string
}

// qualityColumns returns the columns of the ranking and probability
// quality table, in the order it shows them.
func qualityColumns() []column {
	return []column{
		{Label: "ROC-AUC", Title: "area under the ROC curve", value: always(func(m *metrics.Summary) float64 { return m.ROCAUC }), better: +1, format: fixed4},
		{Label: "PR-AUC", Title: "average precision", value: always(func(m *metrics.Summary) float64 { return m.PRAUC }), better: +1, format: fixed4},
		{Label: "KS", Title: "Kolmogorov-Smirnov statistic", value: always(func(m *metrics.Summary) float64 { return m.KS }), better: +1, format: fixed4},
		{Label: "Gini", Title: "2·AUC − 1", value: always(func(m *metrics.Summary) float64 { return m.Gini }), better: +1, format: fixed4},
		{Label: "Brier", Title: "mean squared error of the PD", value: always(func(m *metrics.Summary) float64 { return m.Brier }), better: -1, format: fixed4},
		{Label: "Log loss", Title: "mean negative log-likelihood (nats)", value: always(func(m *metrics.Summary) float64 { return m.LogLoss }), better: -1, format: fixed4},
		{Label: "ECE", Title: "expected calibration error, 10 bins", value: always(func(m *metrics.Summary) float64 { return m.ECE }), better: -1, format: fixed4},
		{Label: "Fit (s)", Title: "training time in seconds", value: func(m *metrics.Summary) (float64, bool) { return m.FitSeconds, m.FitSeconds != 0 }, format: seconds},
	}
}

// decisionColumns returns the metric columns of the table of decisions at
// the threshold, in the order it shows them.
func decisionColumns() []column {
	return []column{
		{Label: "Precision", Title: "share of declined loans that are bad", value: always(func(m *metrics.Summary) float64 { return m.Precision }), better: +1, format: fixed4},
		{Label: "Recall", Title: "share of bad loans declined", value: always(func(m *metrics.Summary) float64 { return m.Recall }), better: +1, format: fixed4},
		{Label: "F1", Title: "harmonic mean of precision and recall", value: always(func(m *metrics.Summary) float64 { return m.F1 }), better: +1, format: fixed4},
		{Label: "Accuracy", Title: "share of loans decided right", value: always(func(m *metrics.Summary) float64 { return m.Accuracy }), better: +1, format: fixed4},
		{Label: "TP", Title: "bad loans declined", value: always(func(m *metrics.Summary) float64 { return float64(m.TP) }), format: count},
		{Label: "FP", Title: "good loans declined", value: always(func(m *metrics.Summary) float64 { return float64(m.FP) }), format: count},
		{Label: "TN", Title: "good loans approved", value: always(func(m *metrics.Summary) float64 { return float64(m.TN) }), format: count},
		{Label: "FN", Title: "bad loans approved", value: always(func(m *metrics.Summary) float64 { return float64(m.FN) }), format: count},
	}
}

// always turns a field into a column value that is always recorded.
func always(field func(*metrics.Summary) float64) func(*metrics.Summary) (float64, bool) {
	return func(m *metrics.Summary) (float64, bool) { return field(m), true }
}

// validRowsColumn shows the number of training rows held out to calibrate
// the PDs and choose the threshold, in the table of other values when the
// candidates differ in it (else the data summary shows it once).
var validRowsColumn = column{
	Label: "Validation rows", Title: "training rows held out to calibrate the PD and choose the threshold",
	value:  func(m *metrics.Summary) (float64, bool) { return float64(m.ValidRows), m.ValidRows != 0 },
	format: count,
}

// sharedValidRows returns the candidates' common number of validation
// rows, and false when a candidate lacks it or they differ.
func sharedValidRows(cands []Candidate) (float64, bool) {
	var v int
	for i := range cands {
		x := cands[i].Metrics.ValidRows
		if x == 0 || (i > 0 && x != v) {
			return 0, false
		}
		v = x
	}
	return float64(v), true
}

// readableKey turns a metric key such as "fit_rows" into a label such as
// "Fit rows".
func readableKey(key string) string {
	s := strings.TrimSpace(strings.ReplaceAll(key, "_", " "))
	if s == "" {
		return key
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// newPage builds the page of a validated input whose champion is at index
// champ.
func newPage(in *Input, champ int, figures []figure) (*page, error) {
	c := &in.Candidates[champ]
	conf, err := newConfusion(c)
	if err != nil {
		return nil, err
	}
	p := &page{
		RunID:             in.RunID,
		Dataset:           in.Dataset,
		Created:           "unknown",
		Champion:          fmt.Sprintf("%s v%d", c.Name, c.Version),
		ChampionThreshold: fixed3(c.Threshold),
		ChampionRule:      orNA(c.ThresholdRule),
		Figures:           figures,
		Confusion:         conf,
		Segments:          newSegments(in.Candidates, champ),
		Importance:        newImportance(c.Importance),
		Data:              dataPairs(&in.Data),
		Dropped:           in.Data.Dropped,
		DroppedReasons:    reasonCounts(in.Data.Dropped),
		DroppedOpen:       len(in.Data.Dropped) <= maxOpenDropped,
	}
	if !in.CreatedAt.IsZero() {
		p.Created = in.CreatedAt.UTC().Format(time.DateTime + " MST")
	}
	p.Quality = newTable(in.Candidates, qualityColumns())
	p.Decision = newTable(in.Candidates, decisionColumns())
	p.Decision.ShowRule = true
	for i := range in.Candidates {
		p.Decision.Rows[i].Rule = orNA(in.Candidates[i].ThresholdRule)
		p.Decision.Rows[i].Cells = slices.Insert(p.Decision.Rows[i].Cells, 0, cell{Text: fixed3(in.Candidates[i].Threshold)})
	}
	p.Decision.Columns = slices.Insert(slices.Clone(p.Decision.Columns), 0, column{Label: "Threshold", Title: "a PD at or above it predicts bad"})
	p.Other = otherTable(in.Candidates)
	if v, ok := sharedValidRows(in.Candidates); ok {
		// After the train rows, which hold them.
		at := slices.IndexFunc(p.Data, func(q pair) bool { return q.Label == "Train rows" }) + 1
		p.Data = slices.Insert(p.Data, at,
			pair{"Validation rows", count(v) + " of the train rows, held out to calibrate the PDs and choose the thresholds"})
	}
	p.Selection = newSelection(in.Candidates, champ, in.Selection, in.SelectionMetric)
	p.Tuning = newTuning(in.Tuning)
	p.Promotion = newPromotion(in.Promotion)
	p.Fairness = newFairness(in.Fairness)
	champion := p.Champion
	if c.Algorithm != "" {
		champion += " (" + c.Algorithm + ")"
	}
	p.Summary = []pair{
		{"Champion", champion},
		{"Chosen by", p.Selection.Rule},
		{"Test ROC-AUC", metricText(&c.Metrics, qualityColumns()[0])},
	}
	if p.Selection.Margin != "" {
		p.Summary = append(p.Summary, pair{"Margin", p.Selection.Margin})
	}
	p.Summary = append(p.Summary,
		pair{"Decision threshold", p.ChampionThreshold},
		pair{"Test rows", count(float64(len(c.Y)))},
		pair{"Candidates", strconv.Itoa(len(in.Candidates))},
	)
	return p, nil
}

// newTable lays out the given metric columns for every candidate.
func newTable(cands []Candidate, cols []column) table {
	t := table{Columns: cols, Rows: make([]row, len(cands))}
	for i := range cands {
		c := &cands[i]
		r := row{Name: c.Name, Algorithm: c.Algorithm, Version: strconv.Itoa(c.Version), Champion: c.Champion}
		for _, col := range cols {
			r.Cells = append(r.Cells, cell{Text: metricText(&c.Metrics, col)})
		}
		t.Rows[i] = r
	}
	for j, col := range cols {
		if col.better == 0 || len(cands) < 2 {
			continue
		}
		best := math.NaN()
		for i := range cands {
			v, ok := col.value(&cands[i].Metrics)
			if !ok || math.IsNaN(v) {
				continue
			}
			if math.IsNaN(best) || float64(col.better)*(v-best) > 0 {
				best = v
			}
		}
		for i := range cands {
			if v, ok := col.value(&cands[i].Metrics); ok && v == best {
				t.Rows[i].Cells[j].Best = true
			}
		}
	}
	return t
}

// otherTable shows the values that no other table or section shows: the
// validation rows when the candidates differ in them, and the metrics
// without a field (metrics.Summary.Extra), sorted by key; it returns nil
// when there are none.
func otherTable(cands []Candidate) *table {
	var keys []string
	validRows := false
	for i := range cands {
		validRows = validRows || cands[i].Metrics.ValidRows != 0
		for k := range cands[i].Metrics.Extra {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	if _, ok := sharedValidRows(cands); ok {
		validRows = false // in the data summary
	}
	if len(keys) == 0 && !validRows {
		return nil
	}
	slices.Sort(keys)
	var cols []column
	for _, k := range keys {
		cols = append(cols, column{Label: readableKey(k), Title: k, format: general,
			value: func(m *metrics.Summary) (float64, bool) { v, ok := m.Extra[k]; return v, ok }})
	}
	if validRows {
		// Where its key sorts among the others.
		at, _ := slices.BinarySearch(keys, metrics.ValidRowsKey)
		cols = slices.Insert(cols, at, validRowsColumn)
	}
	t := newTable(cands, cols)
	return &t
}

// metricText formats the value of col in m, or "n/a" when it is not
// recorded or NaN.
func metricText(m *metrics.Summary, col column) string {
	v, ok := col.value(m)
	if !ok || math.IsNaN(v) {
		return "n/a"
	}
	return col.format(v)
}

// newConfusion builds the champion's confusion matrix at its threshold.
func newConfusion(c *Candidate) (confusionView, error) {
	cm, err := metrics.Confusion(c.Y, c.PD, c.Threshold)
	if err != nil {
		return confusionView{}, fmt.Errorf("confusion matrix: %w", err)
	}
	bad, good := cm.TP+cm.FN, cm.FP+cm.TN
	predBad, predGood := cm.TP+cm.FP, cm.TN+cm.FN
	n := cm.Total()
	return confusionView{
		Threshold: fixed3(c.Threshold),
		TP:        count(float64(cm.TP)), FP: count(float64(cm.FP)),
		TN: count(float64(cm.TN)), FN: count(float64(cm.FN)),
		TPR: percentOf(cm.TP, bad), FNR: percentOf(cm.FN, bad),
		FPR: percentOf(cm.FP, good), TNR: percentOf(cm.TN, good),
		Bad: count(float64(bad)), Good: count(float64(good)),
		PredBad: count(float64(predBad)), PredGd: count(float64(predGood)),
		PredBadShare: percentOf(predBad, n), PredGdShare: percentOf(predGood, n),
		Total:     count(float64(n)),
		Precision: fixed4(cm.Precision()),
		Accuracy:  fixed4(cm.Accuracy()),
		F1:        fixed4(cm.F1()),
	}, nil
}

// newSegments joins the candidates' segment AUCs on (segment, level), in
// the order the levels first appear, the champion's first. It returns nil
// when no candidate has segments.
func newSegments(cands []Candidate, champ int) *segmentView {
	order := []int{champ}
	for i := range cands {
		if i != champ {
			order = append(order, i)
		}
	}
	type key struct{ segment, level string }
	index := make(map[key]int)
	v := &segmentView{}
	for col, i := range order {
		c := &cands[i]
		name := fmt.Sprintf("%s v%d", c.Name, c.Version)
		if c.Champion {
			name += " (champion)"
		}
		v.Models = append(v.Models, name)
		for _, s := range c.Segments {
			k := key{s.Segment, s.Level}
			r, ok := index[k]
			if !ok {
				r = len(v.Rows)
				index[k] = r
				v.Rows = append(v.Rows, segmentRow{
					Segment: s.Segment, Level: s.Level,
					Rows: count(float64(s.Rows)), BadRate: percent(s.BadRate),
					AUC: slices.Repeat([]string{"—"}, len(order)),
				})
			}
			v.Rows[r].AUC[col] = fixed3(s.AUC)
		}
	}
	if len(v.Rows) == 0 {
		return nil
	}
	return v
}

// sortedImportance returns imp sorted by decreasing MeanAbsSHAP, ties by
// feature name, so the page does not depend on the caller's order of ties.
func sortedImportance(imp []Importance) []Importance {
	out := slices.Clone(imp)
	slices.SortStableFunc(out, func(a, b Importance) int {
		if c := cmp.Compare(b.MeanAbsSHAP, a.MeanAbsSHAP); c != 0 {
			return c
		}
		return strings.Compare(a.Feature, b.Feature)
	})
	return out
}

// newImportance lists the topFeatures largest importances, or returns nil
// when there are none.
func newImportance(imp []Importance) *importanceView {
	if len(imp) == 0 {
		return nil
	}
	imp = sortedImportance(imp)
	var sum float64
	for _, im := range imp {
		sum += im.MeanAbsSHAP
	}
	v := &importanceView{Src: PlotDir + "/" + ImportancePlot, Total: len(imp)}
	for i, im := range imp[:min(len(imp), topFeatures)] {
		share := "n/a"
		if sum > 0 {
			share = percent(im.MeanAbsSHAP / sum)
		}
		v.Rows = append(v.Rows, importanceRow{Rank: i + 1, Feature: im.Feature, SHAP: fixed4(im.MeanAbsSHAP), Share: share})
	}
	return v
}

// dataPairs lists the data summary.
func dataPairs(d *DataSummary) []pair {
	splitText := string(d.SplitKind)
	switch d.SplitKind {
	case split.KindOutOfTime:
		splitText = "out of time"
		if d.SplitDate != "" {
			splitText += ": test holds loans from " + d.SplitDate
		}
	case "":
		splitText = "n/a"
	}
	dates := "n/a"
	if d.FirstDate != "" || d.LastDate != "" {
		dates = orNA(d.FirstDate) + " to " + orNA(d.LastDate)
	}
	return []pair{
		{"Rows read", count(float64(d.RowsRead))},
		{"Labelled rows", count(float64(d.Labelled))},
		{"Bad loans", fmt.Sprintf("%s (%s of labelled)", count(float64(d.Bad)), percentOf(d.Bad, d.Labelled))},
		{"Excluded rows", count(float64(d.Excluded))},
		{"Dates", dates},
		{"Split", splitText},
		{"Train rows", fmt.Sprintf("%s (bad rate %s)", count(float64(d.TrainRows)), percent(d.TrainBadRate))},
		{"Test rows", fmt.Sprintf("%s (bad rate %s)", count(float64(d.TestRows)), percent(d.TestBadRate))},
		{"Features", count(float64(d.Features))},
		{"Columns dropped", count(float64(len(d.Dropped)))},
	}
}

// reasonCounts counts dropped columns by reason, the most frequent first
// and ties by reason.
func reasonCounts(dropped []Dropped) string {
	n := make(map[string]int)
	for _, d := range dropped {
		n[d.Reason]++
	}
	reasons := slices.Collect(maps.Keys(n))
	slices.SortFunc(reasons, func(a, b string) int {
		if c := cmp.Compare(n[b], n[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(reasons))
	for i, r := range reasons {
		parts[i] = fmt.Sprintf("%d %s", n[r], orNA(r))
	}
	return strings.Join(parts, ", ")
}

// renderPage writes the page as HTML.
func renderPage(w io.Writer, p *page) error {
	t, err := template.New("report").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("parse template: %w", err)
	}
	return t.Execute(w, p)
}

// Number formats. NaN and infinities print as "n/a".

func fixed3(v float64) string {
	return formatFinite(v, func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) })
}
func fixed4(v float64) string {
	return formatFinite(v, func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) })
}

// general formats v with the fewest digits that read it back exactly,
// at most 6 significant digits.
func general(v float64) string {
	return formatFinite(v, func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) })
}

// seconds formats a duration in seconds: one decimal from 10 s up, two
// below.
func seconds(v float64) string {
	return formatFinite(v, func(v float64) string {
		if math.Abs(v) >= 10 {
			return strconv.FormatFloat(v, 'f', 1, 64)
		}
		return strconv.FormatFloat(v, 'f', 2, 64)
	})
}

// percent formats a share as a percentage with one decimal.
func percent(v float64) string {
	return formatFinite(v, func(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" })
}

// percentOf formats num/den as a percentage, "n/a" when den is 0.
func percentOf(num, den int) string {
	if den == 0 {
		return "n/a"
	}
	return percent(float64(num) / float64(den))
}

// count formats a whole number with thousands separators: 1234567 is
// "1,234,567". A value with a fraction is formatted as general.
func count(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	if v != math.Trunc(v) || math.Abs(v) >= 1e18 {
		return general(v)
	}
	s := strconv.FormatInt(int64(math.Abs(v)), 10)
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func formatFinite(v float64, f func(float64) string) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "n/a"
	}
	return f(v)
}

func orNA(s string) string {
	if s == "" {
		return "n/a"
	}
	return s
}
