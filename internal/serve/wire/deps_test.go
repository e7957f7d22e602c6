package wire

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDeps checks the package's boundary: it knows JSON and the shape of
// requests (package features), never HTTP, models or the server.
func TestDeps(t *testing.T) {
	gocmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	out, err := exec.Command(gocmd, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	forbidden := []string{
		"net/http",
		"github.com/credit-risk/credit-risk/internal/model",
		"github.com/credit-risk/credit-risk/internal/serve",
	}
	for _, d := range strings.Fields(string(out)) {
		for _, f := range forbidden {
			if d == f {
				t.Errorf("package wire depends on %s", d)
			}
		}
	}
}
