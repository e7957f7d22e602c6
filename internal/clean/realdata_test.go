package clean

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/specs"
)

// TestSpecialValuesRealData declares special values on real files: German
// credit's "unknown/none" savings (A65) and UCI Taiwan's undocumented
// education codes 0, 5 and 6. Each is counted (183; 14, 280, 51 as the
// files hold them), kept out of the levels, and recorded row by row. It
// needs CREDIT_RISK_DATASETS.
func TestSpecialValuesRealData(t *testing.T) {
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		t.Skip("CREDIT_RISK_DATASETS not set: the real data sets are not available")
	}
	tests := []struct {
		name, spec, dir string
		edit            func(s *dataset.Spec)
		column          string
		want            []ValueCount
	}{
		{"german credit", "german_credit", "german_credit_statlog", func(s *dataset.Spec) {
			s.Files = []string{"german.data"}
			c := s.Columns["savings_status"]
			c.Order = slices.DeleteFunc(slices.Clone(c.Order), func(l string) bool { return l == "unknown/none" })
			c.SpecialValues = []string{"A65"}
			s.Columns["savings_status"] = c
		}, "savings_status", []ValueCount{{"A65", 183}}},
		{"uci taiwan", "uci_taiwan", "uci_credit_card_default_taiwan", func(s *dataset.Spec) {
			c := s.Columns["EDUCATION"]
			c.SpecialValues = []string{"0", "5", "6"}
			s.Columns["EDUCATION"] = c
		}, "EDUCATION", []ValueCount{{"0", 14}, {"5", 280}, {"6", 51}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, err := specs.Load(tt.spec)
			if err != nil {
				t.Fatal(err)
			}
			tt.edit(spec)
			if err := spec.Validate(); err != nil {
				t.Fatal(err)
			}
			res, err := Analyze(t.Context(), spec, Options{RawDir: filepath.Join(root, tt.dir)})
			if err != nil {
				t.Fatal(err)
			}
			var cl ColumnLog
			for _, c := range res.Log.Columns {
				if c.Name == tt.column {
					cl = c
				}
			}
			if !slices.Equal(cl.Special, tt.want) {
				t.Errorf("special value counts %v; want %v", cl.Special, tt.want)
			}
			var in features.Input
			for _, x := range res.Log.Inputs {
				if x.Name == tt.column {
					in = x
				}
			}
			for _, sv := range tt.want {
				l := sv.Value
				if lab, ok := in.Labels[l]; ok {
					l = lab
				}
				if slices.Contains(in.Stats.Levels, l) {
					t.Errorf("training levels %v list the special value %s", in.Stats.Levels, sv.Value)
				}
			}
			col, special := res.Table.Col(tt.column), res.Table.Col(features.SpecialColumn(tt.column))
			if col == nil || special == nil {
				t.Fatalf("cleaned table lacks %s or its special column", tt.column)
			}
			counts := make([]int, len(tt.want))
			for i, k := range special.Num {
				if k > 0 {
					counts[int(k)-1]++
					if col.Codes[i] >= 0 {
						t.Fatalf("row %d: special value %v cleaned to level %q; want missing", i, k, col.String(i))
					}
				}
			}
			for k, sv := range tt.want {
				if counts[k] != sv.Count {
					t.Errorf("%d rows marked %s; want %d", counts[k], sv.Value, sv.Count)
				}
			}
		})
	}
}
