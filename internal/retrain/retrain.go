// Package retrain runs the whole training job: clean → features → tune →
// train → evaluate → register → promotion gates → report → champion or
// challenger alias, one method per step. Every step writes its files atomically; the run is
// recorded in the registry from its start, and a failing or interrupted
// step marks it failed, its error prefixed with the step's name, and
// leaves the previous champion untouched.
package retrain

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/evaluate"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/promotion"
	"github.com/credit-risk/credit-risk/internal/registry"
	"github.com/credit-risk/credit-risk/internal/report"
	"github.com/credit-risk/credit-risk/internal/train"
)

// Options configure a retrain.
type Options struct {
	Spec *dataset.Spec
	// SpecSource says where the spec came from (a path or "built-in").
	SpecSource string
	DataDir    string
	ModelsDir  string
	// ArtifactsDir holds registry/ and reports/.
	ArtifactsDir string
	// SplitDate: see clean.Options.
	SplitDate float64
	// Algorithms to train, in order; nil means every learner
	// (learners.Names).
	Algorithms []learn.Algorithm
	// Tune, when set, tunes the learners before the final fits; NewTuner
	// builds the one the CLI uses.
	Tune Tuner
	// Selection is the metric the champion is chosen by, on the
	// validation slice of the training period; "" takes the spec's
	// selection_metric, itself ROC-AUC by default.
	Selection metrics.Selection
	// NoPromote keeps the current champion: the candidate stays in
	// staging whatever the promotion gates say.
	NoPromote bool
	// ForcePromote promotes the candidate even when a promotion gate stops
	// it; Reason must say why. The verdict is recorded as forced.
	ForcePromote bool
	// Reason is recorded with the promotion.
	Reason  string
	Threads int
	// CodeVersion identifies the program in the registry.
	CodeVersion string
	Logger      *slog.Logger
	// Progress, when set, receives one line per step (a terminal display).
	Progress io.Writer
	// Pause, when set, is called with the name of each point the run
	// passes: each step as it starts, "saved" once the first candidate's
	// files are written and before they are registered, and "written"
	// once a stage change is in the registry and before the alias links
	// move. Crash tests stop the process there.
	Pause func(point string)
}

// Sentinel errors.
var (
	// ErrForceReason is a forced promotion without a reason.
	ErrForceReason = errors.New("a forced promotion needs a reason")
	// ErrChampionChanged is a production champion that another process
	// changed between the promotion gates and the promotion: the decision
	// no longer holds. The candidates stay registered in staging.
	ErrChampionChanged = errors.New("the production champion changed during the run")
)

// Tuner tunes the learners on the training data and returns the training
// options to fit with (Options.Configs), plus per-learner results, keyed by
// learner name, to save as JSON; a result
// that decodes as a tune.Result is also shown in the report. It reports
// its progress through progress, a line at a time, in the run's progress
// display.
type Tuner func(ctx context.Context, d *train.Data, algos []learn.Algorithm, progress Progressf) (train.Options, map[string]any, error)

// Progressf prints one progress line, formatted as by fmt.Sprintf.
type Progressf func(format string, args ...any)

// SelectionRule is how a retrain chooses its champion by the metric sel,
// as the report and the registry state it.
func SelectionRule(sel metrics.Selection) string {
	best := "highest"
	if !sel.HigherIsBetter() {
		best = "lowest"
	}
	return fmt.Sprintf("the candidate with the %s %s on the validation slice of the training period "+
		"(its newest %.0f%% of rows, or a stratified %.0f%% without dates), chosen before any candidate's test figures are looked at",
		best, sel.Title(), 100*train.DefaultValidFraction, 100*train.DefaultValidFraction)
}

// Summary is what a finished run did.
type Summary struct {
	RunID      string
	Candidates []train.Candidate
	Champion   registry.Ref
	Promoted   bool
	// Promotion is the champion's promotion decision.
	Promotion *promotion.Decision
	Report    string
	Seconds   float64
}

// Run runs the job.
func Run(ctx context.Context, opts Options) (sum *Summary, err error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	regDir := filepath.Join(opts.ArtifactsDir, "registry")
	host, _ := os.Hostname()
	runID := start.UTC().Format("20060102T150405Z") + fmt.Sprintf("-%04x", os.Getpid()&0xffff)
	if opts.ForcePromote && (opts.Reason == "" || opts.NoPromote) {
		return nil, fmt.Errorf("retrain: %w (and cannot be combined with no-promote)", ErrForceReason)
	}
	var repairs registry.Repair
	if err := registry.Update(regDir, func(r *registry.Registry) error {
		// Whatever a killed run left behind is put right first: its
		// unregistered files, links one change behind the registry.
		var err error
		if repairs, err = r.Recover(opts.ModelsDir, host, start); err != nil {
			return fmt.Errorf("recover: %w", err)
		}
		// A second run of this process within the same second gets a
		// suffix: run IDs name report folders and must not repeat.
		id := runID
		for n := 2; ; n++ {
			if _, err := r.Run(id); err != nil {
				break
			}
			id = fmt.Sprintf("%s-%d", runID, n)
		}
		runID = id
		r.Runs = append(r.Runs, registry.Run{
			ID: runID, Started: start.UTC(), Status: registry.RunRunning, Host: host, PID: os.Getpid(),
			Dataset: opts.Spec.Name, Spec: opts.SpecSource, CodeVersion: opts.CodeVersion, Step: steps[0].name,
		})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	for _, line := range repairs {
		logger.Warn("recovered after an earlier run", "repair", line)
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "recovered after an earlier run: %s\n", line)
		}
	}
	r := &runner{
		opts: opts, logger: logger, runID: runID, regDir: regDir, start: start,
		processed: filepath.Join(opts.DataDir, "processed"),
		reportDir: filepath.Join(opts.ArtifactsDir, "reports", runID),
	}
	defer func() {
		if err == nil {
			return
		}
		status := registry.RunFailed
		if errors.Is(err, context.Canceled) {
			status = registry.RunInterrupted
		}
		now := time.Now().UTC()
		uerr := registry.Update(regDir, func(reg *registry.Registry) error {
			run, e := reg.Run(runID)
			if e != nil {
				return e
			}
			run.Status, run.Error, run.Ended = status, err.Error(), &now
			return nil
		})
		if uerr != nil {
			logger.Error("could not record the failed run", "run", runID, "err", uerr)
		}
		r.progress("failed: %v", err)
	}()
	return r.run(ctx)
}

// runner is one run of the job. The steps fill in its fields in order.
type runner struct {
	opts   Options
	logger *slog.Logger
	runID  string
	regDir string
	start  time.Time
	step   string

	// processed is the data folder's processed/, reportDir the run's
	// folder under the reports.
	processed, reportDir string

	cleaned *clean.Log        // clean
	meta    *featurestep.Meta // features
	data    *train.Data       // features

	algos  []learn.Algorithm // tune: what to fit, and how
	topts  train.Options
	params map[string]any
	tuning []report.Tuning

	cands []candidate // train; saved and numbered by evaluate

	rin  report.Input // evaluate
	best int          // evaluate: the champion's index in cands

	decision *promotion.Decision // gates

	summary Summary
}

// candidate is a fitted model of the run.
type candidate struct {
	m    *model.Model
	meta *model.Metadata
	// base is the saved file's base name (gbdt_v3), once saved.
	base string
	secs float64
}

// steps are the job's steps in order, by the names the progress display
// and the registry give them.
var steps = []struct {
	name string
	run  func(*runner, context.Context) error
}{
	{"clean", (*runner).clean},
	{"features", (*runner).features},
	{"tune", (*runner).tune},
	{"train", (*runner).train},
	{"evaluate", (*runner).evaluate},
	{"register", (*runner).register},
	{"gates", (*runner).gates},
	{"report", (*runner).report},
	{"promote", (*runner).promote},
}

// pause calls Options.Pause, when set.
func (r *runner) pause(point string) {
	if r.opts.Pause != nil {
		r.opts.Pause(point)
	}
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress == nil {
		return
	}
	fmt.Fprintf(r.opts.Progress, "[%6.1fs] %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// enter records step i in the registry and on the progress display.
func (r *runner) enter(ctx context.Context, i int) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.step = steps[i].name
	r.progress("%d/%d %s", i+1, len(steps), r.step)
	r.pause(r.step)
	return registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		run.Step = r.step
		return nil
	})
}

// run runs the steps in order. An error names the step it came from.
func (r *runner) run(ctx context.Context) (*Summary, error) {
	for i, s := range steps {
		if err := r.enter(ctx, i); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
		if err := s.run(r, ctx); err != nil {
			return nil, stepError(s.name, err)
		}
	}
	return &r.summary, nil
}

// stepError names the step an error came from, unless the error already
// starts with that name (the clean and features packages name themselves).
func stepError(step string, err error) error {
	if strings.HasPrefix(err.Error(), step+":") {
		return err
	}
	return fmt.Errorf("%s: %w", step, err)
}

// clean reads data/raw and writes the cleaned table.
func (r *runner) clean(ctx context.Context) error {
	o := r.opts
	began := time.Now()
	cl, err := clean.Run(ctx, o.Spec, clean.Options{RawDir: filepath.Join(o.DataDir, "raw"), OutDir: r.processed, SplitDate: o.SplitDate, Logger: r.logger})
	if err != nil {
		return err
	}
	r.cleaned = cl
	r.progress("      read and cleaned %d rows in %s", cl.RowsRead, rate(cl.RowsRead, time.Since(began)))
	return nil
}

// rate says how long n rows took and how many a second that is.
func rate(n int, d time.Duration) string {
	if d <= 0 {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return fmt.Sprintf("%.1fs (%.0f rows/s)", d.Seconds(), float64(n)/d.Seconds())
}

// features fits the feature pipeline, writes the feature tables and loads
// them for the steps after it.
func (r *runner) features(ctx context.Context) error {
	meta, err := featurestep.Run(ctx, featurestep.Options{Dir: r.processed, Logger: r.logger})
	if err != nil {
		return err
	}
	data, err := train.Load(r.processed)
	if err != nil {
		return fmt.Errorf("load the feature tables: %w", err)
	}
	if err := os.MkdirAll(r.reportDir, 0o755); err != nil {
		return fmt.Errorf("report folder: %w", err)
	}
	r.meta, r.data = meta, data
	return nil
}

// tune chooses the learners' configurations with Options.Tune, when set,
// and saves the tuning results beside the report.
func (r *runner) tune(ctx context.Context) error {
	o := r.opts
	r.algos = o.Algorithms
	if r.algos == nil {
		r.algos = learners.Names()
	}
	r.topts = train.Options{ProcessedDir: r.processed, ModelsDir: o.ModelsDir, Threads: o.Threads, Logger: r.logger}
	r.params = map[string]any{"algorithms": r.algos, "reproducible": true}
	if o.Tune == nil {
		r.progress("tuning skipped: default parameters")
		return nil
	}
	tuned, results, err := o.Tune(ctx, r.data, r.algos, r.progress)
	if err != nil {
		return err
	}
	r.topts.Configs = tuned.Configs
	for name, res := range results {
		if err := atomicfile.WriteJSON(filepath.Join(r.reportDir, "tune_"+name+".json"), res); err != nil {
			return fmt.Errorf("save the tuning result of %s: %w", name, err)
		}
	}
	if r.tuning, err = TuningSummaries(results, r.algos); err != nil {
		return err
	}
	r.params["tuned"] = true
	for _, t := range r.tuning {
		if t.BudgetSeconds > 0 {
			// The trials a time budget lets run depend on the machine.
			r.params["reproducible"] = false
			r.progress("      note: tuning %s had a time budget of %gs: the same data may tune differently on another run", t.Learner, t.BudgetSeconds)
		}
	}
	return nil
}

// train fits every learner.
func (r *runner) train(ctx context.Context) error {
	if err := os.MkdirAll(r.opts.ModelsDir, 0o755); err != nil {
		return err
	}
	d := r.data
	for _, algo := range r.algos {
		r.progress("      fitting %s on %d rows × %d features", algo, d.Train.X.Rows, d.Train.X.Cols)
		m, mm, secs, err := train.Fit(ctx, d, algo, r.topts)
		if err != nil {
			return fmt.Errorf("%s: %w", algo, err)
		}
		for _, w := range train.Warnings(mm) {
			r.progress("      warning: %s: %s", algo, w)
			r.logger.Warn("training finished with a warning", "algorithm", algo, "warning", w)
		}
		r.progress("      fitted %s in %s", algo, rate(d.Train.X.Rows, time.Duration(secs*float64(time.Second))))
		r.cands = append(r.cands, candidate{m: m, meta: mm, secs: secs})
	}
	return nil
}

// evaluate picks the champion on the validation slice and scores the
// candidates on the test set for the report.
func (r *runner) evaluate(ctx context.Context) error {
	o, d := r.opts, r.data
	segs, err := featurestep.Segments(r.processed, featurestep.TestFile)
	if err != nil {
		return fmt.Errorf("test segments: %w", err)
	}
	rin := &r.rin
	rin.RunID, rin.Dataset, rin.CreatedAt = r.runID, o.Spec.Name, r.start.UTC()
	rin.Data = dataSummary(r.cleaned, r.meta)
	sel := r.selection()
	rin.Selection, rin.SelectionMetric, rin.Tuning = SelectionRule(sel), sel, r.tuning
	// The champion is chosen on the validation slice alone; the test set
	// is scored after.
	valid, err := train.ValidationSlice(d, r.topts.ValidFraction)
	if err != nil {
		return err
	}
	r.best = -1
	for i, c := range r.cands {
		if r.best < 0 || sel.Better(sel.Value(&c.meta.Validation), sel.Value(&r.cands[r.best].meta.Validation)) {
			r.best = i
		}
	}
	r.progress("      chose %s: best validation %s %.4f on %d rows", r.cands[r.best].m.Algorithm, sel.Title(),
		sel.Value(&r.cands[r.best].meta.Validation), valid.X.Rows)
	for _, c := range r.cands {
		r.progress("      scoring %s on %d test rows, SHAP importance on up to 2,000", c.m.Algorithm, d.Test.X.Rows)
		sc := evaluate.Score(c.m, d.Test, segs, o.Threads)
		validPD := make([]float64, valid.X.Rows)
		c.m.PDInto(validPD, valid.X, o.Threads)
		rin.Candidates = append(rin.Candidates, report.Candidate{
			Name: c.m.Algorithm, Algorithm: c.m.Algorithm, Threshold: c.m.Threshold, ThresholdRule: c.meta.ThresholdRule,
			Metrics: c.meta.Metrics, Y: d.Test.Y, PD: sc.PD,
			Validation: c.meta.Validation, ValidY: valid.Y, ValidPD: validPD,
			Segments:   sc.Segments,
			Importance: evaluate.Importance(c.m, d.Test.X, 2000),
		})
	}

	r.summary.RunID = r.runID
	champ := r.cands[r.best]
	rin.Candidates[r.best].Champion = true
	r.summary.Champion = registry.Ref{Name: champ.m.Name}
	return nil
}

// selection returns the metric the champion is chosen by: the option's,
// else the spec's, else metrics.DefaultSelection.
func (r *runner) selection() metrics.Selection {
	if r.opts.Selection != "" {
		return r.opts.Selection
	}
	if r.opts.Spec != nil {
		if sel, err := metrics.ParseSelection(r.opts.Spec.SelectionMetric); err == nil {
			return sel // validated with the spec
		}
	}
	return metrics.DefaultSelection
}

// report writes the run's report.
func (r *runner) report(ctx context.Context) error {
	r.rin.Promotion = r.decision
	html, err := report.Write(ctx, r.reportDir, &r.rin)
	if err != nil {
		return err
	}
	r.summary.Report = html
	return nil
}

// register saves the candidates, each as the next free version of its
// name, and records them in the registry in staging, with the run's
// champion, data fingerprint and parameters. Each file name is recorded in
// the run before the file is written (reserve), so a run killed at any
// moment leaves no file the registry does not know; Recover removes the
// files of a run that died before registering them.
func (r *runner) register(ctx context.Context) error {
	o := r.opts
	for i := range r.cands {
		c := &r.cands[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := r.save(c); err != nil {
			return fmt.Errorf("%s: %w", c.m.Name, err)
		}
		r.rin.Candidates[i].Version = c.m.Version
		if c.m.Scorecard != nil {
			r.rin.Scorecard = reportScorecard(c.m, c.meta)
		}
		r.summary.Candidates = append(r.summary.Candidates, train.Candidate{
			Algorithm: learn.Algorithm(c.m.Algorithm), Version: c.m.Version, Path: filepath.Join(o.ModelsDir, c.base+model.Ext), Metrics: c.meta.Metrics, Seconds: c.secs,
		})
		if i == 0 {
			r.pause("saved")
		}
	}
	r.summary.Champion.Version = r.cands[r.best].m.Version
	now := time.Now().UTC()
	return registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		for _, c := range r.cands {
			metaFile := model.MetadataName(c.base)
			metaSum, err := atomicfile.SHA256(filepath.Join(o.ModelsDir, metaFile))
			if err != nil {
				return err
			}
			v := registry.Version{
				Name: c.m.Name, Version: c.m.Version, Algorithm: c.m.Algorithm, RunID: r.runID, Created: c.m.CreatedAt,
				File: c.base + model.Ext, SHA256: c.meta.SHA256, Metadata: metaFile, MetadataSHA256: metaSum,
				Metrics: c.meta.Metrics, Params: c.meta.Params,
				Selection: &registry.Selection{
					Metric: string(r.selection()), Value: r.selection().Value(&c.meta.Validation),
					Slice: registry.SliceValidation, Rows: c.meta.Metrics.ValidRows,
				},
			}
			if err := reg.Register(v, "trained by run "+r.runID, now); err != nil {
				return err
			}
			run.Candidates = append(run.Candidates, v.Ref())
		}
		ref := r.summary.Champion
		run.Champion = &ref
		run.Selection = SelectionRule(r.selection())
		run.DataFingerprint = r.cleaned.Output.SHA256
		run.Params = r.params
		return nil
	})
}

// save writes candidate c as the next free version of its name: the
// version is chosen under the registry lock, past every version on disk,
// registered or recorded by any run, and its two file names are recorded
// in the run before they are written. When another process (`credit-risk
// train`, which does not use the registry) took the version meanwhile,
// the names are given back and the next version is tried.
func (r *runner) save(c *candidate) error {
	dir := r.opts.ModelsDir
	for range 100 {
		var base string
		if err := registry.Update(r.regDir, func(reg *registry.Registry) error {
			run, err := reg.Run(r.runID)
			if err != nil {
				return err
			}
			v, err := nextVersion(reg, dir, c.m.Name)
			if err != nil {
				return err
			}
			c.m.Version = v
			base = model.FileBase(c.m.Name, v)
			run.Files = append(run.Files, base+model.Ext, model.MetadataName(base))
			if c.m.Scorecard != nil {
				// The scorecard table Save writes beside the model.
				run.Files = append(run.Files, model.TableName(base)+".csv", model.TableName(base)+".json")
			}
			return nil
		}); err != nil {
			return fmt.Errorf("reserve a version: %w", err)
		}
		err := model.Save(dir, base, c.m, c.meta)
		if err == nil {
			c.base = base
			return nil
		}
		if !errors.Is(err, os.ErrExist) {
			return err
		}
		// Not ours: the run must not claim (and a later recovery must not
		// remove) another process's file.
		if err := registry.Update(r.regDir, func(reg *registry.Registry) error {
			run, err := reg.Run(r.runID)
			if err != nil {
				return err
			}
			run.Files = slices.DeleteFunc(run.Files, func(f string) bool { return f == base+model.Ext || f == model.MetadataName(base) })
			return nil
		}); err != nil {
			return fmt.Errorf("give back version %d: %w", c.m.Version, err)
		}
	}
	return fmt.Errorf("no free version in %s", dir)
}

// nextVersion returns one more than the highest version of name among the
// model files in dir, the registered versions and the files any run
// recorded.
func nextVersion(reg *registry.Registry, dir, name string) (int, error) {
	newest, err := model.Newest(dir)
	if err != nil {
		return 0, err
	}
	v := newest[name]
	for _, x := range reg.Versions {
		if x.Name == name {
			v = max(v, x.Version)
		}
	}
	for _, run := range reg.Runs {
		for _, f := range run.Files {
			if n, fv, ok := model.ParseFileName(f); ok && n == name {
				v = max(v, fv)
			}
		}
		for _, f := range run.RemovedFiles {
			if n, fv, ok := model.ParseFileName(f); ok && n == name {
				v = max(v, fv)
			}
		}
	}
	return v + 1, nil
}

// promote carries out the promotion decision: the champion to production
// (promoted or forced), to challenger (stopped by a gate), or nowhere
// (held); the run's record of it is written in the same transaction as
// the stage change, before the alias links move. Then the run is recorded
// as succeeded.
func (r *runner) promote(context.Context) error {
	o := r.opts
	d := r.decision
	champ := r.cands[r.best]
	sum := &r.summary
	sum.Promotion = d
	now := time.Now().UTC()
	pick := func(reg *registry.Registry) (*registry.Version, error) {
		run, err := reg.Run(r.runID)
		if err != nil {
			return nil, err
		}
		// The decision compared the candidate with the champion of its
		// start; another process may have changed it since.
		cur := ""
		if p := reg.Production(); p != nil {
			cur = p.Ref().String()
		}
		if d.Verdict != promotion.Held && cur != d.Champion {
			return nil, fmt.Errorf("%w: the gates compared %s with %q, production is now %q: retrain again", ErrChampionChanged, d.Candidate, d.Champion, cur)
		}
		run.Promotion = d
		run.Fairness = r.rin.Fairness
		run.Promoted = d.Verdict == promotion.Promoted || d.Verdict == promotion.Forced
		if run.Promoted {
			reg.RetireChallenger(registry.ActionPromote, "a new champion from run "+r.runID, now)
		}
		return reg.Version(sum.Champion)
	}
	switch d.Verdict {
	case promotion.Promoted, promotion.Forced:
		_, err := registry.SetStage(r.regDir, o.ModelsDir, registry.Change{
			Pick: pick, To: registry.StageProduction, Action: registry.ActionPromote, Reason: d.Reason, Written: func() { r.pause("written") },
		}, now)
		if err != nil {
			return err
		}
		sum.Promoted = true
	case promotion.Challenger:
		_, err := registry.SetStage(r.regDir, o.ModelsDir, registry.Change{
			Pick: pick, To: registry.StageChallenger, Action: registry.ActionChallenge, Reason: d.Reason, Written: func() { r.pause("written") },
		}, now)
		if err != nil {
			return err
		}
		r.progress("      %s is the challenger; the champion alias is unchanged", sum.Champion)
	default:
		if err := registry.Update(r.regDir, func(reg *registry.Registry) error {
			_, err := pick(reg)
			return err
		}); err != nil {
			return err
		}
		r.progress("      --no-promote: the champion alias is unchanged")
	}
	sum.Seconds = time.Since(r.start).Seconds()
	end := time.Now().UTC()
	if err := registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		// Promoted was written with the stage change; this only ends the
		// run.
		run.Status, run.Ended, run.Step, run.Report = registry.RunSucceeded, &end, "", sum.Report
		return nil
	}); err != nil {
		return fmt.Errorf("record the run: %w", err)
	}
	r.progress("done: champion %s (validation %s %.4f, test ROC-AUC %.4f), %s; report %s", sum.Champion,
		r.selection().Title(), r.selection().Value(&champ.meta.Validation), champ.meta.Metrics.ROCAUC, d.Verdict, sum.Report)
	return nil
}

func dataSummary(cl *clean.Log, meta *featurestep.Meta) report.DataSummary {
	d := report.DataSummary{
		RowsRead: cl.RowsRead, Labelled: cl.Target.Rows, Bad: cl.Target.Bad, Excluded: cl.Target.Undated,
		TrainRows: meta.TrainRows, TestRows: meta.TestRows, TrainBadRate: meta.TrainBadRate, TestBadRate: meta.TestBadRate,
		SplitKind: cl.Split.Kind, SplitDate: cl.Split.Date, FirstDate: cl.Split.FirstDate, LastDate: cl.Split.LastDate,
		Features: len(meta.Features),
	}
	for _, e := range cl.Target.Excluded {
		d.Excluded += e.Count
	}
	for _, x := range cl.Dropped {
		d.Dropped = append(d.Dropped, report.Dropped{Name: x.Name, Reason: x.Reason, Detail: x.Detail})
	}
	return d
}

// reportScorecard returns the report's view of a scorecard model: its
// table and the selection its metadata records.
func reportScorecard(m *model.Model, meta *model.Metadata) *report.Scorecard {
	sc := m.Scorecard
	s := sc.Scaling
	out := &report.Scorecard{
		Name: m.Name, Version: m.Version,
		Scaling: fmt.Sprintf("%g points at good:bad odds %g:1, %g points to double the odds (factor %.4f, offset %.4f).",
			s.BaseScore, s.BaseOdds, s.PDO, s.Factor, s.Offset),
	}
	for _, r := range sc.Table() {
		rate := math.NaN()
		if r.BadRate != nil {
			rate = *r.BadRate
		}
		out.Rows = append(out.Rows, report.ScorecardRow{
			Characteristic: r.Characteristic, Bin: r.Bin, Count: r.Count, Share: r.Share, BadRate: rate,
			WoE: r.WoE, IV: r.IV, Points: r.Points,
		})
	}
	// The parameters hold the selection as the learner recorded it; read
	// through JSON, the same in memory and read back from a file.
	var decisions []struct {
		Characteristic, Strength, Status, With string
		IV, R, Coef, LR                        float64
		Cleared                                bool
	}
	if b, err := json.Marshal(meta.Params["selection"]); err == nil {
		_ = json.Unmarshal(b, &decisions) // a missing or malformed record shows no selection
	}
	for _, d := range decisions {
		var detail string
		switch {
		case d.With != "":
			detail = fmt.Sprintf("with %s, r = %.3f", d.With, d.R)
		case d.Coef != 0:
			detail = fmt.Sprintf("coefficient %+.4f", d.Coef)
		case d.LR != 0:
			detail = fmt.Sprintf("likelihood ratio %.1f", d.LR)
		}
		if d.Cleared {
			detail = strings.TrimSuffix("above the leakage band, cleared by the spec; "+detail, "; ")
		}
		out.Selection = append(out.Selection, report.ScorecardDecision{
			Characteristic: d.Characteristic, IV: d.IV, Strength: d.Strength, Status: d.Status, Detail: detail,
		})
	}
	return out
}
