package model

import (
	"math"
	"slices"
)

// NewBins bins values into at most maxBins quantile bins (fewer when values
// repeat) and records the share of each bin and of missing values.
func NewBins(name string, values []float64, maxBins int) Bins {
	present := make([]float64, 0, len(values))
	for _, v := range values {
		if !math.IsNaN(v) {
			present = append(present, v)
		}
	}
	slices.Sort(present)
	var edges []float64
	for k := 1; k < maxBins && len(present) > 0; k++ {
		e := present[k*len(present)/maxBins]
		if e > present[0] && (len(edges) == 0 || e > edges[len(edges)-1]) {
			edges = append(edges, e)
		}
	}
	b := Bins{Name: name, Edges: edges}
	b.Shares = b.Count(values)
	total := float64(len(values))
	for i := range b.Shares {
		if total > 0 {
			b.Shares[i] /= total
		}
	}
	return b
}

// Index returns the bin of v: len(Edges)+1 for a missing value.
func (b *Bins) Index(v float64) int {
	if math.IsNaN(v) {
		return len(b.Edges) + 1
	}
	// The number of edges at or below v: a value on an edge belongs to the
	// bin above it. A few edges are counted without branches; many are
	// searched.
	if len(b.Edges) <= 32 {
		n := 0
		for _, e := range b.Edges {
			if e <= v {
				n++
			}
		}
		return n
	}
	lo, hi := 0, len(b.Edges)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if b.Edges[mid] <= v {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Count returns how many values fall in each bin (missing last).
func (b *Bins) Count(values []float64) []float64 {
	counts := make([]float64, len(b.Edges)+2)
	for _, v := range values {
		counts[b.Index(v)]++
	}
	return counts
}
