package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestAppendCompact(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // "" when in is not JSON
	}{
		{"object", "{\n  \"loan_amnt\": 10000,\n  \"term\": \" 36 months\"\n}", `{"loan_amnt":10000,"term":" 36 months"}`},
		{"empty object", " { } ", `{}`},
		{"empty array", "[\t]", `[]`},
		{"nested", `{"a": [1, {"b": [ ]}, [[ null ]]], "c": {}}`, `{"a":[1,{"b":[]},[[null]]],"c":{}}`},
		{"top-level string", ` "a b" `, `"a b"`},
		{"top-level number", "\r\n-0.5e+10\n", `-0.5e+10`},
		{"literals", `[true, false, null]`, `[true,false,null]`},
		{"spaces in strings kept", `{"a b": " c\td "}`, `{"a b":" c\td "}`},
		{"escapes kept", `["\"\\\/\b\f\n\r\t", "\u00e9\uD83D\uDE00"]`, `["\"\\\/\b\f\n\r\t","\u00e9\uD83D\uDE00"]`},
		{"escaped quote then space", `["a\"" , "b\\" ]`, `["a\"","b\\"]`},
		{"utf-8 kept", `{"emp_title": "Infirmière € 😀"}`, `{"emp_title":"Infirmière € 😀"}`},
		{"invalid utf-8 kept", "[\"\xff\xfe\"]", "[\"\xff\xfe\"]"},
		{"numbers", `[0, -0, 1.25, 1e5, 1E-5, 12e+3, 0.0]`, `[0,-0,1.25,1e5,1E-5,12e+3,0.0]`},
		{"del in string", "[\"\x7f\"]", "[\"\x7f\"]"},

		{"empty", ``, ""},
		{"only space", " \n ", ""},
		{"cut object", `{"a":`, ""},
		{"cut string", `{"a":"b`, ""},
		{"cut escape", `["\`, ""},
		{"cut unicode escape", `["\u00e"]`, ""},
		{"bad escape", `["\x"]`, ""},
		{"newline in string", "[\"a\nb\"]", ""},
		{"tab in string", "[\"a\tb\"]", ""},
		{"nul in string", "[\"a\x00b\"]", ""},
		{"control outside", "[1,\x01 2]", ""},
		{"vertical tab outside", "[1,\v2]", ""},
		{"missing colon", `{"a" 1}`, ""},
		{"missing comma", `[1 2]`, ""},
		{"trailing comma", `[1,]`, ""},
		{"trailing comma in object", `{"a":1,}`, ""},
		{"leading comma", `[,1]`, ""},
		{"key not a string", `{a:1}`, ""},
		{"number key", `{1:1}`, ""},
		{"mismatched", `[1}`, ""},
		{"mismatched object", `{"a":1]`, ""},
		{"unclosed", `[[1]`, ""},
		{"extra close", `[1]]`, ""},
		{"two values", `1 2`, ""},
		{"leading zero", `01`, ""},
		{"bare minus", `-`, ""},
		{"bare dot", `1.`, ""},
		{"dot first", `.5`, ""},
		{"bare exponent", `1e`, ""},
		{"exponent sign only", `1e+`, ""},
		{"plus sign", `+1`, ""},
		{"bad literal", `tru`, ""},
		{"literal case", `True`, ""},
		{"literal tail", `nulls`, ""},
		{"nan", `NaN`, ""},
		{"byte order mark", "\ufeff{}", ""},
		{"single quotes", `{'a':1}`, ""},
		{"comment", `{} // x`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ref bytes.Buffer
			refErr := json.Compact(&ref, []byte(tt.in))
			if (refErr == nil) != (tt.want != "") || refErr == nil && ref.String() != tt.want {
				t.Fatalf("case disagrees with encoding/json.Compact: %q, %v", ref.String(), refErr)
			}
			prefix := []byte("prefix:")
			got, err := appendCompact(prefix, []byte(tt.in))
			switch {
			case tt.want == "" && err == nil:
				t.Errorf("appendCompact(%q) = %q; want an error", tt.in, got)
			case tt.want != "" && err != nil:
				t.Errorf("appendCompact(%q): %v", tt.in, err)
			case string(got) != "prefix:"+tt.want:
				t.Errorf("appendCompact(%q) = %q; want %q after the prefix", tt.in, got, tt.want)
			}
		})
	}
}

func TestAppendCompactDepth(t *testing.T) {
	tests := []struct {
		name  string
		depth int
		inner string
		ok    bool
	}{
		{"arrays at the limit", maxDepth, "", true},
		{"arrays past the limit", maxDepth + 1, "", false},
		{"empty array past the limit", maxDepth, "[]", false},
		{"objects past the limit", maxDepth + 1, "{}", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Repeat("[", tt.depth) + tt.inner + strings.Repeat("]", tt.depth)
			if refErr := json.Compact(new(bytes.Buffer), []byte(in)); (refErr == nil) != tt.ok {
				t.Fatalf("case disagrees with encoding/json.Compact: %v", refErr)
			}
			got, err := appendCompact(nil, []byte(in))
			if (err == nil) != tt.ok {
				t.Fatalf("appendCompact: %v; want ok=%v", err, tt.ok)
			}
			if err == nil && string(got) != in {
				t.Errorf("appendCompact changed a compact input")
			}
		})
	}
}

// FuzzAppendCompact checks appendCompact against encoding/json.Compact: the
// same verdict on any input, and the same bytes for valid JSON.
func FuzzAppendCompact(f *testing.F) {
	f.Add(string(benchInput))
	f.Add("{\n  \"loan_amnt\": 10000,\n  \"term\": \" 36 months\",\"emp_title\":\"Nurse \\\"RN\\\"\\n\"\n}")
	f.Add(`[1, -0.5e+10, true, false, null, {"a": [ ]}, "\u00e9\/"]`)
	f.Add(`{"a" 1}`)
	f.Add(`[1,]`)
	f.Add("[\"\x01\"]")
	f.Fuzz(func(t *testing.T, in string) {
		var ref bytes.Buffer
		refErr := json.Compact(&ref, []byte(in))
		got, err := appendCompact([]byte("x"), []byte(in))
		if (err == nil) != (refErr == nil) {
			t.Fatalf("appendCompact(%q): err %v; encoding/json.Compact: %v", in, err, refErr)
		}
		if err != nil {
			if string(got) != "x" {
				t.Errorf("appendCompact(%q) failed and left %q", in, got)
			}
			return
		}
		if string(got[1:]) != ref.String() {
			t.Errorf("appendCompact(%q) = %q; encoding/json.Compact: %q", in, got[1:], ref.String())
		}
		if bytes.ContainsFunc(got, func(r rune) bool { return r < 0x20 }) {
			t.Errorf("appendCompact(%q) = %q holds a control character", in, got)
		}
	})
}

// BenchmarkCompact compacts an application the size of a raw Lending Club
// row, spaced (a space after every colon and comma) and already compact
// (what clients usually send), with encoding/json.Compact and with
// appendCompact.
func BenchmarkCompact(b *testing.B) {
	spaced := bytes.ReplaceAll(benchInput, []byte(`":"`), []byte(`": "`))
	spaced = bytes.ReplaceAll(spaced, []byte(`","`), []byte(`", "`))
	for _, in := range []struct {
		name string
		data []byte
	}{{"spaced", spaced}, {"compact", benchInput}} {
		b.Run(in.name+"/encoding-json", func(b *testing.B) {
			var buf bytes.Buffer
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				if err := json.Compact(&buf, in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(in.name+"/appendCompact", func(b *testing.B) {
			var buf []byte
			b.SetBytes(int64(len(in.data)))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if buf, err = appendCompact(buf[:0], in.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestSpecial(t *testing.T) {
	tests := []struct {
		b    byte
		want bool
	}{
		{'"', true}, {'\\', true}, {0x00, true}, {'\n', true}, {0x1f, true},
		{' ', false}, {'a', false}, {'/', false}, {0x7f, false}, {0x80, false}, {0x9f, false}, {0xa0, false}, {0xdc, false}, {0xff, false},
	}
	for _, tt := range tests {
		for pos := range 8 {
			for _, fill := range []byte{'x', 0xff, 0x21, 0x80} {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = tt.b
				var v uint64
				for i := 7; i >= 0; i-- {
					v = v<<8 | uint64(w[i])
				}
				if got := special(v); got != tt.want {
					t.Errorf("special(% x) = %v; want %v", w, got, tt.want)
				}
			}
		}
	}
}
