package gbdt

import (
	"fmt"
	"math"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
)

// Growth names the order in which a tree's nodes are split.
type Growth string

// The growth policies.
const (
	// DepthWise splits every splittable node of one depth before going
	// deeper, up to MaxDepth (XGBoost's "depthwise").
	DepthWise Growth = "depthwise"
	// LeafWise always splits the leaf with the largest gain next, up to
	// MaxLeaves leaves (XGBoost's "lossguide", LightGBM's default).
	LeafWise Growth = "leafwise"
)

// Defaults of Config, as set by DefaultConfig.
const (
	DefaultRounds          = 100
	DefaultMaxDepth        = 6
	DefaultLearningRate    = 0.1
	DefaultMaxBins         = binning.DefaultMaxBins
	DefaultL2              = 1.0
	DefaultMinChildWeight  = 1.0
	DefaultSubsample       = 1.0
	DefaultColSampleByTree = 1.0
)

// Config holds the boosting parameters. Start from DefaultConfig: the zero
// value is not valid (it has no rounds), because zero is a meaningful value
// for several fields such as L2.
type Config struct {
	// Rounds is the number of boosting rounds, one tree each. Default 100.
	Rounds int
	// MaxDepth bounds the depth of every tree (the root has depth 0).
	// Default 6. Zero means no depth limit, which only leaf-wise growth
	// with MaxLeaves > 0 allows.
	MaxDepth int
	// MaxLeaves bounds the number of leaves of every tree. Default 0,
	// meaning no limit.
	MaxLeaves int
	// Growth is the node expansion order. Default DepthWise; the empty
	// string means DepthWise.
	Growth Growth
	// LearningRate (eta) shrinks every leaf value. Default 0.1.
	LearningRate float64
	// MaxBins is the number of histogram bins per feature, the missing-value
	// bin included, in [3, 256]. Default 256.
	MaxBins int
	// BinSampleRows caps the rows that bin cut points are computed from.
	// Default 0, meaning binning.DefaultSampleRows; negative means all rows.
	BinSampleRows int
	// L2 (lambda) is the L2 penalty on leaf weights. Default 1.
	L2 float64
	// L1 (alpha) is the L1 penalty on leaf weights. Default 0.
	L1 float64
	// MinChildWeight is the smallest hessian sum a child may have.
	// Default 1.
	MinChildWeight float64
	// MinSplitGain (gamma) is the gain a split must exceed. Default 0.
	// Gains are S_L + S_R - S_parent as in the package comment (XGBoost's
	// scale, twice the decrease of the regularised loss).
	MinSplitGain float64
	// Subsample is the fraction of rows each tree is grown on, drawn per
	// tree without replacement, in (0, 1]. Default 1.
	Subsample float64
	// ColSampleByTree is the fraction of features each tree may split on,
	// drawn per tree, in (0, 1]. Default 1.
	ColSampleByTree float64
	// Monotone optionally constrains the model per feature: +1 means the
	// predicted log-odds never decreases as the feature grows, -1 never
	// increases, 0 unconstrained. Nil means no constraints; otherwise its
	// length must equal the number of features.
	Monotone []int8
	// EarlyStoppingRounds stops fitting once the validation log loss has
	// not improved for this many rounds, and keeps only the trees up to the
	// best round. Default 0, meaning off; it needs validation data.
	EarlyStoppingRounds int
	// Threads is the number of goroutines. Default 0, meaning
	// runtime.GOMAXPROCS(0). The fitted model does not depend on it.
	Threads int
	// Seed seeds row and column subsampling and the bin-sample draw.
	// Default 0.
	Seed uint64
}

// DefaultConfig returns the default parameters, the same as XGBoost's
// except for the 256-bin cap that includes the missing-value bin.
func DefaultConfig() Config {
	return Config{
		Rounds:          DefaultRounds,
		MaxDepth:        DefaultMaxDepth,
		Growth:          DepthWise,
		LearningRate:    DefaultLearningRate,
		MaxBins:         DefaultMaxBins,
		L2:              DefaultL2,
		MinChildWeight:  DefaultMinChildWeight,
		Subsample:       DefaultSubsample,
		ColSampleByTree: DefaultColSampleByTree,
	}
}

// Validate reports the first invalid field as a *learn.ConfigError. The length of
// Monotone can only be checked against data, by Fit.
func (c Config) Validate() error {
	bad := func(field string, value any, format string, args ...any) error {
		return &learn.ConfigError{Learner: "gbdt", Field: field, Value: value, Err: fmt.Errorf(format, args...)}
	}
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	switch {
	case c.Rounds < 1:
		return bad("Rounds", c.Rounds, "must be at least 1")
	case c.MaxDepth < 0:
		return bad("MaxDepth", c.MaxDepth, "must not be negative")
	case c.MaxLeaves < 0 || c.MaxLeaves == 1:
		return bad("MaxLeaves", c.MaxLeaves, "must be 0 (no limit) or at least 2")
	case c.Growth != "" && c.Growth != DepthWise && c.Growth != LeafWise:
		return bad("Growth", c.Growth, "must be %q or %q", DepthWise, LeafWise)
	case c.growth() == DepthWise && c.MaxDepth == 0:
		return bad("MaxDepth", c.MaxDepth, "must be at least 1 for depth-wise growth")
	case c.MaxDepth == 0 && c.MaxLeaves == 0:
		return bad("MaxLeaves", c.MaxLeaves, "must be set when MaxDepth is 0")
	case !finite(c.LearningRate) || c.LearningRate <= 0:
		return bad("LearningRate", c.LearningRate, "must be positive and finite")
	case c.MaxBins < 3 || c.MaxBins > binning.MaxBinsLimit:
		return bad("MaxBins", c.MaxBins, "must lie in [3, %d]", binning.MaxBinsLimit)
	case !finite(c.L2) || c.L2 < 0:
		return bad("L2", c.L2, "must be finite and not negative")
	case !finite(c.L1) || c.L1 < 0:
		return bad("L1", c.L1, "must be finite and not negative")
	case !finite(c.MinChildWeight) || c.MinChildWeight < 0:
		return bad("MinChildWeight", c.MinChildWeight, "must be finite and not negative")
	case !finite(c.MinSplitGain) || c.MinSplitGain < 0:
		return bad("MinSplitGain", c.MinSplitGain, "must be finite and not negative")
	case !(c.Subsample > 0 && c.Subsample <= 1):
		return bad("Subsample", c.Subsample, "must lie in (0, 1]")
	case !(c.ColSampleByTree > 0 && c.ColSampleByTree <= 1):
		return bad("ColSampleByTree", c.ColSampleByTree, "must lie in (0, 1]")
	case c.EarlyStoppingRounds < 0:
		return bad("EarlyStoppingRounds", c.EarlyStoppingRounds, "must not be negative")
	case c.Threads < 0:
		return bad("Threads", c.Threads, "must not be negative")
	}
	for i, m := range c.Monotone {
		if m < -1 || m > 1 {
			return bad(fmt.Sprintf("Monotone[%d]", i), m, "must be -1, 0 or +1")
		}
	}
	return nil
}

func (c Config) growth() Growth {
	if c.Growth == "" {
		return DepthWise
	}
	return c.Growth
}
