package report

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// ErrScorecard reports a Scorecard input the page cannot show.
var ErrScorecard = errors.New("invalid scorecard")

// Scorecard is a scorecard candidate's table and selection, shown in a
// section of its own with a plot of bad rate and WoE per bin for each
// characteristic.
type Scorecard struct {
	// Name and Version identify the candidate.
	Name    string
	Version int
	// Scaling says how log-odds became points, in words.
	Scaling string
	// Rows are the table's rows: every bin of every characteristic, the
	// rows of a characteristic together.
	Rows []ScorecardRow
	// Selection lists what was done with every characteristic considered.
	Selection []ScorecardDecision
}

// ScorecardRow is one bin of a characteristic.
type ScorecardRow struct {
	Characteristic, Bin string
	Count               int64
	// Share is the bin's share of the training rows; BadRate its share of
	// bad loans, NaN for an empty bin.
	Share, BadRate float64
	// WoE is the bin's weight of evidence and IV the characteristic's
	// information value.
	WoE, IV float64
	Points  int
}

// ScorecardDecision is what the selection did with one characteristic.
type ScorecardDecision struct {
	Characteristic string
	IV             float64
	// Strength is the IV's band (weak, medium, …) and Status the decision
	// (selected, low_iv, correlated, …); Detail says more, such as the
	// characteristic a correlated one was dropped for.
	Strength, Status, Detail string
}

// scorecardView is the scorecard section of the page.
type scorecardView struct {
	Model, Scaling  string
	Characteristics []scorecardCharView
	Selection       []ScorecardDecision
	IVs             []string
}

type scorecardCharView struct {
	Name, IV, Src, Alt string
	Rows               []scorecardRowView
}

type scorecardRowView struct {
	Bin, Count, Share, BadRate, WoE, Points string
}

// scorecardPlotName is the plot file of characteristic k.
func scorecardPlotName(k int) string { return "scorecard_" + strconv.Itoa(k) + ".svg" }

// scorecardGroups returns the rows of each characteristic, in order.
func scorecardGroups(sc *Scorecard) ([][]ScorecardRow, error) {
	var out [][]ScorecardRow
	seen := map[string]bool{}
	for i, r := range sc.Rows {
		if i == 0 || r.Characteristic != sc.Rows[i-1].Characteristic {
			if seen[r.Characteristic] {
				return nil, fmt.Errorf("characteristic %q: rows not together: %w", r.Characteristic, ErrScorecard)
			}
			seen[r.Characteristic] = true
			out = append(out, nil)
		}
		if !(r.Share >= 0 && r.Share <= 1) || !(math.IsNaN(r.BadRate) || r.BadRate >= 0 && r.BadRate <= 1) || math.IsNaN(r.WoE) || math.IsInf(r.WoE, 0) {
			return nil, fmt.Errorf("characteristic %q bin %q: share %v, bad rate %v, WoE %v: %w", r.Characteristic, r.Bin, r.Share, r.BadRate, r.WoE, ErrScorecard)
		}
		out[len(out)-1] = append(out[len(out)-1], r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no rows: %w", ErrScorecard)
	}
	return out, nil
}

// newScorecardView lays the scorecard section out.
func newScorecardView(sc *Scorecard, groups [][]ScorecardRow) *scorecardView {
	v := &scorecardView{Model: fmt.Sprintf("%s v%d", sc.Name, sc.Version), Scaling: sc.Scaling, Selection: sc.Selection}
	for k, g := range groups {
		cv := scorecardCharView{
			Name: g[0].Characteristic, IV: fixed3(g[0].IV),
			Src: PlotDir + "/" + scorecardPlotName(k),
			Alt: "Bars of the bad rate per bin of " + g[0].Characteristic + ", labelled with each bin's WoE",
		}
		for _, r := range g {
			rate := "n/a"
			if !math.IsNaN(r.BadRate) {
				rate = percent(r.BadRate)
			}
			cv.Rows = append(cv.Rows, scorecardRowView{
				Bin: r.Bin, Count: count(float64(r.Count)), Share: percent(r.Share), BadRate: rate,
				WoE: strconv.FormatFloat(r.WoE, 'f', 3, 64), Points: strconv.Itoa(r.Points),
			})
		}
		v.Characteristics = append(v.Characteristics, cv)
	}
	return v
}

// Size of a characteristic's plot.
const (
	scorecardPlotWidth = 6.5 * vg.Inch
	scorecardPlotFrame = 1.6 * vg.Inch
	scorecardBar       = 0.32 * vg.Inch
	maxBinLabel        = 28
)

// scorecardPlot draws the bad rate of each bin of one characteristic as a
// horizontal bar labelled with the bin's WoE, the first bin at the top.
func scorecardPlot(rows []ScorecardRow) (*chart, error) {
	n := len(rows)
	values := make(plotter.Values, n)
	names := make([]string, n)
	labels := make([]string, n)
	xys := make(plotter.XYs, n)
	var top float64
	for i := range n {
		r := rows[n-1-i] // bar i sits at y = i; the first bin goes to the top
		rate := r.BadRate
		if math.IsNaN(rate) {
			rate = 0
		}
		values[i] = 100 * rate
		top = max(top, values[i])
		names[i] = plotText(r.Bin, maxBinLabel)
		labels[i] = fmt.Sprintf("WoE %+.3f, %s", r.WoE, percent(r.Share))
		xys[i].Y = float64(i)
	}
	bars, err := plotter.NewBarChart(values, 0.6*scorecardBar)
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = rgb(goodRGB)
	bars.LineStyle.Width = 0
	for i := range xys {
		xys[i].X = values[i]
	}
	lab, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
	if err != nil {
		return nil, err
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font.Size = 8.5
		lab.TextStyle[i].YAlign = -0.5
		lab.Offset.X = vg.Points(4)
	}
	title := fmt.Sprintf("%s: bad rate and WoE per bin (IV %.3f)", plotText(rows[0].Characteristic, maxTitleName), rows[0].IV)
	ch := newChart(title, "bad rate of the bin's training loans (%)", "")
	p := ch.plot
	p.Add(bars, lab)
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = 9
	p.X.Min = 0
	p.X.Max = 1.6 * top // room for the labels
	if p.X.Max == 0 {
		p.X.Max = 1
	}
	ch.width, ch.height = scorecardPlotWidth, scorecardPlotFrame+vg.Length(n)*scorecardBar
	return ch, nil
}
