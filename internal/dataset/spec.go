package dataset

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/promotion"
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
	// Promotion holds the gates a retrain's best candidate must pass to
	// replace the production champion; otherwise it becomes the
	// challenger.
	Promotion Promotion `yaml:"promotion,omitempty"`
	// Reasons is the reason-code catalogue: per application field (a
	// column declared under Columns), the codes and statements an
	// adverse-action notice gives when the field pushed an application
	// toward decline. A field without an entry is named by itself.
	// Default: none.
	Reasons map[string]FieldReasons `yaml:"reasons,omitempty"`
	// Protected are the protected attributes (sex, age, marital status,
	// …): never features, whatever else the spec says of them, and
	// analysed by group in the retrain's fairness section and the
	// adverse impact gate. Default: none.
	Protected []ProtectedColumn `yaml:"protected,omitempty"`
	// Monitoring holds the thresholds credit-risk monitor judges recent
	// applications and matured loans by, and how it dates defaults for
	// vintage curves.
	Monitoring Monitoring `yaml:"monitoring,omitempty"`
	// Scorecard sets the points scaling of the scorecard learner.
	Scorecard *Scorecard `yaml:"scorecard,omitempty"`
}

// ProtectedColumn is a protected attribute: a column of the raw files.
// A categorical one's groups are its values (named by the column's labels
// when it is declared under columns); a numeric one is cut into Bands.
type ProtectedColumn struct {
	// Column names the column.
	Column string `yaml:"column"`
	// Bands are the edges that cut a numeric attribute into groups (age
	// bands such as [25, 35, 50]: "< 25", "25–35", "35–50", ">= 50");
	// strictly increasing. None: the values themselves are the groups.
	Bands []float64 `yaml:"bands,omitempty"`
}

// Promotion holds the promotion gates (package promotion). A key left out
// takes its default (promotion.DefaultMinGain and the others); a zero
// max_ece, max_score_psi or min_air switches that gate off.
type Promotion struct {
	// MinGain is how much the candidate must beat the champion by on the
	// selection metric, both scored on the validation slice of the new
	// training period; negative tolerates a loss. Default 0.
	MinGain *float64 `yaml:"min_gain,omitempty"`
	// MaxECE is the largest expected calibration error of the candidate on
	// that slice. Default 0.05.
	MaxECE *float64 `yaml:"max_ece,omitempty"`
	// MaxScorePSI is the largest PSI of the candidate's PDs between the
	// rows it was fitted on and that slice. Default 0.25.
	MaxScorePSI *float64 `yaml:"max_score_psi,omitempty"`
	// MinAIR is the smallest adverse impact ratio over the groups of a
	// protected attribute, at the candidate's threshold; it applies once
	// the spec declares protected attributes. Default 0.8.
	MinAIR *float64 `yaml:"min_air,omitempty"`
}

// FieldReasons is one field's entry in the reason-code catalogue. Every
// contribution of what derives from the field (its engineered features,
// encodings, missing and special-value indicators) is summed onto it, and
// the entry's reason for the direction of its value names it.
type FieldReasons struct {
	// Code and Statement are the field's reason, used for a categorical
	// value, a special value, and a direction without its own High or
	// Low. Required.
	Code      string `yaml:"code"`
	Statement string `yaml:"statement"`
	// High is the reason when the value is above the training median (a
	// number, a date, or an ordinal level above the median level); Low
	// when at or below it. Only numeric, date and ordinal fields take
	// them. Default: Code and Statement.
	High *ReasonText `yaml:"high,omitempty"`
	Low  *ReasonText `yaml:"low,omitempty"`
	// Missing is the field's "insufficient information" reason, given when
	// the application lacks the field. Required.
	Missing ReasonText `yaml:"missing"`
}

// ReasonText is a reason: a stable code and a plain statement.
type ReasonText struct {
	// Code is 1 to MaxReasonCode ASCII letters, digits, '_', '-' or '.',
	// starting with a letter or digit. A code stands for one statement
	// throughout the catalogue; fields may share it, and their
	// contributions are then ranked as one reason.
	Code string `yaml:"code"`
	// Statement is what a notice prints: 1 to MaxReasonStatement bytes,
	// no control characters.
	Statement string `yaml:"statement"`
}

// Monitoring holds the thresholds of credit-risk monitor. A zero
// threshold means its documented default; +Inf (YAML .inf) switches a
// maximum off, and MinAUC is off at its default 0.
type Monitoring struct {
	// MaxScorePSI is the largest PSI of the score (the calibrated PD)
	// between the model's development reference and the recent
	// applications before the run reports a breach. Default
	// DefaultMaxScorePSI (0.25, where the PSI's "action" band begins).
	MaxScorePSI float64 `yaml:"max_score_psi,omitempty"`
	// MaxCSI is the largest characteristic stability index (the PSI of one
	// model feature) before a breach. Default DefaultMaxCSI (0.25).
	MaxCSI float64 `yaml:"max_csi,omitempty"`
	// MinAUC is the lowest ROC-AUC of the backtest (all matured loans)
	// before a breach. Default 0: off.
	MinAUC float64 `yaml:"min_auc,omitempty"`
	// MaxAUCDrop is the largest fall of the backtest ROC-AUC below the
	// model's own test ROC-AUC before a breach. Default DefaultMaxAUCDrop
	// (0.05).
	MaxAUCDrop float64 `yaml:"max_auc_drop,omitempty"`
	// MaxBadRateRatio bounds the observed bad rate of the matured loans
	// over their mean predicted PD: a ratio above it, or below its
	// inverse, is a breach. Default DefaultMaxBadRateRatio (1.5).
	MaxBadRateRatio float64 `yaml:"max_bad_rate_ratio,omitempty"`
	// BandAlpha is the significance level at which a score band's
	// binomial test flags observed against predicted defaults in the
	// report. Default DefaultBandAlpha (0.01). A flag is not a breach.
	BandAlpha float64 `yaml:"band_alpha,omitempty"`
	// MinRows is the fewest scored applications (for stability) or
	// matured loans (for the backtest) on which the thresholds are judged;
	// with fewer the figures are reported but not judged. Default
	// DefaultMinRows (500).
	MinRows int `yaml:"min_rows,omitempty"`
	// Vintage, when set, dates each bad loan's default so that monitor
	// draws vintage curves. It needs the spec's date.
	Vintage *Vintage `yaml:"vintage,omitempty"`
}

// Vintage says how credit-risk monitor dates a default.
type Vintage struct {
	// DefaultDate is the column holding the month a bad loan went bad (for
	// Lending Club, last_pymnt_d: the last payment received). Required.
	DefaultDate string `yaml:"default_date"`
	// Format is the date format of DefaultDate. Default: date.format.
	Format string `yaml:"format,omitempty"`
	// Cohort groups loans by origination "month" or "quarter". Default
	// "quarter".
	Cohort string `yaml:"cohort,omitempty"`
}

// Vintage cohorts.
const (
	CohortMonth   = "month"
	CohortQuarter = "quarter"
)

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

	DefaultMaxScorePSI     = 0.25
	DefaultMaxCSI          = 0.25
	DefaultMaxAUCDrop      = 0.05
	DefaultMaxBadRateRatio = 1.5
	DefaultBandAlpha       = 0.01
	DefaultMinRows         = 500
)

// Limits of a column's keys.
const (
	// MaxSpecialValues is the most Column.SpecialValues accepted.
	MaxSpecialValues = 32
	// MaxReasonCode and MaxReasonStatement bound a ReasonText's code and
	// statement, in bytes (as features.MaxReasonCode and
	// features.MaxReasonStatement, which a model file is checked by).
	MaxReasonCode      = 40
	MaxReasonStatement = 200
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
	s.Format.Delimiter = cmp.Or(s.Format.Delimiter, ",")
	s.Undeclared = cmp.Or(s.Undeclared, "infer")
	c := &s.Cleaning
	c.MaxMissing = cmp.Or(c.MaxMissing, DefaultMaxMissing)
	c.CapLower = cmp.Or(c.CapLower, DefaultCapLower)
	c.CapUpper = cmp.Or(c.CapUpper, DefaultCapUpper)
	c.MissingIndicatorMin = cmp.Or(c.MissingIndicatorMin, DefaultMissingIndicatorMin)
	c.MaxCategories = cmp.Or(c.MaxCategories, DefaultMaxCategories)
	s.Split.TestFraction = cmp.Or(s.Split.TestFraction, DefaultTestFraction)
	s.Split.Seed = cmp.Or(s.Split.Seed, DefaultSeed)
	p := &s.Promotion
	for _, f := range []struct {
		v   **float64
		def float64
	}{{&p.MinGain, promotion.DefaultMinGain}, {&p.MaxECE, promotion.DefaultMaxECE}, {&p.MaxScorePSI, promotion.DefaultMaxScorePSI}, {&p.MinAIR, promotion.DefaultMinAIR}} {
		if *f.v == nil {
			v := f.def
			*f.v = &v
		}
	}
	e := &s.Encoding
	e.MaxOneHot = cmp.Or(e.MaxOneHot, DefaultMaxOneHot)
	e.MinLevelShare = cmp.Or(e.MinLevelShare, DefaultMinLevelShare)
	e.Smoothing = cmp.Or(e.Smoothing, DefaultSmoothing)
	s.Monitoring.fillDefaults(s.Date)
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
	for _, g := range []struct {
		key    string
		v      *float64
		lo, hi float64
	}{
		{"promotion.min_gain", s.Promotion.MinGain, -1e6, 1e6},
		{"promotion.max_ece", s.Promotion.MaxECE, 0, 1},
		{"promotion.max_score_psi", s.Promotion.MaxScorePSI, 0, 1e6},
		{"promotion.min_air", s.Promotion.MinAIR, 0, 1},
	} {
		if g.v != nil && !(*g.v >= g.lo && *g.v <= g.hi) {
			return bad(g.key, "%v: want a number in [%g, %g]", *g.v, g.lo, g.hi)
		}
	}
	seenProtected := map[string]bool{}
	for i, p := range s.Protected {
		key := fmt.Sprintf("protected[%d]", i)
		switch {
		case p.Column == "":
			return bad(key+".column", "is required")
		case seenProtected[p.Column]:
			return bad(key+".column", "%q is declared twice", p.Column)
		case p.Column == s.Target.Column || (s.Date != nil && p.Column == s.Date.Column):
			return bad(key+".column", "%q is the target or the date column", p.Column)
		}
		seenProtected[p.Column] = true
		for j, e := range p.Bands {
			if math.IsNaN(e) || math.IsInf(e, 0) || (j > 0 && e <= p.Bands[j-1]) {
				return bad(key+".bands", "%v: want finite, strictly increasing edges", p.Bands)
			}
		}
	}
	if err := s.validateReasons(); err != nil {
		return err
	}
	if key, err := s.Monitoring.validate(s); err != nil {
		return &SpecError{Key: "monitoring." + key, Err: err}
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

// validateReasons checks the reason-code catalogue: each entry names a
// declared column, its reasons are well formed, directions are given only
// to ordered fields, and a code stands for one statement throughout.
func (s *Spec) validateReasons() error {
	statements := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(s.Reasons)) {
		key := "reasons." + name
		if role := s.RoleOf(name); role != RoleFeature {
			return &SpecError{Key: key, Err: fmt.Errorf("names no feature column (its role is %s); declare the field under columns", role)}
		}
		r := s.Reasons[name]
		texts := []struct {
			key string
			t   *ReasonText
		}{{"", &ReasonText{r.Code, r.Statement}}, {".missing", &r.Missing}, {".high", r.High}, {".low", r.Low}}
		for _, t := range texts {
			if t.t == nil {
				continue
			}
			if (t.key == ".high" || t.key == ".low") && s.Columns[name].Type == TypeCategorical {
				return &SpecError{Key: key + t.key, Err: fmt.Errorf("a categorical field's levels have no direction; give its code and statement only")}
			}
			if err := checkReasonText(*t.t); err != nil {
				return &SpecError{Key: key + t.key, Err: err}
			}
			if prev, ok := statements[t.t.Code]; ok && prev != t.t.Statement {
				return &SpecError{Key: key + t.key + ".code", Err: fmt.Errorf("%q stands for %q elsewhere in the catalogue; a code has one statement", t.t.Code, prev)}
			}
			statements[t.t.Code] = t.t.Statement
		}
	}
	return nil
}

// checkReasonText checks a reason's code and statement, by the rules the
// model file's catalogue is checked by (features.CheckReasonCode,
// features.CheckReasonStatement).
func checkReasonText(t ReasonText) error {
	code, st := t.Code, t.Statement
	if code == "" || len(code) > MaxReasonCode {
		return fmt.Errorf("code %q: want 1 to %d characters", code, MaxReasonCode)
	}
	for i, c := range []byte(code) {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '_' && c != '-' && c != '.') {
			return fmt.Errorf("code %q: want letters, digits, '_', '-' and '.', starting with a letter or digit", code)
		}
	}
	switch {
	case strings.TrimSpace(st) == "" || len(st) > MaxReasonStatement:
		return fmt.Errorf("statement: want 1 to %d bytes of text", MaxReasonStatement)
	case !utf8.ValidString(st):
		return fmt.Errorf("statement %q: not UTF-8", st)
	case strings.TrimSpace(st) != st:
		return fmt.Errorf("statement %q: blanks around it", st)
	case strings.ContainsFunc(st, unicode.IsControl):
		return fmt.Errorf("statement %q: control characters", st)
	}
	return nil
}

func (m *Monitoring) fillDefaults(date *DateColumn) {
	m.MaxScorePSI = cmp.Or(m.MaxScorePSI, DefaultMaxScorePSI)
	m.MaxCSI = cmp.Or(m.MaxCSI, DefaultMaxCSI)
	m.MaxAUCDrop = cmp.Or(m.MaxAUCDrop, DefaultMaxAUCDrop)
	m.MaxBadRateRatio = cmp.Or(m.MaxBadRateRatio, DefaultMaxBadRateRatio)
	m.BandAlpha = cmp.Or(m.BandAlpha, DefaultBandAlpha)
	m.MinRows = cmp.Or(m.MinRows, DefaultMinRows)
	if v := m.Vintage; v != nil {
		if v.Format == "" && date != nil {
			v.Format = date.Format
		}
		v.Cohort = cmp.Or(v.Cohort, CohortQuarter)
	}
}

// validate checks the monitoring block and returns the key at fault
// (below monitoring) with the error.
func (m *Monitoring) validate(s *Spec) (key string, err error) {
	switch {
	case !(m.MaxScorePSI > 0):
		return "max_score_psi", fmt.Errorf("%v: must be positive (.inf switches it off)", m.MaxScorePSI)
	case !(m.MaxCSI > 0):
		return "max_csi", fmt.Errorf("%v: must be positive (.inf switches it off)", m.MaxCSI)
	case !(m.MinAUC >= 0 && m.MinAUC < 1):
		return "min_auc", fmt.Errorf("%v: want [0, 1)", m.MinAUC)
	case !(m.MaxAUCDrop > 0):
		return "max_auc_drop", fmt.Errorf("%v: must be positive (.inf switches it off)", m.MaxAUCDrop)
	case !(m.MaxBadRateRatio > 1):
		return "max_bad_rate_ratio", fmt.Errorf("%v: must be above 1 (.inf switches it off)", m.MaxBadRateRatio)
	case !(m.BandAlpha > 0 && m.BandAlpha < 1):
		return "band_alpha", fmt.Errorf("%v: want (0, 1)", m.BandAlpha)
	case m.MinRows < 1:
		return "min_rows", fmt.Errorf("%d: want at least 1", m.MinRows)
	}
	v := m.Vintage
	if v == nil {
		return "", nil
	}
	switch {
	case s.Date == nil:
		return "vintage", fmt.Errorf("vintage curves count months on book from the origination date: the spec needs a date")
	case v.DefaultDate == "":
		return "vintage.default_date", fmt.Errorf("is required when vintage is set")
	case v.DefaultDate == s.Date.Column || v.DefaultDate == s.Target.Column:
		return "vintage.default_date", fmt.Errorf("%q is the spec's date or target column", v.DefaultDate)
	case v.Cohort != CohortMonth && v.Cohort != CohortQuarter:
		return "vintage.cohort", fmt.Errorf("%q: want month or quarter", v.Cohort)
	}
	if _, err := value.DateLayout(v.Format); err != nil {
		return "vintage.format", err
	}
	return "", nil
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
	// RoleProtected is a protected attribute: never a feature.
	RoleProtected
	// RoleUnnamed is an undeclared column without a name (an empty
	// header, or pandas' "Unnamed: 0" once such a file is read and written
	// again): the index a data frame library wrote, never a feature.
	RoleUnnamed
)

// String names the role as logs show it.
func (r Role) String() string {
	return [...]string{"undeclared", "feature", "target", "date", "id", "free_text", "dropped", "leakage", "protected", "unnamed"}[r]
}

// RoleOf returns the role the spec gives the named column. Leakage wins
// over every other role but the target, so a post-origination column is
// never a feature even when declared.
func (s *Spec) RoleOf(name string) Role {
	switch {
	case name == s.Target.Column:
		return RoleTarget
	case s.isProtected(name):
		return RoleProtected
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

func (s *Spec) isProtected(name string) bool {
	return slices.ContainsFunc(s.Protected, func(p ProtectedColumn) bool { return p.Column == name })
}

// ProtectedGroup returns the group of a raw value of the protected
// attribute p: its label, its value, or its band; "" when missing or not
// a number in a banded attribute.
func (s *Spec) ProtectedGroup(p *ProtectedColumn, raw string) string {
	v := strings.TrimSpace(raw)
	if value.IsMissing(v, s.ColumnMissing(p.Column)) {
		return ""
	}
	if len(p.Bands) == 0 {
		if l, ok := s.Columns[p.Column].Labels[v]; ok {
			return l
		}
		return v
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) {
		return ""
	}
	return BandName(p.Bands, x)
}

// BandName names the band of x among edges: "< e0", "e0–e1", …,
// ">= eN"; a value on an edge is in the band it starts.
func BandName(edges []float64, x float64) string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	k, found := slices.BinarySearch(edges, x)
	if found {
		k++
	}
	switch {
	case k == 0:
		return "< " + f(edges[0])
	case k == len(edges):
		return ">= " + f(edges[len(edges)-1])
	}
	return f(edges[k-1]) + "–" + f(edges[k])
}

// BandNames lists the bands of edges in order.
func BandNames(edges []float64) []string {
	names := make([]string, 0, len(edges)+1)
	for _, x := range append([]float64{math.Inf(-1)}, edges...) {
		names = append(names, BandName(edges, x))
	}
	return names
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

// Thresholds returns the gates as package promotion takes them; a key
// left out (a spec not filled in by DecodeSpec) takes its default.
func (p Promotion) Thresholds() promotion.Thresholds {
	t := promotion.DefaultThresholds()
	for _, f := range []struct {
		dst *float64
		v   *float64
	}{{&t.MinGain, p.MinGain}, {&t.MaxECE, p.MaxECE}, {&t.MaxScorePSI, p.MaxScorePSI}, {&t.MinAIR, p.MinAIR}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	return t
}
