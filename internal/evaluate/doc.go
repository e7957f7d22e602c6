// Package evaluate scores fitted models on the out-of-time test set: the
// test metrics at each model's threshold, the AUC within each level of the
// spec's segment columns, and the global feature importance (mean |SHAP
// value|). The retrain job calls it for its candidates; the evaluate and
// explain commands call Run and Explain, which also write their results
// as JSON into the reports folder.
package evaluate
