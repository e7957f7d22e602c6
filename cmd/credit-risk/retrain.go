package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/split"
)

const retrainHelp = `
Usage: credit-risk retrain [flags]

The full training job, the train image's default command: clean → features
→ tune → train → evaluate → report → registry → champion alias. The best
candidate by ROC-AUC on the validation slice of the training period (never
the test set) becomes the champion: models/production.model and
models/production_metadata.json are pointed at it (relative symlinks,
replaced atomically) and it moves to production in the registry, the
previous champion to archived. A failing step marks the run failed in the
registry and leaves the previous champion untouched.

Reads  data/raw/ (see clean).
Writes data/processed/ (see clean, features), models/<algo>_v<N>.model and
       _metadata.json, artifacts/registry/registry.json,
       artifacts/reports/<run>/report.html with plots, why the champion
       won (its margin over the others, DeLong's test) and the tuning
       results; artifacts/reports/<run>/tune_<learner>.json.

Examples:
  credit-risk retrain
  credit-risk retrain --no-promote
  credit-risk retrain --spec specs/uci_taiwan.yaml --tune-trials 0
`

func runRetrain(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "retrain", retrainHelp)
	var d dirs
	d.bind(fs, m)
	splitDate := fs.String("split-date", "", "first month of the test period (YYYY-MM); default: the newest 20% of loans")
	algos := fs.String("algorithms", learners.List(","), "learners: "+learners.List(", "))
	noPromote := fs.Bool("no-promote", false, "register the candidates but keep the current champion")
	reason := fs.String("reason", "", "reason recorded with the promotion")
	threads := fs.Int("threads", 0, "goroutines (0: every core)")
	tuneTrials := fs.Int("tune-trials", -1, "tuning configurations per learner (0: no tuning, -1: the default budget)")
	tuneSeconds := fs.Float64("tune-seconds", 0, "a tuning time budget per learner in seconds; the trials it lets run depend on the machine, so the run is recorded as not reproducible (0: none, every trial runs)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	names, err := learners.Parse(*algos)
	if err != nil {
		return fmt.Errorf("%w: --algorithms: %v", errUsage, err)
	}
	var splitDay float64
	if *splitDate != "" {
		if splitDay, err = split.ParseDay(*splitDate); err != nil {
			return fmt.Errorf("%w: --split-date: %v", errUsage, err)
		}
	}
	spec, err := d.loadSpec()
	if err != nil {
		return err
	}
	// A missing or empty raw folder fails here, with the words clean and
	// validate use, before a run is recorded in the registry.
	if err := d.checkRaw(spec); err != nil {
		return err
	}
	if err := checkWritable(d.processed(), d.models, d.artifacts); err != nil {
		return err
	}
	opts := retrain.Options{
		Spec: spec, SpecSource: specSource(d.spec), DataDir: d.data, ModelsDir: d.models, ArtifactsDir: d.artifacts,
		SplitDate: splitDay, Algorithms: names, NoPromote: *noPromote, Reason: *reason, Threads: *threads,
		CodeVersion: versionString(), Logger: m.quietLogger(), Progress: m.Stderr,
	}
	if *tuneTrials != 0 {
		// -1 asks for the default budget, which the tuner spells 0.
		opts.Tune = retrain.NewTuner(retrain.TuneOptions{
			Trials: max(*tuneTrials, 0), Seconds: *tuneSeconds, Threads: *threads, Logger: m.quietLogger(),
		})
	}
	sum, err := retrain.Run(ctx, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "run %s finished in %.1fs\n", sum.RunID, sum.Seconds)
	for _, c := range sum.Candidates {
		mark := " "
		if string(c.Algorithm) == sum.Champion.Name && c.Version == sum.Champion.Version {
			mark = "*"
		}
		fmt.Fprintf(m.Stdout, "%s %-9s v%-3d test AUC %.4f  KS %.3f  Brier %.4f  ECE %.4f  threshold %.3f\n",
			mark, c.Algorithm, c.Version, c.Metrics.ROCAUC, c.Metrics.KS, c.Metrics.Brier, c.Metrics.ECE, c.Metrics.Threshold)
	}
	if sum.Promoted {
		fmt.Fprintf(m.Stdout, "champion %s is now production (%s)\n", sum.Champion, filepath.Join(d.models, "production.model"))
	} else {
		fmt.Fprintf(m.Stdout, "champion %s registered in staging; production unchanged\n", sum.Champion)
	}
	fmt.Fprintf(m.Stdout, "report: %s\n", sum.Report)
	return nil
}

func specSource(s string) string {
	if s == "" {
		return "built-in lending_club"
	}
	return s
}
