package fit

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// Characteristic is one column to class, with what the spec says about
// it.
type Characteristic struct {
	// Name names the characteristic; names must be unique within a Fit.
	Name string
	// Kind is classing.Numeric or classing.Categorical.
	Kind classing.Kind
	// Values are the values of a numeric characteristic, one per row; NaN
	// means missing. ±Inf is an error.
	Values []float64
	// Codes are the level codes of a categorical characteristic, one per
	// row: an index into Levels, or -1 for missing.
	Codes []int32
	// Levels are the distinct level names of a categorical characteristic.
	Levels []string
	// Specials are the special values of a numeric characteristic (such as
	// 96 and 98 meaning "not applicable"): finite and distinct, each binned
	// on its own and never part of the cut points.
	Specials []float64
	// Direction is the required order of the bad rate of a numeric
	// characteristic, from the spec's monotone constraint; classing.Auto
	// (zero) lets Fit choose. It must be Auto for a categorical one.
	Direction classing.Direction
}

// rows returns the number of rows of c.
func (c *Characteristic) rows() int {
	if c.Kind == classing.Categorical {
		return len(c.Codes)
	}
	return len(c.Values)
}

// check validates what can be checked without scanning the rows.
func (c *Characteristic) check() error {
	switch c.Kind {
	case classing.Numeric:
		if c.Codes != nil || c.Levels != nil {
			return fmt.Errorf("%w: codes or levels on a numeric characteristic", ErrCharacteristic)
		}
		if c.Direction < classing.Decreasing || c.Direction > classing.Increasing {
			return fmt.Errorf("%w: direction %d", ErrCharacteristic, int(c.Direction))
		}
		seen := make(map[float64]bool, len(c.Specials))
		for _, s := range c.Specials {
			if math.IsNaN(s) || math.IsInf(s, 0) || seen[s] {
				return fmt.Errorf("%w: special value %v is not finite or is repeated", ErrCharacteristic, s)
			}
			seen[s] = true
		}
	case classing.Categorical:
		if c.Values != nil || c.Specials != nil || c.Direction != classing.Auto {
			return fmt.Errorf("%w: values, special values or a direction on a categorical characteristic", ErrCharacteristic)
		}
		seen := make(map[string]bool, len(c.Levels))
		for _, l := range c.Levels {
			if seen[l] {
				return fmt.Errorf("%w: level %q repeated", ErrCharacteristic, l)
			}
			// JSON would replace invalid bytes, and the stored binning
			// would no longer know the level.
			if !utf8.ValidString(l) {
				return fmt.Errorf("%w: level %q is not valid UTF-8", ErrCharacteristic, l)
			}
			seen[l] = true
		}
	default:
		return fmt.Errorf("%w: kind %q", ErrCharacteristic, c.Kind)
	}
	return nil
}

// Fit learns the binning of every characteristic from the labels y (1 bad,
// 0 good, one per row), in the order given; it does not modify its inputs.
// It classes characteristics in parallel (Config.Threads) and returns the
// same binnings whatever the number of workers. Errors name the
// characteristic at fault; when ctx is cancelled Fit stops between
// characteristics and returns an error wrapping ctx.Err().
func Fit(ctx context.Context, chars []Characteristic, y []float64, cfg Config) ([]*classing.Binning, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	var bads int
	for i, v := range y {
		switch v {
		case 0:
		case 1:
			bads++
		default:
			return nil, fmt.Errorf("%w: label %v at row %d", ErrLabel, v, i)
		}
	}
	if bads == 0 || bads == len(y) {
		return nil, fmt.Errorf("%w: %d bads in %d rows", ErrOneClass, bads, len(y))
	}
	names := make(map[string]bool, len(chars))
	for i := range chars {
		c := &chars[i]
		if c.Name == "" || names[c.Name] || !utf8.ValidString(c.Name) {
			return nil, fmt.Errorf("characteristic %d %q: %w: no name, a repeated name or not UTF-8", i, c.Name, ErrCharacteristic)
		}
		names[c.Name] = true
		if err := c.check(); err != nil {
			return nil, fmt.Errorf("characteristic %q: %w", c.Name, err)
		}
		if n := c.rows(); n != len(y) {
			return nil, fmt.Errorf("characteristic %q: %w: %d values for %d labels", c.Name, ErrShape, n, len(y))
		}
	}
	n := float64(len(y))
	t := totals{goods: n - float64(bads), bads: float64(bads), adj: cfg.Adjustment}
	lim := limits{
		minCount: int64(math.Ceil(cfg.MinShare * n)),
		minGoods: int64(cfg.MinGoods),
		minBads:  int64(cfg.MinBads),
	}
	if cfg.FreeTrend {
		lim.split = math.Log(n)
	}

	out := make([]*classing.Binning, len(chars))
	errs := make([]error, len(chars))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(cfg.Threads, len(chars)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s scratch
			for {
				i := int(next.Add(1) - 1)
				if i >= len(chars) {
					return
				}
				if err := ctx.Err(); err != nil {
					errs[i] = err
					continue
				}
				c := &chars[i]
				var b *classing.Binning
				var err error
				if c.Kind == classing.Numeric {
					b, err = fitNumeric(c, y, t, lim, cfg.FineBins, &s)
				} else {
					b, err = fitCategorical(c, y, t, lim)
				}
				if err == nil {
					err = b.Validate()
				}
				out[i], errs[i] = b, err
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fit binnings: %w", err)
	}
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("characteristic %q: %w", chars[i].Name, err)
		}
	}
	return out, nil
}

// finish fills in the WoE and IV of every bin of b and its total IV.
func finish(b *classing.Binning, t totals) *classing.Binning {
	b.IV = 0
	for i := range b.Bins {
		bin := &b.Bins[i]
		bin.WoE, bin.IV = t.woe(bin.Goods, bin.Bads)
		b.IV += bin.IV
	}
	return b
}
