// Package quality builds the data quality report of the validate step: row
// and target counts, missing shares, the columns cleaning would drop and
// why, the date range, and the AUC of each candidate feature on its own. A
// candidate that alone separates the classes almost perfectly is reported as
// leakage.
package quality

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/split"
)

// Report is the data quality report.
type Report struct {
	Dataset     string                `json:"dataset"`
	RowsRead    int                   `json:"rows_read"`
	Target      clean.TargetLog       `json:"target"`
	BadRate     float64               `json:"bad_rate"`
	Split       clean.SplitLog        `json:"split"`
	Columns     []Column              `json:"columns"`
	Dropped     []clean.DroppedColumn `json:"dropped_columns"`
	Leakage     []string              `json:"leakage"`
	Sources     []clean.SourceLog     `json:"sources"`
	Constraints []string              `json:"notes,omitempty"`
}

// Column is one candidate feature.
type Column struct {
	Name         string        `json:"name"`
	Kind         features.Kind `json:"kind"`
	MissingShare float64       `json:"missing_share"`
	OutOfRange   int           `json:"out_of_range"`
	// AUC is the training-period ROC-AUC of the column on its own
	// (categories scored by their training bad rate); NaN when undefined.
	AUC float64 `json:"auc"`
}

// Build makes the report from a cleaning run held in memory.
func Build(res *clean.Result) *Report {
	l := res.Log
	r := &Report{
		Dataset: l.Dataset, RowsRead: l.RowsRead, Target: l.Target, Split: l.Split,
		Dropped: l.Dropped, Sources: l.Sources,
	}
	if l.Target.Rows > 0 {
		r.BadRate = float64(l.Target.Bad) / float64(l.Target.Rows)
	}
	labels := res.Table.Col(l.Spec.Target.Column).Num
	byName := map[string]clean.ColumnLog{}
	for _, c := range l.Columns {
		byName[c.Name] = c
	}
	for _, in := range l.Inputs {
		if in.Kind == features.KindDate && in.Name == dateColumn(l) {
			continue
		}
		c := res.Table.Col(in.Name)
		cl := byName[in.Name]
		col := Column{Name: in.Name, Kind: in.Kind, OutOfRange: cl.OutOfRange, AUC: math.NaN()}
		if l.RowsRead > 0 && l.Target.Rows > 0 {
			col.MissingShare = float64(cl.Missing) / float64(l.Target.Rows)
		}
		col.AUC = singleAUC(c, labels, res.Test)
		if !math.IsNaN(col.AUC) && math.Abs(col.AUC-0.5) > fit.LeakageAUC {
			r.Leakage = append(r.Leakage, in.Name)
		}
		r.Columns = append(r.Columns, col)
	}
	return r
}

func dateColumn(l *clean.Log) string {
	if l.Spec.Date == nil {
		return ""
	}
	return l.Spec.Date.Column
}

// singleAUC scores a column alone on the training rows. Numbers score as
// they are; categories score by their training bad rate. Missing values are
// left out.
func singleAUC(c *frame.Column, labels []float64, test []bool) float64 {
	var scores, ys []float64
	if c.Kind == frame.Categorical {
		bad := make([]float64, len(c.Levels))
		n := make([]float64, len(c.Levels))
		for i, code := range c.Codes {
			if !test[i] && code >= 0 {
				bad[code] += labels[i]
				n[code]++
			}
		}
		for i, code := range c.Codes {
			if !test[i] && code >= 0 {
				scores = append(scores, bad[code]/n[code])
				ys = append(ys, labels[i])
			}
		}
	} else {
		for i, v := range c.Num {
			if !test[i] && !math.IsNaN(v) {
				scores = append(scores, v)
				ys = append(ys, labels[i])
			}
		}
	}
	auc, err := metrics.ROCAUC(ys, scores, nil)
	if err != nil {
		return math.NaN()
	}
	return auc
}

// Err returns an error naming the leaking columns, or nil.
func (r *Report) Err() error {
	if len(r.Leakage) == 0 {
		return nil
	}
	return fmt.Errorf("leakage: %v separate the classes almost perfectly on their own (|AUC−0.5| > %.1f): list them in the spec's leakage_columns", r.Leakage, fit.LeakageAUC)
}

// WriteTable prints a short summary table.
func (r *Report) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "dataset %s: %d rows read, %d labelled (%d bad, bad rate %.1f%%), %d excluded\n",
		r.Dataset, r.RowsRead, r.Target.Rows, r.Target.Bad, 100*r.BadRate, excluded(r.Target))
	if r.Split.Kind == split.KindOutOfTime {
		fmt.Fprintf(w, "dates %s .. %s; out-of-time split at %s: %d train, %d test\n", r.Split.FirstDate, r.Split.LastDate, r.Split.Date, r.Split.TrainRows, r.Split.TestRows)
	} else {
		fmt.Fprintf(w, "no date column; stratified split: %d train, %d test\n", r.Split.TrainRows, r.Split.TestRows)
	}
	fmt.Fprintln(w, dropSummary(r.Dropped))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "column\tkind\tmissing\tAUC\t")
	for _, c := range r.Columns {
		flag := ""
		if slices.Contains(r.Leakage, c.Name) {
			flag = "LEAKAGE"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.1f%%\t%.3f\t%s\n", c.Name, c.Kind, 100*c.MissingShare, c.AUC, flag)
	}
	return tw.Flush()
}

// dropLabels name the reasons for dropping a column as they read after a
// count, in dropSummary.
var dropLabels = map[string]string{
	"leakage":      "leakage",
	"id":           "id",
	"free_text":    "free text",
	"dropped":      "in drop_columns",
	"high_missing": "mostly missing",
	"constant":     "constant",
	"undeclared":   "not in the spec",
}

// dropSummary says how many columns were dropped and why, most common
// reason first: "dropped 117 columns: 67 mostly missing, 41 leakage, 3 free
// text, 3 id, 3 in drop_columns".
func dropSummary(dropped []clean.DroppedColumn) string {
	if len(dropped) == 0 {
		return "dropped no columns"
	}
	counts := map[string]int{}
	for _, d := range dropped {
		label, ok := dropLabels[d.Reason]
		if !ok {
			label = strings.ReplaceAll(d.Reason, "_", " ")
		}
		counts[label]++
	}
	labels := slices.Collect(maps.Keys(counts))
	slices.SortFunc(labels, func(a, b string) int {
		if c := cmp.Compare(counts[b], counts[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = fmt.Sprintf("%d %s", counts[l], l)
	}
	noun := "columns"
	if len(dropped) == 1 {
		noun = "column"
	}
	return fmt.Sprintf("dropped %d %s: %s", len(dropped), noun, strings.Join(parts, ", "))
}

func excluded(t clean.TargetLog) int {
	n := t.Undated
	for _, e := range t.Excluded {
		n += e.Count
	}
	return n
}
