package gbdt

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/credit-risk/credit-risk/internal/binning"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// Model is a fitted boosted ensemble with its training history.
type Model struct {
	// Ensemble is the fitted model: Output tree.LogOdds, Base the log-odds
	// of the weighted training base rate, Scale 1, one tree per kept round.
	Ensemble *tree.Ensemble
	// BestRound is the 0-based round with the lowest validation log loss,
	// or the last round when there was no validation data. With early
	// stopping, Ensemble holds exactly the trees of rounds 0..BestRound.
	BestRound int
	// TrainLoss[t] is the weighted mean training log loss after round t.
	TrainLoss []float64
	// ValidLoss[t] is the weighted mean validation log loss after round t;
	// nil without validation data.
	ValidLoss []float64
}

// PredictProba returns the probability of the positive class (default) for
// every row of X, using every core. It panics if X has a different number
// of columns than the training data.
func (m *Model) PredictProba(X *matrix.Dense) []float64 {
	dst := make([]float64, X.Rows)
	m.Ensemble.PredictInto(dst, X, 0)
	return dst
}

// PredictProbaInto sets dst[i] to the probability of the positive class
// (default) for row i of X, using every core; it makes Model a
// learn.Predictor. It panics if len(dst) != X.Rows or X has a different
// number of columns than the training data.
func (m *Model) PredictProbaInto(dst []float64, X *matrix.Dense) {
	m.Ensemble.PredictInto(dst, X, 0)
}

var _ learn.Predictor = (*Model)(nil)

// Fit fits a boosted ensemble for the binary labels y of the rows of X
// with the logistic loss, every row weighing 1 and without validation
// data; it is learn's Fit contract. FitData takes weights and validation
// data.
func Fit(ctx context.Context, X *matrix.Dense, y []float64, cfg Config) (*Model, error) {
	return FitData(ctx, Data{X: X, Y: y}, nil, cfg)
}

// FitData fits a boosted ensemble for the binary labels of train with the
// logistic loss. valid, if not nil, is scored after every round and drives
// early stopping. It returns a *learn.ConfigError (matching
// learn.ErrConfig) for bad parameters, an error wrapping one of package
// learn's data errors, ErrWeight or ErrNoValidation for bad data, or ctx's
// error when ctx is done; ctx is checked before every round.
func FitData(ctx context.Context, train Data, valid *Data, cfg Config) (*Model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pos, total, err := train.check()
	if err != nil {
		return nil, fmt.Errorf("gbdt: training data: %w", err)
	}
	if pos == 0 || pos == total {
		return nil, fmt.Errorf("gbdt: training data: %w: weighted positive share %v", learn.ErrOneClass, pos/total)
	}
	nf := train.X.Cols
	if cfg.Monotone != nil && len(cfg.Monotone) != nf {
		return nil, &learn.ConfigError{Learner: "gbdt", Field: "Monotone", Value: cfg.Monotone,
			Err: fmt.Errorf("%w: %d constraints for %d features", learn.ErrShape, len(cfg.Monotone), nf)}
	}
	var validWeight float64
	if valid != nil {
		if _, validWeight, err = valid.check(); err != nil {
			return nil, fmt.Errorf("gbdt: validation data: %w", err)
		}
		if valid.X.Cols != nf {
			return nil, fmt.Errorf("gbdt: validation data: %w: %d columns; training has %d", learn.ErrShape, valid.X.Cols, nf)
		}
	}
	if cfg.EarlyStoppingRounds > 0 && valid == nil {
		return nil, &learn.ConfigError{Learner: "gbdt", Field: "EarlyStoppingRounds", Value: cfg.EarlyStoppingRounds, Err: ErrNoValidation}
	}
	threads := threadCount(cfg.Threads)
	bins, err := binning.New(train.X, binning.Config{
		MaxBins: cfg.MaxBins, SampleRows: cfg.BinSampleRows, Seed: cfg.Seed, Threads: threads,
	})
	if err != nil {
		return nil, fmt.Errorf("gbdt: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("gbdt: %w", err)
	}

	b := &booster{
		cfg:         cfg,
		threads:     threads,
		train:       train,
		valid:       valid,
		g:           newGrower(cfg, bins, threads),
		rng:         rand.New(rand.NewPCG(cfg.Seed, 0x67626474)),
		trainWeight: total,
		validWeight: validWeight,
	}
	base := math.Log(pos / (total - pos))
	b.margin = make([]float64, train.X.Rows)
	for i := range b.margin {
		b.margin[i] = base
	}
	if valid != nil {
		b.vmargin = make([]float64, valid.X.Rows)
		for i := range b.vmargin {
			b.vmargin[i] = base
		}
	}
	ens := &tree.Ensemble{NumFeatures: nf, Base: base, Scale: 1, Output: tree.LogOdds}
	m := &Model{Ensemble: ens}
	bestLoss, bestRound := math.Inf(1), 0
	for round := range cfg.Rounds {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("gbdt: round %d: %w", round, err)
		}
		loss, sum := b.gradients()
		if round > 0 {
			m.TrainLoss = append(m.TrainLoss, loss)
		}
		t := b.round(sum)
		ens.Trees = append(ens.Trees, t)
		m.BestRound = round
		if valid == nil {
			continue
		}
		vloss := b.updateValid(&ens.Trees[len(ens.Trees)-1])
		m.ValidLoss = append(m.ValidLoss, vloss)
		if vloss < bestLoss {
			bestLoss, bestRound = vloss, round
		}
		m.BestRound = bestRound
		if cfg.EarlyStoppingRounds > 0 && round-bestRound >= cfg.EarlyStoppingRounds {
			break
		}
	}
	m.TrainLoss = append(m.TrainLoss, meanLogLoss(threads, b.margin, &train, total))
	if cfg.EarlyStoppingRounds > 0 {
		ens.Trees = ens.Trees[:m.BestRound+1]
	}
	return m, nil
}

// booster holds the state of one Fit.
type booster struct {
	cfg          Config
	threads      int
	train        Data
	valid        *Data
	g            *grower
	rng          *rand.Rand
	margin       []float64 // training log-odds so far
	vmargin      []float64 // validation log-odds so far
	featureOrder []int32
	inSample     []bool  // rows of the current tree's subsample
	trainWeight  float64 // total training weight
	validWeight  float64 // total validation weight
}

// gradients sets the gradient pair of every training row for the current
// margins and returns the weighted mean log loss of those margins and the
// sum of the pairs.
//
// With e = exp(-|m|), p = sigmoid(m) is 1/(1+e) for m >= 0 and e/(1+e)
// otherwise; the loss is softplus(m) - y·m = max(m, 0) + log(1+e) - y·m, and
// the gradient and hessian of it are p - y and p(1-p), floored at 1e-16 as
// in XGBoost so that splits never divide by zero.
func (b *booster) gradients() (loss float64, sum gpair) {
	y, w := b.train.Y, b.train.Weight
	grad := b.g.grad
	type part struct {
		loss float64
		sum  gpair
	}
	total := reduceBlocks(b.threads, len(b.margin), func(lo, hi int) part {
		var acc lossAcc
		var s gpair
		for i := lo; i < hi; i++ {
			m := b.margin[i]
			e := math.Exp(-math.Abs(m))
			p := 1 / (1 + e)
			if m < 0 {
				p *= e
			}
			h := max(p*(1-p), 1e-16)
			g := p - y[i]
			if w != nil {
				g *= w[i]
				h *= w[i]
				acc.addWeighted(m, e, y[i], w[i])
			} else {
				acc.add(m, e, y[i])
			}
			grad[i] = gpair{g, h}
			s.g += g
			s.h += h
		}
		return part{acc.sum(), s}
	}, func(a, b part) part { return part{a.loss + b.loss, a.sum.add(b.sum)} })
	return total.loss / b.trainWeight, total.sum
}

// lossAcc adds up log losses max(m, 0) - y·m + log(1+e) over rows. The
// logarithms of unit-weight rows are taken of products of up to
// lossProdRows factors 1+e in (1, 2], one logarithm per product instead of
// one per row.
type lossAcc struct {
	s    float64
	prod float64
	n    int
}

// lossProdRows bounds a product of factors in (1, 2] to 2^256, far from
// overflow.
const lossProdRows = 256

func (a *lossAcc) add(m, e, y float64) {
	a.s += max(m, 0) - y*m
	if a.n == 0 {
		a.prod = 1
	}
	a.prod *= 1 + e
	a.n++
	if a.n == lossProdRows {
		a.s += math.Log(a.prod)
		a.n = 0
	}
}

func (a *lossAcc) addWeighted(m, e, y, w float64) {
	a.s += w * (max(m, 0) - y*m + math.Log(1+e))
}

func (a *lossAcc) sum() float64 {
	if a.n > 0 {
		a.s += math.Log(a.prod)
		a.n = 0
	}
	return a.s
}

// meanLogLoss returns the weighted mean log loss of margins for the labels
// of d, whose weights add up to total.
func meanLogLoss(threads int, margin []float64, d *Data, total float64) float64 {
	sum := sumBlocks(threads, len(margin), func(lo, hi int) float64 {
		var acc lossAcc
		for i := lo; i < hi; i++ {
			m := margin[i]
			e := math.Exp(-math.Abs(m))
			if d.Weight != nil {
				acc.addWeighted(m, e, d.Y[i], d.Weight[i])
			} else {
				acc.add(m, e, d.Y[i])
			}
		}
		return acc.sum()
	})
	return sum / total
}

// round grows one tree on the current gradients, whose sum over all rows
// is sum, adds it to the training margins and returns it.
func (b *booster) round(sum gpair) tree.Tree {
	g := b.g
	n := len(b.margin)

	// Column subsample: a seeded partial shuffle.
	nf := len(g.cols)
	if b.featureOrder == nil {
		b.featureOrder = make([]int32, nf)
		for i := range b.featureOrder {
			b.featureOrder[i] = int32(i)
		}
	}
	k := nf
	if b.cfg.ColSampleByTree < 1 {
		k = max(1, int(b.cfg.ColSampleByTree*float64(nf)))
		for i := range k {
			j := i + b.rng.IntN(nf-i)
			b.featureOrder[i], b.featureOrder[j] = b.featureOrder[j], b.featureOrder[i]
		}
	}
	allowed := slices.Clone(b.featureOrder[:k])
	slices.Sort(allowed)
	g.setFeatures(allowed)

	// Row subsample: each row independently with probability Subsample.
	identity := b.cfg.Subsample >= 1
	nrows := n
	if identity {
		for i := range g.rows {
			g.rows[i] = int32(i)
		}
	} else {
		if b.inSample == nil {
			b.inSample = make([]bool, n)
		}
		nrows = 0
		for i := range n {
			b.inSample[i] = b.rng.Float64() < b.cfg.Subsample
			if b.inSample[i] {
				g.rows[nrows] = int32(i)
				nrows++
			}
		}
		sum = reduceBlocks(b.threads, nrows, func(lo, hi int) gpair {
			var s gpair
			for _, r := range g.rows[lo:hi] {
				s = s.add(g.grad[r])
			}
			return s
		}, gpair.add)
	}

	g.grow(nrows, identity, sum)
	t := g.tree()

	// Rows in the tree are grouped by leaf; add each leaf's value to them.
	g.parallel(nrows, len(g.nodes), func(i int) {
		nd := &g.nodes[i]
		if nd.left >= 0 {
			return
		}
		v := t.Nodes[i].Value
		for _, r := range g.rows[nd.begin:nd.end] {
			b.margin[r] += v
		}
	})
	if !identity {
		// Rows left out of the sample walk the binned tree.
		g.parallel(n-nrows, (n+blockSize-1)/blockSize, func(blk int) {
			for i := blk * blockSize; i < min((blk+1)*blockSize, n); i++ {
				if !b.inSample[i] {
					b.margin[i] += t.Nodes[g.leafOf(int32(i))].Value
				}
			}
		})
	}
	return t
}

// updateValid adds tree t to the validation margins and returns the
// validation log loss.
func (b *booster) updateValid(t *tree.Tree) float64 {
	X := b.valid.X
	b.g.parallel(X.Rows, (X.Rows+blockSize-1)/blockSize, func(blk int) {
		for i := blk * blockSize; i < min((blk+1)*blockSize, X.Rows); i++ {
			b.vmargin[i] += t.Predict(X.Row(i))
		}
	})
	return meanLogLoss(b.threads, b.vmargin, b.valid, b.validWeight)
}
