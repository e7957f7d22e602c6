package metrics

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Selection names a metric of Summary that candidates are compared by: a
// JSON key of Summary, such as "roc_auc".
type Selection string

// The metrics a model can be selected by.
const (
	SelectROCAUC  Selection = "roc_auc"
	SelectPRAUC   Selection = "pr_auc"
	SelectKS      Selection = "ks"
	SelectGini    Selection = "gini"
	SelectBrier   Selection = "brier"
	SelectLogLoss Selection = "log_loss"
)

// DefaultSelection is the selection metric when none is named.
const DefaultSelection = SelectROCAUC

// Selections lists the selection metrics.
var Selections = []Selection{SelectROCAUC, SelectPRAUC, SelectKS, SelectGini, SelectBrier, SelectLogLoss}

// ErrUnknownSelection is a selection metric that is not in Selections.
var ErrUnknownSelection = errors.New("unknown selection metric")

// ParseSelection returns the named selection metric; "" is
// DefaultSelection.
func ParseSelection(name string) (Selection, error) {
	if name == "" {
		return DefaultSelection, nil
	}
	for _, s := range Selections {
		if string(s) == name {
			return s, nil
		}
	}
	names := make([]string, len(Selections))
	for i, s := range Selections {
		names[i] = string(s)
	}
	return "", fmt.Errorf("%w %q (want one of %s)", ErrUnknownSelection, name, strings.Join(names, ", "))
}

// Value returns the metric's value in s.
func (m Selection) Value(s *Summary) float64 {
	switch m {
	case SelectROCAUC:
		return s.ROCAUC
	case SelectPRAUC:
		return s.PRAUC
	case SelectKS:
		return s.KS
	case SelectGini:
		return s.Gini
	case SelectBrier:
		return s.Brier
	case SelectLogLoss:
		return s.LogLoss
	}
	return math.NaN()
}

// HigherIsBetter reports whether a larger value of the metric is better
// (the ranking metrics) or a smaller one (Brier score, log loss).
func (m Selection) HigherIsBetter() bool { return m != SelectBrier && m != SelectLogLoss }

// Better reports whether a is a strictly better value of the metric than
// b; a NaN is never better, and anything is better than a NaN.
func (m Selection) Better(a, b float64) bool {
	switch {
	case math.IsNaN(a):
		return false
	case math.IsNaN(b):
		return true
	case m.HigherIsBetter():
		return a > b
	}
	return a < b
}

// Title is the metric's name for people: "ROC-AUC", "Brier score".
func (m Selection) Title() string {
	switch m {
	case SelectROCAUC:
		return "ROC-AUC"
	case SelectPRAUC:
		return "PR-AUC"
	case SelectKS:
		return "KS"
	case SelectGini:
		return "Gini"
	case SelectBrier:
		return "Brier score"
	case SelectLogLoss:
		return "log loss"
	}
	return string(m)
}
