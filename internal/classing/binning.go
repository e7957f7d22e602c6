package classing

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// FormatVersion is the version of the serialised Binning.
const FormatVersion = 1

// Kind is what a characteristic holds.
type Kind string

// Characteristic kinds.
const (
	// Numeric characteristics hold float64 values, NaN meaning missing.
	Numeric Kind = "numeric"
	// Categorical characteristics hold string levels.
	Categorical Kind = "categorical"
)

// BinKind is what a bin was made for.
type BinKind string

// Bin kinds.
const (
	// Range is an ordinary bin of a numeric characteristic: an interval
	// between two cut points.
	Range BinKind = "range"
	// Levels is an ordinary bin of a categorical characteristic: a group of
	// levels.
	Levels BinKind = "levels"
	// Missing is the bin of missing values.
	Missing BinKind = "missing"
	// Special is the bin of a declared special value of a numeric
	// characteristic.
	Special BinKind = "special"
)

// Direction is the order of the bad rate over the ordinary bins of a
// numeric characteristic. Its values follow the spec's monotone
// constraint: 1 means the probability of default may only rise with the
// value.
type Direction int

// Directions.
const (
	// Decreasing bad rate: higher values are safer.
	Decreasing Direction = -1
	// Auto asks fit to choose the direction. In a learned Binning it means
	// no direction: a categorical characteristic, a numeric one with a
	// single ordinary bin, or one whose bad rate is not monotone (a free
	// classing, classing/fit.Config.FreeTrend).
	Auto Direction = 0
	// Increasing bad rate: higher values are riskier.
	Increasing Direction = 1
)

// String returns "decreasing", "auto" or "increasing".
func (d Direction) String() string {
	switch d {
	case Decreasing:
		return "decreasing"
	case Auto:
		return "auto"
	case Increasing:
		return "increasing"
	}
	return fmt.Sprintf("Direction(%d)", int(d))
}

// Binning is the learned binning of one characteristic. It is plain data:
// encode it with encoding/json, decode it with ReadBinning (or decode it
// and call Validate), and it applies exactly as the learned value did. The
// package documentation gives the bin order and the WoE formulas.
type Binning struct {
	// Version is FormatVersion.
	Version int `json:"version"`
	// Name names the characteristic.
	Name string `json:"name"`
	// Kind is Numeric or Categorical.
	Kind Kind `json:"kind"`
	// Direction is the order of the bad rate over the ordinary bins of a
	// numeric characteristic; Auto for a categorical one, when there is
	// a single ordinary bin or when the bad rate follows no order.
	Direction Direction `json:"direction"`
	// Cuts are the cut points of a numeric characteristic, finite and
	// strictly increasing: ordinary bin k holds the values x with
	// Cuts[k-1] <= x < Cuts[k]. Empty for a categorical characteristic.
	Cuts []float64 `json:"cuts,omitempty"`
	// Levels maps each level of a categorical characteristic seen in
	// training to its ordinary bin.
	Levels map[string]int `json:"levels,omitempty"`
	// Specials lists the declared special values of a numeric
	// characteristic and the bin each one goes to, in increasing order of
	// value.
	Specials []SpecialValue `json:"specials,omitempty"`
	// Missing is the index of the missing bin, which equals the number of
	// ordinary bins.
	Missing int `json:"missing"`
	// Unseen is the bin of a categorical level not in Levels: the level
	// group with the most training rows, or the missing bin when no level
	// had any. Zero for a numeric characteristic.
	Unseen int `json:"unseen,omitempty"`
	// Bins are the bins in the order of the package documentation.
	Bins []Bin `json:"bins"`
	// IV is the information value of the characteristic, the sum of the
	// bins' IV.
	IV float64 `json:"iv"`
}

// SpecialValue is a declared special value of a numeric characteristic
// and the bin it goes to.
type SpecialValue struct {
	// Value is the special value, matched exactly.
	Value float64 `json:"value"`
	// Bin is the index of its bin.
	Bin int `json:"bin"`
}

// Bin is one bin (attribute) of a characteristic with its training counts
// and evidence.
type Bin struct {
	// Kind is what the bin was made for; a bin may also hold special
	// values that were too small for a bin of their own.
	Kind BinKind `json:"kind"`
	// Goods and Bads count the training rows in the bin with label 0 and 1.
	Goods int64 `json:"goods"`
	Bads  int64 `json:"bads"`
	// WoE is the bin's weight of evidence.
	WoE float64 `json:"woe"`
	// IV is the bin's term of the information value.
	IV float64 `json:"iv"`
}

// Count returns the number of training rows in the bin.
func (b *Bin) Count() int64 { return b.Goods + b.Bads }

// BadRate returns the share of bads among the bin's training rows, NaN for
// an empty bin.
func (b *Bin) BadRate() float64 { return float64(b.Bads) / float64(b.Goods+b.Bads) }

// Strength returns the band of the characteristic's information value.
func (b *Binning) Strength() Strength { return StrengthOf(b.IV) }

// Suspicious reports whether the characteristic's information value is
// above LeakageIV, a sign of leakage to check before using it.
func (b *Binning) Suspicious() bool { return b.IV > LeakageIV }

// Bin returns the bin index of value x of a numeric characteristic: the
// missing bin for NaN, the bin of a special value equal to x, otherwise
// #{k : Cuts[k] <= x}. It panics for a categorical characteristic.
func (b *Binning) Bin(x float64) int {
	if b.Kind != Numeric {
		panic(fmt.Sprintf("classing: Bin on %s characteristic %q", b.Kind, b.Name))
	}
	if x != x {
		return b.Missing
	}
	for _, s := range b.Specials {
		if x == s.Value {
			return s.Bin
		}
	}
	// Binary search for the number of cuts <= x.
	lo, n := 0, len(b.Cuts)
	for n > 0 {
		half := n >> 1
		if b.Cuts[lo+half] <= x {
			lo += half + 1
			n -= half + 1
		} else {
			n = half
		}
	}
	return lo
}

// BinLevel returns the bin index of level of a categorical characteristic:
// its bin in Levels, or Unseen for a level training did not see. A missing
// value has no level; its bin is Missing. It panics for a numeric
// characteristic.
func (b *Binning) BinLevel(level string) int {
	if b.Kind != Categorical {
		panic(fmt.Sprintf("classing: BinLevel on %s characteristic %q", b.Kind, b.Name))
	}
	if i, ok := b.Levels[level]; ok {
		return i
	}
	return b.Unseen
}

// WoE returns the weight of evidence of value x of a numeric
// characteristic, the WoE of Bin(x).
func (b *Binning) WoE(x float64) float64 { return b.Bins[b.Bin(x)].WoE }

// LevelWoE returns the weight of evidence of level of a categorical
// characteristic, the WoE of BinLevel(level).
func (b *Binning) LevelWoE(level string) float64 { return b.Bins[b.BinLevel(level)].WoE }

// WoEInto writes the weight of evidence of every value of xs, a column of
// a numeric characteristic, into dst. It panics when the lengths differ.
func (b *Binning) WoEInto(dst, xs []float64) {
	if len(dst) != len(xs) {
		panic(fmt.Sprintf("classing: WoEInto: %d outputs for %d values", len(dst), len(xs)))
	}
	for i, x := range xs {
		dst[i] = b.Bins[b.Bin(x)].WoE
	}
}

// BinLevels returns the levels of bin i of a categorical characteristic in
// sorted order.
func (b *Binning) BinLevels(i int) []string {
	var out []string
	for level, j := range b.Levels {
		if j == i {
			out = append(out, level)
		}
	}
	slices.Sort(out)
	return out
}

// Label describes bin i for people, as a scorecard table shows it: a
// range "[-inf, 3.5)", "[3.5, 7)", "[7, +inf)", a set of levels
// "{A, B}", "missing", or "special 96", followed by " | 98" for each
// special value that joined the bin.
func (b *Binning) Label(i int) string {
	var sb strings.Builder
	switch b.Bins[i].Kind {
	case Range:
		lo, hi := "-inf", "+inf"
		if i > 0 {
			lo = formatFloat(b.Cuts[i-1])
		}
		if i < len(b.Cuts) {
			hi = formatFloat(b.Cuts[i])
		}
		sb.WriteString("[" + lo + ", " + hi + ")")
	case Levels:
		sb.WriteString("{" + strings.Join(b.BinLevels(i), ", ") + "}")
	case Missing:
		sb.WriteString("missing")
	case Special:
		sb.WriteString("special")
	}
	sep := " | "
	if b.Bins[i].Kind == Special {
		sep = " "
	}
	for _, s := range b.Specials {
		if s.Bin == i {
			sb.WriteString(sep + formatFloat(s.Value))
			sep = " | "
		}
	}
	return sb.String()
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
