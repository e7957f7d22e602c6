package monitor

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
)

// Outcome is one scored loan whose outcome is final.
type Outcome struct {
	// PD is the model's calibrated PD.
	PD float64
	// Bad is the outcome: true for a default.
	Bad bool
	// Month is the origination month, NoMonth when the row has none.
	Month Month
}

// Backtest compares the model's PDs with matured outcomes.
type Backtest struct {
	// Stats are the figures over every matured loan.
	Stats
	// Bands are observed against predicted defaults per score band over
	// every matured loan.
	Bands []BandRow `json:"bands"`
	// Months holds the same per origination month, oldest first; loans
	// without an origination month come last, as month "unknown". Empty
	// when no loan has an origination month.
	Months []Period `json:"months,omitempty"`
}

// Period is the backtest of one origination month.
type Period struct {
	// Month is YYYY-MM, or "unknown".
	Month string `json:"month"`
	Stats
	Bands []BandRow `json:"bands"`
}

// Stats are the backtest figures of a group of loans. Figures that need
// both classes (AUC, Gini, KS) are NaN when the group has only one.
type Stats struct {
	Loans int `json:"loans"`
	Bads  int `json:"bads"`
	// BadRate is Bads / Loans and MeanPD the mean predicted PD.
	BadRate Float `json:"bad_rate"`
	MeanPD  Float `json:"mean_pd"`
	// Ratio is BadRate / MeanPD: above 1 the model under-predicts.
	Ratio Float `json:"observed_to_predicted"`
	// PValue is BinomialTest(Bads, Loans, MeanPD).
	PValue Float `json:"p_value"`
	AUC    Float `json:"roc_auc"`
	Gini   Float `json:"gini"`
	KS     Float `json:"ks"`
}

// BandRow is observed against predicted defaults in one score band.
type BandRow struct {
	// Band shows the PD range, as Bin.Label does.
	Band string `json:"band"`
	Stats
	// Flagged is PValue < the spec's band_alpha: the band's defaults are
	// not what its PDs predict.
	Flagged bool `json:"flagged"`
}

// NewBacktest computes the backtest of outcomes. The score bands are the
// bins of bands (the development deciles of the PD; its missing-value bin
// is left out, a PD is never missing); a band is flagged when its binomial
// p-value is below alpha.
func NewBacktest(outcomes []Outcome, bands *model.Bins, alpha float64) (*Backtest, error) {
	bt := &Backtest{}
	var err error
	if bt.Stats, err = newStats(outcomes, true); err != nil {
		return nil, err
	}
	bt.Bands = bandRows(outcomes, bands, alpha)
	if !slices.ContainsFunc(outcomes, func(o Outcome) bool { return o.Month.Known() }) {
		return bt, nil
	}
	sorted := slices.Clone(outcomes)
	slices.SortStableFunc(sorted, func(a, b Outcome) int {
		// Unknown months (-1) last.
		if a.Month.Known() != b.Month.Known() {
			if !a.Month.Known() {
				return 1
			}
			return -1
		}
		return cmp.Compare(a.Month, b.Month)
	})
	for lo := 0; lo < len(sorted); {
		hi := lo
		for hi < len(sorted) && sorted[hi].Month == sorted[lo].Month {
			hi++
		}
		group := sorted[lo:hi]
		st, err := newStats(group, true)
		if err != nil {
			return nil, fmt.Errorf("month %s: %w", sorted[lo].Month, err)
		}
		bt.Months = append(bt.Months, Period{Month: sorted[lo].Month.String(), Stats: st, Bands: bandRows(group, bands, alpha)})
		lo = hi
	}
	return bt, nil
}

// newStats computes the figures of a group of loans, the ranking figures
// (AUC, Gini, KS) only when ranking is set.
func newStats(outcomes []Outcome, ranking bool) (Stats, error) {
	nan := Float(math.NaN())
	st := Stats{Loans: len(outcomes), BadRate: nan, MeanPD: nan, Ratio: nan, PValue: nan, AUC: nan, Gini: nan, KS: nan}
	if len(outcomes) == 0 {
		return st, nil
	}
	y := make([]float64, len(outcomes))
	pd := make([]float64, len(outcomes))
	var sum float64
	for i, o := range outcomes {
		if o.Bad {
			y[i] = 1
			st.Bads++
		}
		pd[i] = o.PD
		sum += o.PD
	}
	mean := sum / float64(st.Loans)
	rate := float64(st.Bads) / float64(st.Loans)
	st.BadRate, st.MeanPD = Float(rate), Float(mean)
	if mean > 0 {
		st.Ratio = Float(rate / mean)
	}
	st.PValue = Float(BinomialTest(st.Bads, st.Loans, min(max(mean, 0), 1)))
	if !ranking || st.Bads == 0 || st.Bads == st.Loans {
		return st, nil
	}
	auc, err := metrics.ROCAUC(y, pd, nil)
	if err != nil {
		return st, fmt.Errorf("backtest: %w", err)
	}
	ks, err := metrics.KS(y, pd, nil)
	if err != nil {
		return st, fmt.Errorf("backtest: %w", err)
	}
	st.AUC, st.Gini, st.KS = Float(auc), Float(2*auc-1), Float(ks)
	return st, nil
}

// bandRows splits outcomes by the bins of bands and tests each band.
func bandRows(outcomes []Outcome, bands *model.Bins, alpha float64) []BandRow {
	groups := make([][]Outcome, len(bands.Edges)+1)
	for _, o := range outcomes {
		i := min(bands.Index(o.PD), len(groups)-1)
		groups[i] = append(groups[i], o)
	}
	rows := make([]BandRow, len(groups))
	for i, g := range groups {
		// Without the ranking figures newStats cannot fail.
		st, _ := newStats(g, false)
		rows[i] = BandRow{Band: binLabel(bands, i), Stats: st, Flagged: float64(st.PValue) < alpha}
	}
	return rows
}
