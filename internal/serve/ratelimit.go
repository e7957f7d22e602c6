package serve

import (
	"math"
	"sync"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

// bucket is a token bucket: it holds up to burst tokens, refills at
// perSecond, and a request takes one token.
type bucket struct {
	limit apikey.RateLimit

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(l apikey.RateLimit, now time.Time) *bucket {
	return &bucket{limit: l, tokens: float64(l.Burst), last: now}
}

// take takes a token at now; when none is left it returns false and how
// long until one is.
func (b *bucket) take(now time.Time) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(float64(b.limit.Burst), b.tokens+dt*b.limit.PerSecond)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / b.limit.PerSecond * float64(time.Second))
}

// rateLimits returns a bucket per key of f with a rate limit. A key whose
// limit is unchanged from prev keeps its bucket, so a reload of the keys
// file does not refill it.
func rateLimits(f *apikey.File, prev map[string]*bucket, now time.Time) map[string]*bucket {
	var out map[string]*bucket
	for _, k := range f.Keys {
		if k.RateLimit == nil {
			continue
		}
		if out == nil {
			out = map[string]*bucket{}
		}
		if b := prev[k.ID]; b != nil && b.limit == *k.RateLimit {
			out[k.ID] = b
			continue
		}
		out[k.ID] = newBucket(*k.RateLimit, now)
	}
	return out
}
