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
	"fmt"
	"io"
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
// leaves no output file. The columns are default_probability, prediction,
// decision, model_version and error, after the ID column when there is
// one; a scorecard model adds score (its points) after
// default_probability.
func File(ctx context.Context, m *model.Model, meta *model.Metadata, in, out string, opts Options) (Summary, error) {
	p := m.Pipeline
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
	var sum Summary
	err = atomicfile.Write(out, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		cw := csv.NewWriter(bw)
		var (
			index     []int
			id        int
			raw       = make([]features.Raw, len(p.Inputs))
			row       = p.NewRow()
			x         = make([]float64, p.NumFeatures())
			version   = meta.VersionID()
			scorecard = m.Scorecard != nil
		)
		err := dataset.ForEach(ctx, srcs, spec, func(r *dataset.Reader, rec []string) error {
			if index == nil {
				index = p.HeaderIndex(r.Header())
				id = -1
				if opts.IDColumn != "" {
					id = slices.Index(r.Header(), opts.IDColumn)
				}
				head := []string{"default_probability", "prediction", "decision", "model_version", "error"}
				if scorecard {
					head = slices.Insert(head, 1, "score")
				}
				if id >= 0 {
					head = append([]string{opts.IDColumn}, head...)
				}
				if err := cw.Write(head); err != nil {
					return err
				}
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
				if scorecard {
					line = append(line, "")
				}
				line = append(line, "", "", version, strings.Join(msgs, "; "))
			} else {
				pd := m.PD(x)
				pred := m.Decide(pd)
				line = append(line, strconv.FormatFloat(pd, 'g', -1, 64))
				if score, ok := m.Score(x); ok {
					line = append(line, strconv.Itoa(score))
				}
				line = append(line, strconv.Itoa(pred), Decision(pred), version, "")
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
