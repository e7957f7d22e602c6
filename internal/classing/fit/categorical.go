package fit

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// fitCategorical classes a categorical characteristic: one fine group per
// level with training rows, sorted by bad rate, then coarse classing with
// the direction Increasing.
func fitCategorical(c *Characteristic, y []float64, t totals, lim limits) (*classing.Binning, error) {
	counts := make([]group, len(c.Levels))
	var missing group
	for i, code := range c.Codes {
		switch {
		case code == -1:
			addLabel(&missing.goods, &missing.bads, y[i])
		case code < 0 || int(code) >= len(c.Levels):
			return nil, fmt.Errorf("%w: level code %d at row %d outside [-1, %d)", ErrCharacteristic, code, i, len(c.Levels))
		default:
			g := &counts[code]
			addLabel(&g.goods, &g.bads, y[i])
		}
	}
	// order lists the levels with rows by bad rate, then by name.
	var order []int
	for k, g := range counts {
		if g.count() > 0 {
			order = append(order, k)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		if r := cmpRate(counts[a], counts[b]); r != 0 {
			return r
		}
		return cmp.Compare(c.Levels[a], c.Levels[b])
	})
	fine := make([]group, len(order))
	for j, k := range order {
		fine[j] = group{start: j, end: j + 1, goods: counts[k].goods, bads: counts[k].bads}
	}
	var gs []group
	if len(fine) > 0 {
		gs = coarse(fine, classing.Increasing, lim)
	}

	b := &classing.Binning{
		Version: classing.FormatVersion,
		Name:    c.Name,
		Kind:    classing.Categorical,
		Levels:  make(map[string]int, len(order)),
	}
	largest := -1
	for j, g := range gs {
		for _, k := range order[g.start:g.end] {
			b.Levels[c.Levels[k]] = j
		}
		if largest < 0 || g.count() > gs[largest].count() {
			largest = j
		}
		b.Bins = append(b.Bins, classing.Bin{Kind: classing.Levels, Goods: g.goods, Bads: g.bads})
	}
	b.Missing = len(b.Bins)
	b.Bins = append(b.Bins, classing.Bin{Kind: classing.Missing, Goods: missing.goods, Bads: missing.bads})
	b.Unseen = b.Missing
	if largest >= 0 {
		b.Unseen = largest
	}
	return finish(b, t), nil
}
