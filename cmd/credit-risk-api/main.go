// Command credit-risk-api serves the champion credit-risk model over HTTP:
// POST /predict scores a raw loan application, /docs is the interactive
// API documentation, /metrics the Prometheus metrics. It holds no training
// code.
//
// Usage:
//
//	credit-risk-api              serve (configured by environment variables)
//	credit-risk-api healthcheck  exit 0 when the local server is ready
//	credit-risk-api keys         add, list and revoke API keys
//	credit-risk-api --version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(m.ExitCode(err))
}

// Main holds the program's environment so tests can run it in-process.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Hangup delivers reload requests (SIGHUP in the program); nil means
	// none.
	Hangup <-chan os.Signal

	// jsonErrors makes ExitCode write the error as a JSON log record: set
	// by the serve command unless LOG_FORMAT=text, so that a log collector
	// reading the server's JSON logs also reads why it did not start.
	jsonErrors bool
}

// NewMain returns a Main wired to the process's standard streams,
// environment and SIGHUP.
func NewMain() *Main {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Hangup: hup}
}

// version and commit are stamped at build time:
// go build -ldflags "-X main.version=1.2.0 -X main.commit=abc123".
var (
	version = "dev"
	commit  = ""
)

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

// errNotReady is the healthcheck's failure: exit code 1, message printed.
var errNotReady = errors.New("not ready")

// Run runs the command args name; no command serves.
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return (&ServeCommand{}).Run(ctx, m, nil)
	}
	switch args[0] {
	case "serve":
		return (&ServeCommand{}).Run(ctx, m, args[1:])
	case "healthcheck":
		return (&HealthcheckCommand{}).Run(ctx, m, args[1:])
	case "keys":
		return (&KeysCommand{}).Run(ctx, m, args[1:])
	case "--version", "-version", "version":
		fmt.Fprintln(m.Stdout, versionString())
		return nil
	case "-h", "--help", "help":
		m.usage(m.Stdout)
		return nil
	}
	m.usage(m.Stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprint(w, `credit-risk-api: the credit-risk scoring API.

Usage:
  credit-risk-api [serve]       serve the champion model (the default)
  credit-risk-api healthcheck   exit 0 when the server on this machine is ready
  credit-risk-api keys          add, list and revoke API keys (keys --help)
  credit-risk-api --version     print the build version

"credit-risk-api serve --help" lists the environment variables.
`)
}

// ExitCode maps an error to the process exit code and prints it: as a
// JSON log record when the serve command logs JSON, else as text.
func (m *Main) ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(m.Stderr, "credit-risk-api:", err)
		return 2
	case m.jsonErrors:
		// The record the JSON logger writes, at error level.
		var attrs []slog.Attr
		var hinted interface{ Hint() string }
		if errors.As(err, &hinted) {
			attrs = append(attrs, slog.String("hint", hinted.Hint()))
		}
		slog.New(slog.NewJSONHandler(m.Stderr, nil)).LogAttrs(context.Background(), slog.LevelError, err.Error(), attrs...)
		return 1
	default:
		var hinted interface{ Hint() string }
		if errors.As(err, &hinted) {
			fmt.Fprintf(m.Stderr, "%v\n%s\n", err, hinted.Hint())
			return 1
		}
		fmt.Fprintln(m.Stderr, "credit-risk-api:", err)
		return 1
	}
}

// buildCommit returns the stamped commit, or the one Go recorded.
func buildCommit() string {
	if commit != "" {
		return commit
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	return ""
}

func versionString() string {
	c := buildCommit()
	if c == "" {
		c = "unknown"
	}
	return fmt.Sprintf("credit-risk-api %s (commit %s, %s)", version, c, runtime.Version())
}
