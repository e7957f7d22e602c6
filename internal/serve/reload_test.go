package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

func TestReload(t *testing.T) {
	s, dir := testServer(t, servetest.Options{Version: 1, Seed: 1}, nil)
	v2 := servetest.WriteModel(t, dir, servetest.Options{Version: 2, Seed: 2})
	bad := servetest.WriteCorrupt(t, dir, 3)
	steps := []struct {
		name    string
		alias   string // "" leaves the alias alone; "-" removes it
		force   bool
		wantErr error // nil: success
		serving string
		ok, bad uint64 // reload counters after the step
	}{
		{"unchanged", "", false, ErrUnchanged, "gbdt_v1", 0, 0},
		{"new version", v2, false, nil, "gbdt_v2", 1, 0},
		{"corrupt", bad, false, errVerify, "gbdt_v2", 1, 1},
		{"corrupt again is not counted twice", "", false, ErrUnchanged, "gbdt_v2", 1, 1},
		{"forced reload of the corrupt pair", "", true, errVerify, "gbdt_v2", 1, 2},
		{"alias removed", "-", false, os.ErrNotExist, "gbdt_v2", 1, 3},
		{"alias still removed", "", false, os.ErrNotExist, "gbdt_v2", 1, 3},
		{"back to v1", "gbdt_v1", false, nil, "gbdt_v1", 2, 3},
		{"forced reload of the same files", "", true, nil, "gbdt_v1", 3, 3},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			switch st.alias {
			case "":
			case "-":
				os.Remove(filepath.Join(dir, "production.model"))
			default:
				servetest.SetAlias(t, dir, st.alias)
			}
			err := s.reload(st.force)
			switch {
			case st.wantErr == nil && err != nil:
				t.Fatalf("reload: %v; want success", err)
			case st.wantErr == errVerify && (err == nil || !strings.Contains(err.Error(), "sha256")):
				t.Fatalf("reload: %v; want a sha256 failure", err)
			case st.wantErr != nil && st.wantErr != errVerify && !errors.Is(err, st.wantErr):
				t.Fatalf("reload: %v; want %v", err, st.wantErr)
			}
			if got := s.ModelVersion(); got != st.serving {
				t.Errorf("serving %s; want %s", got, st.serving)
			}
			if ok, fail := s.counts.reloadOK.Load(), s.counts.reloadFail.Load(); ok != st.ok || fail != st.bad {
				t.Errorf("reloads ok %d failed %d; want %d %d", ok, fail, st.ok, st.bad)
			}
		})
	}
}

// TestReloadRefusesImplausible points the alias at models with a valid
// hash but absurd numbers, or metadata that disagrees with the file: each
// reload is refused, naming the check, the old model keeps serving, and
// clients see which check failed but no path.
func TestReloadRefusesImplausible(t *testing.T) {
	s, dir := testServer(t, servetest.Options{Version: 1, Seed: 1}, nil)
	for i, tt := range []struct {
		name  string
		edit  func(*model.Model, *model.Metadata)
		check string
	}{
		{"calibration slope 1e308", func(m *model.Model, _ *model.Metadata) { m.Calibration.Slope = 1e308 }, "numbers"},
		{"threshold 0", func(m *model.Model, meta *model.Metadata) { m.Threshold, meta.Threshold = 0, 0 }, "numbers"},
		{"leaf 1e300", func(m *model.Model, _ *model.Metadata) {
			m.Ensemble.Trees[0].Nodes[len(m.Ensemble.Trees[0].Nodes)-1].Value = 1e300
		}, "numbers"},
		{"threshold edited in the metadata", func(_ *model.Model, meta *model.Metadata) { meta.Threshold = 0.05 }, "metadata"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			servetest.SetAlias(t, dir, servetest.WriteTampered(t, dir, 10+i, tt.edit))
			err := s.reload(false)
			if err == nil || !strings.Contains(err.Error(), tt.check+" check failed") {
				t.Fatalf("reload: %v; want the %s check to fail", err, tt.check)
			}
			if got := s.ModelVersion(); got != "gbdt_v1" {
				t.Errorf("serving %s; want gbdt_v1", got)
			}
			if rec := do(t, s, "POST", "/predict", servetest.Application(1)); rec.Code != 200 {
				t.Errorf("/predict: %d; want 200 from the old model", rec.Code)
			}
			rec := do(t, s, "GET", "/ready", nil)
			if !strings.Contains(rec.Body.String(), "failed its "+tt.check+" check") {
				t.Errorf("/ready %s; want the failed check named", rec.Body)
			}
			checkNoInternals(t, rec.Body.String())
		})
	}
}

// errVerify marks an expected model verification failure in
// TestReload's table.
var errVerify = errors.New("verification failure")

// TestReloadUnderLoad hammers /predict over HTTP while the alias switches
// between two versions and a corrupt model and the server polls it: no
// request may fail, every answer must come from one whole model, and the
// corrupt model must be rejected and counted.
func TestReloadUnderLoad(t *testing.T) {
	s, dir := testServer(t, servetest.Options{Version: 1, Seed: 1}, func(c *Config) {
		c.Host, c.Port, c.ReloadInterval = "127.0.0.1", 0, 5*time.Millisecond
	})
	v2 := servetest.WriteModel(t, dir, servetest.Options{Version: 2, Seed: 2})
	bad := servetest.WriteCorrupt(t, dir, 3)
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	url := "http://" + s.Addr().String() + "/predict"

	// The PD each version gives each application.
	const napps = 8
	want := map[string][napps]float64{}
	for _, v := range []struct{ base string }{{"gbdt_v1"}, {v2}} {
		servetest.SetAlias(t, dir, v.base)
		if err := s.reload(true); err != nil {
			t.Fatal(err)
		}
		var pds [napps]float64
		for i := range pds {
			pds[i] = wantPD(t, s, servetest.Application(i))
		}
		want[v.base] = pds
	}
	bodies := make([][]byte, napps)
	for i := range bodies {
		bodies[i], _ = json.Marshal(servetest.Application(i))
	}

	rounds := 4
	if testing.Short() {
		rounds = 1
	}
	var requests, failures atomic.Int64
	seen := sync.Map{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}, Timeout: 10 * time.Second}
	for g := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				i := (g + n) % napps
				resp, err := client.Post(url, "application/json", bytes.NewReader(bodies[i]))
				requests.Add(1)
				if err != nil {
					failures.Add(1)
					t.Errorf("request: %v", err)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var got struct {
					PD      float64 `json:"default_probability"`
					Version string  `json:"model_version"`
				}
				if resp.StatusCode != 200 || json.Unmarshal(body, &got) != nil {
					failures.Add(1)
					t.Errorf("status %d: %s", resp.StatusCode, body)
					continue
				}
				seen.Store(got.Version, true)
				pds, ok := want[got.Version]
				if !ok || math.Abs(pds[i]-got.PD) > 1e-12 {
					failures.Add(1)
					t.Errorf("application %d: PD %v from %q; want %v", i, got.PD, got.Version, pds[i])
				}
			}
		})
	}
	// Each switch waits for the server's own answer to it, a reload
	// counted (accepted or refused) and, for a good model, that version
	// serving, and for requests answered since: a loaded machine slows
	// the test down but never changes what it checks.
	aliases := []string{"gbdt_v1", bad, v2, bad, "gbdt_v1", v2}
	for k := range rounds * len(aliases) {
		base := aliases[k%len(aliases)]
		before := s.counts.reloadOK.Load() + s.counts.reloadFail.Load()
		served := requests.Load()
		servetest.SetAlias(t, dir, base)
		waitFor(t, base, func() bool {
			return s.counts.reloadOK.Load()+s.counts.reloadFail.Load() > before &&
				(base == bad || s.ModelVersion() == base) && requests.Load() > served+4
		})
	}
	close(stop)
	wg.Wait()

	if failures.Load() > 0 || requests.Load() < 50 {
		t.Fatalf("%d of %d requests failed; want 0 of at least 50", failures.Load(), requests.Load())
	}
	for _, v := range []string{"gbdt_v1", v2} {
		if _, ok := seen.Load(v); !ok {
			t.Errorf("no answer from %s", v)
		}
	}
	if s.counts.reloadOK.Load() < 4 || s.counts.reloadFail.Load() < 1 {
		t.Errorf("reloads: %d ok, %d failed; want several of each", s.counts.reloadOK.Load(), s.counts.reloadFail.Load())
	}
	if got := s.ModelVersion(); got != v2 {
		t.Errorf("serving %s at the end; want %s", got, v2)
	}
	t.Logf("%d requests, %d reloads, %d rejected", requests.Load(), s.counts.reloadOK.Load(), s.counts.reloadFail.Load())
	metrics := do(t, s, "GET", "/metrics", nil).Body.String()
	if !strings.Contains(metrics, fmt.Sprintf(`model_reloads_total{result="failure"} %d`, s.counts.reloadFail.Load())) {
		t.Errorf("/metrics does not count the failed reloads")
	}
}

// waitFor polls cond until it holds, failing the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for the server to take %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
