package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// PageName is the file name of the report page inside the report folder,
// and PlotDir the name of the folder of its plot files.
const (
	PageName = "report.html"
	PlotDir  = "plots"
)

// Plot file names inside PlotDir.
const (
	ROCPlot         = "roc.svg"
	PRPlot          = "pr.svg"
	CalibrationPlot = "calibration.svg"
	ScorePlot       = "score_distribution.svg"
	ImportancePlot  = "importance.svg"
)

// Permissions of the files and folders Write creates.
const (
	filePerm = 0o644
	dirPerm  = 0o755
)

// Write writes the report of in into dir: it creates dir and dir/plots,
// writes the plot files, then writes dir/report.html atomically (a
// temporary file renamed into place) and returns its path.
//
// The input is checked before anything is written: no candidates, not
// exactly one champion, labels and PDs of different lengths or of no rows,
// labels other than 0 and 1, PDs or thresholds outside [0, 1], test labels
// of one class and negative importances are errors wrapping the package's
// sentinels (with a *CandidateError naming the candidate at fault). The
// importance plot is written only when the champion has importances; one
// left in dir by an earlier Write is removed otherwise.
//
// On any error, including a cancelled ctx (checked between plots),
// report.html is not written; a report.html from an earlier Write to the
// same dir is left as it was. Write does not modify in.
func Write(ctx context.Context, dir string, in *Input) (htmlPath string, err error) {
	champ, err := validate(in)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	ss := make([]series, len(in.Candidates))
	for i := range in.Candidates {
		if ss[i], err = newSeries(i, &in.Candidates[i]); err != nil {
			c := &in.Candidates[i]
			return "", fmt.Errorf("report: %w", &CandidateError{Index: i, Name: c.Name, Version: c.Version, Err: err})
		}
	}
	champion := &in.Candidates[champ]
	plots, figures := plotList(ss, champion, ss[champ].badRate)
	p, err := newPage(in, champ, figures)
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	if in.Scorecard != nil {
		groups, err := scorecardGroups(in.Scorecard)
		if err != nil {
			return "", fmt.Errorf("report: scorecard: %w", err)
		}
		p.Scorecard = newScorecardView(in.Scorecard, groups)
		for k, g := range groups {
			plots = append(plots, plotFile{scorecardPlotName(k), func() (*chart, error) { return scorecardPlot(g) }})
		}
	}
	var html bytes.Buffer
	if err := renderPage(&html, p); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}

	plotDir := filepath.Join(dir, PlotDir)
	if err := os.MkdirAll(plotDir, dirPerm); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	for _, pf := range plots {
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
		if err := writePlot(filepath.Join(plotDir, pf.name), pf); err != nil {
			return "", fmt.Errorf("report: %w", err)
		}
	}
	if len(champion.Importance) == 0 {
		// A plot left by an earlier Write to dir would not match the page.
		if err := os.Remove(filepath.Join(plotDir, ImportancePlot)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("report: %w", err)
		}
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	htmlPath = filepath.Join(dir, PageName)
	err = atomicfile.Write(htmlPath, filePerm, func(w io.Writer) error {
		_, err := w.Write(html.Bytes())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("report: %w", err)
	}
	return htmlPath, nil
}

// plotFile is one plot to draw into PlotDir.
type plotFile struct {
	name string
	draw func() (*chart, error)
}

// plotList returns the plots of the report and the figures of the page
// that show them.
func plotList(ss []series, champion *Candidate, baseRate float64) ([]plotFile, []figure) {
	plots := []plotFile{
		{ROCPlot, func() (*chart, error) { return rocPlot(ss) }},
		{PRPlot, func() (*chart, error) { return prPlot(ss, baseRate) }},
		{CalibrationPlot, func() (*chart, error) { return calibrationPlot(ss) }},
		{ScorePlot, func() (*chart, error) { return scorePlot(champion) }},
	}
	figures := []figure{
		{
			Src:     PlotDir + "/" + ROCPlot,
			Alt:     "ROC curves of all candidate models on the test set",
			Caption: "ROC: the share of bad loans caught against the share of good loans declined, over all thresholds. The dashed diagonal is a random ranking.",
		},
		{
			Src:     PlotDir + "/" + PRPlot,
			Alt:     "Precision-recall curves of all candidate models on the test set",
			Caption: "Precision-recall: of the loans declined, the share that are bad, against the share of bad loans caught. The dashed line is the test bad rate. AP is the average precision (PR-AUC).",
		},
		{
			Src:     PlotDir + "/" + CalibrationPlot,
			Alt:     "Reliability curves of all candidate models on the test set",
			Caption: fmt.Sprintf("Calibration: in each PD bin, the observed bad rate against the mean predicted PD. Points on the diagonal mean the PDs can be read as default rates. Open circles mark bins of fewer than %d loans, whose rates are noisy.", minBinCount),
		},
		{
			Src:     PlotDir + "/" + ScorePlot,
			Alt:     "Histograms of the champion's PD for good and bad loans, with the decision threshold",
			Caption: "PD distribution of the champion: each class sums to 1, so the rarer bad loans are on the same scale. Loans right of the dashed threshold are declined.",
		},
	}
	if imp := sortedImportance(champion.Importance); len(imp) > 0 {
		plots = append(plots, plotFile{ImportancePlot, func() (*chart, error) { return importancePlot(champion, imp) }})
	}
	return plots, figures
}

// writePlot draws pf and writes it atomically to path.
func writePlot(path string, pf plotFile) error {
	ch, err := pf.draw()
	if err != nil {
		return fmt.Errorf("plot %s: %w", pf.name, err)
	}
	svg, err := renderSVG(ch)
	if err != nil {
		return fmt.Errorf("plot %s: %w", pf.name, err)
	}
	return atomicfile.Write(path, filePerm, func(w io.Writer) error {
		_, err := w.Write(svg)
		return err
	})
}
