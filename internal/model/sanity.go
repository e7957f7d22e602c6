package model

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// ErrImplausible is wrapped by the errors of a model whose numbers are
// finite and well formed but cannot be a fitted credit model: a leaf or a
// coefficient far beyond what training produces, a calibration that
// collapses every PD to a point or a step, a threshold of 0 or 1. A file
// with a valid hash can still hold such numbers (an edit followed by a
// new hash, a bug in a writer), and it would approve or decline every
// applicant.
var ErrImplausible = errors.New("implausible model numbers")

// Plausibility bounds, far beyond what the learners produce (a log-odds
// leaf of a boosted tree is a fraction of the learning rate times a few
// units; a standardised logistic coefficient is a few units), so that a
// real model never trips them.
const (
	// MaxLogOdds bounds the base margin, each log-odds leaf (times the
	// ensemble's scale), a linear model's intercept and each of its
	// coefficients (per standard deviation of the feature).
	MaxLogOdds = 100
	// MaxPlattSlope bounds the Platt slope: a slope of s multiplies the
	// learner's log-odds by s.
	MaxPlattSlope = 50
	// MinCalibratedSpread is the least spread of the calibrated PD over
	// raw probabilities from 0.0001 to 0.9999: below it, the calibration
	// gives every applicant the same PD.
	MinCalibratedSpread = 0.01
)

// probSlack is the rounding a forest's summed probabilities may show.
const probSlack = 1e-9

// checkNumbers checks that a model's numbers are plausible (see
// ErrImplausible) and names the first failing one.
func (m *Model) checkNumbers() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrImplausible, fmt.Sprintf(format, args...))
	}
	if !(m.Threshold > 0 && m.Threshold < 1) {
		return bad("threshold %v is not strictly between 0 and 1: every applicant would get the same decision", m.Threshold)
	}
	if e := m.Ensemble; e != nil {
		switch e.Output {
		case tree.LogOdds:
			if math.Abs(e.Base) > MaxLogOdds {
				return bad("ensemble base margin %v beyond ±%d log-odds", e.Base, MaxLogOdds)
			}
			for ti := range e.Trees {
				for ni, n := range e.Trees[ti].Nodes {
					if n.Feature < 0 && math.Abs(n.Value*e.Scale) > MaxLogOdds {
						return bad("tree %d leaf %d value %v (scale %v) beyond ±%d log-odds", ti, ni, n.Value, e.Scale, MaxLogOdds)
					}
				}
			}
		case tree.Probability:
			// The margin is Base + Scale·Σ leaves: its bounds over all
			// paths must lie in [0, 1].
			lo, hi := e.Base, e.Base
			for ti := range e.Trees {
				tlo, thi := math.Inf(1), math.Inf(-1)
				for _, n := range e.Trees[ti].Nodes {
					if n.Feature < 0 {
						tlo, thi = min(tlo, n.Value*e.Scale), max(thi, n.Value*e.Scale)
					}
				}
				lo, hi = lo+tlo, hi+thi
			}
			if lo < -probSlack || hi > 1+probSlack {
				return bad("the forest's probabilities range over [%v, %v], not within [0, 1]", lo, hi)
			}
		}
	}
	if lm := m.Linear; lm != nil {
		if math.Abs(lm.Intercept) > MaxLogOdds {
			return bad("linear intercept %v beyond ±%d log-odds", lm.Intercept, MaxLogOdds)
		}
		for j, f := range lm.Features {
			if math.Abs(f.Coef) > MaxLogOdds || (f.Missing != nil && math.Abs(f.Missing.Coef) > MaxLogOdds) {
				return bad("linear coefficient of feature %d (%s) beyond ±%d log-odds per standard deviation", j, m.Features[j], MaxLogOdds)
			}
		}
	}
	if sc := m.Scorecard; sc != nil {
		lo, hi := sc.BasePoints, sc.BasePoints
		for k, c := range sc.Characteristics {
			if math.Abs(c.Coef) > MaxLogOdds {
				return bad("scorecard coefficient of %s %v beyond ±%d log-odds per unit of WoE", c.Name, c.Coef, MaxLogOdds)
			}
			lo, hi = lo+slices.Min(c.Points), hi+sc.MaxPoints(k)
		}
		if lo == hi {
			return bad("every application scores %d points: the PD would not depend on the applicant", lo)
		}
	}
	if c := m.Calibration; c != nil {
		if c.Slope > MaxPlattSlope {
			return bad("calibration slope %v above %d", c.Slope, MaxPlattSlope)
		}
		// The calibrated PD over raw probabilities from 0.0001 to
		// 0.9999: within [0, 1], non-decreasing and spread out.
		lo, hi, prev := math.Inf(1), math.Inf(-1), math.Inf(-1)
		for z := -9.2; z <= 9.2; z += 0.2 {
			pd := m.Calibrate(tree.Sigmoid(z))
			if !(pd >= 0 && pd <= 1) {
				return bad("calibration maps raw probability %.4g to %v, outside [0, 1]", tree.Sigmoid(z), pd)
			}
			if pd < prev {
				return bad("calibration decreases at raw probability %.4g", tree.Sigmoid(z))
			}
			prev, lo, hi = pd, min(lo, pd), max(hi, pd)
		}
		if hi-lo < MinCalibratedSpread {
			return bad("calibration maps every raw probability into [%.4g, %.4g]: the PD would not depend on the applicant", lo, hi)
		}
	}
	return nil
}
