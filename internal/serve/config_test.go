package serve

import (
	"bytes"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		check  func(Config) bool
		badVar string
	}{
		{"defaults", nil, func(c Config) bool {
			return c.ModelPath == "models/production.model" && c.Addr() == "0.0.0.0:8000" && c.MaxBatch == 10000 &&
				c.ReloadInterval == 5*time.Second && c.LogFormat == "json" && c.LogLevel == slog.LevelInfo && c.DriftWindow == 5000 &&
				c.RangePolicy == "clamp" && c.ReasonsMax == 4
		}, ""},
		{"reasons max", map[string]string{"REASONS_MAX": "5"}, func(c Config) bool { return c.ReasonsMax == 5 }, ""},
		{"zero reasons max", map[string]string{"REASONS_MAX": "0"}, nil, "REASONS_MAX"},
		{"reasons max above the bound", map[string]string{"REASONS_MAX": "17"}, nil, "REASONS_MAX"},
		{"range policy", map[string]string{"RANGE_POLICY": "Reject"}, func(c Config) bool { return c.RangePolicy == "reject" }, ""},
		{"bad range policy", map[string]string{"RANGE_POLICY": "ignore"}, nil, "RANGE_POLICY"},
		{"set", map[string]string{
			"MODEL_PATH": "/app/models/production.model", "API_HOST": "127.0.0.1", "API_PORT": "9000",
			"LOG_LEVEL": "debug", "LOG_FORMAT": "TEXT", "MAX_BODY_BYTES": "64KiB", "MAX_BATCH_SIZE": "1_000",
			"MODEL_RELOAD_INTERVAL": "250ms", "DRIFT_WINDOW": "0", "SHUTDOWN_TIMEOUT": "2",
		}, func(c Config) bool {
			return c.ModelPath == "/app/models/production.model" && c.Addr() == "127.0.0.1:9000" && c.LogLevel == slog.LevelDebug &&
				c.LogFormat == "text" && c.MaxBodyBytes == 64<<10 && c.MaxBatch == 1000 && c.ReloadInterval == 250*time.Millisecond &&
				c.DriftWindow == 0 && c.ShutdownTimeout == 2*time.Second
		}, ""},
		{"derived metadata", map[string]string{"MODEL_PATH": "/m/production.model"}, func(c Config) bool {
			_, meta := c.ModelFiles()
			return meta == "/m/production_metadata.json"
		}, ""},
		{"explicit metadata", map[string]string{"MODEL_METADATA_PATH": "/x/meta.json"}, func(c Config) bool {
			_, meta := c.ModelFiles()
			return meta == "/x/meta.json"
		}, ""},
		{"bad port", map[string]string{"API_PORT": "eighty"}, nil, "API_PORT"},
		{"port out of range", map[string]string{"API_PORT": "70000"}, nil, "API_PORT"},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, nil, "LOG_LEVEL"},
		{"bad format", map[string]string{"LOG_FORMAT": "xml"}, nil, "LOG_FORMAT"},
		{"bad body limit", map[string]string{"MAX_BODY_BYTES": "-1"}, nil, "MAX_BODY_BYTES"},
		{"zero batch", map[string]string{"MAX_BATCH_SIZE": "0"}, nil, "MAX_BATCH_SIZE"},
		{"bad interval", map[string]string{"MODEL_RELOAD_INTERVAL": "soon"}, nil, "MODEL_RELOAD_INTERVAL"},
		{"negative window", map[string]string{"DRIFT_WINDOW": "-5"}, nil, "DRIFT_WINDOW"},
		{"zero timeout", map[string]string{"READ_TIMEOUT": "0s"}, nil, "READ_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			if tt.badVar != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Var != tt.badVar || !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), tt.badVar) {
					t.Fatalf("error %v; want a ConfigError naming %s", err, tt.badVar)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !tt.check(c) {
				t.Errorf("config %+v does not hold what the environment says", c)
			}
		})
	}
}

func TestModelNotFound(t *testing.T) {
	cfg := NewConfig()
	cfg.ModelPath = t.TempDir() + "/production.model"
	_, err := New(cfg, Options{})
	var nf *ModelNotFoundError
	if !errors.As(err, &nf) || !errors.Is(err, ErrModelNotFound) {
		t.Fatalf("error %v; want a ModelNotFoundError", err)
	}
	if want := "Model file not found: " + cfg.ModelPath; err.Error() != want {
		t.Errorf("message %q; want %q", err.Error(), want)
	}
	for _, fix := range []string{"training", "mount", "MODEL_PATH"} {
		if !strings.Contains(nf.Hint(), fix) {
			t.Errorf("hint lacks %q: %s", fix, nf.Hint())
		}
	}
}

// TestSeedModelPath: MODEL_PATH=/app/models/production.pkl, the value the
// seed's images were run with, serves the champion alias production.model
// beside it and says so; a missing path in a folder with the alias names it.
func TestSeedModelPath(t *testing.T) {
	dir := t.TempDir()
	base := servetest.WriteModel(t, dir, servetest.Options{Trees: 3})
	servetest.SetAlias(t, dir, base)

	var logs bytes.Buffer
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(dir, "production.pkl")
	s, err := New(cfg, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.cfg.ModelPath, filepath.Join(dir, "production.model"); got != want {
		t.Errorf("serving %s, want %s", got, want)
	}
	if l := s.current.Load(); l == nil || l.version != base {
		t.Errorf("loaded %v, want %s", l, base)
	}
	if !strings.Contains(logs.String(), "production.pkl does not exist; serving "+filepath.Join(dir, "production.model")) {
		t.Errorf("the log does not say what was loaded instead:\n%s", logs.String())
	}

	cfg.ModelPath = filepath.Join(dir, "champion.model")
	_, err = New(cfg, Options{})
	var nf *ModelNotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("error %v; want a ModelNotFoundError", err)
	}
	if want := "Did you mean " + filepath.Join(dir, "production.model") + "?"; !strings.HasPrefix(nf.Hint(), want) {
		t.Errorf("hint %q; want it to start with %q", nf.Hint(), want)
	}
}

// TestProbesLoggedAtDebug: health checks poll /health and /ready every few
// seconds; their successes stay out of an info-level access log, their
// failures and every other request do not.
func TestProbesLoggedAtDebug(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, nil)
	var logs bytes.Buffer
	s.access = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for _, path := range []string{"/health", "/ready", "/model/info", "/nope"} {
		do(t, s, "GET", path, nil)
	}
	for path, want := range map[string]bool{`"path":"/health"`: false, `"path":"/ready"`: false, `"path":"/model/info"`: true, `"path":"/nope"`: true} {
		if got := strings.Contains(logs.String(), path); got != want {
			t.Errorf("access log has %s: %v, want %v\n%s", path, got, want, logs.String())
		}
	}
}
