package monitor

import (
	"fmt"
	"math"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
)

// Band reads a PSI or CSI value the usual way (CREDIT.md §4).
type Band string

// PSI bands.
const (
	// BandStable is a PSI below WatchFrom.
	BandStable Band = "stable"
	// BandWatch is a PSI from WatchFrom to ActionAbove: the population has
	// moved; find out why.
	BandWatch Band = "watch"
	// BandAction is a PSI above ActionAbove: the model sees a population
	// it was not developed on.
	BandAction Band = "action"
	// BandUnknown is the band of an undefined PSI (no application).
	BandUnknown Band = "unknown"
)

// Band limits.
const (
	WatchFrom   = 0.10
	ActionAbove = 0.25
)

// BandOf returns the band of a PSI: below 0.10 stable, 0.10 to 0.25
// (inclusive) watch, above 0.25 action, NaN unknown.
func BandOf(psi float64) Band {
	switch {
	case math.IsNaN(psi):
		return BandUnknown
	case psi < WatchFrom:
		return BandStable
	case psi <= ActionAbove:
		return BandWatch
	}
	return BandAction
}

// Index is the stability of one distribution, the score or one feature,
// against its development reference.
type Index struct {
	// Name is the feature's name, or "score".
	Name string `json:"name"`
	// Source is the raw input (or derived value) a feature is computed
	// from; empty for the score.
	Source string `json:"source,omitempty"`
	// PSI is Σ (a − e) · ln(a / e) over the bins, as metrics.PSI computes
	// it (shares floored at metrics.PSIEpsilon); NaN without rows.
	PSI Float `json:"psi"`
	// Band is PSI's reading.
	Band Band `json:"band"`
	// Rows is the number of recent values binned.
	Rows int `json:"rows"`
	// Bins are the reference bins, the missing-value bin last.
	Bins []Bin `json:"bins"`
}

// Bin is one bin of a stability index.
type Bin struct {
	// Label shows the bin: "[0.05, 0.08)", "< 0.05", ">= 0.3" or "missing".
	Label string `json:"label"`
	// Expected is the development share of the bin.
	Expected Float `json:"expected"`
	// Count is the recent values in the bin and Actual their share.
	Count  int   `json:"count"`
	Actual Float `json:"actual"`
	// Contribution is the bin's term of the PSI.
	Contribution Float `json:"contribution"`
}

// NewIndex computes the stability of recent values, counted per bin of ref
// (counts[i] values in ref's bin i, as model.Bins.Index numbers them, the
// missing bin last). Slices of different lengths panic. With no value the
// PSI is NaN; a malformed reference is an error.
func NewIndex(name, source string, ref *model.Bins, counts []int) (Index, error) {
	if len(counts) != len(ref.Shares) || len(ref.Shares) != len(ref.Edges)+2 {
		panic(fmt.Sprintf("monitor: %s: %d counts, %d shares, %d edges", name, len(counts), len(ref.Shares), len(ref.Edges)))
	}
	ix := Index{Name: name, Source: source, PSI: Float(math.NaN()), Band: BandUnknown, Bins: make([]Bin, len(counts))}
	actual := make([]float64, len(counts))
	for i, c := range counts {
		ix.Rows += c
		actual[i] = float64(c)
	}
	for i := range counts {
		ix.Bins[i] = Bin{Label: binLabel(ref, i), Expected: Float(ref.Shares[i]), Count: counts[i], Actual: Float(math.NaN()), Contribution: Float(math.NaN())}
	}
	if ix.Rows == 0 {
		return ix, nil
	}
	psi, err := metrics.PSI(ref.Shares, actual)
	if err != nil {
		return ix, fmt.Errorf("stability of %s: %w", name, err)
	}
	var total float64
	for _, s := range ref.Shares {
		total += s
	}
	for i := range counts {
		a := actual[i] / float64(ix.Rows)
		// The floor metrics.PSI applies, so the contributions add up to it.
		ae, ee := max(a, metrics.PSIEpsilon), max(ref.Shares[i]/total, metrics.PSIEpsilon)
		ix.Bins[i].Actual = Float(a)
		ix.Bins[i].Contribution = Float((ae - ee) * math.Log(ae/ee))
	}
	ix.PSI, ix.Band = Float(psi), BandOf(psi)
	return ix, nil
}

// binLabel shows bin i of b.
func binLabel(b *model.Bins, i int) string {
	n := len(b.Edges)
	switch {
	case i == n+1:
		return "missing"
	case n == 0:
		return "all"
	case i == 0:
		return "< " + short(b.Edges[0])
	case i == n:
		return ">= " + short(b.Edges[n-1])
	}
	return "[" + short(b.Edges[i-1]) + ", " + short(b.Edges[i]) + ")"
}

// short formats an edge with at most four significant digits.
func short(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }
