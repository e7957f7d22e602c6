package clean

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/split"
	"github.com/credit-risk/credit-risk/internal/value"
)

// File names the step writes in the processed folder.
const (
	TableFile = "clean.parquet"
	LogFile   = "clean_log.json"
)

// ErrTarget is wrapped when a target value is not listed in the spec.
var ErrTarget = errors.New("unknown target value")

// Options configure a cleaning run.
type Options struct {
	// RawDir holds the raw files (data/raw).
	RawDir string
	// OutDir receives the cleaned table and its log (data/processed).
	OutDir string
	// SplitDate, when non-zero, is the first day of the test period (days
	// since 1970-01-01); zero means the spec's default split.
	SplitDate float64
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
}

// Run cleans the raw data of spec and writes TableFile, the split it was
// cleaned with (split.FileName) and LogFile, last, into opts.OutDir. It
// returns the log it wrote.
func Run(ctx context.Context, spec *dataset.Spec, opts Options) (*Log, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	res, err := Analyze(ctx, spec, opts)
	if err != nil {
		return nil, err
	}
	l, f := res.Log, res.Table
	if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	tablePath := filepath.Join(opts.OutDir, TableFile)
	if err := parquetfile.WriteFile(tablePath, f); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	sum, err := atomicfile.SHA256(tablePath)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	l.Output = OutputLog{Path: TableFile, SHA256: sum, Rows: f.Rows(), Columns: len(f.Columns)}
	sa := res.Split
	sa.Table, sa.TableSHA256 = TableFile, sum
	if err := split.WriteFile(filepath.Join(opts.OutDir, split.FileName), sa); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	l.StartedAt = start.UTC()
	l.Seconds = time.Since(start).Seconds()
	if err := atomicfile.WriteJSON(filepath.Join(opts.OutDir, LogFile), l); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	logger.Info("cleaned", "rows", f.Rows(), "columns", len(f.Columns), "table", tablePath, "seconds", l.Seconds)
	return l, nil
}

// Result is a cleaning run held in memory.
type Result struct {
	Log *Log
	// Table is the cleaned table: the target (0/1), the date column when
	// the spec has one, then each input and its indicator column.
	Table *frame.Frame
	// Test marks the rows of the test period: Split.Test.
	Test []bool
	// Split is the train/test split the cleaning rules were learned on.
	Split *split.Assignment
}

// Analyze does everything Run does but write: it streams the raw files,
// learns the cleaning rules and returns the cleaned table in memory.
func Analyze(ctx context.Context, spec *dataset.Spec, opts Options) (*Result, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	sources, err := dataset.FindSources(opts.RawDir, spec.Files)
	if err != nil {
		return nil, err
	}
	st := newState(spec)
	for _, src := range sources {
		if err := st.readSource(ctx, src, logger); err != nil {
			return nil, err
		}
	}
	if st.rows == 0 {
		return nil, fmt.Errorf("clean: %w: no labelled rows in %s (every target value was excluded?)", dataset.ErrNoData, opts.RawDir)
	}
	sa, splitLog, err := st.split(opts.SplitDate)
	if err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	st.log.Split = splitLog
	inputs := st.learn(sa.Test)
	if len(inputs) == 0 || (len(inputs) == 1 && st.dateInput != nil) {
		return nil, fmt.Errorf("clean: every column was dropped; nothing is left to learn from (see the spec's columns and cleaning.max_missing)")
	}
	f := st.apply(inputs)
	st.log.Inputs = inputs
	return &Result{Log: st.log, Table: f, Test: sa.Test, Split: sa}, nil
}

// notCleanedError is a file the clean step writes that is not there: it
// names the file once and the step to run, and wraps os.ErrNotExist.
type notCleanedError struct{ path string }

func (e *notCleanedError) Error() string {
	return e.path + " not found: run `credit-risk clean` first"
}

func (e *notCleanedError) Unwrap() error { return os.ErrNotExist }

// ReadLog reads the log a previous Run wrote in dir and checks that the
// cleaned table beside it is the one the log describes.
func ReadLog(dir string) (*Log, error) {
	path := filepath.Join(dir, LogFile)
	l, err := readJSON[Log](path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &notCleanedError{path}
		}
		return nil, err
	}
	table := filepath.Join(dir, l.Output.Path)
	sum, err := atomicfile.SHA256(table)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &notCleanedError{table}
		}
		return nil, err
	}
	if sum != l.Output.SHA256 {
		return nil, fmt.Errorf("%s does not match %s (sha256 %s, log says %s): run `credit-risk clean` again", l.Output.Path, path, sum[:12], l.Output.SHA256[:12])
	}
	return l, nil
}

// column accumulates one kept raw column while the files stream.
type column struct {
	in       features.Input
	role     dataset.Role
	inferred bool // type inferred from the data
	freeText bool // inferred categorical with too many levels: dropped
	maxCats  int

	num      []float64 // numeric, date
	codes    []int32   // categorical, ordinal
	levels   []string
	levelIdx map[string]int32

	pending    int // leading rows not yet appended (all missing), for lazy allocation
	outOfRange int

	// special holds, per row, the position plus one in in.Special of the
	// special value the row held, 0 for none; nil until one is seen.
	special []int32
}

// len returns the number of rows appended (pending ones included).
func (c *column) len() int {
	if c.isText() {
		return len(c.codes) + c.pending
	}
	return len(c.num) + c.pending
}

// noteSpecial records the special value of the row just appended.
func (c *column) noteSpecial(k int) {
	if c.special == nil {
		if k == 0 {
			return
		}
		c.special = make([]int32, c.len()-1, c.len()+1024)
	}
	c.special = append(c.special, int32(k))
}

func (c *column) isText() bool { return c.in.IsText() }

// appendMissing records a missing value.
func (c *column) appendMissing() {
	if c.num == nil && c.codes == nil {
		c.pending++
		return
	}
	if c.isText() {
		c.codes = append(c.codes, -1)
	} else {
		c.num = append(c.num, math.NaN())
	}
	if c.special != nil {
		c.special = append(c.special, 0)
	}
}

func (c *column) materialise() {
	if c.num != nil || c.codes != nil {
		return
	}
	if c.isText() {
		c.codes = make([]int32, c.pending, c.pending+1024)
		for i := range c.codes {
			c.codes[i] = -1
		}
	} else {
		c.num = make([]float64, c.pending, c.pending+1024)
		for i := range c.num {
			c.num[i] = math.NaN()
		}
	}
	c.pending = 0
}

func (c *column) appendParsed(p features.Parsed) {
	if p.Special > 0 {
		c.materialise()
		if c.isText() {
			c.codes = append(c.codes, -1)
		} else {
			c.num = append(c.num, math.NaN())
		}
		c.noteSpecial(p.Special)
		return
	}
	if p.Missing {
		c.appendMissing()
		return
	}
	c.materialise()
	if c.isText() {
		code, ok := c.levelIdx[p.Level]
		if !ok {
			code = int32(len(c.levels))
			c.levels = append(c.levels, p.Level)
			c.levelIdx[p.Level] = code
		}
		c.codes = append(c.codes, code)
		c.noteSpecial(0)
		return
	}
	c.num = append(c.num, p.Num)
	c.noteSpecial(0)
}

// toCategorical turns an inferred numeric column into a categorical one
// after a value failed to parse as a number.
func (c *column) toCategorical() {
	c.in.Kind = features.KindCategorical
	c.in.Parser = value.Text
	c.levelIdx = map[string]int32{}
	if c.num == nil {
		return
	}
	c.codes = make([]int32, len(c.num), cap(c.num))
	for i, v := range c.num {
		if math.IsNaN(v) {
			c.codes[i] = -1
			continue
		}
		s := strconv.FormatFloat(v, 'f', -1, 64)
		code, ok := c.levelIdx[s]
		if !ok {
			code = int32(len(c.levels))
			c.levels = append(c.levels, s)
			c.levelIdx[s] = code
		}
		c.codes[i] = code
	}
	c.num = nil
}

// add parses one raw value into the column. It returns a ParseError-ready
// error for a declared column whose value cannot be read.
func (c *column) add(raw string) *features.FieldError {
	if c.freeText {
		return nil
	}
	p, outOfRange, fe := c.in.Parse(features.RawString(raw), false)
	if outOfRange {
		c.outOfRange++
	}
	if fe != nil {
		if !c.inferred || c.isText() {
			return fe
		}
		c.toCategorical()
		p, _, fe = c.in.Parse(features.RawString(raw), false)
		if fe != nil {
			return fe
		}
	}
	c.appendParsed(p)
	if c.inferred && c.isText() && len(c.levels) > c.maxCats {
		c.freeText = true
		c.num, c.codes, c.levelIdx = nil, nil, nil
	}
	return nil
}

func readJSON[T any](path string) (*T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v T
	if err := jsonUnmarshalStrict(data, &v); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &v, nil
}

func sortedCounts(m map[string]int) []ValueCount {
	out := make([]ValueCount, 0, len(m))
	for k, v := range m {
		out = append(out, ValueCount{Value: k, Count: v})
	}
	slices.SortFunc(out, func(a, b ValueCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Value < b.Value {
			return -1
		}
		return 1
	})
	return out
}
