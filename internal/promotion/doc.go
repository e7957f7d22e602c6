// Package promotion decides whether a retrain's best candidate replaces
// the production champion. Both are scored on the same recent window (the
// validation slice of the new training period); the candidate is promoted
// when it beats the champion by a margin on the selection metric and
// passes the absolute gates (calibration error, score stability, adverse
// impact ratio). Otherwise it becomes the challenger. Every gate is
// recorded with its threshold, its value and whether it passed, so that
// the registry and the report say which gate stopped a candidate.
package promotion
