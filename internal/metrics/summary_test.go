package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

// oldMetrics is the metrics object of a model metadata file written when
// the metrics were a map[string]float64 (a Lending Club gbdt_v1), encoded
// by json.Marshal as that map.
const oldMetrics = `{"accuracy":0.6529249193919853,"brier":0.12581099806548085,"ece":0.013672025457869238,"f1":0.3681341719077568,"fit_seconds":0.521274061,"fn":518,"fp":2496,"gini":0.3984366891133204,"ks":0.2942341140910678,"log_loss":0.40741642587195126,"pr_auc":0.2993198148269168,"precision":0.26022525192649676,"recall":0.6289398280802292,"roc_auc":0.6992183445566602,"threshold":0.155,"tn":4792,"tp":878,"valid_rows":6770}`

// TestSummary_JSON checks that objects in the map's form decode into a
// Summary and encode back to the same bytes, the map's encoding of them.
func TestSummary_JSON(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Summary
	}{
		{
			name: "train run",
			in:   oldMetrics,
			want: Summary{
				ROCAUC: 0.6992183445566602, PRAUC: 0.2993198148269168, KS: 0.2942341140910678, Gini: 0.3984366891133204,
				Brier: 0.12581099806548085, LogLoss: 0.40741642587195126, ECE: 0.013672025457869238,
				Threshold: 0.155, Precision: 0.26022525192649676, Recall: 0.6289398280802292, F1: 0.3681341719077568, Accuracy: 0.6529249193919853,
				TP: 878, FP: 2496, TN: 4792, FN: 518, FitSeconds: 0.521274061, ValidRows: 6770,
			},
		},
		{
			name: "evaluation without run values",
			in:   `{"accuracy":0.5,"brier":0.25,"ece":0,"f1":0,"fn":2,"fp":0,"gini":0,"ks":0,"log_loss":0.7,"pr_auc":0.5,"precision":0,"recall":0,"roc_auc":0.5,"threshold":0.5,"tn":2,"tp":0}`,
			want: Summary{ROCAUC: 0.5, PRAUC: 0.5, Brier: 0.25, LogLoss: 0.7, Threshold: 0.5, Accuracy: 0.5, TN: 2, FN: 2},
		},
		{
			// Keys that Summary has no field for are kept, as the map
			// kept them, and written back in their place.
			name: "unknown keys",
			in:   strings.Replace(strings.Replace(oldMetrics, `"ks"`, `"kappa":0.25,"ks"`, 1), `}`, `,"zeta":-1}`, 1),
		},
		{name: "null", in: `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s Summary
			if err := json.Unmarshal([]byte(tt.in), &s); err != nil {
				t.Fatalf("decode: %v", err)
			}
			var asMap map[string]float64
			if err := json.Unmarshal([]byte(tt.in), &asMap); err != nil {
				t.Fatal(err)
			}
			if tt.name == "unknown keys" {
				if s.Extra["kappa"] != 0.25 || s.Extra["zeta"] != -1 || len(s.Extra) != 2 || s.ROCAUC != 0.6992183445566602 {
					t.Errorf("got %+v; want roc_auc 0.6992183445566602 and Extra kappa 0.25, zeta -1", s)
				}
			} else if !equalSummary(s, tt.want) {
				t.Errorf("got %+v; want %+v", s, tt.want)
			}
			got, err := json.Marshal(s)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, []byte(tt.in)) {
				t.Errorf("encoded back\n%s\nwant\n%s", got, tt.in)
			}
			if want, _ := json.Marshal(asMap); !bytes.Equal(got, want) {
				t.Errorf("encoded\n%s\nthe map encodes\n%s", got, want)
			}
		})
	}
}

func equalSummary(a, b Summary) bool {
	am, bm := a.Map(), b.Map()
	if len(am) != len(bm) {
		return false
	}
	for k, v := range am {
		if w, ok := bm[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// TestSummary_inStruct checks a Summary inside a struct decoded with
// DisallowUnknownFields, as the registry decodes its file: an unknown
// metric key is no unknown field, as with the map.
func TestSummary_inStruct(t *testing.T) {
	in := `{"name":"gbdt","metrics":{"roc_auc":0.7,"new_metric":3}}`
	dec := json.NewDecoder(strings.NewReader(in))
	dec.DisallowUnknownFields()
	var v struct {
		Name    string  `json:"name"`
		Metrics Summary `json:"metrics"`
	}
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if v.Metrics.ROCAUC != 0.7 || v.Metrics.Extra["new_metric"] != 3 {
		t.Errorf("got %+v; want roc_auc 0.7, Extra new_metric 3", v.Metrics)
	}
}

// TestSummary_Map checks that a Summary without values maps to no keys,
// as the nil map of a model file without metrics did.
func TestSummary_Map(t *testing.T) {
	var nilSummary *Summary
	for name, s := range map[string]*Summary{"nil": nilSummary, "zero": {}} {
		if m := s.Map(); len(m) != 0 {
			t.Errorf("%s: got %v; want no keys", name, m)
		}
	}
	if m := (&Summary{TN: 3}).Map(); len(m) != 16 || m["tn"] != 3 {
		t.Errorf("got %v; want the 16 evaluation keys, tn 3", m)
	}
}

func TestSummary_errors(t *testing.T) {
	for _, in := range []string{`{"tp":1.5}`, `{"roc_auc":"high"}`, `[1]`, `{"fn":1e300}`} {
		var s Summary
		if err := json.Unmarshal([]byte(in), &s); err == nil {
			t.Errorf("decode %s: got %+v; want an error", in, s)
		}
	}
	if _, err := json.Marshal(Summary{ROCAUC: math.NaN()}); err == nil {
		t.Error("encode NaN: got no error; want one, as for a map")
	}
}

// TestSummary_fieldsSorted checks the key table that the JSON form relies
// on: sorted, unique, and every field of Summary in it once.
func TestSummary_fieldsSorted(t *testing.T) {
	for i := 1; i < len(summaryFields); i++ {
		if summaryFields[i-1].key >= summaryFields[i].key {
			t.Errorf("key %q before %q", summaryFields[i-1].key, summaryFields[i].key)
		}
	}
	var s Summary
	for i := range summaryFields {
		if err := summaryFields[i].set(&s, float64(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	m := s.Map()
	for i := range summaryFields {
		if got := m[summaryFields[i].key]; got != float64(i+1) {
			t.Errorf("%s: got %v; want %v (two keys share a field?)", summaryFields[i].key, got, i+1)
		}
	}
	// Every field but Extra has a key.
	if n := reflect.TypeFor[Summary]().NumField() - 1; len(summaryFields) != n {
		t.Errorf("got %d keys; want %d, one per field", len(summaryFields), n)
	}
}
