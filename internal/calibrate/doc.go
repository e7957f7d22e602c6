// Package calibrate maps a model's scores to calibrated probabilities of
// default, fitted on held-out data (never the rows the model was trained
// on).
//
// Two methods are provided, both matching scikit-learn 1.2's
// CalibratedClassifierCV building blocks:
//
//   - Platt scaling (FitPlatt): p = 1/(1+exp(−(Slope·s + Intercept))), a
//     logistic regression on the score s with Platt's smoothed targets. Fit
//     it on margins (log-odds) for boosted trees and linear models.
//   - Isotonic regression (FitIsotonic): the non-decreasing step function
//     of the score that best fits the labels in weighted least squares
//     (pool-adjacent-violators), linearly interpolated between its
//     thresholds and clipped outside them (IsotonicRegression with
//     out_of_bounds="clip").
//
// A fitted Calibrator is plain data (exported fields, JSON-friendly) whose
// Apply is non-decreasing in the score, so calibration never reorders
// applicants and leaves the ROC-AUC unchanged up to ties.
package calibrate
