package tune

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

// PCG streams of the search's random draws, so that no two share numbers.
const (
	configStream = 0x636f6e66
	rowStream    = 0x726f7773
)

// Space adapts one learner to the search: its default configuration, its
// search space and how to fit and score one configuration. C is its
// configuration type. GBDT, Forest and Logistic build the Spaces of the
// shipped learners; Search runs any Space.
type Space[C any] struct {
	// Name is the learner's short name, as in Result.Learner.
	Name string
	// Base is the default configuration, trial 0.
	Base C
	// Sample returns a copy of base whose searched parameters are drawn
	// from r, for a matrix of the given number of features.
	Sample func(r *rand.Rand, base C, features int) C
	// Params returns the searched parameters of c (see Trial.Params).
	Params func(c C) map[string]any
	// Fit fits c on train with the share resource of its full size and
	// threads goroutines, writes the scores of valid's rows into dst (a
	// higher score means a likelier default) and returns the number of
	// trees of the model (0 if it has none).
	Fit func(ctx context.Context, c C, resource float64, threads int, train, valid *Part, dst []float64) (int, error)
	// Sized says whether the resource share sizes the model (and so the
	// cost of a fit), as the number of trees of a forest does.
	Sized bool
}

// Part is a labelled matrix: a fold's training or validation rows, or a
// sample of them.
type Part struct {
	X *matrix.Dense
	Y []float64
}

// Search tunes the learner sp describes for the rows of X and the binary
// labels y (1 = default) by successive halving, scoring each configuration
// by its mean cross-validated ROC-AUC; trials is the number of
// configurations when opts.Budget.Trials is 0. Errors are as for GBDT.
func Search[C any](ctx context.Context, X *matrix.Dense, y []float64, sp Space[C], trials int, opts Options) (*Result[C], error) {
	return search(ctx, X, y, opts, sp, trials)
}

// searcher holds the state of one search.
type searcher[C any] struct {
	l      Space[C]
	opts   Options
	X      *matrix.Dense
	y      []float64
	folds  []Fold
	rungs  []RungInfo
	valid  map[int]*Part    // per fold, capped at 2·MaxRows
	train  map[[2]int]*Part // per fold and row count
	scores []float64        // buffer for validation scores
}

// search runs successive halving for learner l; see the package comment.
func search[C any](ctx context.Context, X *matrix.Dense, y []float64, opts Options, l Space[C], trials int) (*Result[C], error) {
	started := time.Now()
	opts, err := opts.withDefaults(trials)
	if err != nil {
		return nil, err
	}
	if _, err := learn.Check(X, y); err != nil {
		return nil, fmt.Errorf("tune %s: %w", l.Name, err)
	}
	folds, err := makeFolds(y, opts)
	if err != nil {
		return nil, fmt.Errorf("tune %s: %w", l.Name, err)
	}
	s := &searcher[C]{
		l: l, opts: opts, X: X, y: y, folds: folds,
		valid: map[int]*Part{}, train: map[[2]int]*Part{},
	}
	n := opts.Budget.Trials
	s.plan(n)

	configs := make([]C, n)
	configs[0] = l.Base
	r := rand.New(rand.NewPCG(opts.Seed, configStream))
	for i := 1; i < n; i++ {
		configs[i] = l.Sample(r, l.Base, X.Cols)
	}

	res := &Result[C]{
		Learner: l.Name, Budget: opts.Budget, Folds: len(folds), TimeOrdered: opts.TimeOrdered,
		Rows: X.Rows, Features: X.Cols, Configs: n, Reproducible: opts.Budget.Seconds == 0,
	}
	budget := opts.Budget.Seconds
	if budget == 0 {
		budget = math.Inf(1) // no time budget: every planned trial runs
	}
	elapsed := func() float64 { return time.Since(started).Seconds() }
	ids := span(0, n)
	var decided []Trial
	var expect float64 // expected seconds of the next trial
	for rung := range s.rungs {
		var done []Trial
		if rung > 0 {
			// A rung is only worth starting if the default and one
			// other configuration can finish on it.
			expect = s.expected(res.Trials, rung)
			if elapsed()+2*expect > budget {
				res.Stopped = "time budget spent"
				break
			}
		}
		for i := 0; i < len(ids); i++ {
			if len(res.Trials) > 0 && elapsed()+expect > budget {
				res.Stopped = "time budget spent"
				break
			}
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("tune %s: %w", l.Name, err)
			}
			id := ids[i]
			t, err := s.evaluate(ctx, id, configs[id], rung)
			if err != nil {
				return nil, fmt.Errorf("tune %s: configuration %d, rung %d: %w", l.Name, id, rung, err)
			}
			opts.Logger.Debug("tune trial", "learner", l.Name, "id", id, "rung", rung,
				"mean_auc", t.MeanAUC, "seconds", t.Seconds, "params", t.Params)
			res.Trials = append(res.Trials, t)
			done = append(done, t)
			expect = meanSeconds(done)
			if len(res.Trials) == 1 && len(s.rungs) > 1 {
				if fit := s.fitBudget(t.Seconds, budget-elapsed()); fit < n {
					opts.Logger.Info("tune: fewer configurations to fit the time budget",
						"learner", l.Name, "planned", n, "kept", fit, "first_trial_seconds", t.Seconds)
					n = fit
					res.Configs = n
					ids = ids[:n]
					s.setCounts(n)
				}
			}
			if opts.Progress != nil {
				best := slices.MaxFunc(done, byScore)
				opts.Progress(Progress{
					Learner: l.Name, Rung: rung, Rungs: len(s.rungs), Trial: i + 1, RungTrials: len(ids),
					Trials: len(res.Trials), ID: id, BestID: best.ID, BestAUC: best.MeanAUC,
					Elapsed: elapsed(), Budget: opts.Budget.Seconds,
				})
			}
		}
		// Decide on the highest rung that compared the default with
		// another configuration; a rung where only the default ran says
		// nothing.
		if len(done) > 1 || decided == nil {
			decided = done
			res.Rung = rung
		}
		if len(done) > 0 {
			best := slices.MaxFunc(done, byScore)
			opts.Logger.Info("tune rung", "learner", l.Name, "rung", rung, "trials", len(done),
				"best_id", best.ID, "best_auc", best.MeanAUC, "seconds", elapsed())
		}
		if res.Stopped != "" || rung == len(s.rungs)-1 {
			break
		}
		ids = promote(done, s.rungs[rung+1].Configs)
	}
	res.Rungs = s.rungs

	best := slices.MaxFunc(decided, byScore)
	res.BestID, res.BestAUC, res.BestParams = best.ID, best.MeanAUC, best.Params
	res.Best = &configs[best.ID]
	for _, t := range decided {
		if t.Default {
			res.DefaultAUC = t.MeanAUC
		}
	}
	res.Seconds = time.Since(started).Seconds()
	opts.Logger.Info("tuned", "learner", l.Name, "best_id", res.BestID, "best_cv_auc", res.BestAUC,
		"default_cv_auc", res.DefaultAUC, "trials", len(res.Trials), "seconds", res.Seconds)
	return res, nil
}

// byScore orders trials by mean AUC, ties going to the lower ID, so that
// slices.MaxFunc picks the best and the default wins ties.
func byScore(a, b Trial) int {
	if c := cmp.Compare(a.MeanAUC, b.MeanAUC); c != 0 {
		return c
	}
	return cmp.Compare(b.ID, a.ID)
}

// promote returns the IDs of the best keep trials, best first, with the
// default in front: it is carried to every rung, ranked or not, so that
// the deciding rung always compares against it.
func promote(done []Trial, keep int) []int {
	ranked := slices.Clone(done)
	slices.SortFunc(ranked, func(a, b Trial) int { return byScore(b, a) })
	ids := []int{0}
	for _, t := range ranked[:min(keep, len(ranked))] {
		if t.ID != 0 {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// plan lays out the rungs for n configurations: 1 + ⌊log_Eta n⌋ rungs, at
// most MaxRungs. The top rung fits every fold on up to MaxRows rows with
// the full resource; the rung below it fits only the main fold (the newest
// for time-ordered folds, otherwise the first) on up to MaxRows rows; each
// lower rung fits the main fold on 1/Eta of the rows of the rung above,
// and every rung below the top uses 1/Eta of the resource.
func (s *searcher[C]) plan(n int) {
	count := 1
	for m := n; m >= Eta && count < MaxRungs; m /= Eta {
		count++
	}
	main := 0
	if s.opts.TimeOrdered {
		main = len(s.folds) - 1
	}
	rows := min(len(s.folds[main].Train), s.opts.MaxRows)
	rungs := make([]RungInfo, count)
	top := count - 1
	for r := range rungs {
		if r == top {
			ri := RungInfo{Resource: 1}
			for f, fold := range s.folds {
				ri.Folds = append(ri.Folds, f)
				ri.TrainRows = append(ri.TrainRows, min(len(fold.Train), s.opts.MaxRows))
			}
			rungs[r] = ri
			continue
		}
		m := rows
		for range top - 1 - r {
			m /= Eta
		}
		m = min(max(m, MinRows), rows)
		rungs[r] = RungInfo{Folds: []int{main}, TrainRows: []int{m}, Resource: 1.0 / Eta}
	}
	s.rungs = rungs
	s.setCounts(n)
}

// setCounts sets the planned configurations per rung for n at the bottom.
func (s *searcher[C]) setCounts(n int) {
	for r := range s.rungs {
		s.rungs[r].Configs = n
		n = max(1, n/Eta)
	}
}

// fitBudget returns the number of configurations, at most the planned
// number, whose whole plan is expected to fit in the remaining time,
// given that the first trial on the cheapest rung took first seconds. The
// cost of a trial is taken to grow as s.cost. It
// never goes below Eta^(rungs−1), the fewest that still halve on every
// rung: with fewer, deciding on a lower rung among more configurations
// is the better use of the time.
func (s *searcher[C]) fitBudget(first, remaining float64) int {
	cost := make([]float64, len(s.rungs))
	for r := range s.rungs {
		cost[r] = first * s.cost(r) / s.cost(0)
	}
	total := func(n int) float64 {
		var t float64
		for r := range s.rungs {
			k := n
			if r > 0 {
				k++ // the default, carried up
			}
			t += float64(k) * cost[r]
			n = max(1, n/Eta)
		}
		return t
	}
	n := s.rungs[0].Configs
	least := min(n, pow(Eta, len(s.rungs)-1))
	for n > least && total(n) > remaining {
		n--
	}
	return n
}

// expected returns the expected seconds of a trial on rung r > 0: the mean
// of the trials on rung r−1, scaled by the ratio of the two rungs' costs.
func (s *searcher[C]) expected(trials []Trial, r int) float64 {
	var below []Trial
	for _, t := range trials {
		if t.Rung == r-1 {
			below = append(below, t)
		}
	}
	return meanSeconds(below) * s.cost(r) / s.cost(r-1)
}

// cost returns the relative cost of a trial on rung r: its training rows,
// times the resource share when that sizes the model.
func (s *searcher[C]) cost(r int) float64 {
	c := float64(sum(s.rungs[r].TrainRows))
	if s.l.Sized {
		c *= s.rungs[r].Resource
	}
	return c
}

// meanSeconds returns the mean duration of trials, 0 for none.
func meanSeconds(trials []Trial) float64 {
	if len(trials) == 0 {
		return 0
	}
	var t float64
	for _, tr := range trials {
		t += tr.Seconds
	}
	return t / float64(len(trials))
}

// pow returns b to the power e ≥ 0.
func pow(b, e int) int {
	p := 1
	for range e {
		p *= b
	}
	return p
}

// evaluate fits configuration id on every fold of the rung and scores it.
func (s *searcher[C]) evaluate(ctx context.Context, id int, c C, rung int) (Trial, error) {
	start := time.Now()
	ri := s.rungs[rung]
	t := Trial{ID: id, Default: id == 0, Rung: rung, Params: s.l.Params(c), Folds: ri.Folds}
	for i, f := range ri.Folds {
		if err := ctx.Err(); err != nil {
			return t, err
		}
		train, valid, err := s.data(f, ri.TrainRows[i])
		if err != nil {
			return t, err
		}
		if cap(s.scores) < valid.X.Rows {
			s.scores = make([]float64, valid.X.Rows)
		}
		dst := s.scores[:valid.X.Rows]
		trees, err := s.l.Fit(ctx, c, ri.Resource, s.opts.Threads, train, valid, dst)
		if err != nil {
			return t, fmt.Errorf("fold %d: %w", f, err)
		}
		auc, err := metrics.ROCAUC(valid.Y, dst, nil)
		if err != nil {
			return t, fmt.Errorf("fold %d: %w", f, err)
		}
		if math.IsNaN(auc) {
			return t, fmt.Errorf("fold %d: validation AUC is NaN", f)
		}
		t.AUC = append(t.AUC, auc)
		if trees > 0 {
			t.Trees = append(t.Trees, trees)
		}
	}
	var total float64
	for _, a := range t.AUC {
		total += a
	}
	t.MeanAUC = total / float64(len(t.AUC))
	t.Seconds = time.Since(start).Seconds()
	return t, nil
}

// data returns the training rows of fold f, subsampled to rows when it has
// more, and its validation rows, subsampled to 2·MaxRows. A subsample is a
// prefix of a random permutation fixed per fold, so that smaller samples
// nest in larger ones, kept in row order. Samples are built once and kept.
func (s *searcher[C]) data(f, rows int) (train, valid *Part, err error) {
	fold := s.folds[f]
	if valid = s.valid[f]; valid == nil {
		valid = s.rows(fold.Valid, validRows(s.opts.MaxRows), 2*f+1)
		if err := bothClasses(valid.Y); err != nil {
			return nil, nil, fmt.Errorf("fold %d validation rows: %w", f, err)
		}
		s.valid[f] = valid
	}
	key := [2]int{f, rows}
	if train = s.train[key]; train == nil {
		train = s.rows(fold.Train, rows, 2*f)
		if err := bothClasses(train.Y); err != nil {
			return nil, nil, fmt.Errorf("fold %d training rows (%d): %w", f, rows, err)
		}
		s.train[key] = train
	}
	return train, valid, nil
}

// rows copies the rows idx of the data, or a random sample of k of them
// drawn with PCG stream rowStream+stream.
func (s *searcher[C]) rows(idx []int, k, stream int) *Part {
	if k < len(idx) {
		r := rand.New(rand.NewPCG(s.opts.Seed, rowStream+uint64(stream)))
		perm := r.Perm(len(idx))[:k]
		slices.Sort(perm)
		sample := make([]int, k)
		for i, p := range perm {
			sample[i] = idx[p]
		}
		idx = sample
	}
	y := make([]float64, len(idx))
	for i, row := range idx {
		y[i] = s.y[row]
	}
	return &Part{X: s.X.SelectRows(idx), Y: y}
}

// bothClasses reports an error wrapping learn.ErrOneClass unless y holds
// both labels.
func bothClasses(y []float64) error {
	var pos int
	for _, v := range y {
		if v == 1 {
			pos++
		}
	}
	return learn.OneClass(len(y), pos)
}

// makeFolds builds the folds opts asks for and checks that each has both
// classes on both sides.
func makeFolds(y []float64, opts Options) ([]Fold, error) {
	var folds []Fold
	var err error
	if opts.TimeOrdered {
		folds, err = TimeFolds(len(y), opts.Folds)
	} else {
		folds, err = StratifiedFolds(y, opts.Folds, opts.Seed)
	}
	if err != nil {
		return nil, err
	}
	for i, f := range folds {
		for _, side := range []struct {
			name string
			rows []int
		}{{"training", f.Train}, {"validation", f.Valid}} {
			pos := 0
			for _, r := range side.rows {
				if y[r] == 1 {
					pos++
				}
			}
			if pos == 0 || pos == len(side.rows) {
				return nil, fmt.Errorf("%w: the %s rows of fold %d (%d rows) hold one class; use fewer folds",
					learn.ErrOneClass, side.name, i, len(side.rows))
			}
		}
	}
	return folds, nil
}

func sum(xs []int) int {
	var t int
	for _, x := range xs {
		t += x
	}
	return t
}

// validRows is the cap on a fold's validation rows for a training cap of
// maxRows: scoring is much cheaper than fitting, and more rows make the
// AUC less noisy.
func validRows(maxRows int) int {
	if maxRows > math.MaxInt/2 {
		return math.MaxInt
	}
	return 2 * maxRows
}
