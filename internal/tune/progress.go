package tune

// Progress is the state of a search after one trial, passed to
// Options.Progress.
type Progress struct {
	// Learner is the learner's short name, as in Result.Learner.
	Learner string
	// Rung is the rung of the trial, 0 the cheapest, and Rungs the number
	// of rungs planned.
	Rung, Rungs int
	// Trial numbers the trial on its rung, from 1, and RungTrials is the
	// number of trials planned on the rung (the default included). The
	// trial is the rung's last when Trial == RungTrials; a time budget
	// can still end a rung earlier.
	Trial, RungTrials int
	// Trials counts the trials run so far in the search, on every rung.
	Trials int
	// ID is the configuration of the trial, 0 the default.
	ID int
	// BestID and BestAUC are the best configuration on the rung so far
	// and its mean cross-validated AUC. Scores of different rungs use
	// different rows and folds, so only those of one rung compare.
	BestID  int
	BestAUC float64
	// Elapsed is the wall-clock time of the search so far, and Budget its
	// time budget (0: none), both in seconds.
	Elapsed, Budget float64
}
