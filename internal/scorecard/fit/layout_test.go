package fit

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/value"
)

// pipeline returns a pipeline of two inputs: delinq, numeric with the
// special value 96, imputed with 0 and a missing indicator, and purpose,
// categorical, one-hot.
func pipeline(t testing.TB) *features.Pipeline {
	t.Helper()
	zero := 0.0
	p := &features.Pipeline{
		Version: features.FormatVersion, Dataset: "test",
		Inputs: []features.Input{
			{Name: "delinq", Kind: features.KindNumeric, Parser: value.Number, Missing: value.DefaultMissing(), Special: []string{"96"}, Impute: &zero, Indicator: true},
			{Name: "purpose", Kind: features.KindCategorical, Missing: value.DefaultMissing(), ImputeLevel: features.MissingLevel},
		},
		Features: []features.Feature{
			{Name: "delinq", Kind: features.FeatureNumber, Source: "delinq", Monotone: 1},
			{Name: "delinq_missing", Kind: features.FeatureIndicator, Source: "delinq"},
			{Name: "delinq_special_96", Kind: features.FeatureSpecial, Source: "delinq", Level: "96"},
			{Name: "purpose=car", Kind: features.FeatureOneHot, Source: "purpose", Level: "car"},
			{Name: "purpose=debt", Kind: features.FeatureOneHot, Source: "purpose", Level: "debt"},
			{Name: "purpose=(other)", Kind: features.FeatureOneHot, Source: "purpose", Level: features.OtherLevel},
		},
	}
	if err := p.Init(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestFitPipeline fits a scorecard on rows made by a pipeline with missing
// and special values and one-hot levels: the characteristics are the two
// inputs, the special value and the missing values have bins of their
// own although the pipeline imputed them, and the score of a raw record
// is the sum of the points of the bins its raw values fall in.
func TestFitPipeline(t *testing.T) {
	p := pipeline(t)
	r := rand.New(rand.NewPCG(5, 5))
	n := 20000
	X := matrix.New(n, p.NumFeatures())
	y := make([]float64, n)
	raws := make([][]features.Raw, n)
	row := p.NewRow()
	levels := []string{"car", "debt", "wedding", ""}
	for i := range n {
		d := r.IntN(10)
		z := -2.5 + 0.12*float64(d)
		delinq := strconv.Itoa(d)
		switch u := r.Float64(); {
		case u < 0.1:
			delinq, z = "96", -0.5
		case u < 0.2:
			delinq, z = "", -1
		}
		purpose := levels[r.IntN(len(levels))]
		if purpose == "debt" {
			z += 0.8
		}
		if r.Float64() < 1/(1+math.Exp(-z)) {
			y[i] = 1
		}
		raws[i] = []features.Raw{features.RawString(delinq), features.RawString(purpose)}
		if errs := p.Transform(raws[i], row, X.Row(i)); errs != nil {
			t.Fatal(errs)
		}
	}
	res, err := Fit(t.Context(), X, y, p, Config{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scorecard
	if len(sc.Characteristics) != 2 || sc.Characteristics[0].Name != "delinq" || sc.Characteristics[1].Name != "purpose" {
		t.Fatalf("characteristics %+v; want delinq and purpose (decisions %+v)", sc.Characteristics, res.Decisions)
	}
	delinq, purpose := sc.Characteristics[0].Binning, sc.Characteristics[1].Binning
	if delinq.Direction != classing.Increasing {
		t.Errorf("delinq direction %v; want the monotone constraint's, increasing", delinq.Direction)
	}
	if len(delinq.Specials) != 1 || delinq.Specials[0].Value != 96 || delinq.Bins[delinq.Specials[0].Bin].Kind != classing.Special {
		t.Errorf("delinq specials %+v; want 96 in a bin of its own", delinq.Specials)
	}
	if c := delinq.Bins[delinq.Missing].Count(); c < 1500 {
		t.Errorf("delinq's missing bin holds %d rows; want about 2,000", c)
	}
	if purpose.Kind != classing.Categorical || purpose.BinLevel("debt") == purpose.BinLevel("car") {
		t.Errorf("purpose binning %+v; want debt apart from car", purpose)
	}
	for i := range 500 {
		d, pu := raws[i][0].Str, raws[i][1].Str
		var bin int
		switch d {
		case "":
			bin = delinq.Bin(math.NaN())
		default:
			v, _ := strconv.ParseFloat(d, 64)
			bin = delinq.Bin(v)
		}
		want := sc.Characteristics[0].Points[bin]
		switch pu {
		case "car", "debt":
			want += sc.Characteristics[1].Points[purpose.BinLevel(pu)]
		default: // a rare level, or "(missing)", which has no column of its own here
			want += sc.Characteristics[1].Points[purpose.BinLevel(features.OtherLevel)]
		}
		if got := sc.Score(X.Row(i)); got != want {
			t.Fatalf("row %d (%q, %q): score %d; want %d", i, d, pu, got, want)
		}
	}
}
