// Package retrain runs the whole training job: clean → features → tune →
// train → evaluate → explain → report → registry → champion alias. Every
// step writes its files atomically; the run is recorded in the registry
// from its start, and a failing or interrupted step marks it failed and
// leaves the previous champion untouched.
package retrain

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/evaluate"
	"github.com/credit-risk/credit-risk/internal/featurestep"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/learners"
	"github.com/credit-risk/credit-risk/internal/model"
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
	// Tune, when set, tunes the learners before the final fits.
	Tune Tuner
	// NoPromote keeps the current champion.
	NoPromote bool
	// Reason is recorded with the promotion.
	Reason  string
	Threads int
	// CodeVersion identifies the program in the registry.
	CodeVersion string
	Logger      *slog.Logger
	// Progress, when set, receives one line per step (a terminal display).
	Progress io.Writer
}

// Tuner tunes the learners on the training data and returns the training
// options to fit with (Options.Configs), plus per-learner results, keyed by
// learner name, to save as JSON; a result
// that decodes as a tune.Result is also shown in the report. It reports
// its progress through progress, a line at a time, in the run's progress
// display.
type Tuner func(ctx context.Context, d *train.Data, algos []learn.Algorithm, progress Progressf) (train.Options, map[string]any, error)

// Progressf prints one progress line, formatted as by fmt.Sprintf.
type Progressf func(format string, args ...any)

// SelectionRule is how a retrain chooses its champion, as the report
// states it.
const SelectionRule = "the candidate with the highest ROC-AUC on the test set"

// Summary is what a finished run did.
type Summary struct {
	RunID      string
	Candidates []train.Candidate
	Champion   registry.Ref
	Promoted   bool
	Report     string
	Seconds    float64
}

// steps in order, for progress and the registry.
var steps = []string{"clean", "features", "tune", "train", "evaluate", "report", "register", "promote"}

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
	if err := registry.Update(regDir, func(r *registry.Registry) error {
		r.MarkStale(host, start)
		r.Runs = append(r.Runs, registry.Run{
			ID: runID, Started: start.UTC(), Status: registry.RunRunning, Host: host, PID: os.Getpid(),
			Dataset: opts.Spec.Name, Spec: opts.SpecSource, CodeVersion: opts.CodeVersion, Step: steps[0],
		})
		return nil
	}); err != nil {
		return nil, fmt.Errorf("retrain: %w", err)
	}
	r := &runner{opts: opts, logger: logger, runID: runID, regDir: regDir, start: start}
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
		r.progress("failed at %s: %v", r.step, err)
	}()
	return r.run(ctx)
}

type runner struct {
	opts   Options
	logger *slog.Logger
	runID  string
	regDir string
	start  time.Time
	step   string
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress == nil {
		return
	}
	fmt.Fprintf(r.opts.Progress, "[%6.1fs] %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// enter records the step in the registry and on the progress display.
func (r *runner) enter(ctx context.Context, step string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.step = step
	r.progress("%d/%d %s", slices.Index(steps, step)+1, len(steps), step)
	return registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		run.Step = step
		return nil
	})
}

func (r *runner) run(ctx context.Context) (*Summary, error) {
	o := r.opts
	processed := filepath.Join(o.DataDir, "processed")
	if err := r.enter(ctx, "clean"); err != nil {
		return nil, err
	}
	cl, err := clean.Run(ctx, o.Spec, clean.Options{RawDir: filepath.Join(o.DataDir, "raw"), OutDir: processed, SplitDate: o.SplitDate, Logger: r.logger})
	if err != nil {
		return nil, err
	}
	if err := r.enter(ctx, "features"); err != nil {
		return nil, err
	}
	meta, err := featurestep.Run(ctx, featurestep.Options{Dir: processed, Logger: r.logger})
	if err != nil {
		return nil, err
	}
	data, err := train.Load(processed)
	if err != nil {
		return nil, err
	}
	reportDir := filepath.Join(o.ArtifactsDir, "reports", r.runID)
	if err := os.MkdirAll(reportDir, 0o755); err != nil {
		return nil, err
	}

	if err := r.enter(ctx, "tune"); err != nil {
		return nil, err
	}
	algos := o.Algorithms
	if algos == nil {
		algos = learners.Names()
	}
	topts := train.Options{ProcessedDir: processed, ModelsDir: o.ModelsDir, Threads: o.Threads, Logger: r.logger}
	params := map[string]any{"algorithms": algos}
	var tuning []report.Tuning
	if o.Tune != nil {
		tuned, results, err := o.Tune(ctx, data, algos, r.progress)
		if err != nil {
			return nil, fmt.Errorf("tune: %w", err)
		}
		topts.Configs = tuned.Configs
		for name, res := range results {
			if err := atomicfile.WriteJSON(filepath.Join(reportDir, "tune_"+name+".json"), res); err != nil {
				return nil, err
			}
		}
		if tuning, err = TuningSummaries(results, algos); err != nil {
			return nil, fmt.Errorf("tune: %w", err)
		}
		params["tuned"] = true
	} else {
		r.progress("tuning skipped: default parameters")
	}

	if err := r.enter(ctx, "train"); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.ModelsDir, 0o755); err != nil {
		return nil, err
	}
	type fitted struct {
		m    *model.Model
		meta *model.Metadata
		base string
		secs float64
	}
	var cands []fitted
	for _, algo := range algos {
		r.progress("      fitting %s on %d rows × %d features", algo, data.Train.X.Rows, data.Train.X.Cols)
		m, mm, secs, err := train.Fit(ctx, data, algo, topts)
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", algo, err)
		}
		for _, w := range train.Warnings(mm) {
			r.progress("      warning: %s: %s", algo, w)
			r.logger.Warn("training finished with a warning", "algorithm", algo, "warning", w)
		}
		cands = append(cands, fitted{m: m, meta: mm, secs: secs})
	}

	if err := r.enter(ctx, "evaluate"); err != nil {
		return nil, err
	}
	segs, err := featurestep.Segments(processed, featurestep.TestFile)
	if err != nil {
		return nil, err
	}
	var rin report.Input
	rin.RunID, rin.Dataset, rin.CreatedAt = r.runID, o.Spec.Name, r.start.UTC()
	rin.Data = dataSummary(cl, meta)
	rin.Selection, rin.Tuning = SelectionRule, tuning
	best := -1
	for i, c := range cands {
		r.progress("      scoring %s on %d test rows, SHAP importance on up to 2,000", c.m.Algorithm, data.Test.X.Rows)
		sc := evaluate.Score(c.m, data.Test, segs, o.Threads)
		rc := report.Candidate{
			Name: c.m.Algorithm, Algorithm: c.m.Algorithm, Threshold: c.m.Threshold, ThresholdRule: c.meta.ThresholdRule,
			Metrics: c.meta.Metrics, Y: data.Test.Y, PD: sc.PD,
			Segments:   sc.Segments,
			Importance: evaluate.Importance(c.m, data.Test.X, 2000),
		}
		rin.Candidates = append(rin.Candidates, rc)
		if best < 0 || c.meta.Metrics["roc_auc"] > cands[best].meta.Metrics["roc_auc"] {
			best = i
		}
	}

	// Save the candidates: each claims the next free version of its name.
	var summary Summary
	summary.RunID = r.runID
	for i := range cands {
		c := &cands[i]
		base, err := model.SaveNext(o.ModelsDir, c.m, c.meta)
		if err != nil {
			return nil, err
		}
		c.base = base
		rin.Candidates[i].Version = c.m.Version
		summary.Candidates = append(summary.Candidates, train.Candidate{
			Algorithm: learn.Algorithm(c.m.Algorithm), Version: c.m.Version, Path: filepath.Join(o.ModelsDir, base+model.Ext), Metrics: c.meta.Metrics, Seconds: c.secs,
		})
	}
	champ := cands[best]
	rin.Candidates[best].Champion = true
	summary.Champion = registry.Ref{Name: champ.m.Name, Version: champ.m.Version}

	if err := r.enter(ctx, "report"); err != nil {
		return nil, err
	}
	html, err := report.Write(ctx, reportDir, &rin)
	if err != nil {
		return nil, err
	}
	summary.Report = html

	if err := r.enter(ctx, "register"); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	err = registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		for _, c := range cands {
			metaFile := model.MetadataName(c.base)
			metaSum, err := atomicfile.SHA256(filepath.Join(o.ModelsDir, metaFile))
			if err != nil {
				return err
			}
			v := registry.Version{
				Name: c.m.Name, Version: c.m.Version, Algorithm: c.m.Algorithm, RunID: r.runID, Created: c.m.CreatedAt,
				File: c.base + model.Ext, SHA256: c.meta.SHA256, Metadata: metaFile, MetadataSHA256: metaSum,
				Metrics: c.meta.Metrics, Params: c.meta.Params,
			}
			if err := reg.Register(v, "trained by run "+r.runID, now); err != nil {
				return err
			}
			run.Candidates = append(run.Candidates, v.Ref())
		}
		ref := summary.Champion
		run.Champion = &ref
		run.DataFingerprint = cl.Output.SHA256
		run.Params = params
		run.Report = html
		return nil
	})
	if err != nil {
		return nil, err
	}

	if err := r.enter(ctx, "promote"); err != nil {
		return nil, err
	}
	if !o.NoPromote {
		reason := o.Reason
		if reason == "" {
			reason = fmt.Sprintf("retrain %s: best test ROC-AUC %.4f", r.runID, champ.meta.Metrics["roc_auc"])
		}
		// The run is marked promoted in the same transaction that moves the
		// alias, so the two never disagree.
		_, err := registry.SetChampion(r.regDir, o.ModelsDir, registry.Champion{
			Pick: func(reg *registry.Registry) (*registry.Version, error) {
				run, err := reg.Run(r.runID)
				if err != nil {
					return nil, err
				}
				run.Promoted = true
				return reg.Version(summary.Champion)
			},
			Action: "promote", Reason: reason,
		}, time.Now().UTC())
		if err != nil {
			return nil, err
		}
		summary.Promoted = true
	} else {
		r.progress("      --no-promote: the champion alias is unchanged")
	}
	summary.Seconds = time.Since(r.start).Seconds()
	end := time.Now().UTC()
	if err := registry.Update(r.regDir, func(reg *registry.Registry) error {
		run, err := reg.Run(r.runID)
		if err != nil {
			return err
		}
		run.Status, run.Ended, run.Promoted, run.Step = registry.RunSucceeded, &end, summary.Promoted, ""
		return nil
	}); err != nil {
		return nil, err
	}
	r.progress("done: champion %s (test ROC-AUC %.4f)%s; report %s", summary.Champion, champ.meta.Metrics["roc_auc"], map[bool]string{true: ", promoted", false: ""}[summary.Promoted], html)
	return &summary, nil
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
