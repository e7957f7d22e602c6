package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/auditpg"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
	"github.com/jackc/pgx/v5"
)

// TestEndToEndAuditPostgres runs the real server with AUDIT=postgres under
// load and kills it with SIGKILL five times, restarting it onto the same
// local spool: once the last one has caught up, every request answered 200
// is in the database, exactly once, and every chain there verifies.
func TestEndToEndAuditPostgres(t *testing.T) {
	url := os.Getenv("CREDIT_RISK_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CREDIT_RISK_TEST_DATABASE_URL is not set: the PostgreSQL audit trail test needs a database (.ci/run starts one)")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	v1 := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 10, Depth: 3})
	servetest.SetAlias(t, dir, v1)
	var b [6]byte
	rand.Read(b[:])
	instance := "e2e-" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) }) // after the rows are deleted
	t.Cleanup(func() {
		conn.Exec(context.Background(), `DELETE FROM `+auditpg.Table+` WHERE instance = $1`, instance)
	})
	env := []string{"MODEL_PATH=" + filepath.Join(dir, "production.model"), "AUDIT=postgres", "AUDIT_DIR=" + filepath.Join(dir, "audit"),
		"AUDIT_DATABASE_URL=" + url, "AUDIT_INSTANCE=" + instance}
	app, _ := json.Marshal(servetest.Application(1))
	acked := map[string]bool{}
	var mu sync.Mutex
	ack := func(id string) {
		mu.Lock()
		acked[id] = true
		mu.Unlock()
	}
	for round := range 5 {
		p := start(t, bin, env...)
		stop := make(chan struct{})
		wg := loadPredict(p, app, fmt.Sprintf("r%d", round), stop, ack)
		time.Sleep(time.Duration(200+50*round) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		close(stop)
		wg.Wait()
	}
	// A last server ships what the killed ones left in the spool.
	p := start(t, bin, env...)
	if strings.Contains(p.log(), "test-only") || strings.Contains(p.log(), url) {
		t.Errorf("the database URL or its password reached the log")
	}
	// Wait until every acknowledged decision is in (the table also holds
	// decisions written but never answered, cut off by a kill).
	deadline := time.Now().Add(30 * time.Second)
	var seen map[string]int
	missing := 0
	for {
		seen = storedDecisions(t, conn, instance)
		missing = 0
		for id := range acked {
			if seen[id] == 0 {
				missing++
			}
		}
		if missing == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	twice := 0
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	if missing > 0 || twice > 0 {
		t.Errorf("%d of %d acknowledged decisions missing from the database after 30s, %d stored twice\n%s", missing, len(acked), twice, p.log())
	}
	store, err := auditpg.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	sums, err := store.Verify(t.Context())
	if err != nil {
		t.Fatalf("the database's chains do not verify: %v", err)
	}
	for _, s := range sums {
		if s.Instance == instance {
			t.Logf("5 kills: %d acknowledged decisions, all in PostgreSQL once (%d records in the chain)", len(acked), s.Records)
		}
	}
}

// pgProxy forwards TCP connections to a PostgreSQL server until it is
// set down: then it cuts every open connection and refuses new ones, as a
// stopped database would.
type pgProxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  []net.Conn
}

func newPGProxy(t *testing.T, target string) *pgProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &pgProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.down.Load() {
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

// cut closes every forwarded connection.
func (p *pgProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestEndToEndAuditPostgresOutage stops the database (a proxy that cuts
// and refuses connections) under load, kills the server with SIGKILL
// during the outage, brings the database back and restarts the server:
// every request answered 200 ends up in the database exactly once.
func TestEndToEndAuditPostgresOutage(t *testing.T) {
	url := os.Getenv("CREDIT_RISK_TEST_DATABASE_URL")
	if url == "" {
		t.Skip("CREDIT_RISK_TEST_DATABASE_URL is not set: the PostgreSQL audit trail test needs a database (.ci/run starts one)")
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newPGProxy(t, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)))
	proxied := strings.Replace(url, net.JoinHostPort(cfg.Host, fmt.Sprint(cfg.Port)), proxy.ln.Addr().String(), 1)
	bin := buildBinary(t)
	dir := t.TempDir()
	servetest.SetAlias(t, dir, servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 10, Depth: 3}))
	var b [6]byte
	rand.Read(b[:])
	instance := "outage-" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	t.Cleanup(func() {
		conn.Exec(context.Background(), `DELETE FROM `+auditpg.Table+` WHERE instance = $1`, instance)
	})
	env := []string{"MODEL_PATH=" + filepath.Join(dir, "production.model"), "AUDIT=postgres", "AUDIT_DIR=" + filepath.Join(dir, "audit"),
		"AUDIT_DATABASE_URL=" + proxied, "AUDIT_INSTANCE=" + instance}
	app, _ := json.Marshal(servetest.Application(2))
	var acked sync.Map
	// Load with the database up, then down (the server goes on deciding
	// into its spool), then a kill during the outage.
	p := start(t, bin, env...)
	stop := make(chan struct{})
	wg := loadPredict(p, app, "o0", stop, func(id string) { acked.Store(id, true) })
	time.Sleep(300 * time.Millisecond)
	proxy.down.Store(true)
	proxy.cut()
	time.Sleep(500 * time.Millisecond)
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.cmd.Wait()
	close(stop)
	wg.Wait()
	// The database comes back; a restarted server ships the spool.
	proxy.down.Store(false)
	p = start(t, bin, env...)
	n := 0
	acked.Range(func(any, any) bool { n++; return true })
	deadline := time.Now().Add(30 * time.Second)
	var seen map[string]int
	for {
		seen = storedDecisions(t, conn, instance)
		missing := 0
		acked.Range(func(k, _ any) bool {
			if seen[k.(string)] == 0 {
				missing++
			}
			return true
		})
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d acknowledged decisions not in the database after 30s\n%s", missing, n, p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	for id, k := range seen {
		if k > 1 {
			t.Errorf("%s stored %d times", id, k)
		}
	}
	if n < 100 {
		t.Errorf("only %d requests answered: the load did not run", n)
	}
	t.Logf("a database outage and a kill: %d acknowledged decisions, each once in PostgreSQL", n)
}

// storedDecisions counts the decision records of instance in the table,
// by request id.
func storedDecisions(t *testing.T, conn *pgx.Conn, instance string) map[string]int {
	t.Helper()
	rows, err := conn.Query(t.Context(), `SELECT request_id FROM `+auditpg.Table+` WHERE instance = $1 AND kind = 'decision'`, instance)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		seen[id]++
	}
	return seen
}
