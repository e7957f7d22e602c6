package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// TestEndToEndTLS serves over mutual TLS with API keys, a default rate
// limit and a separate metrics listener, with the real binary: a client
// certificate authenticates as the key the keys command made for it, a
// secret still works, the healthcheck command speaks HTTPS, and the
// server certificate and the client CAs are rotated under the running
// server.
func TestEndToEndTLS(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	v1 := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 10, Depth: 3})
	servetest.SetAlias(t, dir, v1)

	serverCA := servetest.NewCA(t, "server root")
	clientCA := servetest.NewCA(t, "client root")
	first := serverCA.ServerLeaf(t, time.Now().Add(24*time.Hour))
	certFile, keyFile, caFile := filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key"), filepath.Join(dir, "client-ca.crt")
	servetest.WriteFile(t, certFile, first.CertPEM)
	servetest.WriteFile(t, keyFile, first.KeyPEM)
	servetest.WriteFile(t, caFile, clientCA.CertPEM)

	keys := filepath.Join(dir, "keys.json")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("keys", "add", "--file", keys, "--id", "origination", "--scopes", "score", "--client-cert", "origination.bank.example")
	run("keys", "add", "--file", keys, "--id", "partner", "--scopes", "score", "--client-cert", "partner.example", "--rate", "0.01", "--burst", "2")
	reader := lastLine(run("keys", "add", "--file", keys, "--id", "reader", "--scopes", "model:read"))

	env := []string{
		"MODEL_PATH=" + filepath.Join(dir, "production.model"), "MODEL_RELOAD_INTERVAL=50ms",
		"API_KEYS_FILE=" + keys, "TLS_CERT_FILE=" + certFile, "TLS_KEY_FILE=" + keyFile, "TLS_CLIENT_CA_FILE=" + caFile,
		"RATE_LIMIT_RPS=1000", "METRICS_ADDR=127.0.0.1:0",
	}
	p := start(t, bin, env...)
	base := "https://127.0.0.1:" + p.port
	app, _ := json.Marshal(servetest.Application(1))
	send := func(c *http.Client, method, path, secret string) (int, error) {
		t.Helper()
		var body io.Reader
		if method == "POST" {
			body = bytes.NewReader(app)
		}
		req, _ := http.NewRequest(method, base+path, body)
		req.Header.Set("Content-Type", "application/json")
		if secret != "" {
			req.Header.Set("Authorization", "Bearer "+secret)
		}
		resp, err := c.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil
	}
	orig := clientCA.Issue(t, servetest.LeafOptions{CommonName: "origination.bank.example", Client: true})
	partner := clientCA.Issue(t, servetest.LeafOptions{CommonName: "partner.example", Client: true})
	anon := serverCA.Client(t, nil)
	tests := []struct {
		name   string
		c      *http.Client
		method string
		path   string
		secret string
		want   int
	}{
		{"readiness without a certificate", anon, "GET", "/ready", "", 200},
		{"scoring without a certificate or key", anon, "POST", "/predict", "", 401},
		{"scoring with the origination certificate", serverCA.Client(t, orig), "POST", "/predict", "", 200},
		{"explain is not in its scopes", serverCA.Client(t, orig), "POST", "/predict?explain=true", "", 403},
		{"a key's secret over TLS", anon, "GET", "/model/info", reader, 200},
		{"the partner within its burst", serverCA.Client(t, partner), "POST", "/predict", "", 200},
		{"the partner within its burst again", serverCA.Client(t, partner), "POST", "/predict", "", 200},
		{"the partner over its rate limit", serverCA.Client(t, partner), "POST", "/predict", "", 429},
	}
	for _, tt := range tests {
		if got, err := send(tt.c, tt.method, tt.path, tt.secret); err != nil || got != tt.want {
			t.Errorf("%s: %s %s: %d, %v; want %d", tt.name, tt.method, tt.path, got, err, tt.want)
		}
	}
	if _, err := send(&http.Client{Timeout: 5 * time.Second}, "GET", "/ready", ""); err == nil {
		t.Errorf("the HTTPS server answered a client that does not trust its CA")
	}

	// The image's health check speaks HTTPS when TLS is on.
	hc := exec.Command(bin, "healthcheck")
	hc.Env = append(hc.Environ(), "API_PORT="+p.port, "TLS_CERT_FILE="+certFile, "TLS_KEY_FILE="+keyFile)
	if out, err := hc.CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "ready") {
		t.Errorf("healthcheck over TLS: %v: %s", err, out)
	}

	// /metrics is on its own listener only.
	if got, _ := send(anon, "GET", "/metrics", ""); got != 404 {
		t.Errorf("GET /metrics on the API port: %d; want 404", got)
	}
	var maddr string
	for _, line := range strings.Split(p.log(), "\n") {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "metrics listening" {
			maddr = rec.Addr
		}
	}
	resp, err := http.Get("http://" + maddr + "/metrics")
	if err != nil {
		t.Fatalf("GET /metrics on METRICS_ADDR %q: %v", maddr, err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"tls_certificate_expiry_timestamp_seconds", "rate_limited_requests_total 1"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	// Certificate rotation under the running server: the new certificate
	// is served to new connections, with no restart.
	second := serverCA.ServerLeaf(t, time.Now().Add(72*time.Hour))
	servetest.WriteFile(t, keyFile, second.KeyPEM)
	servetest.WriteFile(t, certFile, second.CertPEM)
	waitUntil(t, p, "the rotated server certificate is served", func() bool {
		return serverCA.ServedCert(t, "127.0.0.1:"+p.port).SerialNumber.Cmp(second.Cert.SerialNumber) == 0
	})
	// Client CA rotation: the old CA's certificates stop working, the new
	// CA's work.
	nextCA := servetest.NewCA(t, "next client root")
	nextOrig := nextCA.Issue(t, servetest.LeafOptions{CommonName: "origination.bank.example", Client: true})
	servetest.WriteFile(t, caFile, nextCA.CertPEM)
	waitUntil(t, p, "the rotated client CA is in force", func() bool {
		_, oldErr := send(serverCA.Client(t, orig), "POST", "/predict", "")
		got, err := send(serverCA.Client(t, nextOrig), "POST", "/predict", "")
		return oldErr != nil && err == nil && got == 200
	})
	if strings.Contains(p.log(), "PRIVATE KEY") {
		t.Errorf("key material reached the log")
	}
	if !strings.Contains(p.log(), `"msg":"TLS certificate reloaded"`) {
		t.Errorf("no TLS reload log line:\n%s", p.log())
	}
}

// waitUntil polls cond for at most 10 s.
func waitUntil(t *testing.T, p *process, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s:\n%s", what, p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
