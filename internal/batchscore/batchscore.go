// Package batchscore scores files of raw loan applications with a model:
// every row runs through the model file's own feature pipeline, as the
// scoring API runs an application, and gets one output row with its PD,
// prediction and decision (and a scorecard's score in points), or the
// reason it could not be scored.
package batchscore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"runtime"
	"slices"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/model"
)

// Options say how a file is scored.
type Options struct {
	// IDColumn is copied to the output in front of each row, when the input
	// has a column of that name.
	IDColumn string
	// Reasons is the most adverse-action reasons a declined row gets, as
	// the API's REASONS_MAX; 0 means model.DefaultAdverseReasons.
	Reasons int
	// Shard, when Shards is not zero, scores only shard Shard (0 to
	// Shards−1) of the input's data rows, taken across the input files in
	// order: rows [Shard·n/Shards, (Shard+1)·n/Shards) of n. Every shard's
	// output has the header line, so shard 0's output followed by the
	// others' without theirs is the output of an unsharded run, byte for
	// byte.
	Shard, Shards int
	// Workers is the number of goroutines that parse and score; 0 means
	// runtime.GOMAXPROCS(0). The output does not depend on it.
	Workers int
	// Progress, when not nil, is told how many input bytes and rows are
	// done (see Progress).
	Progress Progress
}

// Progress hears how a run goes. Calls come from one goroutine at a time.
type Progress interface {
	// Start is called as a pass begins: step is "counting rows" for the
	// first pass of a sharded run and "scoring" for the one that scores;
	// bytes is the input it reads (0 when unknown, as for compressed
	// files) and rows the rows it scores (0 when unknown: every row of an
	// unsharded run, and none while counting).
	Start(step string, bytes, rows int64)
	// Done adds what was finished since the last call.
	Done(bytes, rows int64)
}

// ErrShard is an invalid Options.Shard or Shards.
var ErrShard = errors.New("invalid shard")

// shardRange returns the data rows [lo, hi) of shard of shards over n rows.
func shardRange(shard, shards, n int) (lo, hi int) {
	return int(int64(shard) * int64(n) / int64(shards)), int(int64(shard+1) * int64(n) / int64(shards))
}

// ReasonSep separates the codes (and the fields) of a row's adverse-action
// reasons in the output's adverse_action and adverse_action_fields columns.
const ReasonSep = ";"

// Header returns the output's columns after the optional id column; a
// scorecard model's output has score (its points) after
// default_probability.
func Header(scorecard bool) []string {
	h := []string{"default_probability", "prediction", "decision", "model_version", "adverse_action", "adverse_action_fields", "error"}
	if scorecard {
		h = slices.Insert(h, 1, "score")
	}
	return h
}

// Summary counts what a run did.
type Summary struct {
	// Rows is the number of input rows; Scored of them got a PD, the rest
	// an error.
	Rows, Scored int
}

// Decision names a prediction the way the API's status does.
func Decision(pred int) string {
	if pred == 1 {
		return "declined"
	}
	return "approved"
}

// File scores the raw CSV in (plain or gzip; notes and summary lines are
// skipped) with m and writes the scores to out, atomically: a failed run
// leaves no output file. A declined row's adverse_action column lists the
// codes of its principal reasons (Model.AdverseAction, as the API gives
// them), strongest first, separated by ReasonSep, and
// adverse_action_fields the application fields they name, in the same
// order; both are empty for an approved row.
//
// The rows are read, scored and written in chunks by Options.Workers
// goroutines, and written in input order: the output does not depend on
// the number of workers. Each input file's columns are found by its own
// header; the id column is written when the first file with a data row
// has it (empty for a later file without one).
func File(ctx context.Context, m *model.Model, meta *model.Metadata, in, out string, opts Options) (Summary, error) {
	return file(ctx, m, meta, in, out, opts, defaultChunkSize)
}

// file is File with jobs of about chunk bytes.
func file(ctx context.Context, m *model.Model, meta *model.Metadata, in, out string, opts Options, chunk int) (Summary, error) {
	p := m.Pipeline
	if opts.Reasons == 0 {
		opts.Reasons = model.DefaultAdverseReasons
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	srcDir, srcName := filepath.Split(in)
	if srcDir == "" {
		srcDir = "."
	}
	srcs, err := dataset.FindSources(srcDir, []string{srcName})
	if err != nil {
		return Summary{}, err
	}
	// The header is found by the first input the pipeline reads.
	spec := &dataset.Spec{Name: "score", Format: dataset.Format{Delimiter: ","}, Target: dataset.Target{Column: p.Inputs[0].Name}}
	s := &scorer{m: m, version: meta.VersionID(), opts: opts, spec: spec, srcs: srcs, chunk: chunk, lo: 0, hi: math.MaxInt}
	s.total = inputSize(srcs)
	if opts.Shards != 0 {
		if opts.Shards < 0 || opts.Shard < 0 || opts.Shard >= opts.Shards {
			return Summary{}, fmt.Errorf("%w %d of %d", ErrShard, opts.Shard, opts.Shards)
		}
		// A first pass counts the data rows, so each shard knows its range;
		// it notes each chunk's count, so the second pass knows where the
		// shard's rows are without counting again.
		counts, err := s.run(ctx, nil)
		if err != nil {
			return Summary{}, fmt.Errorf("score %s: %w", in, err)
		}
		n := 0
		s.bases, s.counts = make([]int, len(counts)), counts
		for i, c := range counts {
			s.bases[i] = n
			n += c
		}
		s.lo, s.hi = shardRange(opts.Shard, opts.Shards, n)
	}
	err = atomicfile.Write(out, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		if _, err := s.run(ctx, bw); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return s.sum, fmt.Errorf("score %s: %w", in, err)
	}
	return s.sum, nil
}
