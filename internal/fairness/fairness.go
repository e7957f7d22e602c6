// Package fairness measures a model's outcomes by group of a protected
// attribute, as fair-lending reviews read them: per group the number of
// applications, the approval rate at the decision threshold, the adverse
// impact ratio against the most favoured group (approval rate ÷ its
// approval rate, flagged below the four-fifths rule's 0.8), the observed
// bad rate, the mean PD, the ROC-AUC within the group and its calibration
// (mean PD minus bad rate, and the expected calibration error), with the
// counts beside them so that small groups are not over-read.
//
// Protected attributes are never model inputs; they are read beside the
// model's scores only to compute these figures.
package fairness

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/metrics"
)

// FourFifths is the adverse impact ratio below which a group is flagged
// for review.
const FourFifths = 0.8

// MinGroup is the fewest applications a group needs for its ratio to be
// flagged; smaller groups are reported, marked as too small to read.
const MinGroup = 30

// Group is the outcome figures of one group.
type Group struct {
	// Name is the group's level, or its band for a numeric attribute.
	Name string `json:"group"`
	// Applications, Approved and Bad count the group's applications, those
	// approved at the threshold, and those with a bad outcome.
	Applications int `json:"applications"`
	Approved     int `json:"approved"`
	Bad          int `json:"bad"`
	// ApprovalRate is Approved ÷ Applications.
	ApprovalRate float64 `json:"approval_rate"`
	// AIR is the adverse impact ratio: ApprovalRate ÷ the most favoured
	// group's; NaN when that is 0.
	AIR float64 `json:"adverse_impact_ratio"`
	// Flagged: AIR below FourFifths in a group of at least MinGroup.
	Flagged bool `json:"flagged"`
	// TooSmall: fewer than MinGroup applications.
	TooSmall bool `json:"too_small"`
	// BadRate is Bad ÷ Applications and MeanPD the mean PD.
	BadRate float64 `json:"bad_rate"`
	MeanPD  float64 `json:"mean_pd"`
	// CalibrationGap is MeanPD − BadRate: positive when the model
	// over-predicts the group's risk.
	CalibrationGap float64 `json:"calibration_gap"`
	// AUC is the ROC-AUC within the group, NaN with one class only.
	AUC float64 `json:"roc_auc"`
	// ECE is the expected calibration error within the group.
	ECE float64 `json:"ece"`
}

// Analysis is the figures of every group of one attribute.
type Analysis struct {
	// Attribute is the protected attribute's column.
	Attribute string `json:"attribute"`
	// Reference is the most favoured group: the highest approval rate
	// among groups of at least MinGroup applications (among all groups
	// when none has that many).
	Reference string `json:"reference"`
	// Groups are ordered by name (numeric bands in band order).
	Groups []Group `json:"groups"`
	// Missing counts applications without a value of the attribute; they
	// are in no group.
	Missing int `json:"missing"`
}

// Errors of Analyze.
var (
	ErrLengths  = errors.New("fairness: groups, labels and PDs differ in length")
	ErrNoGroups = errors.New("fairness: no application has a value of the attribute")
)

// Analyze computes the figures by group: groups[i] is application i's
// group ("" when missing), y[i] its outcome (1 bad, 0 good) and pd[i] its
// PD; an application is approved when its PD is below threshold. order,
// when not nil, gives the groups' order (numeric bands); else they are
// sorted by name.
func Analyze(attribute string, groups []string, y, pd []float64, threshold float64, order []string) (*Analysis, error) {
	if len(groups) != len(y) || len(y) != len(pd) {
		return nil, ErrLengths
	}
	a := &Analysis{Attribute: attribute}
	idx := map[string][]int{}
	for i, g := range groups {
		if g == "" {
			a.Missing++
			continue
		}
		idx[g] = append(idx[g], i)
	}
	if len(idx) == 0 {
		return nil, fmt.Errorf("%w %s", ErrNoGroups, attribute)
	}
	names := make([]string, 0, len(idx))
	for g := range idx {
		names = append(names, g)
	}
	rank := func(g string) int {
		if i := slices.Index(order, g); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(names, func(x, y string) int {
		return cmp.Or(cmp.Compare(rank(x), rank(y)), cmp.Compare(x, y))
	})
	for _, name := range names {
		rows := idx[name]
		g := Group{Name: name, Applications: len(rows), TooSmall: len(rows) < MinGroup}
		gy, gp := make([]float64, len(rows)), make([]float64, len(rows))
		sum := 0.0
		for k, i := range rows {
			gy[k], gp[k] = y[i], pd[i]
			sum += pd[i]
			if pd[i] < threshold {
				g.Approved++
			}
			if y[i] == 1 {
				g.Bad++
			}
		}
		n := float64(len(rows))
		g.ApprovalRate, g.BadRate, g.MeanPD = float64(g.Approved)/n, float64(g.Bad)/n, sum/n
		g.CalibrationGap = g.MeanPD - g.BadRate
		g.AUC = math.NaN()
		if g.Bad > 0 && g.Bad < len(rows) {
			if auc, err := metrics.ROCAUC(gy, gp, nil); err == nil {
				g.AUC = auc
			}
		}
		g.ECE = math.NaN()
		if ece, err := metrics.ECE(gy, gp, 10); err == nil {
			g.ECE = ece
		}
		a.Groups = append(a.Groups, g)
	}
	ref := -1
	for pass := 0; pass < 2 && ref < 0; pass++ {
		for i, g := range a.Groups {
			if (pass == 0 && g.TooSmall) || (ref >= 0 && g.ApprovalRate <= a.Groups[ref].ApprovalRate) {
				continue
			}
			ref = i
		}
	}
	a.Reference = a.Groups[ref].Name
	best := a.Groups[ref].ApprovalRate
	for i := range a.Groups {
		g := &a.Groups[i]
		g.AIR = math.NaN()
		if best > 0 {
			g.AIR = g.ApprovalRate / best
		}
		g.Flagged = !g.TooSmall && g.AIR < FourFifths
	}
	return a, nil
}

// Bands cuts a numeric attribute (age) into named bands at the given
// edges: values below edges[0] are "< e0", then "e0–e1", …, and ">= eN";
// NaN is missing (""). It returns each value's band and the bands in order.
func Bands(values []float64, edges []float64) ([]string, []string) {
	names := make([]string, 0, len(edges)+1)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	names = append(names, "< "+f(edges[0]))
	for i := 1; i < len(edges); i++ {
		names = append(names, f(edges[i-1])+"–"+f(edges[i]))
	}
	names = append(names, ">= "+f(edges[len(edges)-1]))
	out := make([]string, len(values))
	for i, v := range values {
		if math.IsNaN(v) {
			continue
		}
		k, _ := slices.BinarySearch(edges, v)
		if k < len(edges) && edges[k] == v {
			k++ // a value on an edge belongs to the band it starts
		}
		out[i] = names[k]
	}
	return out, names
}
