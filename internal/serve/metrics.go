package serve

import (
	"math"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

// Metrics are the server's Prometheus metrics, registered on an explicit
// registry. The names the seed exposed are kept: http_requests_total,
// http_request_duration_seconds, predictions_total, prediction_probability
// and model_loaded.
type Metrics struct {
	requests    *prometheus.CounterVec   // method, endpoint, status
	duration    *prometheus.HistogramVec // method, endpoint
	predictions *prometheus.CounterVec   // prediction
	probability prometheus.Histogram
	reloads     *prometheus.CounterVec // result
	panics      prometheus.Counter

	// Pre-resolved children for the hot path.
	predicted  [2]prometheus.Counter
	reloadOK   prometheus.Counter
	reloadFail prometheus.Counter
	// API keys file reloads after start-up.
	keysReloadOK   prometheus.Counter
	keysReloadFail prometheus.Counter
	// TLS certificate reloads after start-up.
	tlsReloadOK   prometheus.Counter
	tlsReloadFail prometheus.Counter
	// rateLimited counts the requests answered 429.
	rateLimited prometheus.Counter
	// auditRecords counts the decisions recorded in the audit trail and
	// auditFailures the requests answered 503 because theirs could not be.
	auditRecords  prometheus.Counter
	auditFailures prometheus.Counter
	// The challenger in shadow.
	shadowScored, shadowErrors, shadowDropped prometheus.Counter
	shadowFlips                               [2]prometheus.Counter // from approved, from declined
	shadowPDDiff                              prometheus.Histogram
}

// probabilityBuckets are the prediction_probability buckets: every 0.05.
var probabilityBuckets = prometheus.LinearBuckets(0.05, 0.05, 19)

// durationBuckets are the http_request_duration_seconds buckets, from
// 100 µs to 10 s.
var durationBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// newMetrics registers the metrics on reg, with collectors that read the
// server's state on each scrape (model_loaded, model_info, drift).
func newMetrics(reg prometheus.Registerer, s *Server) *Metrics {
	f := promauto.With(reg)
	m := &Metrics{
		requests: f.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests by method (other: not a standard method), endpoint (route, other: no route) and status code.",
		}, []string{"method", "endpoint", "status"}),
		duration: f.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency in seconds, from the first byte of the request to the last of the response, by method and endpoint (other: no route for the method, 404 and 405).",
			Buckets: durationBuckets,
		}, []string{"method", "endpoint"}),
		predictions: f.NewCounterVec(prometheus.CounterOpts{
			Name: "predictions_total",
			Help: "Applications scored, by prediction (1: predicted default, declined; 0: approved).",
		}, []string{"prediction"}),
		probability: f.NewHistogram(prometheus.HistogramOpts{
			Name:    "prediction_probability",
			Help:    "Predicted probability of default of scored applications.",
			Buckets: probabilityBuckets,
		}),
		reloads: f.NewCounterVec(prometheus.CounterOpts{
			Name: "model_reloads_total",
			Help: "Model reload attempts after start-up, by result (success, failure). A failed reload keeps the previous model serving.",
		}, []string{"result"}),
		panics: f.NewCounter(prometheus.CounterOpts{
			Name: "http_panics_recovered_total",
			Help: "Panics in request handlers that were recovered and answered with 500.",
		}),
	}
	m.predicted[0] = m.predictions.WithLabelValues("0")
	m.predicted[1] = m.predictions.WithLabelValues("1")
	m.reloadOK = m.reloads.WithLabelValues("success")
	m.reloadFail = m.reloads.WithLabelValues("failure")
	keyReloads := f.NewCounterVec(prometheus.CounterOpts{
		Name: "api_keys_reloads_total",
		Help: "API keys file reloads after start-up, by result (success, failure). A refused file keeps the previous keys in force.",
	}, []string{"result"})
	m.keysReloadOK = keyReloads.WithLabelValues("success")
	m.keysReloadFail = keyReloads.WithLabelValues("failure")
	tlsReloads := f.NewCounterVec(prometheus.CounterOpts{
		Name: "tls_reloads_total",
		Help: "TLS certificate, key and client CA reloads after start-up, by result (success, failure). A refused certificate keeps the previous one in force.",
	}, []string{"result"})
	m.tlsReloadOK = tlsReloads.WithLabelValues("success")
	m.tlsReloadFail = tlsReloads.WithLabelValues("failure")
	m.rateLimited = f.NewCounter(prometheus.CounterOpts{
		Name: "rate_limited_requests_total",
		Help: "Requests answered 429 because their API key, or without API keys their client address, was over its rate limit.",
	})
	shadowApps := f.NewCounterVec(prometheus.CounterOpts{
		Name: "shadow_applications_total",
		Help: "/predict applications handed to the challenger in shadow, by result: scored (by both models), error (the challenger could not score it), dropped (its queue was full).",
	}, []string{"result"})
	m.shadowScored, m.shadowErrors, m.shadowDropped = shadowApps.WithLabelValues("scored"), shadowApps.WithLabelValues("error"), shadowApps.WithLabelValues("dropped")
	flips := f.NewCounterVec(prometheus.CounterOpts{
		Name: "shadow_decision_flips_total",
		Help: "Shadowed applications the challenger would decide differently, by the champion's decision (from) and the challenger's (to).",
	}, []string{"from", "to"})
	m.shadowFlips[0], m.shadowFlips[1] = flips.WithLabelValues("approved", "declined"), flips.WithLabelValues("declined", "approved")
	m.shadowPDDiff = f.NewHistogram(prometheus.HistogramOpts{
		Name:    "shadow_pd_difference",
		Help:    "Challenger PD minus champion PD of shadowed applications.",
		Buckets: []float64{-0.2, -0.1, -0.05, -0.02, -0.01, -0.005, 0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2},
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "shadow_score_psi",
		Help: "PSI of the challenger's PDs against the champion's over the last 5,000 shadowed applications (20 bins 0.05 wide); NaN until one is scored.",
	}, func() float64 { return s.shadow.scorePSI() })
	m.auditRecords = f.NewCounter(prometheus.CounterOpts{
		Name: "audit_records_total",
		Help: "Decisions recorded in the audit trail (AUDIT=file) before their answer was sent.",
	})
	m.auditFailures = f.NewCounter(prometheus.CounterOpts{
		Name: "audit_failures_total",
		Help: "Requests answered 503 because their decisions could not be recorded in the audit trail in time (AUDIT_TIMEOUT) or the trail failed.",
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "audit_queue_records",
		Help: "Audit records in flight: not yet on disk (AUDIT_SYNC=always) or not yet written (interval); 0 when the trail is off.",
	}, func() float64 {
		if s.audit != nil {
			return float64(s.audit.Stats().Queued)
		}
		return 0
	})
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "audit_shipped_records_total",
		Help: "Audit records copied to PostgreSQL (AUDIT=postgres) since start.",
	}, func() float64 {
		if s.shipper != nil {
			return float64(s.shipper.Shipped())
		}
		return 0
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "audit_backlog_records",
		Help: "Decisions this process recorded that are not yet in PostgreSQL (AUDIT=postgres; AUDIT_SPOOL_MAX bounds it); 0 otherwise.",
	}, func() float64 { return float64(max(0, s.auditBacklog())) })
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "audit_database_up",
		Help: "1 while copying the audit trail to PostgreSQL works, 0 while it fails (AUDIT=postgres); 1 otherwise.",
	}, func() float64 {
		if s.shipper != nil && s.shipper.Down() {
			return 0
		}
		return 1
	})
	f.NewCounterFunc(prometheus.CounterOpts{
		Name: "audit_fsyncs_total",
		Help: "fsyncs of the audit trail's files and folder; with AUDIT_SYNC=always, concurrent decisions share them (group commit).",
	}, func() float64 {
		if s.audit != nil {
			return float64(s.audit.Stats().Syncs)
		}
		return 0
	})
	f.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "tls_certificate_expiry_timestamp_seconds",
		Help: "When the served TLS certificate expires, in seconds since the Unix epoch; 0 without TLS.",
	}, func() float64 {
		if st := s.tls.Load(); st != nil {
			return float64(st.notAfter.Unix())
		}
		return 0
	})
	reg.MustRegister(&stateCollector{s: s})
	reg.MustRegister(collectors.NewGoCollector())
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// routeMetrics are the pre-resolved children of one route's successful
// responses; other statuses go through the vectors.
type routeMetrics struct {
	ok       prometheus.Counter
	duration prometheus.Observer
}

func (m *Metrics) route(method, endpoint string) routeMetrics {
	return routeMetrics{
		ok:       m.requests.WithLabelValues(method, endpoint, "200"),
		duration: m.duration.WithLabelValues(method, endpoint),
	}
}

// methodLabel returns the method label of a request: the method when it is
// one of RFC 9110's (and PATCH), else "other". A client chooses the method
// freely, so the raw value would let it add a series per request.
func methodLabel(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace:
		return method
	}
	return "other"
}

// statusLabel returns the status label: the code when the server can send
// it (a closed set, see problemTable), else its class ("2xx" … "5xx").
func statusLabel(status int) string {
	switch status {
	case 200, 400, 404, 405, 408, 413, 415, 422, 500, 503:
		return strconv.Itoa(status)
	}
	if c := status / 100; c >= 1 && c <= 5 {
		return strconv.Itoa(c) + "xx"
	}
	return "other"
}

// observe records one request. Every label is from a closed set: method
// through methodLabel, endpoint a route pattern or "other", status through
// statusLabel.
func (m *Metrics) observe(rm *routeMetrics, method, endpoint string, status int, seconds float64) {
	if status == 200 && rm != nil {
		rm.ok.Inc()
		rm.duration.Observe(seconds)
		return
	}
	method = methodLabel(method)
	m.requests.WithLabelValues(method, endpoint, statusLabel(status)).Inc()
	if rm != nil {
		rm.duration.Observe(seconds)
	} else {
		// No route: one histogram per method, whatever the path.
		m.duration.WithLabelValues(method, "other").Observe(seconds)
	}
}

// predicted records one scored application.
func (m *Metrics) scored(pred int, pd float64) {
	m.predicted[pred].Inc()
	m.probability.Observe(pd)
}

var (
	descLoaded = prometheus.NewDesc("model_loaded",
		"1 when a valid model is loaded and serving, else 0.", nil, nil)
	descInfo = prometheus.NewDesc("model_info",
		"The model serving: always 1, with its version and algorithm as labels.", []string{"version", "algorithm"}, nil)
	descLoadTime = prometheus.NewDesc("model_loaded_timestamp_seconds",
		"Unix time the serving model was loaded.", nil, nil)
	descFeaturePSI = prometheus.NewDesc("model_feature_drift_psi",
		"Population stability index of each model feature: the recent applications (sliding window) against the training reference bins. Reported once the window holds min(500, DRIFT_WINDOW) applications (model_drift_window_applications).", []string{"feature"}, nil)
	descScorePSI = prometheus.NewDesc("model_score_drift_psi",
		"Population stability index of the predicted probability: the recent applications (sliding window) against the validation reference bins. Reported once the window holds min(500, DRIFT_WINDOW) applications.", nil, nil)
	descWindow = prometheus.NewDesc("model_drift_window_applications",
		"Applications in the drift window (at most the window size).", nil, nil)
)

// MinDriftApplications is how many applications the drift window must
// hold before the PSI is reported (or the whole window, when it is
// smaller): the PSI of a handful of applications against ten bins is noise
// (one application gives a PSI of 8 or so).
const MinDriftApplications = 500

// minDriftApplications returns the applications a window of the given size
// must hold before its PSI is reported: min(MinDriftApplications, window).
func minDriftApplications(window int) int { return max(1, min(MinDriftApplications, window)) }

// stateCollector reports the loaded model and its drift on each scrape, so
// that requests pay nothing for them and a reload needs no bookkeeping.
type stateCollector struct {
	s *Server
}

var _ prometheus.Collector = (*stateCollector)(nil)

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descLoaded, descInfo, descLoadTime, descFeaturePSI, descScorePSI, descWindow} {
		ch <- d
	}
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	l := c.s.current.Load()
	if l == nil {
		ch <- prometheus.MustNewConstMetric(descLoaded, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descLoaded, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descInfo, prometheus.GaugeValue, 1, l.version, l.meta.Algorithm)
	ch <- prometheus.MustNewConstMetric(descLoadTime, prometheus.GaugeValue, float64(l.at.UnixNano())/1e9)
	if l.drift == nil {
		return
	}
	snap := l.drift.Snapshot()
	ch <- prometheus.MustNewConstMetric(descWindow, prometheus.GaugeValue, float64(snap.Applications))
	if snap.Applications < minDriftApplications(snap.Window) {
		return // a PSI on a few applications is noise
	}
	ch <- prometheus.MustNewConstMetric(descScorePSI, prometheus.GaugeValue, snap.Score)
	for _, f := range snap.Features {
		if !math.IsNaN(f.PSI) {
			ch <- prometheus.MustNewConstMetric(descFeaturePSI, prometheus.GaugeValue, f.PSI, f.Name)
		}
	}
}

// counters are plain atomic counts kept beside the Prometheus metrics for
// /stats.
type counters struct {
	predictions [2]atomic.Uint64
	reloadOK    atomic.Uint64
	reloadFail  atomic.Uint64
	panics      atomic.Uint64
}
