// Package learn is the contract every learner of credit-risk follows, and
// what the learners share: the algorithm names, the sentinel errors, the
// configuration error and the validator of training matrices and labels.
//
// A learner is a package with
//
//   - a Config struct whose fields document their defaults, and
//     DefaultConfig() returning the documented default configuration;
//   - Fit(ctx, X, y, cfg) fitting the binary labels y (0 or 1, 1 = default)
//     on the rows of X, where NaN means missing, checking ctx between
//     rounds, trees or iterations;
//   - a fitted model that is a Predictor: it writes the probability of
//     class 1 into a buffer the caller owns.
//
// Fit validates its data with Check (or the finer CheckShape, CheckLabels,
// CheckClasses and CheckFinite), so every learner reports bad input with the
// same sentinels and the same words, wrapped with the learner's name, such
// as "gbdt: training data: label not 0 or 1: row 3 has label 2". Invalid
// parameters are a *ConfigError naming the learner and the field.
//
// The package holds no fitting code and imports only the matrix package, so
// serving code may use the Predictor side; the table of learners, which
// links the fitting code, is package learners.
package learn
