package classing

import (
	"fmt"
	"math"
)

// DefaultAdjustment is the additive adjustment of WoE for a bin with zero
// goods or zero bads (CREDIT.md §1).
const DefaultAdjustment = 0.5

// LeakageIV is the information value above which a characteristic is
// suspiciously strong: it predicts so well on its own that it should be
// checked for leakage (information recorded after the decision) before it
// is used.
const LeakageIV = 0.5

// WoE returns the weight of evidence of a bin with goods goods and bads
// bads, out of totalGoods goods and totalBads bads over all bins:
//
//	ln( (goods/totalGoods) / (bads/totalBads) )
//
// When exactly one of goods and bads is zero, adj is added to both before
// taking the logarithm, so the result is finite. An empty bin (no goods, no
// bads) returns 0. The totals must be positive and adj must be positive;
// otherwise the result is NaN or ±Inf.
func WoE(goods, bads, totalGoods, totalBads, adj float64) float64 {
	if goods == 0 && bads == 0 {
		return 0
	}
	if goods == 0 || bads == 0 {
		goods += adj
		bads += adj
	}
	return math.Log((goods / totalGoods) / (bads / totalBads))
}

// IV returns the information value term of a bin with the given counts and
// weight of evidence woe:
//
//	(goods/totalGoods − bads/totalBads) · woe
//
// The shares are the unadjusted ones, whatever adjustment woe was computed
// with.
func IV(goods, bads, totalGoods, totalBads, woe float64) float64 {
	return (goods/totalGoods - bads/totalBads) * woe
}

// Strength is the predictive strength of a characteristic, read from its
// information value by the rule of thumb of CREDIT.md §1.
type Strength int

// Strength bands, weakest first.
const (
	// Unpredictive is an IV below 0.02.
	Unpredictive Strength = iota
	// Weak is an IV in [0.02, 0.1).
	Weak
	// Medium is an IV in [0.1, 0.3).
	Medium
	// Strong is an IV in [0.3, 0.5].
	Strong
	// Suspicious is an IV above LeakageIV (0.5): suspiciously strong.
	Suspicious
)

var strengthNames = [...]string{
	Unpredictive: "unpredictive",
	Weak:         "weak",
	Medium:       "medium",
	Strong:       "strong",
	Suspicious:   "suspicious",
}

// StrengthOf returns the band of information value iv. NaN is
// Unpredictive.
func StrengthOf(iv float64) Strength {
	switch {
	case iv > LeakageIV:
		return Suspicious
	case iv >= 0.3:
		return Strong
	case iv >= 0.1:
		return Medium
	case iv >= 0.02:
		return Weak
	default:
		return Unpredictive
	}
}

// String returns the band's lower-case name, such as "medium".
func (s Strength) String() string {
	if s < 0 || int(s) >= len(strengthNames) {
		return fmt.Sprintf("Strength(%d)", int(s))
	}
	return strengthNames[s]
}

// MarshalText encodes the band by its name. It fails for a value that is
// not one of the constants.
func (s Strength) MarshalText() ([]byte, error) {
	if s < 0 || int(s) >= len(strengthNames) {
		return nil, fmt.Errorf("classing: unknown strength %d", int(s))
	}
	return []byte(strengthNames[s]), nil
}

// UnmarshalText decodes a band name written by MarshalText.
func (s *Strength) UnmarshalText(text []byte) error {
	for i, name := range strengthNames {
		if string(text) == name {
			*s = Strength(i)
			return nil
		}
	}
	return fmt.Errorf("classing: unknown strength %q", text)
}
