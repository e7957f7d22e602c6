// Package monitor watches a model in production the way a credit-risk
// validator does (CREDIT.md §4): it scores recent applications, given as
// raw files in the spec's layout, through the model file's own feature
// pipeline, and reports
//
//   - stability: the population stability index (PSI) of the score and the
//     characteristic stability index (CSI, the same index of one model
//     feature) against the development reference the model's metadata
//     holds (model.Reference: the training bins of every feature, the
//     validation deciles of the PD), with counts per bin and the usual
//     bands: below 0.10 stable, 0.10 to 0.25 watch, above 0.25 action;
//   - a backtest, when the files carry the target and outcomes have
//     matured: per origination month and over all loans, the count, bad
//     rate, mean PD, ROC-AUC, Gini and KS, and observed against predicted
//     defaults per score band (the development deciles of the PD) with an
//     exact two-sided binomial test; rows whose outcome is not final
//     (the spec's target.exclude, or a blank target) are left out and
//     counted;
//   - vintage curves, when the spec says how a default is dated
//     (monitoring.vintage): the cumulative bad rate by months on book of
//     each origination cohort;
//   - breaches: every threshold of the spec's monitoring block the run
//     exceeds, one Breach each.
//
// Run computes a Result, which encodes to monitor.json; the htmlreport
// package draws it as a page.
package monitor
