package train

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
)

// TestRunRejectsUnknownAlgorithmFirst checks that a bad name is reported
// before the features step's output is looked for.
func TestRunRejectsUnknownAlgorithmFirst(t *testing.T) {
	dir := t.TempDir()
	_, err := Run(t.Context(), Options{ProcessedDir: filepath.Join(dir, "absent"), ModelsDir: filepath.Join(dir, "models"), Algorithms: []learn.Algorithm{learn.GBDT, "xgb"}})
	want := `train: unknown learner "xgb"; valid names: gbdt, rf, lr, scorecard`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v; want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "models")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("models folder made before the names were checked: %v", err)
	}
}
