package fit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/classing"
	classfit "github.com/credit-risk/credit-risk/internal/classing/fit"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/logreg"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
)

// ErrNoCharacteristic reports that the selection kept no characteristic.
var ErrNoCharacteristic = errors.New("scorecard: no characteristic selected")

// Status says what the selection did with a characteristic.
type Status string

// Statuses of a Decision, in the order the selection applies its rules.
const (
	// Selected characteristics are in the scorecard.
	Selected Status = "selected"
	// Suspicious characteristics have an IV above classing.LeakageIV
	// (0.5) and are not in Config.Cleared: reported for a leakage check
	// and not used.
	Suspicious Status = "suspicious"
	// LowIV characteristics have an IV below Config.IVThreshold.
	LowIV Status = "low_iv"
	// Correlated characteristics have a WoE column correlated above
	// Config.MaxCorrelation with that of a characteristic of higher IV
	// (Decision.With, Decision.R).
	Correlated Status = "correlated"
	// Limit characteristics came after Config.MaxCharacteristics were
	// selected.
	Limit Status = "limit"
	// NotEntered characteristics added less than Config.EntryChi2 to the
	// likelihood in the stepwise selection.
	NotEntered Status = "not_entered"
	// WrongSign characteristics got a coefficient of the wrong sign
	// (Decision.Coef, not negative) when added, or in the final fit, and
	// were dropped.
	WrongSign Status = "wrong_sign"
)

// Decision is what the selection did with one characteristic.
type Decision struct {
	Characteristic string            `json:"characteristic"`
	IV             float64           `json:"iv"`
	Strength       classing.Strength `json:"strength"`
	Status         Status            `json:"status"`
	// Cleared marks a characteristic above the leakage band that
	// Config.Cleared allowed.
	Cleared bool `json:"cleared,omitempty"`
	// With and R name the characteristic of higher IV a Correlated one
	// correlates with, and the correlation of their WoE columns.
	With string  `json:"with,omitempty"`
	R    float64 `json:"r,omitempty"`
	// Coef is the coefficient of a WrongSign characteristic when it was
	// dropped.
	Coef float64 `json:"coef,omitempty"`
	// LR is the likelihood-ratio statistic a characteristic added when it
	// entered, or failed to enter, the stepwise selection.
	LR float64 `json:"lr,omitempty"`
}

// Result is a fitted scorecard and how its characteristics were chosen.
type Result struct {
	// Scorecard is the fitted scorecard, initialised with the column names
	// of the matrix it was fitted on.
	Scorecard *scorecard.Scorecard
	// Decisions lists every characteristic of the matrix in decreasing
	// order of IV (by name on a tie).
	Decisions []Decision
	// Warning reports a logistic regression that stopped at its iteration
	// limit (wrapping logreg.ErrNotConverged); the scorecard is the model
	// reached. Nil otherwise.
	Warning error
}

// Fit learns a scorecard from the rows of X, a feature matrix made by the
// pipeline p (nil: every column is a numeric characteristic, see Layout),
// and the labels y (1 bad, 0 good):
//
//  1. it bins every characteristic (package classing/fit: fine and coarse
//     classing, WoE and IV) on all rows;
//  2. it sets aside the suspicious ones (IV above classing.LeakageIV, a
//     sign of leakage) that Config.Cleared does not name, and those with an
//     IV below Config.IVThreshold;
//  3. walking the rest in decreasing order of IV, it drops a
//     characteristic whose WoE column correlates above
//     Config.MaxCorrelation (in absolute value) with one kept before it;
//  4. forward stepwise in the same order: a characteristic enters when the
//     logistic regression of the bad flag on the WoE columns with it adds
//     at least Config.EntryChi2 to twice the log-likelihood and every
//     coefficient stays negative, until Config.MaxCharacteristics entered
//     (steps 3 and 4 on at most Config.SelectionRows evenly spaced rows);
//  5. it fits the logistic regression of the selected WoE columns on all
//     rows; while a coefficient is not negative (WoE is positive where a
//     bin is safer, so every coefficient should be), it drops the
//     characteristic with the largest one and refits;
//  6. with Config.Coding BinCoding it refits the selected characteristics
//     with a coefficient per bin (regressBins, on the rows of steps 3 and
//     4);
//  7. it scales the fit to integer points (package scorecard).
//
// The regression is package logreg's, unweighted, with C = 1 (its L2
// penalty is negligible beside the likelihood of thousands of rows). The
// result depends on the data and cfg only, not on Config.Threads. ctx is
// checked between the steps and by every fit.
func Fit(ctx context.Context, X *matrix.Dense, y []float64, p *features.Pipeline, cfg Config) (*Result, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if _, err := learn.Check(X, y); err != nil {
		return nil, fmt.Errorf("scorecard: training data: %w", err)
	}
	names, cands, err := Layout(p, X.Cols)
	if err != nil {
		return nil, err
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("%w: the matrix holds no characteristic", ErrNoCharacteristic)
	}
	chars := make([]classfit.Characteristic, len(cands))
	for k := range cands {
		chars[k] = cands[k].characteristic(X)
	}
	binnings, err := classfit.Fit(ctx, chars, y, cfg.classing())
	if err != nil {
		return nil, fmt.Errorf("scorecard: binning: %w", err)
	}
	chars = nil

	// Every characteristic as an unfitted scorecard, to bin rows exactly
	// as serving will.
	all := &scorecard.Scorecard{Version: scorecard.FormatVersion, Scaling: cfg.Scaling}
	for k, c := range cands {
		all.Characteristics = append(all.Characteristics, scorecard.Characteristic{
			Name: c.name, Source: c.source, Binning: binnings[k], Points: make([]int, len(binnings[k].Bins)),
		})
	}
	if err := all.Init(names); err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}

	order := make([]int, len(cands))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := cmp.Compare(binnings[b].IV, binnings[a].IV); c != 0 {
			return c
		}
		return cmp.Compare(cands[a].name, cands[b].name)
	})
	decisions := make([]Decision, len(cands)) // by characteristic index
	var pool []int                            // candidates left after the IV rules, in IV order
	for _, k := range order {
		b := binnings[k]
		decisions[k] = Decision{Characteristic: cands[k].name, IV: b.IV, Strength: b.Strength()}
		switch {
		case b.Suspicious() && !slices.Contains(cfg.Cleared, cands[k].name):
			decisions[k].Status = Suspicious
		case b.IV < cfg.IVThreshold:
			decisions[k].Status = LowIV
		default:
			decisions[k].Cleared = b.Suspicious()
			pool = append(pool, k)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}

	// Steps 3 and 4 on the selection rows.
	step := (X.Rows + cfg.SelectionRows - 1) / cfg.SelectionRows
	var sel []int
	for i := 0; i < X.Rows; i += step {
		sel = append(sel, i)
	}
	ysel := make([]float64, len(sel))
	for r, i := range sel {
		ysel[r] = y[i]
	}
	woe := map[int][]float64{}
	for _, k := range pool {
		woe[k] = woeColumn(all, k, X, sel)
	}
	var kept []int
	for _, k := range pool {
		d := &decisions[k]
		for _, j := range kept {
			if r := correlation(woe[k], woe[j]); math.Abs(r) > cfg.MaxCorrelation {
				d.Status, d.With, d.R = Correlated, cands[j].name, r
				break
			}
		}
		if d.Status == "" {
			kept = append(kept, k)
		}
	}
	var entered []int
	ll := nullLogLikelihood(ysel)
	for _, k := range kept {
		d := &decisions[k]
		if len(entered) == cfg.MaxCharacteristics {
			d.Status = Limit
			continue
		}
		if constant(woe[k]) {
			d.Status = NotEntered // no evidence on these rows
			continue
		}
		try := append(slices.Clone(entered), k)
		cols := make([][]float64, len(try))
		for j, c := range try {
			cols[j] = woe[c]
		}
		m, W, err := regress(ctx, cols, ysel, cfg.Threads)
		if err != nil {
			return nil, err
		}
		llNew := logLikelihood(m.lin, W, ysel)
		d.LR = 2 * (llNew - ll)
		if j := slices.IndexFunc(m.beta, func(b float64) bool { return b >= 0 }); j >= 0 {
			d.Status, d.Coef = WrongSign, m.beta[len(try)-1]
			continue
		}
		if !(d.LR >= cfg.EntryChi2) {
			d.Status = NotEntered
			continue
		}
		entered, ll = try, llNew
	}
	woe = nil

	// Step 5 on every row. A stepwise fit that stopped at its iteration
	// limit only weighed a choice; the final fit's is the warning.
	var fitted *regression
	var warning error
	for {
		if len(entered) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNoCharacteristic, summary(decisions))
		}
		every := make([]int, X.Rows)
		for i := range every {
			every[i] = i
		}
		cols := make([][]float64, len(entered))
		for j, k := range entered {
			cols[j] = woeColumn(all, k, X, every)
		}
		m, _, err := regress(ctx, cols, y, cfg.Threads)
		if err != nil {
			return nil, err
		}
		warning = m.err
		worst := -1
		for j, b := range m.beta {
			if b >= 0 && (worst < 0 || b > m.beta[worst]) {
				worst = j
			}
		}
		if worst < 0 {
			fitted = m
			break
		}
		k := entered[worst]
		decisions[k].Status, decisions[k].Coef = WrongSign, m.beta[worst]
		entered = slices.Delete(entered, worst, worst+1)
	}
	for _, k := range entered {
		decisions[k].Status = Selected
	}

	// Steps 6 and 7: points, from the bin-coded fit or the WoE-coded one.
	sc := &scorecard.Scorecard{Version: scorecard.FormatVersion, Scaling: cfg.Scaling, Intercept: fitted.alpha}
	n := len(entered)
	if cfg.Coding == BinCoding {
		alpha, gammas, warn, err := regressBins(ctx, all, entered, X, sel, y, cfg.Threads)
		if err != nil {
			return nil, err
		}
		sc.Intercept, warning = alpha, warn
		for j, k := range entered {
			b := binnings[k]
			c := scorecard.Characteristic{Name: cands[k].name, Source: cands[k].source, Binning: b, BinCoefs: gammas[j], Points: make([]int, len(b.Bins))}
			for i, g := range c.BinCoefs {
				c.Points[i] = int(math.Round(cfg.Scaling.Points(1, g, alpha, n)))
			}
			sc.Characteristics = append(sc.Characteristics, c)
		}
	}
	for j, k := range entered {
		if cfg.Coding == BinCoding {
			break
		}
		b := binnings[k]
		c := scorecard.Characteristic{Name: cands[k].name, Source: cands[k].source, Binning: b, Coef: fitted.beta[j], Points: make([]int, len(b.Bins))}
		for i, bin := range b.Bins {
			c.Points[i] = int(math.Round(cfg.Scaling.Points(c.Coef, bin.WoE, fitted.alpha, n)))
		}
		sc.Characteristics = append(sc.Characteristics, c)
	}
	if err := sc.Init(names); err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	out := &Result{Scorecard: sc, Warning: warning}
	for _, k := range order {
		out.Decisions = append(out.Decisions, decisions[k])
	}
	return out, nil
}

// summary counts the decisions by status, for an error message.
func summary(ds []Decision) string {
	counts := map[Status]int{}
	for _, d := range ds {
		counts[d.Status]++
	}
	var s string
	for _, st := range []Status{Suspicious, LowIV, Correlated, Limit, NotEntered, WrongSign} {
		if counts[st] > 0 {
			s += fmt.Sprintf(" %d %s", counts[st], st)
		}
	}
	return fmt.Sprintf("%d characteristics:%s", len(ds), s)
}

// woeColumn returns the WoE of characteristic k of s on the rows idx of X.
func woeColumn(s *scorecard.Scorecard, k int, X *matrix.Dense, idx []int) []float64 {
	bins := s.Characteristics[k].Binning.Bins
	out := make([]float64, len(idx))
	for r, i := range idx {
		out[r] = bins[s.Bin(k, X.Row(i))].WoE
	}
	return out
}

// constant reports whether every value of xs is the same.
func constant(xs []float64) bool {
	for _, v := range xs {
		if v != xs[0] {
			return false
		}
	}
	return true
}

// correlation returns Pearson's r of a and b, 0 when either is constant.
func correlation(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma, mb = ma/n, mb/n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// regression is a logistic regression on WoE columns in the scorecard's
// terms: ln(odds_bad) = alpha + Σ beta_j·WoE_j.
type regression struct {
	lin   *linear.Model
	alpha float64
	beta  []float64
	err   error // logreg.ErrNotConverged, or nil
}

// regress fits the bad flag y on the columns.
func regress(ctx context.Context, cols [][]float64, y []float64, threads int) (*regression, *matrix.Dense, error) {
	W := matrix.New(len(y), len(cols))
	for j, c := range cols {
		for i, v := range c {
			W.Data[i*W.Cols+j] = v
		}
	}
	lin, err := logreg.Fit(ctx, W, y, logreg.Config{C: logreg.DefaultC, Workers: threads})
	r := &regression{lin: lin}
	switch {
	case lin != nil && errors.Is(err, logreg.ErrNotConverged):
		r.err = err
	case err != nil:
		return nil, nil, fmt.Errorf("scorecard: regression: %w", err)
	}
	// logreg standardises: margin = b0 + Σ c_j·(x_j − mean_j)/scale_j.
	r.alpha = lin.Intercept
	r.beta = make([]float64, len(cols))
	for j, f := range lin.Features {
		r.beta[j] = f.Coef / f.Scale
		r.alpha -= r.beta[j] * f.Mean
	}
	return r, W, nil
}

// logLikelihood returns Σ y·ln p + (1−y)·ln(1−p) of the model's
// probabilities on the rows of W.
func logLikelihood(m *linear.Model, W *matrix.Dense, y []float64) float64 {
	margins := make([]float64, W.Rows)
	m.MarginInto(margins, W)
	var ll float64
	for i, z := range margins {
		if y[i] == 1 {
			ll -= softplus(-z)
		} else {
			ll -= softplus(z)
		}
	}
	return ll
}

// nullLogLikelihood is the log-likelihood of the intercept-only model.
func nullLogLikelihood(y []float64) float64 {
	var bads float64
	for _, v := range y {
		bads += v
	}
	n := float64(len(y))
	p := bads / n
	return bads*math.Log(p) + (n-bads)*math.Log(1-p)
}

// softplus returns ln(1 + e^z) without overflow.
func softplus(z float64) float64 {
	if z > 0 {
		return z + math.Log1p(math.Exp(-z))
	}
	return math.Log1p(math.Exp(z))
}

// regressBins fits the bad flag y on one 0/1 column per bin with training
// rows of each characteristic ks[j] of s, on the rows rows of X (the
// selection rows: the one-hot matrix of every row of a large file would
// not fit in memory beside it, and its γ would hardly move), with package
// logreg's L2 penalty (C = 1 on standardised columns, which also makes the
// coefficients of a characteristic's bins identifiable beside the
// intercept). It returns α and γ[j][bin] of ln(odds_bad) = α + Σ γ_j,bin:
// γ of an empty bin is 0 (the mean); each characteristic's γ are shifted to a
// count-weighted mean of 0 on its training bins (α takes the shift), and
// where its binning has a direction, the γ of its ordinary bins are
// replaced by their weighted isotonic regression in that direction (pool
// adjacent violators, weights the bins' counts), so that its points follow
// the order of its bad rates; the mean stays 0. A fit that stopped at its
// iteration limit keeps the coefficients reached and returns the
// logreg.ErrNotConverged error as warn.
func regressBins(ctx context.Context, s *scorecard.Scorecard, ks []int, X *matrix.Dense, rows []int, y []float64, threads int) (alpha float64, gammas [][]float64, warn, err error) {
	// col[j][bin] is the column of a bin with rows, -1 for an empty one.
	col := make([][]int, len(ks))
	p := 0
	for j, k := range ks {
		bins := s.Characteristics[k].Binning.Bins
		col[j] = make([]int, len(bins))
		for i := range bins {
			col[j][i] = -1
			if bins[i].Count() > 0 {
				col[j][i] = p
				p++
			}
		}
	}
	W := matrix.New(len(rows), p)
	yr := make([]float64, len(rows))
	for r, i := range rows {
		x := X.Row(i)
		yr[r] = y[i]
		for j, k := range ks {
			if c := col[j][s.Bin(k, x)]; c >= 0 {
				W.Data[r*p+c] = 1
			}
		}
	}
	lin, err := logreg.Fit(ctx, W, yr, logreg.Config{C: logreg.DefaultC, Workers: threads})
	switch {
	case lin != nil && errors.Is(err, logreg.ErrNotConverged):
		warn = err
	case err != nil:
		return 0, nil, nil, fmt.Errorf("scorecard: bin-coded regression: %w", err)
	}
	alpha = lin.Intercept
	coef := make([]float64, p)
	for c, f := range lin.Features {
		if f.Scale != 0 {
			coef[c] = f.Coef / f.Scale
			alpha -= coef[c] * f.Mean
		}
	}
	gammas = make([][]float64, len(ks))
	for j, k := range ks {
		b := s.Characteristics[k].Binning
		g := make([]float64, len(b.Bins))
		w := make([]float64, len(b.Bins))
		var mean, total float64
		for i, c := range col[j] {
			if c >= 0 {
				g[i], w[i] = coef[c], float64(b.Bins[i].Count())
				mean += w[i] * g[i]
				total += w[i]
			}
		}
		mean /= total
		for i, c := range col[j] {
			if c >= 0 {
				g[i] -= mean
			}
		}
		alpha += mean
		if b.Direction != classing.Auto {
			isotonic(g[:b.Missing], w[:b.Missing], b.Direction)
		}
		gammas[j] = g
	}
	return alpha, gammas, warn, nil
}

// isotonic replaces g, in place, by its weighted least-squares fit that
// does not decrease (dir Increasing) or does not increase (Decreasing)
// from each element to the next: pool adjacent violators. Elements of
// weight 0 (empty bins) take the value of the block they fall in. The
// weighted mean of g is kept.
func isotonic(g, w []float64, dir classing.Direction) {
	type block struct {
		start, end int
		sum, w     float64
	}
	sign := float64(dir)
	var bs []block
	for i := range g {
		bs = append(bs, block{start: i, end: i + 1, sum: w[i] * g[i], w: w[i]})
		for n := len(bs); n > 1; n = len(bs) {
			a, c := bs[n-2], bs[n-1]
			if a.w == 0 || c.w == 0 || sign*(a.sum/a.w) > sign*(c.sum/c.w) {
				bs[n-2] = block{start: a.start, end: c.end, sum: a.sum + c.sum, w: a.w + c.w}
				bs = bs[:n-1]
				continue
			}
			break
		}
	}
	for _, b := range bs {
		v := 0.0
		if b.w > 0 {
			v = b.sum / b.w
		}
		for i := b.start; i < b.end; i++ {
			g[i] = v
		}
	}
}
