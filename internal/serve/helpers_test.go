package serve

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// testServer starts a Server on a fresh model directory holding the
// alias to a small model built with o.
func testServer(tb testing.TB, o servetest.Options, edit func(*Config)) (*Server, string) {
	tb.Helper()
	dir := tb.TempDir()
	base := servetest.WriteModel(tb, dir, o)
	servetest.SetAlias(tb, dir, base)
	cfg := NewConfig()
	cfg.ModelPath = filepath.Join(dir, "production.model")
	cfg.ReloadInterval = 0
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg, Options{Logger: slog.New(slog.DiscardHandler), Build: BuildInfo{Version: "test"}})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return s, dir
}

// do sends a request through the handler and returns the recorded
// response.
func do(tb testing.TB, h http.Handler, method, target string, body any) *httptest.ResponseRecorder {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, target, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// decodeJSON decodes a response body into a generic value.
func decodeJSON(tb testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		tb.Fatalf("response is not a JSON object: %v\n%s", err, rec.Body.String())
	}
	return v
}

// problemFields returns field → problem of a problem document's errors.
func problemFields(tb testing.TB, doc map[string]any) map[string]string {
	tb.Helper()
	out := map[string]string{}
	errs, _ := doc["errors"].([]any)
	for _, e := range errs {
		m := e.(map[string]any)
		out[m["field"].(string)] = m["problem"].(string)
	}
	return out
}
