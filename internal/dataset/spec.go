package dataset

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/value"
)

// ErrSpec is wrapped by every error about an invalid spec.
var ErrSpec = errors.New("invalid dataset spec")

// ColumnType is what a spec declares a column to be, the value of its
// type key. Cleaning turns it into the features.Kind of the same name
// (clean's inputKind); the two are separate types so that a model file,
// which records the kind, is read without this package.
type ColumnType string

// Column types a spec can declare.
const (
	TypeNumeric     ColumnType = "numeric"
	TypeCategorical ColumnType = "categorical"
	TypeOrdinal     ColumnType = "ordinal"
	TypeDate        ColumnType = "date"
)

// Spec describes a data set: what each column is and how to read it. The
// zero value of every optional field means the documented default.
type Spec struct {
	// Name identifies the data set in reports and the registry.
	Name string `yaml:"name"`
	// Description is free text for people.
	Description string `yaml:"description,omitempty"`
	// Files are glob patterns, relative to data/raw, of the files to read.
	// Default: every *.csv, *.csv.gz and *.zip.
	Files []string `yaml:"files,omitempty"`
	// Format says how the files are laid out.
	Format Format `yaml:"format,omitempty"`
	// Target is the outcome column.
	Target Target `yaml:"target"`
	// Date, when set, is the application date: the split is out-of-time on
	// it and date features are measured up to it.
	Date *DateColumn `yaml:"date,omitempty"`
	// IDColumns identify a row; never features.
	IDColumns []string `yaml:"id_columns,omitempty"`
	// TextColumns are free text; never features.
	TextColumns []string `yaml:"text_columns,omitempty"`
	// DropColumns are dropped for any other reason.
	DropColumns []string `yaml:"drop_columns,omitempty"`
	// LeakageColumns are known only after the loan was granted (payments,
	// recoveries, later bureau pulls). Entries may be glob patterns such as
	// "total_rec_*". They are never features.
	LeakageColumns []string `yaml:"leakage_columns,omitempty"`
	// Columns declares how a column is parsed and used.
	Columns map[string]Column `yaml:"columns,omitempty"`
	// Undeclared says what happens to columns not named anywhere in the
	// spec: "infer" (default) reads them as numbers when every value parses
	// and as categories otherwise (dropped as free text when they have more
	// than Cleaning.MaxCategories levels); "drop" drops them.
	Undeclared string `yaml:"undeclared,omitempty"`
	// MissingValues are tokens read as missing in every column, in
	// addition to value.DefaultMissing() (blank, "n/a", "na", "nan",
	// "null", "none", "?"): see MissingTokens. Compared after trimming
	// blanks, case-insensitively. Default: none beyond the defaults.
	MissingValues []string `yaml:"missing_values,omitempty"`
	// MissingValuesReplaceDefaults makes MissingValues replace
	// value.DefaultMissing() instead of adding to it: only the listed
	// tokens (and each column's own) are then missing, so an empty cell
	// is an unreadable number unless "" is listed. Default false.
	MissingValuesReplaceDefaults bool `yaml:"missing_values_replace_defaults,omitempty"`
	// Cleaning tunes the cleaning step.
	Cleaning Cleaning `yaml:"cleaning,omitempty"`
	// Derived are engineered features computed from cleaned columns.
	Derived []Derived `yaml:"derived,omitempty"`
	// Split tunes the train/test split.
	Split Split `yaml:"split,omitempty"`
	// Encoding tunes how categories become numbers.
	Encoding Encoding `yaml:"encoding,omitempty"`
	// Segments are columns whose levels get their own AUC in evaluation.
	Segments []string `yaml:"segments,omitempty"`
	// Costs are the business costs used to choose the decision threshold.
	Costs *Costs `yaml:"costs,omitempty"`
	// SelectionMetric is the metric a retrain chooses its champion by, on
	// the validation slice of the training period: a metrics.Selection
	// ("roc_auc", the default, "pr_auc", "ks", "gini", "brier" or
	// "log_loss").
	SelectionMetric string `yaml:"selection_metric,omitempty"`
	// Scorecard sets the points scaling of the scorecard learner.
	Scorecard *Scorecard `yaml:"scorecard,omitempty"`
}

// Format is the layout of the raw files.
type Format struct {
	// Delimiter is ",", ";", "\t", "|" or "whitespace" (runs of blanks).
	// Default ",".
	Delimiter string `yaml:"delimiter,omitempty"`
	// Columns names the columns of files without a header line. When set,
	// the files must not have a header.
	Columns []string `yaml:"columns,omitempty"`
}

// Target is the outcome column and how its values map to bad (1) and
// good (0).
type Target struct {
	Column string `yaml:"column"`
	// Bad values mean default (label 1).
	Bad []string `yaml:"bad"`
	// Good values mean repaid (label 0).
	Good []string `yaml:"good"`
	// Exclude values are not yet final (e.g. "Current"): such rows are
	// dropped and counted.
	Exclude []string `yaml:"exclude,omitempty"`
}

// DateColumn is the application date column.
type DateColumn struct {
	Column string `yaml:"column"`
	// Format is a friendly date format such as "Mon-YYYY" or a Go layout;
	// see value.DateLayout.
	Format string `yaml:"format"`
}

// Column declares one column.
type Column struct {
	// Type is numeric, categorical, ordinal or date.
	Type ColumnType `yaml:"type"`
	// Parser reads numeric text: number (default), percent, months, years.
	Parser value.Kind `yaml:"parser,omitempty"`
	// Format is the date format of a date column (default: the spec's date
	// format).
	Format string `yaml:"format,omitempty"`
	// Order lists an ordinal column's levels from lowest to highest.
	Order []string `yaml:"order,omitempty"`
	// Min and Max bound valid values; a value outside is an entry error and
	// is treated as missing (counted).
	Min *float64 `yaml:"min,omitempty"`
	Max *float64 `yaml:"max,omitempty"`
	// NoCap turns off quantile capping of a numeric column.
	NoCap bool `yaml:"no_cap,omitempty"`
	// RangePolicy says what the scoring API does with a value of a
	// numeric, date or categorical column outside what training saw:
	// "clamp" (score it as the nearest training value, or a rare level,
	// and flag it in the response) or "reject" (refuse the application,
	// 422). Empty leaves it to the server (RANGE_POLICY, default clamp).
	// Values far outside the training range are refused whatever the
	// policy.
	RangePolicy string `yaml:"range_policy,omitempty"`
	// Monotone constrains learners: 1 means the PD may only rise with the
	// value, -1 only fall, 0 (default) free.
	Monotone int `yaml:"monotone,omitempty"`
	// MissingValues are extra tokens read as missing in this column, in
	// addition to the spec's (see Spec.ColumnMissing); an ordinal's
	// "unknown" level (emp_unk) listed here is missing rather than a
	// level. Compared as the file writes them, before Pattern and Labels,
	// after trimming blanks, case-insensitively.
	MissingValues []string `yaml:"missing_values,omitempty"`
	// SpecialValues are codes that are neither a quantity nor an ordinary
	// level (96 and 98 meaning "not applicable" in a delinquency count).
	// Such a value is never mixed with the ordinary values: it is left out
	// of ranges, caps, medians, quantiles and drift bins, is not imputed,
	// and the column's value is missing for it, while a 0/1 feature per
	// special value (<column>_special_<value>) records which one it was.
	// Numeric and date codes are compared as numbers after the column's
	// parser has read them (96 matches "96" and "96.0"); categorical and
	// ordinal codes as the file writes them (after Pattern, before Labels).
	// At most MaxSpecialValues.
	SpecialValues []string `yaml:"special_values,omitempty"`
	// Pattern is a regular expression (RE2 syntax, at most value.MaxPatternLen
	// bytes, at most one capture group) that extracts the value from its
	// recoded text before the parser reads it: '(\d+)' reads "term_36" as
	// 36 and "emp_5" as 5. The capture group is used, or the whole match
	// when there is none. A present value that does not match is an
	// unreadable value (an error naming the column); list tokens such as
	// "emp_unk" in MissingValues to read them as missing. Default: none.
	Pattern string `yaml:"pattern,omitempty"`
	// Labels rename coded levels for people (e.g. A11 → "< 0 DM").
	Labels map[string]string `yaml:"labels,omitempty"`
}

// Cleaning tunes the cleaning step.
type Cleaning struct {
	// MaxMissing drops a column whose missing share in the training period
	// is above it. Default 0.9.
	MaxMissing float64 `yaml:"max_missing,omitempty"`
	// CapLower and CapUpper are the training-period quantiles numeric
	// values are capped to. Defaults 0.001 and 0.999.
	CapLower float64 `yaml:"cap_lower,omitempty"`
	CapUpper float64 `yaml:"cap_upper,omitempty"`
	// MissingIndicatorMin adds a <column>_missing indicator to a numeric
	// column whose training missing share is at least this. Default 0.01.
	MissingIndicatorMin float64 `yaml:"missing_indicator_min,omitempty"`
	// MaxCategories is the most levels an inferred categorical column may
	// have before it is dropped as free text. Default 50.
	MaxCategories int `yaml:"max_categories,omitempty"`
}

// Derived is an engineered feature: Op applied to Args (cleaned columns),
// times Scale.
type Derived struct {
	Name string `yaml:"name"`
	// Op is ratio (a/b), mean, sum, difference (a−b), product, log1p (of a
	// non-negative a) or months_between (from date a to date b; b may be
	// the spec's date column).
	Op   string   `yaml:"op"`
	Args []string `yaml:"args"`
	// Scale multiplies the result. Default 1.
	Scale float64 `yaml:"scale,omitempty"`
	// Monotone constrains learners as Column.Monotone does.
	Monotone int `yaml:"monotone,omitempty"`
}

// Derived operations.
var derivedOps = map[string]int{ // op → number of args (0 = two or more)
	"ratio": 2, "difference": 2, "months_between": 2, "log1p": 1, "mean": 0, "sum": 0, "product": 0,
}

// Split tunes the train/test split.
type Split struct {
	// TestFraction is the share of loans in the test set. Default 0.2.
	TestFraction float64 `yaml:"test_fraction,omitempty"`
	// Seed drives the stratified split of data sets without a date.
	// Default 42.
	Seed uint64 `yaml:"seed,omitempty"`
}

// Encoding tunes categorical encoding.
type Encoding struct {
	// MaxOneHot is the most levels one-hot encoded; above it a category is
	// target-mean encoded. Default 16.
	MaxOneHot int `yaml:"max_onehot,omitempty"`
	// MinLevelShare folds levels rarer than this share of training rows
	// into "other". Default 0.005.
	MinLevelShare float64 `yaml:"min_level_share,omitempty"`
	// Smoothing is the prior weight of target-mean encoding. Default 100.
	Smoothing float64 `yaml:"smoothing,omitempty"`
}

// Costs are per-loan business outcomes used to pick the decision threshold.
type Costs struct {
	// BadAccepted is the loss of approving a loan that defaults.
	BadAccepted float64 `yaml:"bad_accepted"`
	// GoodRejected is the profit forgone by declining a loan that repays.
	GoodRejected float64 `yaml:"good_rejected"`
}

// Scorecard is the points scaling of the scorecard learner (CREDIT.md §1):
// BaseScore points at good:bad odds BaseOdds, and PDO points to double the
// odds. A zero field takes its default.
type Scorecard struct {
	// BaseScore is the score at odds BaseOdds. Default 600
	// (scorecard.DefaultBaseScore).
	BaseScore float64 `yaml:"base_score,omitempty" json:"base_score,omitempty"`
	// BaseOdds are the good:bad odds at BaseScore: 50 means 50:1. Default
	// 50.
	BaseOdds float64 `yaml:"base_odds,omitempty" json:"base_odds,omitempty"`
	// PDO is the number of points that double the odds. Default 20.
	PDO float64 `yaml:"pdo,omitempty" json:"pdo,omitempty"`
	// Cleared names characteristics (inputs or derived values) whose
	// information value is above the leakage band (0.5) and that were
	// checked and are known at application time: the scorecard may use
	// them. Others above the band are reported and set aside. Default
	// none.
	Cleared []string `yaml:"cleared,omitempty" json:"cleared,omitempty"`
}

// Scaling returns the points scaling s sets, the defaults (600 points at
// 50:1, 20 points to double the odds) for a nil s or a zero field.
func (s *Scorecard) Scaling() (scorecard.Scaling, error) {
	base, odds, pdo := float64(scorecard.DefaultBaseScore), float64(scorecard.DefaultBaseOdds), float64(scorecard.DefaultPDO)
	if s != nil {
		if s.BaseScore != 0 {
			base = s.BaseScore
		}
		if s.BaseOdds != 0 {
			odds = s.BaseOdds
		}
		if s.PDO != 0 {
			pdo = s.PDO
		}
	}
	return scorecard.NewScaling(base, odds, pdo)
}

// Defaults.
const (
	DefaultMaxMissing          = 0.9
	DefaultCapLower            = 0.001
	DefaultCapUpper            = 0.999
	DefaultMissingIndicatorMin = 0.01
	DefaultMaxCategories       = 50
	DefaultTestFraction        = 0.2
	DefaultSeed                = 42
	DefaultMaxOneHot           = 16
	DefaultMinLevelShare       = 0.005
	DefaultSmoothing           = 100
)

// Limits of a column's keys.
const (
	// MaxSpecialValues is the most Column.SpecialValues accepted.
	MaxSpecialValues = 32
)

// SpecError is an invalid spec: Key is the spec key at fault, dotted from
// the top ("columns.dti.special_values", "cleaning.cap_lower"), and Err says
// what is wrong with it. errors.Is(err, ErrSpec) holds for every SpecError.
type SpecError struct {
	Key string
	Err error
}

func (e *SpecError) Error() string {
	if e.Key == "" {
		return ErrSpec.Error() + ": " + e.Err.Error()
	}
	return ErrSpec.Error() + ": " + e.Key + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SpecError) Unwrap() error { return e.Err }

// Is reports whether target is ErrSpec.
func (e *SpecError) Is(target error) bool { return target == ErrSpec }

// MissingTokens returns the tokens read as missing in every column:
// value.DefaultMissing() followed by MissingValues, or MissingValues alone
// when MissingValuesReplaceDefaults is set. The slice is new.
func (s *Spec) MissingTokens() []string {
	if s.MissingValuesReplaceDefaults {
		return slices.Clone(s.MissingValues)
	}
	return append(value.DefaultMissing(), s.MissingValues...)
}

// ColumnMissing returns the tokens read as missing in the named column:
// MissingTokens followed by the column's own MissingValues. The slice is
// new.
func (s *Spec) ColumnMissing(name string) []string {
	return append(s.MissingTokens(), s.Columns[name].MissingValues...)
}

// DecodeSpec reads a YAML or JSON spec strictly: an unknown key is an error
// that names it. Defaults are filled in and the spec is validated.
func DecodeSpec(r io.Reader) (*Spec, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: empty file", ErrSpec)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) == nil {
			if uk := unknownKey(&doc, reflect.TypeFor[Spec](), ""); uk != nil {
				return nil, uk
			}
		}
		return nil, fmt.Errorf("%w: %v", ErrSpec, err)
	}
	var extra any
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("%w: more than one document", ErrSpec)
	}
	s.fillDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// unknownKey walks a decoded YAML document along the spec's types and
// returns a *SpecError naming the first key that t does not accept, with
// its full path ("columns.dti.tpye") and line, and the keys accepted
// there; nil when every key is known. It descends only along struct
// fields, maps of structs and lists of structs, so its depth is bounded by
// the types whatever the document.
func unknownKey(n *yaml.Node, t reflect.Type, path string) *SpecError {
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		var names []string
		for f := range t.Fields() {
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if tag != "" && tag != "-" {
				fields[tag] = f.Type
				names = append(names, tag)
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value == "<<" {
				continue // a merge key: its keys are checked by the decoder
			}
			ft, ok := fields[k.Value]
			if !ok {
				return &SpecError{Key: joinKey(path, k.Value), Err: fmt.Errorf("unknown key (line %d); want one of %s (see docs/spec.md)", k.Line, strings.Join(names, ", "))}
			}
			if err := unknownKey(n.Content[i+1], ft, joinKey(path, k.Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := unknownKey(n.Content[i+1], t.Elem(), joinKey(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			if err := unknownKey(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// ReadSpecFile decodes the spec file at path.
func ReadSpecFile(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	defer f.Close()
	s, err := DecodeSpec(f)
	if err != nil {
		return nil, fmt.Errorf("spec %s: %w", path, err)
	}
	return s, nil
}

func (s *Spec) fillDefaults() {
	if s.Format.Delimiter == "" {
		s.Format.Delimiter = ","
	}
	if s.Undeclared == "" {
		s.Undeclared = "infer"
	}
	c := &s.Cleaning
	if c.MaxMissing == 0 {
		c.MaxMissing = DefaultMaxMissing
	}
	if c.CapLower == 0 {
		c.CapLower = DefaultCapLower
	}
	if c.CapUpper == 0 {
		c.CapUpper = DefaultCapUpper
	}
	if c.MissingIndicatorMin == 0 {
		c.MissingIndicatorMin = DefaultMissingIndicatorMin
	}
	if c.MaxCategories == 0 {
		c.MaxCategories = DefaultMaxCategories
	}
	if s.Split.TestFraction == 0 {
		s.Split.TestFraction = DefaultTestFraction
	}
	if s.Split.Seed == 0 {
		s.Split.Seed = DefaultSeed
	}
	e := &s.Encoding
	if e.MaxOneHot == 0 {
		e.MaxOneHot = DefaultMaxOneHot
	}
	if e.MinLevelShare == 0 {
		e.MinLevelShare = DefaultMinLevelShare
	}
	if e.Smoothing == 0 {
		e.Smoothing = DefaultSmoothing
	}
	for i := range s.Derived {
		if s.Derived[i].Scale == 0 {
			s.Derived[i].Scale = 1
		}
	}
	for name, col := range s.Columns {
		if col.Parser == "" {
			switch col.Type {
			case TypeNumeric:
				col.Parser = value.Number
			case TypeDate:
				col.Parser = value.Date
			default:
				col.Parser = value.Text
			}
		}
		if col.Type == TypeDate && col.Format == "" && s.Date != nil {
			col.Format = s.Date.Format
		}
		s.Columns[name] = col
	}
}

// Validate checks the spec on its own (without data). Every error is a
// *SpecError naming the key at fault, and the column for a column's key.
func (s *Spec) Validate() error {
	bad := func(key, format string, args ...any) error {
		return &SpecError{Key: key, Err: fmt.Errorf(format, args...)}
	}
	if s.Name == "" {
		return bad("name", "is required")
	}
	switch s.Format.Delimiter {
	case ",", ";", "\t", "|", "whitespace":
	default:
		return bad("format.delimiter", "%q: want \",\", \";\", \"\\t\", \"|\" or \"whitespace\"", s.Format.Delimiter)
	}
	if s.Target.Column == "" {
		return bad("target.column", "is required")
	}
	if len(s.Target.Bad) == 0 || len(s.Target.Good) == 0 {
		return bad("target", "target.bad and target.good each need at least one value")
	}
	seen := map[string]string{}
	for _, list := range []struct {
		name string
		vals []string
	}{{"bad", s.Target.Bad}, {"good", s.Target.Good}, {"exclude", s.Target.Exclude}} {
		for _, v := range list.vals {
			if prev, ok := seen[v]; ok {
				return bad("target."+list.name, "value %q is listed in both target.%s and target.%s", v, prev, list.name)
			}
			seen[v] = list.name
		}
	}
	if s.Date != nil {
		if s.Date.Column == "" {
			return bad("date.column", "is required when date is set")
		}
		if _, err := value.DateLayout(s.Date.Format); err != nil {
			return bad("date.format", "%v", err)
		}
	}
	switch s.Undeclared {
	case "infer", "drop":
	default:
		return bad("undeclared", "%q: want infer or drop", s.Undeclared)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Columns)) {
		if name == s.Target.Column {
			return bad("columns."+name, "the target column cannot be declared as a feature")
		}
		if key, err := s.Columns[name].validate(s.ColumnMissing(name)); err != nil {
			return &SpecError{Key: "columns." + name + "." + key, Err: err}
		}
	}
	for _, p := range s.LeakageColumns {
		if _, err := path.Match(p, ""); err != nil {
			return bad("leakage_columns", "bad pattern %q", p)
		}
	}
	c := s.Cleaning
	if c.MaxMissing <= 0 || c.MaxMissing > 1 {
		return bad("cleaning.max_missing", "%v: want (0, 1]", c.MaxMissing)
	}
	if c.CapLower < 0 || c.CapLower >= 1 {
		return bad("cleaning.cap_lower", "%v: want [0, 1)", c.CapLower)
	}
	if c.CapUpper <= 0 || c.CapUpper > 1 || c.CapLower >= c.CapUpper {
		return bad("cleaning.cap_upper", "%v: want (cap_lower %v, 1]", c.CapUpper, c.CapLower)
	}
	if c.MissingIndicatorMin < 0 || c.MissingIndicatorMin > 1 {
		return bad("cleaning.missing_indicator_min", "%v: want [0, 1]", c.MissingIndicatorMin)
	}
	if c.MaxCategories < 2 {
		return bad("cleaning.max_categories", "%d: want at least 2", c.MaxCategories)
	}
	if f := s.Split.TestFraction; f <= 0 || f >= 1 {
		return bad("split.test_fraction", "%v: want (0, 1)", f)
	}
	e := s.Encoding
	switch {
	case e.MaxOneHot < 2:
		return bad("encoding.max_onehot", "%d: want at least 2", e.MaxOneHot)
	case e.MinLevelShare < 0 || e.MinLevelShare >= 0.5:
		return bad("encoding.min_level_share", "%v: want [0, 0.5)", e.MinLevelShare)
	case e.Smoothing < 0:
		return bad("encoding.smoothing", "%v: want at least 0", e.Smoothing)
	}
	names := map[string]bool{}
	for i, d := range s.Derived {
		key := fmt.Sprintf("derived[%d]", i)
		if d.Name == "" {
			return bad(key+".name", "is required")
		}
		key = fmt.Sprintf("derived[%d] (%s)", i, d.Name)
		if names[d.Name] {
			return bad(key+".name", "%q is defined twice", d.Name)
		}
		names[d.Name] = true
		n, ok := derivedOps[d.Op]
		if !ok {
			return bad(key+".op", "unknown op %q (want ratio, difference, months_between, log1p, mean, sum or product)", d.Op)
		}
		if (n > 0 && len(d.Args) != n) || (n == 0 && len(d.Args) < 2) {
			return bad(key+".args", "op %s takes %s arguments, got %d", d.Op, argCount(n), len(d.Args))
		}
		if d.Monotone < -1 || d.Monotone > 1 {
			return bad(key+".monotone", "%d: want -1, 0 or 1", d.Monotone)
		}
	}
	if _, err := metrics.ParseSelection(s.SelectionMetric); err != nil {
		return bad("selection_metric", "%v", err)
	}
	if _, err := s.Scorecard.Scaling(); err != nil {
		return bad("scorecard", "%v", err)
	}
	if s.Scorecard != nil {
		seen := map[string]bool{}
		for _, c := range s.Scorecard.Cleared {
			if c == "" || seen[c] {
				return bad("scorecard.cleared", "%q is empty or listed twice", c)
			}
			seen[c] = true
		}
	}
	if s.Costs != nil {
		if s.Costs.BadAccepted <= 0 {
			return bad("costs.bad_accepted", "%v: must be positive", s.Costs.BadAccepted)
		}
		if s.Costs.GoodRejected <= 0 {
			return bad("costs.good_rejected", "%v: must be positive", s.Costs.GoodRejected)
		}
	}
	return nil
}

func argCount(n int) string {
	if n == 0 {
		return "two or more"
	}
	return fmt.Sprint(n)
}

// validate checks one column's entry; missing are the tokens read as
// missing in it. It returns the key at fault with the error.
func (c Column) validate(missing []string) (key string, err error) {
	switch c.Type {
	case TypeNumeric:
		if !c.Parser.Valid() || !c.Parser.Numeric() || c.Parser == value.Date {
			return "parser", fmt.Errorf("%q: want number, percent, months or years", c.Parser)
		}
	case TypeDate:
		if c.Parser != value.Date {
			return "parser", fmt.Errorf("%q: a date column takes no parser other than date", c.Parser)
		}
		if _, err := value.DateLayout(c.Format); err != nil {
			return "format", err
		}
	case TypeCategorical:
		if c.Parser != value.Text {
			return "parser", fmt.Errorf("%q: a categorical column takes no parser", c.Parser)
		}
	case TypeOrdinal:
		if c.Parser != value.Text {
			return "parser", fmt.Errorf("%q: an ordinal column takes no parser", c.Parser)
		}
		if len(c.Order) < 2 {
			return "order", fmt.Errorf("needs at least two levels")
		}
		seen := map[string]bool{}
		for _, l := range c.Order {
			if seen[l] {
				return "order", fmt.Errorf("lists %q twice", l)
			}
			seen[l] = true
		}
	default:
		return "type", fmt.Errorf("%q: want numeric, categorical, ordinal or date", c.Type)
	}
	if c.Min != nil && c.Max != nil && *c.Min > *c.Max {
		return "min", fmt.Errorf("%v above max %v", *c.Min, *c.Max)
	}
	if c.Monotone < -1 || c.Monotone > 1 {
		return "monotone", fmt.Errorf("%d: want -1, 0 or 1", c.Monotone)
	}
	switch c.RangePolicy {
	case "", "clamp", "reject":
	default:
		return "range_policy", fmt.Errorf("%q: want clamp or reject", c.RangePolicy)
	}
	if c.RangePolicy != "" && c.Type == TypeOrdinal {
		return "range_policy", fmt.Errorf("an ordinal column's levels are fixed by its order (an unknown level is always refused)")
	}
	if c.NoCap && c.Type != TypeNumeric {
		return "no_cap", fmt.Errorf("only numeric columns are capped; a %s column takes no no_cap", c.Type)
	}
	if c.Pattern != "" {
		if _, err := value.CompilePattern(c.Pattern); err != nil {
			return "pattern", err
		}
	}
	if len(c.SpecialValues) > MaxSpecialValues {
		return "special_values", fmt.Errorf("%d values: at most %d", len(c.SpecialValues), MaxSpecialValues)
	}
	var layout string
	if c.Type == TypeDate {
		layout, _ = value.DateLayout(c.Format)
	}
	p := value.Parser{Kind: c.Parser, Layout: layout, Missing: missing}
	nums := map[float64]string{}
	texts := map[string]bool{}
	for _, sv := range c.SpecialValues {
		if value.IsMissing(sv, missing) {
			return "special_values", fmt.Errorf("%q is also a missing token of the column (missing_values or the defaults)", sv)
		}
		if strings.TrimSpace(sv) != sv {
			return "special_values", fmt.Errorf("%q has leading or trailing blanks; values are compared trimmed", sv)
		}
		if c.Parser.Numeric() {
			v, _, err := p.ParseFloat(sv)
			if err != nil {
				return "special_values", fmt.Errorf("%q is not a value the %s parser reads: %v", sv, c.Parser, err)
			}
			if prev, dup := nums[v]; dup {
				return "special_values", fmt.Errorf("%q and %q are the same value", prev, sv)
			}
			nums[v] = sv
			continue
		}
		if texts[sv] {
			return "special_values", fmt.Errorf("lists %q twice", sv)
		}
		texts[sv] = true
		if c.Type == TypeOrdinal {
			lvl := sv
			if l, ok := c.Labels[sv]; ok {
				lvl = l
			}
			if slices.Contains(c.Order, lvl) {
				return "special_values", fmt.Errorf("%q is a level of the column's order; a special value stands apart from the ordered levels", sv)
			}
		}
	}
	if c.Type == TypeOrdinal {
		for _, l := range c.Order {
			if value.IsMissing(l, missing) {
				return "missing_values", fmt.Errorf("%q is a level of the column's order and a missing token", l)
			}
		}
	}
	return "", nil
}

// Role is what the spec makes of a column.
type Role int

// Column roles.
const (
	RoleUndeclared Role = iota // not named: inferred or dropped per Undeclared
	RoleFeature                // declared in Columns
	RoleTarget
	RoleDate // the application date
	RoleID
	RoleText
	RoleDrop
	RoleLeakage
	// RoleUnnamed is an undeclared column without a name (an empty
	// header, or pandas' "Unnamed: 0" once such a file is read and written
	// again): the index a data frame library wrote, never a feature.
	RoleUnnamed
)

// String names the role as logs show it.
func (r Role) String() string {
	return [...]string{"undeclared", "feature", "target", "date", "id", "free_text", "dropped", "leakage", "unnamed"}[r]
}

// RoleOf returns the role the spec gives the named column. Leakage wins
// over every other role but the target, so a post-origination column is
// never a feature even when declared.
func (s *Spec) RoleOf(name string) Role {
	switch {
	case name == s.Target.Column:
		return RoleTarget
	case s.isLeakage(name):
		return RoleLeakage
	case s.Date != nil && name == s.Date.Column:
		return RoleDate
	case slices.Contains(s.IDColumns, name):
		return RoleID
	case slices.Contains(s.TextColumns, name):
		return RoleText
	case slices.Contains(s.DropColumns, name):
		return RoleDrop
	}
	if _, ok := s.Columns[name]; ok {
		return RoleFeature
	}
	if IsUnnamed(name) {
		return RoleUnnamed
	}
	return RoleUndeclared
}

// IsUnnamed reports whether a header name is no name: empty (as pandas'
// to_csv writes the index column's header) or "Unnamed: <n>" (as pandas
// names such a column when it reads the file).
func IsUnnamed(name string) bool {
	if name == "" {
		return true
	}
	n, ok := strings.CutPrefix(name, "Unnamed: ")
	if !ok || n == "" {
		return false
	}
	for _, c := range []byte(n) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func (s *Spec) isLeakage(name string) bool {
	for _, p := range s.LeakageColumns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// CheckHeader checks the spec against a file's columns: every column the
// spec names must be present (leakage patterns excepted).
func (s *Spec) CheckHeader(file string, header []string) error {
	have := make(map[string]bool, len(header))
	for _, h := range header {
		have[h] = true
	}
	var missing []string
	need := func(field, name string) {
		if !have[name] {
			missing = append(missing, fmt.Sprintf("%s %q", field, name))
		}
	}
	need("target.column", s.Target.Column)
	if s.Date != nil {
		need("date.column", s.Date.Column)
	}
	for _, n := range s.IDColumns {
		need("id_columns", n)
	}
	for _, n := range s.TextColumns {
		need("text_columns", n)
	}
	for _, n := range s.DropColumns {
		need("drop_columns", n)
	}
	for _, n := range slices.Sorted(maps.Keys(s.Columns)) {
		need("columns", n)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s: the spec names columns the file lacks: %s", file, strings.Join(missing, ", "))
	}
	return nil
}
