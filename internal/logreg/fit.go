package logreg

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/floats"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// Defaults used by Fit for zero Config fields.
const (
	// DefaultC is the inverse regularisation strength, scikit-learn's
	// default.
	DefaultC = 1.0
	// DefaultMaxIter is the L-BFGS iteration limit. Standardised problems
	// usually converge in well under 100 iterations.
	DefaultMaxIter = 1000
	// DefaultTol is the convergence tolerance on the largest absolute
	// gradient component of the mean objective (see Config.Tol).
	DefaultTol = 1e-6
)

// DefaultConfig returns the configuration train and bench fit by default:
// scikit-learn's LogisticRegression(C=1, class_weight="balanced") on
// standardised, imputed inputs, with the default MaxIter and Tol.
func DefaultConfig() Config {
	return Config{C: DefaultC, ClassWeight: learn.Balanced}
}

// Config holds the fitting parameters. The zero value fits scikit-learn's
// default LogisticRegression (C=1, no class weights) on standardised,
// imputed inputs; DefaultConfig balances the classes.
type Config struct {
	// C is the inverse L2 regularisation strength: Fit minimises
	//
	//	½‖w‖² + C·Σᵢ sᵢ·logloss(yᵢ, marginᵢ)
	//
	// over the coefficients w and the unpenalised intercept, where sᵢ is
	// the class weight of row i. It must be positive and finite; 0 means
	// DefaultC (1).
	C float64
	// ClassWeight is learn.Unweighted (every row weighs 1, the zero value)
	// or learn.Balanced: each row weighs n/(2·n_c), where n_c is the
	// number of training rows of its class.
	ClassWeight learn.ClassWeight
	// MaxIter is the maximum number of L-BFGS iterations; 0 means
	// DefaultMaxIter (1000). It must not be negative.
	MaxIter int
	// Tol stops the optimiser once every component of the gradient of the
	// mean objective
	//
	//	F = (½‖w‖²/C + Σᵢ sᵢ·loglossᵢ) / Σᵢ sᵢ
	//
	// (the objective above divided by C·Σᵢ sᵢ, so Tol does not depend on
	// the number of rows) is at most Tol in absolute value. 0 means
	// DefaultTol (1e-6). It must not be negative.
	Tol float64
	// Workers is the number of goroutines that evaluate the objective; 0
	// means runtime.GOMAXPROCS(0). The fitted model does not depend on
	// it: partial sums are always added in the same order.
	Workers int
}

// withDefaults validates c and fills in the defaults of zero fields.
func (c Config) withDefaults() (Config, error) {
	bad := func(field string, value any, err error) error {
		return &learn.ConfigError{Learner: "logreg", Field: field, Value: value, Err: err}
	}
	switch {
	case c.C == 0:
		c.C = DefaultC
	case !(c.C > 0) || math.IsInf(c.C, 1):
		return c, bad("C", c.C, errors.New("must be positive and finite"))
	}
	if err := c.ClassWeight.Validate(); err != nil {
		return c, bad("ClassWeight", c.ClassWeight, err)
	}
	switch {
	case c.MaxIter == 0:
		c.MaxIter = DefaultMaxIter
	case c.MaxIter < 0:
		return c, bad("MaxIter", c.MaxIter, errors.New("must not be negative"))
	}
	switch {
	case c.Workers == 0:
		c.Workers = runtime.GOMAXPROCS(0)
	case c.Workers < 0:
		return c, bad("Workers", c.Workers, errors.New("must not be negative"))
	}
	switch {
	case c.Tol == 0:
		c.Tol = DefaultTol
	case !(c.Tol > 0) || math.IsInf(c.Tol, 1):
		return c, bad("Tol", c.Tol, errors.New("must be positive and finite"))
	}
	return c, nil
}

// Fit fits an L2-regularised logistic regression of the labels y (0 or 1)
// on the rows of X, where NaN means missing.
//
// Preprocessing is learnt from X: each column's missing values are imputed
// with the mean of its present values; every column that had a missing
// value gets a 0/1 missing indicator; columns and indicators are then
// standardised to mean 0 and standard deviation 1 (divisor n). Constant
// columns are not divided by zero: they get Scale 1 and coefficient 0.
//
// The objective (see Config.C) is minimised with L-BFGS (lbfgs.go),
// starting at zero coefficients and the prior log-odds intercept, until the
// gradient is within Config.Tol. ctx is checked at every iteration.
//
// Errors: one wrapping package learn's ErrNoRows, ErrShape, ErrLabel,
// ErrOneClass or ErrInfinite for bad data, a *learn.ConfigError, or ctx's
// error. When the iteration
// limit is reached first, Fit returns the last model together with an
// error wrapping ErrNotConverged.
func Fit(ctx context.Context, X *matrix.Dense, y []float64, cfg Config) (*linear.Model, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := learn.Check(X, y); err != nil {
		return nil, fmt.Errorf("logreg: training data: %w", err)
	}
	model, design := standardise(X)
	weights, total := sampleWeights(y, cfg.ClassWeight)
	obj := newObjective(design, y, weights, total, cfg.C, cfg.Workers)

	theta := make([]float64, design.cols+1)
	theta[design.cols] = priorLogOdds(y, weights)
	res, err := minimise(ctx, obj.eval, theta, cfg.MaxIter, cfg.Tol)
	if cerr := ctx.Err(); cerr != nil {
		return nil, fmt.Errorf("logreg: %w", cerr)
	}
	design.unpack(model, theta)
	if !res.converged {
		reason := "iteration limit"
		if err != nil {
			reason = err.Error()
		}
		return model, fmt.Errorf("logreg: stopped after %d iterations (%s) with gradient %.3g > tol %g: %w",
			res.iterations, reason, res.gradNorm, cfg.Tol, ErrNotConverged)
	}
	return model, nil
}

// design is the standardised training matrix restricted to the columns that
// vary: input columns and missing indicators that are constant carry no
// information and keep a zero coefficient.
type design struct {
	z    []float64 // rows×cols, row-major
	rows int
	cols int
	// terms[c] says which model coefficient column c of z feeds.
	terms []term
}

// term names a model coefficient: the value or the indicator of a feature.
type term struct {
	feature   int
	indicator bool
}

// standardise learns the imputation and standardisation of every column of
// X and returns a model holding them, with zero coefficients, and the
// standardised design matrix of the non-constant terms. It reads X row by
// row: one pass for counts, sums and ranges, one for squared deviations,
// one to fill the design matrix.
func standardise(X *matrix.Dense) (*linear.Model, *design) {
	n, cols := X.Rows, X.Cols
	present := make([]int, cols)
	sum := make([]float64, cols)
	lo := make([]float64, cols)
	hi := make([]float64, cols)
	for j := range cols {
		lo[j], hi[j] = math.Inf(1), math.Inf(-1)
	}
	for i := range n {
		for j, v := range X.Row(i) {
			if v != v {
				continue
			}
			present[j]++
			sum[j] += v
			lo[j], hi[j] = min(lo[j], v), max(hi[j], v)
		}
	}
	model := &linear.Model{Features: make([]linear.Feature, cols)}
	for j := range cols {
		f := &model.Features[j]
		switch {
		case present[j] == 0:
			f.Mean = 0
		case lo[j] == hi[j]:
			f.Mean = lo[j] // exact, so the standardised value is exactly 0
		default:
			f.Mean = sum[j] / float64(present[j])
		}
	}
	ss := sum // reuse: sum of squared deviations of the present values
	clear(ss)
	for i := range n {
		for j, v := range X.Row(i) {
			if v == v {
				d := v - model.Features[j].Mean
				ss[j] += d * d
			}
		}
	}

	d := &design{rows: n}
	for j := range cols {
		f := &model.Features[j]
		if lo[j] < hi[j] {
			f.Scale = math.Sqrt(ss[j] / float64(n))
		}
		if f.Scale > 0 {
			d.terms = append(d.terms, term{feature: j})
		} else {
			f.Scale = 1
		}
		if missing := n - present[j]; missing > 0 {
			q := float64(missing) / float64(n)
			ind := &linear.Indicator{Mean: q, Scale: math.Sqrt(q * (1 - q))}
			if ind.Scale > 0 {
				d.terms = append(d.terms, term{feature: j, indicator: true})
			} else {
				ind.Scale = 1
			}
			f.Missing = ind
		}
	}
	d.cols = len(d.terms)
	d.z = make([]float64, n*d.cols)
	for i := range n {
		row := X.Row(i)
		out := d.z[i*d.cols : (i+1)*d.cols]
		for c, t := range d.terms {
			f := &model.Features[t.feature]
			v := row[t.feature]
			if t.indicator {
				var m float64
				if v != v {
					m = 1
				}
				out[c] = (m - f.Missing.Mean) / f.Missing.Scale
				continue
			}
			if v != v {
				v = f.Mean
			}
			out[c] = (v - f.Mean) / f.Scale
		}
	}
	return model, d
}

// unpack stores the optimiser's solution theta (coefficients of the design
// columns, then the intercept) into the model.
func (d *design) unpack(m *linear.Model, theta []float64) {
	for c, t := range d.terms {
		f := &m.Features[t.feature]
		if t.indicator {
			f.Missing.Coef = theta[c]
		} else {
			f.Coef = theta[c]
		}
	}
	m.Intercept = theta[d.cols]
}

// sampleWeights returns the class weight of every row and their sum.
func sampleWeights(y []float64, classWeight learn.ClassWeight) ([]float64, float64) {
	w := make([]float64, len(y))
	var pos float64
	for _, v := range y {
		pos += v
	}
	n := float64(len(y))
	w1, w0 := 1.0, 1.0
	if classWeight == learn.Balanced {
		w1, w0 = n/(2*pos), n/(2*(n-pos))
	}
	var total float64
	for i, v := range y {
		w[i] = w0
		if v == 1 {
			w[i] = w1
		}
		total += w[i]
	}
	return w, total
}

// priorLogOdds returns the weighted log-odds of label 1, the best intercept
// when all coefficients are zero.
func priorLogOdds(y, w []float64) float64 {
	var p, q float64
	for i, v := range y {
		if v == 1 {
			p += w[i]
		} else {
			q += w[i]
		}
	}
	return math.Log(p / q)
}

// chunkRows is the number of rows per partial sum of the objective. The
// partial sums are added in chunk order, so the result does not depend on
// how many goroutines computed them.
const chunkRows = 2048

// objective evaluates the mean objective of Config.Tol and its gradient
// with respect to theta = (w, intercept).
type objective struct {
	d       *design
	y       []float64
	s       []float64 // class weight of each row divided by the total
	lambda  float64   // 1/(C·total weight)
	workers int
	// partial[c] holds chunk c's loss, then its gradient (k+1 values).
	partial [][]float64
}

func newObjective(d *design, y, w []float64, total, c float64, workers int) *objective {
	s := make([]float64, len(w))
	for i := range w {
		s[i] = w[i] / total
	}
	chunks := (d.rows + chunkRows - 1) / chunkRows
	partial := make([][]float64, chunks)
	for c := range partial {
		partial[c] = make([]float64, d.cols+2)
	}
	return &objective{d: d, y: y, s: s, lambda: 1 / (c * total), workers: min(workers, chunks), partial: partial}
}

// eval returns F at theta and writes its gradient into grad:
//
//	F = Σᵢ sᵢ·(softplus(mᵢ) − yᵢ·mᵢ) + ½·λ·‖w‖²,  mᵢ = b + zᵢ·w
//	∂F/∂w = Σᵢ sᵢ·(σ(mᵢ) − yᵢ)·zᵢ + λ·w,   ∂F/∂b = Σᵢ sᵢ·(σ(mᵢ) − yᵢ)
func (o *objective) eval(theta, grad []float64) float64 {
	if o.workers <= 1 {
		for c := range o.partial {
			o.chunk(c, theta)
		}
	} else {
		var wg sync.WaitGroup
		for w := range o.workers {
			wg.Go(func() {
				for c := w; c < len(o.partial); c += o.workers {
					o.chunk(c, theta)
				}
			})
		}
		wg.Wait()
	}
	k := o.d.cols
	clear(grad)
	var f float64
	for _, p := range o.partial {
		f += p[0]
		floats.Add(grad, p[1:])
	}
	if k > 0 {
		w := theta[:k]
		f += 0.5 * o.lambda * floats.Dot(w, w)
		floats.AddScaled(grad[:k], o.lambda, w)
	}
	return f
}

// chunk computes the loss and gradient sums of chunk c into o.partial[c].
func (o *objective) chunk(c int, theta []float64) {
	k := o.d.cols
	w, b := theta[:k], theta[k]
	out := o.partial[c]
	clear(out)
	gw := out[1 : k+1]
	var f, gb float64
	for i := c * chunkRows; i < min((c+1)*chunkRows, o.d.rows); i++ {
		row := o.d.z[i*k : (i+1)*k]
		m := b
		if k > 0 {
			m += floats.Dot(row, w)
		}
		// softplus(m) = log(1+eᵐ) and σ(m) from one exp(−|m|), stable at
		// both extremes.
		e := math.Exp(-math.Abs(m))
		sp := math.Log1p(e)
		p := 1 / (1 + e)
		if m > 0 {
			sp += m
		} else {
			p = e / (1 + e)
		}
		f += o.s[i] * (sp - o.y[i]*m)
		r := o.s[i] * (p - o.y[i])
		gb += r
		if k > 0 {
			floats.AddScaled(gw, r, row)
		}
	}
	out[0] = f
	out[k+1] = gb
}
