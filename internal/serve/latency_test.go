package serve

import (
	"math"
	"testing"
	"time"
)

func TestLatencyQuantiles(t *testing.T) {
	tests := []struct {
		name    string
		samples func(record func(time.Duration))
		q       float64
		want    time.Duration
	}{
		{"uniform 1..1000µs, median", func(r func(time.Duration)) {
			for i := 1; i <= 1000; i++ {
				r(time.Duration(i) * time.Microsecond)
			}
		}, 0.5, 500 * time.Microsecond},
		{"uniform 1..1000µs, p99", func(r func(time.Duration)) {
			for i := 1; i <= 1000; i++ {
				r(time.Duration(i) * time.Microsecond)
			}
		}, 0.99, 990 * time.Microsecond},
		{"constant 3ms", func(r func(time.Duration)) {
			for range 50 {
				r(3 * time.Millisecond)
			}
		}, 0.9, 3 * time.Millisecond},
		{"bimodal", func(r func(time.Duration)) {
			for range 90 {
				r(time.Millisecond)
			}
			for range 10 {
				r(time.Second)
			}
		}, 0.95, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l latency
			tt.samples(l.record)
			_, q := l.quantiles(tt.q)
			// Buckets are a quarter octave wide: within 25%.
			if rel := math.Abs(float64(q[0]-tt.want)) / float64(tt.want); rel > 0.25 {
				t.Errorf("quantile %v = %v; want %v within 25%%", tt.q, q[0], tt.want)
			}
		})
	}
	var empty latency
	if n, q := empty.quantiles(0.5); n != 0 || q[0] != 0 {
		t.Errorf("empty histogram: %d samples, median %v; want 0 and 0", n, q[0])
	}
}

func TestBucketBounds(t *testing.T) {
	for _, ns := range []uint64{0, 1, 3, 4, 7, 8, 1000, 123456789, 1 << 40} {
		lo, hi := bucketBounds(bucketOf(ns))
		if float64(ns) < lo || float64(ns) >= hi {
			t.Errorf("%d ns falls in bucket [%v, %v)", ns, lo, hi)
		}
	}
}
