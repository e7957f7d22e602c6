package serve

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
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
				c.ReloadInterval == 5*time.Second && c.LogFormat == "json" && c.LogLevel == slog.LevelInfo && c.DriftWindow == 5000
		}, ""},
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
