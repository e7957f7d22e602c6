package features

// EncodingConfig tunes how Fit encodes categories.
type EncodingConfig struct {
	// MaxOneHot is the most levels one-hot encoded; above it a category is
	// target-mean encoded.
	MaxOneHot int
	// MinLevelShare folds levels rarer than this share of training rows
	// into OtherLevel.
	MinLevelShare float64
	// Smoothing is the prior weight m of target-mean encoding:
	// (Σy_level + m·prior) / (n_level + m).
	Smoothing float64
}

// FitConfig is what Fit needs beyond the cleaned table.
type FitConfig struct {
	Dataset   string
	DateInput string
	Inputs    []Input
	Derived   []Derived
	// DerivedMonotone holds the monotone constraint of each derived value.
	DerivedMonotone []int
	Encoding        EncodingConfig
}
