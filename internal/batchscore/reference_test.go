package batchscore

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// referenceFile is File as it was before it read in parallel chunks: one
// record at a time through dataset.ForEach and csv.Writer. The tests check
// that File writes the same bytes and fails with the same errors.
func referenceFile(ctx context.Context, m *model.Model, meta *model.Metadata, in, out string, opts Options) (Summary, error) {
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

// rawVariants returns raw files that exercise the reader: quoted fields
// with commas, quotes and line breaks, CRLF lines, blank lines, notes and
// summary lines, and malformed rows; each is derived from a clean file of
// applications.
func rawVariants(t *testing.T, clean string) map[string]string {
	t.Helper()
	lines := strings.SplitAfter(strings.TrimSuffix(clean, "\n"), "\n")
	head, rows := lines[0], lines[1:]
	join := func(rs []string) string { return strings.Join(rs, "") }
	quoted := slices.Clone(rows)
	for i := range quoted {
		switch i % 4 {
		case 1:
			quoted[i] = `"id, ` + strconv.Itoa(i) + `"` + quoted[i][strings.IndexByte(quoted[i], ','):]
		case 2:
			quoted[i] = `"say ""` + strconv.Itoa(i) + `""` + "\nnext line\"" + quoted[i][strings.IndexByte(quoted[i], ','):]
		case 3:
			quoted[i] = strings.Replace(quoted[i], ",", `,"`, 3)
		}
	}
	crlf := strings.ReplaceAll(clean, "\n", "\r\n")
	blank := head + "\n" + join(rows[:3]) + "\n\r\n" + join(rows[3:])
	notes := "Notes offered by Prospectus\n" + head + join(rows) + "Total amount funded: 1\nTotal 2\n"
	short := head + join(rows[:4]) + "a,b\n" + join(rows[4:])
	wide := head + join(rows[:5]) + strings.TrimSuffix(rows[5], "\n") + ",extra\n" + join(rows[6:])
	noTrail := strings.TrimSuffix(clean, "\n")
	return map[string]string{
		"clean": clean, "quoted": head + join(quoted), "crlf": crlf, "blank lines": blank,
		"notes and summary": notes, "short line inside": short, "wide line": wide,
		"no final newline": noTrail, "header only": head, "empty": "",
	}
}

// TestFileBlankLines checks that a file of blank lines is an error.
// (dataset.NewReader panics on it, so referenceFile cannot run.)
func TestFileBlankLines(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{})
	in := filepath.Join(dir, "blank.csv")
	if err := os.WriteFile(in, []byte("\n\r\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := File(t.Context(), m, meta, in, filepath.Join(dir, "out.csv"), Options{})
	if !errors.Is(err, dataset.ErrNoData) {
		t.Errorf("got %v; want dataset.ErrNoData", err)
	}
}

// TestFileMatchesReference checks File against referenceFile on the raw
// variants, whole and in shards, with chunks of many sizes and any number
// of workers: the same output bytes, or the same error.
func TestFileMatchesReference(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{Trees: 20, Depth: 4, Train: true})
	src := filepath.Join(dir, "clean.csv")
	writeApplications(t, src, 40)
	clean, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range rawVariants(t, string(clean)) {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "in.csv")
			if err := os.WriteFile(in, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, opts := range []Options{{IDColumn: "id"}, {}, {IDColumn: "id", Shard: 1, Shards: 3}, {IDColumn: "id", Shard: 0, Shards: 2}} {
				wantOut := filepath.Join(t.TempDir(), "want.csv")
				wantSum, wantErr := referenceFile(t.Context(), m, meta, in, wantOut, opts)
				want, _ := os.ReadFile(wantOut)
				for _, chunk := range []int{defaultChunkSize, 300, 64, 1} {
					for _, workers := range []int{1, 3} {
						o := opts
						o.Workers = workers
						out := filepath.Join(t.TempDir(), "got.csv")
						sum, err := file(t.Context(), m, meta, in, out, o, chunk)
						got, _ := os.ReadFile(out)
						if e, w := strings.ReplaceAll(fmt.Sprint(err), out, "OUT"), strings.ReplaceAll(fmt.Sprint(wantErr), wantOut, "OUT"); e != w {
							t.Fatalf("%+v, chunk %d: error %v; want %v", o, chunk, err, wantErr)
						}
						if err == nil && (sum != wantSum || string(got) != string(want)) {
							t.Fatalf("%+v, chunk %d: %+v and\n%s\nwant %+v and\n%s", o, chunk, sum, got, wantSum, want)
						}
					}
				}
			}
		})
	}
}
