// Package fit learns a scorecard (package scorecard) from a feature matrix
// and the feature pipeline that made it: it reads each characteristic back
// from the columns (Layout), bins it (package classing/fit), selects
// characteristics by information value, WoE correlation and forward
// stepwise regression, fits the logistic regression of the bad flag on the
// WoE columns (package logreg), drops characteristics whose coefficient
// has the wrong sign, and scales the fit to integer points.
//
// It is training code; the scoring server links package scorecard only.
package fit
