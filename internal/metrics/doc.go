// Package metrics scores binary classifiers: ranking quality (ROC-AUC, Gini,
// KS, average precision, ROC and precision-recall curves, DeLong's test of
// two ROC-AUCs on the same samples), probability quality (Brier score, log
// loss, expected calibration error, reliability curves), decisions at a
// threshold (confusion matrix, precision, recall, F1, accuracy) and
// population drift (PSI). It holds no training code; the report and the
// server both use it.
//
// Conventions shared by every function:
//
//   - labels hold 0 (good) or 1 (bad, the positive class); any other value,
//     NaN included, is an error wrapping ErrLabel.
//   - scores are any real numbers where higher means "more likely 1"
//     (probabilities or log-odds margins); NaN is an error wrapping
//     ErrScore. Functions that need probabilities say so and reject values
//     outside [0, 1] with ErrProbability.
//   - weights, where accepted, are per-sample weights; nil means every
//     sample weighs 1. Negative, NaN or infinite weights are an error
//     wrapping ErrWeight.
//   - Slices of different lengths are a programmer error and panic with a
//     "metrics:" prefix, as gonum's stat package does.
//   - A value that is undefined for the data (an AUC with only one class
//     present, any metric of zero samples) is an error, never NaN or a
//     silent zero: ErrOneClass or ErrEmpty.
//
// Ranking metrics match scikit-learn 1.2 (roc_auc_score, roc_curve,
// precision_recall_curve, average_precision_score) including its handling of
// tied scores; the golden tests hold numbers computed with it by
// testdata/golden.py.
package metrics
