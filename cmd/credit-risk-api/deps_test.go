package main

import (
	"os/exec"
	"strings"
	"testing"
)

// forbiddenDeps are packages the server must not link: training code and
// its heavy dependencies.
var forbiddenDeps = []string{
	"github.com/credit-risk/credit-risk/internal/gbdt",
	"github.com/credit-risk/credit-risk/internal/forest",
	"github.com/credit-risk/credit-risk/internal/logreg",
	"github.com/credit-risk/credit-risk/internal/learners",
	"github.com/credit-risk/credit-risk/internal/binning",
	"github.com/credit-risk/credit-risk/internal/classing/fit",
	"github.com/credit-risk/credit-risk/internal/scorecard/fit",
	"github.com/credit-risk/credit-risk/internal/train",
	"github.com/credit-risk/credit-risk/internal/tune",
	"github.com/credit-risk/credit-risk/internal/report",
	"github.com/credit-risk/credit-risk/internal/clean",
	"github.com/credit-risk/credit-risk/internal/featurestep",
	"github.com/credit-risk/credit-risk/internal/features/fit",
	"github.com/credit-risk/credit-risk/internal/frame",
	"github.com/credit-risk/credit-risk/internal/sample",
	"github.com/credit-risk/credit-risk/internal/quality",
	"github.com/parquet-go/parquet-go",
	"gonum.org/v1/plot",
}

// TestNoTrainingCode fails when the server binary links training code: the
// serving image must hold the API only.
func TestNoTrainingCode(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gocmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	for _, forbidden := range forbiddenDeps {
		for _, d := range deps {
			if d == forbidden || strings.HasPrefix(d, forbidden+"/") {
				t.Errorf("credit-risk-api links %s (via %s)", d, importChain(t, gocmd, d))
				break
			}
		}
	}
}

// importChain returns one chain of imports from this package to pkg.
func importChain(t *testing.T, gocmd, pkg string) string {
	out, err := exec.Command(gocmd, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, ".").Output()
	if err != nil {
		return "?"
	}
	imports := map[string][]string{}
	var root string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		imports[f[0]] = f[1:]
		root = f[0] // go list prints the package itself last
	}
	prev := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == pkg {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append([]string{strings.TrimPrefix(p, "github.com/credit-risk/credit-risk/")}, chain...)
			}
			return strings.Join(chain, " → ")
		}
		for _, q := range imports[p] {
			if _, seen := prev[q]; !seen {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return "?"
}
