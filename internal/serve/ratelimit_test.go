package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// batchBody is a batch of n copies of the test application.
func batchBody(tb testing.TB, n int) []byte {
	tb.Helper()
	var app json.RawMessage = appBody(tb)
	apps := make([]json.RawMessage, n)
	for i := range apps {
		apps[i] = app
	}
	b, err := json.Marshal(map[string]any{"applications": apps})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// doFrom sends a request from a client address, with an API key when
// secret is not "".
func doFrom(h http.Handler, remote, method, target, secret string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, bytes.NewReader(body))
	req.RemoteAddr = remote
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-API-Key", secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestRateLimit_DefaultForKeys(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	a, ha := apikey.NewSecret()
	b, hb := apikey.NewSecret()
	own, ho := apikey.NewSecret()
	f := &apikey.File{Keys: []apikey.Key{
		{ID: "a", Hash: ha, Scopes: []string{apikey.ScopeScore}},
		{ID: "b", Hash: hb, Scopes: []string{apikey.ScopeScore}},
		{ID: "own", Hash: ho, Scopes: []string{apikey.ScopeScore}, RateLimit: &apikey.RateLimit{PerSecond: 0.01, Burst: 5}},
	}}
	if err := f.WriteFile(keysPath); err != nil {
		t.Fatal(err)
	}
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.APIKeysFile = keysPath
		c.RateLimit = apikey.RateLimit{PerSecond: 0.01, Burst: 3}
	})
	app := appBody(t)
	count := func(secret string, n int) (ok int) {
		for range n {
			if doFrom(s, "192.0.2.1:1", "POST", "/predict", secret, app).Code == 200 {
				ok++
			}
		}
		return ok
	}
	// Each key has its own bucket: the default's 3, or its own 5.
	if got := count(a, 6); got != 3 {
		t.Errorf("key a: %d of 6 allowed; want RATE_LIMIT_BURST 3", got)
	}
	if got := count(b, 6); got != 3 {
		t.Errorf("key b (after a was limited): %d of 6 allowed; want 3", got)
	}
	if got := count(own, 8); got != 5 {
		t.Errorf("key with its own limit: %d of 8 allowed; want its burst 5", got)
	}
	if got := counterTotal(t, s, "rate_limited_requests_total"); got != 3+3+3 {
		t.Errorf("rate_limited_requests_total = %v; want 9", got)
	}
	// /health is never limited.
	for range 5 {
		if rec := doFrom(s, "192.0.2.1:1", "GET", "/health", "", nil); rec.Code != 200 {
			t.Fatalf("GET /health: %d", rec.Code)
		}
	}
}

func TestRateLimit_PerAddressWithoutKeys(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.RateLimit = apikey.RateLimit{PerSecond: 0.01, Burst: 2}
	})
	app := appBody(t)
	tests := []struct {
		remote string
		want   int
	}{
		{"192.0.2.1:1000", 200},
		{"192.0.2.1:1001", 200}, // another port, the same client
		{"192.0.2.1:1002", 429},
		{"192.0.2.2:1000", 200}, // another client
		{"[2001:db8::1]:1", 200},
		{"[2001:db8::2]:1", 200}, // the same /64
		{"[2001:db8::3]:1", 429},
		{"[2001:db8:0:1::1]:1", 200},  // another /64
		{"[::ffff:192.0.2.1]:1", 429}, // 192.0.2.1, IPv4-mapped
	}
	for _, tt := range tests {
		rec := doFrom(s, tt.remote, "POST", "/predict", "", app)
		if rec.Code != tt.want {
			t.Errorf("from %s: %d; want %d", tt.remote, rec.Code, tt.want)
		}
		if tt.want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("from %s: 429 without Retry-After", tt.remote)
		}
	}
}

func TestRateLimit_BatchCountsApplications(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	secret, hash := apikey.NewSecret()
	f := &apikey.File{Keys: []apikey.Key{
		{ID: "batcher", Hash: hash, Scopes: []string{apikey.ScopeScore}, RateLimit: &apikey.RateLimit{PerSecond: 0.01, Burst: 10}},
	}}
	if err := f.WriteFile(keysPath); err != nil {
		t.Fatal(err)
	}
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.APIKeysFile = keysPath })
	before := counterTotal(t, s, "predictions_total")
	steps := []struct {
		name string
		n    int
		want int
	}{
		{"a batch larger than the burst (costs nothing)", 11, http.StatusRequestEntityTooLarge},
		{"6 of the 10 tokens", 6, 200},
		{"5, more than the 4 left (costs nothing)", 5, 429},
		{"the 4 left", 4, 200},
		{"an empty batch still takes its request's token", 0, 429},
	}
	for _, st := range steps {
		rec := doFrom(s, "192.0.2.1:1", "POST", "/predict/batch", secret, batchBody(t, st.n))
		if rec.Code != st.want {
			t.Fatalf("%s: %d; want %d\n%s", st.name, rec.Code, st.want, rec.Body)
		}
		if st.want == 429 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", st.name)
		}
	}
	// Only the admitted batches were scored.
	if got := counterTotal(t, s, "predictions_total") - before; got != 10 {
		t.Errorf("predictions_total grew by %v; want 10 (refused batches are not scored)", got)
	}
}

func TestAddrLimiter_Bounded(t *testing.T) {
	l := newAddrLimiter(apikey.RateLimit{PerSecond: 1, Burst: 1}, 100)
	now := time.Now()
	// 1,000 addresses, each taking its token: the table stops at 100 and
	// the others share the overflow bucket.
	allowed := 0
	for i := range 1000 {
		b := l.bucket(fmt.Sprintf("198.51.%d.%d:443", i/256, i%256), now)
		if ok, _ := b.take(now, 1); ok {
			allowed++
		}
	}
	if n := l.len(); n != 100 {
		t.Errorf("%d addresses held; want the bound 100", n)
	}
	if allowed != 101 {
		t.Errorf("%d requests allowed; want 100 own buckets and 1 overflow token", allowed)
	}
	// Once the buckets have refilled, the sweep frees their places.
	later := now.Add(2 * time.Second)
	b := l.bucket("203.0.113.1:1", later)
	if b == l.overflow {
		t.Error("a new address after the refill got the overflow bucket")
	}
	if n := l.len(); n != 1 {
		t.Errorf("after the sweep %d addresses held; want 1", n)
	}
}

func TestClientPrefix(t *testing.T) {
	tests := []struct {
		remote string
		want   string
	}{
		{"192.0.2.1:80", "192.0.2.1/32"},
		{"[2001:db8:1:2:3:4:5:6]:80", "2001:db8:1:2::/64"},
		{"[fe80::1%eth0]:80", "fe80::/64"},
		{"[::ffff:192.0.2.1]:80", "192.0.2.1/32"},
		{"192.0.2.1", "192.0.2.1/32"},
		{"garbage", "invalid Prefix"},
	}
	for _, tt := range tests {
		if got := clientPrefix(tt.remote); got.String() != tt.want {
			t.Errorf("clientPrefix(%q) = %s; want %s", tt.remote, got, tt.want)
		}
	}
	var zero netip.Prefix
	if clientPrefix("") != zero {
		t.Error("empty address: want the zero prefix")
	}
}

// counterTotal returns the sum of the counter's series.
func counterTotal(tb testing.TB, s *Server, name string) float64 {
	tb.Helper()
	mfs, err := s.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	total := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				total += m.GetCounter().GetValue()
			}
		}
	}
	return total
}
