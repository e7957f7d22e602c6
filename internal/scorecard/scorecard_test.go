package scorecard

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// features is the feature vector layout of the fixture: dti, its missing
// indicator, its special-value 96 column, and the one-hot columns of
// purpose.
var features = []string{"dti", "dti_missing", "dti_special_96", "purpose_car", "purpose_house", "purpose_(other)"}

// fixture is a two-characteristic scorecard: dti (three ranges, missing,
// special 96) and purpose (two level groups, missing).
func fixture() *Scorecard {
	return &Scorecard{
		Version:   FormatVersion,
		Scaling:   DefaultScaling(),
		Intercept: -2.5,
		Characteristics: []Characteristic{
			{
				Name: "dti",
				Source: Source{Feature: "dti", Missing: "dti_missing",
					Specials: []SpecialColumn{{Feature: "dti_special_96", Value: 96}}},
				Binning: &classing.Binning{
					Version: classing.FormatVersion, Name: "dti", Kind: classing.Numeric, Direction: classing.Increasing,
					Cuts: []float64{10, 20}, Specials: []classing.SpecialValue{{Value: 96, Bin: 4}}, Missing: 3,
					Bins: []classing.Bin{
						{Kind: classing.Range, Goods: 400, Bads: 20, WoE: 0.9, IV: 0.27},
						{Kind: classing.Range, Goods: 300, Bads: 30, WoE: 0.2, IV: 0.02},
						{Kind: classing.Range, Goods: 100, Bads: 45, WoE: -1.3, IV: 0.42},
						{Kind: classing.Missing, Goods: 10, Bads: 5, WoE: -0.5, IV: 0.01},
						{Kind: classing.Special, Goods: 30, Bads: 10, WoE: -0.1, IV: 0.001},
					},
					IV: 0.721,
				},
				Coef:   -0.8,
				Points: []int{330, 314, 276, 297, 305},
			},
			{
				Name: "purpose",
				Source: Source{Levels: []LevelColumn{
					{Feature: "purpose_car", Level: "car"}, {Feature: "purpose_house", Level: "house"}, {Feature: "purpose_(other)", Level: "(other)"},
				}},
				Binning: &classing.Binning{
					Version: classing.FormatVersion, Name: "purpose", Kind: classing.Categorical,
					Levels: map[string]int{"car": 0, "house": 0, "(other)": 1}, Missing: 2, Unseen: 1,
					Bins: []classing.Bin{
						{Kind: classing.Levels, Goods: 500, Bads: 40, WoE: 0.4, IV: 0.05},
						{Kind: classing.Levels, Goods: 700, Bads: 120, WoE: -0.2, IV: 0.03},
						{Kind: classing.Missing},
					},
					IV: 0.08,
				},
				Coef:   -1,
				Points: []int{318, 300, 306},
			},
		},
	}
}

func TestScaling(t *testing.T) {
	s := DefaultScaling()
	// 600 points at 50:1 good:bad; 620 at 100:1; PD at 600 is 1/51.
	if got, want := s.Factor, 20/math.Ln2; got != want {
		t.Errorf("Factor = %v; want %v", got, want)
	}
	for _, c := range []struct {
		score, pd float64
	}{{600, 1.0 / 51}, {620, 1.0 / 101}, {580, 1.0 / 26}} {
		if got := s.PD(c.score); math.Abs(got-c.pd) > 1e-12 {
			t.Errorf("PD(%v) = %v; want %v", c.score, got, c.pd)
		}
	}
	// Worked by hand: Factor = 20/ln 2 = 28.853901, Offset = 600 −
	// 28.853901·ln 50 = 487.122876; a bin with WoE 0.9 of a characteristic
	// with β = −0.8, in a model with α = −2.5 on 2 characteristics, is
	// worth −(−0.8·0.9 − 2.5/2)·28.853901 + 487.122876/2 = 300.40362.
	if got := s.Points(-0.8, 0.9, -2.5, 2); math.Abs(got-300.40362) > 1e-5 {
		t.Errorf("Points = %v; want 300.40362", got)
	}
	if math.Abs(s.Offset-487.122876) > 1e-6 {
		t.Errorf("Offset = %v; want 487.122876", s.Offset)
	}
	// The points of n characteristics add up to the unrounded score.
	alpha, coefs, woes := -2.0, []float64{-0.7, -1.1}, []float64{0.3, -0.4}
	var score float64
	for k := range coefs {
		score += s.Points(coefs[k], woes[k], alpha, len(coefs))
	}
	logOddsBad := alpha + coefs[0]*woes[0] + coefs[1]*woes[1]
	if got := s.LogOddsBad(score); math.Abs(got-logOddsBad) > 1e-12 {
		t.Errorf("LogOddsBad(sum of points) = %v; want %v", got, logOddsBad)
	}
}

func TestNewScalingErrors(t *testing.T) {
	for _, c := range []struct {
		name             string
		score, odds, pdo float64
	}{
		{"zero odds", 600, 0, 20},
		{"negative pdo", 600, 50, -20},
		{"zero pdo", 600, 50, 0},
		{"NaN score", math.NaN(), 50, 20},
		{"huge score", 1e9, 50, 20},
		{"infinite odds", 600, math.Inf(1), 20},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewScaling(c.score, c.odds, c.pdo); !errors.Is(err, ErrScaling) {
				t.Errorf("NewScaling(%v, %v, %v) error = %v; want ErrScaling", c.score, c.odds, c.pdo, err)
			}
		})
	}
}

func TestScoreAndReasons(t *testing.T) {
	s := fixture()
	if err := s.Init(features); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		x        []float64
		score    int
		dtiBin   int
		dtiValue float64
	}{
		{"low dti, car", []float64{5, 0, 0, 1, 0, 0}, 330 + 318, 0, 5},
		{"cut belongs above", []float64{10, 0, 0, 0, 1, 0}, 314 + 318, 1, 10},
		{"high dti, other", []float64{25, 0, 0, 0, 0, 1}, 276 + 300, 2, 25},
		{"missing indicator, no level", []float64{17, 1, 0, 0, 0, 0}, 297 + 306, 3, math.NaN()},
		{"special", []float64{17, 0, 1, 1, 0, 0}, 305 + 318, 4, 96},
		{"NaN value", []float64{math.NaN(), 0, 0, 1, 0, 0}, 297 + 318, 3, math.NaN()},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := s.Score(c.x); got != c.score {
				t.Errorf("Score = %d; want %d", got, c.score)
			}
			if got := s.Bin(0, c.x); got != c.dtiBin {
				t.Errorf("dti bin = %d; want %d", got, c.dtiBin)
			}
			if got := s.Value(0, c.x); !(got == c.dtiValue || math.IsNaN(got) && math.IsNaN(c.dtiValue)) {
				t.Errorf("dti value = %v; want %v", got, c.dtiValue)
			}
			dst := make([]float64, len(features))
			base := s.Contributions(dst, c.x)
			sum := base
			for _, v := range dst {
				sum += v
			}
			if m := s.Margin(c.x); math.Abs(sum-m) > 1e-12 {
				t.Errorf("base + Σ contributions = %v; Margin = %v", sum, m)
			}
			var lost int
			for _, r := range s.Reasons(c.x, 0) {
				if r.PointsLost != r.MaxPoints-r.Points || r.PointsLost < 0 {
					t.Errorf("reason %+v: points lost inconsistent", r)
				}
				lost += r.PointsLost
			}
			if want := 330 + 318 - c.score; lost != want {
				t.Errorf("Σ points lost = %d; want max score − score = %d", lost, want)
			}
		})
	}
	rs := s.Reasons([]float64{25, 0, 0, 1, 0, 0}, 1)
	if len(rs) != 1 || rs[0].Characteristic != "dti" || rs[0].PointsLost != 54 || rs[0].Bin != "[20, +inf)" {
		t.Errorf("Reasons(k=1) = %+v; want dti losing 54 points in [20, +inf)", rs)
	}
}

func TestValidateErrors(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(*Scorecard)
	}{
		{"version", func(s *Scorecard) { s.Version = 2 }},
		{"scaling factor", func(s *Scorecard) { s.Scaling.Factor++ }},
		{"scaling offset", func(s *Scorecard) { s.Scaling.Offset = math.NaN() }},
		{"intercept", func(s *Scorecard) { s.Intercept = math.Inf(1) }},
		{"no characteristics", func(s *Scorecard) { s.Characteristics = nil }},
		{"duplicate name", func(s *Scorecard) {
			s.Characteristics[1] = s.Characteristics[0]
		}},
		{"no binning", func(s *Scorecard) { s.Characteristics[0].Binning = nil }},
		{"name differs from binning", func(s *Scorecard) { s.Characteristics[0].Name = "x" }},
		{"points per bin", func(s *Scorecard) { s.Characteristics[0].Points = s.Characteristics[0].Points[:2] }},
		{"huge points", func(s *Scorecard) { s.Characteristics[0].Points[0] = 1e7 }},
		{"coef", func(s *Scorecard) { s.Characteristics[1].Coef = math.NaN() }},
		{"invalid binning", func(s *Scorecard) { s.Characteristics[0].Binning.Cuts = []float64{20, 10} }},
		{"numeric without column", func(s *Scorecard) { s.Characteristics[0].Source.Feature = "" }},
		{"special not in binning", func(s *Scorecard) { s.Characteristics[0].Source.Specials[0].Value = 97 }},
		{"categorical with number column", func(s *Scorecard) { s.Characteristics[1].Source.Feature = "dti" }},
		{"categorical repeated level", func(s *Scorecard) {
			s.Characteristics[1].Source.Levels[1].Level = "car"
		}},
		{"base points", func(s *Scorecard) { s.BasePoints = 2e6 }},
		{"bin coefficients beside a WoE coefficient", func(s *Scorecard) {
			s.Characteristics[1].BinCoefs = []float64{-0.4, 0.2, 0}
		}},
		{"bin coefficients per bin", func(s *Scorecard) {
			s.Characteristics[1].Coef, s.Characteristics[1].BinCoefs = 0, []float64{-0.4, 0.2}
		}},
		{"bin coefficient NaN", func(s *Scorecard) {
			s.Characteristics[1].Coef, s.Characteristics[1].BinCoefs = 0, []float64{-0.4, math.NaN(), 0}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := fixture()
			c.break_(s)
			if err := s.Validate(); !errors.Is(err, ErrInvalid) {
				t.Errorf("Validate() = %v; want ErrInvalid", err)
			}
		})
	}
	s := fixture()
	if err := s.Init(features[:4]); !errors.Is(err, ErrInvalid) {
		t.Errorf("Init without the one-hot columns = %v; want ErrInvalid", err)
	}
}

func TestDecodeRoundTrip(t *testing.T) {
	data, err := json.Marshal(fixture())
	if err != nil {
		t.Fatal(err)
	}
	s, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("encode → decode → encode changed the bytes:\n%s\n%s", data, again)
	}
	if _, err := Decode(append(data, '{')); err == nil {
		t.Error("trailing data decoded")
	}
	if _, err := Decode([]byte(`{"version":1,"unknown":1}`)); err == nil {
		t.Error("unknown field decoded")
	}
}

// TestTable reads the fixture's table back from CSV: one row per bin, the
// characteristic's IV on each of its rows, and the score of a feature
// vector equal to the points of the rows of its bins' labels.
func TestTable(t *testing.T) {
	s := fixture()
	if err := s.Init(features); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.WriteTableCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], TableHeader) {
		t.Fatalf("header %v; want %v", recs[0], TableHeader)
	}
	if len(recs) != 1+5+3 {
		t.Fatalf("%d rows; want a header and 8 bins", len(recs))
	}
	col := func(name string) int { return slices.Index(TableHeader, name) }
	points := map[[2]string]int{}
	for _, r := range recs[1:] {
		p, _ := strconv.Atoi(r[col("points")])
		points[[2]string{r[col("characteristic")], r[col("bin")]}] = p
		want := "0.721"
		if r[col("characteristic")] == "purpose" {
			want = "0.08"
		}
		if r[col("iv")] != want {
			t.Errorf("row %v: iv %s; want the characteristic's %s", r, r[col("iv")], want)
		}
	}
	if got := recs[4][col("bad_rate")]; got != strconv.FormatFloat(5.0/15, 'g', -1, 64) {
		t.Errorf("missing bin's bad rate %s", got)
	}
	if got := recs[8][col("bad_rate")]; got != "" {
		t.Errorf("empty bin's bad rate %q; want an empty cell", got)
	}
	x := []float64{25, 0, 0, 0, 1, 0}
	score := points[[2]string{"dti", "[20, +inf)"}] + points[[2]string{"purpose", "{car, house}"}]
	if got := s.Score(x); got != score {
		t.Errorf("Score = %d; the table's points add up to %d", got, score)
	}
	buf.Reset()
	if err := s.WriteTableJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var tj TableJSON
	if err := json.Unmarshal(buf.Bytes(), &tj); err != nil {
		t.Fatal(err)
	}
	if len(tj.Rows) != 8 || tj.Scaling != s.Scaling || tj.Rows[7].BadRate != nil {
		t.Errorf("JSON table %+v", tj)
	}
}

// binCoded returns the fixture with purpose bin-coded: its points are
// −(γ_j + α/2)·Factor + Offset/2, rounded.
func binCoded() *Scorecard {
	s := fixture()
	c := &s.Characteristics[1]
	c.Coef, c.BinCoefs = 0, []float64{-0.45, 0.15, 0}
	for j, g := range c.BinCoefs {
		c.Points[j] = int(math.Round(s.Scaling.Points(1, g, s.Intercept, 2)))
	}
	return s
}

// TestBinCoded checks a bin-coded characteristic: it validates, survives
// a round trip byte for byte, and its table rows carry each bin's own
// coefficient while a WoE-coded one's carry its coefficient on the WoE.
func TestBinCoded(t *testing.T) {
	s := binCoded()
	if got := s.Characteristics[1].Points; !slices.Equal(got, []int{293, 275, 280}) {
		t.Fatalf("points %v; want 293, 275, 280 (by hand: −(γ − 1.25)·28.8539 + 243.5616)", got)
	}
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(data) {
		t.Errorf("encode → decode → encode changed the bytes:\n%s\n%s", data, again)
	}
	if err := d.Init(features); err != nil {
		t.Fatal(err)
	}
	var coefs []float64
	for _, r := range d.Table() {
		coefs = append(coefs, r.Coef)
	}
	if want := []float64{-0.8, -0.8, -0.8, -0.8, -0.8, -0.45, 0.15, 0}; !slices.Equal(coefs, want) {
		t.Errorf("table coefficients %v; want %v", coefs, want)
	}
	x := []float64{25, 0, 0, 0, 1, 0} // dti [20, +inf), purpose house
	if got, want := d.Score(x), 276+293; got != want {
		t.Errorf("Score = %d; want %d", got, want)
	}
	// Serving reads points only: reasons and contributions work as for a
	// WoE-coded scorecard.
	dst := make([]float64, len(features))
	base := d.Contributions(dst, x)
	var sum float64
	for _, v := range dst {
		sum += v
	}
	if m := d.Margin(x); math.Abs(base+sum-m) > 1e-9 {
		t.Errorf("base %v + contributions %v = %v; want the margin %v", base, sum, base+sum, m)
	}
	if r := d.Reasons(x, 1); len(r) != 1 || r[0].Characteristic != "dti" || r[0].PointsLost != 330-276 {
		t.Errorf("Reasons = %+v; want dti first, 54 points lost", r)
	}
	// A WoE-coded file has no bin_coefs key, as before bin coding.
	plain, err := json.Marshal(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(plain, []byte("bin_coefs")) {
		t.Errorf("a WoE-coded scorecard writes bin_coefs: %s", plain)
	}
}

func TestOrdinalLabel(t *testing.T) {
	s := fixture()
	c := &s.Characteristics[0]
	c.Source.Ordinal = []string{"A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U"}
	for i, want := range []string{"{A, B, C, D, E, F, G, H, I, J}", "{K, L, M, N, O, P, Q, R, S, T}", "{U}", "missing", "special 96"} {
		if got := c.Label(i); got != want {
			t.Errorf("Label(%d) = %q; want %q", i, got, want)
		}
	}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	s.Characteristics[1].Source.Ordinal = []string{"A"}
	if err := s.Validate(); !errors.Is(err, ErrInvalid) {
		t.Errorf("ordinal levels on a categorical characteristic: %v; want ErrInvalid", err)
	}
}
