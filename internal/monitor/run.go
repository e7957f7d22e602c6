package monitor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/value"
)

// ErrReference is wrapped when the model carries no usable development
// reference to compare recent applications with.
var ErrReference = errors.New("monitor: model has no usable development reference")

// ErrConfig is wrapped by a Config that cannot be run.
var ErrConfig = errors.New("monitor: invalid configuration")

// ErrTarget is wrapped by the *dataset.ParseError of a target value the
// spec does not list.
var ErrTarget = errors.New("unknown target value")

// Config says what a run monitors.
type Config struct {
	// Spec is the data set's spec: the layout of the files, the target
	// and its final values, the origination date and the monitoring
	// thresholds.
	Spec *dataset.Spec
	// Model and Meta are the model scored, with its metadata (which holds
	// the development reference and the test figures).
	Model *model.Model
	Meta  *model.Metadata
	// Sources are the raw files of recent applications.
	Sources []dataset.Source
	// Since and Until, when set (not NoMonth, the zero value), keep only
	// loans originated in [Since, Until]; a row without a readable
	// origination date is then left out (counted).
	Since, Until Month
	// AsOf is the last month the vintage curves observe; NoMonth means the
	// latest origination or default month in the files.
	AsOf Month
	// Now stamps the result; the zero time means time.Now.
	Now time.Time
}

// Result is what a run found; it encodes to monitor.json.
type Result struct {
	CreatedAt time.Time `json:"created_at"`
	Model     ModelInfo `json:"model"`
	Dataset   string    `json:"dataset"`
	Inputs    []string  `json:"inputs"`
	// Window is the origination months kept, as given ("" when open).
	Window     Window             `json:"window"`
	Rows       Rows               `json:"rows"`
	Thresholds Thresholds         `json:"thresholds"`
	Stability  Stability          `json:"stability"`
	Backtest   *Backtest          `json:"backtest,omitempty"`
	Vintage    *Vintage           `json:"vintage,omitempty"`
	Skipped    map[Section]string `json:"skipped,omitempty"`
	Breaches   []Breach           `json:"breaches"`
	Unscored   []Reason           `json:"unscored_reasons,omitempty"`
	Notes      []string           `json:"notes,omitempty"`
}

// Section names a part of the result that may be skipped.
type Section string

// Sections.
const (
	SectionStability Section = "stability"
	SectionBacktest  Section = "backtest"
	SectionVintage   Section = "vintage"
)

// ModelInfo identifies the model monitored.
type ModelInfo struct {
	Name      string `json:"name"`
	Version   int    `json:"version"`
	Algorithm string `json:"algorithm"`
	File      string `json:"file"`
	SHA256    string `json:"sha256"`
	// TestAUC is the model's ROC-AUC on its out-of-time test set.
	TestAUC Float `json:"test_roc_auc"`
	// TrainRows are the loans the feature reference was binned on.
	TrainRows int `json:"train_rows"`
}

// Window is the origination window of a run.
type Window struct {
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
}

// Rows counts what happened to the input rows.
type Rows struct {
	// Read is every data row of the files.
	Read int `json:"read"`
	// OutsideWindow rows were originated outside Since..Until, or had no
	// readable origination date while a window was set.
	OutsideWindow int `json:"outside_window"`
	// Scored rows got a PD; Unscored were refused by the model's
	// pipeline (see Result.Unscored).
	Scored   int `json:"scored"`
	Unscored int `json:"unscored"`
	// Matured scored rows have a final outcome (target.bad or
	// target.good); Pending ones a target.exclude value; NoOutcome a blank
	// target or no target column.
	Matured   int `json:"matured"`
	Pending   int `json:"pending"`
	NoOutcome int `json:"no_outcome"`
	// Undated rows have no readable origination date (counted when the
	// spec has a date).
	Undated int `json:"undated"`
}

// Reason counts the rows refused for one problem of one field.
type Reason struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
	Rows    int    `json:"rows"`
}

// Stability holds the score's PSI and each feature's CSI.
type Stability struct {
	Score Index `json:"score"`
	// Characteristics are the features' CSIs, largest first.
	Characteristics []Index `json:"characteristics"`
	// Judged is false when there were fewer scored rows than the spec's
	// monitoring.min_rows: the figures are reported, no breach is called.
	Judged bool `json:"judged"`
}

// maxReasons bounds the unscored reasons listed.
const maxReasons = 20

// Run reads the sources, scores every row with the model and computes the
// stability, the backtest (when the files carry the target), the vintage
// curves (when the spec's monitoring.vintage says how defaults are dated
// and the files have those dates) and the breaches of the spec's
// thresholds. A row whose target is neither a bad, a good, an excluded
// value nor blank is an error naming the file and line; a spec of another
// data set than the model's is an error wrapping ErrConfig.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	spec, m, meta := cfg.Spec, cfg.Model, cfg.Meta
	if spec.Date == nil && (cfg.Since.Known() || cfg.Until.Known()) {
		return nil, fmt.Errorf("%w: an origination window needs the spec's date column; spec %s has none", ErrConfig, spec.Name)
	}
	if d := m.Pipeline.Dataset; d != "" && d != spec.Name {
		return nil, fmt.Errorf("%w: the model was trained on data set %s, the spec is %s: pass the model's spec (--spec %s)", ErrConfig, d, spec.Name, d)
	}
	ref := meta.Reference
	if err := checkReference(ref, m.Pipeline); err != nil {
		return nil, err
	}
	now := cfg.Now
	if now.IsZero() {
		now = time.Now()
	}
	res := &Result{
		CreatedAt:  now.UTC(),
		Model:      ModelInfo{Name: meta.Name, Version: meta.Version, Algorithm: meta.Algorithm, File: meta.File, SHA256: meta.SHA256, TestAUC: Float(math.NaN()), TrainRows: meta.TrainRows},
		Dataset:    spec.Name,
		Thresholds: NewThresholds(spec.Monitoring),
		Skipped:    map[Section]string{},
		Breaches:   []Breach{},
	}
	if meta.Metrics.ROCAUC > 0 {
		res.Model.TestAUC = Float(meta.Metrics.ROCAUC)
	}
	if cfg.Since.Known() {
		res.Window.Since = cfg.Since.String()
	}
	if cfg.Until.Known() {
		res.Window.Until = cfg.Until.String()
	}
	for _, s := range cfg.Sources {
		res.Inputs = append(res.Inputs, s.Name)
	}
	sc := newScan(cfg)
	if err := sc.read(ctx, res); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	if err := sc.finish(res); err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	res.Breaches = Check(res)
	return res, nil
}

// checkReference checks that ref has one well-formed distribution per
// feature of p, in order, and one of the score.
func checkReference(ref *model.Reference, p *features.Pipeline) error {
	if ref == nil {
		return fmt.Errorf("%w: the metadata holds no reference distributions", ErrReference)
	}
	names := p.FeatureNames()
	if len(ref.Features) != len(names) {
		return fmt.Errorf("%w: %d feature distributions for %d features", ErrReference, len(ref.Features), len(names))
	}
	all := append(slices.Clone(ref.Features), ref.Score)
	for i, b := range all {
		if i < len(names) && b.Name != names[i] {
			return fmt.Errorf("%w: distribution %d is %q; the model's feature %d is %q", ErrReference, i, b.Name, i, names[i])
		}
		if len(b.Shares) != len(b.Edges)+2 {
			return fmt.Errorf("%w: %s: %d shares for %d edges (want edges+2)", ErrReference, b.Name, len(b.Shares), len(b.Edges))
		}
		for j := 1; j < len(b.Edges); j++ {
			if !(b.Edges[j] > b.Edges[j-1]) {
				return fmt.Errorf("%w: %s: edges not increasing at %d", ErrReference, b.Name, j)
			}
		}
	}
	return nil
}

// scan is the state of one pass over the files.
type scan struct {
	cfg        Config
	p          *features.Pipeline
	readSpec   *dataset.Spec
	dateLayout string
	vintage    *dataset.Vintage
	vintLayout string

	// Per header.
	header               []string
	index                []int
	target, date, defcol int

	raw    []features.Raw
	row    *features.Row
	x      []float64
	counts [][]int // per feature, then the score: values per reference bin

	reasons   map[[2]string]int
	outcomes  []Outcome
	loans     []Loan
	hasTarget bool // some file has the target column
	hasDates  bool // some file has the default-date column
	latest    Month
}

func newScan(cfg Config) *scan {
	p := cfg.Model.Pipeline
	ref := cfg.Meta.Reference
	// The header is the first line holding the first input the model
	// reads, so files without the target column are read too.
	rs := &dataset.Spec{Name: cfg.Spec.Name, Format: cfg.Spec.Format, Target: dataset.Target{Column: p.Inputs[0].Name}}
	sc := &scan{
		cfg: cfg, p: p, readSpec: rs,
		raw: make([]features.Raw, len(p.Inputs)), row: p.NewRow(), x: make([]float64, p.NumFeatures()),
		reasons: map[[2]string]int{}, latest: NoMonth,
	}
	if d := cfg.Spec.Date; d != nil {
		sc.dateLayout, _ = value.DateLayout(d.Format) // validated with the spec
	}
	if v := cfg.Spec.Monitoring.Vintage; v != nil && cfg.Spec.Date != nil {
		sc.vintage = v
		sc.vintLayout, _ = value.DateLayout(v.Format)
	}
	for _, b := range ref.Features {
		sc.counts = append(sc.counts, make([]int, len(b.Shares)))
	}
	sc.counts = append(sc.counts, make([]int, len(ref.Score.Shares)))
	return sc
}

// outcome is what a row's target says.
type outcome int

const (
	outcomeNone    outcome = iota // no target column, or a blank value
	outcomeGood                   // target.good
	outcomeBad                    // target.bad
	outcomePending                // target.exclude: not final yet
)

func (sc *scan) read(ctx context.Context, res *Result) error {
	spec := sc.cfg.Spec
	return dataset.ForEach(ctx, sc.cfg.Sources, sc.readSpec, func(r *dataset.Reader, rec []string) error {
		if !slices.Equal(r.Header(), sc.header) {
			sc.header = slices.Clone(r.Header())
			sc.index = sc.p.HeaderIndex(sc.header)
			sc.target = slices.Index(sc.header, spec.Target.Column)
			sc.date = -1
			if spec.Date != nil {
				sc.date = slices.Index(sc.header, spec.Date.Column)
			}
			sc.defcol = -1
			if sc.vintage != nil {
				sc.defcol = slices.Index(sc.header, sc.vintage.DefaultDate)
			}
			sc.hasTarget = sc.hasTarget || sc.target >= 0
			sc.hasDates = sc.hasDates || sc.defcol >= 0
		}
		res.Rows.Read++
		orig := NoMonth
		if sc.date >= 0 {
			if days, err := value.ParseDate(rec[sc.date], sc.dateLayout); err == nil {
				orig = MonthOf(days)
			}
		}
		if !orig.Known() && spec.Date != nil {
			res.Rows.Undated++
		}
		since, until := sc.cfg.Since, sc.cfg.Until
		if (since.Known() || until.Known()) && (!orig.Known() || (since.Known() && orig < since) || (until.Known() && orig > until)) {
			res.Rows.OutsideWindow++
			return nil
		}
		out, err := sc.outcome(r, rec)
		if err != nil {
			return err
		}
		sc.vintageRow(rec, orig, out)

		sc.p.RawFromStrings(sc.index, rec, sc.raw)
		if errs := sc.p.Transform(sc.raw, sc.row, sc.x); len(errs) > 0 {
			res.Rows.Unscored++
			for _, e := range errs {
				sc.reasons[[2]string{e.Field, e.Problem}]++
			}
			return nil
		}
		pd := sc.cfg.Model.PD(sc.x)
		res.Rows.Scored++
		ref := sc.cfg.Meta.Reference
		for j, v := range sc.x {
			sc.counts[j][ref.Features[j].Index(v)]++
		}
		sc.counts[len(sc.x)][ref.Score.Index(pd)]++
		switch out {
		case outcomeGood, outcomeBad:
			res.Rows.Matured++
			sc.outcomes = append(sc.outcomes, Outcome{PD: pd, Bad: out == outcomeBad, Month: orig})
		case outcomePending:
			res.Rows.Pending++
		default:
			res.Rows.NoOutcome++
		}
		return nil
	})
}

// outcome reads the row's target.
func (sc *scan) outcome(r *dataset.Reader, rec []string) (outcome, error) {
	if sc.target < 0 {
		return outcomeNone, nil
	}
	t := sc.cfg.Spec.Target
	v := strings.TrimSpace(rec[sc.target])
	switch {
	case v == "":
		return outcomeNone, nil
	case slices.Contains(t.Bad, v):
		return outcomeBad, nil
	case slices.Contains(t.Good, v):
		return outcomeGood, nil
	case slices.Contains(t.Exclude, v):
		return outcomePending, nil
	}
	return outcomeNone, &dataset.ParseError{Path: r.Path(), Line: r.Line(), Column: t.Column, Field: sc.target + 1,
		Err: fmt.Errorf("%w: %q is in none of target.bad, target.good and target.exclude", ErrTarget, v)}
}

// vintageRow records the row for the vintage curves: every row with an
// origination month and an outcome, final or not, counts in its cohort.
func (sc *scan) vintageRow(rec []string, orig Month, out outcome) {
	if sc.vintage == nil || !orig.Known() || out == outcomeNone {
		return
	}
	sc.latest = max(sc.latest, orig)
	def := NoMonth
	if sc.defcol >= 0 {
		if days, err := value.ParseDate(rec[sc.defcol], sc.vintLayout); err == nil {
			def = MonthOf(days)
			sc.latest = max(sc.latest, def)
		}
	}
	sc.loans = append(sc.loans, Loan{Origination: orig, Bad: out == outcomeBad, Default: def})
}

// finish computes the result's sections from what read gathered.
func (sc *scan) finish(res *Result) error {
	mon := sc.cfg.Spec.Monitoring
	ref := sc.cfg.Meta.Reference
	var err error
	if res.Stability.Score, err = NewIndex("score", "", &ref.Score, sc.counts[len(sc.counts)-1]); err != nil {
		return err
	}
	for j, f := range sc.p.Features {
		ix, err := NewIndex(f.Name, f.Source, &ref.Features[j], sc.counts[j])
		if err != nil {
			return err
		}
		res.Stability.Characteristics = append(res.Stability.Characteristics, ix)
	}
	slices.SortStableFunc(res.Stability.Characteristics, func(a, b Index) int {
		return cmp.Compare(nanLow(b.PSI), nanLow(a.PSI))
	})
	res.Stability.Judged = res.Rows.Scored >= mon.MinRows
	if res.Rows.Scored == 0 {
		res.Skipped[SectionStability] = "no row could be scored"
	} else if !res.Stability.Judged {
		res.Notes = append(res.Notes, fmt.Sprintf("stability not judged: %d scored applications, fewer than monitoring.min_rows %d", res.Rows.Scored, mon.MinRows))
	}

	switch {
	case !sc.hasTarget:
		res.Skipped[SectionBacktest] = fmt.Sprintf("the files have no target column %q: no outcomes to backtest", sc.cfg.Spec.Target.Column)
	case len(sc.outcomes) == 0:
		res.Skipped[SectionBacktest] = "no scored row has a final outcome yet"
	default:
		if res.Backtest, err = NewBacktest(sc.outcomes, &ref.Score, mon.BandAlpha); err != nil {
			return err
		}
		if len(sc.outcomes) < mon.MinRows {
			res.Notes = append(res.Notes, fmt.Sprintf("backtest not judged: %d matured loans, fewer than monitoring.min_rows %d", len(sc.outcomes), mon.MinRows))
		}
	}

	switch {
	case sc.cfg.Spec.Date == nil:
		res.Skipped[SectionVintage] = "the spec has no date column: no origination month to count months on book from"
	case sc.vintage == nil:
		res.Skipped[SectionVintage] = "the spec's monitoring.vintage does not name the column that dates a default"
	case !sc.hasTarget:
		res.Skipped[SectionVintage] = fmt.Sprintf("the files have no target column %q", sc.cfg.Spec.Target.Column)
	case !sc.hasDates:
		res.Skipped[SectionVintage] = fmt.Sprintf("the files have no default-date column %q", sc.vintage.DefaultDate)
	case len(sc.loans) == 0:
		res.Skipped[SectionVintage] = "no loan has both an origination date and an outcome"
	default:
		asOf := sc.cfg.AsOf
		if !asOf.Known() {
			asOf = sc.latest
		}
		v := NewVintage(sc.loans, CohortKind(sc.vintage.Cohort), asOf)
		res.Vintage = &v
	}
	if len(res.Skipped) == 0 {
		res.Skipped = nil
	}

	for _, k := range slices.SortedFunc(maps.Keys(sc.reasons), func(a, b [2]string) int {
		if c := cmp.Compare(sc.reasons[b], sc.reasons[a]); c != 0 {
			return c
		}
		return cmp.Compare(a[0]+"\x00"+a[1], b[0]+"\x00"+b[1])
	}) {
		if len(res.Unscored) == maxReasons {
			break
		}
		res.Unscored = append(res.Unscored, Reason{Field: k[0], Problem: k[1], Rows: sc.reasons[k]})
	}
	return nil
}

// nanLow orders NaN below every number.
func nanLow(f Float) float64 {
	if math.IsNaN(float64(f)) {
		return math.Inf(-1)
	}
	return float64(f)
}
