package clean

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"slices"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/split"
	"github.com/credit-risk/credit-risk/internal/value"
)

// state holds a cleaning run between streaming and writing.
type state struct {
	spec *dataset.Spec
	log  *Log

	cols   []*column
	byName map[string]*column
	labels []float64
	dates  []float64 // application dates (days), when the spec has a date
	rows   int

	excluded  map[string]int
	dropped   map[string]DroppedColumn
	undatedN  int
	dateInput *features.Input
}

func newState(spec *dataset.Spec) *state {
	st := &state{
		spec:     spec,
		log:      &Log{Dataset: spec.Name, Spec: spec},
		byName:   map[string]*column{},
		excluded: map[string]int{},
		dropped:  map[string]DroppedColumn{},
	}
	if spec.Date != nil {
		layout, _ := value.DateLayout(spec.Date.Format) // validated with the spec
		st.dateInput = &features.Input{Name: spec.Date.Column, Kind: features.KindDate, Parser: value.Date, Layout: layout, Missing: spec.ColumnMissing(spec.Date.Column)}
	}
	return st
}

// columnFor returns the accumulator for a header column, creating it on
// first sight, or nil when the column is not kept.
func (st *state) columnFor(name string) *column {
	if c, ok := st.byName[name]; ok {
		return c
	}
	if _, ok := st.dropped[name]; ok {
		return nil
	}
	role := st.spec.RoleOf(name)
	var in features.Input
	inferred := false
	switch role {
	case dataset.RoleFeature:
		in = inputFromSpec(st.spec, name)
	case dataset.RoleUndeclared:
		if st.spec.Undeclared == "drop" {
			st.dropped[name] = DroppedColumn{Name: name, Reason: "undeclared", Detail: "not named in the spec (undeclared: drop)"}
			return nil
		}
		in = features.Input{Name: name, Kind: features.KindNumeric, Parser: value.Number, Missing: st.spec.MissingTokens()}
		inferred = true
	case dataset.RoleTarget, dataset.RoleDate:
		return nil
	default:
		st.dropped[name] = DroppedColumn{Name: name, Reason: role.String(), Detail: "named in the spec's " + roleField(role)}
		return nil
	}
	if err := in.Prepare(); err != nil {
		// The spec was validated: a column it declares always prepares.
		panic(fmt.Sprintf("clean: column %q: %v", name, err))
	}
	c := &column{in: in, role: role, inferred: inferred, maxCats: st.spec.Cleaning.MaxCategories, levelIdx: map[string]int32{}}
	c.pending = st.rows // rows seen in earlier files that lacked this column
	st.cols = append(st.cols, c)
	st.byName[name] = c
	return c
}

func roleField(r dataset.Role) string {
	switch r {
	case dataset.RoleID:
		return "id_columns"
	case dataset.RoleText:
		return "text_columns"
	case dataset.RoleDrop:
		return "drop_columns"
	case dataset.RoleLeakage:
		return "leakage_columns"
	case dataset.RoleProtected:
		return "protected"
	}
	return r.String()
}

func inputFromSpec(spec *dataset.Spec, name string) features.Input {
	sc := spec.Columns[name]
	in := features.Input{
		Name:        name,
		Parser:      sc.Parser,
		Missing:     spec.ColumnMissing(name),
		Order:       sc.Order,
		Labels:      sc.Labels,
		Pattern:     sc.Pattern,
		Special:     slices.Clone(sc.SpecialValues),
		Min:         sc.Min,
		Max:         sc.Max,
		Monotone:    sc.Monotone,
		Kind:        inputKind(sc.Type),
		RangePolicy: sc.RangePolicy,
		Reasons:     inputReasons(spec, name),
	}
	if in.Kind == features.KindDate {
		in.Layout, _ = value.DateLayout(sc.Format)
	}
	return in
}

// inputReasons returns the catalogue entry the spec gives the named
// column, for the model file; nil when it has none.
func inputReasons(spec *dataset.Spec, name string) *features.Reasons {
	r, ok := spec.Reasons[name]
	if !ok {
		return nil
	}
	text := func(t *dataset.ReasonText) *features.ReasonText {
		if t == nil {
			return nil
		}
		return &features.ReasonText{Code: t.Code, Statement: t.Statement}
	}
	return &features.Reasons{
		Code:      r.Code,
		Statement: r.Statement,
		High:      text(r.High),
		Low:       text(r.Low),
		Missing:   *text(&r.Missing),
	}
}

// inputKind maps a spec's column type onto the pipeline's input kind: each
// type becomes the kind of the same name. The spec is validated before, so
// any other type is a programmer error.
func inputKind(t dataset.ColumnType) features.Kind {
	switch t {
	case dataset.TypeNumeric:
		return features.KindNumeric
	case dataset.TypeDate:
		return features.KindDate
	case dataset.TypeCategorical:
		return features.KindCategorical
	case dataset.TypeOrdinal:
		return features.KindOrdinal
	}
	panic(fmt.Sprintf("clean: column type %q passed validation", t))
}

func (st *state) readSource(ctx context.Context, src dataset.Source, logger *slog.Logger) error {
	sl := SourceLog{Name: src.Name}
	var (
		header  []string
		colAt   []*column // per header field
		present []bool    // per st.cols index: present in this file
		target  int
		date    int
	)
	err := dataset.ForEach(ctx, []dataset.Source{src}, st.spec, func(r *dataset.Reader, rec []string) error {
		if header == nil {
			header = r.Header()
			colAt = make([]*column, len(header))
			for i, h := range header {
				if st.spec.RoleOf(h) == dataset.RoleUnnamed {
					st.dropUnnamed(src.Name, i, h, logger)
					continue
				}
				colAt[i] = st.columnFor(h)
			}
			target = slices.Index(header, st.spec.Target.Column)
			date = -1
			if st.spec.Date != nil {
				date = slices.Index(header, st.spec.Date.Column)
			}
			present = make([]bool, len(st.cols))
			for _, c := range colAt {
				if c != nil {
					present[slices.Index(st.cols, c)] = true
				}
			}
		}
		sl.Rows++
		y, ok, err := st.label(rec[target])
		if err != nil {
			return &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: st.spec.Target.Column, Field: target + 1, Err: err}
		}
		if !ok {
			return nil
		}
		var d float64
		if date >= 0 {
			p, _, fe := st.dateInput.Parse(features.RawString(rec[date]), true)
			if fe != nil {
				return &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: st.spec.Date.Column, Field: date + 1, Err: fe}
			}
			if p.Missing {
				st.undatedN++
				return nil
			}
			d = p.Num
		}
		for i, c := range colAt {
			if c == nil {
				continue
			}
			if fe := c.add(rec[i]); fe != nil {
				return &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: header[i], Field: i + 1, Err: fe}
			}
		}
		for i, c := range st.cols {
			if i >= len(present) || !present[i] {
				c.appendMissing()
			}
		}
		st.labels = append(st.labels, y)
		if date >= 0 {
			st.dates = append(st.dates, d)
		}
		st.rows++
		return nil
	})
	if err != nil {
		return err
	}
	st.log.Sources = append(st.log.Sources, sl)
	st.log.RowsRead += sl.Rows
	logger.Info("read", "file", src.Name, "rows", sl.Rows)
	return nil
}

// label maps a raw target value: (1|0, true) for bad|good, (_, false) for an
// excluded value (counted).
func (st *state) label(raw string) (float64, bool, error) {
	t := &st.spec.Target
	v := trimSpace(raw)
	switch {
	case slices.Contains(t.Bad, v):
		return 1, true, nil
	case slices.Contains(t.Good, v):
		return 0, true, nil
	case slices.Contains(t.Exclude, v):
		st.excluded[v]++
		return 0, false, nil
	}
	return 0, false, fmt.Errorf("%w %q: list it in the spec's target.bad, target.good or target.exclude", ErrTarget, v)
}

func trimSpace(s string) string { return string(bytes.TrimSpace([]byte(s))) }

// split decides the train/test split of the labelled rows (split.Decide)
// and describes it for the log.
func (st *state) split(cut float64) (*split.Assignment, SplitLog, error) {
	sl := SplitLog{TestFraction: st.spec.Split.TestFraction}
	if st.spec.Date == nil && cut != 0 {
		return nil, sl, fmt.Errorf("a split date needs a date column, and spec %q has none", st.spec.Name)
	}
	var dates []float64
	if st.spec.Date != nil {
		dates = st.dates
	}
	a, err := split.Decide(st.labels, dates, split.Config{TestFraction: st.spec.Split.TestFraction, Seed: st.spec.Split.Seed}, cut)
	if err != nil {
		return nil, sl, err
	}
	sl.Kind, sl.Date, sl.Seed = a.Kind, a.Date, a.Seed
	if dates != nil {
		sl.FirstDate, sl.LastDate = split.FormatDay(slices.Min(dates)), split.FormatDay(slices.Max(dates))
	}
	var bad [2]float64
	for i, t := range a.Test {
		k := 0
		if t {
			k = 1
		}
		if k == 0 {
			sl.TrainRows++
		} else {
			sl.TestRows++
		}
		bad[k] += st.labels[i]
	}
	sl.TrainBadRate = bad[0] / float64(sl.TrainRows)
	sl.TestBadRate = bad[1] / float64(sl.TestRows)
	return a, sl, nil
}

// learn decides which columns survive and has package fit learn their
// caps, imputation values and indicators on the training rows. It fills
// the log's columns, dropped columns and target counts.
func (st *state) learn(isTest []bool) []features.Input {
	var inputs []features.Input
	if st.dateInput != nil {
		inputs = append(inputs, fit.DateInput(*st.dateInput, st.dates))
	}
	for _, c := range st.cols {
		c.materialise()
		if c.freeText {
			st.drop(c.in.Name, "free_text", fmt.Sprintf("inferred text column with more than %d levels; declare it in the spec to use it", st.spec.Cleaning.MaxCategories))
			continue
		}
		fc := &fit.Column{Input: c.in, Num: c.num, Codes: c.codes, Levels: c.levels, NoCap: st.spec.Columns[c.in.Name].NoCap, Special: c.special}
		in, out := fit.Input(fc, isTest, st.spec.Cleaning)
		if out.Drop != "" {
			st.drop(c.in.Name, out.Drop, out.Detail)
			continue
		}
		cl := ColumnLog{
			Name: in.Name, Kind: in.Kind, Parser: string(in.Parser), Inferred: c.inferred,
			Missing: out.Missing, MissingShareTrain: out.MissingShareTrain, OutOfRange: c.outOfRange,
			CapLow: in.CapLow, CapHigh: in.CapHigh, Indicator: in.Indicator,
		}
		for k, n := range out.Special {
			cl.Special = append(cl.Special, ValueCount{Value: in.Special[k], Count: n})
		}
		switch {
		case in.Impute != nil:
			cl.ImputeValue = strconvG(*in.Impute)
		case in.IsText():
			cl.ImputeValue = in.ImputeLevel
		}
		st.log.Columns = append(st.log.Columns, cl)
		inputs = append(inputs, in)
	}
	st.log.Dropped = st.droppedList()
	st.log.Target = TargetLog{
		Column: st.spec.Target.Column, Rows: st.rows, Excluded: sortedCounts(st.excluded), Undated: st.undatedN,
	}
	for _, y := range st.labels {
		if y == 1 {
			st.log.Target.Bad++
		} else {
			st.log.Target.Good++
		}
	}
	return inputs
}

// dropUnnamed drops the unnamed column at index i of a file's header h,
// with a log line: it is a data frame's index, never a feature.
func (st *state) dropUnnamed(file string, i int, h string, logger *slog.Logger) {
	name := h
	if name == "" {
		name = fmt.Sprintf("(column %d)", i+1)
	}
	logger.Warn("unnamed column dropped", "file", file, "column", i+1, "header", h)
	if _, ok := st.dropped[name]; !ok {
		st.drop(name, dataset.RoleUnnamed.String(), fmt.Sprintf("column %d has no name (a data frame's index?); name it in the file and declare it in the spec to use it", i+1))
	}
}

func (st *state) drop(name, reason, detail string) {
	st.dropped[name] = DroppedColumn{Name: name, Reason: reason, Detail: detail}
}

func (st *state) droppedList() []DroppedColumn {
	out := make([]DroppedColumn, 0, len(st.dropped))
	for _, d := range st.dropped {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b DroppedColumn) int {
		if a.Reason != b.Reason {
			if a.Reason < b.Reason {
				return -1
			}
			return 1
		}
		if a.Name < b.Name {
			return -1
		}
		return 1
	})
	return out
}

// apply cleans every kept column with the learned inputs and assembles the
// cleaned table: target, date, then each input (and its indicator).
func (st *state) apply(inputs []features.Input) *frame.Frame {
	f := &frame.Frame{}
	f.Columns = append(f.Columns, &frame.Column{Name: st.spec.Target.Column, Kind: frame.Numeric, Num: st.labels})
	logIdx := map[string]int{}
	for i, c := range st.log.Columns {
		logIdx[c.Name] = i
	}
	for k := range inputs {
		in := &inputs[k]
		if st.dateInput != nil && in.Name == st.dateInput.Name {
			f.Columns = append(f.Columns, &frame.Column{Name: in.Name, Kind: frame.Date, Num: st.dates})
			continue
		}
		c := st.byName[in.Name]
		cl := &st.log.Columns[logIdx[in.Name]]
		var ind, special []float64
		if in.Indicator {
			ind = make([]float64, st.rows)
		}
		if len(in.Special) > 0 {
			special = make([]float64, st.rows)
			for i, k := range c.special {
				special[i] = float64(k)
			}
		}
		isSpecial := func(i int) bool { return c.special != nil && c.special[i] > 0 }
		if in.IsText() {
			// Levels are rewritten: imputation adds one, nothing else changes.
			out := &frame.Column{Name: in.Name, Kind: frame.Categorical, Codes: c.codes, Levels: c.levels}
			fill := int32(-1)
			for i, code := range c.codes {
				if code >= 0 || isSpecial(i) {
					continue // a special value stays missing, not imputed
				}
				if ind != nil {
					ind[i] = 1
				}
				if in.ImputeLevel != "" {
					if fill < 0 {
						fill = int32(slices.Index(out.Levels, in.ImputeLevel))
						if fill < 0 {
							out.Levels = append(out.Levels, in.ImputeLevel)
							fill = int32(len(out.Levels) - 1)
						}
					}
					c.codes[i] = fill
					cl.Imputed++
				}
			}
			f.Columns = append(f.Columns, out)
		} else {
			kind := frame.Numeric
			if in.Kind == features.KindDate {
				kind = frame.Date
			}
			for i, v := range c.num {
				p := features.Parsed{Num: v, Missing: math.IsNaN(v)}
				if isSpecial(i) {
					p.Special = int(c.special[i])
				}
				cv, missing := in.Clean(p)
				if missing && p.Special == 0 {
					if ind != nil {
						ind[i] = 1
					}
					if !math.IsNaN(cv.Num) {
						cl.Imputed++
					}
				} else if cv.Num != v {
					cl.Capped++
				}
				c.num[i] = cv.Num
			}
			f.Columns = append(f.Columns, &frame.Column{Name: in.Name, Kind: kind, Num: c.num})
		}
		if ind != nil {
			f.Columns = append(f.Columns, &frame.Column{Name: features.IndicatorColumn(in.Name), Kind: frame.Numeric, Num: ind})
		}
		if special != nil {
			f.Columns = append(f.Columns, &frame.Column{Name: features.SpecialColumn(in.Name), Kind: frame.Numeric, Num: special})
		}
	}
	return f
}

func jsonUnmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
