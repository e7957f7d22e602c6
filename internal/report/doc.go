// Package report writes the evaluation report of a training run: a single
// HTML page that a risk analyst opens offline, with its plots as SVG files
// beside it.
//
// Write lays out a run's report folder as
//
//	<dir>/report.html
//	<dir>/plots/roc.svg
//	<dir>/plots/pr.svg
//	<dir>/plots/calibration.svg
//	<dir>/plots/score_distribution.svg
//	<dir>/plots/importance.svg
//
// The page needs no network, no script and no font download: it is plain
// HTML with inline CSS, built with html/template so that every string from
// the input (model, feature and segment names) is escaped. The plots are
// drawn with gonum.org/v1/plot from the test labels and calibrated PDs of
// each candidate, using the curves of the metrics package:
//
//   - ROC of every candidate, with the chance diagonal;
//   - precision-recall of every candidate, with the test bad rate (the
//     precision of a model that ranks at random);
//   - reliability (calibration) of every candidate over the 10 equal-width
//     PD bins of metrics.Reliability, with the diagonal of perfect
//     calibration; bins of fewer than 30 loans are drawn as open circles;
//   - the champion's PD distribution for good and bad loans, each scaled to
//     the share of its class, with the decision threshold;
//   - the champion's 20 largest mean |SHAP| values as horizontal bars.
//
// Legends sit in a strip below each plot, so they never hide a curve.
// ROC and precision-recall curves are thinned to points at least 0.001
// apart, which keeps the files small for any test-set size.
//
// The page also holds why the champion won (Input.Selection, every
// candidate's test ROC-AUC and the champion's margin over each other
// candidate with its standard error, 95% interval and p-value from
// metrics.DeLong on the same test rows, a margin with p < 0.05 being called
// more than noise), the metrics of every candidate (the champion marked),
// the champion's confusion matrix at its threshold, the AUC per segment,
// the tuning of each learner (Input.Tuning: its rungs, the trials of the
// deciding rung best first with their parameters and the default's score,
// the other trials folded) and the data summary with the train/test split.
//
// The output depends only on the Input: the same Input gives the same bytes
// in every file. The page is written last, atomically, so a failed Write
// never leaves a partial report.html.
package report
