package binning

import (
	"math"
	"slices"
)

// Radix sort of float64 values by their bit patterns, 11 bits per pass.
// It beats a comparison sort by several times on the hundreds of thousands
// of values cut points are computed from, and costs little on
// low-cardinality features, whose constant digits skip their pass.
const (
	radixBits    = 11
	radixBuckets = 1 << radixBits
	radixPasses  = (64 + radixBits - 1) / radixBits
	// radixMinLen is the length below which a comparison sort is faster.
	radixMinLen = 1024
)

// sortKey maps a non-NaN float64 to a uint64 with the same order: negative
// values have every bit flipped, the others only the sign bit.
func sortKey(v float64) uint64 {
	k := math.Float64bits(v)
	if k>>63 == 1 {
		return ^k
	}
	return k | 1<<63
}

func fromSortKey(k uint64) float64 {
	if k>>63 == 1 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

// SortFloats sorts vals, which hold no NaN, in increasing order: a radix
// sort on the values' bit patterns from radixMinLen values on (passes
// whose digit is the same in every key are skipped, so integer-valued
// columns are cheap), a comparison sort below. keys and tmp are scratch
// space, grown as needed and returned for reuse. The GBDT's cut points
// and the scorecard's fine classing sort with it.
func SortFloats(vals []float64, keys, tmp []uint64) ([]uint64, []uint64) {
	n := len(vals)
	if n < radixMinLen {
		slices.Sort(vals)
		return keys, tmp
	}
	if cap(keys) < n {
		keys = make([]uint64, n)
		tmp = make([]uint64, n)
	}
	keys, tmp = keys[:n], tmp[:n]
	var counts [radixPasses][radixBuckets]int
	for i, v := range vals {
		k := sortKey(v)
		keys[i] = k
		for p := range radixPasses {
			counts[p][(k>>(p*radixBits))&(radixBuckets-1)]++
		}
	}
	for p := range radixPasses {
		c := &counts[p]
		shift := p * radixBits
		if c[(keys[0]>>shift)&(radixBuckets-1)] == n {
			continue // every key has the same digit here
		}
		pos := 0
		for d := range c {
			c[d], pos = pos, pos+c[d]
		}
		for _, k := range keys {
			d := (k >> shift) & (radixBuckets - 1)
			tmp[c[d]] = k
			c[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, k := range keys {
		vals[i] = fromSortKey(k)
	}
	return keys, tmp
}
