package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// testKey is a key of a test keys file.
type testKey struct {
	id     string
	scopes []string
}

// writeKeys writes a keys file with the given keys and returns their
// secrets by id.
func writeKeys(tb testing.TB, path string, keys ...testKey) map[string]string {
	tb.Helper()
	secrets := map[string]string{}
	f := &apikey.File{Keys: []apikey.Key{}}
	for _, k := range keys {
		secret, hash := apikey.NewSecret()
		secrets[k.id] = secret
		f.Keys = append(f.Keys, apikey.Key{ID: k.id, Hash: hash, Scopes: k.scopes, Created: time.Now().UTC()})
	}
	if err := f.WriteFile(path); err != nil {
		tb.Fatal(err)
	}
	return secrets
}

// doAuth is do with a credential header; header "" sends none.
func doAuth(tb testing.TB, h http.Handler, method, target, header, value string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		tb.Fatalf("doAuth: body %T", body)
	}
	var req *http.Request
	if rd != nil {
		req = httptest.NewRequest(method, target, rd)
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	if header != "" {
		req.Header.Set(header, value)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func appBody(tb testing.TB) []byte {
	tb.Helper()
	b, err := json.Marshal(servetest.Application(1))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// counterValue returns the value of the counter name{result=result}.
func counterValue(tb testing.TB, s *Server, name, result string) float64 {
	tb.Helper()
	mfs, err := s.Registry().Gather()
	if err != nil {
		tb.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == "result" && lp.GetValue() == result {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

func TestAuth_Scopes(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	sec := writeKeys(t, keysPath,
		testKey{"scorer", []string{apikey.ScopeScore}},
		testKey{"explainer", []string{apikey.ScopeScore, apikey.ScopeExplain}},
		testKey{"reader", []string{apikey.ScopeModelRead}},
		testKey{"explain-only", []string{apikey.ScopeExplain}},
	)
	var logs bytes.Buffer // the handler runs on the test's goroutine
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.APIKeysFile = keysPath })
	s.access = slog.New(slog.NewJSONHandler(&logs, nil))
	app := appBody(t)
	bearer := func(id string) (string, string) { return "Authorization", "Bearer " + sec[id] }
	xkey := func(id string) (string, string) { return "X-API-Key", sec[id] }
	none := func(string) (string, string) { return "", "" }
	type cred func(string) (string, string)
	tests := []struct {
		name         string
		method, path string
		cred         cred
		key          string
		body         bool
		status       int
	}{
		{"predict without a key", "POST", "/predict", none, "", true, 401},
		{"predict with scorer", "POST", "/predict", bearer, "scorer", true, 200},
		{"predict with scorer in X-API-Key", "POST", "/predict", xkey, "scorer", true, 200},
		{"predict with reader", "POST", "/predict", bearer, "reader", true, 403},
		{"predict with explain only", "POST", "/predict", bearer, "explain-only", true, 403},
		{"explain with scorer", "POST", "/predict?explain=true", bearer, "scorer", true, 403},
		{"explain=false with scorer", "POST", "/predict?explain=false", bearer, "scorer", true, 200},
		{"explain with explainer", "POST", "/predict?explain=true", bearer, "explainer", true, 200},
		{"batch without a key", "POST", "/predict/batch", none, "", false, 401},
		{"batch explain with scorer", "POST", "/predict/batch?explain=1", xkey, "scorer", false, 403},
		{"model info without a key", "GET", "/model/info", none, "", false, 401},
		{"model info with scorer", "GET", "/model/info", bearer, "scorer", false, 403},
		{"model info with reader", "GET", "/model/info", bearer, "reader", false, 200},
		{"HEAD model info without a key", "HEAD", "/model/info", none, "", false, 401},
		{"stats without a key", "GET", "/stats", none, "", false, 401},
		{"stats with scorer", "GET", "/stats", xkey, "scorer", false, 403},
		{"stats with reader", "GET", "/stats", xkey, "reader", false, 200},
		{"openapi without a key", "GET", "/openapi.json", none, "", false, 401},
		{"openapi with reader", "GET", "/openapi.json", bearer, "reader", false, 200},
		{"health is open", "GET", "/health", none, "", false, 200},
		{"ready is open", "GET", "/ready", none, "", false, 200},
		{"metrics is open", "GET", "/metrics", none, "", false, 200},
		{"docs is open", "GET", "/docs", none, "", false, 200},
		{"unknown path", "GET", "/nope", none, "", false, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, v := tt.cred(tt.key)
			var body any
			if tt.body {
				body = app
			}
			if tt.path == "/predict/batch" || strings.HasPrefix(tt.path, "/predict/batch?") {
				body = []byte(`{"applications":[]}`)
			}
			rec := doAuth(t, s, tt.method, tt.path, h, v, body)
			if rec.Code != tt.status {
				t.Fatalf("status %d; want %d: %s", rec.Code, tt.status, rec.Body)
			}
			checkRefusal(t, rec)
		})
	}
	if !strings.Contains(logs.String(), `"key_id":"scorer"`) {
		t.Errorf("the access log lacks key_id scorer:\n%s", logs.String())
	}
	for _, secret := range sec {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the access log holds a secret")
		}
	}
}

// checkRefusal checks a 401 or 403: a problem document with the same
// detail whatever was wrong, and the challenge on a 401.
func checkRefusal(tb testing.TB, rec *httptest.ResponseRecorder) {
	tb.Helper()
	switch rec.Code {
	case http.StatusUnauthorized:
		if got := rec.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			tb.Errorf("WWW-Authenticate %q; want a Bearer challenge", got)
		}
		if rec.Body.String() != problemBody(problemAuth, rec) {
			tb.Errorf("401 body %s; want the one problem every 401 has", rec.Body)
		}
	case http.StatusForbidden:
		if rec.Body.String() != problemBody(problemForbidden, rec) {
			tb.Errorf("403 body %s; want the one problem every 403 has", rec.Body)
		}
	default:
		return
	}
	if ct := rec.Header().Get("Content-Type"); ct != contentTypeProblem {
		tb.Errorf("Content-Type %q; want %s", ct, contentTypeProblem)
	}
}

func problemBody(p *Problem, rec *httptest.ResponseRecorder) string {
	inst := ""
	if i := strings.Index(rec.Body.String(), `"instance":"`); i >= 0 {
		rest := rec.Body.String()[i+len(`"instance":"`):]
		inst = rest[:strings.IndexByte(rest, '"')]
	}
	return string(p.appendJSON(nil, inst))
}

// TestAuth_BadCredentials: every wrong credential gets the same 401.
func TestAuth_BadCredentials(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	sec := writeKeys(t, keysPath, testKey{"scorer", []string{apikey.ScopeScore}})
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.APIKeysFile = keysPath })
	good := sec["scorer"]
	app := appBody(t)
	tests := []struct{ name, header, value string }{
		{"no header", "", ""},
		{"empty bearer", "Authorization", "Bearer "},
		{"basic scheme", "Authorization", "Basic " + good},
		{"no scheme", "Authorization", good},
		{"unknown key", "Authorization", "Bearer crk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		{"one byte off", "Authorization", "Bearer " + good[:len(good)-1] + "x"},
		{"the hash", "X-API-Key", apikey.Hash(good)},
		{"garbage", "X-API-Key", "\x01\x02"},
		{"very long", "X-API-Key", strings.Repeat("a", 10000)},
	}
	var first string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := doAuth(t, s, "POST", "/predict", tt.header, tt.value, app)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d; want 401", rec.Code)
			}
			checkRefusal(t, rec)
			if first == "" {
				first = rec.Body.String()
			} else if rec.Body.String() != first {
				t.Errorf("body %s; want the same as every 401: %s", rec.Body, first)
			}
		})
	}
	t.Run("lowercase bearer", func(t *testing.T) {
		if rec := doAuth(t, s, "POST", "/predict", "Authorization", "bearer "+good, app); rec.Code != 200 {
			t.Errorf("status %d; want 200", rec.Code)
		}
	})
}

func TestAuth_NoKeysFile(t *testing.T) {
	var logs bytes.Buffer
	dir := t.TempDir()
	base := servetest.WriteModel(t, dir, servetest.Options{})
	servetest.SetAlias(t, dir, base)
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(dir, "production.model")
	cfg.ReloadInterval = 0
	s, err := New(cfg, Options{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"AUTHENTICATION IS OFF`) {
		t.Errorf("no start-up warning:\n%s", logs.String())
	}
	rec := do(t, s, "GET", "/model/info", nil)
	if rec.Code != 200 {
		t.Fatalf("status %d; want 200", rec.Code)
	}
	for _, leak := range []string{`"threshold"`, `"valid_max"`, `"valid_min"`, `"levels"`, `"training"`, `"params"`, `"features"`} {
		if strings.Contains(rec.Body.String(), leak) {
			t.Errorf("the public model info holds %s:\n%s", leak, rec.Body)
		}
	}
	for _, want := range []string{`"model_version": "gbdt_v1"`, `"name": "int_rate"`, `"restricted"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the public model info lacks %s", want)
		}
	}
	spec := do(t, s, "GET", "/openapi.json", nil)
	if spec.Code != 200 || !strings.Contains(spec.Body.String(), `"int_rate"`) {
		t.Fatalf("public spec: status %d; want 200 with the inputs", spec.Code)
	}
	for _, leak := range []string{"threshold 0.3", "x-training-range", "Seen in training", "Levels seen in training", "Valid range"} {
		if strings.Contains(spec.Body.String(), leak) {
			t.Errorf("the public OpenAPI document holds %q", leak)
		}
	}
	if rec := do(t, s, "POST", "/predict", servetest.Application(1)); rec.Code != 200 {
		t.Errorf("predict without keys: status %d; want 200", rec.Code)
	}
}

// TestAuth_ModelInfoFull: MODEL_INFO_FULL gives the full documents
// without API keys.
func TestAuth_ModelInfoFull(t *testing.T) {
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.ModelInfoFull = true })
	if body := do(t, s, "GET", "/model/info", nil).Body.String(); !strings.Contains(body, `"threshold": 0.3`) {
		t.Errorf("model info with MODEL_INFO_FULL lacks the threshold")
	}
	if body := do(t, s, "GET", "/openapi.json", nil).Body.String(); !strings.Contains(body, "x-training-range") {
		t.Errorf("the OpenAPI document with MODEL_INFO_FULL lacks the training ranges")
	}
}

func TestAuth_MissingKeysFile(t *testing.T) {
	dir := t.TempDir()
	base := servetest.WriteModel(t, dir, servetest.Options{})
	servetest.SetAlias(t, dir, base)
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(dir, "production.model")
	cfg.APIKeysFile = filepath.Join(dir, "nope.json")
	if _, err := New(cfg, Options{}); err == nil || !strings.Contains(err.Error(), "API keys file") {
		t.Errorf("got %v; want an API keys file error", err)
	}
}

// TestAuth_Rotation replaces the keys file under a running server: the
// new key works and the revoked one gets 401 within the reload interval;
// a broken file is refused and the keys in force stay.
func TestAuth_Rotation(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	old := writeKeys(t, keysPath, testKey{"old", []string{apikey.ScopeScore}})
	s, _ := testServer(t, servetest.Options{}, func(c *Config) {
		c.APIKeysFile = keysPath
		c.ReloadInterval = 20 * time.Millisecond
		c.Host, c.Port = "127.0.0.1", 0
	})
	if err := s.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.Close(ctx)
	})
	app := appBody(t)
	status := func(secret string) int {
		return doAuth(t, s, "POST", "/predict", "Authorization", "Bearer "+secret, app).Code
	}
	if got := status(old["old"]); got != 200 {
		t.Fatalf("old key before rotation: %d; want 200", got)
	}
	// waitFor polls until cond holds, for at most 5s (many reload
	// intervals).
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				t.Fatalf("%s: not within 5s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	cur := writeKeys(t, keysPath, testKey{"new", []string{apikey.ScopeScore}})
	waitFor("the new key works and the old one is revoked", func() bool {
		return status(cur["new"]) == 200 && status(old["old"]) == 401
	})

	// A broken file is refused; the new key keeps working.
	if err := os.WriteFile(keysPath+".tmp", []byte(`{"keys":[{"id":"x"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(keysPath+".tmp", keysPath); err != nil {
		t.Fatal(err)
	}
	waitFor("the broken file is counted as a failed reload", func() bool {
		return counterValue(t, s, "api_keys_reloads_total", "failure") >= 1
	})
	if got := status(cur["new"]); got != 200 {
		t.Errorf("after a broken file: key in force got %d; want 200", got)
	}
	// SIGHUP's path: Reload reports the broken file.
	if err := s.Reload(t.Context()); err == nil {
		t.Errorf("Reload with a broken keys file: no error")
	}
}

// TestAuth_RateLimit: a key with a rate limit gets 429 with Retry-After
// once its burst is spent; a key without one is not limited, and a reload
// of an unchanged limit does not refill the bucket.
func TestAuth_RateLimit(t *testing.T) {
	keysPath := filepath.Join(t.TempDir(), "keys.json")
	limited, hl := apikey.NewSecret()
	free, hf := apikey.NewSecret()
	f := &apikey.File{Keys: []apikey.Key{
		{ID: "limited", Hash: hl, Scopes: []string{apikey.ScopeScore}, RateLimit: &apikey.RateLimit{PerSecond: 0.1, Burst: 2}},
		{ID: "free", Hash: hf, Scopes: []string{apikey.ScopeScore}},
	}}
	if err := f.WriteFile(keysPath); err != nil {
		t.Fatal(err)
	}
	s, _ := testServer(t, servetest.Options{}, func(c *Config) { c.APIKeysFile = keysPath })
	app := appBody(t)
	send := func(secret string) *httptest.ResponseRecorder {
		return doAuth(t, s, "POST", "/predict", "X-API-Key", secret, app)
	}
	for i := range 2 {
		if rec := send(limited); rec.Code != 200 {
			t.Fatalf("request %d within the burst: %d; want 200", i+1, rec.Code)
		}
	}
	rec := send(limited)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("request over the burst: %d; want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After %q; want whole seconds > 0", ra)
	}
	if ct := rec.Header().Get("Content-Type"); ct != contentTypeProblem {
		t.Errorf("Content-Type %q; want a problem document", ct)
	}
	for i := range 5 {
		if rec := send(free); rec.Code != 200 {
			t.Fatalf("key without a limit, request %d: %d; want 200", i+1, rec.Code)
		}
	}
	// Rewrite the file (same limits): the bucket stays empty.
	if err := f.WriteFile(keysPath); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec := send(limited); rec.Code != http.StatusTooManyRequests {
		t.Errorf("after a reload with the same limit: %d; want 429", rec.Code)
	}
}

func TestBucket(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	b := newBucket(apikey.RateLimit{PerSecond: 2, Burst: 3}, t0)
	steps := []struct {
		after time.Duration
		ok    bool
		wait  time.Duration
	}{
		{0, true, 0}, {0, true, 0}, {0, true, 0}, // the burst
		{0, false, 500 * time.Millisecond},
		{250 * time.Millisecond, false, 250 * time.Millisecond},
		{500 * time.Millisecond, true, 0}, // one token refilled
		{10 * time.Second, true, 0},       // refilled to the burst, not beyond
		{10 * time.Second, true, 0},
		{10 * time.Second, true, 0},
		{10 * time.Second, false, 500 * time.Millisecond},
	}
	for i, st := range steps {
		ok, wait := b.take(t0.Add(st.after), 1)
		if ok != st.ok || (wait-st.wait).Abs() > time.Millisecond {
			t.Errorf("step %d: got %v, %v; want %v, %v", i, ok, wait, st.ok, st.wait)
		}
	}
}
