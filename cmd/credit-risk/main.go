// Command credit-risk is the training pipeline: it validates and cleans raw
// loan data, builds the feature tables, trains, tunes and evaluates models,
// keeps the model registry and sets the champion alias that credit-risk-api
// serves.
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
	"syscall"
)

func main() {
	m := NewMain()
	if err := m.leaveRoot(); err != nil {
		fmt.Fprintln(m.Stderr, "credit-risk:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := m.Run(ctx, os.Args[1:])
	stop()
	os.Exit(m.ExitCode(err))
}

// Main holds the program's environment so tests can run it in-process.
type Main struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
}

// NewMain returns a Main wired to the process's standard streams and
// environment.
func NewMain() *Main {
	return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv}
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, m *Main, args []string) error
}

func (m *Main) commands() []command {
	return []command{
		{"validate", "check raw data against the spec and write a data quality report", runValidate},
		{"clean", "parse, filter and impute the raw data into data/processed/clean.parquet", runClean},
		{"features", "split, engineer and encode features into train/test tables", runFeatures},
		{"train", "fit gbdt, rf, lr and scorecard, calibrate, evaluate and save versioned models", runTrain},
		{"evaluate", "evaluate models on the out-of-time test set, with AUC per segment", runEvaluate},
		{"explain", "global feature importance (mean |SHAP|) per model", runExplain},
		{"retrain", "the full job: clean, features, tune, train, evaluate, report, registry, alias", runRetrain},
		{"models", "list model versions; promote or roll back the champion", runModels},
		{"score", "batch-score a raw CSV with the champion", runScore},
		{"document", "write the model development document of a registered version", runDocument},
		{"monitor", "stability, backtest and vintage curves of a model on recent loans; exit 3 on a breach", runMonitor},
		{"audit", "verify, export or replay the decision audit trail", runAudit},
		{"sample-data", "write a synthetic loan file in the raw Lending Club layout", runSampleData},
		{"bench", "bench train: time a learner on numeric CSVs, as the anchors do", runBench},
	}
}

// errUsage marks a command-line mistake: exit code 2.
var errUsage = errors.New("usage")

// Run runs the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	args, note, err := resolveArgs(args)
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(m.Stderr, "credit-risk:", note)
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		m.usage(m.Stdout)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintln(m.Stdout, versionString())
		return nil
	}
	for _, c := range m.commands() {
		if c.name == args[0] {
			err := c.run(ctx, m, args[1:])
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	m.usage(m.Stderr)
	return fmt.Errorf("%w: unknown command %q", errUsage, args[0])
}

func (m *Main) usage(w io.Writer) {
	fmt.Fprint(w, `credit-risk: the credit default-risk training pipeline.

Usage:
  credit-risk <command> [flags]

Commands:
`)
	for _, c := range m.commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Every command works on ./data, ./models and ./artifacts unless told otherwise
(--data-dir, --models-dir, --artifacts-dir or DATA_DIR, MODELS_DIR,
ARTIFACTS_DIR). "credit-risk <command> --help" says what a command reads and
writes.

The pipeline's other step names run the command that does their work:
ingest (validate), tune (retrain --no-promote), promote (models promote),
rollback (models rollback). A Python script invocation of a step, such as
"python scripts/clean_data.py", runs that step, and a leading "credit-risk"
is ignored, so container commands may name the program or not.
`)
}

// ExitCode maps an error to the process exit code and prints it.
func (m *Main) ExitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		if err != errUsage {
			fmt.Fprintln(m.Stderr, "credit-risk:", err)
		}
		return 2
	case errors.Is(err, context.Canceled):
		fmt.Fprintln(m.Stderr, "credit-risk: interrupted")
		return 130
	case exitCodeOf(err) != 0:
		fmt.Fprintln(m.Stderr, "credit-risk:", err)
		return exitCodeOf(err)
	default:
		fmt.Fprintln(m.Stderr, "credit-risk:", err)
		return 1
	}
}

// quietLogger logs warnings and errors only (info with LOG_LEVEL=debug or
// info), for commands that show their own progress.
func (m *Main) quietLogger() *slog.Logger {
	level := slog.LevelWarn
	switch m.Getenv("LOG_LEVEL") {
	case "debug":
		level = slog.LevelDebug
	case "info":
		level = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
}

func (m *Main) logger() *slog.Logger {
	level := slog.LevelInfo
	if m.Getenv("LOG_LEVEL") == "debug" {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: level}))
}
