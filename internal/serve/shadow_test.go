package serve

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// shadowServer starts a server on the models folder dir (a champion
// alias, perhaps a challenger alias) that shadows every application.
func shadowServer(t *testing.T, dir string, edit func(*Config)) *Server {
	t.Helper()
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(dir, "production.model")
	cfg.Host, cfg.Port = "127.0.0.1", 0
	cfg.ReloadInterval = 20 * time.Millisecond
	cfg.ShadowShare = 1
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg, Options{Build: BuildInfo{Version: "test"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	return s
}

// shadowStatsOf returns the shadow part of /stats.
func shadowStatsOf(t *testing.T, s *Server) shadowStats {
	t.Helper()
	rec := do(t, s, "GET", "/stats", nil)
	var doc struct {
		Shadow *shadowStats `json:"shadow"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || doc.Shadow == nil {
		t.Fatalf("/stats: %v, %s", err, rec.Body)
	}
	return *doc.Shadow
}

func TestShadow_ZeroEffectAndAgreement(t *testing.T) {
	dir := t.TempDir()
	champ := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Seed: 1, Trees: 20})
	chall := servetest.WriteModel(t, dir, servetest.Options{Version: 2, Seed: 2, Trees: 20, Threshold: 0.25})
	servetest.SetAlias(t, dir, champ)
	servetest.SetNamedAlias(t, dir, ChallengerAlias, chall)
	s := shadowServer(t, dir, nil)
	if ch := s.challenger.Load(); ch == nil || ch.version != chall {
		t.Fatalf("challenger %v; want %s loaded", ch, chall)
	}
	// The same champion without a challenger answers byte for byte the
	// same.
	plain, _ := testServer(t, servetest.Options{Version: 1, Seed: 1, Trees: 20}, func(c *Config) { c.ShadowShare = 0 })

	champScorer, err := NewScorer(filepath.Join(dir, champ+".model"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	challScorer, err := NewScorer(filepath.Join(dir, chall+".model"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	wantFlips := [2]uint64{}
	for i := range n {
		body, _ := json.Marshal(servetest.Application(i))
		got, want := do(t, s, "POST", "/predict", body), do(t, plain, "POST", "/predict", body)
		if got.Code != 200 || got.Body.String() != want.Body.String() {
			t.Fatalf("application %d: with a challenger %d %s; without %d %s", i, got.Code, got.Body, want.Code, want.Body)
		}
		_, p1, err1 := champScorer.Score(body)
		_, p2, err2 := challScorer.Score(body)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if p1 != p2 {
			wantFlips[p1]++
		}
	}
	eventually(t, "every application scored by the challenger", func() bool { return shadowStatsOf(t, s).Scored == n })
	st := shadowStatsOf(t, s)
	if st.Challenger != chall || st.Share != 1 || st.Window != n || st.Errors != 0 || st.Dropped != 0 {
		t.Errorf("shadow stats %+v", st)
	}
	if st.FlipsToDeclined != wantFlips[0] || st.FlipsToApproved != wantFlips[1] {
		t.Errorf("flips %d→declined, %d→approved; want %d and %d", st.FlipsToDeclined, st.FlipsToApproved, wantFlips[0], wantFlips[1])
	}
	if wantFlips == [2]uint64{} {
		t.Error("the two models never disagree: the test checks nothing")
	}
	if st.ScorePSI == nil || st.PDDifference["p05"] > st.PDDifference["p95"] {
		t.Errorf("agreement figures %+v", st)
	}
	metrics := do(t, s, "GET", "/metrics", nil).Body.String()
	for _, want := range []string{`shadow_applications_total{result="scored"} 200`, "shadow_pd_difference_count 200", "shadow_score_psi "} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestShadow_ReloadAndRemove(t *testing.T) {
	dir := t.TempDir()
	champ := servetest.WriteModel(t, dir, servetest.Options{Version: 1, Seed: 1})
	servetest.SetAlias(t, dir, champ)
	s := shadowServer(t, dir, nil)
	if s.challenger.Load() != nil {
		t.Fatal("a challenger without an alias")
	}
	body, _ := json.Marshal(servetest.Application(1))
	// A challenger alias appears: it is loaded and shadows.
	chall := servetest.WriteModel(t, dir, servetest.Options{Version: 2, Seed: 2})
	servetest.SetNamedAlias(t, dir, ChallengerAlias, chall)
	eventually(t, "the new challenger is loaded", func() bool { c := s.challenger.Load(); return c != nil && c.version == chall })
	do(t, s, "POST", "/predict", body)
	eventually(t, "an application shadowed", func() bool { return shadowStatsOf(t, s).Scored == 1 })
	// A corrupt challenger is refused; the loaded one stays.
	bad := servetest.WriteCorrupt(t, dir, 3)
	servetest.SetNamedAlias(t, dir, ChallengerAlias, bad)
	time.Sleep(100 * time.Millisecond) // several polls
	if c := s.challenger.Load(); c == nil || c.version != chall {
		t.Errorf("after a corrupt challenger: %v; want %s kept", c, chall)
	}
	if rec := do(t, s, "POST", "/predict", body); rec.Code != 200 {
		t.Errorf("champion with a corrupt challenger: %d", rec.Code)
	}
	// The alias is removed: shadow scoring stops.
	os.Remove(filepath.Join(dir, ChallengerAlias+".model"))
	os.Remove(filepath.Join(dir, ChallengerAlias+"_metadata.json"))
	eventually(t, "the challenger is dropped", func() bool { return s.challenger.Load() == nil })
	do(t, s, "POST", "/predict", body)
	time.Sleep(50 * time.Millisecond)
	// Two were shadowed: before and after the corrupt challenger (the
	// loaded one kept shadowing), none after the alias went.
	if st := shadowStatsOf(t, s); st.Scored != 2 || st.Challenger != "" {
		t.Errorf("after the alias went: %+v; want 2 scored and no challenger", st)
	}
}

func TestShadow_Config(t *testing.T) {
	for _, tt := range []struct {
		v     string
		every uint64
		bad   bool
	}{{"0", 0, false}, {"0.1", 10, false}, {"0.25", 4, false}, {"1", 1, false}, {"1.5", 0, true}, {"-0.1", 0, true}, {"some", 0, true}} {
		c, err := ConfigFromEnv(func(k string) string {
			if k == "SHADOW_SHARE" {
				return tt.v
			}
			return ""
		})
		if (err != nil) != tt.bad {
			t.Errorf("SHADOW_SHARE=%s: %v", tt.v, err)
			continue
		}
		if tt.bad {
			continue
		}
		dir := t.TempDir()
		servetest.SetAlias(t, dir, servetest.WriteModel(t, dir, servetest.Options{}))
		c.ModelPath = filepath.Join(dir, "production.model")
		s, err := New(c, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if s.shadowEvery != tt.every {
			t.Errorf("SHADOW_SHARE=%s: every %d; want %d", tt.v, s.shadowEvery, tt.every)
		}
	}
}
