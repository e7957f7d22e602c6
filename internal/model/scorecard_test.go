package model

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/learn"
)

// TestScorecardModel scores an application by hand through a scorecard
// model: rate 21.5 is in [17, +inf) for 290 points, purpose debt in its
// own group for 295, so the score is 585 and the raw PD is read from it.
func TestScorecardModel(t *testing.T) {
	m := testModels(t)[2]
	if m.Algorithm != string(learn.Scorecard) {
		t.Fatalf("model 2 is %s", m.Algorithm)
	}
	if err := m.Init(); err != nil {
		t.Fatal(err)
	}
	raw := []features.Raw{features.RawString("21.5%"), features.RawString("debt")}
	x := make([]float64, m.Pipeline.NumFeatures())
	if errs := m.Pipeline.Transform(raw, m.Pipeline.NewRow(), x); errs != nil {
		t.Fatal(errs)
	}
	score, ok := m.Score(x)
	if !ok || score != 585 {
		t.Fatalf("Score = %d, %v; want 585, true", score, ok)
	}
	raw0 := 1 / (1 + math.Exp((585-m.Scorecard.Scaling.Offset)/m.Scorecard.Scaling.Factor))
	if got := m.RawProb(m.Margin(x)); math.Abs(got-raw0) > 1e-15 {
		t.Errorf("raw PD = %v; want %v", got, raw0)
	}
	if got, want := m.PD(x), m.Calibrate(raw0); math.Abs(got-want) > 1e-15 {
		t.Errorf("PD = %v; want the calibrated raw PD %v", got, want)
	}
	lost := m.PointsLost(x, 0)
	if len(lost) != 2 || lost[0].Characteristic != "rate" || lost[0].PointsLost != 30 || lost[1].PointsLost != 10 {
		t.Errorf("PointsLost = %+v; want rate 30, purpose 10", lost)
	}
	phi := make([]float64, len(x))
	reasons := m.Reasons(phi, x, 5)
	if len(reasons) != 2 || reasons[0].Feature != "rate" || math.Abs(reasons[0].Contribution-30/m.Scorecard.Scaling.Factor) > 1e-12 {
		t.Errorf("Reasons = %+v; want rate first with 30 points lost over the factor", reasons)
	}
	dir := t.TempDir()
	if err := Save(dir, "scorecard_v1", m, &Metadata{Dataset: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{".csv", ".json"} {
		if fi, err := os.Stat(filepath.Join(dir, TableName("scorecard_v1")+ext)); err != nil || fi.Size() == 0 {
			t.Errorf("table %s: %v", ext, err)
		}
	}
	if _, ok := testModels(t)[1].Score(x); ok {
		t.Error("a linear model has a score")
	}

	for _, c := range []struct {
		name string
		edit func(*Model)
	}{
		{"scorecard and linear", func(m *Model) { m.Linear = testModels(t)[1].Linear }},
		{"no scorecard", func(m *Model) { m.Scorecard = nil }},
		{"unknown column", func(m *Model) { m.Scorecard.Characteristics[0].Source.Feature = "nope" }},
		{"linear with a scorecard", func(m *Model) { m.Algorithm = string(learn.Logistic); m.Linear = testModels(t)[1].Linear }},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := testModels(t)[2]
			c.edit(m)
			if err := m.Init(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Init = %v; want ErrInvalid", err)
			}
		})
	}
}
