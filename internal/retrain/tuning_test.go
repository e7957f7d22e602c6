package retrain

import (
	"github.com/credit-risk/credit-risk/internal/learn"
	"reflect"
	"testing"

	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/tune"
)

func TestTuningSummaries(t *testing.T) {
	lr := &tune.Result[logreg.Config]{
		Learner: "lr", Best: &logreg.Config{C: 0.5}, BestID: 2, BestParams: map[string]any{"C": 0.5},
		BestAUC: 0.712, DefaultAUC: 0.7105, Rung: 1, Configs: 3, Budget: tune.Budget{Trials: 3, Seconds: 20},
		Folds: 3, TimeOrdered: true, Rows: 900, Features: 4, Seconds: 1.5, Stopped: "time budget spent",
		Rungs: []tune.RungInfo{{Configs: 3, Folds: []int{2}, TrainRows: []int{675}}, {Configs: 1, Folds: []int{0, 1, 2}, TrainRows: []int{225, 450, 675}}},
		Trials: []tune.Trial{
			{ID: 0, Default: true, Rung: 0, Params: map[string]any{"C": 1}, MeanAUC: 0.71, Seconds: 0.1},
			{ID: 1, Rung: 0, Params: map[string]any{"C": 0.01}, MeanAUC: 0.70, Seconds: 0.2},
			{ID: 2, Rung: 0, Params: map[string]any{"C": 0.5}, MeanAUC: 0.72, Seconds: 0.3},
			{ID: 0, Default: true, Rung: 1, Params: map[string]any{"C": 1}, MeanAUC: 0.7105, Seconds: 0.4},
			{ID: 2, Rung: 1, Params: map[string]any{"C": 0.5}, MeanAUC: 0.712, Seconds: 0.5},
		},
	}
	wantLR := report.Tuning{
		Learner: "lr", Configs: 3, Folds: 3, TimeOrdered: true, Rows: 900,
		Rungs:        []report.TuningRung{{TrainRows: []int{675}}, {TrainRows: []int{225, 450, 675}}},
		DecidingRung: 1, BestID: 2, BestAUC: 0.712, DefaultAUC: 0.7105, Seconds: 1.5, BudgetSeconds: 20, Stopped: "time budget spent",
		Trials: []report.TuningTrial{
			// Parameters come back from JSON: numbers as float64.
			{ID: 0, Rung: 0, Params: map[string]any{"C": 1.0}, MeanAUC: 0.71, Seconds: 0.1},
			{ID: 1, Rung: 0, Params: map[string]any{"C": 0.01}, MeanAUC: 0.70, Seconds: 0.2},
			{ID: 2, Rung: 0, Params: map[string]any{"C": 0.5}, MeanAUC: 0.72, Seconds: 0.3},
			{ID: 0, Rung: 1, Params: map[string]any{"C": 1.0}, MeanAUC: 0.7105, Seconds: 0.4},
			{ID: 2, Rung: 1, Params: map[string]any{"C": 0.5}, MeanAUC: 0.712, Seconds: 0.5},
		},
	}
	other := &tune.Result[logreg.Config]{Learner: "", Rungs: []tune.RungInfo{{TrainRows: []int{10}}}, Trials: []tune.Trial{{ID: 0}}}

	tests := []struct {
		name    string
		results map[string]any
		algos   []learn.Algorithm
		want    []string // learners in order
	}{
		{"in the order of algos", map[string]any{"lr": lr, "zz": other}, []learn.Algorithm{"gbdt", "lr"}, []string{"lr", "zz"}},
		{"results outside algos by name", map[string]any{"zz": other, "lr": lr}, nil, []string{"lr", "zz"}},
		{"none", nil, []learn.Algorithm{"gbdt"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := TuningSummaries(tt.results, tt.algos)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, g := range got {
				names = append(names, g.Learner)
				if g.Learner == "lr" && !reflect.DeepEqual(g, wantLR) {
					t.Errorf("lr summary\n got %+v\nwant %+v", g, wantLR)
				}
			}
			if !reflect.DeepEqual(names, tt.want) {
				t.Errorf("learners %v; want %v", names, tt.want)
			}
		})
	}

	if _, err := TuningSummaries(map[string]any{"bad": func() {}}, nil); err == nil {
		t.Error("a result that is not JSON: got no error")
	}
}
