package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"

	"github.com/credit-risk/credit-risk/internal/logbuf"
	"github.com/credit-risk/credit-risk/internal/serve"
)

const serveHelp = `
Usage: credit-risk-api [serve]

Serves the model behind MODEL_PATH (the champion alias) on API_HOST:API_PORT
and follows the alias: when it points at a new model (checked every
MODEL_RELOAD_INTERVAL, and on SIGHUP) the new model is loaded, verified and
swapped in without a restart; a model that fails to load is rejected and
the old one keeps serving. SIGTERM or SIGINT stop it gracefully.

Environment:
  MODEL_PATH             model file or alias (default models/production.model)
  MODEL_METADATA_PATH    its metadata (default derived: production_metadata.json)
  API_HOST, API_PORT     listen address (default 0.0.0.0 and 8000)
  LOG_LEVEL              debug, info, warn or error (default info)
  LOG_FORMAT             json or text (default json)
  MAX_BODY_BYTES         largest /predict body (default 1MiB)
  MAX_BATCH_BODY_BYTES   largest /predict/batch body (default 32MiB)
  MAX_BATCH_SIZE         most applications in a batch (default 10000)
  MODEL_RELOAD_INTERVAL  alias polling interval; 0 turns polling off (default 5s)
  DRIFT_WINDOW           recent applications drift is measured on; 0 turns it off (default 5000)
  RANGE_POLICY           values outside what training saw, for inputs whose spec sets no
                         range_policy: clamp (score the nearest training value, flag it)
                         or reject (422) (default clamp)
  EXPLAIN_REASONS        raw reasons and field contributions returned by ?explain=true
                         (default 5)
  REASONS_MAX            most adverse_action reasons of a declined application, from
                         the model's reason-code catalogue, 1 to 16 (default 4)
  SHUTDOWN_TIMEOUT       wait for in-flight requests on shutdown (default 30s)
  READ_HEADER_TIMEOUT, READ_TIMEOUT, WRITE_TIMEOUT, IDLE_TIMEOUT
                         HTTP timeouts (default 5s, 30s, 60s, 120s)
  API_KEYS_FILE          API keys file (credit-risk-api keys add); re-read when it
                         changes, like the model. Unset: no authentication, a warning
                         at start, and a public /model/info
  MODEL_INFO_FULL        true: /model/info in full without API keys (default false)
  RATE_LIMIT_RPS         default rate limit, requests a second: per API key (a key's own
                         rate_limit overrides it) or, without API keys, per client
                         address (an IPv6 client per /64); a batch counts its
                         applications; 429 with Retry-After above it (default 0: off)
  RATE_LIMIT_BURST       requests at once under RATE_LIMIT_RPS (default the rate, at least 1)
  TLS_CERT_FILE          PEM certificate chain: serve HTTPS (TLS 1.2+) instead of HTTP;
  TLS_KEY_FILE           and its PEM private key. Both re-read when they change, so a
                         rotated certificate is served without a restart
  TLS_CLIENT_CA_FILE     PEM CA certificates: mutual TLS. A client certificate sent is
                         verified against them; a verified one authenticates as the API
                         key whose client_cert is its common name or a subject
                         alternative name (keys add --client-cert), or, without API
                         keys, is required for every route but the open ones
  CHALLENGER_PATH        the challenger alias (default challenger.model beside MODEL_PATH):
                         when it exists, a share of /predict is also scored with it in
                         shadow, off the response path; polled and reloaded like the champion
  SHADOW_SHARE           share of /predict applications shadowed, 0 (off) to 1 (default 0.1)
  AUDIT                  off or file: record every decision, hash-chained, in the audit
                         trail before answering it; no record, no decision (503)
                         (default off)
  AUDIT_DIR              the trail's folder, one server per folder (default audit)
  AUDIT_SYNC             always (answer once the record is on disk; concurrent requests
                         share each fsync) or interval (fsync every 100ms) (default always)
  AUDIT_INPUTS           raw (the application as received) or hash (its SHA-256 only)
                         (default raw)
  AUDIT_TIMEOUT          longest wait for a decision's record before 503 (default 5s)
  METRICS_ADDR           serve /metrics on its own plain-HTTP listener, host:port (e.g.
                         127.0.0.1:9090); /metrics on the API port is then a 404

With API_KEYS_FILE, /predict and /predict/batch need a key with the score
scope (and explain for ?explain=true), /model/info, /stats and /openapi.json
the model:read scope; /health, /ready, /metrics and /docs stay open. SIGHUP
re-reads the model, the keys file and the TLS files at once.

Access logs (one JSON record per request: request id, method, path, status,
latency, model version; never applicant data) are buffered and written at
least every second; other logs are written at once.

Examples:
  credit-risk-api
  MODEL_PATH=/app/models/production.model API_PORT=8080 credit-risk-api
  API_KEYS_FILE=keys.json TLS_CERT_FILE=tls.crt TLS_KEY_FILE=tls.key credit-risk-api
  docker run -p 8000:8000 -v "$(pwd)/models:/app/models:ro" credit-risk-api:latest
`

// ServeCommand serves the model until its context is cancelled.
type ServeCommand struct{}

// Usage prints the command's help.
func (c *ServeCommand) Usage(w io.Writer) { fmt.Fprint(w, strings.TrimPrefix(serveHelp, "\n")) }

// Run serves until ctx is done, then shuts down gracefully.
func (c *ServeCommand) Run(ctx context.Context, m *Main, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() { c.Usage(m.Stdout) }
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: serve takes no arguments (configure it with environment variables; see --help)", errUsage)
	}
	// Errors from here on are the server's: logged as JSON unless the
	// environment asks for text (an invalid LOG_FORMAT included, as JSON is
	// the default).
	m.jsonErrors = !strings.EqualFold(strings.TrimSpace(m.Getenv("LOG_FORMAT")), "text")
	cfg, err := serve.ConfigFromEnv(m.Getenv)
	if err != nil {
		return err
	}
	logger := newLogger(m.Stderr, cfg)
	access := logbuf.New(m.Stderr, 0, 0)
	defer access.Close()
	srv, err := serve.New(cfg, serve.Options{
		Logger:       logger,
		AccessLogger: newLogger(access, cfg),
		Build:        serve.BuildInfo{Version: version, Commit: buildCommit(), GoVersion: runtime.Version()},
	})
	if err != nil {
		return err
	}
	if err := srv.Open(); err != nil {
		return err
	}
	for done := false; !done; {
		select {
		case <-m.Hangup:
			logger.Info("SIGHUP: reloading the model, the API keys and the TLS certificate")
			srv.Reload(ctx) // logged and counted by the server
		case <-ctx.Done():
			done = true
		}
	}
	logger.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Close(sctx); err != nil {
		return err
	}
	logger.Info("stopped")
	return nil
}

func newLogger(w io.Writer, cfg serve.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
