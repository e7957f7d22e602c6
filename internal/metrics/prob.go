package metrics

import (
	"fmt"
	"math"
)

// LogLossEpsilon is the clipping bound of LogLoss: probabilities are clipped
// to [LogLossEpsilon, 1 − LogLossEpsilon] before taking logarithms. It is the
// float64 machine epsilon, scikit-learn's eps="auto" for float64 input.
const LogLossEpsilon = 0x1p-52

// Brier returns the Brier score of predicted probabilities of class 1: the
// weighted mean of (p − y)². Weights may be nil (unit weights). Unlike the
// ranking metrics it is defined when only one class is present. It matches
// scikit-learn's brier_score_loss.
func Brier(labels, probs, weights []float64) (float64, error) {
	checkLengths("Brier", labels, probs, weights)
	var sum, total float64
	for i, y := range labels {
		w, err := checkProbSample(labels, probs, weights, i)
		if err != nil {
			return 0, fmt.Errorf("brier: %w", err)
		}
		d := probs[i] - y
		sum += w * d * d
		total += w
	}
	if total == 0 {
		return 0, fmt.Errorf("brier: %w", ErrEmpty)
	}
	return sum / total, nil
}

// LogLoss returns the weighted mean negative log-likelihood (cross-entropy,
// natural logarithm) of predicted probabilities of class 1:
//
//	−Σ wᵢ·[yᵢ·ln pᵢ + (1−yᵢ)·ln(1−pᵢ)] / Σ wᵢ
//
// As in scikit-learn 1.2's log_loss, the pair (1−p, p) is clipped to
// [LogLossEpsilon, 1−LogLossEpsilon] and renormalised to sum to 1, so a
// confident wrong prediction costs about 36 nats rather than +Inf. Weights
// may be nil (unit weights). It is defined when only one class is present.
func LogLoss(labels, probs, weights []float64) (float64, error) {
	checkLengths("LogLoss", labels, probs, weights)
	const lo, hi = LogLossEpsilon, 1 - LogLossEpsilon
	var sum, total float64
	for i, y := range labels {
		w, err := checkProbSample(labels, probs, weights, i)
		if err != nil {
			return 0, fmt.Errorf("log loss: %w", err)
		}
		p1 := min(max(probs[i], lo), hi)
		p0 := min(max(1-probs[i], lo), hi)
		p := p1
		if y == 0 {
			p = p0
		}
		sum -= w * math.Log(p/(p0+p1))
		total += w
	}
	if total == 0 {
		return 0, fmt.Errorf("log loss: %w", ErrEmpty)
	}
	return sum / total, nil
}

// checkProbSample validates sample i of a probability metric and returns
// its weight.
func checkProbSample(labels, probs, weights []float64, i int) (float64, error) {
	if err := checkLabel(i, labels[i]); err != nil {
		return 0, err
	}
	if err := checkProbability(i, probs[i]); err != nil {
		return 0, err
	}
	return weightAt(weights, i)
}
