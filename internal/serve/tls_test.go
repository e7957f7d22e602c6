package serve

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// tlsFiles are the TLS files of a test server.
type tlsFiles struct {
	cert, key, clientCA string
}

// writeTLS writes a server certificate and key, and the client CAs when
// given, into dir.
func writeTLS(tb testing.TB, dir string, leaf *servetest.Leaf, clientCAs ...*servetest.CA) tlsFiles {
	tb.Helper()
	f := tlsFiles{cert: filepath.Join(dir, "tls.crt"), key: filepath.Join(dir, "tls.key")}
	servetest.WriteFile(tb, f.key, leaf.KeyPEM)
	servetest.WriteFile(tb, f.cert, leaf.CertPEM)
	if len(clientCAs) > 0 {
		var pems []byte
		for _, ca := range clientCAs {
			pems = append(pems, ca.CertPEM...)
		}
		f.clientCA = filepath.Join(dir, "client-ca.crt")
		servetest.WriteFile(tb, f.clientCA, pems)
	}
	return f
}

// openTLSServer starts a server on 127.0.0.1 with the TLS files, polling
// them (and the keys file) every 20 ms.
func openTLSServer(tb testing.TB, f tlsFiles, edit func(*Config), access io.Writer) *Server {
	tb.Helper()
	s, _ := testServer(tb, servetest.Options{}, func(c *Config) {
		c.TLSCertFile, c.TLSKeyFile, c.TLSClientCAFile = f.cert, f.key, f.clientCA
		c.Host, c.Port = "127.0.0.1", 0
		c.ReloadInterval = 20 * time.Millisecond
		if edit != nil {
			edit(c)
		}
	})
	if access != nil {
		s.access = slog.New(slog.NewJSONHandler(access, nil))
	}
	if err := s.Open(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gaugeValue returns the value of the gauge name.
func gaugeValue(tb testing.TB, s *Server, name string) float64 {
	tb.Helper()
	mfs, err := s.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	tb.Fatalf("no gauge %s", name)
	return 0
}

// send makes a request and returns its status; a failed connection or
// handshake is an error.
func send(c *http.Client, method, url, auth string, body []byte) (int, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// servedCert returns the serial number of the certificate the server
// presents to a new connection.
func servedCert(tb testing.TB, addr string, ca *servetest.CA) *big.Int {
	tb.Helper()
	return ca.ServedCert(tb, addr).SerialNumber
}

// eventually polls cond for at most 5 s, many reload intervals.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within 5s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTLS_ServeAndRotate(t *testing.T) {
	dir := t.TempDir()
	ca := servetest.NewCA(t, "test root")
	first := ca.ServerLeaf(t, time.Now().Add(24*time.Hour))
	f := writeTLS(t, dir, first)
	s := openTLSServer(t, f, nil, nil)
	addr := s.Addr().String()
	c := ca.Client(t, nil)

	if got, err := send(c, "GET", "https://"+addr+"/health", "", nil); err != nil || got != 200 {
		t.Fatalf("GET /health over TLS: %d, %v; want 200", got, err)
	}
	if got, err := send(c, "POST", "https://"+addr+"/predict", "", appBody(t)); err != nil || got != 200 {
		t.Fatalf("POST /predict over TLS: %d, %v; want 200", got, err)
	}
	// Plain HTTP on the TLS port is refused, never served.
	if got, err := send(&http.Client{Timeout: 5 * time.Second}, "POST", "http://"+addr+"/predict", "", appBody(t)); err == nil && got == 200 {
		t.Fatalf("plain HTTP on the TLS port was served")
	}
	// TLS 1.1 is refused.
	if _, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Errorf("a TLS 1.1 handshake succeeded")
	}
	if got := servedCert(t, addr, ca); got.Cmp(first.Cert.SerialNumber) != 0 {
		t.Fatalf("served serial %v; want %v", got, first.Cert.SerialNumber)
	}
	if exp := gaugeValue(t, s, "tls_certificate_expiry_timestamp_seconds"); exp != float64(first.Cert.NotAfter.Unix()) {
		t.Errorf("tls_certificate_expiry_timestamp_seconds = %v; want %d", exp, first.Cert.NotAfter.Unix())
	}

	// Rotation: a new certificate and key are served to new connections
	// without a restart.
	second := ca.ServerLeaf(t, time.Now().Add(48*time.Hour))
	writeTLS(t, dir, second)
	eventually(t, "the rotated certificate is served", func() bool {
		return servedCert(t, addr, ca).Cmp(second.Cert.SerialNumber) == 0
	})
	if got, err := send(c, "POST", "https://"+addr+"/predict", "", appBody(t)); err != nil || got != 200 {
		t.Fatalf("POST /predict after rotation: %d, %v; want 200", got, err)
	}

	// A broken certificate (a key that does not match) is refused and the
	// one in force stays.
	before := counterValue(t, s, "tls_reloads_total", "failure")
	servetest.WriteFile(t, f.key, ca.ServerLeaf(t, time.Time{}).KeyPEM)
	eventually(t, "the mismatched key is counted as a failed reload", func() bool {
		return counterValue(t, s, "tls_reloads_total", "failure") > before
	})
	if got := servedCert(t, addr, ca); got.Cmp(second.Cert.SerialNumber) != 0 {
		t.Errorf("after a broken key: served %v; want the certificate in force %v", got, second.Cert.SerialNumber)
	}
	if err := s.Reload(t.Context()); err == nil || !strings.Contains(err.Error(), "TLS_CERT_FILE") {
		t.Errorf("Reload with a broken key: %v; want an error naming TLS_CERT_FILE", err)
	}
}

func TestTLS_StartErrors(t *testing.T) {
	dir := t.TempDir()
	ca := servetest.NewCA(t, "test root")
	leaf := ca.ServerLeaf(t, time.Time{})
	other := ca.ServerLeaf(t, time.Time{})
	good := writeTLS(t, dir, leaf)
	garbage := filepath.Join(dir, "garbage.pem")
	os.WriteFile(garbage, []byte("not a certificate"), 0o600)
	mismatched := filepath.Join(dir, "other.key")
	os.WriteFile(mismatched, other.KeyPEM, 0o600)
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"missing certificate", func(c *Config) { c.TLSCertFile, c.TLSKeyFile = filepath.Join(dir, "none.crt"), good.key }, "none.crt"},
		{"garbage certificate", func(c *Config) { c.TLSCertFile, c.TLSKeyFile = garbage, good.key }, "TLS_CERT_FILE"},
		{"key of another certificate", func(c *Config) { c.TLSCertFile, c.TLSKeyFile = good.cert, mismatched }, "private key does not match"},
		{"client CAs without a certificate", func(c *Config) {
			c.TLSCertFile, c.TLSKeyFile, c.TLSClientCAFile = good.cert, good.key, garbage
		}, "TLS_CLIENT_CA_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := NewConfig()
			cfg.ModelPath = "unused"
			tt.edit(&cfg)
			_, err := loadTLS(&cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("loadTLS: %v; want an error containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY-----") {
				t.Errorf("the error holds key material: %v", err)
			}
		})
	}
}

func TestMutualTLS_WithoutKeys(t *testing.T) {
	dir := t.TempDir()
	ca := servetest.NewCA(t, "server root")
	clients := servetest.NewCA(t, "client root")
	stranger := servetest.NewCA(t, "another root")
	f := writeTLS(t, dir, ca.ServerLeaf(t, time.Time{}), clients)
	s := openTLSServer(t, f, nil, nil)
	base := "https://" + s.Addr().String()
	app := appBody(t)

	origination := clients.Issue(t, servetest.LeafOptions{CommonName: "origination", Client: true})
	anon := ca.Client(t, nil)
	// Probes connect without a certificate; scoring needs one.
	if got, err := send(anon, "GET", base+"/health", "", nil); err != nil || got != 200 {
		t.Errorf("GET /health without a client certificate: %d, %v; want 200", got, err)
	}
	if got, err := send(anon, "POST", base+"/predict", "", app); err != nil || got != 401 {
		t.Errorf("POST /predict without a client certificate: %d, %v; want 401", got, err)
	}
	if got, err := send(ca.Client(t, origination), "POST", base+"/predict?explain=true", "", app); err != nil || got != 200 {
		t.Errorf("POST /predict with a verified certificate: %d, %v; want 200", got, err)
	}
	if got, err := send(ca.Client(t, origination), "GET", base+"/model/info", "", nil); err != nil || got != 200 {
		t.Errorf("GET /model/info with a verified certificate: %d, %v; want 200", got, err)
	}
	// A certificate of another CA fails the handshake.
	forged := stranger.Issue(t, servetest.LeafOptions{CommonName: "origination", Client: true})
	if got, err := send(ca.Client(t, forged), "POST", base+"/predict", "", app); err == nil {
		t.Errorf("a certificate of an untrusted CA was accepted: %d", got)
	}

	// Client CA rotation: once the file names only the new CA, the old
	// CA's certificates are refused and the new one's accepted.
	next := servetest.NewCA(t, "next client root")
	nextClient := next.Issue(t, servetest.LeafOptions{CommonName: "origination", Client: true})
	servetest.WriteFile(t, f.clientCA, next.CertPEM)
	eventually(t, "the rotated client CA is in force", func() bool {
		_, oldErr := send(ca.Client(t, origination), "POST", base+"/predict", "", app)
		got, newErr := send(ca.Client(t, nextClient), "POST", base+"/predict", "", app)
		return oldErr != nil && newErr == nil && got == 200
	})
}

func TestMutualTLS_WithKeys(t *testing.T) {
	dir := t.TempDir()
	ca := servetest.NewCA(t, "server root")
	clients := servetest.NewCA(t, "client root")
	f := writeTLS(t, dir, ca.ServerLeaf(t, time.Time{}), clients)
	keysPath := filepath.Join(dir, "keys.json")
	secret, hash := apikey.NewSecret()
	keys := &apikey.File{Keys: []apikey.Key{
		{ID: "origination", ClientCert: "origination.bank.example", Scopes: []string{apikey.ScopeScore}},
		{ID: "partner", ClientCert: "spiffe://partner.example/scoring", Scopes: []string{apikey.ScopeScore, apikey.ScopeExplain},
			RateLimit: &apikey.RateLimit{PerSecond: 0.001, Burst: 2}},
		{ID: "analyst", Hash: hash, Scopes: []string{apikey.ScopeModelRead}},
	}}
	if err := keys.WriteFile(keysPath); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	s := openTLSServer(t, f, func(c *Config) { c.APIKeysFile = keysPath }, &logs)
	base := "https://" + s.Addr().String()
	app := appBody(t)

	orig := ca.Client(t, clients.Issue(t, servetest.LeafOptions{CommonName: "origination.bank.example", Client: true}))
	partner := ca.Client(t, clients.Issue(t, servetest.LeafOptions{CommonName: "partner", URIs: []string{"spiffe://partner.example/scoring"}, Client: true}))
	unknown := ca.Client(t, clients.Issue(t, servetest.LeafOptions{CommonName: "intruder.example", Client: true}))
	anon := ca.Client(t, nil)
	tests := []struct {
		name   string
		c      *http.Client
		method string
		path   string
		auth   string
		want   int
	}{
		{"mapped certificate scores", orig, "POST", "/predict", "", 200},
		{"its key lacks explain", orig, "POST", "/predict?explain=true", "", 403},
		{"its key lacks model:read", orig, "GET", "/model/info", "", 403},
		{"a URI SAN maps a key with explain", partner, "POST", "/predict?explain=true", "", 200},
		{"a certificate mapped to no key", unknown, "POST", "/predict", "", 401},
		{"no certificate, no key", anon, "POST", "/predict", "", 401},
		{"no certificate, a key's secret", anon, "GET", "/model/info", secret, 200},
		{"a secret takes precedence over the certificate", orig, "POST", "/predict", secret, 403},
		{"probes stay open", anon, "GET", "/ready", "", 200},
		{"the partner's burst of 2", partner, "POST", "/predict", "", 200},
		{"over the partner's rate limit", partner, "POST", "/predict", "", 429},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body []byte
			if tt.method == "POST" {
				body = app
			}
			got, err := send(tt.c, tt.method, base+tt.path, tt.auth, body)
			if err != nil || got != tt.want {
				t.Errorf("%s %s: %d, %v; want %d", tt.method, tt.path, got, err, tt.want)
			}
		})
	}
	if !strings.Contains(logs.String(), `"key_id":"partner"`) || !strings.Contains(logs.String(), `"key_id":"origination"`) {
		t.Errorf("the access log names no key for certificate clients:\n%s", logs.String())
	}
}

func TestConfig_TLSAndLimits(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantVar string // "" when valid
		check   func(t *testing.T, c Config)
	}{
		{"cert and key", map[string]string{"TLS_CERT_FILE": "a.crt", "TLS_KEY_FILE": "a.key"}, "", nil},
		{"cert alone", map[string]string{"TLS_CERT_FILE": "a.crt"}, "TLS_KEY_FILE", nil},
		{"key alone", map[string]string{"TLS_KEY_FILE": "a.key"}, "TLS_CERT_FILE", nil},
		{"client CAs without a certificate", map[string]string{"TLS_CLIENT_CA_FILE": "ca.crt"}, "TLS_CLIENT_CA_FILE", nil},
		{"rate with derived burst", map[string]string{"RATE_LIMIT_RPS": "2.5"}, "", func(t *testing.T, c Config) {
			if c.RateLimit != (apikey.RateLimit{PerSecond: 2.5, Burst: 3}) {
				t.Errorf("RateLimit = %+v; want 2.5/s, burst 3", c.RateLimit)
			}
		}},
		{"rate and burst", map[string]string{"RATE_LIMIT_RPS": "100", "RATE_LIMIT_BURST": "500"}, "", func(t *testing.T, c Config) {
			if c.RateLimit != (apikey.RateLimit{PerSecond: 100, Burst: 500}) {
				t.Errorf("RateLimit = %+v; want 100/s, burst 500", c.RateLimit)
			}
		}},
		{"negative rate", map[string]string{"RATE_LIMIT_RPS": "-1"}, "RATE_LIMIT_RPS", nil},
		{"rate not a number", map[string]string{"RATE_LIMIT_RPS": "fast"}, "RATE_LIMIT_RPS", nil},
		{"burst without rate", map[string]string{"RATE_LIMIT_BURST": "5"}, "RATE_LIMIT_BURST", nil},
		{"metrics address", map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, "", nil},
		{"metrics port only", map[string]string{"METRICS_ADDR": ":9090"}, "", nil},
		{"metrics address without a port", map[string]string{"METRICS_ADDR": "127.0.0.1"}, "METRICS_ADDR", nil},
		{"metrics on the API address", map[string]string{"METRICS_ADDR": "0.0.0.0:8000"}, "METRICS_ADDR", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			var ce *ConfigError
			switch {
			case tt.wantVar == "" && err != nil:
				t.Fatalf("ConfigFromEnv: %v", err)
			case tt.wantVar != "" && (!errors.As(err, &ce) || ce.Var != tt.wantVar):
				t.Fatalf("ConfigFromEnv: %v; want a ConfigError naming %s", err, tt.wantVar)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestMetricsAddr(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.Host, c.Port = "127.0.0.1", 0
		c.MetricsAddr = "127.0.0.1:0"
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	c := &http.Client{Timeout: 5 * time.Second}
	api, metrics := "http://"+s.Addr().String(), "http://"+s.MetricsAddr().String()
	if s.MetricsAddr().String() == s.Addr().String() {
		t.Fatal("one listener for both")
	}
	tests := []struct {
		url  string
		want int
	}{
		{api + "/metrics", 404},
		{api + "/health", 200},
		{metrics + "/metrics", 200},
		{metrics + "/health", 404},
		{metrics + "/model/info", 404},
	}
	for _, tt := range tests {
		if got, err := send(c, "GET", tt.url, "", nil); err != nil || got != tt.want {
			t.Errorf("GET %s: %d, %v; want %d", tt.url, got, err, tt.want)
		}
	}
	if got, err := send(c, "POST", metrics+"/predict", "", appBody(t)); err != nil || got != 404 {
		t.Errorf("POST /predict on the metrics listener: %d, %v; want 404", got, err)
	}
	// The scrapes are counted under /metrics.
	resp, err := c.Get(metrics + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `http_requests_total{endpoint="/metrics",method="GET",status="200"}`) {
		t.Errorf("scrapes on METRICS_ADDR not counted under /metrics")
	}
	if _, err := net.Dial("tcp", s.MetricsAddr().String()); err != nil {
		t.Errorf("metrics listener: %v", err)
	}
}
