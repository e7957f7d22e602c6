package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		stdout   string
		stderr   string
	}{
		{"version", []string{"--version"}, nil, 0, "credit-risk-api dev", ""},
		{"help", []string{"--help"}, nil, 0, "healthcheck", ""},
		{"serve help", []string{"serve", "--help"}, nil, 0, "MODEL_PATH", ""},
		{"healthcheck help", []string{"healthcheck", "--help"}, nil, 0, "Examples:", ""},
		{"unknown command", []string{"train"}, nil, 2, "", `unknown command "train"`},
		{"serve arguments", []string{"serve", "extra"}, nil, 2, "", "takes no arguments"},
		{"bad config", nil, map[string]string{"API_PORT": "x"}, 1, "", `"level":"ERROR","msg":"config: API_PORT=\"x\"`},
		{"bad config, text", nil, map[string]string{"API_PORT": "x", "LOG_FORMAT": "text"}, 1, "", "credit-risk-api: config: API_PORT"},
		{"no model", nil, map[string]string{"MODEL_PATH": "/nonexistent/production.model"}, 1, "",
			`"level":"ERROR","msg":"Model file not found: /nonexistent/production.model","hint":"Run the training pipeline first`},
		{"no model, text", nil, map[string]string{"MODEL_PATH": "/nonexistent/production.model", "LOG_FORMAT": "text"}, 1, "",
			"Model file not found: /nonexistent/production.model\nRun the training pipeline first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tt.env[k] }}
			code := m.ExitCode(m.Run(t.Context(), tt.args))
			if code != tt.wantCode {
				t.Errorf("exit code %d; want %d (stderr %q)", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout %q; want it to contain %q", stdout.String(), tt.stdout)
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q; want it to contain %q", stderr.String(), tt.stderr)
			}
			if strings.HasPrefix(tt.stderr, `"level"`) {
				// One JSON log record and nothing else.
				var rec map[string]any
				if err := json.Unmarshal(stderr.Bytes(), &rec); err != nil || rec["time"] == nil {
					t.Errorf("stderr %q is not one JSON log record: %v", stderr.String(), err)
				}
			}
		})
	}
}

func TestHealthcheck(t *testing.T) {
	ready := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ready" {
			t.Errorf("healthcheck asked %s; want /ready", r.URL.Path)
		}
		w.Write([]byte(`{"status":"ready"}`))
	}))
	defer ready.Close()
	notReady := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no model", http.StatusServiceUnavailable)
	}))
	defer notReady.Close()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	port := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://127.0.0.1:") }

	tests := []struct {
		name string
		env  map[string]string
		args []string
		want error
	}{
		{"ready via API_PORT", map[string]string{"API_PORT": port(ready)}, nil, nil},
		{"ready via --url", nil, []string{"--url", ready.URL + "/ready"}, nil},
		{"503", map[string]string{"API_PORT": port(notReady)}, nil, errNotReady},
		{"nothing listening", map[string]string{"API_PORT": strconv.Itoa(closedPort)}, nil, errNotReady},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return tt.env[k] }}
			err := m.Run(context.Background(), append([]string{"healthcheck"}, tt.args...))
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v; want %v", err, tt.want)
			}
			wantCode := 0
			if tt.want != nil {
				wantCode = 1
			}
			if code := m.ExitCode(err); code != wantCode {
				t.Errorf("exit code %d; want %d", code, wantCode)
			}
		})
	}
}
