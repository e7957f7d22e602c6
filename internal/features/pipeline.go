package features

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/value"
)

// FormatVersion is the version of the serialised Pipeline that package
// fit writes. Version 2 added special values, extraction patterns and the
// reserved rare-level bucket OtherLevel; Init also reads version 1, whose
// bucket is the level "other" (LegacyOtherLevel).
const FormatVersion = 2

// MinFormatVersion is the oldest serialised Pipeline Init reads.
const MinFormatVersion = 1

// Kind is what an input holds; a model file records it. The spec's column
// types (dataset.ColumnType) map one to one onto these, by name.
type Kind string

// Input kinds.
const (
	KindNumeric     Kind = "numeric"
	KindCategorical Kind = "categorical"
	KindOrdinal     Kind = "ordinal"
	KindDate        Kind = "date"
)

// Range policies of Input.RangePolicy.
const (
	RangeClamp  = "clamp"
	RangeReject = "reject"
)

// MissingLevel is the level a missing categorical value is imputed with.
// It is reserved as OtherLevel is, so that a real level called "missing"
// stays apart from the imputed values. Pipelines store the level they
// impute (Input.ImputeLevel), so older ones keep theirs.
const MissingLevel = "(missing)"

// OtherLevel is the level rare and unseen categories are folded into. It
// is reserved: no category may have it as a level (Input.Parse refuses
// it; rename such a level with the spec's labels), so a real level called
// "other" keeps its own column.
const OtherLevel = "(other)"

// MaxSpecialValues is the most special values an input may have, as the
// spec's special_values (dataset.MaxSpecialValues).
const MaxSpecialValues = 32

// LegacyOtherLevel is the rare-level bucket of version 1 pipelines, which
// folded a real level "other" into it too.
const LegacyOtherLevel = "other"

// Input is one raw field the pipeline reads, with its cleaning rules and
// what training learned about it.
type Input struct {
	Name string `json:"name"`
	// Kind is numeric, categorical, ordinal or date.
	Kind Kind `json:"kind"`
	// Parser reads the raw text of numeric and date fields.
	Parser value.Kind `json:"parser"`
	// Layout is the Go time layout of a date field.
	Layout string `json:"layout,omitempty"`
	// Missing are the tokens read as missing.
	Missing []string `json:"missing"`
	// Order lists ordinal levels, lowest first.
	Order []string `json:"order,omitempty"`
	// Labels rename raw categorical levels.
	Labels map[string]string `json:"labels,omitempty"`
	// Pattern, when set, extracts the value from its raw text before the
	// parser reads it (value.CompilePattern, value.Extract): a present
	// value it does not match is unreadable (ProblemSyntax).
	Pattern string `json:"pattern,omitempty"`
	// Special are the field's special values (the spec's special_values):
	// a value equal to one is missing for the field, is not imputed, and
	// sets Row.Special to its position plus one, which FeatureSpecial
	// columns encode. Numeric and date ones are compared as numbers after
	// the parser read them; text ones as read (after Pattern, before
	// Labels).
	Special []string `json:"special,omitempty"`
	// Min and Max bound valid values; outside is an entry error.
	Min *float64 `json:"min,omitempty"`
	Max *float64 `json:"max,omitempty"`
	// CapLow and CapHigh are the training quantiles numeric values are
	// capped to (nil: no cap).
	CapLow  *float64 `json:"cap_low,omitempty"`
	CapHigh *float64 `json:"cap_high,omitempty"`
	// Impute fills a missing numeric value (nil: stays missing).
	Impute *float64 `json:"impute,omitempty"`
	// ImputeLevel fills a missing categorical or ordinal value.
	ImputeLevel string `json:"impute_level,omitempty"`
	// Indicator adds the column <Name>_missing (1 when the raw value was
	// missing).
	Indicator bool `json:"indicator,omitempty"`
	// Required fields were never missing in training; serving refuses an
	// application without them.
	Required bool `json:"required"`
	// Monotone is the spec's monotone constraint for the field.
	Monotone int `json:"monotone,omitempty"`
	// RangePolicy is the spec's policy for a value outside the training
	// range when scoring: RangeClamp, RangeReject or "" (the server's
	// default). The pipeline itself does not apply it.
	RangePolicy string `json:"range_policy,omitempty"`
	// Stats describe the training values, for documentation and checks.
	Stats InputStats `json:"stats"`
	// Reasons is the input's entry in the reason-code catalogue (the
	// spec's reasons.<name>); nil: reasons name the input itself.
	Reasons *Reasons `json:"reasons,omitempty"`

	// parser is the field's value parser, ranks the positions of its
	// ordinal levels, re the compiled Pattern and specialNum the numeric
	// special values, set by Prepare.
	parser     value.Parser
	prepared   bool
	ranks      map[string]int
	re         *regexp.Regexp
	specialNum []float64
}

// Prepare checks the field's parsing rules (kind, parser, pattern, special
// values) and readies it for many values. Pipeline.Init calls it for every
// input; call it again after changing the input. Parse works on an
// unprepared input too, more slowly.
func (in *Input) Prepare() error {
	switch in.Kind {
	case KindNumeric:
		if !in.Parser.Valid() || !in.Parser.Numeric() || in.Parser == value.Date {
			return fmt.Errorf("input %q: parser %q", in.Name, in.Parser)
		}
	case KindDate:
		if in.Parser != value.Date || in.Layout == "" {
			return fmt.Errorf("input %q: a date needs the date parser and a layout", in.Name)
		}
	case KindCategorical:
	case KindOrdinal:
		if len(in.Order) == 0 {
			return fmt.Errorf("input %q: ordinal without order", in.Name)
		}
	default:
		return fmt.Errorf("input %q: unknown kind %q", in.Name, in.Kind)
	}
	in.prepared = false
	re, nums, err := in.compile()
	if err != nil {
		return err
	}
	in.re, in.specialNum = re, nums
	in.parser = in.newParser()
	in.parser.Prepare()
	in.ranks = nil
	if in.Kind == KindOrdinal {
		in.ranks = make(map[string]int, len(in.Order))
		for r, level := range in.Order {
			if _, dup := in.ranks[level]; !dup {
				in.ranks[level] = r
			}
		}
	}
	in.prepared = true
	return nil
}

// compile returns the field's compiled Pattern (nil when none) and, for a
// numeric or date field, its special values as numbers. It checks them
// and the special values' training shares.
func (in *Input) compile() (*regexp.Regexp, []float64, error) {
	var re *regexp.Regexp
	if in.Pattern != "" {
		var err error
		if re, err = value.CompilePattern(in.Pattern); err != nil {
			return nil, nil, fmt.Errorf("input %q: pattern: %w", in.Name, err)
		}
	}
	if n := len(in.Stats.SpecialShares); n != 0 && n != len(in.Special) {
		return nil, nil, fmt.Errorf("input %q: %d special value shares for %d special values", in.Name, n, len(in.Special))
	}
	for _, sh := range in.Stats.SpecialShares {
		if !(sh >= 0 && sh <= 1) {
			return nil, nil, fmt.Errorf("input %q: special value share %v outside [0, 1]", in.Name, sh)
		}
	}
	if len(in.Special) > MaxSpecialValues {
		return nil, nil, fmt.Errorf("input %q: %d special values: at most %d", in.Name, len(in.Special), MaxSpecialValues)
	}
	var nums []float64
	seen := make(map[string]bool, len(in.Special))
	for _, sv := range in.Special {
		if seen[sv] || sv == "" {
			return nil, nil, fmt.Errorf("input %q: special value %q is empty or listed twice", in.Name, sv)
		}
		seen[sv] = true
		if in.IsText() {
			continue
		}
		p := in.newParser()
		p.Missing = []string{}
		v, _, err := p.ParseFloat(sv)
		if err != nil {
			return nil, nil, fmt.Errorf("input %q: special value: %w", in.Name, err)
		}
		if slices.Contains(nums, v) {
			return nil, nil, fmt.Errorf("input %q: special value %q listed twice", in.Name, sv)
		}
		nums = append(nums, v)
	}
	return re, nums, nil
}

// extras returns the compiled pattern and numeric special values: the
// prepared ones, or else compiled now.
func (in *Input) extras() (*regexp.Regexp, []float64, error) {
	if in.prepared {
		return in.re, in.specialNum, nil
	}
	return in.compile()
}

// specialText returns the position plus one of text among the field's
// special values, 0 when it is none.
func (in *Input) specialText(text string) int {
	for k, sv := range in.Special {
		if text == sv {
			return k + 1
		}
	}
	return 0
}

// valueParser returns the parser of the field's raw text: the one
// Pipeline.Init prepared, or else a new one in *scratch.
func (in *Input) valueParser(scratch *value.Parser) *value.Parser {
	if in.prepared {
		return &in.parser
	}
	*scratch = in.newParser()
	return scratch
}

func (in *Input) newParser() value.Parser {
	if in.IsText() {
		return value.Parser{Kind: value.Text, Missing: in.Missing}
	}
	return value.Parser{Kind: in.Parser, Layout: in.Layout, Missing: in.Missing}
}

// rank returns the position of an ordinal level in Order, -1 when it is not
// one: through the index Pipeline.Init builds, or else a scan.
func (in *Input) rank(level string) int {
	if in.ranks != nil {
		if r, ok := in.ranks[level]; ok {
			return r
		}
		return -1
	}
	return ordinalRank(in.Order, level)
}

// InputStats describe a field's training values.
type InputStats struct {
	MissingShare float64  `json:"missing_share"`
	Min          *float64 `json:"min,omitempty"`
	Max          *float64 `json:"max,omitempty"`
	Levels       []string `json:"levels,omitempty"`
	// Values are the distinct training values of a numeric input that
	// took only a few (term: 36 and 60), after capping.
	Values  []float64 `json:"values,omitempty"`
	Example string    `json:"example,omitempty"`
	// SpecialShares are the shares of training rows that held each of
	// Input.Special, in its order. MissingShare, Min, Max, Levels and
	// Values leave special values out.
	SpecialShares []float64 `json:"special_shares,omitempty"`
	// Median is the training median of a numeric input (after capping) or
	// a date input (days), or the median rank of an ordinal input's
	// levels; it decides the Direction of a value. Nil for categorical
	// inputs and in pipelines written before it existed.
	Median *float64 `json:"median,omitempty"`
}

// IsText reports whether the input holds text levels rather than numbers.
func (in *Input) IsText() bool { return in.Kind == KindCategorical || in.Kind == KindOrdinal }

// Raw is one raw field value as an application carries it: absent, a
// string, or a number (JSON clients may send 36 instead of " 36 months").
type Raw struct {
	Present bool
	IsNum   bool
	Str     string
	Num     float64
}

// RawString returns a present string value.
func RawString(s string) Raw { return Raw{Present: true, Str: s} }

// RawNumber returns a present numeric value.
func RawNumber(v float64) Raw { return Raw{Present: true, IsNum: true, Num: v} }

// Problem codes of a FieldError.
const (
	ProblemMissing   = "missing"      // a required field is absent
	ProblemType      = "wrong_type"   // a number where text is expected or the reverse
	ProblemSyntax    = "unparseable"  // text that the field's parser cannot read
	ProblemRange     = "out_of_range" // outside the spec's valid range
	ProblemNotFinite = "not_finite"   // NaN or ±Inf
	ProblemEnum      = "unknown_level"
)

// FieldError is a problem with one field of a raw record.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
	Detail  string `json:"detail"`
}

func (e *FieldError) Error() string { return fmt.Sprintf("%s: %s", e.Field, e.Detail) }

// Parsed is a field after parsing and before cleaning.
type Parsed struct {
	Num     float64 // numeric, date; NaN when missing
	Level   string  // categorical, ordinal; "" when missing
	Missing bool    // missing, or a special value
	// Special is the position plus one in Input.Special of the special
	// value the field held (Missing is then set), 0 for any other value.
	Special int
}

// Parse reads a raw value. Strict: an unreadable value, an unknown ordinal
// level, the reserved levels OtherLevel and MissingLevel and (when
// rangeIsError) a value outside Min/Max are errors; with rangeIsError false
// an out-of-range value becomes missing and outOfRange is set so the caller
// can count it.
//
// The order: absent or a missing token (as written) → missing; Pattern
// extraction; a special value → missing with Parsed.Special set (before
// the range check, so a special value is never out of range); Labels; the
// range or ordinal check.
func (in *Input) Parse(r Raw, rangeIsError bool) (p Parsed, outOfRange bool, fe *FieldError) {
	if !r.Present {
		return Parsed{Num: math.NaN(), Missing: true}, false, nil
	}
	var (
		re         *regexp.Regexp
		specialNum []float64
		err        error
	)
	if in.Pattern != "" || len(in.Special) > 0 {
		if re, specialNum, err = in.extras(); err != nil {
			return p, false, &FieldError{in.Name, ProblemSyntax, err.Error()}
		}
	}
	if in.IsText() {
		s := r.Str
		if r.IsNum {
			if math.IsNaN(r.Num) || math.IsInf(r.Num, 0) {
				return p, false, &FieldError{in.Name, ProblemNotFinite, "must be a finite value"}
			}
			s = strconv.FormatFloat(r.Num, 'f', -1, 64)
		}
		var scratch value.Parser
		lvl, missing := in.valueParser(&scratch).ParseText(s)
		if missing {
			return Parsed{Num: math.NaN(), Missing: true}, false, nil
		}
		if re != nil {
			if lvl, fe = in.extract(re, lvl); fe != nil {
				return p, false, fe
			}
		}
		if k := in.specialText(lvl); k > 0 {
			return Parsed{Num: math.NaN(), Missing: true, Special: k}, false, nil
		}
		if l, ok := in.Labels[lvl]; ok {
			lvl = l
		}
		if in.Kind == KindOrdinal && in.rank(lvl) < 0 {
			return p, false, &FieldError{in.Name, ProblemEnum, fmt.Sprintf("unknown level %q; want one of %v", lvl, in.Order)}
		}
		if lvl == OtherLevel || lvl == MissingLevel {
			return p, false, &FieldError{in.Name, ProblemEnum, fmt.Sprintf("level %q is reserved (rare levels are folded into %s, missing values imputed with %s); rename it with the spec's labels", lvl, OtherLevel, MissingLevel)}
		}
		return Parsed{Num: math.NaN(), Level: lvl}, false, nil
	}
	var v float64
	if r.IsNum {
		if in.Kind == KindDate {
			return p, false, &FieldError{in.Name, ProblemType, fmt.Sprintf("want a date as text in layout %q, got a number", in.Layout)}
		}
		if math.IsNaN(r.Num) || math.IsInf(r.Num, 0) {
			return p, false, &FieldError{in.Name, ProblemNotFinite, "must be a finite number"}
		}
		v = r.Num
	} else {
		var scratch value.Parser
		vp := in.valueParser(&scratch)
		s := r.Str
		if re != nil {
			t, missing := vp.ParseText(s)
			if missing {
				return Parsed{Num: math.NaN(), Missing: true}, false, nil
			}
			if s, fe = in.extract(re, t); fe != nil {
				return p, false, fe
			}
		}
		var missing bool
		v, missing, err = vp.ParseFloat(s)
		if err != nil {
			return p, false, &FieldError{in.Name, ProblemSyntax, err.Error()}
		}
		if missing {
			return Parsed{Num: math.NaN(), Missing: true}, false, nil
		}
	}
	for k, sv := range specialNum {
		if v == sv {
			return Parsed{Num: math.NaN(), Missing: true, Special: k + 1}, false, nil
		}
	}
	if (in.Min != nil && v < *in.Min) || (in.Max != nil && v > *in.Max) {
		if rangeIsError {
			return p, true, &FieldError{in.Name, ProblemRange, fmt.Sprintf("%v is outside the valid range %s", v, in.rangeText())}
		}
		return Parsed{Num: math.NaN(), Missing: true}, true, nil
	}
	return Parsed{Num: v}, false, nil
}

// extract applies the field's pattern to the trimmed text t.
func (in *Input) extract(re *regexp.Regexp, t string) (string, *FieldError) {
	x, ok := value.Extract(re, t)
	if !ok || x == "" {
		return "", &FieldError{in.Name, ProblemSyntax, fmt.Sprintf("%v %q: it does not match the pattern %q", value.ErrSyntax, clipText(t), in.Pattern)}
	}
	return x, nil
}

// clipText shortens a value for a message.
func clipText(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

func (in *Input) rangeText() string {
	lo, hi := "-∞", "+∞"
	if in.Min != nil {
		lo = strconv.FormatFloat(*in.Min, 'g', -1, 64)
	}
	if in.Max != nil {
		hi = strconv.FormatFloat(*in.Max, 'g', -1, 64)
	}
	return "[" + lo + ", " + hi + "]"
}

// Clean caps and imputes a parsed value with what training learned. It
// returns the cleaned value and whether the raw value was missing or
// special. A special value is returned as it is: missing (NaN, no level),
// never imputed.
func (in *Input) Clean(p Parsed) (Parsed, bool) {
	if p.Special > 0 {
		return Parsed{Num: math.NaN(), Missing: true, Special: p.Special}, true
	}
	if p.Missing {
		switch {
		case in.IsText() && in.ImputeLevel != "":
			return Parsed{Num: math.NaN(), Level: in.ImputeLevel}, true
		case !in.IsText() && in.Impute != nil:
			return Parsed{Num: *in.Impute}, true
		}
		return p, true
	}
	if !in.IsText() {
		if in.CapLow != nil && p.Num < *in.CapLow {
			p.Num = *in.CapLow
		}
		if in.CapHigh != nil && p.Num > *in.CapHigh {
			p.Num = *in.CapHigh
		}
	}
	return p, false
}

func ordinalRank(order []string, level string) int {
	for i, l := range order {
		if l == level {
			return i
		}
	}
	return -1
}
