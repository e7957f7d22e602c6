package report

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// Plot sizes. SVG scales in the page; these fix the proportions and the
// size of the text relative to the data area.
const (
	curveWidth  = 5.6 * vg.Inch
	curveHeight = 4.4 * vg.Inch
	// importanceBar is the height given to each bar of the importance
	// plot, and importanceFrame the height of its title and axis.
	importanceBar   = 0.24 * vg.Inch
	importanceFrame = 1.1 * vg.Inch
	importanceWidth = 7 * vg.Inch
)

const (
	// curveEps is the largest gap, in axis units, that thinning a ROC or PR
	// curve may leave between drawn points: 0.1% of the unit square, well
	// under a pixel at the size the page shows the plots.
	curveEps = 1e-3
	// calibrationBins is the number of equal-width PD bins of the
	// reliability curves.
	calibrationBins = 10
	// minBinCount is the number of loans under which a reliability bin is
	// drawn as an open circle: its observed rate is too noisy to judge
	// calibration by.
	minBinCount = 30
	// scoreBins is the number of PD bins of the score distribution.
	scoreBins = 40
	// topFeatures is the number of features on the importance plot.
	topFeatures = 20
	// maxLegendName, maxTitleName and maxFeatureName bound the runes of a
	// name drawn on a plot; longer names are cut and end in "...". The page
	// shows them in full.
	maxLegendName  = 28
	maxTitleName   = 20
	maxFeatureName = 36
)

// series is one candidate's curves, ready to draw.
type series struct {
	label    string // "name vN", cut to maxLegendName
	champion bool
	color    color.RGBA
	roc      []metrics.ROCPoint
	pr       []metrics.PRPoint
	rel      []metrics.ReliabilityBin
	auc, ap  float64
	ece      float64
	badRate  float64
}

// newSeries computes the curves of a validated candidate.
func newSeries(i int, c *Candidate) (series, error) {
	s := series{
		label:    plotText(fmt.Sprintf("%s v%d", c.Name, c.Version), maxLegendName),
		champion: c.Champion,
		color:    seriesColor(i),
	}
	var err error
	if s.roc, err = metrics.ROC(c.Y, c.PD, nil); err != nil {
		return s, err
	}
	if s.auc, err = metrics.ROCAUC(c.Y, c.PD, nil); err != nil {
		return s, err
	}
	if s.pr, err = metrics.PR(c.Y, c.PD, nil); err != nil {
		return s, err
	}
	if s.ap, err = metrics.AveragePrecision(c.Y, c.PD, nil); err != nil {
		return s, err
	}
	if s.rel, err = metrics.Reliability(c.Y, c.PD, calibrationBins); err != nil {
		return s, err
	}
	if s.ece, err = metrics.ECE(c.Y, c.PD, calibrationBins); err != nil {
		return s, err
	}
	var bad float64
	for _, y := range c.Y {
		bad += y
	}
	s.badRate = bad / float64(len(c.Y))
	return s, nil
}

// seriesColor returns the colour of the i-th candidate: the Okabe-Ito
// palette, which stays distinct for colour-blind readers, cycled.
func seriesColor(i int) color.RGBA {
	palette := [...]uint32{
		0x0072B2, // blue
		0xD55E00, // vermillion
		0x009E73, // bluish green
		0xCC79A7, // reddish purple
		0xE69F00, // orange
		0x56B4E9, // sky blue
		0x000000, // black
	}
	return rgb(palette[i%len(palette)])
}

// Colours of the reference lines and of the good and bad loans, as
// 0xRRGGBB.
const (
	grayRGB = 0x808080
	goodRGB = 0x0072B2
	badRGB  = 0xD55E00
)

// rgb returns the opaque colour 0xRRGGBB.
func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xFF}
}

// chart is a plot with its legend drawn in a strip below it, so that the
// legend never hides a curve wherever the curves run.
type chart struct {
	plot   *plot.Plot
	legend plot.Legend
	// width and height are the size of the plot, without the legend.
	width, height vg.Length
}

// newChart returns a chart in the report's style: sans-serif text, a light
// grid and round tick steps on both axes.
func newChart(title, xLabel, yLabel string) *chart {
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = 0.1 * vg.Inch
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 11)
		ax.Tick.Label.Font = font.From(sans, 9)
		ax.Tick.Marker = plot.TickerFunc(roundTicks)
	}
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xE0}
	grid.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(grid)

	leg := plot.NewLegend()
	leg.TextStyle.Font = font.From(sans, 10)
	leg.ThumbnailWidth = 0.4 * vg.Inch
	leg.Padding = vg.Points(2.5)
	leg.Top, leg.Left = true, true
	return &chart{plot: p, legend: leg, width: curveWidth, height: curveHeight}
}

// roundTicks returns major ticks at a round step (1, 2 or 5 times a power
// of ten) that gives about ten labels over [lo, hi], with minor ticks
// halfway between them.
func roundTicks(lo, hi float64) []plot.Tick {
	span := hi - lo
	if !(span > 0) || math.IsInf(span, 0) {
		return []plot.Tick{{Value: lo, Label: strconv.FormatFloat(lo, 'g', 4, 64)}}
	}
	mag := math.Pow(10, math.Floor(math.Log10(span/10)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= span/10*(1-1e-9) {
			step = m * mag
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	const tol = 1e-9
	for k := math.Ceil(lo/step*2 - tol); k <= math.Floor(hi/step*2+tol); k++ {
		v := k * step / 2
		if v == 0 {
			v = 0 // no "-0.0" label
		}
		t := plot.Tick{Value: v}
		if math.Mod(k, 2) == 0 {
			t.Label = strconv.FormatFloat(v, 'f', decimals, 64)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// line returns a solid line through xys.
func line(xys plotter.XYs, c color.Color, width vg.Length) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color = c
	l.Width = width
	return l, nil
}

// reference returns a dashed grey line through xys, for the diagonal and
// the base rate.
func reference(xys plotter.XYs) (*plotter.Line, error) {
	l, err := line(xys, rgb(grayRGB), vg.Points(1))
	if err != nil {
		return nil, err
	}
	l.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
	return l, nil
}

// lineWidth returns the width of a candidate's curve: the champion's is
// bolder.
func lineWidth(champion bool) vg.Length {
	if champion {
		return vg.Points(2.5)
	}
	return vg.Points(1.5)
}

// legendName returns a candidate's legend entry with a figure of merit.
func legendName(s *series, metric string, v float64) string {
	name := s.label
	if s.champion {
		name += " (champion)"
	}
	return fmt.Sprintf("%s  %s %.3f", name, metric, v)
}

// addCurves draws one curve per series, the champion on top, and adds the
// legend entries in the series order.
func addCurves(ch *chart, ss []series, points func(*series) plotter.XYs, metric string, value func(*series) float64) error {
	lines := make([]*plotter.Line, len(ss))
	for i := range ss {
		l, err := line(points(&ss[i]), ss[i].color, lineWidth(ss[i].champion))
		if err != nil {
			return fmt.Errorf("%s: %w", ss[i].label, err)
		}
		lines[i] = l
		ch.legend.Add(legendName(&ss[i], metric, value(&ss[i])), l)
	}
	for i, l := range lines {
		if !ss[i].champion {
			ch.plot.Add(l)
		}
	}
	for i, l := range lines {
		if ss[i].champion {
			ch.plot.Add(l)
		}
	}
	return nil
}

// rocPlot draws the ROC curves of all candidates with the chance diagonal.
func rocPlot(ss []series) (*chart, error) {
	ch := newChart("ROC curve, test set", "false-positive rate (share of good loans declined)", "true-positive rate (share of bad loans caught)")
	p := ch.plot
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	diag, err := reference(plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}})
	if err != nil {
		return nil, err
	}
	p.Add(diag)
	err = addCurves(ch, ss, func(s *series) plotter.XYs {
		xys := make(plotter.XYs, len(s.roc))
		for i, pt := range s.roc {
			xys[i] = plotter.XY{X: pt.FPR, Y: pt.TPR}
		}
		return thin(xys, curveEps)
	}, "AUC", func(s *series) float64 { return s.auc })
	if err != nil {
		return nil, err
	}
	ch.legend.Add("chance  AUC 0.500", diag)
	return ch, nil
}

// prPlot draws the precision-recall curves of all candidates with the test
// bad rate of the champion, the precision of a random ranking.
func prPlot(ss []series, baseRate float64) (*chart, error) {
	ch := newChart("Precision-recall curve, test set", "recall (share of bad loans caught)", "precision (share of declined loans that are bad)")
	p := ch.plot
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
	base, err := reference(plotter.XYs{{X: 0, Y: baseRate}, {X: 1, Y: baseRate}})
	if err != nil {
		return nil, err
	}
	p.Add(base)
	err = addCurves(ch, ss, func(s *series) plotter.XYs {
		xys := make(plotter.XYs, len(s.pr))
		for i, pt := range s.pr {
			xys[i] = plotter.XY{X: pt.Recall, Y: pt.Precision}
		}
		return thin(xys, curveEps)
	}, "AP", func(s *series) float64 { return s.ap })
	if err != nil {
		return nil, err
	}
	ch.legend.Add(fmt.Sprintf("bad rate  %.3f", baseRate), base)
	return ch, nil
}

// calibrationPlot draws the reliability curves of all candidates with the
// diagonal of perfect calibration. Both axes run from 0 to the largest
// value on any curve rounded up to a tenth, so the diagonal stays at 45°
// and PDs that all sit below 0.3 do not crowd into a corner.
func calibrationPlot(ss []series) (*chart, error) {
	ch := newChart(fmt.Sprintf("Calibration, test set (%d equal-width PD bins)", calibrationBins), "mean predicted PD in bin", "observed bad rate in bin")
	p := ch.plot
	hi := 0.0
	for i := range ss {
		for _, b := range ss[i].rel {
			hi = max(hi, b.MeanPredicted, b.ObservedRate)
		}
	}
	hi = min(max(math.Ceil(hi*10-1e-9)/10, 0.1), 1)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, hi, 0, hi
	diag, err := reference(plotter.XYs{{X: 0, Y: 0}, {X: hi, Y: hi}})
	if err != nil {
		return nil, err
	}
	p.Add(diag)
	var champ []plot.Plotter
	for i := range ss {
		s := &ss[i]
		xys := make(plotter.XYs, len(s.rel))
		for j, b := range s.rel {
			xys[j] = plotter.XY{X: b.MeanPredicted, Y: b.ObservedRate}
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.label, err)
		}
		l.Color, l.Width = s.color, lineWidth(s.champion)
		pts.GlyphStyle = draw.GlyphStyle{Color: s.color, Shape: draw.CircleGlyph{}, Radius: vg.Points(3)}
		pts.GlyphStyleFunc = func(j int) draw.GlyphStyle {
			if s.rel[j].Count < minBinCount {
				return draw.GlyphStyle{Color: s.color, Shape: draw.RingGlyph{}, Radius: vg.Points(3.5)}
			}
			return pts.GlyphStyle
		}
		ch.legend.Add(legendName(s, "ECE", s.ece), l, pts)
		if s.champion {
			champ = append(champ, l, pts)
		} else {
			p.Add(l, pts)
		}
	}
	p.Add(champ...)
	ch.legend.Add("perfect calibration", diag)
	small := false
	for i := range ss {
		for _, b := range ss[i].rel {
			small = small || b.Count < minBinCount
		}
	}
	if small {
		ring, err := plotter.NewScatter(plotter.XYs{{}})
		if err != nil {
			return nil, err
		}
		ring.GlyphStyle = draw.GlyphStyle{Color: rgb(grayRGB), Shape: draw.RingGlyph{}, Radius: vg.Points(3.5)}
		ch.legend.Add(fmt.Sprintf("open circle: bin of fewer than %d loans", minBinCount), ring)
	}
	return ch, nil
}

// scorePlot draws the champion's PD distribution for good and bad loans,
// each as the share of its class per bin, with the decision threshold.
// The bins are equal-width from 0 to the largest PD (or the threshold)
// rounded up to 0.05.
func scorePlot(c *Candidate) (*chart, error) {
	hi := c.Threshold
	var nGood, nBad int
	for i, p := range c.PD {
		hi = max(hi, p)
		if c.Y[i] == 1 {
			nBad++
		} else {
			nGood++
		}
	}
	hi = min(max(math.Ceil(hi*20-1e-9)/20, 0.05), 1)
	width := hi / scoreBins
	good := make([]plotter.HistogramBin, scoreBins)
	bad := make([]plotter.HistogramBin, scoreBins)
	for k := range scoreBins {
		lo, up := float64(k)*width, float64(k+1)*width
		if k == scoreBins-1 {
			up = hi
		}
		good[k] = plotter.HistogramBin{Min: lo, Max: up}
		bad[k] = plotter.HistogramBin{Min: lo, Max: up}
	}
	for i, p := range c.PD {
		k := min(int(p/width), scoreBins-1)
		if c.Y[i] == 1 {
			bad[k].Weight += 1 / float64(nBad)
		} else {
			good[k].Weight += 1 / float64(nGood)
		}
	}
	top := 0.0
	for k := range scoreBins {
		top = max(top, good[k].Weight, bad[k].Weight)
	}
	top *= 1.08

	ch := newChart(fmt.Sprintf("PD distribution of the champion (%s v%d), test set", plotText(c.Name, maxTitleName), c.Version),
		"calibrated PD", "share of the class per bin")
	p := ch.plot
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, hi, 0, top
	hGood := &plotter.Histogram{Bins: good, Width: width, FillColor: withAlpha(rgb(goodRGB), 0x55)}
	hGood.LineStyle = draw.LineStyle{Color: rgb(goodRGB), Width: vg.Points(1)}
	hBad := &plotter.Histogram{Bins: bad, Width: width, FillColor: withAlpha(rgb(badRGB), 0x55)}
	hBad.LineStyle = draw.LineStyle{Color: rgb(badRGB), Width: vg.Points(1)}
	thr, err := line(plotter.XYs{{X: c.Threshold, Y: 0}, {X: c.Threshold, Y: top}}, color.Black, vg.Points(1.5))
	if err != nil {
		return nil, err
	}
	thr.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
	p.Add(hGood, hBad, thr)
	ch.legend.Add(fmt.Sprintf("good loans (%d)", nGood), hGood)
	ch.legend.Add(fmt.Sprintf("bad loans (%d)", nBad), hBad)
	ch.legend.Add(fmt.Sprintf("threshold %.3f", c.Threshold), thr)
	return ch, nil
}

// withAlpha returns c with alpha a, premultiplied as color.RGBA requires.
func withAlpha(c color.RGBA, a uint8) color.RGBA {
	scale := func(v uint8) uint8 { return uint8(uint16(v) * uint16(a) / 0xFF) }
	return color.RGBA{scale(c.R), scale(c.G), scale(c.B), a}
}

// importancePlot draws the first topFeatures features of imp as horizontal
// bars, the largest at the top, and returns the plot height. imp must be
// sorted by decreasing MeanAbsSHAP and non-empty.
func importancePlot(c *Candidate, imp []Importance) (*chart, error) {
	n := min(len(imp), topFeatures)
	values := make(plotter.Values, n)
	names := make([]string, n)
	for i := range n {
		// Bar i sits at y = i; the largest value goes to the top.
		values[i] = imp[n-1-i].MeanAbsSHAP
		names[i] = plotText(imp[n-1-i].Feature, maxFeatureName)
	}
	bars, err := plotter.NewBarChart(values, 0.6*importanceBar)
	if err != nil {
		return nil, err
	}
	bars.Horizontal = true
	bars.Color = rgb(goodRGB)
	bars.LineStyle.Width = 0
	title := fmt.Sprintf("SHAP importance of the champion (%s v%d), top %d", plotText(c.Name, maxTitleName), c.Version, n)
	ch := newChart(title, "mean |SHAP value| over the explained rows (model margin)", "")
	p := ch.plot
	p.Add(bars)
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = 9.5
	p.X.Min = 0
	// Give the longest bar some room on the right.
	p.X.Max = 1.05 * imp[0].MeanAbsSHAP
	if p.X.Max == 0 {
		p.X.Max = 1
	}
	ch.width, ch.height = importanceWidth, importanceFrame+vg.Length(n)*importanceBar
	return ch, nil
}

// thin drops points of a curve that lie within eps (in both coordinates)
// of the last point kept, always keeping the first and last points. The
// drawn curve then strays from the full one by at most eps.
func thin(xys plotter.XYs, eps float64) plotter.XYs {
	if len(xys) <= 2 {
		return xys
	}
	out := plotter.XYs{xys[0]}
	last := xys[0]
	for _, pt := range xys[1 : len(xys)-1] {
		if math.Abs(pt.X-last.X) >= eps || math.Abs(pt.Y-last.Y) >= eps {
			out = append(out, pt)
			last = pt
		}
	}
	return append(out, xys[len(xys)-1])
}

// plotText makes s safe to draw: invalid UTF-8 and control characters
// (which SVG cannot hold) become U+FFFD and spaces, and a name longer than
// maxRunes runes is cut and ends in "...".
func plotText(s string, maxRunes int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r):
			return ' '
		case r == 0xFFFE || r == 0xFFFF:
			return '\uFFFD'
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) <= maxRunes {
		return s
	}
	runes := []rune(s)
	return string(runes[:maxRunes-3]) + "..."
}

// fitText returns s, or s cut and ending in "..." so that it is at most
// width wide in style sty.
func fitText(sty text.Style, s string, width vg.Length) string {
	if sty.Width(s) <= width {
		return s
	}
	runes := []rune(s)
	for n := len(runes) - 1; n > 0; n-- {
		if cut := string(runes[:n]) + "..."; sty.Width(cut) <= width {
			return cut
		}
	}
	return "..."
}

// svgFonts is the font-family list written into the SVG files: Liberation
// Sans, with which the plot measured its text, then fonts with the same
// metrics (Arimo, Arial, Helvetica), so the labels keep their size and
// place on machines without Liberation.
const svgFonts = "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"

// legendGap is the space between a plot and the legend strip below it, and
// legendInset the legend's indent, about the width of the Y axis.
const (
	legendGap   = 0.08 * vg.Inch
	legendInset = 0.75 * vg.Inch
	legendFoot  = 0.1 * vg.Inch
	// margin keeps text off the edge of the image, where a browser's
	// font hinting or an image border could clip it.
	margin = 2 * vg.Millimeter
)

// renderSVG draws ch, with its legend below the plot, and returns the SVG
// file content.
func renderSVG(ch *chart) ([]byte, error) {
	legendHeight := ch.legend.Rectangle(draw.Canvas{}).Size().Y
	if legendHeight > 0 {
		legendHeight += legendGap + legendFoot
	}
	total := ch.height + legendHeight
	ch.plot.Title.Text = fitText(ch.plot.Title.TextStyle, ch.plot.Title.Text, ch.width-2*margin)
	c := vgsvg.NewWith(vgsvg.UseWH(ch.width, total))
	dc := draw.Crop(draw.New(c), margin, -margin, margin, -margin)
	ch.plot.Draw(draw.Crop(dc, 0, 0, legendHeight, 0))
	if legendHeight > 0 {
		ch.legend.Draw(draw.Crop(dc, legendInset, 0, legendFoot, -(ch.height + legendGap)))
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, err
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts)), nil
}
