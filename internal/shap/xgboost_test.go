package shap

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// xgbFixture is testdata/xgboost_taiwan.json, written by
// testdata/xgboost_taiwan.py.
type xgbFixture struct {
	Features []string      `json:"features"`
	Ensemble tree.Ensemble `json:"ensemble"`
	Rows     [][]*float64  `json:"rows"` // null is a missing value
	Margins  []float64     `json:"margins"`
	Contribs [][]float64   `json:"contribs"` // φ per feature, then the expected value
}

// xgbTol is the agreement asked of XGBoost's numbers, which it computes in
// float32 (relative precision 6e-8) over 40 trees; the largest difference
// seen is 3.3e-7.
const xgbTol = 1e-5

// TestExplain_XGBoost compares Explain with XGBoost's pred_contribs on a
// model trained on the Taiwan credit-card data with missing values.
func TestExplain_XGBoost(t *testing.T) {
	data, err := os.ReadFile("testdata/xgboost_taiwan.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx xgbFixture
	if err := json.Unmarshal(data, &fx); err != nil {
		t.Fatalf("decode fixture: %v", err)
	}
	e := &fx.Ensemble
	x, err := NewExplainer(e)
	if err != nil {
		t.Fatalf("NewExplainer: %v", err)
	}
	m := e.NumFeatures
	if len(fx.Features) != m || len(fx.Rows) == 0 {
		t.Fatalf("fixture has %d names and %d rows for %d features", len(fx.Features), len(fx.Rows), m)
	}
	phi := make([]float64, m)
	row := make([]float64, m)
	var worst float64
	missing := 0
	for i, r := range fx.Rows {
		for j, v := range r {
			row[j] = math.NaN()
			if v != nil {
				row[j] = *v
			} else {
				missing++
			}
		}
		if got, want := e.Margin(row), fx.Margins[i]; !closeTo(got, want, xgbTol) {
			t.Fatalf("row %d: margin %.9g; XGBoost says %.9g", i, got, want)
		}
		base := x.Explain(phi, row)
		if want := fx.Contribs[i][m]; !closeTo(base, want, xgbTol) {
			t.Fatalf("row %d: expected value %.9g; XGBoost says %.9g", i, base, want)
		}
		for j := range phi {
			want := fx.Contribs[i][j]
			if !closeTo(phi[j], want, xgbTol) {
				t.Fatalf("row %d: φ[%s] = %.9g; XGBoost says %.9g", i, fx.Features[j], phi[j], want)
			}
			worst = max(worst, math.Abs(phi[j]-want))
		}
	}
	if missing == 0 {
		t.Errorf("fixture has no missing values; want some to test default directions")
	}
	t.Logf("%d rows (%d missing values): largest |φ - XGBoost| = %.2g", len(fx.Rows), missing, worst)
}
