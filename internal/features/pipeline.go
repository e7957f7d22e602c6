package features

import (
	"fmt"
	"math"
	"strconv"

	"github.com/credit-risk/credit-risk/internal/value"
)

// FormatVersion is the version of the serialised Pipeline.
const FormatVersion = 1

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
const MissingLevel = "missing"

// OtherLevel is the level rare and unseen categories are folded into.
const OtherLevel = "other"

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

	// parser is the field's value parser and ranks the positions of its
	// ordinal levels, set by Pipeline.Init.
	parser   value.Parser
	prepared bool
	ranks    map[string]int
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
	Missing bool
}

// Parse reads a raw value. Strict: an unreadable value, an unknown ordinal
// level and (when rangeIsError) a value outside Min/Max are errors; with
// rangeIsError false an out-of-range value becomes missing and outOfRange is
// set so the caller can count it.
func (in *Input) Parse(r Raw, rangeIsError bool) (p Parsed, outOfRange bool, fe *FieldError) {
	if !r.Present {
		return Parsed{Num: math.NaN(), Missing: true}, false, nil
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
		if l, ok := in.Labels[lvl]; ok {
			lvl = l
		}
		if in.Kind == KindOrdinal && in.rank(lvl) < 0 {
			return p, false, &FieldError{in.Name, ProblemEnum, fmt.Sprintf("unknown level %q; want one of %v", lvl, in.Order)}
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
		var missing bool
		var err error
		v, missing, err = in.valueParser(&scratch).ParseFloat(r.Str)
		if err != nil {
			return p, false, &FieldError{in.Name, ProblemSyntax, err.Error()}
		}
		if missing {
			return Parsed{Num: math.NaN(), Missing: true}, false, nil
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
// returns the cleaned value and whether the raw value was missing (the
// indicator).
func (in *Input) Clean(p Parsed) (Parsed, bool) {
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
