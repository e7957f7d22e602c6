package serve

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/logbuf"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// benchBody is one application as a Lending Club export has it: the model's
// fields plus many it does not read.
func benchBody(b *testing.B, i int) []byte {
	b.Helper()
	app := servetest.Application(i)
	for k := range 40 {
		app[fmt.Sprintf("unused_field_%02d", k)] = fmt.Sprintf("value %d", k)
	}
	data, err := json.Marshal(app)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// reusableRequest is a request whose body can be rewound.
type reusableRequest struct {
	req  *http.Request
	body *bytes.Reader
}

func newReusableRequest(target string, body []byte) *reusableRequest {
	rd := bytes.NewReader(body)
	req := httptest.NewRequest("POST", target, io.NopCloser(rd))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/json")
	return &reusableRequest{req: req, body: rd}
}

func (r *reusableRequest) rewind() { r.body.Seek(0, io.SeekStart) }

// discardWriter is a ResponseWriter that keeps the status and drops the
// body, so the benchmark measures the handler, not the recorder.
type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// benchPredict runs one application through s.ServeHTTP per iteration,
// with the access log as the program writes it (JSON records through the
// buffered writer), and reports the CPU time per request. edit, when set,
// adjusts the request once (headers).
func benchPredict(b *testing.B, s *Server, edit func(*http.Request)) {
	benchPredictBody(b, s, benchBody(b, 1), edit)
}

// benchPredictBody is benchPredict with the given body.
func benchPredictBody(b *testing.B, s *Server, body []byte, edit func(*http.Request)) {
	access := logbuf.New(io.Discard, 0, 0)
	defer access.Close()
	s.access = slog.New(slog.NewJSONHandler(access, nil))
	rr := newReusableRequest("/predict", body)
	if edit != nil {
		edit(rr.req)
	}
	w := &discardWriter{h: http.Header{}}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		rr.rewind()
		clear(w.h)
		w.status = 0
		s.ServeHTTP(w, rr.req)
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	if w.status != 0 && w.status != 200 {
		b.Fatalf("status %d", w.status)
	}
}

// BenchmarkPredict is one application through ServeHTTP: JSON decoding,
// the feature pipeline, the trees, metrics, drift, the access log (to a
// discarding logger) and the response encoding.
func BenchmarkPredict(b *testing.B) {
	for _, trees := range []int{10, 100, 300} {
		b.Run(fmt.Sprintf("trees=%d", trees), func(b *testing.B) {
			s, _ := testServer(b, servetest.Options{Trees: trees, Depth: 6}, nil)
			benchPredict(b, s, nil)
		})
	}
}

// BenchmarkPredictDecision is BenchmarkPredict with 100 trees of depth 6
// on an approved and on a declined application: a declined one also gets
// its adverse-action reasons (TreeSHAP, the contributions summed onto the
// fields, the catalogue's reasons).
func BenchmarkPredictDecision(b *testing.B) {
	s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6}, nil)
	bodies := map[string][]byte{}
	for i := 0; len(bodies) < 2 && i < 1000; i++ {
		body := benchBody(b, i)
		var a struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal(do(b, s, "POST", "/predict", body).Body.Bytes(), &a); err != nil {
			b.Fatal(err)
		}
		if _, ok := bodies[a.Status]; !ok {
			bodies[a.Status] = body
		}
	}
	for _, status := range []string{StatusApproved, StatusDeclined} {
		b.Run(status, func(b *testing.B) {
			body, ok := bodies[status]
			if !ok {
				b.Fatalf("no %s application among the first 1,000", status)
			}
			benchPredictBody(b, s, body, nil)
		})
	}
}

// BenchmarkPredictAuth is BenchmarkPredict with 100 trees, without and
// with API keys, and with API keys and a rate limit: with keys, the
// request carries the last of 5 keys, and the handler hashes it and
// compares it with every key; with the rate limit, it also takes a token
// of the key's bucket (a limit never reached). Compare the
// sub-benchmarks, run alternately, for the cost of authentication and
// rate limiting.
func BenchmarkPredictAuth(b *testing.B) {
	for _, mode := range []string{"off", "on", "on+ratelimit"} {
		b.Run("auth="+mode, func(b *testing.B) {
			keysPath := filepath.Join(b.TempDir(), "keys.json")
			var secret string
			auth := mode != "off"
			if auth {
				sec := writeKeys(b, keysPath,
					testKey{"k1", []string{"score"}}, testKey{"k2", []string{"score"}}, testKey{"k3", []string{"model:read"}},
					testKey{"k4", []string{"score", "explain"}}, testKey{"k5", []string{"score"}})
				secret = sec["k5"]
			}
			s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6}, func(c *Config) {
				if auth {
					c.APIKeysFile = keysPath
				}
				if mode == "on+ratelimit" {
					c.RateLimit = apikey.RateLimit{PerSecond: 1e9, Burst: 1e9}
				}
			})
			benchPredict(b, s, func(r *http.Request) {
				if auth {
					r.Header.Set("Authorization", "Bearer "+secret)
				}
			})
		})
	}
}

// BenchmarkLookup is the key check alone: hash the secret and compare it
// with each of 5 keys.
func BenchmarkLookup(b *testing.B) {
	keysPath := filepath.Join(b.TempDir(), "keys.json")
	sec := writeKeys(b, keysPath, testKey{"k1", []string{"score"}}, testKey{"k2", []string{"score"}},
		testKey{"k3", []string{"score"}}, testKey{"k4", []string{"score"}}, testKey{"k5", []string{"score"}})
	ks, err := loadKeys(keysPath, apikey.RateLimit{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := ks.set.Lookup(sec["k5"]); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkPredictRecorder is BenchmarkPredict with httptest.NewRecorder,
// as the brief's measure is stated.
func BenchmarkPredictRecorder(b *testing.B) {
	s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6}, nil)
	body := benchBody(b, 1)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/predict", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		s.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// BenchmarkPredictParallel runs BenchmarkPredict on every core.
func BenchmarkPredictParallel(b *testing.B) {
	s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6}, nil)
	body := benchBody(b, 1)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rr := newReusableRequest("/predict", body)
		w := &discardWriter{h: http.Header{}}
		for pb.Next() {
			rr.rewind()
			clear(w.h)
			s.ServeHTTP(w, rr.req)
		}
	})
}

// BenchmarkBatch scores batches through ServeHTTP; applications/s is the
// figure to read. About a third of the applications are declined (and get
// their adverse-action reasons); BenchmarkBatchApproved approves them all.
func BenchmarkBatch(b *testing.B) {
	benchBatch(b, 0)
}

// BenchmarkBatchApproved is BenchmarkBatch with a threshold no
// application reaches.
func BenchmarkBatchApproved(b *testing.B) {
	benchBatch(b, 0.9999)
}

// benchBatch is BenchmarkBatch with the model's threshold (0 means 0.3).
func benchBatch(b *testing.B, threshold float64) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6, Threshold: threshold}, nil)
			apps := make([]json.RawMessage, n)
			for i := range apps {
				apps[i] = benchBody(b, i)
			}
			body, _ := json.Marshal(map[string]any{"applications": apps})
			rr := newReusableRequest("/predict/batch", body)
			w := &discardWriter{h: http.Header{}}
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				rr.rewind()
				clear(w.h)
				s.ServeHTTP(w, rr.req)
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "apps/s")
			// On a shared machine wall time includes waiting for a core;
			// applications per CPU-second does not.
			b.ReportMetric(float64(n*b.N)/cpu.Seconds(), "apps/cpu-s")
		})
	}
}

// BenchmarkDecode is the request decoder alone.
func BenchmarkDecode(b *testing.B) {
	s, _ := testServer(b, servetest.Options{}, nil)
	l := s.current.Load()
	body := string(benchBody(b, 1))
	var a wire.Application
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		a.Reset(len(l.names))
		if err := wire.DecodeApplication(body, l.index, &a); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// cpuTime returns the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPredictAudit is BenchmarkPredict with the audit trail off and
// on under each sync policy: cpu-ns/op less that of off is what a
// decision's record costs the server.
func BenchmarkPredictAudit(b *testing.B) {
	for _, sync := range []audit.SyncPolicy{"off", audit.SyncInterval, audit.SyncAlways} {
		b.Run("sync="+string(sync), func(b *testing.B) {
			s, _ := testServer(b, servetest.Options{Trees: 100, Depth: 6}, func(c *Config) {
				if sync != "off" {
					c.Audit, c.AuditDir, c.AuditSync = AuditFile, b.TempDir(), sync
				}
			})
			benchPredict(b, s, nil)
		})
	}
}
