package scorecard

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// FormatVersion is the version of the serialised Scorecard.
const FormatVersion = 1

// MaxCharacteristics bounds the characteristics of a scorecard.
const MaxCharacteristics = 1000

// maxOrdinal bounds the ordinal levels of a characteristic.
const maxOrdinal = 10_000

// ErrInvalid reports a Scorecard that fails Validate or Init.
var ErrInvalid = errors.New("scorecard: invalid scorecard")

// Scorecard is a fitted scorecard. It is plain data: encode it with
// encoding/json, decode it with Read (or decode it and call Validate), then
// call Init with the model's feature names before applying it. The package
// documentation gives the points and PD formulas.
type Scorecard struct {
	// Version is FormatVersion.
	Version int `json:"version"`
	// Scaling maps log-odds to points.
	Scaling Scaling `json:"scaling"`
	// Intercept is α of the fitted model ln(odds_bad) = α + Σ β_k·WoE_k,
	// spread over the characteristics' points.
	Intercept float64 `json:"intercept"`
	// BasePoints are points every application gets; 0 when the intercept
	// and the offset are spread over the characteristics, as fit does.
	BasePoints int `json:"base_points"`
	// Characteristics are the characteristics in the order of the table.
	Characteristics []Characteristic `json:"characteristics"`

	resolved []source // per characteristic, its columns in the feature vector
}

// Characteristic is one characteristic of a scorecard: its binning, its
// coefficient and the points of each bin.
type Characteristic struct {
	// Name names the characteristic; it equals Binning.Name.
	Name string `json:"name"`
	// Source says where the feature vector holds its value.
	Source Source `json:"source"`
	// Binning is its binning, with the training counts, WoE and IV.
	Binning *classing.Binning `json:"binning"`
	// Coef is β of its WoE in ln(odds_bad); negative, since WoE is
	// positive where a bin is safer than average. It is 0 in a bin-coded
	// scorecard.
	Coef float64 `json:"coef"`
	// BinCoefs, in a bin-coded scorecard, are γ_j of each bin in
	// ln(odds_bad), in the bins' order: the model has a coefficient per
	// bin instead of one on the WoE (see the package documentation).
	// Empty in a WoE-coded scorecard, which is what a file without the
	// key holds.
	BinCoefs []float64 `json:"bin_coefs,omitempty"`
	// Points are the integer points of each bin, in the bins' order.
	Points []int `json:"points"`
}

// Source names the feature columns a characteristic is read from.
type Source struct {
	// Feature is the column of a numeric characteristic's value; empty for
	// a categorical one.
	Feature string `json:"feature,omitempty"`
	// Missing is the 0/1 column that is 1 when the value was missing;
	// empty when there is none (a NaN value is then the only missing one).
	Missing string `json:"missing,omitempty"`
	// Specials are the 0/1 columns of the declared special values of a
	// numeric characteristic.
	Specials []SpecialColumn `json:"specials,omitempty"`
	// Levels are the one-hot columns of a categorical characteristic and
	// the level each stands for.
	Levels []LevelColumn `json:"levels,omitempty"`
	// Ordinal, for a numeric characteristic read from an ordinal's rank
	// column (0 for the lowest level), lists the levels lowest first, so
	// that the table names the levels of each range. It does not change
	// how a value is binned.
	Ordinal []string `json:"ordinal,omitempty"`
}

// SpecialColumn is the 0/1 column of one special value.
type SpecialColumn struct {
	Feature string  `json:"feature"`
	Value   float64 `json:"value"`
}

// LevelColumn is the one-hot column of one level.
type LevelColumn struct {
	Feature string `json:"feature"`
	Level   string `json:"level"`
}

// source is a Source resolved to column indices.
type source struct {
	feature  int // -1 for a categorical characteristic
	missing  int // -1 when none
	specials []int
	levels   []int
}

// Validate reports whether s is well formed: the current FormatVersion, a
// sane scaling, between 1 and MaxCharacteristics characteristics with
// distinct names, each with a valid binning of its own name, a finite
// coefficient (0 when it has bin coefficients, one finite value per bin),
// one point value per bin within ±MaxAbsScore, and a source
// of its kind (a numeric characteristic reads a number column and its
// special columns name special values of the binning; a categorical one
// reads one-hot columns of distinct levels). Errors wrap ErrInvalid.
func (s *Scorecard) Validate() error {
	if err := s.validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return nil
}

func (s *Scorecard) validate() error {
	if s.Version != FormatVersion {
		return fmt.Errorf("version %d; want %d", s.Version, FormatVersion)
	}
	if err := s.Scaling.Validate(); err != nil {
		return err
	}
	if !finite(s.Intercept) {
		return fmt.Errorf("intercept %v", s.Intercept)
	}
	if math.Abs(float64(s.BasePoints)) > MaxAbsScore {
		return fmt.Errorf("base points %d beyond ±%g", s.BasePoints, float64(MaxAbsScore))
	}
	if n := len(s.Characteristics); n == 0 || n > MaxCharacteristics {
		return fmt.Errorf("%d characteristics; want 1 to %d", n, MaxCharacteristics)
	}
	names := make(map[string]bool, len(s.Characteristics))
	for i := range s.Characteristics {
		c := &s.Characteristics[i]
		if err := c.validate(); err != nil {
			return fmt.Errorf("characteristic %d %q: %w", i, c.Name, err)
		}
		if names[c.Name] {
			return fmt.Errorf("characteristic %q appears twice", c.Name)
		}
		names[c.Name] = true
	}
	return nil
}

func (c *Characteristic) validate() error {
	if c.Binning == nil {
		return errors.New("no binning")
	}
	if err := c.Binning.Validate(); err != nil {
		return err
	}
	if c.Name != c.Binning.Name {
		return fmt.Errorf("binning named %q", c.Binning.Name)
	}
	if !finite(c.Coef) {
		return fmt.Errorf("coefficient %v", c.Coef)
	}
	if c.BinCoefs != nil {
		if c.Coef != 0 {
			return fmt.Errorf("coefficient %v and bin coefficients; a bin-coded characteristic has coefficient 0", c.Coef)
		}
		if len(c.BinCoefs) != len(c.Binning.Bins) {
			return fmt.Errorf("%d bin coefficients for %d bins", len(c.BinCoefs), len(c.Binning.Bins))
		}
		for j, g := range c.BinCoefs {
			if !finite(g) {
				return fmt.Errorf("bin %d coefficient %v", j, g)
			}
		}
	}
	if len(c.Points) != len(c.Binning.Bins) {
		return fmt.Errorf("%d point values for %d bins", len(c.Points), len(c.Binning.Bins))
	}
	for j, p := range c.Points {
		if math.Abs(float64(p)) > MaxAbsScore {
			return fmt.Errorf("bin %d points %d beyond ±%g", j, p, float64(MaxAbsScore))
		}
	}
	src := &c.Source
	switch c.Binning.Kind {
	case classing.Numeric:
		if src.Feature == "" || len(src.Levels) > 0 {
			return errors.New("a numeric characteristic reads one number column and no one-hot columns")
		}
		if len(src.Ordinal) > maxOrdinal {
			return fmt.Errorf("%d ordinal levels; at most %d", len(src.Ordinal), maxOrdinal)
		}
		for _, sc := range src.Specials {
			if sc.Feature == "" || !slices.ContainsFunc(c.Binning.Specials, func(v classing.SpecialValue) bool { return v.Value == sc.Value }) {
				return fmt.Errorf("special column %q for %v, not a special value of the binning", sc.Feature, sc.Value)
			}
		}
	case classing.Categorical:
		if src.Feature != "" || len(src.Specials) > 0 || len(src.Ordinal) > 0 || len(src.Levels) == 0 {
			return errors.New("a categorical characteristic reads one-hot columns only")
		}
		seen := make(map[string]bool, len(src.Levels))
		for _, lc := range src.Levels {
			if lc.Feature == "" || seen[lc.Level] {
				return fmt.Errorf("one-hot column %q of level %q unnamed or repeated", lc.Feature, lc.Level)
			}
			seen[lc.Level] = true
		}
	}
	return nil
}

// Init validates s and resolves its sources against the model's feature
// names, which every named column must be among. It must be called before
// the apply methods; call it again after changing s.
func (s *Scorecard) Init(features []string) error {
	if err := s.Validate(); err != nil {
		return err
	}
	index := make(map[string]int, len(features))
	for i, f := range features {
		index[f] = i
	}
	col := func(c *Characteristic, name string) (int, error) {
		i, ok := index[name]
		if !ok {
			return 0, fmt.Errorf("%w: characteristic %q reads column %q, which the model does not have", ErrInvalid, c.Name, name)
		}
		return i, nil
	}
	resolved := make([]source, len(s.Characteristics))
	for k := range s.Characteristics {
		c := &s.Characteristics[k]
		r := source{feature: -1, missing: -1}
		var err error
		if c.Source.Feature != "" {
			if r.feature, err = col(c, c.Source.Feature); err != nil {
				return err
			}
		}
		if c.Source.Missing != "" {
			if r.missing, err = col(c, c.Source.Missing); err != nil {
				return err
			}
		}
		for _, sc := range c.Source.Specials {
			i, err := col(c, sc.Feature)
			if err != nil {
				return err
			}
			r.specials = append(r.specials, i)
		}
		for _, lc := range c.Source.Levels {
			i, err := col(c, lc.Feature)
			if err != nil {
				return err
			}
			r.levels = append(r.levels, i)
		}
		resolved[k] = r
	}
	s.resolved = resolved
	return nil
}

// Bin returns the bin of characteristic k for the feature vector x. It
// panics when Init has not succeeded or k is out of range.
func (s *Scorecard) Bin(k int, x []float64) int {
	c, r := &s.Characteristics[k], &s.resolved[k]
	b := c.Binning
	if r.feature < 0 {
		for j, i := range r.levels {
			if x[i] == 1 {
				return b.BinLevel(c.Source.Levels[j].Level)
			}
		}
		return b.Missing
	}
	if r.missing >= 0 && x[r.missing] == 1 {
		return b.Missing
	}
	for j, i := range r.specials {
		if x[i] == 1 {
			return b.Bin(c.Source.Specials[j].Value)
		}
	}
	return b.Bin(x[r.feature])
}

// Value returns the value of characteristic k read from x, as Bin sees
// it: the number (NaN when missing, the special value when special) of a
// numeric characteristic, NaN for a categorical one.
func (s *Scorecard) Value(k int, x []float64) float64 {
	c, r := &s.Characteristics[k], &s.resolved[k]
	if r.feature < 0 || (r.missing >= 0 && x[r.missing] == 1) {
		return math.NaN()
	}
	for j, i := range r.specials {
		if x[i] == 1 {
			return c.Source.Specials[j].Value
		}
	}
	return x[r.feature]
}

// Score returns the score of the feature vector x: BasePoints plus the
// points of each characteristic's bin.
func (s *Scorecard) Score(x []float64) int {
	score := s.BasePoints
	for k := range s.Characteristics {
		score += s.Characteristics[k].Points[s.Bin(k, x)]
	}
	return score
}

// Margin returns ln(odds_bad) at the score of x, the raw PD's log-odds.
func (s *Scorecard) Margin(x []float64) float64 {
	return s.Scaling.LogOddsBad(float64(s.Score(x)))
}

// Label describes bin i of the characteristic for people: the binning's
// label (classing.Binning.Label), or for a range of an ordinal's ranks the
// levels it holds, such as "{A1, A2, A3}".
func (c *Characteristic) Label(i int) string {
	b := c.Binning
	if len(c.Source.Ordinal) == 0 || b.Bins[i].Kind != classing.Range {
		return b.Label(i)
	}
	var levels []string
	for r, level := range c.Source.Ordinal {
		if b.Bin(float64(r)) == i {
			levels = append(levels, level)
		}
	}
	if len(levels) == 0 {
		return b.Label(i)
	}
	return "{" + strings.Join(levels, ", ") + "}"
}

// MaxPoints returns the most points any bin of characteristic k gives.
func (s *Scorecard) MaxPoints(k int) int { return slices.Max(s.Characteristics[k].Points) }

// Reason is one characteristic's share of an application's score.
type Reason struct {
	// Characteristic names it.
	Characteristic string `json:"characteristic"`
	// Bin is the label of the application's bin (classing.Binning.Label).
	Bin string `json:"bin"`
	// Points are the points the application got for it.
	Points int `json:"points"`
	// MaxPoints are the most points any of its bins gives.
	MaxPoints int `json:"max_points"`
	// PointsLost is MaxPoints − Points.
	PointsLost int `json:"points_lost"`
}

// Reasons returns every characteristic's points for x, in decreasing
// order of points lost (by name on a tie): the first k are the principal
// reasons of an adverse action. k ≤ 0 means all.
func (s *Scorecard) Reasons(x []float64, k int) []Reason {
	out := make([]Reason, len(s.Characteristics))
	for i := range s.Characteristics {
		c := &s.Characteristics[i]
		bin := s.Bin(i, x)
		maxp := s.MaxPoints(i)
		out[i] = Reason{Characteristic: c.Name, Bin: c.Label(bin), Points: c.Points[bin], MaxPoints: maxp, PointsLost: maxp - c.Points[bin]}
	}
	slices.SortStableFunc(out, func(a, b Reason) int {
		if c := cmp.Compare(b.PointsLost, a.PointsLost); c != 0 {
			return c
		}
		return cmp.Compare(a.Characteristic, b.Characteristic)
	})
	if k > 0 && k < len(out) {
		out = out[:k]
	}
	return out
}

// Contributions writes each characteristic's points lost over Factor,
// (MaxPoints − points)/Factor, its term of Margin(x) measured from its best
// bin, into the element of dst at its value column (for a categorical
// characteristic the one-hot column of the application's level, or its
// first one when none is set), and returns the base value
// (Offset − BasePoints − Σ MaxPoints)/Factor, the margin of an application
// in every characteristic's best bin; base + Σ dst == Margin(x) up to
// rounding. Ranking the columns by contribution ranks the characteristics
// by points lost. dst has one element per feature and is zeroed first.
func (s *Scorecard) Contributions(dst, x []float64) (base float64) {
	clear(dst)
	f := s.Scaling.Factor
	best := s.BasePoints
	for k := range s.Characteristics {
		r := &s.resolved[k]
		col := r.feature
		if col < 0 {
			col = r.levels[0]
			for _, i := range r.levels {
				if x[i] == 1 {
					col = i // the column of the application's level
					break
				}
			}
		}
		maxp := s.MaxPoints(k)
		best += maxp
		dst[col] += float64(maxp-s.Characteristics[k].Points[s.Bin(k, x)]) / f
	}
	return (s.Scaling.Offset - float64(best)) / f
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
