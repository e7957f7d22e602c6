package serve

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// TestPredict_scorecard serves a scorecard: /predict answers its score
// beside the PD, ?explain=true lists every characteristic's points with
// its points lost (most first) adding up to the score, /predict/batch
// answers the same score, and a tree model answers no score.
func TestPredict_scorecard(t *testing.T) {
	s, _ := testServer(t, servetest.Options{Scorecard: true}, nil)
	h := s
	l := s.current.Load()
	for i := range 20 {
		app := servetest.Application(i)
		rec := do(t, h, "POST", "/predict?explain=true", app)
		if rec.Code != 200 {
			t.Fatalf("application %d: status %d: %s", i, rec.Code, rec.Body)
		}
		var got struct {
			PD     float64 `json:"default_probability"`
			Score  *int    `json:"score"`
			Points []struct {
				Characteristic string `json:"characteristic"`
				Bin            string `json:"bin"`
				Points         int    `json:"points"`
				MaxPoints      int    `json:"max_points"`
				PointsLost     int    `json:"points_lost"`
			} `json:"points"`
			Reasons []struct {
				Feature      string  `json:"feature"`
				Contribution float64 `json:"contribution"`
			} `json:"reasons"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || got.Score == nil {
			t.Fatalf("application %d: %v: %s", i, err, rec.Body)
		}
		// The score the model gives the application's feature vector.
		raw := make([]features.Raw, len(l.model.Pipeline.Inputs))
		for k, in := range l.model.Pipeline.Inputs {
			switch v := app[in.Name].(type) {
			case string:
				raw[k] = features.RawString(v)
			case float64:
				raw[k] = features.RawNumber(v)
			}
		}
		x := make([]float64, l.model.Pipeline.NumFeatures())
		if errs := l.model.Pipeline.Transform(raw, l.model.Pipeline.NewRow(), x); errs != nil {
			t.Fatalf("application %d: %v", i, errs)
		}
		if want, _ := l.model.Score(x); *got.Score != want || got.PD != l.model.PD(x) {
			t.Errorf("application %d: score %d, PD %v; the model gives %d, %v", i, *got.Score, got.PD, want, l.model.PD(x))
		}
		sum := l.model.Scorecard.BasePoints
		for k, p := range got.Points {
			sum += p.Points
			if p.PointsLost != p.MaxPoints-p.Points || p.PointsLost < 0 || (k > 0 && p.PointsLost > got.Points[k-1].PointsLost) {
				t.Errorf("application %d: points %+v", i, got.Points)
			}
		}
		if len(got.Points) != len(l.model.Scorecard.Characteristics) || sum != *got.Score {
			t.Errorf("application %d: %d characteristics' points add up to %d; score %d", i, len(got.Points), sum, *got.Score)
		}
		if len(got.Reasons) > 0 && (got.Reasons[0].Feature != got.Points[0].Characteristic ||
			math.Abs(got.Reasons[0].Contribution-float64(got.Points[0].PointsLost)/l.model.Scorecard.Scaling.Factor) > 1e-12) {
			t.Errorf("application %d: first reason %+v; first points %+v", i, got.Reasons[0], got.Points[0])
		}

		batch := do(t, h, "POST", "/predict/batch", map[string]any{"applications": []any{app}})
		var b struct {
			Results []struct {
				Score *int `json:"score"`
			} `json:"results"`
		}
		if err := json.Unmarshal(batch.Body.Bytes(), &b); err != nil || len(b.Results) != 1 || b.Results[0].Score == nil || *b.Results[0].Score != *got.Score {
			t.Errorf("application %d: batch %s; want score %d", i, batch.Body, *got.Score)
		}
	}

	g, _ := testServer(t, servetest.Options{}, nil)
	if v := decodeJSON(t, do(t, g, "POST", "/predict?explain=true", servetest.Application(0))); v["score"] != nil || v["points"] != nil {
		t.Errorf("a tree model answers score %v, points %v", v["score"], v["points"])
	}
}
