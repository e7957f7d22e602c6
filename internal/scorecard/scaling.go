package scorecard

import (
	"errors"
	"fmt"
	"math"
)

// Defaults of the points scaling (CREDIT.md §1): 600 points at good:bad
// odds of 50:1, and 20 points to double the odds.
const (
	DefaultBaseScore = 600
	DefaultBaseOdds  = 50
	DefaultPDO       = 20
)

// Bounds of a sane scaling and points.
const (
	// MaxAbsScore bounds |BaseScore|, |Offset|, |BasePoints| and the
	// points of a bin.
	MaxAbsScore = 1e6
	// MaxPDO bounds PDO.
	MaxPDO = 1e4
)

// ErrScaling reports an invalid scaling.
var ErrScaling = errors.New("scorecard: invalid scaling")

// Scaling maps the log-odds of the model to points:
//
//	Score = Offset + Factor·ln(odds_good)
//	Factor = PDO / ln 2,  Offset = BaseScore − Factor·ln(BaseOdds)
//
// so that BaseScore points mean good:bad odds of BaseOdds and every PDO
// points double them.
type Scaling struct {
	// BaseScore is the score at odds BaseOdds.
	BaseScore float64 `json:"base_score"`
	// BaseOdds are the good:bad odds at BaseScore (50 means 50:1).
	BaseOdds float64 `json:"base_odds"`
	// PDO is the number of points that double the odds.
	PDO float64 `json:"pdo"`
	// Factor is PDO / ln 2.
	Factor float64 `json:"factor"`
	// Offset is BaseScore − Factor·ln(BaseOdds).
	Offset float64 `json:"offset"`
}

// NewScaling returns the scaling of baseScore points at good:bad odds
// baseOdds with pdo points to double the odds, or an error wrapping
// ErrScaling when they are not sane (see Validate).
func NewScaling(baseScore, baseOdds, pdo float64) (Scaling, error) {
	s := Scaling{BaseScore: baseScore, BaseOdds: baseOdds, PDO: pdo}
	s.Factor = pdo / math.Ln2
	s.Offset = baseScore - s.Factor*math.Log(baseOdds)
	return s, s.Validate()
}

// DefaultScaling returns the scaling of the defaults: 600 points at 50:1,
// 20 points to double the odds.
func DefaultScaling() Scaling {
	s, _ := NewScaling(DefaultBaseScore, DefaultBaseOdds, DefaultPDO)
	return s
}

// Validate reports whether s is sane: every number finite, BaseOdds
// positive, PDO in (0, MaxPDO], |BaseScore| and |Offset| at most
// MaxAbsScore, and Factor and Offset those of BaseScore, BaseOdds and PDO
// (to a relative 1e-12). Errors wrap ErrScaling.
func (s Scaling) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrScaling, fmt.Sprintf(format, args...))
	}
	switch {
	case !finite(s.BaseScore) || math.Abs(s.BaseScore) > MaxAbsScore:
		return bad("base_score %v not finite or beyond ±%g", s.BaseScore, float64(MaxAbsScore))
	case !(s.BaseOdds > 0) || math.IsInf(s.BaseOdds, 1):
		return bad("base_odds %v must be positive and finite", s.BaseOdds)
	case !(s.PDO > 0) || s.PDO > MaxPDO:
		return bad("pdo %v outside (0, %g]", s.PDO, float64(MaxPDO))
	case !finite(s.Factor) || !finite(s.Offset) || math.Abs(s.Offset) > MaxAbsScore:
		return bad("factor %v, offset %v: not finite or the offset beyond ±%g", s.Factor, s.Offset, float64(MaxAbsScore))
	}
	factor := s.PDO / math.Ln2
	if !near(s.Factor, factor) {
		return bad("factor %v; pdo/ln 2 is %v", s.Factor, factor)
	}
	if offset := s.BaseScore - factor*math.Log(s.BaseOdds); !near(s.Offset, offset) {
		return bad("offset %v; base_score − factor·ln(base_odds) is %v", s.Offset, offset)
	}
	return nil
}

// near reports whether a and b agree to a relative 1e-12 (absolute near
// zero).
func near(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*max(1, math.Abs(a), math.Abs(b))
}

// LogOddsBad returns ln(odds_bad) at score: (Offset − score)/Factor.
func (s Scaling) LogOddsBad(score float64) float64 { return (s.Offset - score) / s.Factor }

// PD returns the probability of default at score, 1/(1 + exp((score −
// Offset)/Factor)), before any calibration.
func (s Scaling) PD(score float64) float64 {
	return 1 / (1 + math.Exp(-s.LogOddsBad(score)))
}

// Points returns the unrounded points of a bin with weight of evidence woe
// of a characteristic with coefficient coef, in a model with intercept
// alpha on n characteristics: −(coef·woe + alpha/n)·Factor + Offset/n.
func (s Scaling) Points(coef, woe, alpha float64, n int) float64 {
	return -(coef*woe+alpha/float64(n))*s.Factor + s.Offset/float64(n)
}
