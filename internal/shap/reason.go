package shap

import (
	"cmp"
	"fmt"
	"slices"
)

// Reason is one reason code: a feature and how much it raised the margin
// (log-odds or probability, as the explained ensemble's output) above the
// expected value.
type Reason struct {
	Feature      string
	Contribution float64
}

// ReasonCodes returns the features that raise the margin most: those with
// a positive φ, largest first, at most k of them. Equal contributions are
// ordered by feature name, so the result does not depend on feature order.
// Features with a zero, negative or NaN φ are never reasons, so fewer than
// k may come back, and none when k <= 0. names[j] names the feature of
// phi[j]; ReasonCodes panics when the lengths differ.
func ReasonCodes(phi []float64, names []string, k int) []Reason {
	if len(phi) != len(names) {
		panic(fmt.Sprintf("shap: %d contributions but %d names", len(phi), len(names)))
	}
	if k <= 0 {
		return nil
	}
	var out []Reason
	for j, v := range phi {
		if v > 0 {
			out = append(out, Reason{Feature: names[j], Contribution: v})
		}
	}
	slices.SortFunc(out, func(a, b Reason) int {
		if c := cmp.Compare(b.Contribution, a.Contribution); c != 0 {
			return c
		}
		return cmp.Compare(a.Feature, b.Feature)
	})
	if len(out) > k {
		out = out[:k:k]
	}
	return out
}
