package main

import (
	"context"
	"fmt"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/train"
)

const trainHelp = `
Usage: credit-risk train [flags]

Runs after features. Fits each learner with its default parameters on the
training period (the newest 20% of it held out for early stopping,
probability calibration and the decision threshold), evaluates it on the
out-of-time test set, and saves it. Boosting runs up to --gbdt-rounds
rounds and stops once --early-stopping rounds bring no improvement on the
held-out part (0: all the rounds).

Reads  data/processed/train.parquet, test.parquet, pipeline.json, features.json.
Writes models/<algo>_v<N>.model and models/<algo>_v<N>_metadata.json for
       each algorithm, N one more than the highest version already there.

Examples:
  credit-risk train
  credit-risk train --algorithms gbdt,lr
  credit-risk train --algorithms gbdt --gbdt-rounds 100 --early-stopping 0
`

func runTrain(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "train", trainHelp)
	var d dirs
	d.bind(fs, m)
	algos := fs.String("algorithms", learners.List(","), "learners to train: "+learners.List(", "))
	threads := fs.Int("threads", 0, "goroutines (0: every core)")
	defaults := learners.GBDTDefault(nil)
	rounds := fs.Int("gbdt-rounds", defaults.Rounds, "GBDT boosting rounds, at most")
	stopping := fs.Int("early-stopping", defaults.EarlyStoppingRounds, "GBDT: stop after this many rounds without improvement on the held-out part (0: off)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rounds < 1 {
		return fmt.Errorf("%w: --gbdt-rounds %d: want at least 1", errUsage, *rounds)
	}
	if *stopping < 0 {
		return fmt.Errorf("%w: --early-stopping %d: want 0 (off) or more", errUsage, *stopping)
	}
	names, err := learners.Parse(*algos)
	if err != nil {
		return fmt.Errorf("%w: --algorithms: %v", errUsage, err)
	}
	if err := checkWritable(d.models); err != nil {
		return err
	}
	opts := train.Options{
		ProcessedDir: d.processed(), ModelsDir: d.models, Algorithms: names,
		Threads: *threads, Logger: m.logger(),
	}
	if *rounds != defaults.Rounds || *stopping != defaults.EarlyStoppingRounds {
		cfg := defaults
		cfg.Rounds, cfg.EarlyStoppingRounds = *rounds, *stopping
		opts.Configs = map[learn.Algorithm]any{learn.GBDT: cfg}
	}
	cands, err := train.Run(ctx, opts)
	if err != nil {
		return err
	}
	for _, c := range cands {
		fmt.Fprintf(m.Stdout, "%-9s v%-3d test AUC %.4f  KS %.3f  Brier %.4f  ECE %.4f  threshold %.3f  fit %.1fs  %s\n",
			c.Algorithm, c.Version, c.Metrics.ROCAUC, c.Metrics.KS, c.Metrics.Brier, c.Metrics.ECE, c.Metrics.Threshold, c.Seconds, c.Path)
	}
	return nil
}
