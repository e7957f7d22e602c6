package forest

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
)

// Defaults of Config, as set by DefaultConfig.
const (
	DefaultTrees           = 100
	DefaultMaxDepth        = 10
	DefaultMinSamplesLeaf  = 1
	DefaultMinSamplesSplit = 2
	DefaultMaxBins         = binning.DefaultMaxBins
	DefaultClassWeight     = learn.Balanced
)

// Config holds the forest parameters. Start from DefaultConfig: the zero
// value is not valid (it has no trees), and zero is a meaningful value for
// several fields such as Bootstrap and MaxDepth.
type Config struct {
	// Trees is the number of trees. Default 100.
	Trees int
	// MaxDepth bounds the depth of every tree (the root has depth 0).
	// Default 10. Zero means no limit (scikit-learn's max_depth=None).
	MaxDepth int
	// MinSamplesLeaf is the fewest distinct training rows a leaf may hold;
	// a row drawn several times by the bootstrap counts once, as in
	// scikit-learn. Default 1.
	MinSamplesLeaf int
	// MinSamplesSplit is the fewest distinct training rows a node must hold
	// to be split. Default 2.
	MinSamplesSplit int
	// MaxFeatures is the number of features drawn at random for each
	// split, at most the number of features. Default 0, meaning
	// max(1, ⌊√features⌋), scikit-learn's classifier default "sqrt".
	MaxFeatures int
	// Bootstrap grows each tree on n rows drawn with replacement from the n
	// training rows; when false every tree sees every row once. Default
	// true.
	Bootstrap bool
	// ClassWeight weights the classes: learn.Unweighted or learn.Balanced,
	// the class weights computed once on all training rows and multiplied
	// by the bootstrap counts. Leaf probabilities are then shares of the
	// reweighted classes: they rank rows but overstate the rarer class
	// until calibrated. Default learn.Balanced.
	ClassWeight learn.ClassWeight
	// MaxBins is the number of histogram bins per feature, the
	// missing-value bin included, in [3, 256]. Default 256.
	MaxBins int
	// BinSampleRows caps the rows that bin cut points are computed from.
	// Default 0, meaning binning.DefaultSampleRows; negative means all
	// rows.
	BinSampleRows int
	// Threads is the number of goroutines. Default 0, meaning
	// runtime.GOMAXPROCS(0). The fitted forest does not depend on it.
	Threads int
	// Seed seeds the bootstrap and feature draws of every tree and the
	// bin-sample draw. Default 0.
	Seed uint64
}

// DefaultConfig returns the default parameters, those of scikit-learn's
// RandomForestClassifier(n_estimators=100, max_depth=10,
// class_weight="balanced") apart from binning into at most 256 codes.
func DefaultConfig() Config {
	return Config{
		Trees:           DefaultTrees,
		MaxDepth:        DefaultMaxDepth,
		MinSamplesLeaf:  DefaultMinSamplesLeaf,
		MinSamplesSplit: DefaultMinSamplesSplit,
		Bootstrap:       true,
		ClassWeight:     DefaultClassWeight,
		MaxBins:         DefaultMaxBins,
	}
}

// Validate reports the first invalid field as a *learn.ConfigError. That
// MaxFeatures does not exceed the number of features can only be checked
// against data, by Fit.
func (c Config) Validate() error {
	bad := func(field string, value any, format string, args ...any) error {
		return &learn.ConfigError{Learner: "forest", Field: field, Value: value, Err: fmt.Errorf(format, args...)}
	}
	switch {
	case c.Trees < 1:
		return bad("Trees", c.Trees, "must be at least 1")
	case c.MaxDepth < 0:
		return bad("MaxDepth", c.MaxDepth, "must not be negative")
	case c.MinSamplesLeaf < 1:
		return bad("MinSamplesLeaf", c.MinSamplesLeaf, "must be at least 1")
	case c.MinSamplesSplit < 2:
		return bad("MinSamplesSplit", c.MinSamplesSplit, "must be at least 2")
	case c.MaxFeatures < 0:
		return bad("MaxFeatures", c.MaxFeatures, "must not be negative")
	case c.ClassWeight.Validate() != nil:
		return bad("ClassWeight", c.ClassWeight, "must be %q or %q", learn.Unweighted, learn.Balanced)
	case c.MaxBins < 3 || c.MaxBins > binning.MaxBinsLimit:
		return bad("MaxBins", c.MaxBins, "must lie in [3, %d]", binning.MaxBinsLimit)
	case c.Threads < 0:
		return bad("Threads", c.Threads, "must not be negative")
	}
	return nil
}

// maxFeatures resolves MaxFeatures for nf features.
func (c Config) maxFeatures(nf int) int {
	if c.MaxFeatures > 0 {
		return c.MaxFeatures
	}
	return max(1, int(math.Sqrt(float64(nf))))
}
