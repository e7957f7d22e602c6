package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// The expected values of TestDeLong come from testdata/delong.py, which
// computes DeLong's test from the definitions of DeLong, DeLong and
// Clarke-Pearson (1988) in exact fractions over every positive-negative
// pair. The AUCs and the variance are exact fractions; SE, Z, P and the
// interval went through one square root and erfc.
func TestDeLong(t *testing.T) {
	tests := []struct {
		name                 string
		labels, a, b         []float64
		aucA, aucB, diff, se float64
		z, p, lower, upper   float64
	}{
		{
			// Worked by hand: the positives of a score 0.9, 0.6 and 0.4
			// against the negatives 0.7, 0.4, 0.2 and 0.1, so V10 = 4/4,
			// 3/4 and 2.5/4 (0.4 ties one negative) and AUCA = 19/24; for b
			// the positives 0.8, 0.3, 0.5 against 0.6, 0.3, 0.35, 0.1 give
			// V10 = 4/4, 1.5/4, 3/4 and AUCB = 17/24. Var(AUCA − AUCB) =
			// 17/576.
			name:   "hand-worked",
			labels: []float64{1, 0, 1, 0, 1, 0, 0},
			a:      []float64{0.9, 0.7, 0.6, 0.4, 0.4, 0.2, 0.1},
			b:      []float64{0.8, 0.6, 0.3, 0.3, 0.5, 0.35, 0.1},
			aucA:   19.0 / 24, aucB: 17.0 / 24, diff: 1.0 / 12, se: math.Sqrt(17.0 / 576),
			z: 0.48507125007266594, p: 0.6276258050283593,
			lower: -0.2533807721110459, upper: 0.42004743877771256,
		},
		{
			// Ties within and across classes in both scores; a is the
			// fixture of the scikit-learn golden tests (AUC 0.69).
			name:   "ties",
			labels: fixLabels,
			a:      fixScores,
			b:      []float64{0.2, 0.7, 0.9, 0.3, 0.3, 0.1, 0.8, 0.5, 0.6, 0.4, 0.1, 0.45, 0.5, 0.6, 0.2, 0.4, 0.25, 0.6, 0.7, 0.3},
			aucA:   0.69, aucB: 0.725, diff: -0.035, se: math.Sqrt(257.0 / 60000),
			z: -0.5347824023832802, p: 0.5928003330298887,
			lower: -0.16327411514138973, upper: 0.09327411514138972,
		},
		{
			name:   "same scores",
			labels: fixLabels, a: fixScores, b: fixScores,
			aucA: 0.69, aucB: 0.69, diff: 0, se: 0, z: 0, p: 1, lower: 0, upper: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DeLong(tt.labels, tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"AUCA", got.AUCA, tt.aucA}, {"AUCB", got.AUCB, tt.aucB}, {"Diff", got.Diff, tt.diff},
				{"SE", got.SE, tt.se}, {"Z", got.Z, tt.z}, {"P", got.P, tt.p},
				{"Lower", got.Lower, tt.lower}, {"Upper", got.Upper, tt.upper},
			} {
				if math.Abs(f.got-f.want) > tol {
					t.Errorf("%s = %v; want %v", f.name, f.got, f.want)
				}
			}
			auc, err := ROCAUC(tt.labels, tt.a, nil)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.AUCA-auc) > tol {
				t.Errorf("AUCA = %v; ROCAUC gives %v", got.AUCA, auc)
			}
		})
	}
}

// TestDeLong_symmetry checks that swapping the scores negates the
// difference and keeps the standard error and p-value, and that a scoring
// far better than noise on many samples gives a small p-value.
func TestDeLong_symmetry(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 4000
	y, good, weak := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := range n {
		z := rng.NormFloat64()
		if rng.Float64() < 1/(1+math.Exp(2-1.5*z)) {
			y[i] = 1
		}
		good[i] = z + 0.3*rng.NormFloat64()
		weak[i] = z + 2*rng.NormFloat64()
	}
	ab, err := DeLong(y, good, weak)
	if err != nil {
		t.Fatal(err)
	}
	ba, err := DeLong(y, weak, good)
	if err != nil {
		t.Fatal(err)
	}
	if ab.Diff != -ba.Diff || math.Abs(ab.SE-ba.SE) > 1e-15 || math.Abs(ab.P-ba.P) > 1e-15 {
		t.Errorf("swapped: diff %v/%v, SE %v/%v, P %v/%v", ab.Diff, ba.Diff, ab.SE, ba.SE, ab.P, ba.P)
	}
	if !(ab.Diff > 0.1 && ab.P < 1e-6 && ab.Lower > 0) {
		t.Errorf("good vs weak: diff %v, P %v, interval [%v, %v]; want a clear win", ab.Diff, ab.P, ab.Lower, ab.Upper)
	}
}

func TestDeLong_errors(t *testing.T) {
	tests := []struct {
		name         string
		labels, a, b []float64
		want         error
	}{
		{"one positive", []float64{1, 0, 0}, []float64{0.1, 0.2, 0.3}, []float64{0.3, 0.2, 0.1}, ErrTooFew},
		{"one class", []float64{0, 0, 0, 0}, []float64{0.1, 0.2, 0.3, 0.4}, []float64{0.1, 0.2, 0.3, 0.4}, ErrTooFew},
		{"empty", nil, nil, nil, ErrTooFew},
		{"label", []float64{1, 0, 2, 0}, []float64{0.1, 0.2, 0.3, 0.4}, []float64{0.1, 0.2, 0.3, 0.4}, ErrLabel},
		{"NaN in b", []float64{1, 0, 1, 0}, []float64{0.1, 0.2, 0.3, 0.4}, []float64{0.1, math.NaN(), 0.3, 0.4}, ErrScore},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DeLong(tt.labels, tt.a, tt.b)
			if !errors.Is(err, tt.want) {
				t.Errorf("got %v; want %v", err, tt.want)
			}
		})
	}
}

func TestDeLong_lengthPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for scores of different lengths")
		}
	}()
	_, _ = DeLong([]float64{1, 0, 1, 0}, []float64{1, 2, 3, 4}, []float64{1, 2, 3})
}
