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

// TestEndToEndAuth adds keys with the binary's keys command, serves with
// API_KEYS_FILE and checks 401, 403 and 200, then revokes a key and waits
// for the running server to refuse it.
func TestEndToEndAuth(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	v1 := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 10, Depth: 3})
	servetest.SetAlias(t, dir, v1)
	keys := filepath.Join(dir, "keys.json")
	addKey := func(id, scopes string) string {
		t.Helper()
		out, err := exec.Command(bin, "keys", "add", "--file", keys, "--id", id, "--scopes", scopes).Output()
		if err != nil {
			t.Fatalf("keys add %s: %v", id, err)
		}
		return lastLine(string(out))
	}
	scorer := addKey("scorer", "score")
	reader := addKey("reader", "model:read,score,explain")

	p := start(t, bin, "MODEL_PATH="+filepath.Join(dir, "production.model"), "API_KEYS_FILE="+keys, "MODEL_RELOAD_INTERVAL=50ms")
	app, _ := json.Marshal(servetest.Application(1))
	send := func(method, path, header, value string, body []byte) (int, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(method, p.base+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if header != "" {
			req.Header.Set(header, value)
		}
		c := &http.Client{Timeout: 10 * time.Second}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		defer resp.Body.Close()
		io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, resp.Header
	}
	tests := []struct {
		name, method, path, header, value string
		body                              []byte
		status                            int
	}{
		{"predict without a key", "POST", "/predict", "", "", app, 401},
		{"predict with a wrong key", "POST", "/predict", "Authorization", "Bearer " + scorer + "x", app, 401},
		{"predict with scorer", "POST", "/predict", "Authorization", "Bearer " + scorer, app, 200},
		{"predict with scorer, X-API-Key", "POST", "/predict", "X-API-Key", scorer, app, 200},
		{"explain with scorer", "POST", "/predict?explain=true", "Authorization", "Bearer " + scorer, app, 403},
		{"explain with reader", "POST", "/predict?explain=true", "Authorization", "Bearer " + reader, app, 200},
		{"model info with scorer", "GET", "/model/info", "Authorization", "Bearer " + scorer, nil, 403},
		{"model info with reader", "GET", "/model/info", "Authorization", "Bearer " + reader, nil, 200},
		{"stats without a key", "GET", "/stats", "", "", nil, 401},
		{"health", "GET", "/health", "", "", nil, 200},
		{"ready", "GET", "/ready", "", "", nil, 200},
		{"metrics", "GET", "/metrics", "", "", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h := send(tt.method, tt.path, tt.header, tt.value, tt.body)
			if status != tt.status {
				t.Fatalf("status %d; want %d", status, tt.status)
			}
			if status == 401 && !strings.HasPrefix(h.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q; want Bearer", h.Get("WWW-Authenticate"))
			}
		})
	}

	// Revoke the scorer with the CLI: the running server refuses it within
	// a few reload intervals and keeps the other key.
	if out, err := exec.Command(bin, "keys", "revoke", "--file", keys, "--id", "scorer").CombinedOutput(); err != nil {
		t.Fatalf("keys revoke: %v: %s", err, out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if status, _ := send("POST", "/predict", "Authorization", "Bearer "+scorer, app); status == 401 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the revoked key still works after 10s:\n%s", p.log())
		}
		time.Sleep(25 * time.Millisecond)
	}
	if status, _ := send("POST", "/predict", "X-API-Key", reader, app); status != 200 {
		t.Errorf("the remaining key after the revocation: %d; want 200", status)
	}

	// The access log names the key, never its secret (it is flushed at
	// least every second).
	deadline = time.Now().Add(5 * time.Second)
	for !strings.Contains(p.log(), `"key_id":"reader"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no access log record with key_id reader:\n%s", p.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if log := p.log(); strings.Contains(log, scorer) || strings.Contains(log, reader) {
		t.Errorf("a secret reached the log")
	}
	if !strings.Contains(p.log(), `"msg":"API keys reloaded"`) {
		t.Errorf("no reload log line:\n%s", p.log())
	}
}
