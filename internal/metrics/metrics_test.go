package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// tol is the absolute tolerance against the scikit-learn numbers of
// testdata/golden.py; both sides compute in float64 with sums in the same
// order, so only rounding differs.
const tol = 1e-12

var (
	fixLabels  = []float64{0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 1}
	fixScores  = []float64{0.1, 0.9, 0.8, 0.35, 0.35, 0.2, 0.7, 0.6, 0.6, 0.6, 0.05, 0.45, 0.45, 0.99, 0.3, 0.3, 0.3, 0.8, 0.55, 0.1}
	fixWeights = []float64{1, 2, 0.5, 1, 1, 3, 1, 0.25, 1, 2, 1, 1, 1, 0.5, 2, 1, 1, 1, 1.5, 1}
	// fixMargins holds log-odds with ties, including -0 and +0, which tie.
	fixMargins = []float64{-2.5, 0.0, math.Copysign(0, -1), 1.25, 3.0, -1.0, 1.25, 0.5, -2.5, 4.0, -0.75, 0.5}
	fixMLabels = []float64{0, 1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}
)

// rankingGolden holds scikit-learn's outputs for one fixture. PR arrays are
// in scikit-learn's order (thresholds ascending, final (1, 0) point).
type rankingGolden struct {
	name                    string
	labels, scores, weights []float64
	auc, ap, ks             float64
	rocThr, rocFPR, rocTPR  []float64
	prThr, prP, prR         []float64
}

var rankingCases = []rankingGolden{
	{
		name: "unweighted", labels: fixLabels, scores: fixScores,
		auc: 0.69, ap: 0.7007230707888602, ks: 0.3,
		rocThr: []float64{0.99, 0.9, 0.8, 0.7, 0.6, 0.55, 0.45, 0.35, 0.3, 0.2, 0.1, 0.05},
		rocFPR: []float64{0.0, 0.0, 0.0, 0.1, 0.2, 0.3, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9, 1.0},
		rocTPR: []float64{0.0, 0.1, 0.2, 0.3, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.9, 1.0, 1.0},
		prThr:  []float64{0.05, 0.1, 0.2, 0.3, 0.35, 0.45, 0.55, 0.6, 0.7, 0.8, 0.9, 0.99},
		prP:    []float64{0.5, 0.5263157894736842, 0.5294117647058824, 0.5625, 0.6153846153846154, 0.6363636363636364, 0.6666666666666666, 0.625, 0.6, 0.75, 1.0, 1.0, 1.0},
		prR:    []float64{1.0, 1.0, 0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.3, 0.3, 0.2, 0.1, 0.0},
	},
	{
		name: "weighted", labels: fixLabels, scores: fixScores, weights: fixWeights,
		auc: 0.706959706959707, ap: 0.6628911181895207, ks: 0.3663003663003663,
		rocThr: []float64{0.99, 0.9, 0.8, 0.7, 0.6, 0.55, 0.45, 0.35, 0.3, 0.2, 0.1, 0.05},
		rocFPR: []float64{0.0, 0.0, 0.0, 0.07142857142857142, 0.14285714285714285, 0.2857142857142857, 0.2857142857142857, 0.35714285714285715, 0.42857142857142855, 0.6428571428571429, 0.8571428571428571, 0.9285714285714286, 1.0},
		rocTPR: []float64{0.0, 0.05128205128205128, 0.2564102564102564, 0.3076923076923077, 0.3076923076923077, 0.4358974358974359, 0.5897435897435898, 0.6923076923076923, 0.7948717948717948, 0.8974358974358975, 0.8974358974358975, 1.0, 1.0},
		prThr:  []float64{0.05, 0.1, 0.2, 0.3, 0.35, 0.45, 0.55, 0.6, 0.7, 0.8, 0.9, 0.99},
		prP:    []float64{0.4105263157894737, 0.42857142857142855, 0.42168674698795183, 0.49295774647887325, 0.5636363636363636, 0.574468085106383, 0.5897435897435898, 0.5151515151515151, 0.6, 0.75, 1.0, 1.0, 1.0},
		prR:    []float64{1.0, 1.0, 0.8974358974358975, 0.8974358974358975, 0.7948717948717948, 0.6923076923076923, 0.5897435897435898, 0.4358974358974359, 0.3076923076923077, 0.3076923076923077, 0.2564102564102564, 0.05128205128205128, 0.0},
	},
	{
		name: "margins", labels: fixMLabels, scores: fixMargins,
		auc: 0.8714285714285714, ap: 0.8083333333333333, ks: 0.5714285714285714,
		rocThr: []float64{4.0, 3.0, 1.25, 0.5, 0.0, -0.75, -1.0, -2.5},
		rocFPR: []float64{0.0, 0.0, 0.0, 0.14285714285714285, 0.2857142857142857, 0.42857142857142855, 0.5714285714285714, 0.7142857142857143, 1.0},
		rocTPR: []float64{0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.0, 1.0, 1.0},
		prThr:  []float64{-2.5, -1.0, -0.75, 0.0, 0.5, 1.25, 3.0, 4.0},
		prP:    []float64{0.4166666666666667, 0.5, 0.5555555555555556, 0.625, 0.6666666666666666, 0.75, 1.0, 1.0, 1.0},
		prR:    []float64{1.0, 1.0, 1.0, 1.0, 0.8, 0.6, 0.4, 0.2, 0.0},
	},
}

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol || got == want
}

func checkNear(t *testing.T, what string, got, want float64) {
	t.Helper()
	if !near(got, want, tol) {
		t.Errorf("%s = %.17g; want %.17g", what, got, want)
	}
}

func TestRankingGolden(t *testing.T) {
	for _, tc := range rankingCases {
		t.Run(tc.name, func(t *testing.T) {
			auc, err := ROCAUC(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("ROCAUC: %v", err)
			}
			checkNear(t, "ROCAUC", auc, tc.auc)

			gini, err := Gini(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("Gini: %v", err)
			}
			checkNear(t, "Gini", gini, 2*tc.auc-1)

			ap, err := AveragePrecision(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("AveragePrecision: %v", err)
			}
			checkNear(t, "AveragePrecision", ap, tc.ap)

			ks, err := KS(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("KS: %v", err)
			}
			checkNear(t, "KS", ks, tc.ks)

			roc, err := ROC(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("ROC: %v", err)
			}
			if len(roc) != len(tc.rocFPR) {
				t.Fatalf("ROC has %d points; want %d", len(roc), len(tc.rocFPR))
			}
			if !math.IsInf(roc[0].Threshold, 1) {
				t.Errorf("ROC[0].Threshold = %v; want +Inf", roc[0].Threshold)
			}
			for i, p := range roc {
				if i > 0 {
					checkNear(t, "ROC threshold", p.Threshold, tc.rocThr[i-1])
				}
				checkNear(t, "ROC FPR", p.FPR, tc.rocFPR[i])
				checkNear(t, "ROC TPR", p.TPR, tc.rocTPR[i])
			}

			pr, err := PR(tc.labels, tc.scores, tc.weights)
			if err != nil {
				t.Fatalf("PR: %v", err)
			}
			n := len(tc.prP)
			if len(pr) != n {
				t.Fatalf("PR has %d points; want %d", len(pr), n)
			}
			for i, p := range pr {
				j := n - 1 - i // scikit-learn lists the points in reverse
				if i > 0 {
					checkNear(t, "PR threshold", p.Threshold, tc.prThr[j])
				}
				checkNear(t, "PR precision", p.Precision, tc.prP[j])
				checkNear(t, "PR recall", p.Recall, tc.prR[j])
			}
		})
	}
}

func TestProbabilityGolden(t *testing.T) {
	extreme := []float64{0.0, 1.0, 1.0, 0.0, 1e-20, 0.5, 0.999999, 0.25}
	extremeLabels := []float64{0, 1, 0, 1, 0, 1, 1, 0}
	tests := []struct {
		name                   string
		fn                     func(labels, probs, weights []float64) (float64, error)
		labels, probs, weights []float64
		want                   float64
	}{
		{"brier", Brier, fixLabels, fixScores, nil, 0.23225500000000002},
		{"brier/weighted", Brier, fixLabels, fixScores, fixWeights, 0.2166863157894737},
		{"logloss", LogLoss, fixLabels, fixScores, nil, 0.6582199491934443},
		{"logloss/weighted", LogLoss, fixLabels, fixScores, fixWeights, 0.6226616680815782},
		{"logloss/clipped", LogLoss, extremeLabels, extreme, nil, 9.133517128905817},
		{"logloss/one class", LogLoss, []float64{1, 1}, []float64{0.5, 0.25}, nil, (math.Ln2 + 2*math.Ln2) / 2},
		{"brier/one class", Brier, []float64{0, 0}, []float64{0.5, 0.25}, nil, (0.25 + 0.0625) / 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.fn(tc.labels, tc.probs, tc.weights)
			if err != nil {
				t.Fatalf("got error %v; want %v", err, tc.want)
			}
			checkNear(t, tc.name, got, tc.want)
		})
	}
}

func TestReliabilityGolden(t *testing.T) {
	tests := []struct {
		name                string
		bins                int
		observed, predicted []float64
		count               []int
		ece                 float64
	}{
		{
			name: "10 bins", bins: 10,
			observed:  []float64{0.3333333333333333, 0.0, 0.3333333333333333, 0.5, 0.5, 0.75, 0.0, 0.5, 1.0, 1.0},
			predicted: []float64{0.08333333333333333, 0.2, 0.3, 0.35, 0.45, 0.5874999999999999, 0.7, 0.8, 0.9, 0.99},
			count:     []int{3, 1, 3, 2, 2, 4, 1, 2, 1, 1},
			ece:       0.17550000000000004,
		},
		{
			name: "default bins", bins: 0,
			observed:  []float64{0.3333333333333333, 0.0, 0.3333333333333333, 0.5, 0.5, 0.75, 0.0, 0.5, 1.0, 1.0},
			predicted: []float64{0.08333333333333333, 0.2, 0.3, 0.35, 0.45, 0.5874999999999999, 0.7, 0.8, 0.9, 0.99},
			count:     []int{3, 1, 3, 2, 2, 4, 1, 2, 1, 1},
			ece:       0.17550000000000004,
		},
		{
			name: "5 bins", bins: 5,
			observed:  []float64{0.25, 0.4, 0.6666666666666666, 0.3333333333333333, 1.0},
			predicted: []float64{0.11250000000000002, 0.32, 0.5416666666666666, 0.7666666666666666, 0.9450000000000001},
			count:     []int{4, 5, 6, 3, 2},
			ece:       0.1555,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			curve, err := Reliability(fixLabels, fixScores, tc.bins)
			if err != nil {
				t.Fatalf("Reliability: %v", err)
			}
			if len(curve) != len(tc.count) {
				t.Fatalf("got %d bins; want %d", len(curve), len(tc.count))
			}
			for i, b := range curve {
				checkNear(t, "ObservedRate", b.ObservedRate, tc.observed[i])
				checkNear(t, "MeanPredicted", b.MeanPredicted, tc.predicted[i])
				if b.Count != tc.count[i] {
					t.Errorf("bin %d Count = %d; want %d", i, b.Count, tc.count[i])
				}
				if !(b.Lower <= b.MeanPredicted && b.MeanPredicted <= b.Upper) {
					t.Errorf("bin %d mean %v outside [%v, %v]", i, b.MeanPredicted, b.Lower, b.Upper)
				}
			}
			ece, err := ECE(fixLabels, fixScores, tc.bins)
			if err != nil {
				t.Fatalf("ECE: %v", err)
			}
			checkNear(t, "ECE", ece, tc.ece)
		})
	}
}

func TestConfusionGolden(t *testing.T) {
	c, err := Confusion(fixLabels, fixScores, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	want := ConfusionMatrix{Threshold: 0.5, TN: 7, FP: 3, FN: 4, TP: 6}
	if c != want {
		t.Fatalf("got %+v; want %+v", c, want)
	}
	for _, tc := range []struct {
		name      string
		got, want float64
	}{
		{"precision", c.Precision(), 0.6666666666666666},
		{"recall", c.Recall(), 0.6},
		{"f1", c.F1(), 0.631578947368421},
		{"accuracy", c.Accuracy(), 0.65},
		{"empty precision", ConfusionMatrix{FN: 3}.Precision(), 0},
		{"empty f1", ConfusionMatrix{TN: 3}.F1(), 0},
	} {
		t.Run(tc.name, func(t *testing.T) { checkNear(t, tc.name, tc.got, tc.want) })
	}
}

func TestPSI(t *testing.T) {
	tests := []struct {
		name             string
		expected, actual []float64
		want             float64
	}{
		{"golden", []float64{120, 300, 380, 150, 50, 0}, []float64{100, 250, 400, 200, 45, 5}, 0.047868193790803926},
		{"identical", []float64{1, 2, 3}, []float64{10, 20, 30}, 0},
		{"shares", []float64{0.5, 0.5}, []float64{0.9, 0.1}, 0.4*math.Log(0.9/0.5) - 0.4*math.Log(0.1/0.5)},
		{"both empty bin", []float64{1, 0}, []float64{2, 0}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PSI(tc.expected, tc.actual)
			if err != nil {
				t.Fatalf("PSI: %v", err)
			}
			checkNear(t, "PSI", got, tc.want)
		})
	}
}

func TestErrors(t *testing.T) {
	nan := math.NaN()
	ranking := map[string]func(l, s, w []float64) error{
		"ROCAUC":           func(l, s, w []float64) error { _, err := ROCAUC(l, s, w); return err },
		"Gini":             func(l, s, w []float64) error { _, err := Gini(l, s, w); return err },
		"KS":               func(l, s, w []float64) error { _, err := KS(l, s, w); return err },
		"AveragePrecision": func(l, s, w []float64) error { _, err := AveragePrecision(l, s, w); return err },
		"ROC":              func(l, s, w []float64) error { _, err := ROC(l, s, w); return err },
		"PR":               func(l, s, w []float64) error { _, err := PR(l, s, w); return err },
	}
	prob := map[string]func(l, s, w []float64) error{
		"Brier":       func(l, s, w []float64) error { _, err := Brier(l, s, w); return err },
		"LogLoss":     func(l, s, w []float64) error { _, err := LogLoss(l, s, w); return err },
		"ECE":         func(l, s, _ []float64) error { _, err := ECE(l, s, 0); return err },
		"Reliability": func(l, s, _ []float64) error { _, err := Reliability(l, s, 0); return err },
	}
	tests := []struct {
		name                   string
		fns                    map[string]func(l, s, w []float64) error
		labels, scores, weight []float64
		want                   error
	}{
		{"one class", ranking, []float64{1, 1, 1}, []float64{0.1, 0.2, 0.3}, nil, ErrOneClass},
		{"zero-weight class", ranking, []float64{1, 0}, []float64{0.1, 0.2}, []float64{1, 0}, ErrOneClass},
		{"empty", ranking, nil, nil, nil, ErrEmpty},
		{"zero weight", ranking, []float64{1, 0}, []float64{0.1, 0.2}, []float64{0, 0}, ErrEmpty},
		{"label 2", ranking, []float64{0, 2}, []float64{0.1, 0.2}, nil, ErrLabel},
		{"NaN label", ranking, []float64{0, nan}, []float64{0.1, 0.2}, nil, ErrLabel},
		{"NaN score", ranking, []float64{0, 1}, []float64{nan, 0.2}, nil, ErrScore},
		{"negative weight", ranking, []float64{0, 1}, []float64{0.1, 0.2}, []float64{1, -1}, ErrWeight},
		{"Inf weight", ranking, []float64{0, 1}, []float64{0.1, 0.2}, []float64{1, math.Inf(1)}, ErrWeight},
		{"prob empty", prob, nil, nil, nil, ErrEmpty},
		{"prob label", prob, []float64{0, -1}, []float64{0.1, 0.2}, nil, ErrLabel},
		{"prob above 1", prob, []float64{0, 1}, []float64{0.1, 1.5}, nil, ErrProbability},
		{"prob NaN", prob, []float64{0, 1}, []float64{0.1, nan}, nil, ErrProbability},
		{"prob negative", prob, []float64{0, 1}, []float64{-0.1, 0.5}, nil, ErrProbability},
	}
	for _, tc := range tests {
		for name, fn := range tc.fns {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				err := fn(tc.labels, tc.scores, tc.weight)
				if !errors.Is(err, tc.want) {
					t.Errorf("got error %v; want %v", err, tc.want)
				}
			})
		}
	}
	t.Run("Confusion NaN score", func(t *testing.T) {
		if _, err := Confusion([]float64{0}, []float64{nan}, 0.5); !errors.Is(err, ErrScore) {
			t.Errorf("got error %v; want %v", err, ErrScore)
		}
	})
	t.Run("Confusion label", func(t *testing.T) {
		if _, err := Confusion([]float64{3}, []float64{0.1}, 0.5); !errors.Is(err, ErrLabel) {
			t.Errorf("got error %v; want %v", err, ErrLabel)
		}
	})
	for _, tc := range []struct {
		name     string
		exp, act []float64
	}{
		{"negative bin", []float64{1, -1}, []float64{1, 1}},
		{"NaN bin", []float64{1, 1}, []float64{nan, 1}},
		{"zero total", []float64{0, 0}, []float64{1, 1}},
		{"no bins", nil, nil},
	} {
		t.Run("PSI "+tc.name, func(t *testing.T) {
			if _, err := PSI(tc.exp, tc.act); !errors.Is(err, ErrDistribution) {
				t.Errorf("got error %v; want %v", err, ErrDistribution)
			}
		})
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	two, three := []float64{0, 1}, []float64{0, 1, 0}
	tests := []struct {
		name string
		fn   func()
	}{
		{"ROCAUC scores", func() { _, _ = ROCAUC(two, three, nil) }},
		{"ROCAUC weights", func() { _, _ = ROCAUC(two, two, three) }},
		{"Gini", func() { _, _ = Gini(two, three, nil) }},
		{"KS", func() { _, _ = KS(two, three, nil) }},
		{"ROC", func() { _, _ = ROC(two, three, nil) }},
		{"PR", func() { _, _ = PR(two, three, nil) }},
		{"AveragePrecision", func() { _, _ = AveragePrecision(two, two, three) }},
		{"Brier", func() { _, _ = Brier(two, three, nil) }},
		{"LogLoss", func() { _, _ = LogLoss(two, two, three) }},
		{"Reliability", func() { _, _ = Reliability(two, three, 0) }},
		{"ECE", func() { _, _ = ECE(three, two, 0) }},
		{"ECE negative bins", func() { _, _ = ECE(two, two, -1) }},
		{"Confusion", func() { _, _ = Confusion(two, three, 0.5) }},
		{"PSI", func() { _, _ = PSI(two, three) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				msg, _ := r.(string)
				if !strings.HasPrefix(msg, "metrics: ") {
					t.Errorf("got panic %v; want a message starting with %q", r, "metrics: ")
				}
			}()
			tc.fn()
		})
	}
}

// bruteAUC is the pairwise definition: P(score⁺ > score⁻) + ½·P(tie),
// weighted by the product of the pair's weights.
func bruteAUC(labels, scores, weights []float64) float64 {
	var num, den float64
	for i := range labels {
		if labels[i] != 1 {
			continue
		}
		for j := range labels {
			if labels[j] != 0 {
				continue
			}
			w := weights[i] * weights[j]
			den += w
			switch {
			case scores[i] > scores[j]:
				num += w
			case scores[i] == scores[j]:
				num += w / 2
			}
		}
	}
	return num / den
}

func TestROCAUCMatchesPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{2, 17, 255, 256, 1000, 3000} {
		for _, levels := range []int{3, 50, 0} {
			labels := make([]float64, n)
			scores := make([]float64, n)
			weights := make([]float64, n)
			for i := range n {
				s := rng.NormFloat64() * 10
				if levels > 0 {
					s = float64(rng.IntN(levels)) - float64(levels)/2
				}
				scores[i] = s
				if rng.Float64() < 1/(1+math.Exp(-s/5)) {
					labels[i] = 1
				}
				weights[i] = rng.Float64() * 2
			}
			labels[0], labels[1] = 0, 1
			got, err := ROCAUC(labels, scores, weights)
			if err != nil {
				t.Fatalf("n=%d levels=%d: %v", n, levels, err)
			}
			if want := bruteAUC(labels, scores, weights); !near(got, want, 1e-10) {
				t.Errorf("n=%d levels=%d: ROCAUC = %.15g; want %.15g", n, levels, got, want)
			}
		}
	}
}

func TestSortPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	special := []float64{math.Inf(-1), math.Inf(1), 0, math.Copysign(0, -1), -math.MaxFloat64, math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64}
	for _, n := range []int{0, 1, 100, 5000} {
		t.Run("", func(t *testing.T) {
			x := make([]pair, n)
			want := make([]float64, n)
			for i := range x {
				s := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
				if rng.IntN(10) == 0 {
					s = special[rng.IntN(len(special))]
				}
				x[i] = pair{key: scoreKey(s), w: float64(i)}
				want[i] = s
			}
			sortPairs(x, make([]pair, n))
			slices.Sort(want)
			for i, p := range x {
				if got := keyScore(p.key); got != want[i] {
					t.Fatalf("n=%d: position %d holds %v; want %v", n, i, got, want[i])
				}
			}
		})
	}
}

func TestScoreKeyRoundTrip(t *testing.T) {
	for _, s := range []float64{math.Inf(-1), -1e300, -1, -1e-300, 0, 1e-300, 1, 1e300, math.Inf(1)} {
		if got := keyScore(scoreKey(s)); got != s {
			t.Errorf("keyScore(scoreKey(%v)) = %v; want %v", s, got, s)
		}
	}
	if scoreKey(math.Copysign(0, -1)) != scoreKey(0) {
		t.Errorf("scoreKey(-0) = %x; want scoreKey(+0) = %x", scoreKey(math.Copysign(0, -1)), scoreKey(0))
	}
}
