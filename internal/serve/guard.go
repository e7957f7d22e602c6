package serve

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
	"github.com/credit-risk/credit-risk/internal/value"
)

// The scoring API's range policy: what happens to a value the model never
// saw in training. The feature pipeline only refuses what the spec calls
// invalid (outside min/max); a value can be valid and still far from any
// training loan (issue_d Dec-9999, loan_amnt 1e38, dti 9999), where the
// model's output means nothing. Each input's training range, values and
// levels are in the model file (Input.Stats); the policy (Input.RangePolicy,
// from the spec's range_policy, or the server's RANGE_POLICY) decides:
//
//   - A number outside the training range [min, max] (the capped range
//     when the pipeline caps the field): clamp scores it as the nearest
//     bound (for a capped field that is what the pipeline does anyway)
//     and lists it in the response's outside_training; reject refuses the
//     application (422, ProblemTrainingRange) naming the field, the value
//     and the range. A number of a field that took at most a few values in
//     training (term: 36, 60) and is none of them is scored as it is
//     (clamp, listed) or refused (reject).
//   - A categorical level not seen in training: scored as a rare level and
//     listed (clamp), or refused (reject, features.ProblemEnum).
//   - A date outside the training period: scored as it is (clamp; new
//     applications come after the training period), or refused (reject).
//
// Whatever the policy, a value outside the plausibility window is refused
// (ProblemImplausible): a number more than NumberWindow training widths
// beyond the training range, a date more than DateWindowYears years before
// or after the training period.
const (
	// ProblemTrainingRange is the field problem of a value outside the
	// training range, under the reject policy.
	ProblemTrainingRange = "outside_training_range"
	// ProblemImplausible is the field problem of a value outside the
	// plausibility window, refused under any policy.
	ProblemImplausible = "implausible"

	// NumberWindow is the plausibility window of numbers, in training
	// widths (max − min) on each side of the training range.
	NumberWindow = 10
	// DateWindowYears is the plausibility window of dates, in years on
	// each side of the training period.
	DateWindowYears = 20
)

// guard is the range policy of one input, built from the model file.
type guard struct {
	input  int // position in Pipeline.Inputs
	in     *features.Input
	reject bool
	// lo and hi are the training range of a number or date; hardLo and
	// hardHi the plausibility window.
	lo, hi, hardLo, hardHi float64
	values                 []float64           // few distinct training values
	levels                 map[string]struct{} // categorical training levels
}

// outside is a value scored although it is outside what training saw
// (the clamp policy), for the response's outside_training list.
type outside struct {
	Field    string
	Value    features.Raw // as parsed: a number (dates: days) or a level
	ScoredAs features.Raw
	Detail   string
}

// newGuards builds the guards of a pipeline's inputs; policy is the
// server's default for inputs whose spec sets none.
func newGuards(p *features.Pipeline, policy string) []guard {
	var gs []guard
	for i := range p.Inputs {
		in := &p.Inputs[i]
		g := guard{input: i, in: in, reject: in.RangePolicy == features.RangeReject || in.RangePolicy == "" && policy == features.RangeReject}
		switch in.Kind {
		case features.KindNumeric, features.KindDate:
			if in.Stats.Min == nil || in.Stats.Max == nil {
				continue
			}
			g.lo, g.hi = *in.Stats.Min, *in.Stats.Max
			if in.Kind == features.KindDate {
				const day = 365.25
				g.hardLo, g.hardHi = g.lo-DateWindowYears*day, g.hi+DateWindowYears*day
			} else {
				w := g.hi - g.lo
				if w <= 0 {
					w = max(math.Abs(g.hi), 1)
				}
				g.hardLo, g.hardHi = g.lo-NumberWindow*w, g.hi+NumberWindow*w
				g.values = in.Stats.Values
			}
		case features.KindCategorical:
			if len(in.Stats.Levels) == 0 {
				continue
			}
			g.levels = make(map[string]struct{}, len(in.Stats.Levels))
			for _, l := range in.Stats.Levels {
				g.levels[l] = struct{}{}
			}
		default:
			continue // ordinal: an unknown level is already refused
		}
		gs = append(gs, g)
	}
	return gs
}

// checkRanges applies the guards to a cleaned row (features.CleanRecord)
// of the raw values raw. It returns the field problems (the application
// is refused) and appends to flags the values scored although outside
// training; clamped values are written into row, which the caller then
// encodes.
func checkRanges(gs []guard, raw []features.Raw, row *features.Row, flags []outside) (problems []features.FieldError, _ []outside) {
	for k := range gs {
		g := &gs[k]
		i := g.input
		if row.Missing[i] {
			continue
		}
		if g.levels != nil {
			lvl := row.Level[i]
			if _, ok := g.levels[lvl]; ok {
				continue
			}
			if g.reject {
				problems = append(problems, features.FieldError{Field: g.in.Name, Problem: features.ProblemEnum,
					Detail: fmt.Sprintf("level %q was not seen in training (%s) and the field's range policy is reject", clip(lvl), levelList(g.in.Stats.Levels))})
				continue
			}
			flags = append(flags, outside{Field: g.in.Name, Value: features.RawString(lvl), ScoredAs: features.RawString(features.OtherLevel),
				Detail: "a level not seen in training, scored as a rare level"})
			continue
		}
		v := row.Num[i]
		if v > g.lo && v < g.hi && g.values == nil {
			continue // the usual case
		}
		if g.in.CapLow != nil || g.in.CapHigh != nil {
			// The pipeline capped the value: read what was sent.
			if p, _, fe := g.in.Parse(raw[i], true); fe == nil && !p.Missing {
				v = p.Num
			}
		}
		isDate := g.in.Kind == features.KindDate
		switch {
		case v < g.hardLo || v > g.hardHi:
			detail := fmt.Sprintf("%s is far outside the training range %s (more than %d training widths beyond it); refused whatever the range policy", g.format(v), g.rangeText(), NumberWindow)
			if isDate {
				detail = fmt.Sprintf("%s is more than %d years away from the training period %s; refused whatever the range policy", g.format(v), DateWindowYears, g.rangeText())
			}
			problems = append(problems, features.FieldError{Field: g.in.Name, Problem: ProblemImplausible, Detail: detail})
		case v < g.lo || v > g.hi:
			if g.reject {
				problems = append(problems, features.FieldError{Field: g.in.Name, Problem: ProblemTrainingRange,
					Detail: fmt.Sprintf("%s is outside the range seen in training %s and the field's range policy is reject", g.format(v), g.rangeText())})
				continue
			}
			if isDate {
				continue // scored as it is: see the package comment
			}
			c := min(max(v, g.lo), g.hi)
			row.Num[i] = c
			flags = append(flags, outside{Field: g.in.Name, Value: features.RawNumber(v), ScoredAs: features.RawNumber(c),
				Detail: "outside the range seen in training " + g.rangeText() + ", scored as its nearest bound"})
		case g.values != nil && !slices.Contains(g.values, v):
			if g.reject {
				problems = append(problems, features.FieldError{Field: g.in.Name, Problem: ProblemTrainingRange,
					Detail: fmt.Sprintf("%s is not a value seen in training (%s) and the field's range policy is reject", g.format(v), g.valueList())})
				continue
			}
			flags = append(flags, outside{Field: g.in.Name, Value: features.RawNumber(v), ScoredAs: features.RawNumber(v),
				Detail: "not a value seen in training (" + g.valueList() + "), scored as it is"})
		}
	}
	return problems, flags
}

// format writes a number, or a date in the field's layout.
func (g *guard) format(v float64) string {
	if g.in.Kind == features.KindDate {
		return value.DaysToTime(v).Format(g.in.Layout)
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func (g *guard) rangeText() string { return "[" + g.format(g.lo) + ", " + g.format(g.hi) + "]" }

func (g *guard) valueList() string {
	s := make([]string, len(g.values))
	for i, v := range g.values {
		s[i] = g.format(v)
	}
	return strings.Join(s, ", ")
}

// levelList lists training levels for a message, at most 20.
func levelList(levels []string) string {
	if len(levels) > 20 {
		return strings.Join(levels[:20], ", ") + ", …"
	}
	return strings.Join(levels, ", ")
}

// clip shortens a client's value for a message.
func clip(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

// appendOutside appends the outside_training list of a scored
// application, after a comma.
func appendOutside(b []byte, flags []outside) []byte {
	b = wire.AppendKey(b, "outside_training", false)
	b = append(b, '[')
	for i, f := range flags {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"field":`...)
		b = wire.AppendString(b, f.Field)
		b = append(b, `,"value":`...)
		b = appendRaw(b, f.Value)
		b = append(b, `,"scored_as":`...)
		b = appendRaw(b, f.ScoredAs)
		b = append(b, `,"detail":`...)
		b = wire.AppendString(b, f.Detail)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendRaw(b []byte, r features.Raw) []byte {
	if r.IsNum {
		return wire.AppendFloat(b, r.Num)
	}
	return wire.AppendString(b, clip(r.Str))
}
