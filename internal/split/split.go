// Package split divides labelled loans into a training and a test set:
// out-of-time on the application date when the data set has one (train on
// older loans, test on the newest), stratified at random with a fixed seed
// otherwise.
package split

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/credit-risk/credit-risk/internal/value"
)

// ErrSplit is wrapped by every error of this package.
var ErrSplit = errors.New("split")

// MonthCut returns the first day of the month that starts the test period:
// loans issued before it train, loans issued on or after it test. Among month
// boundaries that leave both sides non-empty it picks the one whose test
// share is closest to testFraction (ties go to the later month). Missing
// dates (NaN) are not counted.
func MonthCut(dates []float64, testFraction float64) (float64, error) {
	months := map[float64]int{}
	n := 0
	for _, d := range dates {
		if math.IsNaN(d) {
			continue
		}
		months[monthStart(d)]++
		n++
	}
	if len(months) < 2 {
		return 0, fmt.Errorf("%w: an out-of-time split needs loans from at least two months; found %d", ErrSplit, len(months))
	}
	keys := make([]float64, 0, len(months))
	for m := range months {
		keys = append(keys, m)
	}
	slices.Sort(keys)
	best, bestGap := keys[1], math.Inf(1)
	test := n
	for i := 1; i < len(keys); i++ {
		test -= months[keys[i-1]]
		gap := math.Abs(float64(test)/float64(n) - testFraction)
		if gap <= bestGap {
			best, bestGap = keys[i], gap
		}
	}
	return best, nil
}

// CheckCut verifies that a cut date leaves loans on both sides.
func CheckCut(dates []float64, cut float64) error {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, d := range dates {
		if !math.IsNaN(d) {
			lo, hi = min(lo, d), max(hi, d)
		}
	}
	if math.IsInf(lo, 0) {
		return fmt.Errorf("%w: no dated loans", ErrSplit)
	}
	if cut <= lo || cut > hi {
		return fmt.Errorf("%w: split date %s leaves one side empty: loans run from %s to %s", ErrSplit,
			FormatDay(cut), FormatDay(lo), FormatDay(hi))
	}
	return nil
}

// ByDate marks as test every loan dated on or after cut. Undated loans train.
func ByDate(dates []float64, cut float64) []bool {
	test := make([]bool, len(dates))
	for i, d := range dates {
		test[i] = d >= cut
	}
	return test
}

// Stratified marks round(testFraction·n_c) loans of each class c as test,
// chosen by a shuffle seeded with seed, so the same labels and seed always
// give the same split.
func Stratified(labels []float64, testFraction float64, seed uint64) ([]bool, error) {
	test := make([]bool, len(labels))
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	for _, class := range []float64{0, 1} {
		var idx []int
		for i, y := range labels {
			if y == class {
				idx = append(idx, i)
			}
		}
		if len(idx) < 2 {
			return nil, fmt.Errorf("%w: class %v has %d loans; a stratified split needs at least 2 of each class", ErrSplit, class, len(idx))
		}
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		k := int(math.Round(testFraction * float64(len(idx))))
		k = min(max(k, 1), len(idx)-1)
		for _, i := range idx[:k] {
			test[i] = true
		}
	}
	return test, nil
}

// ParseDay reads a split date given as YYYY-MM-DD or YYYY-MM.
func ParseDay(s string) (float64, error) {
	for _, layout := range []string{"2006-01-02", "2006-01"} {
		if t, err := time.Parse(layout, s); err == nil {
			return value.TimeToDays(t), nil
		}
	}
	return 0, fmt.Errorf("%w: split date %q: want YYYY-MM-DD or YYYY-MM", ErrSplit, s)
}

// FormatDay writes days since 1970-01-01 as YYYY-MM-DD.
func FormatDay(days float64) string {
	return value.DaysToTime(days).Format("2006-01-02")
}

func monthStart(days float64) float64 {
	t := value.DaysToTime(days)
	return value.TimeToDays(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC))
}
