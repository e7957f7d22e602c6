package report

import (
	"fmt"
	"github.com/credit-risk/credit-risk/internal/fairness"
	"math"
	"time"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/split"
)

// Input is everything the report shows about one training run.
type Input struct {
	// RunID names the run; it titles the page.
	RunID string
	// Dataset names the data set the run trained on.
	Dataset string
	// CreatedAt is when the run finished. The page shows it in UTC; the
	// zero time is shown as "unknown".
	CreatedAt time.Time
	// Data summarises the rows read and the train/test split.
	Data DataSummary
	// Candidates are the fitted models, in the order the page lists them.
	// Exactly one has Champion set.
	Candidates []Candidate
	// Selection states the rule that chose the champion, in words, such as
	// "the highest ROC-AUC on the validation slice". Empty shows as "not
	// recorded".
	Selection string
	// SelectionMetric is the metric the rule compares, on each
	// candidate's Validation figures; "" is ROC-AUC.
	SelectionMetric metrics.Selection
	// Tuning holds the parameter search of each tuned learner, in the
	// order the page shows them; empty when the run did not tune.
	Tuning []Tuning
	// Fairness holds the champion's test-set outcomes by group of each
	// protected attribute the spec declares; none without them.
	Fairness []fairness.Analysis
	// Promotion is the run's promotion decision: the gates its champion
	// was held to and the verdict; nil leaves the section out.
	Promotion *promotion.Decision
	// Scorecard is the table of the scorecard candidate, shown in its own
	// section with a plot per characteristic; nil when the run fitted
	// none.
	Scorecard *Scorecard
}

// Tuning is the parameter search of one learner: random configurations
// scored by their mean cross-validated ROC-AUC on the training period,
// narrowed by successive halving over rungs of growing cost.
type Tuning struct {
	// Learner is the learner's short name, such as "gbdt".
	Learner string
	// Configs is the number of configurations the search started with,
	// the default included.
	Configs int
	// Folds is the number of cross-validation folds; TimeOrdered says
	// whether they were expanding time windows rather than stratified.
	Folds       int
	TimeOrdered bool
	// Rows is the number of training rows searched on.
	Rows int
	// Rungs describes the rungs, cheapest first.
	Rungs []TuningRung
	// DecidingRung is the index in Rungs of the rung whose scores chose
	// the configuration.
	DecidingRung int
	// BestID is the chosen configuration, 0 being the default.
	BestID int
	// BestAUC and DefaultAUC are the mean cross-validated ROC-AUCs of the
	// chosen and the default configuration on the deciding rung.
	BestAUC, DefaultAUC float64
	// Seconds is the time the search took and BudgetSeconds its time
	// budget, 0 for none.
	Seconds, BudgetSeconds float64
	// Stopped says why the search ended early, such as "time budget
	// spent"; empty when it finished its plan.
	Stopped string
	// Trials lists every evaluation, in the order they ran.
	Trials []TuningTrial
}

// TuningRung is one rung of a successive-halving search.
type TuningRung struct {
	// TrainRows holds the training rows of each fold fitted on the rung.
	TrainRows []int
}

// TuningTrial is the evaluation of one configuration on one rung.
type TuningTrial struct {
	// ID numbers the configuration; 0 is the learner's default.
	ID int
	// Rung is the index of the rung in Tuning.Rungs.
	Rung int
	// Params holds the configuration's searched parameters by name; the
	// values are numbers or strings.
	Params map[string]any
	// MeanAUC is the mean validation ROC-AUC over the rung's folds.
	MeanAUC float64
	// Seconds is the wall-clock time of the trial.
	Seconds float64
}

// DataSummary describes the data behind a run and its split.
type DataSummary struct {
	// RowsRead counts the rows in the raw file; Labelled those with a good
	// or bad outcome, Bad the bad ones among them, and Excluded the rows
	// left out (indeterminate outcome, filters).
	RowsRead, Labelled, Bad, Excluded int
	// TrainRows and TestRows count the rows on each side of the split.
	TrainRows, TestRows int
	// TrainBadRate and TestBadRate are the shares of bad loans (0 to 1) on
	// each side of the split.
	TrainBadRate, TestBadRate float64
	// SplitKind is split.KindOutOfTime or split.KindStratified.
	SplitKind split.Kind
	// SplitDate, FirstDate and LastDate are YYYY-MM-DD, or empty when the
	// data set has no date. With an out-of-time split the test set holds
	// the loans on or after SplitDate.
	SplitDate, FirstDate, LastDate string
	// Features counts the model's input features.
	Features int
	// Dropped lists the columns that were not used as features.
	Dropped []Dropped
}

// Dropped is a column left out of the features, and why.
type Dropped struct {
	// Name is the column name.
	Name string
	// Reason is a short code, such as "leakage" or "constant".
	Reason string
	// Detail explains the reason in words; it may be empty.
	Detail string
}

// Candidate is one fitted model and its results on the test set.
type Candidate struct {
	// Name and Version identify the model, as in the registry. The pair
	// must be unique among the candidates, and Name must not be empty.
	Name    string
	Version int
	// Algorithm names the learner, such as "gbdt", "forest" or "linear".
	Algorithm string
	// Champion marks the model chosen for production.
	Champion bool
	// Threshold is the decision threshold: a PD >= Threshold predicts bad.
	Threshold float64
	// ThresholdRule says how Threshold was chosen.
	ThresholdRule string
	// Metrics holds the test metrics. A NaN value, or a FitSeconds of 0
	// (not recorded), shows as "n/a". ValidRows, the training rows held
	// out for calibration, shows in the data summary when every candidate
	// has the same, else in a table of other values with the Extra
	// metrics.
	Metrics metrics.Summary
	// Validation holds the metrics on the validation slice of the
	// training period, which the champion was chosen by; zero when not
	// recorded (the selection then reads the test figures).
	Validation metrics.Summary
	// ValidY and ValidPD are the validation labels and calibrated PDs,
	// for DeLong's test of the selection margins; empty when not
	// recorded.
	ValidY, ValidPD []float64
	// Y holds the test labels: 1 for bad, 0 for good.
	Y []float64
	// PD holds the calibrated test PDs, in the order of Y.
	PD []float64
	// Segments holds the test AUC per segment level.
	Segments []SegmentAUC
	// Importance holds the mean |SHAP| value per feature, largest first.
	// Only the champion's is plotted; it may be empty.
	Importance []Importance
}

// SegmentAUC is the test AUC within one level of a segmenting column.
type SegmentAUC struct {
	// Segment is the column, such as "grade"; Level is its value, such as
	// "B".
	Segment, Level string
	// Rows counts the test rows in the level.
	Rows int
	// BadRate is the share of bad loans in the level.
	BadRate float64
	// AUC is the ROC-AUC within the level, NaN when undefined (one class).
	AUC float64
}

// Importance is the global importance of one feature.
type Importance struct {
	// Feature is the feature name.
	Feature string
	// MeanAbsSHAP is the mean absolute SHAP value of the feature over the
	// explained rows, in the units of the model's margin.
	MeanAbsSHAP float64
}

// validate checks in and returns the index of the champion.
func validate(in *Input) (int, error) {
	if in == nil || len(in.Candidates) == 0 {
		return 0, fmt.Errorf("no candidates: %w", ErrEmpty)
	}
	champion := -1
	type key struct {
		name    string
		version int
	}
	seen := make(map[key]bool, len(in.Candidates))
	for i := range in.Candidates {
		c := &in.Candidates[i]
		if err := validateCandidate(c); err != nil {
			return 0, &CandidateError{Index: i, Name: c.Name, Version: c.Version, Err: err}
		}
		k := key{c.Name, c.Version}
		if seen[k] {
			return 0, &CandidateError{Index: i, Name: c.Name, Version: c.Version, Err: fmt.Errorf("duplicate: %w", ErrName)}
		}
		seen[k] = true
		if c.Champion {
			if champion >= 0 {
				return 0, fmt.Errorf("candidates %d and %d are both champions: %w", champion, i, ErrChampion)
			}
			champion = i
		}
	}
	if champion < 0 {
		return 0, fmt.Errorf("no champion among %d candidates: %w", len(in.Candidates), ErrChampion)
	}
	for i := range in.Tuning {
		if err := validateTuning(&in.Tuning[i]); err != nil {
			return 0, fmt.Errorf("tuning %d (%q): %w", i, in.Tuning[i].Learner, err)
		}
	}
	return champion, nil
}

// validateTuning checks that a tuning result names its learner, has trials
// and refers only to its own rungs.
func validateTuning(t *Tuning) error {
	switch {
	case t.Learner == "":
		return fmt.Errorf("no learner name: %w", ErrTuning)
	case len(t.Trials) == 0:
		return fmt.Errorf("no trials: %w", ErrTuning)
	case t.DecidingRung < 0 || t.DecidingRung >= len(t.Rungs):
		return fmt.Errorf("deciding rung %d of %d: %w", t.DecidingRung, len(t.Rungs), ErrTuning)
	}
	for k, tr := range t.Trials {
		if tr.Rung < 0 || tr.Rung >= len(t.Rungs) {
			return fmt.Errorf("trial %d: rung %d of %d: %w", k, tr.Rung, len(t.Rungs), ErrTuning)
		}
	}
	return nil
}

// validateCandidate checks one candidate's name, labels, PDs, threshold and
// importance.
func validateCandidate(c *Candidate) error {
	if c.Name == "" {
		return fmt.Errorf("empty: %w", ErrName)
	}
	if len(c.Y) != len(c.PD) {
		return fmt.Errorf("%d labels, %d PDs: %w", len(c.Y), len(c.PD), ErrLength)
	}
	if len(c.Y) == 0 {
		return fmt.Errorf("no test rows: %w", ErrEmpty)
	}
	if !(c.Threshold >= 0 && c.Threshold <= 1) {
		return fmt.Errorf("threshold %v: %w", c.Threshold, ErrPD)
	}
	var bad int
	for i, y := range c.Y {
		if y != 0 && y != 1 {
			return fmt.Errorf("row %d: label %v: %w", i, y, ErrLabel)
		}
		if p := c.PD[i]; !(p >= 0 && p <= 1) {
			return fmt.Errorf("row %d: PD %v: %w", i, p, ErrPD)
		}
		if y == 1 {
			bad++
		}
	}
	if bad == 0 || bad == len(c.Y) {
		return fmt.Errorf("%d bad of %d rows: %w", bad, len(c.Y), ErrOneClass)
	}
	for _, im := range c.Importance {
		if v := im.MeanAbsSHAP; !(v >= 0) || math.IsInf(v, 1) {
			return fmt.Errorf("feature %q: mean |SHAP| %v: %w", im.Feature, v, ErrImportance)
		}
	}
	return nil
}
