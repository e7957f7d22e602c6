package serve

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

func TestMetrics(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	for i := range 10 {
		do(t, s, "POST", "/predict", servetest.Application(i))
	}
	do(t, s, "POST", "/predict", `{`)
	do(t, s, "GET", "/nope", nil)
	do(t, s, "GET", "/predict", nil)
	do(t, s, "BREW", "/predict", nil)

	reg := s.Registry()
	if n := testutil.CollectAndCount(s.metrics.predictions); n != 2 {
		t.Errorf("predictions_total has %d series; want 2", n)
	}
	if got := testutil.ToFloat64(s.metrics.predicted[0]) + testutil.ToFloat64(s.metrics.predicted[1]); got != 10 {
		t.Errorf("predictions_total sums to %v; want 10", got)
	}
	for _, tt := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"POST", "/predict", "200"}, 10},
		{[]string{"POST", "/predict", "400"}, 1},
		{[]string{"GET", "other", "404"}, 1},
		{[]string{"GET", "/predict", "405"}, 1},
		{[]string{"other", "/predict", "405"}, 1},
	} {
		if got := testutil.ToFloat64(s.metrics.requests.WithLabelValues(tt.labels...)); got != tt.want {
			t.Errorf("http_requests_total%v = %v; want %v", tt.labels, got, tt.want)
		}
	}
	// The state collector: model_loaded, model_info and drift gauges.
	want := `
# HELP model_loaded 1 when a valid model is loaded and serving, else 0.
# TYPE model_loaded gauge
model_loaded 1
# HELP model_info The model serving: always 1, with its version and algorithm as labels.
# TYPE model_info gauge
model_info{algorithm="gbdt",version="gbdt_v1"} 1
# HELP model_drift_window_applications Applications in the drift window (at most the window size).
# TYPE model_drift_window_applications gauge
model_drift_window_applications 10
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "model_loaded", "model_info", "model_drift_window_applications"); err != nil {
		t.Error(err)
	}
	// A window of 10 applications is too few for a PSI.
	if n, _ := testutil.GatherAndCount(reg, "model_feature_drift_psi", "model_score_drift_psi"); n != 0 {
		t.Errorf("%d drift PSI series on a window of 10 applications; want none", n)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p.Metric, "go_") || strings.HasPrefix(p.Metric, "process_") {
			continue
		}
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// TestPromtool lints /metrics with the real promtool when it is installed
// (Debian package prometheus).
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool not installed (apt-get install prometheus)")
	}
	s, _ := testServer(t, servetest.Options{}, nil)
	for i := range 5 {
		do(t, s, "POST", "/predict", servetest.Application(i))
	}
	promtoolCheck(t, promtool, do(t, s, "GET", "/metrics", nil).Body.Bytes())
}

// promtoolCheck runs promtool check metrics on an exposition.
func promtoolCheck(t *testing.T, promtool string, body []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "metrics.txt")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin, _ = os.Open(path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// TestMetricsCardinality sends what a hostile client would, 50,000
// requests with random methods, paths, query strings, headers and bodies,
// and checks that /metrics stays small: every label value a client can
// influence comes from a closed set.
func TestMetricsCardinality(t *testing.T) {
	if testing.Short() {
		t.Skip("50,000 requests")
	}
	s, _ := testServer(t, servetest.Options{}, nil)
	rng := rand.New(rand.NewPCG(12, 34))
	letters := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('A' + rng.IntN(26))
		}
		return string(b)
	}
	paths := []string{"/predict", "/predict/batch", "/health", "/ready", "/model/info", "/metrics", "/stats", "/openapi.json", "/docs", "/docs/x.js"}
	methods := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}
	start := time.Now()
	const n = 50_000
	for range n {
		method := methods[rng.IntN(len(methods))]
		if rng.IntN(2) == 0 {
			method = letters(12)
		}
		path := paths[rng.IntN(len(paths))]
		if rng.IntN(2) == 0 {
			path = "/" + letters(1+rng.IntN(20)) + "/" + strings.ToLower(letters(rng.IntN(8)))
		}
		h := http.Header{}
		h.Set("X-Request-Id", letters(16))
		h.Set("X-"+letters(8), letters(8))
		h.Set("Content-Type", []string{"application/json", "text/plain", letters(6) + "/" + letters(4)}[rng.IntN(3)])
		body := fmt.Sprintf(`{"%s": %d}`, strings.ToLower(letters(10)), rng.IntN(1000))
		if rng.IntN(4) == 0 {
			body = letters(30)
		}
		req := &http.Request{
			Method: method, URL: &url.URL{Path: path, RawQuery: url.Values{letters(5): {letters(5)}, "explain": {letters(3)}}.Encode()},
			Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Header: h, Host: "127.0.0.1",
			RemoteAddr: "127.0.0.1:1234", Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		}
		s.ServeHTTP(httptest.NewRecorder(), req)
	}
	rec := do(t, s, "GET", "/metrics", nil)
	size := rec.Body.Len()
	t.Logf("%d requests in %v; /metrics is %d bytes", n, time.Since(start).Round(time.Millisecond), size)
	if size > 200<<10 {
		t.Errorf("/metrics is %d bytes after %d random requests; want under 200 KiB", size, n)
	}
	t.Run("promtool", func(t *testing.T) {
		promtool, err := exec.LookPath("promtool")
		if err != nil {
			t.Skip("promtool not installed (apt-get install prometheus): the exposition is not linted")
		}
		promtoolCheck(t, promtool, rec.Body.Bytes())
	})
}

// TestDriftGauges checks that the PSI gauges appear only once the drift
// window holds enough applications: min(MinDriftApplications, window).
func TestDriftGauges(t *testing.T) {
	for _, window := range []int{40, 5000} {
		s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.DriftWindow = window })
		need := min(window, MinDriftApplications)
		reg := s.Registry()
		for i := range need {
			if n, _ := testutil.GatherAndCount(reg, "model_feature_drift_psi", "model_score_drift_psi"); n != 0 {
				t.Fatalf("window %d: %d PSI series after %d applications; want none before %d", window, n, i, need)
			}
			if i%100 == 0 || i > need-3 {
				if stats := do(t, s, "GET", "/stats", nil).Body.String(); strings.Contains(stats, "score_psi") {
					t.Fatalf("window %d: /stats gives a PSI after %d applications: %s", window, i, stats)
				}
			}
			if rec := do(t, s, "POST", "/predict", servetest.Application(i)); rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
		}
		if n, err := testutil.GatherAndCount(reg, "model_feature_drift_psi"); err != nil || n != len(s.current.Load().model.Features) {
			t.Errorf("window %d: model_feature_drift_psi has %d series (%v) after %d applications; want one per feature", window, n, err, need)
		}
		if n, _ := testutil.GatherAndCount(reg, "model_score_drift_psi"); n != 1 {
			t.Errorf("window %d: model_score_drift_psi has %d series; want 1", window, n)
		}
		if stats := do(t, s, "GET", "/stats", nil).Body.String(); !strings.Contains(stats, "score_psi") {
			t.Errorf("window %d: /stats gives no PSI after %d applications", window, need)
		}
	}
}
