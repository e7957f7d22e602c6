// Package logreg fits the L2-regularised logistic regression of package
// linear: mean imputation with missing-value indicators, standardisation,
// optional balanced class weights, and L-BFGS on scikit-learn's objective.
// It is training code; the fitted linear.Model predicts without it.
package logreg
