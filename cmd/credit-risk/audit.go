package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/auditpg"
	"github.com/credit-risk/credit-risk/internal/batchscore"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve"
)

const auditHelp = `
Usage: credit-risk audit verify [--dir DIR | --database-url URL | --database] [--instance NAME]
       credit-risk audit export [--dir DIR | --database-url URL | --database] [--instance NAME]
                                [--from T] [--to T] [--format jsonl|csv] [--out FILE]
       credit-risk audit replay [--dir DIR | --database-url URL | --database] [--instance NAME]
                                [--models-dir DIR] [--range-policy clamp|reject] [--from T] [--to T]

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

replay  re-scores every recorded decision with the exact model version that
        made it (models/<version>.model, whose SHA-256 must be the one
        recorded) through the server's own scoring code, and reports any
        whose PD or decision differs (exit 1). Decisions recorded with
        AUDIT_INPUTS=hash, or whose model file is gone or changed, cannot be
        replayed and are counted as such. --range-policy is the server's
        RANGE_POLICY (default clamp).

--database-url URL (or --database, reading AUDIT_DATABASE_URL) reads the
        trails a fleet copied to PostgreSQL (AUDIT=postgres) instead of a
        folder: every instance's chain, in instance name order, each checked
        record by record as a folder's is; --instance NAME reads only that
        replica's (its AUDIT_INSTANCE). The URL holds a password: prefer
        --database and the environment variable.

DIR defaults to AUDIT_DIR, else ./audit (the API's default). The commands
only read the trail, and work on one the API is appending to: the record
being written at its end is left out.

Examples:
  credit-risk audit verify --dir /var/lib/credit-risk/audit
  credit-risk audit export --dir audit --from 2026-12-01T00:00:00Z --to 2027-01-01T00:00:00Z
  credit-risk audit export --dir audit --format csv --out decisions.csv
  credit-risk audit replay --dir audit --models-dir models
  AUDIT_DATABASE_URL=postgres://… credit-risk audit export --database --format csv --out fleet.csv
  AUDIT_DATABASE_URL=postgres://… credit-risk audit replay --database --instance api-0 --models-dir models
`

func runAudit(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(m.Stdout, auditHelp)
		if len(args) == 0 {
			return fmt.Errorf("%w: audit: want verify, export or replay", errUsage)
		}
		return nil
	}
	sub := args[0]
	fs := newFlagSet(m, "audit "+sub, auditHelp)
	var src trailSource
	fs.StringVar(&src.dir, "dir", auditDir(m), "audit trail directory (env AUDIT_DIR)")
	fs.StringVar(&src.dbURL, "database-url", "", "read the trails copied to this PostgreSQL database instead (AUDIT=postgres)")
	useEnv := fs.Bool("database", false, "read the database named by AUDIT_DATABASE_URL")
	fs.StringVar(&src.instance, "instance", "", "with a database: only this replica's trail (its AUDIT_INSTANCE)")
	// source finishes src once the flags are parsed.
	source := func() error {
		if *useEnv && src.dbURL == "" {
			if src.dbURL = m.Getenv("AUDIT_DATABASE_URL"); src.dbURL == "" {
				return fmt.Errorf("%w: --database needs AUDIT_DATABASE_URL", errUsage)
			}
		}
		if src.instance != "" && src.dbURL == "" {
			return fmt.Errorf("%w: --instance needs --database-url or --database", errUsage)
		}
		return nil
	}
	switch sub {
	case "verify":
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if err := source(); err != nil {
			return err
		}
		if src.dbURL != "" {
			return verifyAuditDatabase(ctx, m, src)
		}
		return verifyAudit(ctx, m, src.dir)
	case "export":
		from := fs.String("from", "", "keep decisions made at or after this time (RFC 3339)")
		to := fs.String("to", "", "keep decisions made before this time (RFC 3339)")
		format := fs.String("format", string(audit.FormatJSONL), "output format: jsonl or csv")
		out := fs.String("out", "", "output file (default standard output)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if err := source(); err != nil {
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
		return exportAudit(ctx, m, src, *out, opts)
	case "replay":
		models := fs.String("models-dir", envOr(m, "MODELS_DIR", "models"), "models folder (env MODELS_DIR)")
		policy := fs.String("range-policy", features.RangeClamp, "the server's RANGE_POLICY: clamp or reject")
		from := fs.String("from", "", "replay decisions made at or after this time (RFC 3339)")
		to := fs.String("to", "", "replay decisions made before this time (RFC 3339)")
		if err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		if err := source(); err != nil {
			return err
		}
		if *policy != features.RangeClamp && *policy != features.RangeReject {
			return fmt.Errorf("%w: --range-policy %s: want clamp or reject", errUsage, *policy)
		}
		var r replayer
		var err error
		if r.from, err = parseTimeFlag("--from", *from); err != nil {
			return err
		}
		if r.to, err = parseTimeFlag("--to", *to); err != nil {
			return err
		}
		r.models, r.policy = *models, *policy
		return r.run(ctx, m, src)
	}
	return fmt.Errorf("%w: audit: unknown subcommand %q (want verify, export or replay)", errUsage, sub)
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

// trailSource is where audit reads records: a trail's folder, or a
// database holding the trails of a fleet (dbURL set), all of them or one
// instance's.
type trailSource struct {
	dir, dbURL, instance string
}

// String names the source in messages; never the database URL, which
// holds a password.
func (src trailSource) String() string {
	switch {
	case src.dbURL == "":
		return src.dir
	case src.instance != "":
		return "database, instance " + src.instance
	}
	return "database"
}

// scan calls fn with every record of the source and its stored line, in
// order, checking every chain as it reads (audit.Scan, auditpg.Store.Scan);
// it stops at the first break or error from fn.
func (src trailSource) scan(ctx context.Context, fn func(rec *audit.Record, line []byte) error) error {
	if src.dbURL == "" {
		_, err := audit.Scan(ctx, src.dir, fn)
		return err
	}
	store, err := auditpg.Open(ctx, src.dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	_, err = store.Scan(ctx, src.instance, func(_ string, rec *audit.Record, line []byte) error { return fn(rec, line) })
	return err
}

// verifyAuditDatabase checks every instance's chain in the database, or
// the one src names.
func verifyAuditDatabase(ctx context.Context, m *Main, src trailSource) error {
	store, err := auditpg.Open(ctx, src.dbURL)
	if err != nil {
		return err
	}
	defer store.Close()
	sums, err := store.Scan(ctx, src.instance, nil)
	for _, s := range sums {
		fmt.Fprintf(m.Stdout, "audit verify: instance %s: %d records (%d decisions); head seq %d sha256 %s\n",
			s.Instance, s.Records, s.Decisions, s.Head.Seq, s.Head.Hash)
	}
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	fmt.Fprintf(m.Stdout, "audit verify: ok: %d instances in %s\n", len(sums), auditpg.Table)
	return nil
}

func exportAudit(ctx context.Context, m *Main, src trailSource, out string, opts audit.ExportOptions) error {
	export := func(w io.Writer) (int, error) {
		ew, err := audit.NewExportWriter(w, opts)
		if err != nil {
			return 0, err
		}
		err = src.scan(ctx, ew.Write)
		if ferr := ew.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		return ew.Count(), err
	}
	if out == "" {
		n, err := export(m.Stdout)
		if err != nil {
			return fmt.Errorf("audit export %s: %w", src, err)
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
		n, err = export(w)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit export %s: %w", src, err)
	}
	fmt.Fprintf(m.Stdout, "audit export: %d decisions written to %s\n", n, out)
	return nil
}

// envOr is the environment variable name's value, def when unset.
func envOr(m *Main, name, def string) string {
	if v := m.Getenv(name); v != "" {
		return v
	}
	return def
}

// replayer re-scores recorded decisions (audit replay).
type replayer struct {
	models, policy string
	from, to       time.Time
	scorers        map[string]*serve.Scorer // by model version; nil: cannot load
	loadErrs       map[string]error

	replayed, same, differ, hashed, noModel int
	maxDiff                                 float64
}

// maxListed is the most differing decisions replay lists.
const maxListed = 20

func (r *replayer) run(ctx context.Context, m *Main, src trailSource) error {
	r.scorers, r.loadErrs = map[string]*serve.Scorer{}, map[string]error{}
	err := src.scan(ctx, func(rec *audit.Record, _ []byte) error {
		if rec.Kind != audit.KindDecision || (!r.from.IsZero() && rec.Time.Before(r.from)) || (!r.to.IsZero() && !rec.Time.Before(r.to)) {
			return nil
		}
		if len(rec.Input) == 0 {
			r.hashed++
			return nil
		}
		sc := r.scorer(rec)
		if sc == nil {
			r.noModel++
			return nil
		}
		pd, pred, err := sc.Score(rec.Input)
		r.replayed++
		recorded := 0
		if rec.Decision == audit.DecisionDeclined {
			recorded = 1
		}
		switch {
		case err != nil:
			r.differ++
			if r.differ <= maxListed {
				fmt.Fprintf(m.Stdout, "differs: %s (seq %d, %s): recorded PD %v, %s; now not scored: %v\n",
					rec.RequestID, rec.Seq, rec.ModelVersion, rec.DefaultProbability, rec.Decision, err)
			}
		case pd != rec.DefaultProbability || pred != recorded:
			r.differ++
			r.maxDiff = max(r.maxDiff, math.Abs(pd-rec.DefaultProbability))
			if r.differ <= maxListed {
				fmt.Fprintf(m.Stdout, "differs: %s (seq %d, %s): recorded PD %v, %s; replayed PD %v, %s\n",
					rec.RequestID, rec.Seq, rec.ModelVersion, rec.DefaultProbability, rec.Decision, pd, batchscore.Decision(pred))
			}
		default:
			r.same++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("audit replay %s: %w", src, err)
	}
	for v, e := range r.loadErrs {
		fmt.Fprintf(m.Stderr, "audit replay: model %s: %v\n", v, e)
	}
	fmt.Fprintf(m.Stdout, "audit replay: %d decisions replayed: %d identical, %d differ (largest PD difference %g); not replayable: %d with inputs kept as hashes, %d whose model file is missing or changed\n",
		r.replayed, r.same, r.differ, r.maxDiff, r.hashed, r.noModel)
	if r.differ > 0 {
		return fmt.Errorf("audit replay %s: %d of %d decisions differ", src, r.differ, r.replayed)
	}
	return nil
}

// scorer returns the scorer of the record's model version, loaded once,
// nil when its file is missing or is not the file recorded.
func (r *replayer) scorer(rec *audit.Record) *serve.Scorer {
	v := rec.ModelVersion
	if sc, ok := r.scorers[v]; ok {
		if sc != nil && sc.SHA256() != rec.ModelSHA256 {
			r.loadErrs[v] = fmt.Errorf("the file's SHA-256 %s is not the one recorded, %s", sc.SHA256(), rec.ModelSHA256)
			return nil
		}
		return sc
	}
	sc, err := serve.NewScorer(filepath.Join(r.models, v+model.Ext), "", r.policy)
	if err == nil && sc.SHA256() != rec.ModelSHA256 {
		err = fmt.Errorf("the file's SHA-256 %s is not the one recorded, %s", sc.SHA256(), rec.ModelSHA256)
		sc = nil
	}
	if err != nil {
		r.loadErrs[v] = err
		sc = nil
	}
	r.scorers[v] = sc
	return sc
}
