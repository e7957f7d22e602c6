package progress

import (
	"os"
	"path/filepath"
	"testing"
)

func openTemp(t *testing.T) (*os.File, error) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "out"))
	if err == nil {
		t.Cleanup(func() { f.Close() })
	}
	return f, err
}
