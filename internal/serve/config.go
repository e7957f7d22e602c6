package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
)

// Defaults of Config, as ConfigFromEnv fills them in.
const (
	DefaultModelPath         = "models/production" + model.Ext
	DefaultHost              = "0.0.0.0"
	DefaultPort              = 8000
	DefaultMaxBodyBytes      = 1 << 20
	DefaultMaxBatchBodyBytes = 32 << 20
	DefaultMaxBatch          = 10_000
	DefaultReloadInterval    = 5 * time.Second
	DefaultDriftWindow       = 5_000
	DefaultReasons           = 5
	DefaultReasonsMax        = model.DefaultAdverseReasons
	MaxReasonsMax            = 16
	DefaultShutdownTimeout   = 30 * time.Second
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 120 * time.Second
	DefaultAuditDir          = "audit"
	DefaultAuditTimeout      = 5 * time.Second
	DefaultAuditSpoolMax     = 100_000
	DefaultShadowShare       = 0.1
)

// Values of Config.Audit.
const (
	AuditOff  = "off"  // no audit trail
	AuditFile = "file" // the file trail of package audit
	// AuditPostgres is the file trail copied to PostgreSQL (package
	// auditpg) for a fleet of replicas.
	AuditPostgres = "postgres"
)

// Config is the server's configuration. ConfigFromEnv reads it from the
// environment; NewConfig returns the defaults.
type Config struct {
	// ModelPath is the model file, usually the champion alias
	// (env MODEL_PATH, default models/production.model under the working
	// directory).
	ModelPath string
	// MetadataPath is the model's metadata file (env MODEL_METADATA_PATH);
	// "" derives it: dir/production.model → dir/production_metadata.json.
	MetadataPath string
	// Host and Port are the listen address (env API_HOST, default 0.0.0.0,
	// and API_PORT, default 8000; 0 picks a free port).
	Host string
	Port int
	// LogLevel is the least level logged (env LOG_LEVEL: debug, info,
	// warn, error; default info). Access logs are at info.
	LogLevel slog.Level
	// LogFormat is "json" (default) or "text" (env LOG_FORMAT).
	LogFormat string
	// MaxBodyBytes limits a /predict body (env MAX_BODY_BYTES, default
	// 1 MiB) and MaxBatchBodyBytes a /predict/batch body (env
	// MAX_BATCH_BODY_BYTES, default 32 MiB).
	MaxBodyBytes      int64
	MaxBatchBodyBytes int64
	// MaxBatch is the most applications in one batch (env MAX_BATCH_SIZE,
	// default 10,000).
	MaxBatch int
	// ReloadInterval is how often the model alias is checked for a new
	// target (env MODEL_RELOAD_INTERVAL, default 5s; 0 turns polling off,
	// SIGHUP still reloads).
	ReloadInterval time.Duration
	// DriftWindow is the number of recent applications drift is measured
	// on (env DRIFT_WINDOW, default 5,000; 0 turns drift monitoring off).
	DriftWindow int
	// RangePolicy is the range policy of the inputs whose spec sets none
	// (env RANGE_POLICY: clamp, the default, or reject): what happens to a
	// value outside what the model saw in training (see guard.go and the
	// README).
	RangePolicy string
	// Reasons is the number of reason codes ?explain=true returns
	// (env EXPLAIN_REASONS, default 5).
	Reasons int
	// ReasonsMax is the most principal reasons a declined application's
	// adverse_action lists (env REASONS_MAX, default 4, at most
	// MaxReasonsMax): Regulation B finds more than four unlikely to help.
	ReasonsMax int
	// ShutdownTimeout bounds the wait for in-flight requests on shutdown
	// (env SHUTDOWN_TIMEOUT, default 30s).
	ShutdownTimeout time.Duration
	// HTTP server timeouts against slow clients (env READ_HEADER_TIMEOUT
	// 5s, READ_TIMEOUT 30s, WRITE_TIMEOUT 60s, IDLE_TIMEOUT 120s).
	ReadHeaderTimeout time.Duration
	ReadTimeout       time.Duration
	WriteTimeout      time.Duration
	IdleTimeout       time.Duration
	// APIKeysFile is the API keys file (env API_KEYS_FILE; see package
	// apikey). "" turns authentication off: every endpoint is open, a
	// warning is logged at start, and /model/info is given in its public
	// form unless ModelInfoFull. The file is re-read when it changes, on
	// the model's polling interval and on SIGHUP.
	APIKeysFile string
	// ModelInfoFull gives /model/info in full without API keys (env
	// MODEL_INFO_FULL, default false). With API keys it is always in full,
	// for keys with the model:read scope.
	ModelInfoFull bool
	// RateLimit is the default request rate limit (env RATE_LIMIT_RPS,
	// requests a second, and RATE_LIMIT_BURST, requests at once; default
	// off). It applies to every API key without a rate_limit of its own
	// and, without API keys, to each client address. A batch counts its
	// applications.
	RateLimit apikey.RateLimit
	// TLSCertFile and TLSKeyFile turn TLS on (env TLS_CERT_FILE, a PEM
	// certificate chain, and TLS_KEY_FILE, its PEM private key); both or
	// neither. They are re-read when they change, like the model, so a
	// rotated certificate is served without a restart.
	TLSCertFile string
	TLSKeyFile  string
	// TLSClientCAFile turns mutual TLS on (env TLS_CLIENT_CA_FILE, PEM CA
	// certificates): a client certificate is verified against these CAs,
	// and a verified certificate authenticates its client (see
	// apikey.Key.ClientCert). Needs TLSCertFile. Re-read on change.
	TLSClientCAFile string
	// Audit turns the decision audit trail on (env AUDIT: off, the
	// default, or file): every decision is appended to a hash-chained
	// trail in AuditDir before its answer is sent (package audit).
	Audit string
	// AuditDir is the trail's folder (env AUDIT_DIR, default audit under
	// the working directory; a mounted volume in a container).
	AuditDir string
	// AuditSync is audit.SyncAlways (env AUDIT_SYNC=always, the default:
	// an answer is sent only once its record is on disk) or
	// audit.SyncInterval (interval: written at once, fsynced every
	// 100 ms).
	AuditSync audit.SyncPolicy
	// AuditInputs is audit.InputsRaw (env AUDIT_INPUTS=raw, the default:
	// the application as received) or audit.InputsHash (hash: only its
	// SHA-256).
	AuditInputs audit.InputMode
	// AuditDatabaseURL is the PostgreSQL database a fleet's trails are
	// copied to with AUDIT=postgres (env AUDIT_DATABASE_URL, a secret:
	// never logged); AuditDir is then the local spool.
	AuditDatabaseURL string
	// AuditInstance names this replica's trail in the database (env
	// AUDIT_INSTANCE, default the host name: a pod's name).
	AuditInstance string
	// AuditSpoolMax bounds the decisions recorded locally but not yet in
	// the database (env AUDIT_SPOOL_MAX, default 100,000); past it the
	// server answers 503 rather than decide without the database.
	AuditSpoolMax int
	// AuditTimeout bounds the wait for a decision's record (env
	// AUDIT_TIMEOUT, default 5s); past it the request is answered 503
	// and no decision is sent.
	AuditTimeout time.Duration
	// ChallengerPath is the challenger alias (env CHALLENGER_PATH; ""
	// derives challenger.model beside ModelPath). When it exists, a share
	// of /predict applications is also scored with it, off the response
	// path (shadow.go); it is polled and reloaded like the champion.
	ChallengerPath string
	// ShadowShare is the share of /predict applications scored with the
	// challenger (env SHADOW_SHARE, 0 to 1, default 0.1; 0 turns shadow
	// scoring off). Every round(1/share)-th application is taken.
	ShadowShare float64
	// MetricsAddr serves /metrics on its own plain-HTTP listener,
	// host:port (env METRICS_ADDR, e.g. 127.0.0.1:9090 or :9090); the API
	// listener then answers 404 for /metrics. "" serves /metrics on the API
	// listener.
	MetricsAddr string
}

// NewConfig returns the default configuration.
func NewConfig() Config {
	return Config{
		ModelPath:         DefaultModelPath,
		Host:              DefaultHost,
		Port:              DefaultPort,
		LogLevel:          slog.LevelInfo,
		LogFormat:         "json",
		MaxBodyBytes:      DefaultMaxBodyBytes,
		MaxBatchBodyBytes: DefaultMaxBatchBodyBytes,
		MaxBatch:          DefaultMaxBatch,
		ReloadInterval:    DefaultReloadInterval,
		DriftWindow:       DefaultDriftWindow,
		RangePolicy:       features.RangeClamp,
		Reasons:           DefaultReasons,
		ReasonsMax:        DefaultReasonsMax,
		ShutdownTimeout:   DefaultShutdownTimeout,
		ReadHeaderTimeout: DefaultReadHeaderTimeout,
		ReadTimeout:       DefaultReadTimeout,
		WriteTimeout:      DefaultWriteTimeout,
		IdleTimeout:       DefaultIdleTimeout,
		Audit:             AuditOff,
		AuditDir:          DefaultAuditDir,
		AuditSync:         audit.SyncAlways,
		AuditInputs:       audit.InputsRaw,
		AuditTimeout:      DefaultAuditTimeout,
		AuditSpoolMax:     DefaultAuditSpoolMax,
		ShadowShare:       DefaultShadowShare,
	}
}

// ErrConfig is wrapped by every ConfigError.
var ErrConfig = errors.New("invalid configuration")

// ConfigError is a configuration value that cannot be used; Var names the
// environment variable.
type ConfigError struct {
	Var   string
	Value string
	Err   error
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("config: %s=%q: %v", e.Var, e.Value, e.Err)
}

// Unwrap returns ErrConfig and the cause.
func (e *ConfigError) Unwrap() []error { return []error{ErrConfig, e.Err} }

// ConfigFromEnv reads the configuration from the environment through getenv
// (os.Getenv in the program), starting from NewConfig. Unset or empty
// variables keep their default. The first bad value is returned as a
// *ConfigError naming the variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	c := NewConfig()
	var err error
	set := func(name string, parse func(string) error) {
		v := strings.TrimSpace(getenv(name))
		if err != nil || v == "" {
			return
		}
		if e := parse(v); e != nil {
			err = &ConfigError{Var: name, Value: v, Err: e}
		}
	}
	set("MODEL_PATH", func(v string) error { c.ModelPath = v; return nil })
	set("MODEL_METADATA_PATH", func(v string) error { c.MetadataPath = v; return nil })
	set("API_HOST", func(v string) error { c.Host = v; return nil })
	set("API_PORT", func(v string) error {
		p, e := strconv.Atoi(v)
		if e != nil || p < 0 || p > 65535 {
			return errors.New("want a port number from 0 to 65535")
		}
		c.Port = p
		return nil
	})
	set("LOG_LEVEL", func(v string) error { return c.LogLevel.UnmarshalText([]byte(v)) })
	set("LOG_FORMAT", func(v string) error {
		v = strings.ToLower(v)
		if v != "json" && v != "text" {
			return errors.New("want json or text")
		}
		c.LogFormat = v
		return nil
	})
	set("MAX_BODY_BYTES", bytesVar(&c.MaxBodyBytes))
	set("MAX_BATCH_BODY_BYTES", bytesVar(&c.MaxBatchBodyBytes))
	set("MAX_BATCH_SIZE", intVar(&c.MaxBatch, 1))
	set("MODEL_RELOAD_INTERVAL", durationVar(&c.ReloadInterval))
	set("DRIFT_WINDOW", intVar(&c.DriftWindow, 0))
	set("RANGE_POLICY", func(v string) error {
		v = strings.ToLower(v)
		if v != features.RangeClamp && v != features.RangeReject {
			return errors.New("want clamp or reject")
		}
		c.RangePolicy = v
		return nil
	})
	set("EXPLAIN_REASONS", intVar(&c.Reasons, 1))
	set("REASONS_MAX", intVar(&c.ReasonsMax, 1))
	set("SHUTDOWN_TIMEOUT", durationVar(&c.ShutdownTimeout))
	set("READ_HEADER_TIMEOUT", durationVar(&c.ReadHeaderTimeout))
	set("READ_TIMEOUT", durationVar(&c.ReadTimeout))
	set("WRITE_TIMEOUT", durationVar(&c.WriteTimeout))
	set("IDLE_TIMEOUT", durationVar(&c.IdleTimeout))
	set("API_KEYS_FILE", func(v string) error { c.APIKeysFile = v; return nil })
	set("MODEL_INFO_FULL", func(v string) error {
		b, e := strconv.ParseBool(v)
		if e != nil {
			return errors.New("want true or false")
		}
		c.ModelInfoFull = b
		return nil
	})
	set("RATE_LIMIT_RPS", func(v string) error {
		r, e := strconv.ParseFloat(v, 64)
		if e != nil || !(r >= 0 && r <= 1e9) {
			return errors.New("want requests a second, from 0 (off) to 1e9")
		}
		c.RateLimit.PerSecond = r
		return nil
	})
	set("RATE_LIMIT_BURST", intVar(&c.RateLimit.Burst, 0))
	set("TLS_CERT_FILE", func(v string) error { c.TLSCertFile = v; return nil })
	set("TLS_KEY_FILE", func(v string) error { c.TLSKeyFile = v; return nil })
	set("TLS_CLIENT_CA_FILE", func(v string) error { c.TLSClientCAFile = v; return nil })
	set("METRICS_ADDR", func(v string) error { c.MetricsAddr = v; return nil })
	set("AUDIT", func(v string) error {
		switch v = strings.ToLower(v); v {
		case AuditOff, AuditFile, AuditPostgres:
			c.Audit = v
			return nil
		}
		return errors.New("want off, file or postgres")
	})
	set("AUDIT_DIR", func(v string) error { c.AuditDir = v; return nil })
	c.AuditDatabaseURL = strings.TrimSpace(getenv("AUDIT_DATABASE_URL")) // a secret: never in an error
	set("AUDIT_INSTANCE", func(v string) error { c.AuditInstance = v; return nil })
	set("AUDIT_SPOOL_MAX", intVar(&c.AuditSpoolMax, 1))
	set("CHALLENGER_PATH", func(v string) error { c.ChallengerPath = v; return nil })
	set("SHADOW_SHARE", func(v string) error {
		f, e := strconv.ParseFloat(v, 64)
		if e != nil || !(f >= 0 && f <= 1) {
			return errors.New("want a share from 0 (off) to 1")
		}
		c.ShadowShare = f
		return nil
	})
	set("AUDIT_SYNC", func(v string) error {
		switch p := audit.SyncPolicy(strings.ToLower(v)); p {
		case audit.SyncAlways, audit.SyncInterval:
			c.AuditSync = p
			return nil
		}
		return errors.New("want always or interval")
	})
	set("AUDIT_INPUTS", func(v string) error {
		switch m := audit.InputMode(strings.ToLower(v)); m {
		case audit.InputsRaw, audit.InputsHash:
			c.AuditInputs = m
			return nil
		}
		return errors.New("want raw or hash")
	})
	set("AUDIT_TIMEOUT", durationVar(&c.AuditTimeout))
	if err == nil && c.RateLimit.PerSecond > 0 && c.RateLimit.Burst == 0 {
		c.RateLimit.Burst = max(1, int(math.Ceil(c.RateLimit.PerSecond)))
	}
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Validate checks the configuration and returns a *ConfigError naming the
// environment variable of the first bad field.
func (c *Config) Validate() error {
	bad := func(name string, v any, msg string) error {
		return &ConfigError{Var: name, Value: fmt.Sprint(v), Err: errors.New(msg)}
	}
	switch {
	case c.ModelPath == "":
		return bad("MODEL_PATH", c.ModelPath, "must name the model file")
	case c.Port < 0 || c.Port > 65535:
		return bad("API_PORT", c.Port, "want a port number from 0 to 65535")
	case c.LogFormat != "json" && c.LogFormat != "text":
		return bad("LOG_FORMAT", c.LogFormat, "want json or text")
	case c.MaxBodyBytes <= 0:
		return bad("MAX_BODY_BYTES", c.MaxBodyBytes, "must be positive")
	case c.MaxBatchBodyBytes <= 0:
		return bad("MAX_BATCH_BODY_BYTES", c.MaxBatchBodyBytes, "must be positive")
	case c.MaxBatch <= 0:
		return bad("MAX_BATCH_SIZE", c.MaxBatch, "must be positive")
	case c.ReloadInterval < 0:
		return bad("MODEL_RELOAD_INTERVAL", c.ReloadInterval, "must not be negative")
	case c.DriftWindow < 0:
		return bad("DRIFT_WINDOW", c.DriftWindow, "must not be negative")
	case c.RangePolicy != features.RangeClamp && c.RangePolicy != features.RangeReject:
		return bad("RANGE_POLICY", c.RangePolicy, "want clamp or reject")
	case c.Reasons <= 0:
		return bad("EXPLAIN_REASONS", c.Reasons, "must be positive")
	case c.ReasonsMax < 1 || c.ReasonsMax > MaxReasonsMax:
		return bad("REASONS_MAX", c.ReasonsMax, fmt.Sprintf("want 1 to %d", MaxReasonsMax))
	case c.ShutdownTimeout <= 0:
		return bad("SHUTDOWN_TIMEOUT", c.ShutdownTimeout, "must be positive")
	case c.ReadHeaderTimeout <= 0:
		return bad("READ_HEADER_TIMEOUT", c.ReadHeaderTimeout, "must be positive")
	case c.ReadTimeout <= 0:
		return bad("READ_TIMEOUT", c.ReadTimeout, "must be positive")
	case c.WriteTimeout <= 0:
		return bad("WRITE_TIMEOUT", c.WriteTimeout, "must be positive")
	case c.IdleTimeout <= 0:
		return bad("IDLE_TIMEOUT", c.IdleTimeout, "must be positive")
	case !(c.RateLimit.PerSecond >= 0 && c.RateLimit.PerSecond <= 1e9):
		return bad("RATE_LIMIT_RPS", c.RateLimit.PerSecond, "want requests a second, from 0 (off) to 1e9")
	case c.RateLimit.Burst < 0 || (c.RateLimit.PerSecond > 0 && c.RateLimit.Burst == 0):
		return bad("RATE_LIMIT_BURST", c.RateLimit.Burst, "must be at least 1 with RATE_LIMIT_RPS")
	case c.RateLimit.PerSecond == 0 && c.RateLimit.Burst > 0:
		return bad("RATE_LIMIT_BURST", c.RateLimit.Burst, "needs RATE_LIMIT_RPS")
	case (c.TLSCertFile == "") != (c.TLSKeyFile == ""):
		if c.TLSCertFile == "" {
			return bad("TLS_CERT_FILE", c.TLSCertFile, "must be set with TLS_KEY_FILE")
		}
		return bad("TLS_KEY_FILE", c.TLSKeyFile, "must be set with TLS_CERT_FILE")
	case !(c.ShadowShare >= 0 && c.ShadowShare <= 1):
		return bad("SHADOW_SHARE", c.ShadowShare, "want a share from 0 (off) to 1")
	case c.Audit != AuditOff && c.Audit != AuditFile && c.Audit != AuditPostgres:
		return bad("AUDIT", c.Audit, "want off, file or postgres")
	case c.Audit != AuditOff && c.AuditDir == "":
		return bad("AUDIT_DIR", c.AuditDir, "must name the trail's folder")
	case c.Audit != AuditOff && c.AuditTimeout <= 0:
		return bad("AUDIT_TIMEOUT", c.AuditTimeout, "must be positive")
	case c.Audit == AuditPostgres && c.AuditDatabaseURL == "":
		return bad("AUDIT_DATABASE_URL", "", "is required with AUDIT=postgres (postgres://user:password@host:5432/db)")
	case c.AuditSpoolMax < 1:
		return bad("AUDIT_SPOOL_MAX", c.AuditSpoolMax, "must be at least 1")
	case c.TLSClientCAFile != "" && c.TLSCertFile == "":
		return bad("TLS_CLIENT_CA_FILE", c.TLSClientCAFile, "mutual TLS needs TLS_CERT_FILE and TLS_KEY_FILE")
	}
	if c.MetricsAddr != "" {
		host, port, err := net.SplitHostPort(c.MetricsAddr)
		if p, perr := strconv.Atoi(port); err != nil || perr != nil || p < 0 || p > 65535 {
			return bad("METRICS_ADDR", c.MetricsAddr, "want host:port or :port, such as 127.0.0.1:9090")
		}
		if host == c.Host && port == strconv.Itoa(c.Port) && c.Port != 0 {
			return bad("METRICS_ADDR", c.MetricsAddr, "must differ from API_HOST:API_PORT")
		}
	}
	return nil
}

// Addr returns the listen address, host:port.
func (c *Config) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// ModelFiles returns the model path and the metadata path, derived when
// MetadataPath is empty.
func (c *Config) ModelFiles() (modelPath, metaPath string) {
	metaPath = c.MetadataPath
	if metaPath == "" {
		metaPath = model.MetadataPath(c.ModelPath)
	}
	return filepath.Clean(c.ModelPath), filepath.Clean(metaPath)
}

func intVar(dst *int, least int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(strings.ReplaceAll(v, "_", ""))
		if err != nil {
			return errors.New("want a whole number")
		}
		if n < least {
			return fmt.Errorf("must be at least %d", least)
		}
		*dst = n
		return nil
	}
}

// bytesVar reads a byte count: a whole number with an optional KiB, MiB or
// GiB (or K, M, G) suffix.
func bytesVar(dst *int64) func(string) error {
	return func(v string) error {
		s := strings.ToUpper(v)
		mult := int64(1)
		for _, u := range []struct {
			suffix string
			mult   int64
		}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
			if strings.HasSuffix(s, u.suffix) {
				s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
				break
			}
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n > (1<<40)/mult {
			return errors.New("want a positive byte count such as 1048576 or 1MiB")
		}
		*dst = n * mult
		return nil
	}
}

// durationVar reads a Go duration ("5s", "250ms") or a number of seconds.
func durationVar(dst *time.Duration) func(string) error {
	return func(v string) error {
		if secs, err := strconv.ParseFloat(v, 64); err == nil {
			if secs < 0 || secs > 1e9 {
				return errors.New("want a non-negative duration such as 5s")
			}
			*dst = time.Duration(secs * float64(time.Second))
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return errors.New("want a non-negative duration such as 5s or 500ms")
		}
		*dst = d
		return nil
	}
}
