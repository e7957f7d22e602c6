package fit

import (
	"fmt"
	"slices"
	"sort"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
)

// Pipeline learns the encoding stage on the training rows (train[i] true)
// of a cleaned table and returns the initialised pipeline. Every input
// becomes features by kind: numbers pass through, ordinal levels become
// ranks, categories become one-hot or target-mean columns, inputs with an
// indicator add one, each special value seen in training (a share above 0
// in Stats.SpecialShares) adds a 0/1 feature (features.SpecialFeature),
// and date inputs are used only through derived values. Derived values
// follow the inputs.
func Pipeline(cfg Config, f *frame.Frame, labels []float64, train []bool) (*features.Pipeline, error) {
	if len(labels) != f.Rows() || len(train) != f.Rows() {
		panic(fmt.Sprintf("fit: %d labels and %d train flags for %d rows", len(labels), len(train), f.Rows()))
	}
	p := &features.Pipeline{
		Version:   features.FormatVersion,
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
		case features.KindNumeric:
			p.Features = append(p.Features, features.Feature{Name: in.Name, Kind: features.FeatureNumber, Source: in.Name, Monotone: in.Monotone})
		case features.KindOrdinal:
			p.Features = append(p.Features, features.Feature{Name: in.Name, Kind: features.FeatureRank, Source: in.Name, Monotone: in.Monotone})
		case features.KindCategorical:
			c := f.Col(in.Name)
			if c == nil || c.Kind != frame.Categorical {
				return nil, fmt.Errorf("features: cleaned table has no categorical column %q", in.Name)
			}
			p.Features = append(p.Features, encodeCategory(in.Name, c, labels, train, nTrain, prior, cfg.Encoding)...)
		}
		if in.Indicator {
			name := features.IndicatorColumn(in.Name)
			p.Features = append(p.Features, features.Feature{Name: name, Kind: features.FeatureIndicator, Source: in.Name})
		}
		for k, sv := range in.Special {
			if k < len(in.Stats.SpecialShares) && in.Stats.SpecialShares[k] > 0 {
				p.Features = append(p.Features, features.Feature{Name: features.SpecialFeature(in.Name, sv), Kind: features.FeatureSpecial, Source: in.Name, Level: sv})
			}
		}
	}
	for i, d := range p.Derived {
		mono := 0
		if i < len(cfg.DerivedMonotone) {
			mono = cfg.DerivedMonotone[i]
		}
		p.Features = append(p.Features, features.Feature{Name: d.Name, Kind: features.FeatureNumber, Source: d.Name, Monotone: mono})
	}
	if err := p.Init(); err != nil {
		return nil, err
	}
	return p, nil
}

// encodeCategory returns the features of one categorical input.
func encodeCategory(name string, c *frame.Column, labels []float64, train []bool, nTrain int, prior float64, cfg Encoding) []features.Feature {
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
		case float64(n) < minCount || c.Levels[code] == features.OtherLevel: // a real "other" stays
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
		var out []features.Feature
		for _, l := range kept {
			out = append(out, features.Feature{Name: name + "=" + l.name, Kind: features.FeatureOneHot, Source: name, Level: l.name})
		}
		if folded {
			out = append(out, features.Feature{Name: name + "=" + features.OtherLevel, Kind: features.FeatureOneHot, Source: name, Level: features.OtherLevel})
		}
		return out
	}
	means := make(map[string]float64, len(kept))
	m := cfg.Smoothing
	for _, l := range kept {
		means[l.name] = (l.bad + m*prior) / (float64(l.n) + m)
	}
	return []features.Feature{{Name: name + "_bad_rate", Kind: features.FeatureTargetMean, Source: name, Means: means, Default: prior}}
}
