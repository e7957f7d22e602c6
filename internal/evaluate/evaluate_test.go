package evaluate

import (
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/report"
)

func TestSegmentAUCs(t *testing.T) {
	// Levels come largest first, ties by code: "b" holds four rows, ranked
	// right in three pairs of four; code -1, the missing level, ranks its
	// one pair right; "a" has bad loans only, so no AUC.
	grade := &frame.Column{Name: "grade", Kind: frame.Categorical, Levels: []string{"a", "b"},
		Codes: []int32{1, 1, 1, 1, 0, 0, -1, -1}}
	y := []float64{0, 1, 0, 1, 1, 1, 0, 1}
	pd := []float64{0.1, 0.4, 0.5, 0.9, 0.3, 0.7, 0.2, 0.6}
	want := []report.SegmentAUC{
		{Segment: "grade", Level: "b", Rows: 4, BadRate: 0.5, AUC: 0.75},
		{Segment: "grade", Level: "missing", Rows: 2, BadRate: 0.5, AUC: 1},
		{Segment: "grade", Level: "a", Rows: 2, BadRate: 1, AUC: math.NaN()},
	}
	got := SegmentAUCs([]*frame.Column{grade}, y, pd)
	if len(got) != len(want) {
		t.Fatalf("got %d levels; want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		sameAUC := g.AUC == w.AUC || math.IsNaN(g.AUC) && math.IsNaN(w.AUC)
		if g.Segment != w.Segment || g.Level != w.Level || g.Rows != w.Rows || g.BadRate != w.BadRate || !sameAUC {
			t.Errorf("level %d: got %+v; want %+v", i, g, w)
		}
	}
}
