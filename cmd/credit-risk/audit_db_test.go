package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/auditpg"
	"github.com/jackc/pgx/v5"
)

// TestAuditDatabase records decisions through the scoring API's own code,
// copies the trail into PostgreSQL with the shipper the API runs under
// AUDIT=postgres, and checks that verify, export and replay read the
// database as they read the folder: the same JSON lines and CSV rows, the
// same replay; a row changed in the table is named by instance and seq.
func TestAuditDatabase(t *testing.T) {
	url := os.Getenv("CREDIT_RISK_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CREDIT_RISK_TEST_DATABASE_URL is not set: the PostgreSQL audit trail test needs a database (.ci/run starts one)")
	}
	dir := t.TempDir()
	const n = 30
	models, trail, _ := recordDecisions(t, dir, 4, n)

	var b [6]byte
	rand.Read(b[:])
	instance := "cli-test-" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Exec(context.Background(), `DELETE FROM `+auditpg.Table+` WHERE instance = $1`, instance)
		conn.Close(context.Background())
	})
	ctx, cancel := context.WithCancel(t.Context())
	sh := &auditpg.Shipper{Open: func(ctx context.Context) (*auditpg.Store, error) { return auditpg.Open(ctx, url) }, Dir: trail, Instance: instance, Interval: 10 * time.Millisecond}
	done := make(chan struct{})
	go func() { sh.Run(ctx); close(done) }()
	for deadline := time.Now().Add(20 * time.Second); sh.Head() < n; {
		if time.Now().After(deadline) {
			t.Fatalf("shipped up to seq %d; want %d", sh.Head(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done

	db := []string{"--database", "--instance", instance}
	if out := mustRunDB(t, url, append([]string{"audit", "verify"}, db...)...); !strings.Contains(out, "instance "+instance+": 30 records (30 decisions)") {
		t.Errorf("verify: %s", out)
	}
	for _, format := range []string{"jsonl", "csv"} {
		fromDir := mustRun(t, dir, "audit", "export", "--dir", trail, "--format", format)
		fromDB := mustRunDB(t, url, append([]string{"audit", "export", "--format", format}, db...)...)
		if fromDB != fromDir || strings.Count(fromDB, "\n") < n {
			t.Errorf("%s export from the database differs from the folder's:\n%s\n---\n%s", format, fromDB, fromDir)
		}
	}
	// The time bounds apply as to a folder.
	if out := mustRunDB(t, url, append([]string{"audit", "export", "--from", "2000-01-01T00:00:00Z", "--to", "2001-01-01T00:00:00Z"}, db...)...); out != "" {
		t.Errorf("export of an empty time range wrote %q", out)
	}
	out := mustRunDB(t, url, append([]string{"audit", "replay", "--models-dir", models}, db...)...)
	if !strings.Contains(out, "30 decisions replayed: 30 identical, 0 differ") {
		t.Errorf("replay from the database: %s", out)
	}

	// A row whose PD was changed in the table: its line no longer
	// matches its hash; export stops there, naming instance and seq, and
	// leaves no file.
	if _, err := conn.Exec(t.Context(), `UPDATE `+auditpg.Table+` SET line = replace(line, '"decision":"approved"', '"decision":"declined"') WHERE instance = $1 AND seq = 7`, instance); err != nil {
		t.Fatal(err)
	}
	outFile := filepath.Join(dir, "fleet.csv")
	_, err = runDB(t, url, append([]string{"audit", "export", "--out", outFile}, db...)...)
	var ve *auditpg.VerifyError
	if !errors.As(err, &ve) || ve.Instance != instance || ve.Seq != 7 {
		t.Errorf("export of a tampered table = %v; want a break at %s seq 7", err, instance)
	}
	if _, err := os.Stat(outFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("export of a tampered table left %s", outFile)
	}
	if _, err := runDB(t, url, append([]string{"audit", "replay", "--models-dir", models}, db...)...); !errors.As(err, &ve) || ve.Seq != 7 {
		t.Errorf("replay of a tampered table = %v; want a break at seq 7", err)
	}
	if _, err := runDB(t, url, "audit", "verify", "--database", "--instance", instance+"-none"); err == nil || !strings.Contains(err.Error(), "no record of instance") {
		t.Errorf("verify of an unknown instance = %v", err)
	}
}

// runDB runs the CLI with AUDIT_DATABASE_URL set to url (the tests pass
// --database, so the URL and its password stay out of the test log), and
// returns stdout and stderr together.
func runDB(t *testing.T, url string, args ...string) (string, error) {
	t.Helper()
	var out, errb strings.Builder
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string {
		if k == "AUDIT_DATABASE_URL" {
			return url
		}
		return ""
	}}
	err := m.Run(t.Context(), args)
	msgs := out.String() + errb.String()
	if err != nil {
		msgs += err.Error()
	}
	if strings.Contains(msgs, url) {
		t.Errorf("%v printed the database URL, which holds a password", args)
	}
	return out.String(), err
}

// mustRunDB is runDB that fails the test on an error.
func mustRunDB(t *testing.T, url string, args ...string) string {
	t.Helper()
	out, err := runDB(t, url, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return out
}
