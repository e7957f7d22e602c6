package metrics

import (
	"fmt"
	"math"
	"sort"
)

// DefaultBins is the number of equal-width probability bins that
// Reliability and ECE use when asked for 0 bins.
const DefaultBins = 10

// ReliabilityBin is one bin of a reliability (calibration) curve.
type ReliabilityBin struct {
	// Lower and Upper are the bin edges. A probability equal to an inner
	// edge belongs to the lower bin: bins are [0, e₁], (e₁, e₂], …, (eₙ₋₁, 1].
	Lower float64 `json:"lower"`
	Upper float64 `json:"upper"`
	// Count is the number of samples in the bin (always > 0).
	Count int `json:"count"`
	// MeanPredicted is the mean predicted probability in the bin.
	MeanPredicted float64 `json:"mean_predicted"`
	// ObservedRate is the share of label 1 in the bin.
	ObservedRate float64 `json:"observed_rate"`
}

// Reliability returns the reliability curve of predicted probabilities of
// class 1: [0, 1] is cut into bins equal-width bins (DefaultBins when bins
// is 0) and every non-empty bin is returned, lowest first, with its mean
// prediction and observed rate of 1s. Empty bins are left out. It matches
// scikit-learn's calibration_curve(strategy="uniform"), whose prob_pred and
// prob_true are MeanPredicted and ObservedRate. Negative bins panics.
func Reliability(labels, probs []float64, bins int) ([]ReliabilityBin, error) {
	checkLengths("Reliability", labels, probs, nil)
	edges := binEdges(bins)
	nb := len(edges) - 1
	count := make([]int, nb)
	sumP := make([]float64, nb)
	sumY := make([]float64, nb)
	if len(labels) == 0 {
		return nil, fmt.Errorf("reliability: %w", ErrEmpty)
	}
	inner := edges[1:nb]
	for i, y := range labels {
		if err := checkLabel(i, y); err != nil {
			return nil, fmt.Errorf("reliability: %w", err)
		}
		p := probs[i]
		if err := checkProbability(i, p); err != nil {
			return nil, fmt.Errorf("reliability: %w", err)
		}
		b := sort.SearchFloat64s(inner, p)
		count[b]++
		sumP[b] += p
		sumY[b] += y
	}
	var out []ReliabilityBin
	for b, n := range count {
		if n == 0 {
			continue
		}
		out = append(out, ReliabilityBin{
			Lower:         edges[b],
			Upper:         edges[b+1],
			Count:         n,
			MeanPredicted: sumP[b] / float64(n),
			ObservedRate:  sumY[b] / float64(n),
		})
	}
	return out, nil
}

// ECE returns the expected calibration error of predicted probabilities of
// class 1 over bins equal-width bins (DefaultBins, that is 10, when bins is
// 0), weighting each bin by its sample count:
//
//	ECE = Σ_b (n_b / n) · |ObservedRate_b − MeanPredicted_b|
//
// with the bins of Reliability. Negative bins panics.
func ECE(labels, probs []float64, bins int) (float64, error) {
	curve, err := Reliability(labels, probs, bins)
	if err != nil {
		return 0, fmt.Errorf("ece: %w", err)
	}
	var ece float64
	for _, b := range curve {
		ece += float64(b.Count) * math.Abs(b.ObservedRate-b.MeanPredicted)
	}
	return ece / float64(len(labels)), nil
}

// binEdges returns the bins+1 edges k·(1/bins) of equal-width bins over
// [0, 1], computed as numpy.linspace does so that values on an edge fall in
// the same bin as in scikit-learn.
func binEdges(bins int) []float64 {
	if bins < 0 {
		panic(fmt.Sprintf("metrics: %d bins", bins))
	}
	if bins == 0 {
		bins = DefaultBins
	}
	step := 1 / float64(bins)
	edges := make([]float64, bins+1)
	for k := range edges {
		edges[k] = float64(k) * step
	}
	edges[bins] = 1
	return edges
}
