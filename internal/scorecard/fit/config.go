package fit

import (
	"errors"
	"math"

	classfit "github.com/credit-risk/credit-risk/internal/classing/fit"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/scorecard"
)

// Defaults of Config.
const (
	// DefaultIVThreshold is the smallest information value a
	// characteristic needs to be a candidate: below 0.02 it is
	// unpredictive (CREDIT.md §1).
	DefaultIVThreshold = 0.02
	// DefaultMaxCorrelation is the largest |Pearson r| allowed between
	// the WoE columns of two selected characteristics.
	DefaultMaxCorrelation = 0.7
	// DefaultMaxCharacteristics is the most characteristics a scorecard
	// keeps.
	DefaultMaxCharacteristics = 15
	// DefaultEntryChi2 is the likelihood-ratio statistic a characteristic
	// must add to enter the stepwise selection: the 5 % critical value of
	// χ² with one degree of freedom.
	DefaultEntryChi2 = 3.841
	// DefaultSelectionRows is the most rows the correlation filter and the
	// stepwise selection look at.
	DefaultSelectionRows = 200_000
)

// Coding is how the final regression reads the selected characteristics.
type Coding string

// Codings.
const (
	// WoECoding fits one coefficient per characteristic, on the WoE of its
	// bin: the classic scorecard, ln(odds_bad) = α + Σ β_k·WoE_k.
	WoECoding Coding = "woe"
	// BinCoding fits one coefficient per bin (dummy coding), so that a
	// bin's points are estimated given the other characteristics rather
	// than from its own WoE alone: ln(odds_bad) = α + Σ γ_k,bin. The
	// selection is the WoE-coded one's; the bin coefficients are fitted
	// on the selection rows (Config.SelectionRows), L2-penalised, centred
	// on each characteristic's training rows, and kept in the order of
	// the bad rates where the binning has a direction.
	BinCoding Coding = "bins"
)

// Config controls the scorecard learner. The zero value is ready to use
// and gives the documented defaults.
type Config struct {
	// IVThreshold drops the characteristics whose information value is
	// below it. Zero means DefaultIVThreshold (0.02); a negative value
	// drops none.
	IVThreshold float64
	// MaxCorrelation is the largest |r| between the WoE columns of two
	// selected characteristics; of a pair above it, the one with the
	// higher IV stays. Zero means DefaultMaxCorrelation (0.7); otherwise
	// it must lie in (0, 1].
	MaxCorrelation float64
	// MaxCharacteristics is the most characteristics selected. Zero means
	// DefaultMaxCharacteristics (15); it must not be negative.
	MaxCharacteristics int
	// EntryChi2 is the smallest likelihood-ratio statistic 2·ΔLL with
	// which a characteristic enters the stepwise selection. Zero means
	// DefaultEntryChi2 (3.841); a negative value admits every
	// characteristic that keeps the coefficients' signs.
	EntryChi2 float64
	// SelectionRows is the most rows (evenly spaced) the correlation
	// filter, the stepwise selection and a bin-coded fit are computed on;
	// the binning and the WoE-coded fit use every row. Zero means
	// DefaultSelectionRows
	// (200,000); it must not be negative.
	SelectionRows int
	// FineBins and MinShare are the binning's (classing/fit.Config): zero
	// means its defaults, 20 fine bins and 5 % of the rows per bin.
	FineBins int
	MinShare float64
	// FreeTrend lets a numeric characteristic without a monotone
	// constraint in the spec keep a peaked or U-shaped bad rate where that
	// fits better by the penalised likelihood (classing/fit.Config
	// .FreeTrend). Default false: every numeric characteristic is binned
	// monotone.
	FreeTrend bool
	// Coding is the final regression's coding; "" means WoECoding.
	Coding Coding
	// Cleared names characteristics above the leakage band
	// (classing.LeakageIV) that were checked and may be used; any other
	// suspicious characteristic is set aside. Default none.
	Cleared []string
	// Scaling maps log-odds to points. The zero value means
	// scorecard.DefaultScaling (600 points at 50:1, 20 points to double).
	Scaling scorecard.Scaling
	// Threads is the number of goroutines binning and fitting use; zero
	// means every core. The scorecard does not depend on it.
	Threads int
}

// DefaultConfig returns the zero Config, which takes every default.
func DefaultConfig() Config { return Config{} }

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	bad := func(field string, v any, msg string) (Config, error) {
		return c, &learn.ConfigError{Learner: "scorecard", Field: field, Value: v, Err: errors.New(msg)}
	}
	switch {
	case math.IsNaN(c.IVThreshold) || math.IsInf(c.IVThreshold, 0):
		return bad("IVThreshold", c.IVThreshold, "must be finite")
	case c.IVThreshold == 0:
		c.IVThreshold = DefaultIVThreshold
	case c.IVThreshold < 0:
		c.IVThreshold = math.Inf(-1)
	}
	switch {
	case c.MaxCorrelation == 0:
		c.MaxCorrelation = DefaultMaxCorrelation
	case !(c.MaxCorrelation > 0 && c.MaxCorrelation <= 1):
		return bad("MaxCorrelation", c.MaxCorrelation, "must lie in (0, 1]")
	}
	switch {
	case c.MaxCharacteristics == 0:
		c.MaxCharacteristics = DefaultMaxCharacteristics
	case c.MaxCharacteristics < 0:
		return bad("MaxCharacteristics", c.MaxCharacteristics, "must not be negative")
	}
	switch {
	case math.IsNaN(c.EntryChi2) || math.IsInf(c.EntryChi2, 0):
		return bad("EntryChi2", c.EntryChi2, "must be finite")
	case c.EntryChi2 == 0:
		c.EntryChi2 = DefaultEntryChi2
	case c.EntryChi2 < 0:
		c.EntryChi2 = math.Inf(-1)
	}
	switch {
	case c.SelectionRows == 0:
		c.SelectionRows = DefaultSelectionRows
	case c.SelectionRows < 0:
		return bad("SelectionRows", c.SelectionRows, "must not be negative")
	}
	switch c.Coding {
	case "":
		c.Coding = WoECoding
	case WoECoding, BinCoding:
	default:
		return bad("Coding", c.Coding, `must be "woe" or "bins"`)
	}
	if c.Threads < 0 {
		return bad("Threads", c.Threads, "must not be negative")
	}
	if c.Scaling == (scorecard.Scaling{}) {
		c.Scaling = scorecard.DefaultScaling()
	}
	if err := c.Scaling.Validate(); err != nil {
		return bad("Scaling", c.Scaling, err.Error())
	}
	return c, nil
}

// classing returns the binning's configuration; classing/fit validates
// its fields.
func (c Config) classing() classfit.Config {
	return classfit.Config{FineBins: c.FineBins, MinShare: c.MinShare, FreeTrend: c.FreeTrend, Threads: c.Threads}
}
