package fit

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/value"
)

// Column is one parsed raw column on every row of the table, before
// cleaning.
type Column struct {
	// Input is the field as parsed: name, kind, parser and range; Input
	// learns the rest.
	Input features.Input
	// Num holds numeric and date values, NaN when missing.
	Num []float64
	// Codes index Levels for categorical and ordinal values, -1 when
	// missing.
	Codes  []int32
	Levels []string
	// NoCap leaves a numeric column uncapped (the spec's no_cap).
	NoCap bool
	// Special holds, per row, the position plus one in Input.Special of
	// the special value the row held (its Num is then NaN, its code -1),
	// 0 for any other value; nil when no row held one.
	Special []int32
}

// Rows returns the number of rows of the column.
func (c *Column) Rows() int {
	if c.Input.IsText() {
		return len(c.Codes)
	}
	return len(c.Num)
}

// special returns the position plus one of row i's special value, 0 for
// none.
func (c *Column) special(i int) int32 {
	if c.Special == nil {
		return 0
	}
	return c.Special[i]
}

// missing reports whether row i is missing (a special value is not).
func (c *Column) missing(i int) bool {
	if c.special(i) > 0 {
		return false
	}
	if c.Input.IsText() {
		return c.Codes[i] < 0
	}
	return math.IsNaN(c.Num[i])
}

func (c *Column) key(i int) float64 {
	if c.Input.IsText() {
		return float64(c.Codes[i])
	}
	return c.Num[i]
}

// Drop reasons of an Outcome.
const (
	DropHighMissing = "high_missing"
	DropConstant    = "constant"
)

// Outcome is what Input decided about a column besides its rules.
type Outcome struct {
	// Drop is "" for a kept column, else DropHighMissing or DropConstant,
	// with Detail saying why in words.
	Drop   string
	Detail string
	// Missing counts the missing values on every row; MissingShareTrain is
	// the missing share on the training rows. Special values are not
	// missing ones.
	Missing           int
	MissingShareTrain float64
	// Special counts the rows, on every row, that held each of
	// Input.Special, in its order (nil when the input has none).
	Special []int
}

// Input learns the cleaning rules of one column on the training rows
// (isTest[i] false) and returns the column's Input with them:
//
//   - a column missing on more than cfg.MaxMissing of the training rows, or
//     with fewer than two distinct training values (each special value
//     counting as one), or with no ordinary training value, is dropped (see
//     Outcome.Drop) and the returned Input is the zero value;
//   - special values (Input.Special, Column.Special) are neither missing
//     nor ordinary values: they are left out of the missing share, caps,
//     median, levels and every other statistic, and their training shares
//     are Stats.SpecialShares;
//   - Required is set when no training value is missing;
//   - numbers are capped to the training quantiles cfg.CapLower and
//     cfg.CapUpper (a cap equal to the extreme value is left out), and
//     imputed with the median of the capped training values;
//   - numbers and dates get a missing indicator when the training missing
//     share is at least cfg.MissingIndicatorMin;
//   - categories are imputed with features.MissingLevel, ordinal levels
//     with the most common training level;
//   - Stats describe the training values; levels are listed most common
//     first (ties by name).
//
// Quantiles interpolate linearly between closest ranks (numpy's default).
func Input(c *Column, isTest []bool, cfg dataset.Cleaning) (features.Input, Outcome) {
	rows := c.Rows()
	if len(isTest) != rows {
		panic(fmt.Sprintf("fit: %d test flags for a column of %d rows", len(isTest), rows))
	}
	nTrain := 0
	for _, t := range isTest {
		if !t {
			nTrain++
		}
	}
	var out Outcome
	var missTrain, distinct int
	seen := map[float64]bool{}
	nSpecial := len(c.Input.Special)
	var specialTrain []int
	if nSpecial > 0 {
		out.Special = make([]int, nSpecial)
		specialTrain = make([]int, nSpecial)
	}
	for i := 0; i < rows; i++ {
		if k := c.special(i); k > 0 {
			if int(k) > nSpecial {
				panic(fmt.Sprintf("fit: row %d of %q holds special value %d of %d", i, c.Input.Name, k, nSpecial))
			}
			out.Special[k-1]++
			if !isTest[i] {
				specialTrain[k-1]++
			}
			continue
		}
		miss := c.missing(i)
		if miss {
			out.Missing++
		}
		if isTest[i] {
			continue
		}
		if miss {
			missTrain++
		} else if distinct < 2 {
			k := c.key(i)
			if !seen[k] {
				seen[k] = true
				distinct++
			}
		}
	}
	share := float64(missTrain) / float64(nTrain)
	out.MissingShareTrain = share
	if share > cfg.MaxMissing {
		out.Drop = DropHighMissing
		out.Detail = fmt.Sprintf("%.1f%% missing in the training period (cleaning.max_missing %.0f%%)", 100*share, 100*cfg.MaxMissing)
		return features.Input{}, out
	}
	seenSpecial := 0
	for _, n := range specialTrain {
		if n > 0 {
			seenSpecial++
		}
	}
	if distinct == 0 || distinct+seenSpecial < 2 {
		out.Drop = DropConstant
		out.Detail = "one value (or none) in the training period"
		if distinct == 0 && seenSpecial > 0 {
			out.Detail = "only special values (or none) in the training period"
		}
		return features.Input{}, out
	}
	in := c.Input
	in.Required = missTrain == 0
	in.Stats.MissingShare = share
	if nSpecial > 0 {
		in.Stats.SpecialShares = make([]float64, nSpecial)
		for k, n := range specialTrain {
			in.Stats.SpecialShares[k] = float64(n) / float64(nTrain)
		}
	}
	switch in.Kind {
	case features.KindNumeric:
		train := trainValues(c.Num, isTest, nTrain-missTrain)
		if !c.NoCap {
			lo, hi := quantile(train, cfg.CapLower), quantile(train, cfg.CapUpper)
			if lo > train[0] {
				in.CapLow = &lo
			}
			if hi < train[len(train)-1] {
				in.CapHigh = &hi
			}
		}
		for i := range train {
			train[i] = capped(train[i], in.CapLow, in.CapHigh)
		}
		med := quantile(train, 0.5)
		in.Impute = &med
		median := med
		in.Stats.Median = &median
		in.Indicator = share >= cfg.MissingIndicatorMin
		lo, hi := train[0], train[len(train)-1]
		in.Stats.Min, in.Stats.Max = &lo, &hi
		in.Stats.Example = strconv.FormatFloat(med, 'g', -1, 64)
		in.Stats.Values = fewValues(train, maxListedValues)
	case features.KindDate:
		train := trainValues(c.Num, isTest, nTrain-missTrain)
		lo, hi := train[0], train[len(train)-1]
		in.Stats.Min, in.Stats.Max = &lo, &hi
		med := quantile(train, 0.5)
		in.Stats.Median = &med
		in.Stats.Example = value.DaysToTime(med).Format(in.Layout)
		in.Indicator = share >= cfg.MissingIndicatorMin
	case features.KindCategorical, features.KindOrdinal:
		counts := make([]int, len(c.Levels))
		for i, code := range c.Codes {
			if !isTest[i] && code >= 0 {
				counts[code]++
			}
		}
		order := make([]int, 0, len(c.Levels))
		for code, n := range counts {
			if n > 0 {
				order = append(order, code)
			}
		}
		sort.SliceStable(order, func(a, b int) bool {
			if counts[order[a]] != counts[order[b]] {
				return counts[order[a]] > counts[order[b]]
			}
			return c.Levels[order[a]] < c.Levels[order[b]]
		})
		for _, code := range order {
			in.Stats.Levels = append(in.Stats.Levels, c.Levels[code])
		}
		in.Stats.Example = in.Stats.Levels[0]
		if in.Kind == features.KindCategorical {
			in.ImputeLevel = features.MissingLevel
		} else {
			in.ImputeLevel = in.Stats.Levels[0] // the mode
			in.Stats.Median = medianRank(in.Order, c.Levels, counts)
		}
	}
	return in, out
}

// medianRank returns the median rank in order of the levels counted (the
// lower median: the lowest rank at which half the rows are reached).
func medianRank(order, levels []string, counts []int) *float64 {
	byRank := make([]int, len(order))
	total := 0
	for code, n := range counts {
		if r := slices.Index(order, levels[code]); r >= 0 && n > 0 {
			byRank[r] += n
			total += n
		}
	}
	if total == 0 {
		return nil
	}
	cum := 0
	for r, n := range byRank {
		if cum += n; 2*cum >= total {
			m := float64(r)
			return &m
		}
	}
	return nil
}

// DateInput returns the input of the data set's application date, which
// every loan has (loans without one are not kept): required, with the range
// of all dates, train and test, as its stats.
func DateInput(in features.Input, dates []float64) features.Input {
	in.Required = true
	lo, hi := slices.Min(dates), slices.Max(dates)
	in.Stats = features.InputStats{Min: &lo, Max: &hi, Example: value.DaysToTime(hi).Format(in.Layout)}
	return in
}

// trainValues returns the non-missing training values of v, sorted.
func trainValues(v []float64, isTest []bool, n int) []float64 {
	train := make([]float64, 0, n)
	for i, x := range v {
		if !isTest[i] && !math.IsNaN(x) {
			train = append(train, x)
		}
	}
	slices.Sort(train)
	return train
}

// quantile returns the q-quantile of sorted values by linear interpolation
// between closest ranks (numpy's default).
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	frac := pos - float64(lo)
	return sorted[lo] + frac*(sorted[hi]-sorted[lo])
}

func capped(v float64, lo, hi *float64) float64 {
	if lo != nil && v < *lo {
		return *lo
	}
	if hi != nil && v > *hi {
		return *hi
	}
	return v
}

// maxListedValues is the most distinct training values a numeric input's
// statistics list (InputStats.Values).
const maxListedValues = 4

// fewValues returns the distinct values of sorted when there are at most
// n, else nil.
func fewValues(sorted []float64, n int) []float64 {
	var out []float64
	for i, v := range sorted {
		if i == 0 || v != sorted[i-1] {
			if len(out) == n {
				return nil
			}
			out = append(out, v)
		}
	}
	return out
}
