// Package learners is the table of the learners credit-risk trains: one
// row per learner with its name, its default configuration, how to fit it
// and how to tune it, and the parameters recorded with its models. The
// train step, the tuning hook of retrain, the bench command and the CLI's
// --algorithms flag all read the table, so a new learner is a package
// following the contract of package learn plus one row in table.go.
//
// This is training code: it links every learner's fitting code and the
// tuner, and the scoring API must not import it.
package learners
