// Package model is the model file: one format for every learner, plain data
// (JSON), never code. A file holds its format version, the feature pipeline
// that turns a raw application into the feature vector, the fitted learner
// (a tree ensemble or a linear model), the probability calibration and the
// decision threshold. Beside it, a metadata file records the model file's
// sha256, its feature schema, metrics, parameters, the training data
// fingerprint and reference distributions for drift monitoring. Loading
// verifies the hash and the schema and says which check failed.
//
// The package holds no training code: the server imports it.
package model
