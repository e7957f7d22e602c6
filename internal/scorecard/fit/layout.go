package fit

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/classing"
	classfit "github.com/credit-risk/credit-risk/internal/classing/fit"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/value"
)

// candidate is a characteristic the feature vector holds, before binning.
type candidate struct {
	name      string
	kind      classing.Kind
	source    scorecard.Source
	direction classing.Direction
	// Resolved columns: value (numeric), missing indicator (-1: none),
	// special columns and one-hot columns.
	value    int
	missing  int
	specials []int
	levels   []int
}

// Layout returns the characteristics the columns of a feature matrix made
// by p hold, in the order of their first column (see package scorecard):
//
//   - a number, rank or target-mean column is a numeric characteristic
//     named after its input or engineered value, with the input's missing
//     indicator and special-value columns when the pipeline has them, and
//     the direction of the column's monotone constraint;
//   - the one-hot columns of an input are one categorical characteristic.
//
// The special values of a text input (categorical or ordinal) have no
// number and count as missing. Indicator and special-value columns whose
// input has no value column are not characteristics. With p nil every
// column is a numeric characteristic named column_<j>.
func Layout(p *features.Pipeline, cols int) ([]string, []candidate, error) {
	if p == nil {
		names := make([]string, cols)
		cands := make([]candidate, cols)
		for j := range cols {
			names[j] = "column_" + strconv.Itoa(j)
			cands[j] = candidate{name: names[j], kind: classing.Numeric, source: scorecard.Source{Feature: names[j]}, value: j, missing: -1}
		}
		return names, cands, nil
	}
	if p.NumFeatures() != cols {
		return nil, nil, fmt.Errorf("scorecard: the pipeline has %d features; the matrix %d columns", p.NumFeatures(), cols)
	}
	inputs := map[string]*features.Input{}
	for i := range p.Inputs {
		inputs[p.Inputs[i].Name] = &p.Inputs[i]
	}
	indicator := map[string]int{}
	specials := map[string][]int{}
	for j, f := range p.Features {
		switch f.Kind {
		case features.FeatureIndicator:
			indicator[f.Source] = j
		case features.FeatureSpecial:
			specials[f.Source] = append(specials[f.Source], j)
		}
	}
	var out []candidate
	onehot := map[string]int{} // input → index in out
	for j, f := range p.Features {
		switch f.Kind {
		case features.FeatureNumber, features.FeatureRank, features.FeatureTargetMean:
			c := candidate{name: f.Source, kind: classing.Numeric, source: scorecard.Source{Feature: f.Name}, value: j, missing: -1}
			switch {
			case f.Monotone > 0:
				c.direction = classing.Increasing
			case f.Monotone < 0:
				c.direction = classing.Decreasing
			}
			if in := inputs[f.Source]; f.Kind == features.FeatureRank && in != nil {
				c.source.Ordinal = slices.Clone(in.Order)
			}
			if i, ok := indicator[f.Source]; ok {
				c.missing, c.source.Missing = i, p.Features[i].Name
			}
			if in := inputs[f.Source]; in != nil && in.Kind == features.KindNumeric {
				for _, i := range specials[f.Source] {
					v, err := specialNumber(in, p.Features[i].Level)
					if err != nil {
						return nil, nil, err
					}
					c.specials = append(c.specials, i)
					c.source.Specials = append(c.source.Specials, scorecard.SpecialColumn{Feature: p.Features[i].Name, Value: v})
				}
			}
			out = append(out, c)
		case features.FeatureOneHot:
			k, ok := onehot[f.Source]
			if !ok {
				k = len(out)
				onehot[f.Source] = k
				out = append(out, candidate{name: f.Source, kind: classing.Categorical, value: -1, missing: -1})
			}
			out[k].levels = append(out[k].levels, j)
			out[k].source.Levels = append(out[k].source.Levels, scorecard.LevelColumn{Feature: f.Name, Level: f.Level})
		}
	}
	seen := map[string]bool{}
	for _, c := range out {
		if seen[c.name] {
			return nil, nil, fmt.Errorf("scorecard: two characteristics named %q", c.name)
		}
		seen[c.name] = true
	}
	return p.FeatureNames(), out, nil
}

// specialNumber reads a numeric input's special value as the pipeline
// compares it.
func specialNumber(in *features.Input, text string) (float64, error) {
	vp := value.Parser{Kind: in.Parser, Layout: in.Layout, Missing: []string{}}
	v, _, err := vp.ParseFloat(text)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("scorecard: input %q: special value %q: %v", in.Name, text, err)
	}
	return v, nil
}

// characteristic reads c's values from the rows of X for classing.
func (c *candidate) characteristic(X *matrix.Dense) classfit.Characteristic {
	n := X.Rows
	if c.kind == classing.Categorical {
		codes := make([]int32, n)
		levels := make([]string, len(c.levels))
		for j, lc := range c.source.Levels {
			levels[j] = lc.Level
		}
		for i := range n {
			row := X.Row(i)
			codes[i] = -1
			for j, col := range c.levels {
				if row[col] == 1 {
					codes[i] = int32(j)
					break
				}
			}
		}
		return classfit.Characteristic{Name: c.name, Kind: classing.Categorical, Codes: codes, Levels: levels}
	}
	values := make([]float64, n)
	for i := range n {
		row := X.Row(i)
		v := row[c.value]
		if c.missing >= 0 && row[c.missing] == 1 {
			v = math.NaN()
		}
		for j, col := range c.specials {
			if row[col] == 1 {
				v = c.source.Specials[j].Value
			}
		}
		values[i] = v
	}
	var sv []float64
	for _, s := range c.source.Specials {
		sv = append(sv, s.Value)
	}
	return classfit.Characteristic{Name: c.name, Kind: classing.Numeric, Values: values, Specials: sv, Direction: c.direction}
}
