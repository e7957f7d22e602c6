package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecodeSpec: any input is either a valid spec or an ErrSpec-wrapped
// error (or a validation error naming a key); decoding never panics and a
// decoded spec validates.
func FuzzDecodeSpec(f *testing.F) {
	shipped, _ := filepath.Glob(filepath.Join("..", "..", "specs", "*.yaml"))
	for _, path := range shipped {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\n"))
	f.Add([]byte(`{"name": "x", "target": {"column": "y", "bad": ["1"], "good": ["0"]}}`))
	f.Add([]byte("name: x\nname: y\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("columns: {a: {valid_range: [1, 0]}}"))
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\nmissing_values: ['-']\nmissing_values_replace_defaults: true\ncolumns:\n  d: {type: numeric, special_values: [96, 98], min: 0, max: 60}\n  e: {type: numeric, pattern: '(\\d+)', missing_values: [emp_unk]}\n  g: {type: ordinal, order: [a, b], special_values: [u]}\n"))
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\ncolumns: {d: {type: numeric, special_values: [NA, 1, '1.0']}}\n"))
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\ncolumns: {d: {type: date, format: YYYY-MM-DD, special_values: ['1900-01-01'], pattern: '(a)(b)'}}\n"))
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\ncolumns: {a: {type: numeric}, b: {type: categorical}}\nreasons:\n  a: {code: A, statement: Amount, high: {code: A_HIGH, statement: Too high}, low: {code: A_LOW, statement: Too low}, missing: {code: A_NI, statement: No amount}}\n  b: {code: A, statement: Amount, missing: {code: B_NI, statement: No b}}\n"))
	f.Add([]byte("name: x\ntarget: {column: y, bad: [1], good: [0]}\ncolumns: {b: {type: categorical}}\nreasons: {b: {code: '-B', statement: \"\\t\", low: {code: B, statement: B}, missing: {}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := DecodeSpec(bytes.NewReader(data))
		if err != nil {
			if s != nil {
				t.Fatalf("a spec and an error: %v", err)
			}
			if err.Error() == "" {
				t.Fatal("an error with no message")
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("DecodeSpec returned a spec that does not validate: %v", err)
		}
	})
}
