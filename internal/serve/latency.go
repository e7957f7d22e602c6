package serve

import (
	"math/bits"
	"sync/atomic"
	"time"
)

// latencyBuckets per power of two: bucket boundaries grow by 2^(1/4)-ish
// steps (exactly: four linear sub-buckets per octave), so a quantile read
// from the histogram is within 25% of the true value.
const (
	latencySub     = 4
	latencyBuckets = 64 * latencySub
)

// latency is a lock-free histogram of durations for /stats quantiles.
// Recording is one atomic add.
type latency struct {
	counts [latencyBuckets]atomic.Uint64
}

// bucketOf returns the bucket of a duration of ns nanoseconds: the octave
// (bit length) and the next two bits below the leading one.
func bucketOf(ns uint64) int {
	e := bits.Len64(ns)
	if e < 3 {
		return int(ns) // 0, 1, 2, 3 ns: their own buckets
	}
	sub := (ns >> (e - 3)) & (latencySub - 1)
	return e*latencySub + int(sub)
}

// bucketBounds returns the [lo, hi) range of bucket b in nanoseconds.
func bucketBounds(b int) (lo, hi float64) {
	if b < latencySub*3 {
		return float64(b), float64(b + 1)
	}
	e, sub := b/latencySub, b%latencySub
	base := float64(uint64(1) << (e - 1))
	step := base / latencySub
	return base + float64(sub)*step, base + float64(sub+1)*step
}

func (l *latency) record(d time.Duration) {
	if d < 0 {
		d = 0
	}
	l.counts[bucketOf(uint64(d))].Add(1)
}

// quantiles returns the count and the durations at quantiles qs
// (ascending, in [0, 1]), interpolated linearly inside a bucket.
func (l *latency) quantiles(qs ...float64) (uint64, []time.Duration) {
	var counts [latencyBuckets]uint64
	var n uint64
	for i := range l.counts {
		counts[i] = l.counts[i].Load()
		n += counts[i]
	}
	out := make([]time.Duration, len(qs))
	if n == 0 {
		return 0, out
	}
	var cum uint64
	qi := 0
	for b := 0; b < latencyBuckets && qi < len(qs); b++ {
		c := counts[b]
		for qi < len(qs) && float64(cum+c) >= qs[qi]*float64(n) && c > 0 {
			lo, hi := bucketBounds(b)
			frac := (qs[qi]*float64(n) - float64(cum)) / float64(c)
			frac = min(max(frac, 0), 1)
			out[qi] = time.Duration(lo + frac*(hi-lo))
			qi++
		}
		cum += c
	}
	return n, out
}
