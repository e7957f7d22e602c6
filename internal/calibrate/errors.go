package calibrate

import "errors"

// Sentinel errors. Fit functions wrap them with the offending index.
var (
	// ErrEmpty reports no samples, or zero total weight.
	ErrEmpty = errors.New("calibrate: no samples")
	// ErrOneClass reports held-out labels of only one class.
	ErrOneClass = errors.New("calibrate: only one class present")
	// ErrLabel reports a label that is neither 0 nor 1.
	ErrLabel = errors.New("calibrate: label is not 0 or 1")
	// ErrScore reports a NaN or infinite score.
	ErrScore = errors.New("calibrate: score is not finite")
	// ErrWeight reports a negative, NaN or infinite weight.
	ErrWeight = errors.New("calibrate: weight is negative or not finite")
	// ErrDecreasing reports a Platt fit whose slope is negative: on the
	// held-out data the default rate falls as the score rises, so the
	// scores are unfit to calibrate.
	ErrDecreasing = errors.New("calibrate: default rate decreases with the score")
	// ErrInvalid reports a Calibrator that fails Validate.
	ErrInvalid = errors.New("calibrate: invalid calibrator")
)
