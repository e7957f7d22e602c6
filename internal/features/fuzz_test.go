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
		p.Transform(raw, p.NewRow(), x)
	})
}
