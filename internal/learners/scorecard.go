package learners

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	scfit "github.com/credit-risk/credit-risk/internal/scorecard/fit"
	"github.com/credit-risk/credit-risk/internal/tune"
)

// DefaultScorecardTrials is the number of configurations tuning the
// scorecard starts with: its space has five small dimensions.
const DefaultScorecardTrials = 12

// scorecardFineBins are the fine-bin counts tuning the scorecard tries.
var scorecardFineBins = [...]int{10, 20, 30, 50}

// scorecardCodings are the codings tuning the scorecard tries.
var scorecardCodings = [...]scfit.Coding{scfit.WoECoding, scfit.BinCoding}

// orCoding returns c, or scfit.WoECoding for the zero value.
func orCoding(c scfit.Coding) string {
	if c == "" {
		return string(scfit.WoECoding)
	}
	return string(c)
}

// scorecardConfig returns c with the schema's points scaling when c sets
// none, and the schema's cleared characteristics when c names none.
func scorecardConfig(c scfit.Config, schema Schema) scfit.Config {
	if c.Scaling == (scorecard.Scaling{}) {
		c.Scaling = schema.Scaling
	}
	if c.Cleared == nil {
		c.Cleared = schema.Cleared
	}
	return c
}

// fitScorecard is the Fit of Scorecard; it has no use for valid. The
// characteristics are read back through the schema's pipeline. A
// regression that stops at its iteration limit keeps the model reached,
// with the logreg.ErrNotConverged error as its Warning. The parameters
// record the selection: every characteristic's IV and what was done with
// it.
func fitScorecard(ctx context.Context, c any, fit, _ Set, schema Schema, threads int) (*Fitted, error) {
	cfg, err := config(learn.Scorecard, c, scfit.DefaultConfig)
	if err != nil {
		return nil, err
	}
	cfg = scorecardConfig(cfg, schema)
	cfg.Threads = threads
	res, err := scfit.Fit(ctx, fit.X, fit.Y, schema.Pipeline, cfg)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(res.Scorecard.Characteristics))
	for i, ch := range res.Scorecard.Characteristics {
		names[i] = ch.Name
	}
	s := res.Scorecard.Scaling
	return &Fitted{Scorecard: res.Scorecard, Warning: res.Warning, Params: map[string]any{
		"iv_threshold": orDefault(cfg.IVThreshold, scfit.DefaultIVThreshold), "max_correlation": orDefault(cfg.MaxCorrelation, scfit.DefaultMaxCorrelation),
		"max_characteristics": int(orDefault(float64(cfg.MaxCharacteristics), scfit.DefaultMaxCharacteristics)),
		"fine_bins":           int(orDefault(float64(cfg.FineBins), 20)), "min_share": orDefault(cfg.MinShare, 0.05),
		"free_trend": cfg.FreeTrend, "coding": orCoding(cfg.Coding),
		"base_score": s.BaseScore, "base_odds": s.BaseOdds, "pdo": s.PDO,
		"characteristics": names, "selection": res.Decisions,
	}}, nil
}

// orDefault returns def for a zero v.
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// tuneScorecard searches the scorecard's knobs: the IV threshold in
// [0.005, 0.05], the binning's minimum bin share in [0.01, 0.10], its
// number of fine bins among 10, 20, 30 and 50, whether a characteristic
// without a monotone constraint may keep a peaked or U-shaped bad rate
// (FreeTrend) and the coding of the final regression (a coefficient on
// each characteristic's WoE, or one per bin), scoring each configuration
// by the cross-validated ROC-AUC of its scores.
func tuneScorecard(ctx context.Context, X *matrix.Dense, y []float64, base any, schema Schema, opts tune.Options) (*Tuning, error) {
	cfg, err := config(learn.Scorecard, base, scfit.DefaultConfig)
	if err != nil {
		return nil, err
	}
	cfg = scorecardConfig(cfg, schema)
	res, err := tune.Search(ctx, X, y, tune.Space[scfit.Config]{
		Name: string(learn.Scorecard),
		Base: cfg,
		Sample: func(r *rand.Rand, c scfit.Config, _ int) scfit.Config {
			c.IVThreshold = round3(0.005 + 0.045*r.Float64())
			c.MinShare = round3(0.01 + 0.09*r.Float64())
			c.FineBins = scorecardFineBins[r.IntN(len(scorecardFineBins))]
			c.FreeTrend = r.IntN(2) == 1
			c.Coding = scorecardCodings[r.IntN(len(scorecardCodings))]
			return c
		},
		Params: func(c scfit.Config) map[string]any {
			return map[string]any{
				"iv_threshold": orDefault(c.IVThreshold, scfit.DefaultIVThreshold),
				"min_share":    orDefault(c.MinShare, 0.05),
				"fine_bins":    int(orDefault(float64(c.FineBins), 20)),
				"free_trend":   c.FreeTrend,
				"coding":       orCoding(c.Coding),
			}
		},
		Fit: func(ctx context.Context, c scfit.Config, _ float64, threads int, train, valid *tune.Part, dst []float64) (int, error) {
			c.Threads = threads
			res, err := scfit.Fit(ctx, train.X, train.Y, schema.Pipeline, c)
			if err != nil {
				return 0, err
			}
			for i := range dst {
				dst[i] = res.Scorecard.Margin(valid.X.Row(i))
			}
			return 0, nil
		},
	}, DefaultScorecardTrials, opts)
	if err != nil {
		return nil, err
	}
	return tuning(res), nil
}

// round3 rounds to three decimals, so that tuned values read well.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }
