package retrain

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// TuningSummaries turns the tuning results of a Tuner into the report's
// tuning section, one entry per learner in the order of algos (learners
// without a result are left out, results of learners outside algos follow
// in name order). Each result is read through its JSON form as a
// tune.Result, as it is saved beside the report.
func TuningSummaries(results map[string]any, algos []learn.Algorithm) ([]report.Tuning, error) {
	names := make([]string, 0, len(results))
	for _, a := range algos {
		if _, ok := results[string(a)]; ok {
			names = append(names, string(a))
		}
	}
	var rest []string
	for name := range results {
		if !slices.Contains(names, name) {
			rest = append(rest, name)
		}
	}
	slices.Sort(rest)
	names = append(names, rest...)

	out := make([]report.Tuning, 0, len(names))
	for _, name := range names {
		b, err := json.Marshal(results[name])
		if err != nil {
			return nil, fmt.Errorf("tuning result of %s: %w", name, err)
		}
		var res tune.Result[json.RawMessage]
		if err := json.Unmarshal(b, &res); err != nil {
			return nil, fmt.Errorf("tuning result of %s: %w", name, err)
		}
		learner := res.Learner
		if learner == "" {
			learner = name
		}
		t := report.Tuning{
			Learner: learner, Configs: res.Configs, Folds: res.Folds, TimeOrdered: res.TimeOrdered, Rows: res.Rows,
			DecidingRung: res.Rung, BestID: res.BestID, BestAUC: res.BestAUC, DefaultAUC: res.DefaultAUC,
			Seconds: res.Seconds, BudgetSeconds: res.Budget.Seconds, Stopped: res.Stopped,
		}
		for _, ri := range res.Rungs {
			t.Rungs = append(t.Rungs, report.TuningRung{TrainRows: ri.TrainRows})
		}
		for _, tr := range res.Trials {
			t.Trials = append(t.Trials, report.TuningTrial{ID: tr.ID, Rung: tr.Rung, Params: tr.Params, MeanAUC: tr.MeanAUC, Seconds: tr.Seconds})
		}
		out = append(out, t)
	}
	return out, nil
}
