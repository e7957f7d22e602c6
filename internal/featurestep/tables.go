package featurestep

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/split"
)

// File names the step writes in the processed folder.
const (
	TrainFile    = "train.parquet"
	TestFile     = "test.parquet"
	PipelineFile = "pipeline.json"
	MetaFile     = "features.json"
	// TargetColumn is the label column of the feature tables (1 = bad).
	TargetColumn = "target"
)

// Options configure the features step.
type Options struct {
	// Dir is the processed folder: clean's output is read from it and the
	// tables are written to it.
	Dir string
	// SplitDate, when non-zero, must equal the split the cleaning step
	// learned on (days since 1970-01-01).
	SplitDate float64
	// ExportDir, when set, also receives train.csv and test.csv: numeric
	// columns only, the target, empty cells for missing values.
	ExportDir string
	// SpecName, when set, must be the name of the spec clean used.
	SpecName string
	Logger   *slog.Logger
}

// Meta describes the feature tables.
type Meta struct {
	Dataset      string         `json:"dataset"`
	CreatedAt    time.Time      `json:"created_at"`
	Split        clean.SplitLog `json:"split"`
	DateColumn   string         `json:"date_column,omitempty"`
	TrainRows    int            `json:"train_rows"`
	TestRows     int            `json:"test_rows"`
	TrainBadRate float64        `json:"train_bad_rate"`
	TestBadRate  float64        `json:"test_bad_rate"`
	Features     []FeatureMeta  `json:"features"`
	CleanTable   string         `json:"clean_table_sha256"`
	Segments     []string       `json:"segments,omitempty"`
	Costs        *dataset.Costs `json:"costs,omitempty"`
	// Scorecard is the spec's points scaling for the scorecard learner.
	Scorecard *dataset.Scorecard   `json:"scorecard,omitempty"`
	Leakage   []fit.LeakageFinding `json:"single_feature_auc"`
}

// FeatureMeta describes one model column.
type FeatureMeta struct {
	Name     string               `json:"name"`
	Kind     features.FeatureKind `json:"kind"`
	Source   string               `json:"source"`
	Monotone int                  `json:"monotone,omitempty"`
	Missing  float64              `json:"missing_share_train"`
	Min      float64              `json:"min_train"`
	Max      float64              `json:"max_train"`
	Mean     float64              `json:"mean_train"`
}

// Run builds the feature tables from the cleaned table in opts.Dir.
func Run(ctx context.Context, opts Options) (*Meta, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cl, err := clean.ReadLog(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	spec := cl.Spec
	if opts.SpecName != "" && opts.SpecName != spec.Name {
		return nil, fmt.Errorf("features: the cleaned table was made with spec %q, not %q: run `credit-risk clean` with that spec first", spec.Name, opts.SpecName)
	}
	table, err := parquetfile.ReadFile(filepath.Join(opts.Dir, cl.Output.Path))
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	labelsCol := table.Col(spec.Target.Column)
	if labelsCol == nil {
		return nil, fmt.Errorf("features: cleaned table has no target column %q: run `credit-risk clean` again", spec.Target.Column)
	}
	labels := labelsCol.Num
	var dates []float64
	dateName := ""
	if spec.Date != nil {
		dateName = spec.Date.Column
		dates = table.Col(dateName).Num
	}
	isTest, err := readSplit(opts.Dir, cl, table.Rows(), opts.SplitDate)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cfg := fit.Config{
		Dataset:   spec.Name,
		DateInput: dateName,
		Inputs:    cl.Inputs,
		Encoding: fit.Encoding{
			MaxOneHot: spec.Encoding.MaxOneHot, MinLevelShare: spec.Encoding.MinLevelShare, Smoothing: spec.Encoding.Smoothing,
		},
	}
	have := map[string]bool{}
	for _, in := range cl.Inputs {
		have[in.Name] = true
	}
	for _, d := range spec.Derived {
		var missing []string
		for _, a := range d.Args {
			if !have[a] {
				missing = append(missing, a)
			}
		}
		if len(missing) > 0 {
			logger.Warn("derived feature skipped: its inputs were dropped by cleaning", "feature", d.Name, "missing", missing)
			continue
		}
		cfg.Derived = append(cfg.Derived, features.Derived{Name: d.Name, Op: d.Op, Args: d.Args, Scale: d.Scale})
		cfg.DerivedMonotone = append(cfg.DerivedMonotone, d.Monotone)
	}
	train := make([]bool, len(isTest))
	for i, t := range isTest {
		train[i] = !t
	}
	p, err := fit.Pipeline(cfg, table, labels, train)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	X, err := EncodeFrame(p, table)
	if err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	trainIdx, testIdx := OrderedRows(isTest, dates)
	Xtr, Xte := X.SelectRows(trainIdx), X.SelectRows(testIdx)
	ytr, yte := pick(labels, trainIdx), pick(labels, testIdx)

	meta := &Meta{
		Dataset: spec.Name, CreatedAt: time.Now().UTC(), Split: cl.Split, DateColumn: dateName,
		TrainRows: len(trainIdx), TestRows: len(testIdx), TrainBadRate: mean(ytr), TestBadRate: mean(yte),
		CleanTable: cl.Output.SHA256, Segments: spec.Segments, Costs: spec.Costs,
		Scorecard: spec.Scorecard,
	}
	if meta.Leakage, err = fit.CheckLeakage(p.FeatureNames(), Xtr, ytr); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	meta.Features = describe(p, Xtr)

	var trDates, teDates []float64
	if dates != nil {
		trDates, teDates = pick(dates, trainIdx), pick(dates, testIdx)
	}
	segs := segmentColumns(table, spec.Segments)
	if err := writeTable(filepath.Join(opts.Dir, TrainFile), p, Xtr, ytr, dateName, trDates, segs, trainIdx); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if err := writeTable(filepath.Join(opts.Dir, TestFile), p, Xte, yte, dateName, teDates, segs, testIdx); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if err := atomicfile.WriteJSON(filepath.Join(opts.Dir, PipelineFile), p); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	if opts.ExportDir != "" {
		if err := os.MkdirAll(opts.ExportDir, 0o755); err != nil {
			return nil, fmt.Errorf("features: export: %w", err)
		}
		if err := WriteCSV(filepath.Join(opts.ExportDir, "train.csv"), p.FeatureNames(), Xtr, ytr); err != nil {
			return nil, fmt.Errorf("features: export: %w", err)
		}
		if err := WriteCSV(filepath.Join(opts.ExportDir, "test.csv"), p.FeatureNames(), Xte, yte); err != nil {
			return nil, fmt.Errorf("features: export: %w", err)
		}
	}
	// The metadata goes last: its presence says the step finished.
	if err := atomicfile.WriteJSON(filepath.Join(opts.Dir, MetaFile), meta); err != nil {
		return nil, fmt.Errorf("features: %w", err)
	}
	logger.Info("features written", "train_rows", meta.TrainRows, "test_rows", meta.TestRows, "features", len(meta.Features))
	return meta, nil
}

// readSplit reads the split the clean step decided (split.FileName in dir)
// and checks that it divides the cleaned table at hand, agrees with the
// clean log, and is the split asked for (want, days since 1970-01-01; zero
// for any).
func readSplit(dir string, cl *clean.Log, rows int, want float64) ([]bool, error) {
	path := filepath.Join(dir, split.FileName)
	a, err := split.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: run `credit-risk clean` again", err)
	}
	if err := a.Match(cl.Output.Path, cl.Output.SHA256, rows); err != nil {
		var fe *split.FileError
		if errors.As(err, &fe) {
			fe.Path = path
		}
		return nil, fmt.Errorf("%w: run `credit-risk clean` again", err)
	}
	s := cl.Split
	train, test := a.Counts()
	if a.Kind != s.Kind || a.Date != s.Date || a.Seed != s.Seed || train != s.TrainRows || test != s.TestRows {
		err := &split.FileError{Path: path, Check: "clean_log", Err: fmt.Errorf("%s split at %q with seed %d, %d train and %d test rows; the clean log says %s at %q with seed %d, %d and %d",
			a.Kind, a.Date, a.Seed, train, test, s.Kind, s.Date, s.Seed, s.TrainRows, s.TestRows)}
		return nil, fmt.Errorf("%w: run `credit-risk clean` again", err)
	}
	switch a.Kind {
	case split.KindOutOfTime:
		cut, err := split.ParseDay(a.Date)
		if err != nil {
			return nil, err
		}
		if want != 0 && want != cut {
			return nil, fmt.Errorf("--split-date %s differs from the split the cleaning step learned its imputation on (%s): run `credit-risk clean --split-date %s` first",
				split.FormatDay(want), a.Date, split.FormatDay(want))
		}
	case split.KindStratified:
		if want != 0 {
			return nil, fmt.Errorf("--split-date needs a date column; this data set is split at random")
		}
	}
	return a.Test, nil
}

// OrderedRows returns the train and test row indices of a cleaned table
// in the order the feature tables hold them: each sorted by date
// (stable) when there are dates.
func OrderedRows(isTest []bool, dates []float64) (train, test []int) {
	for i, t := range isTest {
		if t {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	if dates != nil {
		byDate := func(idx []int) {
			sort.SliceStable(idx, func(a, b int) bool { return dates[idx[a]] < dates[idx[b]] })
		}
		byDate(train)
		byDate(test)
	}
	return train, test
}

func pick(v []float64, idx []int) []float64 {
	out := make([]float64, len(idx))
	for k, i := range idx {
		out[k] = v[i]
	}
	return out
}

func mean(v []float64) float64 {
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func describe(p *features.Pipeline, X *matrix.Dense) []FeatureMeta {
	out := make([]FeatureMeta, len(p.Features))
	for j, f := range p.Features {
		fm := FeatureMeta{Name: f.Name, Kind: f.Kind, Source: f.Source, Monotone: f.Monotone, Min: math.Inf(1), Max: math.Inf(-1)}
		var n, miss int
		var sum float64
		for i := 0; i < X.Rows; i++ {
			v := X.At(i, j)
			if math.IsNaN(v) {
				miss++
				continue
			}
			n++
			sum += v
			fm.Min, fm.Max = min(fm.Min, v), max(fm.Max, v)
		}
		if n == 0 {
			fm.Min, fm.Max = 0, 0
		} else {
			fm.Mean = sum / float64(n)
		}
		fm.Missing = float64(miss) / float64(max(X.Rows, 1))
		out[j] = fm
	}
	return out
}

// SegmentPrefix starts the names of the segment columns of the feature
// tables: the cleaned value of each of the spec's segment columns, as text,
// kept for per-segment evaluation.
const SegmentPrefix = "segment:"

// segmentColumns returns the spec's segment columns of the cleaned table as
// categorical columns (numbers written as text).
func segmentColumns(t *frame.Frame, names []string) []*frame.Column {
	var out []*frame.Column
	for _, name := range names {
		c := t.Col(name)
		if c == nil {
			continue
		}
		if c.Kind == frame.Categorical {
			out = append(out, c)
			continue
		}
		sc := &frame.Column{Name: name, Kind: frame.Categorical, Codes: make([]int32, len(c.Num))}
		idx := map[string]int32{}
		for i, v := range c.Num {
			if math.IsNaN(v) {
				sc.Codes[i] = -1
				continue
			}
			s := strconv.FormatFloat(v, 'g', -1, 64)
			code, ok := idx[s]
			if !ok {
				code = int32(len(sc.Levels))
				sc.Levels = append(sc.Levels, s)
				idx[s] = code
			}
			sc.Codes[i] = code
		}
		out = append(out, sc)
	}
	return out
}

func writeTable(path string, p *features.Pipeline, X *matrix.Dense, y []float64, dateName string, dates []float64, segs []*frame.Column, rows []int) error {
	f := &frame.Frame{}
	f.Columns = append(f.Columns, &frame.Column{Name: TargetColumn, Kind: frame.Numeric, Num: y})
	if dates != nil {
		f.Columns = append(f.Columns, &frame.Column{Name: dateName, Kind: frame.Date, Num: dates})
	}
	for _, c := range segs {
		codes := make([]int32, len(rows))
		for k, i := range rows {
			codes[k] = c.Codes[i]
		}
		f.Columns = append(f.Columns, &frame.Column{Name: SegmentPrefix + c.Name, Kind: frame.Categorical, Codes: codes, Levels: c.Levels})
	}
	for j, name := range p.FeatureNames() {
		f.Columns = append(f.Columns, &frame.Column{Name: name, Kind: frame.Numeric, Num: X.Column(nil, j)})
	}
	return parquetfile.WriteFile(path, f)
}

// ReadPipeline reads and initialises the pipeline the step wrote in dir.
func ReadPipeline(dir string) (*features.Pipeline, error) {
	data, err := os.ReadFile(filepath.Join(dir, PipelineFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: run `credit-risk features` first", err)
		}
		return nil, err
	}
	var p features.Pipeline
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: %w", PipelineFile, err)
	}
	if err := p.Init(); err != nil {
		return nil, fmt.Errorf("%s: %w", PipelineFile, err)
	}
	return &p, nil
}

// WriteCSV writes a numeric table with a target column: the header, then
// one row per loan, empty cells for missing values, shortest round-trip
// number formatting.
func WriteCSV(path string, names []string, X *matrix.Dense, y []float64) error {
	return atomicfile.Write(path, 0o644, func(w io.Writer) error {
		bw := bufio.NewWriterSize(w, 1<<20)
		var buf []byte
		for _, n := range names {
			buf = appendCSVField(buf, n)
			buf = append(buf, ',')
		}
		buf = append(buf, TargetColumn...)
		buf = append(buf, '\n')
		for i := 0; i < X.Rows; i++ {
			for _, v := range X.Row(i) {
				if !math.IsNaN(v) {
					buf = strconv.AppendFloat(buf, v, 'g', -1, 64)
				}
				buf = append(buf, ',')
			}
			buf = strconv.AppendFloat(buf, y[i], 'g', -1, 64)
			buf = append(buf, '\n')
			if len(buf) > 1<<16 {
				if _, err := bw.Write(buf); err != nil {
					return err
				}
				buf = buf[:0]
			}
		}
		if _, err := bw.Write(buf); err != nil {
			return err
		}
		return bw.Flush()
	})
}

func appendCSVField(buf []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\n\r") {
		return append(buf, s...)
	}
	buf = append(buf, '"')
	buf = append(buf, strings.ReplaceAll(s, `"`, `""`)...)
	return append(buf, '"')
}

// ReadMeta reads the metadata the step wrote in dir.
func ReadMeta(dir string) (*Meta, error) {
	data, err := os.ReadFile(filepath.Join(dir, MetaFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: run `credit-risk features` first", err)
		}
		return nil, err
	}
	var m Meta
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", MetaFile, err)
	}
	return &m, nil
}

// Matrix extracts the named feature columns and the target of a feature
// table.
func Matrix(f *frame.Frame, names []string) (*matrix.Dense, []float64, error) {
	t := f.Col(TargetColumn)
	if t == nil || t.Kind != frame.Numeric {
		return nil, nil, fmt.Errorf("no numeric %q column", TargetColumn)
	}
	X := matrix.New(f.Rows(), len(names))
	for j, name := range names {
		c := f.Col(name)
		if c == nil || c.Kind != frame.Numeric {
			return nil, nil, fmt.Errorf("no numeric feature column %q: run `credit-risk features` again", name)
		}
		for i, v := range c.Num {
			X.Data[i*X.Cols+j] = v
		}
	}
	return X, t.Num, nil
}

// Segments reads the segment columns of a feature table in dir (names
// without the prefix), in the table's order.
func Segments(dir, file string) ([]*frame.Column, error) {
	f, err := parquetfile.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, err
	}
	var out []*frame.Column
	for _, c := range f.Columns {
		if name, ok := strings.CutPrefix(c.Name, SegmentPrefix); ok && c.Kind == frame.Categorical {
			c.Name = name
			out = append(out, c)
		}
	}
	return out, nil
}
