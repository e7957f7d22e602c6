// Package tune is the pipeline's tuning step: it searches the parameters
// of each learner by random search with successive halving, scoring a
// configuration by its mean validation ROC-AUC over cross-validation folds
// of the training period only. The test period is never seen.
//
// # Folds
//
// When the rows are in time order (Options.TimeOrdered) the folds are
// expanding windows (TimeFolds): with k folds the rows are cut into k+1
// consecutive blocks and fold i trains on blocks 0..i and validates on
// block i+1, so a model is never scored on loans older than the ones it
// learnt from. Otherwise the folds are stratified (StratifiedFolds). Both
// are deterministic: the first depends only on the row count, the second
// on the labels and Options.Seed.
//
// # Successive halving
//
// A search draws Budget.Trials configurations; configuration 0 is the
// learner's default (the base configuration the caller passes), the others
// are random draws from the space below, each a copy of the default with
// the searched fields replaced. With n configurations there are
// 1 + ⌊log₃ n⌋ rungs, at most MaxRungs (n = 27 gives rungs of 27, 9 and 3
// configurations):
//
//   - the top rung fits every fold, on at most MaxRows training rows each;
//   - the rung below fits only the main fold (the newest for time-ordered
//     folds, the first otherwise) on at most MaxRows rows;
//   - each lower rung fits the main fold on 1/Eta of the rows of the rung
//     above (at least MinRows), a fixed random sample per fold and size;
//   - below the top rung a random forest grows 1/Eta of its trees.
//
// Each rung keeps the best 1/Eta of its configurations (by mean AUC, ties
// to the lower ID) for the next. The default is evaluated first on every
// rung whether it ranked or not, so the deciding rung, the top one unless
// the time budget ran out, always compares the winner with the default on
// the same folds and rows: Result.BestAUC is never below
// Result.DefaultAUC, and tuning never picks a configuration that did worse
// than the default in cross-validation. Training rows above MaxRows and
// validation rows above 2·MaxRows are subsampled, which keeps a trial's
// cost bounded on millions of rows.
//
// The time budget (Budget.Seconds) is checked before each trial. The cost
// of a trial is taken to be proportional to the rows it fits (times the
// share of trees, for a forest), which gives the expected time of the next
// trial from the ones already run. No trial starts that is expected to end after
// the budget, and no rung starts unless the default and one other
// configuration are expected to finish on it; the first trial always runs.
// After the first trial the search also estimates the cost of its whole
// plan and starts with fewer configurations (never fewer than
// Eta^(rungs−1)) if the plan would not fit. When the budget stops the
// search it decides on the highest rung where the default and at least one
// other configuration ran. A trial that is running when the budget ends is
// finished, so a search can overrun by the length of one trial.
//
// The context is checked before every fit and inside the learners' loops;
// a cancelled search returns the context's error.
//
// # Search spaces
//
// GBDT (gbdt.Config), DefaultGBDTTrials configurations:
//
//	max_depth         MaxDepth         integer, uniform on 2..8
//	learning_rate     LearningRate     log-uniform on [0.02, 0.3)
//	min_child_weight  MinChildWeight   log-uniform on [0.5, 100)
//	subsample         Subsample        uniform on [0.5, 1)
//	colsample_bytree  ColSampleByTree  uniform on [0.4, 1)
//	l2                L2               log-uniform on [0.1, 100)
//	rounds            Rounds           GBDTMaxRounds, with early stopping on the
//	                                   fold's validation rows after
//	                                   EarlyStoppingRounds (default GBDTEarlyStopping)
//
// Random forest (forest.Config), DefaultForestTrials configurations:
//
//	max_depth         MaxDepth         integer, uniform on 4..18
//	min_samples_leaf  MinSamplesLeaf   integer, log-uniform on 1..200
//	max_features      MaxFeatures      integer, log-uniform on
//	                                   max(1, ⌊√p⌋/2)..max(that, ⌊p/2⌋) for p features
//
// Logistic regression (logreg.Config), DefaultLogisticTrials configurations:
//
//	C                 C                log-uniform on [1e-4, 100)
//
// Sampled real values are rounded to three significant digits.
//
// # Scores
//
// A fold's score is metrics.ROCAUC of the model's validation scores
// (log-odds for boosting and logistic regression, the class-1 probability
// for a forest; the AUC depends only on their order), and a trial's score
// is the mean over its folds.
package tune
