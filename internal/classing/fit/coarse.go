package fit

import (
	"math"
	"math/bits"
	"slices"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// group is a run of adjacent fine bins (or sorted levels) [start, end)
// with its counts.
type group struct {
	start, end  int
	goods, bads int64
}

func (g group) count() int64 { return g.goods + g.bads }

func (g group) rate() float64 { return float64(g.bads) / float64(g.count()) }

func (g *group) absorb(o group) {
	g.start = min(g.start, o.start)
	g.end = max(g.end, o.end)
	g.goods += o.goods
	g.bads += o.bads
}

// cmpRate compares the bad rates of a and c exactly: -1, 0 or +1 as
// a.bads/a.count is below, equal to or above c.bads/c.count. Both groups
// must hold rows.
func cmpRate(a, c group) int {
	// a.bads·c.count versus c.bads·a.count in 128-bit arithmetic.
	h1, l1 := bits.Mul64(uint64(a.bads), uint64(c.count()))
	h2, l2 := bits.Mul64(uint64(c.bads), uint64(a.count()))
	switch {
	case h1 < h2 || h1 == h2 && l1 < l2:
		return -1
	case h1 == h2 && l1 == l2:
		return 0
	}
	return 1
}

// limits are the size rules of coarse classing, and the rule of free
// classing.
type limits struct {
	minCount, minGoods, minBads int64
	// split is the smallest likelihood-ratio statistic that keeps two
	// adjacent bins of a free classing apart; 0 means no free classing.
	split float64
}

func (l limits) ok(g group) bool {
	return g.count() >= l.minCount && g.goods >= l.minGoods && g.bads >= l.minBads
}

// poolAdjacent merges adjacent groups, in place, until the bad rate
// strictly increases (dir Increasing) or strictly decreases (Decreasing)
// from each group to the next: pool adjacent violators. It returns the
// shortened slice. Every group must hold rows, and dir must not be Auto.
func poolAdjacent(gs []group, dir classing.Direction) []group {
	out := gs[:0]
	for _, g := range gs {
		out = append(out, g)
		for n := len(out); n > 1 && cmpRate(out[n-2], out[n-1]) != -int(dir); n = len(out) {
			out[n-2].absorb(out[n-1])
			out = out[:n-1]
		}
	}
	return out
}

// mergeSmall merges groups that break the size rules, in place, each into
// the adjacent group with the closest bad rate (the left one on a tie),
// smallest group first, until every group keeps the rules or one group is
// left. It returns the shortened slice. Every group must hold rows.
func mergeSmall(gs []group, lim limits) []group {
	for len(gs) > 1 {
		worst := -1
		for i, g := range gs {
			if !lim.ok(g) && (worst < 0 || g.count() < gs[worst].count()) {
				worst = i
			}
		}
		if worst < 0 {
			break
		}
		into := worst - 1
		if worst == 0 || worst+1 < len(gs) &&
			math.Abs(gs[worst+1].rate()-gs[worst].rate()) < math.Abs(gs[worst-1].rate()-gs[worst].rate()) {
			into = worst + 1
		}
		gs[into].absorb(gs[worst])
		gs = slices.Delete(gs, worst, worst+1)
	}
	return gs
}

// coarse pools the fine groups in direction dir and then merges the small
// ones. It works on a copy, leaving fine as it is.
func coarse(fine []group, dir classing.Direction, lim limits) []group {
	gs := slices.Clone(fine)
	gs = poolAdjacent(gs, dir)
	return mergeSmall(gs, lim)
}

// free merges the fine groups without an order of the bad rate: first the
// small ones (mergeSmall), then, while two adjacent groups differ by less
// than lim.split, the adjacent pair that differs least (pairSplit). It
// works on a copy, leaving fine as it is.
func free(fine []group, lim limits) []group {
	gs := mergeSmall(slices.Clone(fine), lim)
	for len(gs) > 1 {
		best, bestG := -1, math.Inf(1)
		for i := 1; i < len(gs); i++ {
			if g := pairSplit(gs[i-1], gs[i]); g < bestG {
				best, bestG = i, g
			}
		}
		if !(bestG < lim.split) {
			break
		}
		gs[best-1].absorb(gs[best])
		gs = slices.Delete(gs, best, best+1)
	}
	return gs
}

// pairSplit returns the likelihood-ratio statistic (G test) of the
// difference between the bad rates of a and c: 2·(ℓ(a) + ℓ(c) − ℓ(a∪c)),
// ℓ the binned log-likelihood (logLik).
func pairSplit(a, c group) float64 {
	m := a
	m.absorb(c)
	return 2 * (logLik(a) + logLik(c) - logLik(m))
}

// logLik returns the log-likelihood of a group's labels under its own bad
// rate: b·ln(b/n) + g·ln(g/n), 0·ln 0 taken as 0.
func logLik(g group) float64 {
	n := float64(g.count())
	xlx := func(k int64) float64 {
		if k == 0 {
			return 0
		}
		return float64(k) * math.Log(float64(k)/n)
	}
	return xlx(g.goods) + xlx(g.bads)
}

// penalised returns the binned log-likelihood of gs less split/2 per group:
// with split = ln n, minus half the Bayesian information criterion.
func penalised(gs []group, split float64) float64 {
	var ll float64
	for _, g := range gs {
		ll += logLik(g)
	}
	return ll - split/2*float64(len(gs))
}

// trend returns the direction the bad rate follows over gs strictly, or
// classing.Auto when it follows none.
func trend(gs []group) classing.Direction {
	inc, dec := true, true
	for i := 1; i < len(gs); i++ {
		switch cmpRate(gs[i-1], gs[i]) {
		case -1:
			dec = false
		case 1:
			inc = false
		default:
			inc, dec = false, false
		}
	}
	switch {
	case len(gs) < 2:
		return classing.Auto
	case inc:
		return classing.Increasing
	case dec:
		return classing.Decreasing
	}
	return classing.Auto
}

// totals are the goods and bads over all rows of a characteristic.
type totals struct {
	goods, bads float64
	adj         float64
}

// woe returns the WoE and IV term of a bin with the given counts.
func (t totals) woe(goods, bads int64) (woe, iv float64) {
	g, b := float64(goods), float64(bads)
	woe = classing.WoE(g, b, t.goods, t.bads, t.adj)
	return woe, classing.IV(g, b, t.goods, t.bads, woe)
}

// iv returns the information value of the groups alone.
func (t totals) iv(gs []group) float64 {
	var s float64
	for _, g := range gs {
		_, iv := t.woe(g.goods, g.bads)
		s += iv
	}
	return s
}
