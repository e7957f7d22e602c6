package metrics

import "fmt"

// ConfusionMatrix counts the outcomes of the decision "predict 1 when score
// >= threshold".
type ConfusionMatrix struct {
	Threshold float64 `json:"threshold"`
	TP        int     `json:"tp"` // label 1, predicted 1
	FP        int     `json:"fp"` // label 0, predicted 1
	TN        int     `json:"tn"` // label 0, predicted 0
	FN        int     `json:"fn"` // label 1, predicted 0
}

// Confusion returns the confusion matrix of the rule "predict 1 when score
// >= threshold". NaN scores are an error wrapping ErrScore.
func Confusion(labels, scores []float64, threshold float64) (ConfusionMatrix, error) {
	checkLengths("Confusion", labels, scores, nil)
	c := ConfusionMatrix{Threshold: threshold}
	for i, y := range labels {
		if err := checkLabel(i, y); err != nil {
			return ConfusionMatrix{}, fmt.Errorf("confusion: %w", err)
		}
		s := scores[i]
		if s != s {
			return ConfusionMatrix{}, fmt.Errorf("confusion: index %d: %w", i, ErrScore)
		}
		switch pred := s >= threshold; {
		case pred && y == 1:
			c.TP++
		case pred:
			c.FP++
		case y == 1:
			c.FN++
		default:
			c.TN++
		}
	}
	return c, nil
}

// Total returns the number of samples.
func (c ConfusionMatrix) Total() int { return c.TP + c.FP + c.TN + c.FN }

// Accuracy returns (TP+TN)/total, or 0 for an empty matrix.
func (c ConfusionMatrix) Accuracy() float64 { return ratio(c.TP+c.TN, c.Total()) }

// Precision returns TP/(TP+FP), or 0 when nothing is predicted 1
// (scikit-learn's zero_division result).
func (c ConfusionMatrix) Precision() float64 { return ratio(c.TP, c.TP+c.FP) }

// Recall returns TP/(TP+FN), the true-positive rate, or 0 when there are no
// positives.
func (c ConfusionMatrix) Recall() float64 { return ratio(c.TP, c.TP+c.FN) }

// F1 returns the harmonic mean of precision and recall, 2·TP/(2·TP+FP+FN),
// or 0 when TP+FP+FN is 0.
func (c ConfusionMatrix) F1() float64 { return ratio(2*c.TP, 2*c.TP+c.FP+c.FN) }

func ratio(num, den int) float64 {
	if den == 0 {
		return 0
	}
	return float64(num) / float64(den)
}
