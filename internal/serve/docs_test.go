package serve

import (
	"context"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// TestDocsRenderInChromium opens /docs in headless Chromium (Debian
// packages chromium) and checks that Swagger UI rendered the server's own
// document from the embedded assets alone: the page's scripts build the
// operation list, which the raw HTML does not contain.
func TestDocsRenderInChromium(t *testing.T) {
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	if testing.Short() {
		t.Skip("starts a browser: skipped with -short")
	}
	s, _ := testServer(t, servetest.Options{}, nil)
	ts := httptest.NewServer(s)
	defer ts.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu",
		"--virtual-time-budget=5000", "--dump-dom", ts.URL+"/docs").Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, want := range []string{"credit-risk API", "opblock-summary-path", "/predict/batch", "gbdt_v1", "Application"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered page lacks %q", want)
		}
	}
}
