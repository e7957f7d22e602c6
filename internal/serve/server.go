package serve

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/auditpg"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// BuildInfo identifies the server build in /model/info, /openapi.json and
// --version.
type BuildInfo struct {
	Version   string `json:"version"`
	Commit    string `json:"commit,omitempty"`
	GoVersion string `json:"go_version,omitempty"`
}

// Options are the server's collaborators.
type Options struct {
	// Logger receives lifecycle events and errors; nil discards them.
	Logger *slog.Logger
	// AccessLogger receives one record per request at info level (request
	// id, method, path, status, latency, model version; never applicant
	// data); nil uses Logger.
	AccessLogger *slog.Logger
	// Registry holds the metrics served at /metrics; nil creates a new
	// one. The server never uses the global registry.
	Registry *prometheus.Registry
	// Build identifies the build.
	Build BuildInfo
}

// Server scores loan applications over HTTP. Create it with New; it is an
// http.Handler. Open starts listening and watching the model alias, Close
// shuts both down.
type Server struct {
	cfg       Config
	logger    *slog.Logger
	access    *slog.Logger
	build     BuildInfo
	registry  *prometheus.Registry
	metrics   *Metrics
	counts    counters
	started   time.Time
	idPrefix  string
	idCounter atomic.Uint64

	current atomic.Pointer[loaded]
	// lastErr is the most recent load failure, for the log and the
	// watcher; lastReason says which check failed, for clients (/ready,
	// /stats and 503 problems), without paths or error text.
	lastErr    atomic.Pointer[string]
	lastReason atomic.Pointer[string]

	routes   []*route
	byPath   map[string][]*route
	notFound *route
	metricsH http.Handler
	docsH    http.Handler

	// Pools of per-request memory.
	bodies   sync.Pool // *[]byte: request bodies
	writers  sync.Pool // *statusWriter
	segments sync.Pool // *segment: batch segments

	// keys are the API keys in force, nil when authentication is off.
	keys          atomic.Pointer[keyState]
	keysMu        sync.Mutex // one keys reload at a time
	keysFailed    fileID     // the keys file version that failed (under keysMu)
	keysFailedErr string     // why it could not be read (under keysMu)
	// fullInfo gives /model/info in full: API keys or MODEL_INFO_FULL.
	fullInfo bool
	// guarded: requests for the routes that need a scope go through
	// authorize (API keys, mutual TLS or a default rate limit).
	guarded bool
	// mutualTLS: client certificates are verified (TLS_CLIENT_CA_FILE).
	mutualTLS bool
	// addrLimits is the rate limit of each client address without API
	// keys, nil when there is none.
	addrLimits *addrLimiter

	// audit is the decision audit trail, nil when AUDIT is off.
	audit *audit.Sink
	// shipper copies the trail to PostgreSQL (AUDIT=postgres), nil
	// otherwise; auditAppended counts the decisions this process recorded.
	shipper       *auditpg.Shipper
	auditAppended atomic.Uint64
	shipCancel    context.CancelFunc

	// The challenger in shadow (shadow.go): the loaded challenger, nil
	// when there is none; every shadowEvery-th /predict application is
	// scored with it (0: never).
	challenger       atomic.Pointer[loaded]
	challengerMu     sync.Mutex // one challenger reload at a time
	challengerFailed sourceID   // the challenger files that failed (under challengerMu)
	shadow           *shadow
	shadowEvery      uint64
	shadowTick       atomic.Uint64

	// tls is the certificate in force, nil without TLS.
	tls          atomic.Pointer[tlsState]
	tlsMu        sync.Mutex // one TLS reload at a time
	tlsFailed    [3]fileID  // the TLS file versions that failed (under tlsMu)
	metricsRoute *route     // GET /metrics

	reloadMu sync.Mutex // one reload at a time
	failed   sourceID   // the last pair that failed to load (under reloadMu)

	httpServer *http.Server
	listener   net.Listener
	// The /metrics listener of METRICS_ADDR.
	metricsServer   *http.Server
	metricsListener net.Listener
	stop            chan struct{}
	wg              sync.WaitGroup
}

// route is one endpoint with its pre-resolved metrics and stats.
type route struct {
	method   string
	endpoint string // the route pattern, the endpoint label
	handle   func(w http.ResponseWriter, r *http.Request, l *loaded)
	metrics  routeMetrics
	latency  latency
	status   [6]atomic.Uint64 // by status class: 1xx … 5xx at 1 … 5
	// scope is what an API key needs for the route when keys are
	// configured; 0 leaves the route open.
	scope apikey.Scopes
	// explainable routes need the explain scope too for ?explain=true.
	explainable bool
	// needsModel routes answer 503 when no model is loaded.
	needsModel bool
	// probe routes are polled by health checks: their successful requests
	// are logged at debug level, so they do not flood the access log.
	probe bool
}

// New loads the model the configuration names and returns a server ready
// to handle requests. A missing model file is a *ModelNotFoundError.
func New(cfg Config, opts Options) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{
		cfg:      cfg,
		logger:   opts.Logger,
		access:   opts.AccessLogger,
		build:    opts.Build,
		registry: opts.Registry,
		started:  time.Now(),
		stop:     make(chan struct{}),
		shadow:   newShadow(),
	}
	if cfg.ShadowShare > 0 {
		s.shadowEvery = uint64(math.Round(1 / cfg.ShadowShare))
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.access == nil {
		s.access = s.logger
	}
	if s.build.Version == "" {
		s.build.Version = "dev"
	}
	if s.registry == nil {
		s.registry = prometheus.NewRegistry()
	}
	var id [4]byte
	rand.Read(id[:])
	s.idPrefix = hex.EncodeToString(id[:]) + "-"
	s.metrics = newMetrics(s.registry, s)
	s.metricsH = promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelError),
		Registry:          s.registry,
		EnableOpenMetrics: false,
	})
	s.docsH = docsHandler()
	s.addRoutes()
	if resolved, note := resolveModelPath(cfg.ModelPath); note != "" {
		s.logger.Warn(note, "model_path", cfg.ModelPath, "serving", resolved)
		s.cfg.ModelPath = resolved
	}
	modelPath, metaPath := s.cfg.ModelFiles()
	l, err := loadModel(modelPath, metaPath, cfg.DriftWindow, s.cfg.RangePolicy, s.build)
	if err != nil {
		return nil, err
	}
	s.current.Store(l)
	s.logger.Info("model loaded", "model_version", l.version, "algorithm", l.meta.Algorithm,
		"features", len(l.model.Features), "threshold", l.model.Threshold, "path", modelPath, "target", l.source.model.target)
	// After the model, so that a server that cannot start says why in
	// one record.
	if cfg.APIKeysFile != "" {
		ks, kerr := loadKeys(cfg.APIKeysFile, cfg.RateLimit, nil)
		if kerr != nil {
			return nil, kerr
		}
		s.keys.Store(ks)
		s.fullInfo = true
		s.logger.Info("API keys loaded", "keys", ks.set.Len(), "path", cfg.APIKeysFile)
	} else if cfg.TLSClientCAFile == "" {
		s.fullInfo = cfg.ModelInfoFull
		s.logger.Warn("AUTHENTICATION IS OFF: "+errNoKeys.Error()+"; set API_KEYS_FILE (credit-risk-api keys add) to require API keys",
			"model_info_full", s.fullInfo)
	} else {
		s.fullInfo = true
	}
	if cfg.TLSCertFile != "" {
		st, terr := loadTLS(&s.cfg)
		if terr != nil {
			return nil, terr
		}
		s.tls.Store(st)
		s.mutualTLS = cfg.TLSClientCAFile != ""
		s.logger.Info("TLS certificate loaded", "not_after", st.notAfter.UTC().Format(time.RFC3339),
			"mutual_tls", s.mutualTLS)
	} else {
		s.logger.Warn("TLS is off: the API speaks plain HTTP; set TLS_CERT_FILE and TLS_KEY_FILE, or terminate TLS in front of it")
	}
	if cfg.RateLimit.PerSecond > 0 && cfg.APIKeysFile == "" {
		s.addrLimits = newAddrLimiter(cfg.RateLimit, maxAddrBuckets)
	}
	s.guarded = cfg.APIKeysFile != "" || s.mutualTLS || s.addrLimits != nil
	s.reloadChallenger(true) // a challenger that fails to load is logged, never fatal
	// Last: nothing after it can fail and leave the trail locked.
	if s.audit, err = s.openAudit(); err != nil {
		return nil, err
	}

	return s, nil
}

func (s *Server) addRoutes() {
	add := func(method, endpoint string, needsModel bool, scope apikey.Scopes, h func(http.ResponseWriter, *http.Request, *loaded)) {
		rt := &route{method: method, endpoint: endpoint, handle: h, needsModel: needsModel, scope: scope}
		rt.explainable = scope == apikey.Score
		rt.metrics = s.metrics.route(method, endpoint)
		rt.probe = endpoint == "/health" || endpoint == "/ready"
		s.routes = append(s.routes, rt)
	}
	// Open with API keys: the probes, /metrics (scraped from inside the
	// cluster; keep its port off the public network) and the /docs page
	// (static; the spec it loads needs model:read).
	add(http.MethodPost, "/predict", true, apikey.Score, s.handlePredict)
	add(http.MethodPost, "/predict/batch", true, apikey.Score, s.handleBatch)
	add(http.MethodGet, "/health", false, 0, s.handleHealth)
	add(http.MethodGet, "/ready", false, 0, s.handleReady)
	add(http.MethodGet, "/model/info", true, apikey.ModelRead, s.handleModelInfo)
	add(http.MethodGet, "/metrics", false, 0, s.handleMetrics)
	add(http.MethodGet, "/stats", false, apikey.ModelRead, s.handleStats)
	add(http.MethodGet, "/openapi.json", true, apikey.ModelRead, s.handleOpenAPI)
	add(http.MethodGet, "/docs", false, 0, s.handleDocs)
	s.byPath = make(map[string][]*route)
	for _, rt := range s.routes {
		s.byPath[rt.endpoint] = append(s.byPath[rt.endpoint], rt)
		if rt.method == http.MethodGet {
			// HEAD is answered like GET, without a body.
			head := &route{method: http.MethodHead, endpoint: rt.endpoint, handle: rt.handle, needsModel: rt.needsModel, scope: rt.scope}
			head.metrics = s.metrics.route(http.MethodHead, rt.endpoint)
			s.byPath[rt.endpoint] = append(s.byPath[rt.endpoint], head)
		}
	}
	s.notFound = &route{endpoint: "other", handle: nil}
	s.metricsRoute = s.byPath["/metrics"][0]
}

// match returns the route of a request: its path and method, the docs
// assets under /docs/, and nil with the allowed methods when only the
// method is wrong.
func (s *Server) match(r *http.Request) (rt *route, allow []string) {
	for _, rt := range s.byPath[routePath(r.URL.Path)] {
		if rt.method == r.Method {
			return rt, nil
		}
		allow = append(allow, rt.method)
	}
	return nil, allow
}

// routePath returns the route pattern a path belongs to: the path itself,
// or /docs for the docs assets under /docs/.
func routePath(path string) string {
	if strings.HasPrefix(path, "/docs/") {
		return "/docs"
	}
	return path
}

var (
	contentTypeJSON = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
	// limit is the rate limit the request counts against, for a batch
	// to take its applications' tokens.
	limit *bucket
	// id is the request id and keyID the caller's key id, for the audit
	// trail.
	id, keyID string
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// requestID returns the client's X-Request-ID when it is a sane token, or
// a new one: a per-process random prefix and a counter.
func (s *Server) requestID(r *http.Request) string {
	if v := r.Header["X-Request-Id"]; len(v) > 0 && validRequestID(v[0]) {
		return v[0]
	}
	return s.idPrefix + strconv.FormatUint(s.idCounter.Add(1), 16)
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// ServeHTTP routes a request, and around every handler: sets the request
// id, recovers a panic into a 500, records metrics and stats, and writes
// the access log.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := s.requestID(r)
	w.Header()["X-Request-Id"] = []string{id}
	sw, _ := s.writers.Get().(*statusWriter)
	if sw == nil {
		sw = new(statusWriter)
	}
	*sw = statusWriter{ResponseWriter: w, id: id}
	rt, allow := s.match(r)
	if rt == s.metricsRoute && rt != nil && s.cfg.MetricsAddr != "" && r.Context().Value(metricsListenerKey{}) == nil {
		rt, allow = nil, nil // /metrics is on its own listener
	}
	l := s.current.Load()
	var acc access
	if rt != nil && rt.scope != 0 && s.guarded {
		acc = s.authorize(r, rt, start)
		sw.limit, sw.keyID = acc.bucket, acc.keyID
	}
	keyID, refused := acc.keyID, acc.refused
	func() {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.metrics.panics.Inc()
				s.counts.panics.Add(1)
				s.logger.Error("panic in handler", "request_id", id, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if sw.status == 0 {
					writeProblem(sw, r, &Problem{Code: ProblemInternal, Detail: "the server failed to handle the request; it has been logged with request id " + id})
				}
			}
		}()
		switch {
		case rt == nil && len(allow) > 0:
			sw.Header().Set("Allow", strings.Join(allow, ", "))
			writeProblem(sw, r, &Problem{Code: ProblemMethod, Detail: fmt.Sprintf("%s does not accept %s; use %s", r.URL.Path, r.Method, strings.Join(allow, " or "))})
		case rt == nil:
			writeProblem(sw, r, &Problem{Code: ProblemNotFound, Detail: fmt.Sprintf("no endpoint %s; see /docs", r.URL.Path)})
		case refused != nil:
			switch refused {
			case problemAuth:
				sw.Header()["Www-Authenticate"] = wwwAuthenticate
			case problemRateLimit:
				sw.Header()["Retry-After"] = []string{strconv.Itoa(max(acc.retry, 1))}
			}
			writeProblem(sw, r, refused)
		case rt.needsModel && l == nil:
			reason := "no model is loaded"
			if e := s.lastReason.Load(); e != nil {
				reason += ": " + *e
			}
			sw.Header().Set("Retry-After", "5")
			writeProblem(sw, r, &Problem{Code: ProblemNoModel, Detail: reason})
		default:
			rt.handle(sw, r, l)
		}
	}()
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	size := sw.size
	*sw = statusWriter{}
	s.writers.Put(sw)

	elapsed := time.Since(start)
	if rt == nil {
		rt = s.notFound
		endpoint := rt.endpoint
		if len(allow) > 0 {
			// The endpoint exists; only the method is wrong.
			endpoint = s.byPath[routePath(r.URL.Path)][0].endpoint
		}
		s.metrics.observe(nil, r.Method, endpoint, status, elapsed.Seconds())
	} else {
		s.metrics.observe(&rt.metrics, rt.method, rt.endpoint, status, elapsed.Seconds())
	}
	rt.latency.record(elapsed)
	if c := status / 100; c >= 1 && c <= 5 {
		rt.status[c].Add(1)
	}
	version := ""
	if l != nil {
		version = l.version
	}
	level := slog.LevelInfo
	if rt.probe && status < http.StatusBadRequest {
		level = slog.LevelDebug
	}
	attrs := [...]slog.Attr{
		slog.String("request_id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("latency_ms", float64(elapsed.Microseconds())/1000),
		slog.Int("bytes", size),
		slog.String("model_version", version),
		slog.String("key_id", keyID), // the key's id, never its secret
	}
	n := len(attrs)
	if keyID == "" {
		n--
	}
	s.access.LogAttrs(r.Context(), level, "request", attrs[:n]...)
}

// metricsListenerKey marks the context of a request that came on the
// METRICS_ADDR listener.
type metricsListenerKey struct{}

// Open starts listening on the configured address (with TLS when
// configured), on METRICS_ADDR when set, and, when the reload interval is
// not zero, watching the model alias, the API keys file and the TLS
// files. It returns once the listeners are bound; Addr and MetricsAddr
// then give the addresses.
func (s *Server) Open() error {
	ln, err := net.Listen("tcp", s.cfg.Addr())
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr(), err)
	}
	var mln net.Listener
	if s.cfg.MetricsAddr != "" {
		if mln, err = net.Listen("tcp", s.cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on METRICS_ADDR %s: %w", s.cfg.MetricsAddr, err)
		}
	}
	s.listener = ln
	s.httpServer = s.newHTTPServer(s)
	useTLS := s.tls.Load() != nil
	if useTLS {
		s.httpServer.TLSConfig = s.tlsConfig()
	}
	s.wg.Go(func() {
		var err error
		if useTLS {
			err = s.httpServer.ServeTLS(ln, "", "")
		} else {
			err = s.httpServer.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http server stopped", "err", err)
		}
	})
	if mln != nil {
		s.metricsListener = mln
		s.metricsServer = s.newHTTPServer(http.HandlerFunc(s.serveMetricsListener))
		s.metricsServer.BaseContext = func(net.Listener) context.Context {
			return context.WithValue(context.Background(), metricsListenerKey{}, true)
		}
		s.wg.Go(func() {
			if err := s.metricsServer.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.logger.Error("metrics server stopped", "err", err)
			}
		})
		s.logger.Info("metrics listening", "addr", mln.Addr().String())
	}
	if s.cfg.ReloadInterval > 0 {
		s.wg.Go(s.watch)
	}
	if s.shadowEvery > 0 {
		s.wg.Go(s.runShadow)
	}
	if s.shipper != nil {
		ctx, cancel := context.WithCancel(context.Background())
		s.shipCancel = cancel
		s.wg.Go(func() { s.shipper.Run(ctx) })
	}
	s.logger.Info("listening", "addr", ln.Addr().String(), "tls", useTLS,
		"reload_interval", s.cfg.ReloadInterval.String())
	return nil
}

// newHTTPServer returns an HTTP server of h with the configured timeouts.
func (s *Server) newHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
}

// serveMetricsListener answers on the METRICS_ADDR listener: /metrics,
// and 404 for anything else.
func (s *Server) serveMetricsListener(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/metrics" {
		writeProblem(w, r, &Problem{Code: ProblemNotFound, Detail: "this listener serves /metrics only"})
		return
	}
	s.ServeHTTP(w, r)
}

// MetricsAddr returns the address of the METRICS_ADDR listener, nil before
// Open or without one.
func (s *Server) MetricsAddr() net.Addr {
	if s.metricsListener == nil {
		return nil
	}
	return s.metricsListener.Addr()
}

// Addr returns the address the server listens on, nil before Open.
func (s *Server) Addr() net.Addr {
	if s.listener == nil {
		return nil
	}
	return s.listener.Addr()
}

// Close stops watching the model, stops accepting connections and waits
// for in-flight requests until ctx is done; then it closes the remaining
// connections and returns ctx's error.
func (s *Server) Close(ctx context.Context) error {
	select {
	case <-s.stop:
		return nil
	default:
		close(s.stop)
	}
	var err error
	if s.metricsServer != nil {
		s.metricsServer.Close() // scrapes need no grace
	}
	if s.shipCancel != nil {
		s.shipCancel() // what is not copied yet waits in the file trail
	}
	if s.httpServer != nil {
		if err = s.httpServer.Shutdown(ctx); err != nil {
			s.httpServer.Close()
			err = fmt.Errorf("shutdown: in-flight requests cut off: %w", err)
		}
	}
	s.wg.Wait()
	if s.audit != nil {
		// After the last request: its record is written and synced.
		if aerr := s.audit.Close(); aerr != nil {
			err = errors.Join(err, fmt.Errorf("close the audit trail: %w", aerr))
		}
	}
	return err
}

// Registry returns the metrics registry.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// ModelVersion returns the version of the serving model, "" when none is
// loaded.
func (s *Server) ModelVersion() string {
	if l := s.current.Load(); l != nil {
		return l.version
	}
	return ""
}
