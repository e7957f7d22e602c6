package metrics

import (
	"encoding/json"
	"fmt"
	"math"
)

// Summary is a model's evaluation on a test set: the ranking and
// probability quality of its calibrated PDs and its decisions at its
// threshold, plus two values of the training run. It is the one definition
// of the metric set that model metadata, the registry, the report and the
// command line carry.
//
// Its JSON form is an object of numbers keyed by the names in the field
// comments ("roc_auc", "ks", …), sorted by key: the form that a
// map[string]float64 of the same values has, which is what these files
// held before Summary existed, so they decode and encode back byte for
// byte. See MarshalJSON and UnmarshalJSON.
type Summary struct {
	// ROCAUC ("roc_auc") is the area under the ROC curve (see ROCAUC).
	ROCAUC float64
	// PRAUC ("pr_auc") is the average precision (see AveragePrecision).
	PRAUC float64
	// KS ("ks") is the Kolmogorov-Smirnov statistic (see KS).
	KS float64
	// Gini ("gini") is 2·ROCAUC − 1 (see Gini).
	Gini float64
	// Brier ("brier") is the mean squared error of the PD (see Brier).
	Brier float64
	// LogLoss ("log_loss") is the mean negative log-likelihood in nats (see
	// LogLoss).
	LogLoss float64
	// ECE ("ece") is the expected calibration error over 10 bins (see ECE).
	ECE float64

	// Threshold ("threshold") is the decision threshold: a PD >= Threshold
	// predicts bad. The values below are the decisions at it.
	Threshold float64
	// Precision, Recall, F1 and Accuracy ("precision", "recall", "f1",
	// "accuracy") are those of the ConfusionMatrix of the same name.
	Precision, Recall, F1, Accuracy float64
	// TP, FP, TN and FN ("tp", "fp", "tn", "fn") count the test loans by
	// decision and label (see ConfusionMatrix).
	TP, FP, TN, FN int

	// FitSeconds ("fit_seconds") is the learner's fitting time in seconds
	// and ValidRows ("valid_rows") the training rows held out to calibrate
	// the PD and choose the threshold. They belong to a training run, not
	// to an evaluation: 0 means not recorded (an evaluation of a saved
	// model has neither), and a 0 is left out of the JSON form.
	FitSeconds float64
	ValidRows  int

	// Extra holds the keys of a decoded object that Summary has no field
	// for, with their values, so that reading a file and writing it back
	// keeps them as the map that Summary replaces did. It is nil in what
	// this program computes; its keys must differ from the field keys.
	Extra map[string]float64
}

// ValidRowsKey is the JSON key of Summary.ValidRows; the report places the
// value among the Extra keys by it.
const ValidRowsKey = "valid_rows"

// summaryField is one value of a Summary: its JSON key, and a pointer to
// the field, float or count.
type summaryField struct {
	key string
	f   func(*Summary) *float64
	n   func(*Summary) *int
	// optional fields are left out of the JSON form when zero.
	optional bool
}

// summaryFields lists the values of a Summary by JSON key, sorted by key:
// the one place the keys are spelled.
var summaryFields = [...]summaryField{
	{key: "accuracy", f: func(s *Summary) *float64 { return &s.Accuracy }},
	{key: "brier", f: func(s *Summary) *float64 { return &s.Brier }},
	{key: "ece", f: func(s *Summary) *float64 { return &s.ECE }},
	{key: "f1", f: func(s *Summary) *float64 { return &s.F1 }},
	{key: "fit_seconds", f: func(s *Summary) *float64 { return &s.FitSeconds }, optional: true},
	{key: "fn", n: func(s *Summary) *int { return &s.FN }},
	{key: "fp", n: func(s *Summary) *int { return &s.FP }},
	{key: "gini", f: func(s *Summary) *float64 { return &s.Gini }},
	{key: "ks", f: func(s *Summary) *float64 { return &s.KS }},
	{key: "log_loss", f: func(s *Summary) *float64 { return &s.LogLoss }},
	{key: "pr_auc", f: func(s *Summary) *float64 { return &s.PRAUC }},
	{key: "precision", f: func(s *Summary) *float64 { return &s.Precision }},
	{key: "recall", f: func(s *Summary) *float64 { return &s.Recall }},
	{key: "roc_auc", f: func(s *Summary) *float64 { return &s.ROCAUC }},
	{key: "threshold", f: func(s *Summary) *float64 { return &s.Threshold }},
	{key: "tn", n: func(s *Summary) *int { return &s.TN }},
	{key: "tp", n: func(s *Summary) *int { return &s.TP }},
	{key: ValidRowsKey, n: func(s *Summary) *int { return &s.ValidRows }, optional: true},
}

func (f *summaryField) get(s *Summary) float64 {
	if f.n != nil {
		return float64(*f.n(s))
	}
	return *f.f(s)
}

// set stores v, which must be a whole number for a count.
func (f *summaryField) set(s *Summary, v float64) error {
	if f.n == nil {
		*f.f(s) = v
		return nil
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return fmt.Errorf("metrics: %s is %v, not a count", f.key, v)
	}
	*f.n(s) = int(v)
	return nil
}

// ConfusionMatrix returns the counts TP, FP, TN and FN as a matrix.
func (s *Summary) ConfusionMatrix() ConfusionMatrix {
	return ConfusionMatrix{TP: s.TP, FP: s.FP, TN: s.TN, FN: s.FN}
}

// IsZero reports whether s holds no value at all.
func (s Summary) IsZero() bool {
	for i := range summaryFields {
		if summaryFields[i].get(&s) != 0 {
			return false
		}
	}
	return len(s.Extra) == 0
}

// Map returns s as its JSON object: every field by key (an optional one
// only when not zero) and the Extra keys. A nil or zero Summary gives an
// empty map.
func (s *Summary) Map() map[string]float64 {
	if s == nil || s.IsZero() {
		return map[string]float64{}
	}
	out := make(map[string]float64, len(summaryFields)+len(s.Extra))
	for k, v := range s.Extra {
		out[k] = v
	}
	for i := range summaryFields {
		f := &summaryFields[i]
		if v := f.get(s); v != 0 || !f.optional {
			out[f.key] = v
		}
	}
	return out
}

// MarshalJSON encodes s as the JSON object of Map, keys sorted, or as null
// when s is zero: the bytes that a map[string]float64 of the same values
// encodes to (nil for the zero Summary). A NaN or infinite value is an
// error, as it is for the map.
func (s Summary) MarshalJSON() ([]byte, error) {
	if s.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(s.Map())
}

// UnmarshalJSON decodes an object of numbers, or null (which leaves s
// unchanged), the way a map[string]float64 decodes it: keys of a field
// set it, other keys go to Extra. A count that is not a whole number is an
// error.
func (s *Summary) UnmarshalJSON(data []byte) error {
	var m map[string]float64
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	if m == nil {
		return nil
	}
	var out Summary
	for i := range summaryFields {
		f := &summaryFields[i]
		v, ok := m[f.key]
		if !ok {
			continue
		}
		if err := f.set(&out, v); err != nil {
			return err
		}
		delete(m, f.key)
	}
	if len(m) > 0 {
		out.Extra = m
	}
	*s = out
	return nil
}
