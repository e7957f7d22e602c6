package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// TestEndToEndAuditKill scores under load with the audit trail on
// (AUDIT_SYNC=always), kills the server with SIGKILL, restarts it onto the
// same trail, ten times: every request answered 200 must be in the trail,
// and the trail must verify (a record cut by a kill fenced off by a gap
// record).
func TestEndToEndAuditKill(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a server ten times under load")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	v1 := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Trees: 10, Depth: 3})
	servetest.SetAlias(t, dir, v1)
	trail := filepath.Join(dir, "audit")
	app, _ := json.Marshal(servetest.Application(1))

	acked := map[string]bool{}
	var mu sync.Mutex
	total := 0
	for round := range 10 {
		p := start(t, bin, "MODEL_PATH="+filepath.Join(dir, "production.model"), "AUDIT=file", "AUDIT_DIR="+trail, "AUDIT_SYNC=always")
		stop := make(chan struct{})
		wg := loadPredict(p, app, fmt.Sprintf("r%d", round), stop, func(id string) {
			mu.Lock()
			acked[id] = true
			mu.Unlock()
		})
		time.Sleep(time.Duration(150+37*round) * time.Millisecond)
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.cmd.Wait()
		close(stop)
		wg.Wait()
		mu.Lock()
		t.Logf("round %d: %d requests answered 200 so far", round+1, len(acked)-total)
		total = len(acked)
		mu.Unlock()
	}
	if total < 100 {
		t.Fatalf("only %d requests answered: the load did not run", total)
	}
	found := 0
	sum, err := audit.Scan(t.Context(), trail, func(r *audit.Record, _ []byte) error {
		if r.Kind == audit.KindDecision && acked[r.RequestID] {
			found++
			delete(acked, r.RequestID)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("the trail does not verify after 10 kills: %v", err)
	}
	if len(acked) > 0 {
		t.Errorf("%d of %d acknowledged decisions are missing from the trail", len(acked), total)
	}
	t.Logf("10 kills: %d acknowledged decisions, all in the trail (%d records, %d segments, %d gaps)", found, sum.Records, sum.Segments, len(sum.Gaps))
}

// loadPredict sends /predict requests with the application app from 8
// goroutines, each with its own X-Request-Id (<prefix>-g<g>-<i>), until
// stop is closed or the server is gone, and calls ack with the id of every
// request answered 200. Wait on the returned group.
func loadPredict(p *process, app []byte, prefix string, stop <-chan struct{}, ack func(id string)) *sync.WaitGroup {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			client := &http.Client{Timeout: 5 * time.Second}
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("%s-g%d-%d", prefix, g, i)
				req, _ := http.NewRequest("POST", p.base+"/predict", bytes.NewReader(app))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Request-Id", id)
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 {
					ack(id)
				}
			}
		})
	}
	return &wg
}
