package tune

// Result is the outcome of one search. It is JSON-ready: the pipeline
// writes it as artifacts/reports/<run>/tune_<learner>.json. C is the
// learner's configuration type (gbdt.Config, forest.Config or
// logreg.Config).
type Result[C any] struct {
	// Learner is the learner's short name: "gbdt", "rf" or "lr".
	Learner string `json:"learner"`
	// Best is the configuration to train with: the one with the highest
	// mean cross-validated AUC on the deciding rung, ties going to the
	// lower ID and so to the default. It is the learner's default
	// configuration itself when nothing beat it.
	Best *C `json:"best_config"`
	// BestID is the ID of Best among the trials; 0 is the default.
	BestID int `json:"best_id"`
	// BestParams holds Best's searched parameters, as in Trial.Params.
	BestParams map[string]any `json:"best_params"`
	// BestAUC is Best's mean validation ROC-AUC on the deciding rung.
	BestAUC float64 `json:"best_cv_auc"`
	// DefaultAUC is the default configuration's mean validation ROC-AUC
	// on the deciding rung. BestAUC is never below it.
	DefaultAUC float64 `json:"default_cv_auc"`
	// Rung is the deciding rung: the highest rung on which the default
	// and at least one other configuration ran (rung 0 when only the
	// default ran). It is the top rung, every fold, unless the time
	// budget stopped the search.
	Rung int `json:"deciding_rung"`
	// Rungs describes the planned rungs, cheapest first.
	Rungs []RungInfo `json:"rungs"`
	// Configs is the number of configurations the search started with:
	// Budget.Trials, or fewer when the time budget made the search cut
	// them after the first trial.
	Configs int `json:"configs"`
	// Budget is the budget used, defaults filled in.
	Budget Budget `json:"budget"`
	// Folds is the number of cross-validation folds.
	Folds int `json:"folds"`
	// TimeOrdered says whether the folds were expanding time windows
	// (true) or stratified (false).
	TimeOrdered bool `json:"time_ordered"`
	// Rows and Features are the size of the training matrix.
	Rows     int `json:"rows"`
	Features int `json:"features"`
	// Stopped says why the search ended before finishing its plan, such
	// as "time budget spent"; empty when it finished.
	Stopped string `json:"stopped,omitempty"`
	// Seconds is the wall-clock time of the search.
	Seconds float64 `json:"seconds"`
	// Reproducible says the search ran without a time budget, so the same
	// data, options and seed give the same result on any machine; with a
	// budget the number of trials can depend on the machine's speed and
	// load.
	Reproducible bool `json:"reproducible"`
	// Trials lists every evaluation, in the order they ran.
	Trials []Trial `json:"trials"`
}

// Gain returns how much the tuned configuration improves the mean
// cross-validated AUC over the default: BestAUC − DefaultAUC, never
// negative.
func (r *Result[C]) Gain() float64 { return r.BestAUC - r.DefaultAUC }

// RungInfo describes one rung of successive halving.
type RungInfo struct {
	// Configs is the number of configurations planned on the rung, not
	// counting the default when it is carried up without ranking among
	// them.
	Configs int `json:"configs"`
	// Folds are the indices of the folds every configuration is fitted
	// on.
	Folds []int `json:"folds"`
	// TrainRows is the number of training rows of each fit, per fold.
	TrainRows []int `json:"train_rows"`
	// Resource is the share of the full model size used (forest trees);
	// 1 on the top rung.
	Resource float64 `json:"resource"`
}

// Trial is the evaluation of one configuration on one rung.
type Trial struct {
	// ID numbers the configuration; 0 is the learner's default. A
	// configuration promoted to a higher rung keeps its ID.
	ID int `json:"id"`
	// Default says whether this is the default configuration.
	Default bool `json:"default"`
	// Rung is the rung, 0 the cheapest.
	Rung int `json:"rung"`
	// Params holds the searched parameters by their XGBoost or
	// scikit-learn names, such as "max_depth" or "learning_rate".
	Params map[string]any `json:"params"`
	// Folds are the indices of the folds fitted, in order.
	Folds []int `json:"folds"`
	// AUC is the validation ROC-AUC of each fold.
	AUC []float64 `json:"fold_auc"`
	// MeanAUC is the mean of AUC, the trial's score.
	MeanAUC float64 `json:"mean_auc"`
	// Trees is the number of trees of each fold's model: the rounds kept
	// by early stopping for boosting, the trees grown for a forest; nil
	// for a linear model.
	Trees []int `json:"trees,omitempty"`
	// Seconds is the wall-clock time of the trial.
	Seconds float64 `json:"seconds"`
}
