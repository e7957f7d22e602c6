package serve

import (
	"math"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

// bucket is a token bucket: it holds up to burst tokens, refills at
// perSecond, and a request takes one token per application.
type bucket struct {
	limit apikey.RateLimit

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newBucket(l apikey.RateLimit, now time.Time) *bucket {
	return &bucket{limit: l, tokens: float64(l.Burst), last: now}
}

// refill adds the tokens earned since the last call (under b.mu).
func (b *bucket) refill(now time.Time) {
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = math.Min(float64(b.limit.Burst), b.tokens+dt*b.limit.PerSecond)
		b.last = now
	}
}

// take takes n tokens at now; when fewer are left it takes none and
// returns false and how long until n are. n must not exceed the burst.
func (b *bucket) take(now time.Time, n int) (bool, time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens >= float64(n) {
		b.tokens -= float64(n)
		return true, 0
	}
	return false, time.Duration((float64(n) - b.tokens) / b.limit.PerSecond * float64(time.Second))
}

// give returns n tokens taken, up to the burst.
func (b *bucket) give(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = math.Min(float64(b.limit.Burst), b.tokens+float64(n))
}

// full reports whether the bucket has refilled to its burst by now, when
// it is the same as a new one.
func (b *bucket) full(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	return b.tokens >= float64(b.limit.Burst)
}

// rateLimits returns a bucket per key of f: its own rate limit, or def for
// a key without one (none when def is off). A key whose limit is
// unchanged from prev keeps its bucket, so a reload of the keys file does
// not refill it.
func rateLimits(f *apikey.File, def apikey.RateLimit, prev map[string]*bucket, now time.Time) map[string]*bucket {
	var out map[string]*bucket
	for _, k := range f.Keys {
		limit := def
		if k.RateLimit != nil {
			limit = *k.RateLimit
		}
		if limit.PerSecond <= 0 {
			continue
		}
		if out == nil {
			out = map[string]*bucket{}
		}
		if b := prev[k.ID]; b != nil && b.limit == limit {
			out[k.ID] = b
			continue
		}
		out[k.ID] = newBucket(limit, now)
	}
	return out
}

// maxAddrBuckets bounds the client addresses an addrLimiter tells apart.
const maxAddrBuckets = 10_000

// addrLimiter is the rate limit of requests that no API key identifies:
// a bucket per client address (an IPv6 client per /64, the block one
// subscriber usually holds). It holds at most maxAddrBuckets buckets: when
// full, the buckets that have refilled are dropped (a full bucket is the
// same as a new one), and while it is still full, new addresses share one
// overflow bucket — so a client cycling through addresses can slow the
// other new clients, but never grows the server's memory.
type addrLimiter struct {
	limit apikey.RateLimit
	max   int

	mu        sync.Mutex
	buckets   map[netip.Prefix]*bucket
	overflow  *bucket
	lastSweep time.Time
}

func newAddrLimiter(l apikey.RateLimit, max int) *addrLimiter {
	return &addrLimiter{limit: l, max: max, buckets: map[netip.Prefix]*bucket{}}
}

// clientPrefix is the block a request's remote address stands for: the
// address itself for IPv4, its /64 for IPv6. An address that cannot be
// parsed is the zero prefix (one shared bucket).
func clientPrefix(remoteAddr string) netip.Prefix {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return netip.PrefixFrom(a, 32)
	}
	p, _ := a.Prefix(64)
	return p
}

// bucket returns the bucket of a client address, making it when new.
func (l *addrLimiter) bucket(remoteAddr string, now time.Time) *bucket {
	p := clientPrefix(remoteAddr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[p]; b != nil {
		return b
	}
	if len(l.buckets) >= l.max && now.Sub(l.lastSweep) >= time.Second {
		// At most a sweep a second: a client cycling through addresses
		// cannot make every request walk the table.
		l.lastSweep = now
		for k, b := range l.buckets {
			if b.full(now) {
				delete(l.buckets, k)
			}
		}
	}
	if len(l.buckets) >= l.max {
		if l.overflow == nil {
			l.overflow = newBucket(l.limit, now)
		}
		return l.overflow
	}
	b := newBucket(l.limit, now)
	l.buckets[p] = b
	return b
}

// len returns the number of addresses with a bucket.
func (l *addrLimiter) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}
