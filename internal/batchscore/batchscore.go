// Package batchscore scores files of raw loan applications with a model:
// every row runs through the model file's own feature pipeline, as the
// scoring API runs an application, and gets one output row with its PD,
// prediction and decision (and a scorecard's score in points), or the
// reason it could not be scored.
package batchscore

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
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
func File(ctx context.Context, m *model.Model, meta *model.Metadata, in, out string, opts Options) (Summary, error) {
	p := m.Pipeline
	if opts.Reasons == 0 {
		opts.Reasons = model.DefaultAdverseReasons
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
	lo, hi := 0, math.MaxInt
	if opts.Shards != 0 {
		if opts.Shards < 0 || opts.Shard < 0 || opts.Shard >= opts.Shards {
			return Summary{}, fmt.Errorf("%w %d of %d", ErrShard, opts.Shard, opts.Shards)
		}
		// A first pass counts the data rows, so each shard knows its range.
		n := 0
		if err := dataset.ForEach(ctx, srcs, spec, func(*dataset.Reader, []string) error { n++; return nil }); err != nil {
			return Summary{}, fmt.Errorf("score %s: %w", in, err)
		}
		lo, hi = shardRange(opts.Shard, opts.Shards, n)
	}
	var sum Summary
	err = atomicfile.Write(out, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		cw := csv.NewWriter(bw)
		var (
			index   []int
			id      int
			raw     = make([]features.Raw, len(p.Inputs))
			row     = p.NewRow()
			x       = make([]float64, p.NumFeatures())
			phi     = make([]float64, p.NumFeatures())
			dirs    = make([]features.Direction, len(p.Inputs))
			version = meta.VersionID()
			dataRow int // the data row's position across the input files
		)
		err := dataset.ForEach(ctx, srcs, spec, func(r *dataset.Reader, rec []string) error {
			if index == nil {
				index = p.HeaderIndex(r.Header())
				id = -1
				if opts.IDColumn != "" {
					id = slices.Index(r.Header(), opts.IDColumn)
				}
				head := Header(m.Scorecard != nil)
				if id >= 0 {
					head = append([]string{opts.IDColumn}, head...)
				}
				if err := cw.Write(head); err != nil {
					return err
				}
			}
			at := dataRow
			dataRow++
			if at < lo || at >= hi {
				return nil // another shard's row
			}
			sum.Rows++
			p.RawFromStrings(index, rec, raw)
			var line []string
			if id >= 0 {
				line = append(line, rec[id])
			}
			if errs := p.Transform(raw, row, x); len(errs) > 0 {
				msgs := make([]string, len(errs))
				for i, e := range errs {
					msgs[i] = e.Error()
				}
				line = append(line, "")
				if m.Scorecard != nil {
					line = append(line, "")
				}
				line = append(line, "", "", version, "", "", strings.Join(msgs, "; "))
			} else {
				pd := m.PD(x)
				pred := m.Decide(pd)
				var codes, fields []string
				if pred == 1 {
					p.Directions(row, dirs)
					for _, r := range m.AdverseAction(phi, x, dirs, opts.Reasons) {
						codes, fields = append(codes, r.Code), append(fields, r.Field)
					}
				}
				line = append(line, strconv.FormatFloat(pd, 'g', -1, 64))
				if score, ok := m.Score(x); ok {
					line = append(line, strconv.Itoa(score))
				}
				line = append(line, strconv.Itoa(pred), Decision(pred), version,
					strings.Join(codes, ReasonSep), strings.Join(fields, ReasonSep), "")
				sum.Scored++
			}
			return cw.Write(line)
		})
		if err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		return sum, fmt.Errorf("score %s: %w", in, err)
	}
	return sum, nil
}
