package htmlreport

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strings"
	"unicode"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/credit-risk/credit-risk/internal/monitor"
)

// Plot sizes: SVG scales in the page; these fix proportions and text size.
const (
	plotWidth  = 6.4 * vg.Inch
	plotHeight = 4.2 * vg.Inch
	// barHeight is the height given to each bar of the stability plot, and
	// barFrame that of its title and axis.
	barHeight = 0.22 * vg.Inch
	barFrame  = 1.2 * vg.Inch
	// topCharacteristics is the number of features on the stability plot.
	topCharacteristics = 20
	// maxName bounds the runes of a name drawn on a plot.
	maxName = 36
)

// Colours, as 0xRRGGBB: the Okabe-Ito palette, distinct for colour-blind
// readers.
const (
	blueRGB      = 0x0072B2
	vermillonRGB = 0xD55E00
	greenRGB     = 0x009E73
	orangeRGB    = 0xE69F00
	grayRGB      = 0x808080
)

func rgb(hex uint32) color.RGBA {
	return color.RGBA{uint8(hex >> 16), uint8(hex >> 8), uint8(hex), 0xFF}
}

// bandColor colours a PSI by its band.
func bandColor(b monitor.Band) color.RGBA {
	switch b {
	case monitor.BandWatch:
		return rgb(orangeRGB)
	case monitor.BandAction:
		return rgb(vermillonRGB)
	}
	return rgb(greenRGB)
}

// newPlot returns a plot in the page's style: sans-serif text, a light
// grid, the legend at the top left.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	sans := font.Font{Typeface: "Liberation", Variant: "Sans"}
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = font.From(sans, 13)
	p.Title.Padding = 0.1 * vg.Inch
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(sans, 11)
		ax.Tick.Label.Font = font.From(sans, 9)
	}
	p.X.Label.Text, p.Y.Label.Text = xLabel, yLabel
	grid := plotter.NewGrid()
	grid.Vertical.Color = color.Gray{Y: 0xE0}
	grid.Horizontal.Color = color.Gray{Y: 0xE0}
	p.Add(grid)
	p.Legend.TextStyle.Font = font.From(sans, 10)
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.Padding = vg.Points(3)
	return p
}

// dashed returns a dashed line through xys.
func dashed(xys plotter.XYs, c color.Color) (*plotter.Line, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, err
	}
	l.Color, l.Width = c, vg.Points(1.2)
	l.Dashes = []vg.Length{vg.Points(5), vg.Points(4)}
	return l, nil
}

// svgFonts is the font-family list written into the SVG: Liberation Sans,
// with which the plot measured its text, then fonts of the same metrics.
const svgFonts = "font-family:'Liberation Sans',Arimo,Arial,Helvetica,sans-serif;"

// image renders p as SVG of the given size and returns it as a data: URI
// for an img element.
func image(p *plot.Plot, w, h vg.Length) (template.URL, error) {
	c := vgsvg.NewWith(vgsvg.UseWH(w, h))
	p.Draw(draw.Crop(draw.New(c), 2*vg.Millimeter, -2*vg.Millimeter, 2*vg.Millimeter, -2*vg.Millimeter))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return "", err
	}
	svg := bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFonts))
	return template.URL("data:image/svg+xml;base64," + base64.StdEncoding.EncodeToString(svg)), nil
}

// plotText makes s safe and short enough to draw.
func plotText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	if r := []rune(s); len(r) > maxName {
		return string(r[:maxName-3]) + "..."
	}
	return s
}

// finite returns v, or 0 for NaN and infinities (drawn as nothing).
func finite(v monitor.Float) float64 {
	f := float64(v)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0
	}
	return f
}

// stabilityPlot draws the score's PSI and the largest CSIs as horizontal
// bars coloured by band, with the band limits.
func stabilityPlot(st *monitor.Stability) (template.URL, error) {
	items := []monitor.Index{st.Score}
	for _, c := range st.Characteristics {
		if len(items) > topCharacteristics {
			break
		}
		if !math.IsNaN(float64(c.PSI)) {
			items = append(items, c)
		}
	}
	n := len(items)
	names := make([]string, n)
	top := monitor.ActionAbove * 1.2
	// Bar i sits at y = i; the score goes to the top.
	byBand := map[monitor.Band]plotter.Values{}
	for _, b := range []monitor.Band{monitor.BandStable, monitor.BandWatch, monitor.BandAction} {
		byBand[b] = make(plotter.Values, n)
	}
	for i, ix := range items {
		y := n - 1 - i
		names[y] = plotText(ix.Name)
		if i == 0 {
			names[y] = "SCORE (PSI)"
		}
		band := ix.Band
		if band == monitor.BandUnknown {
			band = monitor.BandStable
		}
		byBand[band][y] = finite(ix.PSI)
		top = max(top, finite(ix.PSI)*1.05)
	}
	p := newPlot(fmt.Sprintf("Score PSI and the %d largest CSIs", n-1), "PSI against the development reference", "")
	for _, b := range []monitor.Band{monitor.BandStable, monitor.BandWatch, monitor.BandAction} {
		bars, err := plotter.NewBarChart(byBand[b], 0.7*barHeight)
		if err != nil {
			return "", err
		}
		bars.Horizontal = true
		bars.Color = bandColor(b)
		bars.LineStyle.Width = 0
		p.Add(bars)
		p.Legend.Add(string(b), bars)
	}
	for _, limit := range []float64{monitor.WatchFrom, monitor.ActionAbove} {
		l, err := dashed(plotter.XYs{{X: limit, Y: -0.5}, {X: limit, Y: float64(n) - 0.5}}, rgb(grayRGB))
		if err != nil {
			return "", err
		}
		p.Add(l)
	}
	p.NominalY(names...)
	p.X.Min, p.X.Max = 0, top
	p.Legend.Top, p.Legend.Left = false, false
	return image(p, plotWidth, barFrame+vg.Length(n)*barHeight)
}

// bandsPlot draws the observed bad rate and the mean PD per score band.
func bandsPlot(rows []monitor.BandRow) (template.URL, error) {
	p := newPlot("Observed against predicted, per score band", "score band (development deciles of the PD, lowest first)", "rate")
	var obs, pred plotter.XYs
	labels := make([]string, len(rows))
	for i, r := range rows {
		labels[i] = fmt.Sprint(i + 1)
		if r.Loans == 0 {
			continue
		}
		obs = append(obs, plotter.XY{X: float64(i), Y: finite(r.BadRate)})
		pred = append(pred, plotter.XY{X: float64(i), Y: finite(r.MeanPD)})
	}
	if err := addLine(p, pred, rgb(blueRGB), "mean predicted PD", draw.CircleGlyph{}); err != nil {
		return "", err
	}
	if err := addLine(p, obs, rgb(vermillonRGB), "observed bad rate", draw.BoxGlyph{}); err != nil {
		return "", err
	}
	p.NominalX(labels...)
	p.Y.Min = 0
	return image(p, plotWidth, plotHeight)
}

// addLine adds a line with points, when it has any.
func addLine(p *plot.Plot, xys plotter.XYs, c color.Color, name string, glyph draw.GlyphDrawer) error {
	if len(xys) == 0 {
		return nil
	}
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, l.Width = c, vg.Points(2)
	pts.GlyphStyle = draw.GlyphStyle{Color: c, Shape: glyph, Radius: vg.Points(3)}
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}

// monthLabels labels months on an axis, at most six of them, so that the
// labels never overlap.
func monthLabels(months []monitor.Period) []string {
	step := max(1, (len(months)+5)/6)
	labels := make([]string, len(months))
	for i, m := range months {
		if i%step == 0 {
			labels[i] = m.Month
		}
	}
	return labels
}

// aucPlot draws the ROC-AUC per origination month with the model's test
// ROC-AUC and the spec's minimum.
func aucPlot(months []monitor.Period, testAUC, minAUC float64) (template.URL, error) {
	p := newPlot("ROC-AUC by origination month", "origination month", "ROC-AUC")
	var xys plotter.XYs
	lo, hi := 0.5, 0.8
	for i, m := range months {
		if v := float64(m.AUC); !math.IsNaN(v) {
			xys = append(xys, plotter.XY{X: float64(i), Y: v})
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if err := addLine(p, xys, rgb(blueRGB), "backtest ROC-AUC", draw.CircleGlyph{}); err != nil {
		return "", err
	}
	x1 := float64(max(len(months)-1, 1))
	for _, ref := range []struct {
		v    float64
		name string
		c    color.Color
	}{{testAUC, "model's test ROC-AUC", rgb(grayRGB)}, {minAUC, "min_auc", rgb(vermillonRGB)}} {
		if math.IsNaN(ref.v) || math.IsInf(ref.v, 0) || ref.v <= 0 {
			continue
		}
		l, err := dashed(plotter.XYs{{X: 0, Y: ref.v}, {X: x1, Y: ref.v}}, ref.c)
		if err != nil {
			return "", err
		}
		p.Add(l)
		p.Legend.Add(fmt.Sprintf("%s %.3f", ref.name, ref.v), l)
		lo, hi = min(lo, ref.v), max(hi, ref.v)
	}
	p.NominalX(monthLabels(months)...)
	p.Y.Min, p.Y.Max = math.Floor(lo*20)/20, math.Ceil(hi*20)/20
	p.Legend.Top = false
	return image(p, plotWidth, plotHeight)
}

// ratesPlot draws the bad rate and the mean PD per origination month.
func ratesPlot(months []monitor.Period) (template.URL, error) {
	p := newPlot("Bad rate and mean PD by origination month", "origination month", "rate")
	var obs, pred plotter.XYs
	for i, m := range months {
		obs = append(obs, plotter.XY{X: float64(i), Y: finite(m.BadRate)})
		pred = append(pred, plotter.XY{X: float64(i), Y: finite(m.MeanPD)})
	}
	if err := addLine(p, pred, rgb(blueRGB), "mean predicted PD", draw.CircleGlyph{}); err != nil {
		return "", err
	}
	if err := addLine(p, obs, rgb(vermillonRGB), "observed bad rate", draw.BoxGlyph{}); err != nil {
		return "", err
	}
	p.NominalX(monthLabels(months)...)
	p.Y.Min = 0
	return image(p, plotWidth, plotHeight)
}

// vintagePlot draws each cohort's cumulative bad rate by months on book,
// from light (oldest) to dark (newest).
func vintagePlot(v *monitor.Vintage) (template.URL, error) {
	p := newPlot(fmt.Sprintf("Vintage curves by origination %s", v.Cohort), "months on book", "cumulative bad rate")
	n := len(v.Cohorts)
	// Label about eight cohorts in the legend.
	step := max(1, (n+7)/8)
	for i, c := range v.Cohorts {
		xys := make(plotter.XYs, len(c.Curve))
		for m, r := range c.Curve {
			xys[m] = plotter.XY{X: float64(m), Y: finite(r)}
		}
		if len(xys) == 1 {
			xys = append(xys, xys[0]) // a point still draws
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return "", err
		}
		shade := 0.25 + 0.75*float64(i+1)/float64(n)
		base := rgb(blueRGB)
		l.Color = color.RGBA{
			R: uint8(255 - shade*float64(255-base.R)),
			G: uint8(255 - shade*float64(255-base.G)),
			B: uint8(255 - shade*float64(255-base.B)),
			A: 0xFF,
		}
		l.Width = vg.Points(1.5)
		p.Add(l)
		if i%step == 0 || i == n-1 {
			p.Legend.Add(fmt.Sprintf("%s (%d loans)", plotText(c.Name), c.Loans), l)
		}
	}
	p.X.Min, p.Y.Min = 0, 0
	// The curves rise from the bottom left: the bottom right stays free.
	p.Legend.Top, p.Legend.Left = false, false
	return image(p, plotWidth, plotHeight)
}
