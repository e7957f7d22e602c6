package gbdt

import "math"

// gpair is a sum of gradients g and hessians h: one histogram bin, one
// node's total, or one row's pair.
type gpair struct{ g, h float64 }

func (a gpair) add(b gpair) gpair { return gpair{a.g + b.g, a.h + b.h} }
func (a gpair) sub(b gpair) gpair { return gpair{a.g - b.g, a.h - b.h} }

// minGain is the smallest gain that counts as a split (XGBoost's kRtEps):
// it keeps rounding noise from splitting a node that nothing can improve.
const minGain = 1e-6

// penalty holds the regularisation of leaf weights.
type penalty struct {
	l1, l2 float64
}

// threshold is T(G) = sign(G)·max(|G| - α, 0), the L1 soft threshold.
func (p penalty) threshold(g float64) float64 {
	switch {
	case g > p.l1:
		return g - p.l1
	case g < -p.l1:
		return g + p.l1
	}
	return 0
}

// weight returns the optimal leaf weight -T(G)/(H + λ), or 0 when H + λ is
// 0 (no hessian and no L2 penalty).
func (p penalty) weight(s gpair) float64 {
	d := s.h + p.l2
	if d <= 0 {
		return 0
	}
	return -p.threshold(s.g) / d
}

// score returns T(G)²/(H + λ), the loss decrease (times two) of the optimal
// weight of a node with sums s.
func (p penalty) score(s gpair) float64 {
	d := s.h + p.l2
	if d <= 0 {
		return 0
	}
	t := p.threshold(s.g)
	return t * t / d
}

// scoreAt returns the loss decrease (times two) of weight w for sums s:
// -(2(G·w + α|w|) + (H + λ)w²). At w = weight(s) it equals score(s).
func (p penalty) scoreAt(s gpair, w float64) float64 {
	return -(2*(s.g*w+p.l1*math.Abs(w)) + (s.h+p.l2)*w*w)
}

// bounds limits a node's leaf weight; monotone constraints narrow them.
type bounds struct{ lo, hi float64 }

// unbounded returns bounds that leave every weight as it is.
func unbounded() bounds { return bounds{math.Inf(-1), math.Inf(1)} }

func (b bounds) clamp(w float64) float64 { return min(max(w, b.lo), b.hi) }

// split is a candidate split of a node.
type split struct {
	// gain is S_L + S_R - S_parent; a split exists only when gain > 0.
	gain float64
	// feature is the column; bin the last value bin that goes left (0:
	// no present value goes left).
	feature int32
	bin     uint8
	// defaultLeft sends missing values (bin 0) left.
	defaultLeft bool
	// left and right are the children's sums.
	left, right gpair
}

func (s *split) valid() bool { return s.gain > 0 }

// better reports whether candidate c beats the current best s: a larger
// gain, or the same gain on a lower feature. The choice thus depends on
// neither the order candidates are compared in nor how features were
// spread over threads.
func (s *split) better(c *split) bool {
	return c.gain > s.gain || (c.gain == s.gain && c.valid() && c.feature < s.feature)
}

// splitFinder scores the splits of one feature's histogram.
type splitFinder struct {
	pen            penalty
	minChildWeight float64
	minSplitGain   float64
}

// find returns the best split of a node with sums sum, bounds bnd and
// parent score parentScore over the feature histogram h (bin 0 = missing).
// mono is the feature's monotone constraint; constrained says whether any
// feature of the model is, in which case child scores use weights clamped
// to bnd. The returned split's gain is 0 when no split is allowed.
func (sf *splitFinder) find(h []gpair, f int32, sum gpair, bnd bounds, parentScore float64, mono int8, constrained bool) split {
	best := split{gain: max(sf.minSplitGain, minGain), feature: -1}
	nb := len(h) - 1 // value bins
	miss := h[0]
	hasMiss := miss.h != 0 || miss.g != 0
	mcw := sf.minChildWeight
	// Split bin b sends value bins 1..b left; b = 0 sends every present
	// value right and only the missing ones left.
	var acc gpair
	for b := 0; b < nb; b++ {
		if b > 0 {
			if h[b].h == 0 && h[b].g == 0 {
				continue // the same split as the previous bin
			}
			acc.g += h[b].g
			acc.h += h[b].h
		}
		for dir := range 2 {
			l := acc
			if dir == 1 {
				if !hasMiss {
					break
				}
				l = acc.add(miss)
			}
			r := sum.sub(l)
			if l.h < mcw || r.h < mcw || l.h <= 0 || r.h <= 0 {
				continue
			}
			var gain float64
			switch {
			case !constrained && sf.pen.l1 == 0:
				gain = l.g*l.g/(l.h+sf.pen.l2) + r.g*r.g/(r.h+sf.pen.l2) - parentScore
			case !constrained:
				gain = sf.pen.score(l) + sf.pen.score(r) - parentScore
			default:
				wl, wr := bnd.clamp(sf.pen.weight(l)), bnd.clamp(sf.pen.weight(r))
				if (mono > 0 && wl > wr) || (mono < 0 && wl < wr) {
					continue
				}
				gain = sf.pen.scoreAt(l, wl) + sf.pen.scoreAt(r, wr) - parentScore
			}
			if gain > best.gain {
				best = split{gain: gain, feature: f, bin: uint8(b), defaultLeft: dir == 1, left: l, right: r}
			}
		}
	}
	if best.feature < 0 {
		return split{}
	}
	if !hasMiss {
		// No missing values here to learn from: send future ones to the
		// child that saw more of the training weight.
		best.defaultLeft = best.left.h >= best.right.h
	}
	return best
}

// nodeScore returns the score of a node with sums s and bounds bnd, the
// baseline a split's gain is measured against.
func (sf *splitFinder) nodeScore(s gpair, bnd bounds, constrained bool) float64 {
	if !constrained {
		return sf.pen.score(s)
	}
	return sf.pen.scoreAt(s, bnd.clamp(sf.pen.weight(s)))
}
