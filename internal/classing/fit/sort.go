package fit

import (
	"math"
	"slices"
)

// Radix digits: 11 bits, so six passes cover a 64-bit key and a pass's
// counts (2048) stay in the first-level cache.
const (
	digitBits = 11
	digits    = 1 << digitBits
	passes    = (64 + digitBits - 1) / digitBits
)

// sortFloats sorts vals, which hold no NaN, in increasing order, with an
// LSD radix sort on the bit patterns, one digit per pass: the values of a
// numeric characteristic run to millions, where this is several times
// faster than a comparison sort. Passes whose digit is the same in every
// key are skipped, which makes integer-valued columns cheap. keys and tmp
// are scratch space, grown as needed and returned for reuse.
func sortFloats(vals []float64, keys, tmp []uint64) ([]uint64, []uint64) {
	n := len(vals)
	if n < 2048 {
		slices.Sort(vals)
		return keys, tmp
	}
	keys, tmp = grow(keys, n), grow(tmp, n)
	var hist [passes][digits]int
	for i, v := range vals {
		k := orderedBits(v)
		keys[i] = k
		for p := range passes {
			hist[p][k>>(p*digitBits)&(digits-1)]++
		}
	}
	for p := range passes {
		h := &hist[p]
		shift := p * digitBits
		if h[keys[0]>>shift&(digits-1)] == n {
			continue
		}
		sum := 0
		for d, c := range h {
			h[d] = sum
			sum += c
		}
		for _, k := range keys {
			d := k >> shift & (digits - 1)
			tmp[h[d]] = k
			h[d]++
		}
		keys, tmp = tmp, keys
	}
	for i, k := range keys {
		vals[i] = fromOrderedBits(k)
	}
	return keys, tmp
}

// orderedBits maps a float64 that is not NaN to a uint64 in the same
// order: negative numbers have all bits flipped, the others the sign bit.
// -0 sorts just before +0.
func orderedBits(v float64) uint64 {
	b := math.Float64bits(v)
	if b>>63 != 0 {
		return ^b
	}
	return b | 1<<63
}

// fromOrderedBits inverts orderedBits.
func fromOrderedBits(k uint64) float64 {
	if k>>63 != 0 {
		return math.Float64frombits(k &^ (1 << 63))
	}
	return math.Float64frombits(^k)
}

func grow(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n)
	}
	return s[:n]
}
