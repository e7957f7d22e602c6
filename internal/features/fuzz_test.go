package features

import (
	"encoding/json"
	"testing"
)

// FuzzPipeline decodes a pipeline as a model file carries it: Init either
// refuses it or returns a pipeline that transforms any record without
// panicking, whatever its special values, patterns and features.
func FuzzPipeline(f *testing.F) {
	p := specialPipeline(f)
	p.Inputs[0].Pattern = `(\d+)`
	seed, err := json.Marshal(p)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed, "d_96", "other")
	f.Add([]byte(`{"version":1,"inputs":[{"name":"a","kind":"categorical"}],"features":[{"name":"a=other","kind":"onehot","source":"a","level":"other"}]}`), "x", "y")
	f.Add([]byte(`{"version":2,"inputs":[{"name":"a","kind":"numeric","parser":"number","special":["1"],"pattern":"(a)"}],"features":[{"name":"s","kind":"special","source":"a","level":"1"}]}`), "a", "")
	f.Add([]byte(`{"version":2,"inputs":[{"name":"a","kind":"numeric","parser":"number","stats":{"median":3},"reasons":{"code":"A","statement":"A","high":{"code":"A_HIGH","statement":"A too high"},"missing":{"code":"A_NI","statement":"No A"}}},{"name":"b","kind":"ordinal","order":["x","y"],"stats":{"median":0}}],"derived":[{"name":"d","op":"sum","args":["a","a"],"scale":1}],"features":[{"name":"a","kind":"number","source":"a"},{"name":"b","kind":"rank","source":"b"},{"name":"d","kind":"number","source":"d"}]}`), "4", "y")
	f.Fuzz(func(t *testing.T, data []byte, a, b string) {
		var p Pipeline
		if json.Unmarshal(data, &p) != nil || p.Init() != nil {
			return
		}
		raw := make([]Raw, len(p.Inputs))
		for i := range raw {
			switch i % 3 {
			case 0:
				raw[i] = RawString(a)
			case 1:
				raw[i] = RawString(b)
			}
		}
		x := make([]float64, p.NumFeatures())
		row := p.NewRow()
		if p.Transform(raw, row, x) != nil {
			return
		}
		dirs := make([]Direction, len(p.Inputs))
		p.Directions(row, dirs)
		byInput := make([]float64, len(p.Inputs))
		p.FieldContributions(x, byInput)
		for i, d := range dirs {
			if r := p.Reason(i, d); r.Code == "" || r.Statement == "" {
				t.Fatalf("input %d: empty reason %+v", i, r)
			}
		}
	})
}
