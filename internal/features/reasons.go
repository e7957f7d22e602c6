package features

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of a reason-code catalogue entry, as the spec's
// (dataset.MaxReasonCode, dataset.MaxReasonStatement).
const (
	// MaxReasonCode is the longest reason code, in bytes.
	MaxReasonCode = 40
	// MaxReasonStatement is the longest reason statement, in bytes.
	MaxReasonStatement = 200
)

// ReasonText is one reason of the catalogue: a stable code that systems
// store and a plain statement an adverse-action notice prints.
type ReasonText struct {
	Code      string `json:"code"`
	Statement string `json:"statement"`
}

// Reasons is an input's entry in the reason-code catalogue (the spec's
// reasons.<field>): the reason used when the input pushed an application
// toward decline, chosen by the Direction of its value.
type Reasons struct {
	// Code and Statement are the input's reason for any direction without
	// its own: a category, a special value, or a number whose High or Low
	// is not given.
	Code      string `json:"code"`
	Statement string `json:"statement"`
	// High is the reason when the value is above the training median (for
	// a number or a date; an ordinal's level above the median level);
	// nil: Code and Statement.
	High *ReasonText `json:"high,omitempty"`
	// Low is the reason when the value is at or below the training median;
	// nil: Code and Statement.
	Low *ReasonText `json:"low,omitempty"`
	// Missing is the "insufficient information" reason, used when the
	// application did not give the input.
	Missing ReasonText `json:"missing"`
}

// Direction says which of an input's reasons its value in an application
// calls for.
type Direction uint8

// Directions of a value.
const (
	// DirectionNone: a categorical level, a special value, or a number
	// without a training median; the input's own Code and Statement.
	DirectionNone Direction = iota
	// DirectionLow: at or below the training median.
	DirectionLow
	// DirectionHigh: above the training median.
	DirectionHigh
	// DirectionMissing: the application did not give the input.
	DirectionMissing
)

// String names the direction.
func (d Direction) String() string {
	switch d {
	case DirectionNone:
		return "none"
	case DirectionLow:
		return "low"
	case DirectionHigh:
		return "high"
	case DirectionMissing:
		return "missing"
	}
	return fmt.Sprintf("Direction(%d)", uint8(d))
}

// CheckReasonCode reports whether code is a valid reason code: 1 to
// MaxReasonCode bytes of ASCII letters, digits, '_', '-' and '.', starting
// with a letter or digit. The spec checks its codes by the same rule.
func CheckReasonCode(code string) error {
	if code == "" || len(code) > MaxReasonCode {
		return fmt.Errorf("code %q: want 1 to %d characters", clipText(code), MaxReasonCode)
	}
	for i, c := range []byte(code) {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-' && c != '.') {
			return fmt.Errorf("code %q: want letters, digits, '_', '-' and '.', starting with a letter or digit", clipText(code))
		}
	}
	return nil
}

// CheckReasonStatement reports whether s is a valid reason statement: 1 to
// MaxReasonStatement bytes of UTF-8 text without control characters and
// without blanks around it.
func CheckReasonStatement(s string) error {
	switch {
	case strings.TrimSpace(s) == "" || len(s) > MaxReasonStatement:
		return fmt.Errorf("statement %q: want 1 to %d bytes of text", clipText(s), MaxReasonStatement)
	case !utf8.ValidString(s):
		return fmt.Errorf("statement %q: not UTF-8", clipText(s))
	case strings.TrimSpace(s) != s:
		return fmt.Errorf("statement %q: blanks around it", clipText(s))
	case strings.ContainsFunc(s, unicode.IsControl):
		return fmt.Errorf("statement %q: control characters", clipText(s))
	}
	return nil
}

func (r ReasonText) check() error {
	if err := CheckReasonCode(r.Code); err != nil {
		return err
	}
	return CheckReasonStatement(r.Statement)
}

// texts returns the entry's reasons: its own, then Missing, High and Low
// when given.
func (r *Reasons) texts() []ReasonText {
	out := []ReasonText{{r.Code, r.Statement}, r.Missing}
	for _, t := range []*ReasonText{r.High, r.Low} {
		if t != nil {
			out = append(out, *t)
		}
	}
	return out
}

// checkReasons checks every input's catalogue entry and that a code means
// one statement throughout the pipeline (inputs may share a code, and the
// reasons of an application are grouped by it).
func (p *Pipeline) checkReasons() error {
	statements := map[string]string{}
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if in.Reasons == nil {
			continue
		}
		for _, t := range in.Reasons.texts() {
			if err := t.check(); err != nil {
				return fmt.Errorf("input %q: reasons: %w", in.Name, err)
			}
			if prev, ok := statements[t.Code]; ok && prev != t.Statement {
				return fmt.Errorf("input %q: reasons: code %q stands for %q and %q; a code has one statement", in.Name, t.Code, prev, t.Statement)
			}
			statements[t.Code] = t.Statement
		}
	}
	return nil
}

// Reason returns the catalogue's reason for input i when its value had
// direction d. An input without a catalogue entry is named by itself: the
// code and the statement are its name, or for a missing value the code is
// its name and the statement says that it was not given.
func (p *Pipeline) Reason(i int, d Direction) ReasonText {
	in := &p.Inputs[i]
	r := in.Reasons
	if r == nil {
		if d == DirectionMissing {
			return ReasonText{Code: in.Name, Statement: "No information given: " + in.Name}
		}
		return ReasonText{Code: in.Name, Statement: in.Name}
	}
	switch {
	case d == DirectionMissing:
		return r.Missing
	case d == DirectionHigh && r.High != nil:
		return *r.High
	case d == DirectionLow && r.Low != nil:
		return *r.Low
	}
	return ReasonText{Code: r.Code, Statement: r.Statement}
}

// Directions writes, per input, the direction of its value in a cleaned
// row into dst (len(Inputs)): DirectionMissing when the application did
// not give it, DirectionNone for a special value or a categorical level,
// and for a number, a date or an ordinal level DirectionHigh above the
// training median (Stats.Median; a numeric input of an older pipeline
// uses its Impute, the same median) and DirectionLow at or below it. It
// reads the medians as Init found them.
func (p *Pipeline) Directions(row *Row, dst []Direction) {
	if len(dst) != len(p.Inputs) {
		panic(fmt.Sprintf("features: dst has %d directions for %d inputs", len(dst), len(p.Inputs)))
	}
	for i, r := range p.dirRules {
		switch {
		case row.Special[i] > 0:
			dst[i] = DirectionNone
		case row.Missing[i]:
			dst[i] = DirectionMissing
		case r.kind == dirNone:
			dst[i] = DirectionNone
		default:
			v := row.Num[i]
			if r.kind == dirRank {
				v = float64(p.Inputs[i].rank(row.Level[i]))
				if v < 0 {
					v = math.NaN()
				}
			}
			switch {
			case v > r.median:
				dst[i] = DirectionHigh
			case v <= r.median:
				dst[i] = DirectionLow
			default: // NaN
				dst[i] = DirectionNone
			}
		}
	}
}

// dirRule is how Directions reads one input: its kind of value and the
// training median, prepared by Init so that the per-application work
// touches one small slice.
type dirRule struct {
	kind   uint8 // dirNone, dirNumber or dirRank
	median float64
}

// Kinds of a dirRule.
const (
	dirNone   = iota // a category, or no median
	dirNumber        // Row.Num against the median
	dirRank          // the ordinal level's rank against the median
)

// initDirections prepares the rules of Directions; Init calls it.
func (p *Pipeline) initDirections() {
	p.dirRules = make([]dirRule, len(p.Inputs))
	for i := range p.Inputs {
		in := &p.Inputs[i]
		med := in.Stats.Median
		if med == nil && in.Kind == KindNumeric {
			med = in.Impute
		}
		switch {
		case med == nil || in.Kind == KindCategorical:
		case in.Kind == KindOrdinal:
			p.dirRules[i] = dirRule{dirRank, *med}
		default:
			p.dirRules[i] = dirRule{dirNumber, *med}
		}
	}
}

// Source is an input a feature derives from, with the share of the
// feature's contribution it receives.
type Source struct {
	Input string  `json:"input"`
	Share float64 `json:"share"`
}

// source is a Source by input index.
type source struct {
	input int
	share float64
}

// Lineage returns, per feature in the order of Features, the inputs it
// derives from: its one source input for a number, a missing indicator, an
// ordinal rank, a one-hot level, a target mean or a special-value
// indicator (share 1); for a derived feature, the distinct inputs among
// its Args, each with an equal share (1/n of n inputs). A derived feature
// that reads the application date (DateInput) and other inputs, such as
// months_between(earliest_cr_line, issue_d), is attributed to the other
// inputs only: the date of the application is the point a length is
// measured to, not something the applicant stated. The shares of a
// feature add up to 1, so summing contributions over the lineage keeps
// their total (see FieldContributions). Lineage needs Init.
func (p *Pipeline) Lineage() [][]Source {
	out := make([][]Source, len(p.lineage))
	for fi, srcs := range p.lineage {
		for _, s := range srcs {
			out[fi] = append(out[fi], Source{Input: p.Inputs[s.input].Name, Share: s.share})
		}
	}
	return out
}

// initLineage builds the lineage of every feature; Init calls it once the
// features are checked.
func (p *Pipeline) initLineage() {
	p.lineage = make([][]source, len(p.Features))
	dateInput := -1
	if p.DateInput != "" {
		dateInput = p.inputIndex[p.DateInput]
	}
	for fi := range p.Features {
		f := &p.Features[fi]
		if !f.derived {
			p.lineage[fi] = []source{{f.src, 1}}
			continue
		}
		var inputs []int
		for _, i := range p.Derived[f.src].args {
			if !slices.Contains(inputs, i) {
				inputs = append(inputs, i)
			}
		}
		if len(inputs) > 1 {
			kept := inputs[:0]
			for _, i := range inputs {
				if i != dateInput {
					kept = append(kept, i)
				}
			}
			inputs = kept
		}
		srcs := make([]source, len(inputs))
		for k, i := range inputs {
			srcs[k] = source{i, 1 / float64(len(inputs))}
		}
		p.lineage[fi] = srcs
	}
}

// FieldContributions sums per-feature contributions phi (len NumFeatures)
// onto the inputs they derive from (Lineage), writing one total per input
// into dst (len(Inputs)). An input no feature reads gets 0. It panics when
// the lengths differ.
func (p *Pipeline) FieldContributions(phi, dst []float64) {
	if len(phi) != len(p.Features) || len(dst) != len(p.Inputs) {
		panic(fmt.Sprintf("features: %d contributions for %d features, %d totals for %d inputs", len(phi), len(p.Features), len(dst), len(p.Inputs)))
	}
	clear(dst)
	for fi, srcs := range p.lineage {
		for _, s := range srcs {
			dst[s.input] += s.share * phi[fi]
		}
	}
}
