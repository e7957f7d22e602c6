package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
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
	load := func(p *process, round int, until <-chan struct{}) *sync.WaitGroup {
		var wg sync.WaitGroup
		for g := range 8 {
			wg.Go(func() {
				client := &http.Client{Timeout: 5 * time.Second}
				for i := 0; ; i++ {
					select {
					case <-until:
						return
					default:
					}
					id := fmt.Sprintf("r%d-g%d-%d", round, g, i)
					req, _ := http.NewRequest("POST", p.base+"/predict", bytes.NewReader(app))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Request-Id", id)
					resp, err := client.Do(req)
					if err != nil {
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 200 {
						mu.Lock()
						acked[id] = true
						mu.Unlock()
					}
				}
			})
		}
		return &wg
	}
	for round := range 5 {
		p := start(t, bin, env...)
		stop := make(chan struct{})
		wg := load(p, round, stop)
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
	deadline := time.Now().Add(30 * time.Second)
	var stored int
	for {
		if err := conn.QueryRow(t.Context(), `SELECT count(*) FROM `+auditpg.Table+` WHERE instance = $1 AND kind = 'decision'`, instance).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if stored >= len(acked) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d decisions in the database after 30s; %d were acknowledged\n%s", stored, len(acked), p.log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	rows, err := conn.Query(t.Context(), `SELECT request_id FROM `+auditpg.Table+` WHERE instance = $1 AND kind = 'decision'`, instance)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		seen[id]++
	}
	rows.Close()
	missing, twice := 0, 0
	for id := range acked {
		if seen[id] == 0 {
			missing++
		}
	}
	for _, n := range seen {
		if n > 1 {
			twice++
		}
	}
	if missing > 0 || twice > 0 {
		t.Errorf("%d of %d acknowledged decisions missing from the database, %d stored twice", missing, len(acked), twice)
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
