// Package htmlreport draws a monitor.Result as one self-contained HTML page:
// inline CSS, the plots as SVG images inside the page (data: URIs), no
// script and no network, so the page can be mailed or archived as it is.
//
// The page shows the run's breaches first, then the stability of the score
// and of every characteristic (PSI bars coloured by band, with the 0.10
// and 0.25 band limits, and the bins of the score), the backtest (observed
// bad rate against mean PD per score band with each band's binomial test;
// ROC-AUC, bad rate and mean PD per origination month) and the vintage
// curves (cumulative bad rate by months on book per cohort). A section the
// run skipped says why. Every string from the result is escaped by
// html/template; text drawn on plots is cleaned of control characters.
package htmlreport
