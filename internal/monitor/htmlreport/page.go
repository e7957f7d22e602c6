package htmlreport

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/monitor"
)

//go:embed page.html.tmpl
var pageTemplate string

// vintageAt are the months on book the vintage table shows.
var vintageAt = [...]int{6, 12, 24, 36}

// page is what the template lays out: text only, escaped by html/template;
// the plots are data: URIs made here.
type page struct {
	Model, Dataset, Created, File string
	Breaches, Notes, Inputs       []string
	Summary, Thresholds           []pair
	Stability                     *stabilityView
	StabilitySkipped              string
	Backtest                      *backtestView
	BacktestSkipped               string
	Vintage                       *vintageView
	VintageSkipped                string
	Unscored                      []monitor.Reason
}

type pair struct{ Label, Value string }

type stabilityView struct {
	ScorePSI, ScoreBand string
	ScoreRows           int
	Plot                template.URL
	ScoreBins           []binRow
	Characteristics     []indexRow
	OpenCSI             bool
}

type binRow struct {
	Label, Expected, Actual, Term string
	Count                         int
}

type indexRow struct {
	Name, Source, PSI string
	Band              monitor.Band
	Rows              int
}

type backtestView struct {
	Alpha                         string
	MinAUC                        bool
	Summary                       []pair
	BandsPlot, AUCPlot, RatesPlot template.URL
	Bands                         []bandRow
	Months                        []monthRow
}

type bandRow struct {
	N                                     int
	Range, BadRate, MeanPD, Ratio, PValue string
	Loans, Bads                           int
	Flagged                               bool
}

type monthRow struct {
	Month, BadRate, MeanPD, PValue, AUC, Gini, KS string
	Loans, Bads                                   int
	Flagged                                       bool
}

type vintageView struct {
	Cohort, DefaultDate, AsOf string
	Plot                      template.URL
	At                        []int
	Cohorts                   []cohortRow
}

type cohortRow struct {
	Name                           string
	Loans, Bads, Undated, Observed int
	At                             []string
	Latest                         string
}

// Options add what the result does not hold.
type Options struct {
	// DefaultDate names the column that dated defaults, for the vintage
	// section's text.
	DefaultDate string
}

// Render writes the page of res to w. It fails only when a plot cannot be
// drawn, ctx is done (checked between plots) or w fails.
func Render(ctx context.Context, w io.Writer, res *monitor.Result, opts Options) error {
	p, err := newPage(ctx, res, opts)
	if err != nil {
		return fmt.Errorf("monitoring report: %w", err)
	}
	t, err := template.New("page").Parse(pageTemplate)
	if err != nil {
		return fmt.Errorf("monitoring report: %w", err)
	}
	return t.Execute(w, p)
}

// WriteFile renders the page of res into path atomically: a failed run
// leaves no partial page.
func WriteFile(ctx context.Context, path string, res *monitor.Result, opts Options) error {
	var buf bytes.Buffer
	if err := Render(ctx, &buf, res, opts); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	})
}

func newPage(ctx context.Context, res *monitor.Result, opts Options) (*page, error) {
	m := res.Model
	p := &page{
		Model:   fmt.Sprintf("%s v%d (%s)", m.Name, m.Version, m.Algorithm),
		Dataset: res.Dataset,
		Created: res.CreatedAt.Format("2006-01-02 15:04:05 UTC"),
		File:    m.File,
		Notes:   res.Notes,
		Inputs:  res.Inputs,
	}
	for _, b := range res.Breaches {
		p.Breaches = append(p.Breaches, b.Message)
	}
	r := res.Rows
	window := "all origination months"
	if res.Window.Since != "" || res.Window.Until != "" {
		window = orText(res.Window.Since, "the first") + " to " + orText(res.Window.Until, "the last")
	}
	p.Summary = []pair{
		{"Origination window", window},
		{"Rows read", count(r.Read)},
		{"Outside the window", count(r.OutsideWindow)},
		{"Scored", count(r.Scored)},
		{"Refused by the model's pipeline", count(r.Unscored)},
		{"Matured (final outcome)", count(r.Matured)},
		{"Not final yet (left out of the backtest)", count(r.Pending)},
		{"No outcome (blank or no target)", count(r.NoOutcome)},
		{"Without an origination date", count(r.Undated)},
		{"Model's test ROC-AUC", fixed(m.TestAUC, 4)},
	}
	t := res.Thresholds
	p.Thresholds = []pair{
		{"max_score_psi", limit(t.MaxScorePSI)}, {"max_csi", limit(t.MaxCSI)},
		{"min_auc", offAtZero(t.MinAUC)}, {"max_auc_drop", limit(t.MaxAUCDrop)},
		{"max_bad_rate_ratio", limit(t.MaxBadRateRatio)}, {"band_alpha", limit(t.BandAlpha)},
		{"min_rows", count(t.MinRows)},
	}
	if why, ok := res.Skipped[monitor.SectionStability]; ok {
		p.StabilitySkipped = why
	} else {
		sv, err := newStability(&res.Stability)
		if err != nil {
			return nil, err
		}
		p.Stability = sv
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.Backtest == nil {
		p.BacktestSkipped = res.Skipped[monitor.SectionBacktest]
	} else {
		bv, err := newBacktest(res)
		if err != nil {
			return nil, err
		}
		p.Backtest = bv
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if res.Vintage == nil {
		p.VintageSkipped = res.Skipped[monitor.SectionVintage]
	} else {
		vv, err := newVintage(res.Vintage, opts.DefaultDate)
		if err != nil {
			return nil, err
		}
		p.Vintage = vv
	}
	p.Unscored = res.Unscored
	return p, nil
}

func newStability(st *monitor.Stability) (*stabilityView, error) {
	plot, err := stabilityPlot(st)
	if err != nil {
		return nil, fmt.Errorf("stability plot: %w", err)
	}
	v := &stabilityView{
		ScorePSI: fixed(st.Score.PSI, 4), ScoreBand: string(st.Score.Band), ScoreRows: st.Score.Rows, Plot: plot,
	}
	for _, b := range st.Score.Bins {
		v.ScoreBins = append(v.ScoreBins, binRow{Label: b.Label, Expected: fixed(b.Expected, 4), Actual: fixed(b.Actual, 4), Term: fixed(b.Contribution, 4), Count: b.Count})
	}
	for _, c := range st.Characteristics {
		v.Characteristics = append(v.Characteristics, indexRow{Name: c.Name, Source: c.Source, PSI: fixed(c.PSI, 4), Band: c.Band, Rows: c.Rows})
		v.OpenCSI = v.OpenCSI || c.Band == monitor.BandAction
	}
	return v, nil
}

func newBacktest(res *monitor.Result) (*backtestView, error) {
	bt := res.Backtest
	alpha := float64(res.Thresholds.BandAlpha)
	v := &backtestView{
		Alpha:  strconv.FormatFloat(alpha, 'g', -1, 64),
		MinAUC: float64(res.Thresholds.MinAUC) > 0,
		Summary: []pair{
			{"Matured loans", count(bt.Loans)},
			{"Bad loans", count(bt.Bads)},
			{"Bad rate", fixed(bt.BadRate, 4)},
			{"Mean predicted PD", fixed(bt.MeanPD, 4)},
			{"Observed / predicted", fixed(bt.Ratio, 3)},
			{"Binomial p-value (all loans)", pValue(bt.PValue)},
			{"ROC-AUC", fixed(bt.AUC, 4)},
			{"Gini", fixed(bt.Gini, 4)},
			{"KS", fixed(bt.KS, 4)},
		},
	}
	var err error
	if v.BandsPlot, err = bandsPlot(bt.Bands); err != nil {
		return nil, fmt.Errorf("bands plot: %w", err)
	}
	dated := bt.Months
	if n := len(dated); n > 0 && dated[n-1].Month == monitor.NoMonth.String() {
		dated = dated[:n-1]
	}
	if len(dated) > 0 {
		if v.AUCPlot, err = aucPlot(dated, float64(res.Model.TestAUC), float64(res.Thresholds.MinAUC)); err != nil {
			return nil, fmt.Errorf("AUC plot: %w", err)
		}
		if v.RatesPlot, err = ratesPlot(dated); err != nil {
			return nil, fmt.Errorf("rates plot: %w", err)
		}
	}
	for i, b := range bt.Bands {
		v.Bands = append(v.Bands, bandRow{N: i + 1, Range: b.Band, BadRate: fixed(b.BadRate, 4), MeanPD: fixed(b.MeanPD, 4), Ratio: fixed(b.Ratio, 3), PValue: pValue(b.PValue), Loans: b.Loans, Bads: b.Bads, Flagged: b.Flagged})
	}
	for _, m := range bt.Months {
		v.Months = append(v.Months, monthRow{
			Month: m.Month, BadRate: fixed(m.BadRate, 4), MeanPD: fixed(m.MeanPD, 4), PValue: pValue(m.PValue),
			AUC: fixed(m.AUC, 4), Gini: fixed(m.Gini, 4), KS: fixed(m.KS, 4), Loans: m.Loans, Bads: m.Bads,
			Flagged: float64(m.PValue) < alpha,
		})
	}
	return v, nil
}

func newVintage(vin *monitor.Vintage, defaultDate string) (*vintageView, error) {
	plot, err := vintagePlot(vin)
	if err != nil {
		return nil, fmt.Errorf("vintage plot: %w", err)
	}
	v := &vintageView{Cohort: string(vin.Cohort), DefaultDate: orText(defaultDate, "the spec's default date"), AsOf: vin.AsOf, Plot: plot, At: vintageAt[:]}
	for _, c := range vin.Cohorts {
		row := cohortRow{Name: c.Name, Loans: c.Loans, Bads: c.Bads, Undated: c.Undated, Observed: len(c.Curve) - 1}
		for _, m := range vintageAt {
			s := ""
			if m < len(c.Curve) {
				s = fixed(c.Curve[m], 4)
			}
			row.At = append(row.At, s)
		}
		row.Latest = fixed(c.Curve[len(c.Curve)-1], 4)
		v.Cohorts = append(v.Cohorts, row)
	}
	return v, nil
}

// fixed formats v with the given decimals; NaN is "n/a".
func fixed(v monitor.Float, decimals int) string {
	f := float64(v)
	if math.IsNaN(f) {
		return "n/a"
	}
	return strconv.FormatFloat(f, 'f', decimals, 64)
}

// pValue formats a p-value: "< 0.0001" for tiny ones.
func pValue(v monitor.Float) string {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return "n/a"
	case f < 1e-4:
		return "< 0.0001"
	}
	return strconv.FormatFloat(f, 'f', 4, 64)
}

// limit formats a threshold; +Inf is "off".
func limit(v monitor.Float) string {
	if math.IsInf(float64(v), 1) {
		return "off"
	}
	return strconv.FormatFloat(float64(v), 'g', -1, 64)
}

func offAtZero(v monitor.Float) string {
	if v == 0 {
		return "off"
	}
	return limit(v)
}

// count formats an integer with thousands separators.
func count(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func orText(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}
