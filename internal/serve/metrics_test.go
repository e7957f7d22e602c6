package serve

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

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
	if n, err := testutil.GatherAndCount(reg, "model_feature_drift_psi"); err != nil || n != len(s.current.Load().model.Features) {
		t.Errorf("model_feature_drift_psi has %d series (%v); want one per feature", n, err)
	}
	if n, _ := testutil.GatherAndCount(reg, "model_score_drift_psi"); n != 1 {
		t.Errorf("model_score_drift_psi has %d series; want 1", n)
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
	body := do(t, s, "GET", "/metrics", nil).Body.Bytes()
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
