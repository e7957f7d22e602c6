// Package fit learns a feature pipeline on the training rows, every part
// of it: the caps, imputation values and missing indicators of the inputs
// (with the decision to drop a column that is mostly missing or constant),
// the encoding of categories, and the leakage rule that refuses a feature
// separating the classes almost perfectly on its own.
//
// It is training code. The package features applies what fit learns, and
// only features is linked into the scoring server.
package fit
