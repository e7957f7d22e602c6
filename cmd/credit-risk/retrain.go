package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/internal/retrain"
	"github.com/credit-risk/credit-risk/internal/split"
)

const retrainHelp = `
Usage: credit-risk retrain [flags]

The full training job, the train image's default command: clean → features
→ tune → train → evaluate → register → promotion gates → report → alias.
The best candidate by ROC-AUC on the validation slice of the training
period (never the test set) is the run's champion. It and the production
champion are scored on that slice, the newest training rows, each through
its own feature pipeline; it replaces the production champion only when it
passes the spec's promotion gates (it beats the champion by min_gain,
its calibration error, score PSI and adverse impact ratio are within
bounds; see docs/spec.md). Then models/production.model and
models/production_metadata.json are pointed at it (relative symlinks,
replaced atomically), it moves to production in the registry and the
previous champion to archived. A candidate a gate stops becomes the
challenger: models/challenger.model and the registry stage challenger;
the run record and the report's Promotion section name the gate and its
figures. --force-promote promotes it anyway, with the reason recorded.
A failing step marks the run failed in the registry and leaves the
previous champion untouched; a run killed at any moment leaves nothing
the next run does not put right (unregistered files removed, aliases
pointed back at the registry's versions, with a log line).

Reads  data/raw/ (see clean).
Writes data/processed/ (see clean, features), models/<algo>_v<N>.model and
       _metadata.json, artifacts/registry/registry.json,
       artifacts/reports/<run>/report.html with plots, why the champion
       won (its margin over the others, DeLong's test) and the tuning
       results; artifacts/reports/<run>/tune_<learner>.json.

Examples:
  credit-risk retrain
  credit-risk retrain --no-promote
  credit-risk retrain --force-promote --reason "approved by the model risk committee, ticket 42"
  credit-risk retrain --spec specs/uci_taiwan.yaml --tune-trials 0
`

func runRetrain(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "retrain", retrainHelp)
	var d dirs
	d.bind(fs, m)
	splitDate := fs.String("split-date", "", "first month of the test period (YYYY-MM); default: the newest 20% of loans")
	algos := fs.String("algorithms", learners.List(","), "learners: "+learners.List(", "))
	noPromote := fs.Bool("no-promote", false, "register the candidates but keep the current champion")
	force := fs.Bool("force-promote", false, "promote the champion even when a promotion gate stops it (needs --reason)")
	reason := fs.String("reason", "", "reason recorded with the promotion")
	threads := fs.Int("threads", 0, "goroutines (0: every core)")
	tuneTrials := fs.Int("tune-trials", -1, "tuning configurations per learner (0: no tuning, -1: the default budget)")
	tuneSeconds := fs.Float64("tune-seconds", 0, "a tuning time budget per learner in seconds; the trials it lets run depend on the machine, so the run is recorded as not reproducible (0: none, every trial runs)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *force && (*reason == "" || *noPromote) {
		return fmt.Errorf("%w: --force-promote needs --reason and excludes --no-promote", errUsage)
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
		SplitDate: splitDay, Algorithms: names, NoPromote: *noPromote, ForcePromote: *force, Reason: *reason, Threads: *threads,
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
	if p := sum.Promotion; p != nil {
		for _, c := range p.Checks {
			result := "pass"
			switch {
			case c.Skipped != "":
				result = "not applied (" + c.Skipped + ")"
			case !c.Pass:
				result = "FAIL"
			}
			fmt.Fprintf(m.Stdout, "  gate %-13s threshold %-8.4g value %-8.4g %s\n", c.Gate, c.Threshold, c.Value, result)
		}
	}
	switch {
	case sum.Promoted && sum.Promotion != nil && sum.Promotion.Verdict == promotion.Forced:
		fmt.Fprintf(m.Stdout, "champion %s is now production by a forced promotion (%s)\n", sum.Champion, filepath.Join(d.models, registry.AliasBase+model.Ext))
	case sum.Promoted:
		fmt.Fprintf(m.Stdout, "champion %s is now production (%s)\n", sum.Champion, filepath.Join(d.models, registry.AliasBase+model.Ext))
	case sum.Promotion != nil && sum.Promotion.Verdict == promotion.Challenger:
		fmt.Fprintf(m.Stdout, "champion %s stopped by %s: registered as challenger (%s); production unchanged\n",
			sum.Champion, sum.Promotion.Stopped(), filepath.Join(d.models, string(registry.Challenger)+model.Ext))
	default:
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
