package fit

import "github.com/credit-risk/credit-risk/internal/features"

// Encoding tunes how Pipeline encodes categories.
type Encoding struct {
	// MaxOneHot is the most levels one-hot encoded; above it a category is
	// target-mean encoded.
	MaxOneHot int
	// MinLevelShare folds levels rarer than this share of training rows
	// into features.OtherLevel.
	MinLevelShare float64
	// Smoothing is the prior weight m of target-mean encoding:
	// (Σy_level + m·prior) / (n_level + m).
	Smoothing float64
}

// Config is what Pipeline needs beyond the cleaned table.
type Config struct {
	Dataset   string
	DateInput string
	// Inputs are the cleaned inputs, as Input and DateInput learned them.
	Inputs  []features.Input
	Derived []features.Derived
	// DerivedMonotone holds the monotone constraint of each derived value.
	DerivedMonotone []int
	Encoding        Encoding
}
