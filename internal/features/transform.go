package features

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/value"
)

// ErrPipeline is wrapped by every error about a malformed pipeline.
var ErrPipeline = errors.New("invalid feature pipeline")

// Pipeline is the whole parse → clean → engineer → encode chain. Build it
// with Fit (or decode it from JSON and call Init) before use. A Pipeline is
// safe for concurrent use once Init has returned.
type Pipeline struct {
	Version int `json:"version"`
	// Dataset is the spec name the pipeline was learned from.
	Dataset string `json:"dataset"`
	// DateInput names the application-date input, "" when there is none.
	DateInput string `json:"date_input,omitempty"`
	// Inputs are the raw fields read, in order.
	Inputs []Input `json:"inputs"`
	// Derived are engineered values computed from cleaned inputs.
	Derived []Derived `json:"derived,omitempty"`
	// Features are the model's columns, in order.
	Features []Feature `json:"features"`

	inputIndex map[string]int
	onehot     []map[string]int // per input: level → feature index (onehot inputs only)
	otherLevel string           // OtherLevel, or LegacyOtherLevel in a version 1 pipeline
	lineage    [][]source       // per feature: the inputs it derives from (Lineage)
	dirRules   []dirRule        // per input: how Directions reads it
}

// Derived is an engineered value: Op over the cleaned inputs named in Args,
// times Scale.
type Derived struct {
	Name  string   `json:"name"`
	Op    string   `json:"op"`
	Args  []string `json:"args"`
	Scale float64  `json:"scale"`

	args []int
}

// FeatureKind is how a model column is computed from its source; a model
// file records it.
type FeatureKind string

// Feature kinds.
const (
	FeatureNumber     FeatureKind = "number"      // a numeric input or derived value as it is
	FeatureIndicator  FeatureKind = "indicator"   // 1 when the input was missing
	FeatureRank       FeatureKind = "rank"        // an ordinal input's level rank (0 = lowest)
	FeatureOneHot     FeatureKind = "onehot"      // 1 when a categorical input has Level
	FeatureTargetMean FeatureKind = "target_mean" // smoothed training bad rate of the level
	FeatureSpecial    FeatureKind = "special"     // 1 when the input held the special value Level
)

// Feature is one model column.
type Feature struct {
	Name string      `json:"name"`
	Kind FeatureKind `json:"kind"`
	// Source is the input or derived value it is computed from.
	Source string `json:"source"`
	// Level is the category of a one-hot feature (OtherLevel collects rare
	// and unseen levels), or the special value of a special feature, as
	// Input.Special lists it.
	Level string `json:"level,omitempty"`
	// Means maps levels to values for target-mean features; Default is used
	// for other levels.
	Means   map[string]float64 `json:"means,omitempty"`
	Default float64            `json:"default,omitempty"`
	// Monotone is the learners' constraint: 1 PD rises with the value, -1
	// falls, 0 free.
	Monotone int `json:"monotone,omitempty"`

	src     int  // input index, or derived index when derived is true
	derived bool // Source names a Derived
	special int  // FeatureSpecial: the position plus one of Level in the input's Special
}

// NumFeatures returns the length of the feature vector.
func (p *Pipeline) NumFeatures() int { return len(p.Features) }

// FeatureNames returns the model column names.
func (p *Pipeline) FeatureNames() []string {
	names := make([]string, len(p.Features))
	for i, f := range p.Features {
		names[i] = f.Name
	}
	return names
}

// Monotone returns the per-feature monotone constraints.
func (p *Pipeline) Monotone() []int8 {
	m := make([]int8, len(p.Features))
	for i, f := range p.Features {
		m[i] = int8(f.Monotone)
	}
	return m
}

// Init checks a pipeline (typically just decoded) and prepares its lookup
// tables. It must be called before Transform.
func (p *Pipeline) Init() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrPipeline, fmt.Sprintf(format, args...))
	}
	if p.Version < MinFormatVersion || p.Version > FormatVersion {
		return bad("format version %d; this program reads versions %d to %d", p.Version, MinFormatVersion, FormatVersion)
	}
	p.otherLevel = OtherLevel
	if p.Version == 1 {
		p.otherLevel = LegacyOtherLevel
	}
	if len(p.Features) == 0 {
		return bad("no features")
	}
	p.inputIndex = make(map[string]int, len(p.Inputs))
	for i := range p.Inputs {
		in := &p.Inputs[i]
		if in.Name == "" {
			return bad("input %d has no name", i)
		}
		if _, dup := p.inputIndex[in.Name]; dup {
			return bad("input %q appears twice", in.Name)
		}
		p.inputIndex[in.Name] = i
		if p.Version == 1 && (in.Pattern != "" || len(in.Special) > 0) {
			return bad("input %q: a pattern or special values need format version 2", in.Name)
		}
		if err := in.Prepare(); err != nil {
			return bad("%v", err)
		}
		if in.RangePolicy != "" && in.RangePolicy != RangeClamp && in.RangePolicy != RangeReject {
			return bad("input %q: range policy %q", in.Name, in.RangePolicy)
		}
		for _, f := range []*float64{in.Min, in.Max, in.CapLow, in.CapHigh, in.Impute} {
			if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
				return bad("input %q: non-finite bound", in.Name)
			}
		}
	}
	if p.DateInput != "" {
		if i, ok := p.inputIndex[p.DateInput]; !ok || p.Inputs[i].Kind != KindDate {
			return bad("date input %q is not a date input", p.DateInput)
		}
	}
	derivedIndex := map[string]int{}
	for di := range p.Derived {
		d := &p.Derived[di]
		if _, clash := p.inputIndex[d.Name]; clash {
			return bad("derived %q has an input's name", d.Name)
		}
		if _, dup := derivedIndex[d.Name]; dup {
			return bad("derived %q appears twice", d.Name)
		}
		d.args = d.args[:0]
		for _, a := range d.Args {
			i, ok := p.inputIndex[a]
			if !ok {
				return bad("derived %q: no input %q", d.Name, a)
			}
			if p.Inputs[i].IsText() {
				return bad("derived %q: input %q is not numeric", d.Name, a)
			}
			d.args = append(d.args, i)
		}
		if err := checkOp(d.Op, len(d.args)); err != nil {
			return bad("derived %q: %v", d.Name, err)
		}
		if d.Op == "months_between" {
			for _, i := range d.args {
				if p.Inputs[i].Kind != KindDate {
					return bad("derived %q: months_between needs dates; %q is not one", d.Name, p.Inputs[i].Name)
				}
			}
		}
		derivedIndex[d.Name] = di
	}
	p.onehot = make([]map[string]int, len(p.Inputs))
	names := map[string]bool{}
	for fi := range p.Features {
		f := &p.Features[fi]
		if names[f.Name] {
			return bad("feature %q appears twice", f.Name)
		}
		names[f.Name] = true
		if di, ok := derivedIndex[f.Source]; ok {
			if f.Kind != FeatureNumber {
				return bad("feature %q: a derived value can only be a number feature", f.Name)
			}
			f.src, f.derived = di, true
			continue
		}
		i, ok := p.inputIndex[f.Source]
		if !ok {
			return bad("feature %q: no input or derived value %q", f.Name, f.Source)
		}
		f.src, f.derived = i, false
		in := &p.Inputs[i]
		want := map[Kind]bool{}
		switch f.Kind {
		case FeatureNumber:
			want[KindNumeric] = true
		case FeatureIndicator:
			want[KindNumeric], want[KindDate], want[KindOrdinal], want[KindCategorical] = true, true, true, true
		case FeatureRank:
			want[KindOrdinal] = true
		case FeatureOneHot:
			want[KindCategorical] = true
			if p.onehot[i] == nil {
				p.onehot[i] = map[string]int{}
			}
			p.onehot[i][f.Level] = fi
		case FeatureTargetMean:
			want[KindCategorical] = true
		case FeatureSpecial:
			want[KindNumeric], want[KindDate], want[KindOrdinal], want[KindCategorical] = true, true, true, true
			if f.special = in.specialText(f.Level); f.special == 0 {
				return bad("feature %q: %q is not a special value of input %q", f.Name, f.Level, in.Name)
			}
		default:
			return bad("feature %q: unknown kind %q", f.Name, f.Kind)
		}
		if !want[in.Kind] {
			return bad("feature %q: kind %s does not fit %s input %q", f.Name, f.Kind, in.Kind, in.Name)
		}
	}
	if err := p.checkReasons(); err != nil {
		return bad("%v", err)
	}
	for i := range p.Inputs {
		if m := p.Inputs[i].Stats.Median; m != nil && (math.IsNaN(*m) || math.IsInf(*m, 0)) {
			return bad("input %q: non-finite median", p.Inputs[i].Name)
		}
	}
	p.initLineage()
	p.initDirections()
	return nil
}

func checkOp(op string, n int) error {
	switch op {
	case "ratio", "difference", "months_between":
		if n != 2 {
			return fmt.Errorf("%s takes 2 arguments, got %d", op, n)
		}
	case "log1p":
		if n != 1 {
			return fmt.Errorf("log1p takes 1 argument, got %d", n)
		}
	case "mean", "sum", "product":
		if n < 2 {
			return fmt.Errorf("%s takes at least 2 arguments, got %d", op, n)
		}
	default:
		return fmt.Errorf("unknown op %q", op)
	}
	return nil
}

// Row is one record after cleaning: per input, the cleaned number (numeric,
// date) or level (categorical, ordinal), whether the raw value was missing
// or special, and which special value it was (the position plus one in
// Input.Special, 0 for none). Reuse a Row across calls with NewRow.
type Row struct {
	Num     []float64
	Level   []string
	Missing []bool
	Special []int
	derived []float64
}

// NewRow returns a Row sized for p.
func (p *Pipeline) NewRow() *Row {
	n := len(p.Inputs)
	return &Row{Num: make([]float64, n), Level: make([]string, n), Missing: make([]bool, n), Special: make([]int, n), derived: make([]float64, len(p.Derived))}
}

// CleanRecord parses and cleans a raw record (aligned with Inputs) into row.
// Every problem is returned, one FieldError per field; a required input that
// is absent or missing is an error.
func (p *Pipeline) CleanRecord(raw []Raw, row *Row) []FieldError {
	if len(raw) != len(p.Inputs) {
		panic(fmt.Sprintf("features: %d raw values for %d inputs", len(raw), len(p.Inputs)))
	}
	var errs []FieldError
	for i := range p.Inputs {
		in := &p.Inputs[i]
		parsed, _, fe := in.Parse(raw[i], true)
		if fe != nil {
			errs = append(errs, *fe)
			continue
		}
		if parsed.Missing && parsed.Special == 0 && in.Required {
			errs = append(errs, FieldError{in.Name, ProblemMissing, "is required"})
			continue
		}
		c, missing := in.Clean(parsed)
		row.Num[i], row.Level[i], row.Missing[i], row.Special[i] = c.Num, c.Level, missing, c.Special
	}
	return errs
}

// Encode computes the derived values and the feature vector of a cleaned
// row into dst (len NumFeatures).
func (p *Pipeline) Encode(row *Row, dst []float64) {
	if len(dst) != len(p.Features) {
		panic(fmt.Sprintf("features: dst has %d values for %d features", len(dst), len(p.Features)))
	}
	for di := range p.Derived {
		row.derived[di] = p.Derived[di].eval(row.Num)
	}
	for fi := range p.Features {
		f := &p.Features[fi]
		if f.derived {
			dst[fi] = row.derived[f.src]
			continue
		}
		switch f.Kind {
		case FeatureNumber:
			dst[fi] = row.Num[f.src]
		case FeatureIndicator:
			// A special value is not a missing one: its own feature says so.
			dst[fi] = b2f(row.Missing[f.src] && row.Special[f.src] == 0)
		case FeatureSpecial:
			dst[fi] = b2f(row.Special[f.src] == f.special)
		case FeatureRank:
			if r := p.Inputs[f.src].rank(row.Level[f.src]); r >= 0 {
				dst[fi] = float64(r)
			} else {
				dst[fi] = math.NaN()
			}
		case FeatureOneHot:
			dst[fi] = 0
		case FeatureTargetMean:
			if v, ok := f.Means[row.Level[f.src]]; ok {
				dst[fi] = v
			} else {
				dst[fi] = f.Default
			}
		}
	}
	// One-hot: set the matching level's column, or the rare levels' one.
	for i, levels := range p.onehot {
		if levels == nil || row.Level[i] == "" {
			continue
		}
		if fi, ok := levels[row.Level[i]]; ok {
			dst[fi] = 1
		} else if fi, ok := levels[p.otherLevel]; ok {
			dst[fi] = 1
		}
	}
}

// Transform runs the whole chain on one raw record (aligned with Inputs)
// and writes the feature vector into dst. row is scratch space from NewRow.
func (p *Pipeline) Transform(raw []Raw, row *Row, dst []float64) []FieldError {
	if errs := p.CleanRecord(raw, row); len(errs) > 0 {
		return errs
	}
	p.Encode(row, dst)
	return nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func (d *Derived) eval(num []float64) float64 {
	a := num[d.args[0]]
	var v float64
	switch d.Op {
	case "ratio":
		b := num[d.args[1]]
		if b == 0 {
			return math.NaN()
		}
		v = a / b
	case "difference":
		v = a - num[d.args[1]]
	case "months_between":
		v = value.MonthsBetween(a, num[d.args[1]])
	case "log1p":
		if a < 0 {
			return math.NaN()
		}
		v = math.Log1p(a)
	case "mean", "sum":
		for _, i := range d.args[1:] {
			a += num[i]
		}
		v = a
		if d.Op == "mean" {
			v /= float64(len(d.args))
		}
	case "product":
		for _, i := range d.args[1:] {
			a *= num[i]
		}
		v = a
	}
	v *= d.Scale
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// IndicatorColumn names the cleaned-table column that records whether an
// input was missing.
func IndicatorColumn(input string) string { return input + "_missing" }

// SpecialColumn names the cleaned-table column that records which special
// value an input held: the position plus one in Input.Special, 0 for none.
func SpecialColumn(input string) string { return input + "_special" }

// SpecialFeature names the 0/1 feature of one special value of an input.
func SpecialFeature(input, special string) string { return input + "_special_" + special }

// RawFromStrings aligns a record of strings with the pipeline's inputs using
// header (the record's column names); absent inputs stay absent. index is a
// scratch mapping built once per header with HeaderIndex.
func (p *Pipeline) RawFromStrings(index []int, rec []string, dst []Raw) {
	for i, j := range index {
		if j < 0 {
			dst[i] = Raw{}
		} else {
			dst[i] = RawString(rec[j])
		}
	}
}

// HeaderIndex maps each input to its position in header, -1 when absent.
func (p *Pipeline) HeaderIndex(header []string) []int {
	idx := make([]int, len(p.Inputs))
	for i := range p.Inputs {
		idx[i] = slices.Index(header, p.Inputs[i].Name)
	}
	return idx
}
