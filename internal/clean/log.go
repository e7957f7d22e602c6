package clean

import (
	"strconv"
	"time"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/split"
)

// Log records every transformation of a cleaning run with its counts, and
// the cleaning rules it learned (Inputs), which the features step builds
// the feature pipeline from.
type Log struct {
	Dataset   string           `json:"dataset"`
	StartedAt time.Time        `json:"started_at"`
	Seconds   float64          `json:"seconds"`
	Spec      *dataset.Spec    `json:"spec"`
	Sources   []SourceLog      `json:"sources"`
	RowsRead  int              `json:"rows_read"`
	Target    TargetLog        `json:"target"`
	Split     SplitLog         `json:"split"`
	Dropped   []DroppedColumn  `json:"dropped_columns"`
	Columns   []ColumnLog      `json:"columns"`
	Inputs    []features.Input `json:"inputs"`
	Output    OutputLog        `json:"output"`
}

// SourceLog is one raw file read.
type SourceLog struct {
	Name string `json:"name"`
	Rows int    `json:"rows"`
}

// TargetLog counts the target mapping.
type TargetLog struct {
	Column   string       `json:"column"`
	Rows     int          `json:"labelled_rows"`
	Bad      int          `json:"bad"`
	Good     int          `json:"good"`
	Excluded []ValueCount `json:"excluded"`
	// Undated counts labelled rows dropped for a missing application date.
	Undated int `json:"undated"`
}

// ValueCount is a value and how many rows had it.
type ValueCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// SplitLog describes the train/test split the cleaning learned on.
type SplitLog struct {
	Kind         split.Kind `json:"kind"`
	Date         string     `json:"date,omitempty"`
	FirstDate    string     `json:"first_date,omitempty"`
	LastDate     string     `json:"last_date,omitempty"`
	Seed         uint64     `json:"seed,omitempty"`
	TestFraction float64    `json:"test_fraction"`
	TrainRows    int        `json:"train_rows"`
	TestRows     int        `json:"test_rows"`
	TrainBadRate float64    `json:"train_bad_rate"`
	TestBadRate  float64    `json:"test_bad_rate"`
}

// DroppedColumn is a raw column that is not a feature, and why.
type DroppedColumn struct {
	Name   string `json:"name"`
	Reason string `json:"reason"` // leakage, id, free_text, dropped, high_missing, constant, undeclared, unnamed
	Detail string `json:"detail"`
}

// ColumnLog is what cleaning did to one kept column.
type ColumnLog struct {
	Name              string        `json:"name"`
	Kind              features.Kind `json:"kind"`
	Parser            string        `json:"parser"`
	Inferred          bool          `json:"inferred,omitempty"`
	Missing           int           `json:"missing"`
	MissingShareTrain float64       `json:"missing_share_train"`
	OutOfRange        int           `json:"out_of_range"`
	Capped            int           `json:"capped"`
	CapLow            *float64      `json:"cap_low,omitempty"`
	CapHigh           *float64      `json:"cap_high,omitempty"`
	Imputed           int           `json:"imputed"`
	ImputeValue       string        `json:"impute_value,omitempty"`
	Indicator         bool          `json:"indicator,omitempty"`
	// Special counts the rows that held each of the column's special
	// values, in the spec's order; they are in none of the counts above.
	Special []ValueCount `json:"special,omitempty"`
}

// OutputLog names the cleaned table.
type OutputLog struct {
	Path    string `json:"path"`
	SHA256  string `json:"sha256"`
	Rows    int    `json:"rows"`
	Columns int    `json:"columns"`
}

func strconvG(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
