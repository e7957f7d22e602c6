package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDocument writes the model document of a retrained and promoted
// champion and checks its facts against the run, and that the HTML page
// renders in headless Chromium.
func TestDocument(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, dir, "sample-data", "--rows", "6000", "--seed", "9")
	mustRun(t, dir, "retrain", "--tune-trials", "0", "--algorithms", "lr,gbdt", "--no-promote")
	mustRun(t, dir, "models", "promote", "--name", "gbdt", "--version", "1", "--reason", "approved by the model risk committee")
	out := mustRun(t, dir, "document")
	if !strings.Contains(out, "model document of gbdt v1 (production)") {
		t.Fatalf("document printed %q", out)
	}
	docDir := filepath.Join(dir, "artifacts", "documents", "gbdt_v1")
	md, err := os.ReadFile(filepath.Join(docDir, "model_document.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Model development document: gbdt v1",
		"## 1. Purpose and intended use", "## 2. Data", "## 3. Features and exclusions", "## 4. Methodology",
		"## 5. Selection", "## 6. Performance", "## 7. Stability", "## 8. Fairness", "## 9. Limitations",
		"## 10. Monitoring plan", "## 11. Promotion history",
		"| read | 6,000 |",
		"Rule: the champion is the candidate with the highest ROC-AUC on the validation slice",
		"approved by the model risk committee",
		"The run is reproducible",
		"| ROC-AUC |",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("the document lacks %q", want)
		}
	}
	if strings.Contains(string(md), "not available") {
		t.Errorf("the document says the clean log is not available, though it is the run's:\n%s", md)
	}

	html := filepath.Join(docDir, "model_document.html")
	chromium, err := exec.LookPath("chromium")
	if err != nil || testing.Short() {
		t.Log("chromium not installed (or -short): the HTML page is not rendered")
	} else {
		ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
		defer cancel()
		dom, err := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://"+html).Output()
		if err != nil {
			t.Fatalf("chromium: %v", err)
		}
		for _, want := range []string{"Model development document: gbdt v1", `<h2 id="s11">11. Promotion history</h2>`, "approved by the model risk committee"} {
			if !strings.Contains(string(dom), want) {
				t.Errorf("the rendered page lacks %q", want)
			}
		}
	}

	// Usage and lookup errors.
	if _, err := run(t, dir, "document", "--name", "gbdt"); !errors.Is(err, errUsage) {
		t.Errorf("--name without --version: %v; want a usage error", err)
	}
	if _, err := run(t, dir, "document", "--name", "gbdt", "--version", "9"); err == nil || !strings.Contains(err.Error(), "models list") {
		t.Errorf("an unknown version: %v; want an error pointing to models list", err)
	}
}
