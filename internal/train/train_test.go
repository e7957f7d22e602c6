package train

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseAlgorithms(t *testing.T) {
	tests := []struct {
		list    string
		want    []string
		wantErr string
	}{
		{"gbdt,rf,lr", []string{"gbdt", "rf", "lr"}, ""},
		{"lr", []string{"lr"}, ""},
		{" GBDT , lr ", []string{"gbdt", "lr"}, ""},
		{"xgb", nil, `unknown learner "xgb"; valid names: gbdt, rf, lr`},
		{"gbdt,xgboost", nil, `unknown learner "xgboost"; valid names: gbdt, rf, lr`},
		{"", nil, "no learner given; valid names: gbdt, rf, lr"},
		{"gbdt,,lr", nil, `empty learner name in "gbdt,,lr"; valid names: gbdt, rf, lr`},
		{"lr,LR", nil, `learner "lr" given twice`},
	}
	for _, tt := range tests {
		t.Run(tt.list, func(t *testing.T) {
			got, err := ParseAlgorithms(tt.list)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Errorf("error = %v; want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestRunRejectsUnknownAlgorithmFirst checks that a bad name is reported
// before the features step's output is looked for.
func TestRunRejectsUnknownAlgorithmFirst(t *testing.T) {
	dir := t.TempDir()
	_, err := Run(t.Context(), Options{ProcessedDir: filepath.Join(dir, "absent"), ModelsDir: filepath.Join(dir, "models"), Algorithms: []string{"gbdt", "xgb"}})
	want := `train: unknown algorithm "xgb" (want gbdt, rf, lr)`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v; want %q", err, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "models")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("models folder made before the names were checked: %v", err)
	}
}
