package specs

import (
	"maps"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/dataset"
)

// TestReasonCatalogues checks that every shipped spec has a complete
// reason-code catalogue: an entry for every column it declares and every
// field a derived feature reads (but the application date), so that a
// declined application's reasons never fall back to bare field names.
func TestReasonCatalogues(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			s, err := Load(name)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Reasons) == 0 {
				t.Fatal("no reasons block")
			}
			fields := slices.Collect(maps.Keys(s.Columns))
			for _, d := range s.Derived {
				fields = append(fields, d.Args...)
			}
			for _, f := range fields {
				if s.RoleOf(f) != dataset.RoleFeature {
					continue
				}
				if _, ok := s.Reasons[f]; !ok {
					t.Errorf("field %s has no entry under reasons", f)
				}
			}
		})
	}
}
