// Package auditpg keeps the decision audit trails of a fleet of scoring
// API replicas in PostgreSQL. Each replica (an instance) records every
// decision in its own local file trail first (package audit: durable
// before the decision is answered); a Shipper follows that trail and
// copies its records, in order, into one table with COPY. A database that
// is down only delays the copy: the local trail is the spool, and the
// Shipper resumes after the last record the table holds for the instance,
// so no record is lost or copied twice. Verify checks every instance's
// chain in the table as audit.Verify checks a file trail.
package auditpg

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Table is the table holding the records.
const Table = "audit_records"

// schema creates the table and its index when missing. A record is
// identified by its instance and sequence number; line is the record as
// the file trail stores it, whose hash the other columns repeat for
// queries.
const schema = `
CREATE TABLE IF NOT EXISTS ` + Table + ` (
	instance text NOT NULL,
	seq bigint NOT NULL,
	time timestamptz NOT NULL,
	kind text NOT NULL,
	request_id text NOT NULL DEFAULT '',
	model_version text NOT NULL DEFAULT '',
	decision text NOT NULL DEFAULT '',
	default_probability double precision,
	prev text NOT NULL,
	hash text NOT NULL,
	line text NOT NULL,
	PRIMARY KEY (instance, seq)
);
CREATE INDEX IF NOT EXISTS ` + Table + `_request_id ON ` + Table + ` (request_id);
CREATE INDEX IF NOT EXISTS ` + Table + `_time ON ` + Table + ` (time);
`

// Store is a connection pool to the database holding the records.
type Store struct {
	pool *pgxpool.Pool
}

// Open connects to the database at url and creates the table when
// missing. The URL holds a password: it is never logged or put in an
// error.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, errors.New("auditpg: the database URL cannot be parsed (postgres://user:password@host:5432/db)")
	}
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("auditpg: connect to %s: %w", cfg.ConnConfig.Host, redact(err, cfg))
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// redact keeps the password out of an error's text.
func redact(err error, cfg *pgxpool.Config) error {
	if cfg.ConnConfig.Password == "" {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), cfg.ConnConfig.Password, "xxxxx"))
}

func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.pool.Exec(ctx, schema); err != nil {
		return fmt.Errorf("auditpg: create the table %s: %w", Table, err)
	}
	return nil
}

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Head returns the sequence number of the instance's last record in the
// table, 0 when it has none.
func (s *Store) Head(ctx context.Context, instance string) (uint64, error) {
	var seq int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(seq), 0) FROM `+Table+` WHERE instance = $1`, instance).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("auditpg: last record of %s: %w", instance, err)
	}
	return uint64(seq), nil
}

// Copy appends records of the instance, in one transaction with COPY:
// all or none.
func (s *Store) Copy(ctx context.Context, instance string, recs []audit.TailRecord) error {
	rows := make([][]any, len(recs))
	for i, tr := range recs {
		r := &tr.Record
		var pd any
		if r.Kind == audit.KindDecision {
			pd = r.DefaultProbability
		}
		rows[i] = []any{instance, int64(r.Seq), r.Time, string(r.Kind), r.RequestID, r.ModelVersion, string(r.Decision), pd, r.Prev, r.Hash, string(tr.Line)}
	}
	cols := []string{"instance", "seq", "time", "kind", "request_id", "model_version", "decision", "default_probability", "prev", "hash", "line"}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.CopyFrom(ctx, pgx.Identifier{Table}, cols, pgx.CopyFromRows(rows))
		return err
	})
	if err != nil {
		return fmt.Errorf("auditpg: copy %d records of %s: %w", len(recs), instance, err)
	}
	return nil
}

// Shipper copies an instance's file trail into the store as it grows.
type Shipper struct {
	// Open connects to the database; it is called again after a failure.
	Open func(ctx context.Context) (*Store, error)
	// Dir is the file trail and Instance the name its records are stored
	// under (one per replica).
	Dir, Instance string
	// Batch is the most records one COPY carries (default 5,000);
	// Interval how long to wait when the trail has nothing new (default
	// 100 ms).
	Batch    int
	Interval time.Duration
	Logger   *slog.Logger

	shipped  atomic.Uint64 // records copied since Run started
	failures atomic.Uint64 // failed attempts
	head     atomic.Uint64 // the instance's last record in the table
	down     atomic.Bool   // the last attempt failed
}

// Shipped returns the number of records copied since Run started.
func (sh *Shipper) Shipped() uint64 { return sh.shipped.Load() }

// Failures returns the number of failed attempts since Run started.
func (sh *Shipper) Failures() uint64 { return sh.failures.Load() }

// Head returns the sequence number of the instance's last record in the
// table, as last seen.
func (sh *Shipper) Head() uint64 { return sh.head.Load() }

// Down reports whether the last attempt failed (the database is
// unreachable or refused the copy).
func (sh *Shipper) Down() bool { return sh.down.Load() }

// Run ships until ctx is done. A failure (the database down, a broken
// connection) is logged once per outage and retried with a growing pause
// (up to 10 s); records wait in the file trail meanwhile.
func (sh *Shipper) Run(ctx context.Context) {
	logger := sh.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	batch, interval := sh.Batch, sh.Interval
	if batch <= 0 {
		batch = 5000
	}
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	pause := interval
	for ctx.Err() == nil {
		err := sh.session(ctx, batch, interval)
		if ctx.Err() != nil {
			return
		}
		sh.failures.Add(1)
		if !sh.down.Swap(true) {
			logger.Error("audit shipping to PostgreSQL failed; decisions wait in the local trail", "instance", sh.Instance, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pause):
		}
		pause = min(2*pause, 10*time.Second)
	}
}

// session connects, finds where the table stops and ships until an error.
func (sh *Shipper) session(ctx context.Context, batch int, interval time.Duration) error {
	store, err := sh.Open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()
	head, err := store.Head(ctx, sh.Instance)
	if err != nil {
		return err
	}
	sh.head.Store(head)
	tail, err := audit.NewTail(ctx, sh.Dir, head)
	if err != nil {
		return err
	}
	if sh.down.Swap(false) && sh.Logger != nil {
		sh.Logger.Info("audit shipping to PostgreSQL resumed", "instance", sh.Instance, "after_seq", head)
	}
	for {
		recs, err := tail.Next(ctx, batch)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(interval):
			}
			continue
		}
		if err := store.Copy(ctx, sh.Instance, recs); err != nil {
			return err
		}
		sh.shipped.Add(uint64(len(recs)))
		sh.head.Store(recs[len(recs)-1].Record.Seq)
	}
}

// InstanceSummary is what Verify found of one instance's chain.
type InstanceSummary struct {
	Instance  string
	Records   uint64
	Decisions uint64
	Head      audit.Head
}

// VerifyError is a break in an instance's chain in the table.
type VerifyError struct {
	Instance string
	Seq      uint64
	Err      error
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("auditpg: instance %s, seq %d: %v", e.Instance, e.Seq, e.Err)
}

// Unwrap returns the cause.
func (e *VerifyError) Unwrap() error { return e.Err }

// Verify checks every instance's chain in the table: each line decodes to
// a record whose hash matches (audit.DecodeRecord), sequence numbers run
// from 1 without a gap, each record links to the one before, and the
// indexed columns agree with the line. It stops at the first break.
func (s *Store) Verify(ctx context.Context) ([]InstanceSummary, error) {
	return s.Scan(ctx, "", nil)
}

// Scan reads the chains of the table, instance by instance in name order
// and each in sequence order, checks them as Verify does, and calls fn,
// when not nil, with every record that passed and its stored line, in
// order; an error from fn stops the scan and is returned. With instance
// not empty only that instance's chain is read (an instance with no
// record is an error). Rows are read one at a time: a table larger than
// memory can be scanned.
func (s *Store) Scan(ctx context.Context, instance string, fn func(instance string, rec *audit.Record, line []byte) error) ([]InstanceSummary, error) {
	query, args := `SELECT instance, seq, hash, line FROM `+Table+` ORDER BY instance, seq`, []any(nil)
	if instance != "" {
		query, args = `SELECT instance, seq, hash, line FROM `+Table+` WHERE instance = $1 ORDER BY seq`, []any{instance}
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("auditpg: read %s: %w", Table, err)
	}
	defer rows.Close()
	var out []InstanceSummary
	var cur *InstanceSummary
	var name string
	var hash, line []byte
	var seq int64
	for rows.Next() {
		if err := rows.Scan(&name, &seq, &hash, &line); err != nil {
			return out, fmt.Errorf("auditpg: read %s: %w", Table, err)
		}
		if cur == nil || cur.Instance != name {
			out = append(out, InstanceSummary{Instance: name})
			cur = &out[len(out)-1]
		}
		bad := func(err error) error { return &VerifyError{Instance: name, Seq: uint64(seq), Err: err} }
		rec, err := audit.DecodeRecord(line)
		switch {
		case err != nil:
			return out, bad(err)
		case rec.Seq != uint64(seq) || rec.Hash != string(hash):
			return out, bad(errors.New("the row's seq or hash is not its line's"))
		case rec.Seq != cur.Head.Seq+1:
			return out, bad(fmt.Errorf("%w: seq %d after %d", audit.ErrSequence, rec.Seq, cur.Head.Seq))
		case cur.Head.Seq > 0 && rec.Prev != cur.Head.Hash, cur.Head.Seq == 0 && rec.Prev != audit.GenesisHash:
			return out, bad(audit.ErrChain)
		}
		cur.Records++
		if rec.Kind == audit.KindDecision {
			cur.Decisions++
		}
		cur.Head = audit.Head{Seq: rec.Seq, Hash: rec.Hash}
		if fn != nil {
			if err := fn(name, &rec, line); err != nil {
				return out, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("auditpg: read %s: %w", Table, err)
	}
	if instance != "" && len(out) == 0 {
		return out, fmt.Errorf("auditpg: no record of instance %q in %s", instance, Table)
	}
	return out, nil
}
