package batchscore

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/serve/servetest"
)

// writeApplications writes n test applications as a raw CSV, the last one
// with an unreadable interest rate.
func writeApplications(t *testing.T, path string, n int) []map[string]any {
	t.Helper()
	inputs := servetest.Inputs()
	head := []string{"id"}
	for _, in := range inputs {
		head = append(head, in.Name)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := csv.NewWriter(f)
	w.Write(head)
	var apps []map[string]any
	for i := range n {
		app := servetest.Application(i)
		if i == n-1 {
			app["int_rate"] = "ten percent"
		}
		apps = append(apps, app)
		rec := make([]string, len(head))
		for j, name := range head {
			if v, ok := app[name]; ok {
				rec[j] = v.(string)
			}
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	return apps
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{Trees: 30, Depth: 4, Train: true}) // declines some
	in, out := filepath.Join(dir, "apps.csv"), filepath.Join(dir, "scores.csv")
	apps := writeApplications(t, in, 25)

	sum, err := File(t.Context(), m, meta, in, out, Options{IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Rows != 25 || sum.Scored != 24 {
		t.Errorf("summary %+v, want 25 rows, 24 scored", sum)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "default_probability", "prediction", "decision", "model_version", "adverse_action", "adverse_action_fields", "error"}
	if len(recs) != 26 || !slices.Equal(recs[0], want) {
		t.Fatalf("got %d lines, header %q; want 26 lines and %q", len(recs), recs[0], want)
	}
	p := m.Pipeline
	row, x := p.NewRow(), make([]float64, p.NumFeatures())
	dirs := make([]features.Direction, len(p.Inputs))
	declined := 0
	for i, app := range apps[:24] {
		raw := make([]features.Raw, len(p.Inputs))
		for j, input := range p.Inputs {
			if v, ok := app[input.Name]; ok {
				raw[j] = features.RawString(v.(string))
			}
		}
		if errs := p.Transform(raw, row, x); len(errs) > 0 {
			t.Fatalf("application %d: %v", i, errs)
		}
		pd := m.PD(x)
		rec := recs[i+1]
		got, err := strconv.ParseFloat(rec[1], 64)
		if err != nil || got != pd {
			t.Errorf("row %d: PD %q, want %v", i, rec[1], pd)
		}
		pred := m.Decide(pd)
		if rec[0] != app["id"] || rec[2] != strconv.Itoa(pred) || rec[3] != Decision(pred) || rec[4] != meta.VersionID() || rec[7] != "" {
			t.Errorf("row %d: %q", i, rec)
		}
		var codes, fields []string
		if pred == 1 {
			declined++
			p.Directions(row, dirs)
			for _, r := range m.AdverseAction(make([]float64, p.NumFeatures()), x, dirs, 4) {
				codes, fields = append(codes, r.Code), append(fields, r.Field)
			}
			if len(codes) == 0 {
				t.Errorf("row %d: declined without reasons", i)
			}
		}
		if rec[5] != strings.Join(codes, ReasonSep) || rec[6] != strings.Join(fields, ReasonSep) {
			t.Errorf("row %d: adverse action %q, fields %q; want %q, %q", i, rec[5], rec[6], codes, fields)
		}
	}
	if declined == 0 {
		t.Error("no row declined: the reasons are not checked")
	}
	last := recs[25]
	if last[1] != "" || last[2] != "" || last[5] != "" || last[7] == "" {
		t.Errorf("the unreadable row was scored or has no error: %q", last)
	}
}

func TestFileLeavesNothingOnFailure(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{})
	out := filepath.Join(dir, "scores.csv")
	if _, err := File(t.Context(), m, meta, filepath.Join(dir, "missing.csv"), out, Options{}); err == nil {
		t.Fatal("no error for a missing input")
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("output after a failed run: %v", err)
	}
}

func TestDecision(t *testing.T) {
	if Decision(1) != "declined" || Decision(0) != "approved" {
		t.Errorf("Decision(1) = %q, Decision(0) = %q", Decision(1), Decision(0))
	}
}

// TestFileScorecard scores with a scorecard: a score column follows the
// PD, with the model's points for every scored row and an empty cell for
// the row that could not be scored.
func TestFileScorecard(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{Scorecard: true})
	in, out := filepath.Join(dir, "apps.csv"), filepath.Join(dir, "scores.csv")
	apps := writeApplications(t, in, 12)
	if _, err := File(t.Context(), m, meta, in, out, Options{IDColumn: "id"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"id", "default_probability", "score", "prediction", "decision", "model_version", "adverse_action", "adverse_action_fields", "error"}
	if !slices.Equal(recs[0], want) {
		t.Fatalf("header %q; want %q", recs[0], want)
	}
	p := m.Pipeline
	row, x := p.NewRow(), make([]float64, p.NumFeatures())
	for i, app := range apps[:11] {
		raw := make([]features.Raw, len(p.Inputs))
		for j, input := range p.Inputs {
			if v, ok := app[input.Name]; ok {
				raw[j] = features.RawString(v.(string))
			}
		}
		if errs := p.Transform(raw, row, x); len(errs) > 0 {
			t.Fatalf("application %d: %v", i, errs)
		}
		score, _ := m.Score(x)
		if rec := recs[i+1]; rec[2] != strconv.Itoa(score) || rec[1] != strconv.FormatFloat(m.PD(x), 'g', -1, 64) {
			t.Errorf("row %d: %q; want PD %v, score %d", i, rec, m.PD(x), score)
		}
	}
	if last := recs[12]; len(last) != len(want) || last[2] != "" || last[8] == "" {
		t.Errorf("the unreadable row: %q", last)
	}
}

// TestFileShards scores one file whole and in shards, across two input
// files: shard 0's output followed by the others' without their header
// lines is the whole run's output, byte for byte, for any shard count
// (more shards than rows too).
func TestFileShards(t *testing.T) {
	dir := t.TempDir()
	m, meta := servetest.Build(t, servetest.Options{Trees: 10, Depth: 3})
	writeApplications(t, filepath.Join(dir, "apps-1.csv"), 23)
	writeApplications(t, filepath.Join(dir, "apps-2.csv"), 18)
	in := filepath.Join(dir, "apps-*.csv")
	whole := filepath.Join(dir, "whole.csv")
	sum, err := File(t.Context(), m, meta, in, whole, Options{IDColumn: "id"})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(whole)
	if sum.Rows != 41 {
		t.Fatalf("whole run: %d rows; want 41", sum.Rows)
	}
	for _, shards := range []int{1, 2, 3, 7, 50} {
		var joined []byte
		rows := 0
		for k := range shards {
			out := filepath.Join(dir, fmt.Sprintf("part-%d-%d.csv", shards, k))
			s, err := File(t.Context(), m, meta, in, out, Options{IDColumn: "id", Shard: k, Shards: shards})
			if err != nil {
				t.Fatal(err)
			}
			rows += s.Rows
			b, _ := os.ReadFile(out)
			if k > 0 {
				_, b, _ = bytes.Cut(b, []byte("\n")) // its header line
			}
			joined = append(joined, b...)
		}
		if rows != 41 || !bytes.Equal(joined, want) {
			t.Errorf("%d shards: %d rows, joined output equal %v; want 41 rows, equal", shards, rows, bytes.Equal(joined, want))
		}
	}
	for _, bad := range []Options{{Shard: 3, Shards: 3}, {Shard: -1, Shards: 2}, {Shard: 0, Shards: -2}} {
		if _, err := File(t.Context(), m, meta, in, filepath.Join(dir, "bad.csv"), bad); !errors.Is(err, ErrShard) {
			t.Errorf("shard %d of %d: %v; want ErrShard", bad.Shard, bad.Shards, err)
		}
	}
}
