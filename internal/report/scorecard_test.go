package report

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func scorecardInput() *Scorecard {
	return &Scorecard{
		Name: "scorecard", Version: 2, Scaling: "600 points at good:bad odds 50:1; 20 points double the odds.",
		Rows: []ScorecardRow{
			{Characteristic: "dti", Bin: "[-inf, 10)", Count: 400, Share: 0.4, BadRate: 0.05, WoE: 0.9, IV: 0.31, Points: 70},
			{Characteristic: "dti", Bin: "[10, +inf)", Count: 550, Share: 0.55, BadRate: 0.2, WoE: -0.6, IV: 0.31, Points: 41},
			{Characteristic: "dti", Bin: "missing", Count: 50, Share: 0.05, BadRate: 0.1, WoE: 0.1, IV: 0.31, Points: 58},
			{Characteristic: "purpose", Bin: "{car, house}", Count: 1000, Share: 1, BadRate: 0.12, WoE: 0.2, IV: 0.05, Points: 60},
			{Characteristic: "purpose", Bin: "missing", Count: 0, Share: 0, BadRate: math.NaN(), WoE: 0, IV: 0.05, Points: 55},
		},
		Selection: []ScorecardDecision{
			{Characteristic: "dti", IV: 0.31, Strength: "strong", Status: "selected"},
			{Characteristic: "int_rate", IV: 0.3, Strength: "strong", Status: "correlated", Detail: "with dti, r = 0.91"},
		},
	}
}

// TestWrite_scorecard writes a report with a scorecard: its section shows
// each characteristic's bins and points and the selection, and a plot per
// characteristic is written as well-formed SVG.
func TestWrite_scorecard(t *testing.T) {
	in := mutate(synthInput(t, 2000, 1), func(in *Input) { in.Scorecard = scorecardInput() })
	dir := filepath.Join(t.TempDir(), "r")
	path, err := Write(t.Context(), dir, in)
	if err != nil {
		t.Fatal(err)
	}
	page := strings.NewReplacer("&#43;", "+", "&#39;", "'", "&lt;", "<").Replace(readFile(t, path))
	sec := section(t, page, "scorecard")
	for _, want := range []string{"Scorecard scorecard v2", "dti (IV 0.310)", "[10, +inf)", "<td>41</td>", "purpose (IV 0.050)", "n/a", "correlated", "with dti, r = 0.91", "plots/scorecard_0.svg", "plots/scorecard_1.svg"} {
		if !strings.Contains(sec, want) {
			t.Errorf("scorecard section lacks %q", want)
		}
	}
	for _, name := range []string{"scorecard_0.svg", "scorecard_1.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, PlotDir, name))
		if err != nil {
			t.Fatal(err)
		}
		checkXML(t, name, b)
		if !strings.Contains(string(b), "WoE") {
			t.Errorf("%s has no WoE labels", name)
		}
	}
	if strings.Contains(writePage(t, synthInput(t, 2000, 1)), `id="scorecard"`) {
		t.Error("a run without a scorecard has a scorecard section")
	}
}

func TestWrite_scorecardErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*Scorecard)
	}{
		{"no rows", func(s *Scorecard) { s.Rows = nil }},
		{"rows apart", func(s *Scorecard) { s.Rows = append(s.Rows, s.Rows[0]) }},
		{"share above 1", func(s *Scorecard) { s.Rows[0].Share = 2 }},
		{"infinite WoE", func(s *Scorecard) { s.Rows[1].WoE = math.Inf(1) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := scorecardInput()
			c.edit(sc)
			in := mutate(synthInput(t, 500, 2), func(in *Input) { in.Scorecard = sc })
			if _, err := Write(t.Context(), t.TempDir(), in); !errors.Is(err, ErrScorecard) {
				t.Errorf("Write = %v; want ErrScorecard", err)
			}
		})
	}
}
