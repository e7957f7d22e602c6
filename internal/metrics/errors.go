package metrics

import "errors"

// Sentinel errors. Functions wrap them with the offending index and value.
var (
	// ErrEmpty reports that there are no samples, or that their total
	// weight is zero.
	ErrEmpty = errors.New("metrics: no samples")
	// ErrOneClass reports that only one class is present (or the other
	// class has zero total weight), so a ranking metric is undefined.
	ErrOneClass = errors.New("metrics: only one class present")
	// ErrLabel reports a label that is neither 0 nor 1.
	ErrLabel = errors.New("metrics: label is not 0 or 1")
	// ErrScore reports a NaN score.
	ErrScore = errors.New("metrics: score is NaN")
	// ErrProbability reports a predicted probability outside [0, 1] or NaN.
	ErrProbability = errors.New("metrics: probability outside [0, 1]")
	// ErrWeight reports a negative, NaN or infinite weight.
	ErrWeight = errors.New("metrics: weight is negative or not finite")
	// ErrDistribution reports a PSI input with a negative or non-finite
	// bin, or with no mass at all.
	ErrDistribution = errors.New("metrics: invalid binned distribution")
	// ErrTooFew reports too few samples of a class for a statistic, such
	// as DeLong's test, which needs two of each.
	ErrTooFew = errors.New("metrics: too few samples of a class")
)
