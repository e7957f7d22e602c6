package fit

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/classing"
)

// scratch is the reusable memory of one worker.
type scratch struct {
	vals      []float64
	keys, tmp []uint64
}

// fitNumeric classes a numeric characteristic, using s for scratch space.
func fitNumeric(c *Characteristic, y []float64, t totals, lim limits, fineBins int, s *scratch) (*classing.Binning, error) {
	specials := slices.Clone(c.Specials)
	slices.Sort(specials)
	// spec[k] counts the rows of special value k, and of the special
	// values that joined it.
	spec := make([]group, len(specials))
	var missing group

	// Pass 1: set missing and special values aside, gather the others.
	buf := s.vals[:0]
	if cap(buf) < len(c.Values) {
		buf = make([]float64, 0, len(c.Values))
	}
	defer func() { s.vals = buf }()
	for i, x := range c.Values {
		if x != x {
			addLabel(&missing.goods, &missing.bads, y[i])
			continue
		}
		if k := specialIndex(specials, x); k >= 0 {
			addLabel(&spec[k].goods, &spec[k].bads, y[i])
			continue
		}
		if math.IsInf(x, 0) {
			return nil, fmt.Errorf("%w at row %d", ErrInfinite, i)
		}
		buf = append(buf, x)
	}
	s.keys, s.tmp = binning.SortFloats(buf, s.keys, s.tmp)
	cuts := fineCuts(buf, fineBins)

	// Pass 2: count the rows of each fine bin from the sorted values, and
	// its bads by looking up the bad rows alone, usually the few.
	var fine []group
	if len(buf) > 0 {
		fine = make([]group, len(cuts)+1)
		prev := 0
		for k := range fine {
			end := len(buf)
			if k < len(cuts) {
				end = sort.SearchFloat64s(buf, cuts[k]) // values below the cut
			}
			fine[k] = group{start: k, end: k + 1, goods: int64(end - prev)}
			prev = end
		}
		for i, v := range y {
			if v != 1 {
				continue
			}
			if x := c.Values[i]; x == x && specialIndex(specials, x) < 0 {
				g := &fine[upperBound(cuts, x)]
				g.goods--
				g.bads++
			}
		}
	}

	// Coarse classing of the ordinary values.
	dir := c.Direction
	var ord []group
	switch {
	case len(fine) == 0:
	case dir != classing.Auto:
		ord = coarse(fine, dir, lim)
	default:
		inc := coarse(fine, classing.Increasing, lim)
		dec := coarse(fine, classing.Decreasing, lim)
		dir, ord = classing.Increasing, inc
		if t.iv(dec) > t.iv(inc) {
			dir, ord = classing.Decreasing, dec
		}
		// A free classing replaces the monotone one when it fits better
		// by the penalised likelihood; a tie keeps the monotone one.
		if lim.split > 0 {
			if f := free(fine, lim); penalised(f, lim.split) > penalised(ord, lim.split) {
				dir, ord = trend(f), f
			}
		}
	}
	if len(ord) <= 1 {
		dir = classing.Auto
	}

	// Special values: each stands alone unless it breaks the size rules.
	// home[k] says where special k went: own (its own set, or the set it
	// joined, alias[k]), an ordinary group, or the missing bin.
	//
	// Joining the bin with the closest bad rate keeps the ordinary groups
	// in order: the joined group's new rate lies strictly between its old
	// rate and the special's, and no other group's rate lies in that
	// interval, or it would have been closer.
	const own = -1
	missingHome := len(ord)
	home := make([]int, len(spec))
	alias := make([]int, len(spec))
	for k := range spec {
		home[k], alias[k] = own, k
		if spec[k].count() == 0 {
			home[k] = missingHome
		}
	}
	for {
		// The smallest special set that breaks the rules.
		worst := -1
		for k := range spec {
			if home[k] != own || alias[k] != k || lim.ok(spec[k]) {
				continue
			}
			if worst < 0 || spec[k].count() < spec[worst].count() {
				worst = k
			}
		}
		if worst < 0 {
			break
		}
		// The bin with the closest bad rate: ordinary groups first, then
		// the missing bin, then the other special sets; the first on a tie.
		r := spec[worst].rate()
		best, bestDist := 0, math.Inf(1)
		consider := func(id int, g group) {
			if g.count() == 0 {
				return
			}
			if d := math.Abs(g.rate() - r); d < bestDist {
				best, bestDist = id, d
			}
		}
		for j, g := range ord {
			consider(j, g)
		}
		consider(missingHome, missing)
		for k := range spec {
			if k != worst && home[k] == own && alias[k] == k {
				consider(missingHome+1+k, spec[k])
			}
		}
		if math.IsInf(bestDist, 1) {
			break // nothing else holds rows
		}
		switch {
		case best < len(ord):
			home[worst] = best
			ord[best].goods += spec[worst].goods
			ord[best].bads += spec[worst].bads
		case best == missingHome:
			home[worst] = missingHome
			missing.goods += spec[worst].goods
			missing.bads += spec[worst].bads
		default:
			k := best - missingHome - 1
			alias[worst] = k
			spec[k].goods += spec[worst].goods
			spec[k].bads += spec[worst].bads
		}
	}

	// Build the binning: ordinary, missing, special bins.
	b := &classing.Binning{
		Version:   classing.FormatVersion,
		Name:      c.Name,
		Kind:      classing.Numeric,
		Direction: dir,
	}
	if len(ord) == 0 {
		b.Bins = append(b.Bins, classing.Bin{Kind: classing.Range})
	}
	for j, g := range ord {
		if j > 0 {
			b.Cuts = append(b.Cuts, cuts[g.start-1])
		}
		b.Bins = append(b.Bins, classing.Bin{Kind: classing.Range, Goods: g.goods, Bads: g.bads})
	}
	b.Missing = len(b.Bins)
	b.Bins = append(b.Bins, classing.Bin{Kind: classing.Missing, Goods: missing.goods, Bads: missing.bads})
	binOf := make([]int, len(spec))
	for k := range spec {
		if home[k] == own && alias[k] == k {
			binOf[k] = len(b.Bins)
			b.Bins = append(b.Bins, classing.Bin{Kind: classing.Special, Goods: spec[k].goods, Bads: spec[k].bads})
		}
	}
	for k, v := range specials {
		r := k // follow the special sets k joined
		for home[r] == own && alias[r] != r {
			r = alias[r]
		}
		bin := binOf[r]
		switch h := home[r]; {
		case h == missingHome:
			bin = b.Missing
		case h != own:
			bin = h
		}
		b.Specials = append(b.Specials, classing.SpecialValue{Value: v, Bin: bin})
	}
	return finish(b, t), nil
}

// addLabel counts label v as a good or a bad.
func addLabel(goods, bads *int64, v float64) {
	if v == 1 {
		*bads++
	} else {
		*goods++
	}
}

// specialIndex returns the index of x in the sorted specials, or -1.
func specialIndex(specials []float64, x float64) int {
	for k, s := range specials {
		if x == s {
			return k
		}
	}
	return -1
}

// fineCuts returns the cut points of fine classing for the sorted values
// vals: a cut between every two distinct values when there are at most
// fineBins of them, otherwise at most fineBins-1 cuts near the quantiles
// k/fineBins, each moved to the nearer end of the run of equal values it
// falls in, so a run is never split.
func fineCuts(vals []float64, fineBins int) []float64 {
	n := len(vals)
	if n == 0 {
		return nil
	}
	distinct := 1
	for i := 1; i < n && distinct <= fineBins; i++ {
		if vals[i] != vals[i-1] {
			distinct++
		}
	}
	var cuts []float64
	if distinct <= fineBins {
		for i := 1; i < n; i++ {
			if vals[i] != vals[i-1] {
				cuts = append(cuts, cutBetween(vals[i-1], vals[i]))
			}
		}
		return cuts
	}
	prev := 0 // start of the current fine bin
	for k := 1; k < fineBins; k++ {
		p := int((int64(k)*int64(n) + int64(fineBins)/2) / int64(fineBins))
		if p <= prev || p >= n {
			continue
		}
		v := vals[p]
		a := prev + sort.SearchFloat64s(vals[prev:], v)                      // first index of v
		e := p + sort.Search(n-p, func(i int) bool { return vals[p+i] > v }) // one past its last
		c := e
		if a > prev && (e >= n || p-a <= e-p) {
			c = a
		}
		if c <= prev || c >= n {
			continue
		}
		cuts = append(cuts, cutBetween(vals[c-1], vals[c]))
		prev = c
	}
	return cuts
}

// cutBetween returns the cut point between adjacent distinct values
// a < b: their midpoint rounded to the fewest significant decimal digits
// that keep it in the middle half of the gap, so that a scorecard table
// reads [16.045, 18.615) rather than [16.045, 18.615000000000002), and
// 1.5 between 1 and 2. The result c always has a < c <= b: it is b when
// no number lies strictly between a and b.
func cutBetween(a, b float64) float64 {
	m := a/2 + b/2
	if !(m > a) || m > b {
		return b
	}
	slack := b/4 - a/4
	for prec := 1; prec < 17; prec++ {
		c, err := strconv.ParseFloat(strconv.FormatFloat(m, 'g', prec, 64), 64)
		if err == nil && a < c && c <= b && math.Abs(c-m) <= slack {
			return c
		}
	}
	return m
}

// upperBound returns the number of cuts <= x.
func upperBound(cuts []float64, x float64) int {
	lo, n := 0, len(cuts)
	for n > 0 {
		half := n >> 1
		if cuts[lo+half] <= x {
			lo += half + 1
			n -= half + 1
		} else {
			n = half
		}
	}
	return lo
}
