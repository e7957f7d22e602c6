package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/audit"
)

const auditHelp = `
Usage: credit-risk audit verify [--dir DIR]
       credit-risk audit export [--dir DIR] [--from T] [--to T] [--format jsonl|csv] [--out FILE]

The decision audit trail is the regulated record of every decision the
scoring API made: time, request id, key id, model version and file hash,
the application (or its hash), PD, score, decision, threshold and reasons,
one hash-chained record a line in segment files audit-000001.jsonl, … .

verify  checks the whole trail: every segment in order with none missing,
        every record's hash, sequence number and link to the record before
        it, and every gap record (bytes a crash cut, fenced off when the
        trail was reopened). It prints one summary line (records, segments,
        first and last decision time, the last record's seq and hash) and a
        line per gap. Keep the hash elsewhere: records removed from the very
        end of a trail are evident only against it. At the first break it
        fails (exit 1) naming the segment file, byte offset and line.
export  writes the decisions, checked as they are read, as JSON lines (each
        record as stored, with request_id, model_version, decision,
        default_probability and every other field) or as CSV with a header
        row. --from and --to (RFC 3339) keep decisions made at or after
        --from and before --to. With --out the file is written atomically;
        a trail that does not verify leaves no file.

DIR defaults to AUDIT_DIR, else ./audit (the API's default). Both commands
only read the trail, and work on one the API is appending to: the record
being written at its end is left out.

Examples:
  credit-risk audit verify --dir /var/lib/credit-risk/audit
  credit-risk audit export --dir audit --from 2026-12-01T00:00:00Z --to 2027-01-01T00:00:00Z
  credit-risk audit export --dir audit --format csv --out decisions.csv
`

func runAudit(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(m.Stdout, auditHelp)
		if len(args) == 0 {
			return fmt.Errorf("%w: audit: want verify or export", errUsage)
		}
		return nil
	}
	sub := args[0]
	fs := newFlagSet(m, "audit "+sub, auditHelp)
	dir := fs.String("dir", auditDir(m), "audit trail directory (env AUDIT_DIR)")
	switch sub {
	case "verify":
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return verifyAudit(ctx, m, *dir)
	case "export":
		from := fs.String("from", "", "keep decisions made at or after this time (RFC 3339)")
		to := fs.String("to", "", "keep decisions made before this time (RFC 3339)")
		format := fs.String("format", string(audit.FormatJSONL), "output format: jsonl or csv")
		out := fs.String("out", "", "output file (default standard output)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		opts := audit.ExportOptions{Format: audit.Format(*format)}
		if opts.Format != audit.FormatJSONL && opts.Format != audit.FormatCSV {
			return fmt.Errorf("%w: --format %s: want jsonl or csv", errUsage, *format)
		}
		var err error
		if opts.From, err = parseTimeFlag("--from", *from); err != nil {
			return err
		}
		if opts.To, err = parseTimeFlag("--to", *to); err != nil {
			return err
		}
		if !opts.From.IsZero() && !opts.To.IsZero() && !opts.From.Before(opts.To) {
			return fmt.Errorf("%w: --from %s is not before --to %s", errUsage, *from, *to)
		}
		return exportAudit(ctx, m, *dir, *out, opts)
	}
	return fmt.Errorf("%w: audit: unknown subcommand %q (want verify or export)", errUsage, sub)
}

// auditDir is the default trail directory.
func auditDir(m *Main) string {
	if d := m.Getenv("AUDIT_DIR"); d != "" {
		return d
	}
	return "audit"
}

func parseTimeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s %s: want an RFC 3339 time such as 2026-12-01T00:00:00Z", errUsage, name, v)
	}
	return t, nil
}

func verifyAudit(ctx context.Context, m *Main, dir string) error {
	sum, err := audit.Verify(ctx, dir)
	if err != nil {
		var ve *audit.VerifyError
		if errors.As(err, &ve) {
			return fmt.Errorf("audit verify %s: broken after %d good records: %w", dir, sum.Records, err)
		}
		return fmt.Errorf("audit verify %s: %w", dir, err)
	}
	span := "no decisions"
	if sum.Decisions > 0 {
		span = fmt.Sprintf("decisions from %s to %s", sum.First.Format(time.RFC3339Nano), sum.Last.Format(time.RFC3339Nano))
	}
	pending := ""
	if sum.Pending > 0 {
		pending = fmt.Sprintf("; %d bytes of a record being written left out", sum.Pending)
	}
	fmt.Fprintf(m.Stdout, "audit verify: ok: %d records (%d decisions, %d gaps) in %d segments; %s; head seq %d sha256 %s%s\n",
		sum.Records, sum.Decisions, len(sum.Gaps), sum.Segments, span, sum.Head.Seq, sum.Head.Hash, pending)
	for _, g := range sum.Gaps {
		fmt.Fprintf(m.Stdout, "gap: %s offset %d: %d bytes fenced off after a crash (sha256 %s)\n", g.Segment, g.Offset, g.Bytes, g.SHA256)
	}
	return nil
}

func exportAudit(ctx context.Context, m *Main, dir, out string, opts audit.ExportOptions) error {
	if out == "" {
		n, err := audit.Export(ctx, dir, m.Stdout, opts)
		if err != nil {
			return fmt.Errorf("audit export %s: %w", dir, err)
		}
		fmt.Fprintf(m.Stderr, "audit export: %d decisions\n", n)
		return nil
	}
	if err := checkWritable(filepath.Dir(out)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	var n int
	err := atomicfile.Write(out, 0o640, func(w io.Writer) error {
		var err error
		n, err = audit.Export(ctx, dir, w, opts)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit export %s: %w", dir, err)
	}
	fmt.Fprintf(m.Stdout, "audit export: %d decisions written to %s\n", n, out)
	return nil
}
