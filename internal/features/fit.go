package features

import (
	"fmt"
	"slices"
	"sort"

	"github.com/credit-risk/credit-risk/internal/frame"
)

// EncodingConfig tunes how Fit encodes categories.
type EncodingConfig struct {
	// MaxOneHot is the most levels one-hot encoded; above it a category is
	// target-mean encoded.
	MaxOneHot int
	// MinLevelShare folds levels rarer than this share of training rows
	// into OtherLevel.
	MinLevelShare float64
	// Smoothing is the prior weight m of target-mean encoding:
	// (Σy_level + m·prior) / (n_level + m).
	Smoothing float64
}

// FitConfig is what Fit needs beyond the cleaned table.
type FitConfig struct {
	Dataset   string
	DateInput string
	Inputs    []Input
	Derived   []Derived
	// DerivedMonotone holds the monotone constraint of each derived value.
	DerivedMonotone []int
	Encoding        EncodingConfig
}

// Fit learns the encoding stage on the training rows of a cleaned table and
// returns the initialised pipeline. Every input becomes features by kind:
// numbers pass through, ordinal levels become ranks, categories become
// one-hot or target-mean columns, inputs with an indicator add one, and
// date inputs are used only through derived values. Derived values follow
// the inputs.
func Fit(cfg FitConfig, f *frame.Frame, labels []float64, train []bool) (*Pipeline, error) {
	if len(labels) != f.Rows() || len(train) != f.Rows() {
		panic(fmt.Sprintf("features: %d labels and %d train flags for %d rows", len(labels), len(train), f.Rows()))
	}
	p := &Pipeline{
		Version:   FormatVersion,
		Dataset:   cfg.Dataset,
		DateInput: cfg.DateInput,
		Inputs:    slices.Clone(cfg.Inputs),
		Derived:   slices.Clone(cfg.Derived),
	}
	var nTrain int
	var prior float64
	for i, t := range train {
		if t {
			nTrain++
			prior += labels[i]
		}
	}
	if nTrain == 0 {
		return nil, fmt.Errorf("features: no training rows")
	}
	prior /= float64(nTrain)
	for i := range p.Inputs {
		in := &p.Inputs[i]
		switch in.Kind {
		case KindNumeric:
			p.Features = append(p.Features, Feature{Name: in.Name, Kind: FeatureNumber, Source: in.Name, Monotone: in.Monotone})
		case KindOrdinal:
			p.Features = append(p.Features, Feature{Name: in.Name, Kind: FeatureRank, Source: in.Name, Monotone: in.Monotone})
		case KindCategorical:
			c := f.Col(in.Name)
			if c == nil || c.Kind != frame.Categorical {
				return nil, fmt.Errorf("features: cleaned table has no categorical column %q", in.Name)
			}
			p.Features = append(p.Features, encodeCategory(in.Name, c, labels, train, nTrain, prior, cfg.Encoding)...)
		}
		if in.Indicator {
			name := IndicatorColumn(in.Name)
			p.Features = append(p.Features, Feature{Name: name, Kind: FeatureIndicator, Source: in.Name})
		}
	}
	for i, d := range p.Derived {
		mono := 0
		if i < len(cfg.DerivedMonotone) {
			mono = cfg.DerivedMonotone[i]
		}
		p.Features = append(p.Features, Feature{Name: d.Name, Kind: FeatureNumber, Source: d.Name, Monotone: mono})
	}
	if err := p.Init(); err != nil {
		return nil, err
	}
	return p, nil
}

// encodeCategory returns the features of one categorical input.
func encodeCategory(name string, c *frame.Column, labels []float64, train []bool, nTrain int, prior float64, cfg EncodingConfig) []Feature {
	counts := make([]int, len(c.Levels))
	bads := make([]float64, len(c.Levels))
	for i, code := range c.Codes {
		if train[i] && code >= 0 {
			counts[code]++
			bads[code] += labels[i]
		}
	}
	type level struct {
		name string
		n    int
		bad  float64
	}
	var kept []level
	folded := false
	minCount := cfg.MinLevelShare * float64(nTrain)
	for code, n := range counts {
		switch {
		case n == 0:
		case float64(n) < minCount || c.Levels[code] == OtherLevel:
			folded = true
		default:
			kept = append(kept, level{c.Levels[code], n, bads[code]})
		}
	}
	sort.Slice(kept, func(a, b int) bool {
		if kept[a].n != kept[b].n {
			return kept[a].n > kept[b].n
		}
		return kept[a].name < kept[b].name
	})
	total := len(kept)
	if folded {
		total++
	}
	if total < 2 {
		return nil // one level: no information
	}
	if total <= cfg.MaxOneHot {
		var out []Feature
		for _, l := range kept {
			out = append(out, Feature{Name: name + "=" + l.name, Kind: FeatureOneHot, Source: name, Level: l.name})
		}
		if folded {
			out = append(out, Feature{Name: name + "=" + OtherLevel, Kind: FeatureOneHot, Source: name, Level: OtherLevel})
		}
		return out
	}
	means := make(map[string]float64, len(kept))
	m := cfg.Smoothing
	for _, l := range kept {
		means[l.name] = (l.bad + m*prior) / (float64(l.n) + m)
	}
	return []Feature{{Name: name + "_bad_rate", Kind: FeatureTargetMean, Source: name, Means: means, Default: prior}}
}
