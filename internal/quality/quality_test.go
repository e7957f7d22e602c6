package quality

import (
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/split"
)

func TestDropSummary(t *testing.T) {
	drops := func(reasons ...string) []clean.DroppedColumn {
		var out []clean.DroppedColumn
		for i, r := range reasons {
			out = append(out, clean.DroppedColumn{Name: string(rune('a' + i)), Reason: r})
		}
		return out
	}
	tests := []struct {
		name    string
		dropped []clean.DroppedColumn
		want    string
	}{
		{"none", nil, "dropped no columns"},
		{"one", drops("leakage"), "dropped 1 column: 1 leakage"},
		{"most common first", drops("free_text", "leakage", "high_missing", "leakage", "id", "leakage", "high_missing"),
			"dropped 7 columns: 3 leakage, 2 mostly missing, 1 free text, 1 id"},
		{"ties by label", drops("dropped", "constant", "undeclared", "id"),
			"dropped 4 columns: 1 constant, 1 id, 1 in drop_columns, 1 not in the spec"},
		{"unknown reason", drops("too_wide", "too_wide"), "dropped 2 columns: 2 too wide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dropSummary(tt.dropped); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestWriteTableDropLine checks the summary line validate prints.
func TestWriteTableDropLine(t *testing.T) {
	r := &Report{
		Dataset: "t", RowsRead: 10, Target: clean.TargetLog{Rows: 10, Bad: 2}, BadRate: 0.2,
		Split:   clean.SplitLog{Kind: split.KindStratified, TrainRows: 8, TestRows: 2},
		Dropped: []clean.DroppedColumn{{Name: "a", Reason: "free_text"}, {Name: "b", Reason: "leakage"}, {Name: "c", Reason: "leakage"}},
	}
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	want := "dropped 3 columns: 2 leakage, 1 free text"
	if len(lines) < 3 || lines[2] != want {
		t.Errorf("table:\n%s\nwant line 3 %q", b.String(), want)
	}
}
