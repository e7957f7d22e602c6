package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/batchscore"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/progress"
)

const scoreHelp = `
Usage: credit-risk score --in FILE --out FILE [flags]

Batch-scores raw loan applications (a CSV in the raw layout, e.g. Lending
Club's, plain or .gz; notes and summary lines are skipped) with the
champion model: every row runs through the model file's own feature
pipeline, exactly as the API does. The output CSV has, per input row: the
id column when there is one, default_probability (calibrated PD),
prediction (1 = predicted default at the model's threshold), decision,
model_version (gbdt_v3 for gbdt_v3.model, as the API says),
adverse_action (a declined row's principal reasons, as the API's
adverse_action gives them: their codes, strongest first, separated by ";"),
adverse_action_fields (the application field each reason names, in the
same order), and error (every problem with the row, by field; the row is
not scored).

--shard K/N scores only the K-th of N shards of the input's data rows (K
from 1), taken by row ranges across the input files in order: the outputs
of shards 1 to N, each after the first without its header line, make the
output of an unsharded run byte for byte. --shards N alone takes K from
JOB_COMPLETION_INDEX (0-based), as a Kubernetes Indexed Job sets it (see
deploy/k8s/score-job.yaml).

Rows are parsed and scored on every core, and written in input order.
Progress goes to stderr: on a terminal one line, redrawn, with the rows
done, the share of the input read, the rate and the time left; otherwise
a log line every 10 s.

Reads  --model (default models/production.model) and its metadata; --in
       may be a glob pattern (several files, scored in name order).
Writes --out atomically.

Examples:
  credit-risk score --in applications.csv --out scores.csv
  credit-risk score --in loans.csv.gz --out scores.csv --model models/lr_v2.model
  credit-risk score --in 'portfolio/*.csv' --out scores-2.csv --shard 2/8
`

func runScore(ctx context.Context, m *Main, args []string) error {
	fs := newFlagSet(m, "score", scoreHelp)
	var d dirs
	d.bind(fs, m)
	in := fs.String("in", "", "raw CSV to score (required)")
	out := fs.String("out", "", "output CSV (required)")
	modelPath := fs.String("model", "", "model file (default <models-dir>/production.model)")
	idCol := fs.String("id-column", "id", "column copied to the output to identify rows (skipped when absent)")
	reasons := fs.Int("reasons", model.DefaultAdverseReasons, "most adverse-action reasons of a declined row (as the API's REASONS_MAX)")
	shard := fs.String("shard", "", "score only shard K of N (K/N, K from 1)")
	shards := fs.Int("shards", 0, "score only shard JOB_COMPLETION_INDEX+1 of this many (a Kubernetes Indexed Job)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	opts := batchscore.Options{IDColumn: *idCol, Reasons: *reasons}
	var err error
	if opts.Shard, opts.Shards, err = parseShard(*shard, *shards, m.Getenv("JOB_COMPLETION_INDEX")); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return fmt.Errorf("%w: score needs --in and --out", errUsage)
	}
	if *reasons < 1 || *reasons > 16 {
		return fmt.Errorf("%w: --reasons %d: want 1 to 16", errUsage, *reasons)
	}
	if err := checkWritable(filepath.Dir(*out)); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		return err
	}
	modelSet := *modelPath != ""
	if !modelSet {
		*modelPath = filepath.Join(d.models, "production"+model.Ext)
	}
	if _, err := os.Stat(*modelPath); errors.Is(err, os.ErrNotExist) {
		hint := ""
		if demo, ok := besideDemo(d.models, "production"+model.Ext); ok && !modelSet {
			hint = fmt.Sprintf("; `make demo` made a champion: pass --model %s, or cd %s", filepath.Join(demo, "production"+model.Ext), demoDir)
		}
		//lint:ignore ST1005 the wording is the documented contract shared with the API
		return fmt.Errorf("Model file not found: %s: run `credit-risk retrain` first, or pass --model%s", *modelPath, hint)
	}
	mod, meta, err := model.Load(*modelPath, "")
	if err != nil {
		return err
	}
	rep := progress.New(m.Stderr, m.logger(), progress.Options{Label: "score", Unit: "rows", Terminal: progress.IsTerminal(m.Stderr)})
	opts.Progress = &scoreProgress{r: rep}
	stop := rep.Start(ctx)
	sum, err := batchscore.File(ctx, mod, meta, *in, *out, opts)
	stop()
	if err != nil {
		return err
	}
	part := ""
	if opts.Shards > 0 {
		part = fmt.Sprintf(" (shard %d of %d)", opts.Shard+1, opts.Shards)
	}
	fmt.Fprintf(m.Stdout, "score: %d of %d rows%s scored with %s v%d; %s\n", sum.Scored, sum.Rows, part, mod.Algorithm, mod.Version, *out)
	return nil
}

// parseShard reads --shard K/N (K from 1) or --shards N with the 0-based
// index of a Kubernetes Indexed Job, and returns the 0-based shard and the
// count; 0, 0 scores everything.
func parseShard(shard string, shards int, jobIndex string) (int, int, error) {
	switch {
	case shard != "" && shards != 0:
		return 0, 0, fmt.Errorf("%w: --shard and --shards: give one", errUsage)
	case shard != "":
		k, n, ok := strings.Cut(shard, "/")
		ki, err1 := strconv.Atoi(k)
		ni, err2 := strconv.Atoi(n)
		if !ok || err1 != nil || err2 != nil || ni < 1 || ki < 1 || ki > ni {
			return 0, 0, fmt.Errorf("%w: --shard %s: want K/N with 1 <= K <= N, such as 2/8", errUsage, shard)
		}
		return ki - 1, ni, nil
	case shards != 0:
		i, err := strconv.Atoi(jobIndex)
		if shards < 1 || err != nil || i < 0 || i >= shards {
			return 0, 0, fmt.Errorf("%w: --shards %d needs JOB_COMPLETION_INDEX from 0 to %d (got %q); or use --shard K/N", errUsage, shards, shards-1, jobIndex)
		}
		return i, shards, nil
	}
	return 0, 0, nil
}

// scoreProgress shows a scoring pass on a progress.Reporter: the rows
// scored, with the share done from the bytes read when the row count is
// not known.
type scoreProgress struct {
	r           *progress.Reporter
	bytes, size int64
}

func (p *scoreProgress) Start(step string, bytes, rows int64) {
	p.r.Reset("score: "+step, rows)
	p.bytes, p.size = 0, bytes
}

func (p *scoreProgress) Done(bytes, rows int64) {
	p.bytes += bytes
	if p.size > 0 {
		p.r.SetFraction(float64(p.bytes) / float64(p.size))
	}
	p.r.Add(rows)
}
