package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
)

var (
	testFields = map[string]int{"a": 0, "b": 1, "c": 2, "é": 3}
	testIndex  = NewIndex([]string{"a", "b", "c", "é"})
)

func TestDecodeApplication(t *testing.T) {
	str, num := features.RawString, features.RawNumber
	absent := features.Raw{}
	tests := []struct {
		name     string
		in       string
		raw      []features.Raw
		ignored  []string
		problems []string // fields
		err      error
	}{
		{"empty object", `{}`, []features.Raw{absent, absent, absent, absent}, nil, nil, nil},
		{"strings and numbers", ` { "a" : "x" , "b":-1.5e3,"c":0 } `, []features.Raw{str("x"), num(-1500), num(0), absent}, nil, nil, nil},
		{"null is absent", `{"a":null}`, []features.Raw{absent, absent, absent, absent}, nil, nil, nil},
		{"escapes", `{"a":"q\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`, []features.Raw{str("q\"\\/\b\f\n\r\té😀"), absent, absent, absent}, nil, nil, nil},
		{"escaped key", `{"\u00e9":"1"}`, []features.Raw{absent, absent, absent, str("1")}, nil, nil, nil},
		{"lone surrogate", `{"a":"\ud83d!"}`, []features.Raw{str("\uFFFD!"), absent, absent, absent}, nil, nil, nil},
		{"invalid utf-8", "{\"a\":\"\xff\"}", []features.Raw{str("\uFFFD"), absent, absent, absent}, nil, nil, nil},
		{"unknown fields", `{"z":{"y":[1,{"x":null}]},"a":"1","w":true}`, []features.Raw{str("1"), absent, absent, absent}, []string{"z", "w"}, nil, nil},
		{"duplicate", `{"a":"1","a":2}`, []features.Raw{num(2), absent, absent, absent}, nil, []string{"a"}, nil},
		{"duplicate thrice", `{"a":"1","b":1,"a":2,"a":null}`, []features.Raw{absent, num(1), absent, absent}, nil, []string{"a"}, nil},
		{"duplicate escaped", `{"a":"1","\u0061":2,"\u00e9":1,"é":3}`, []features.Raw{num(2), absent, absent, num(3)}, nil, []string{"a", "é"}, nil},
		{"duplicate with wrong type", `{"a":true,"a":1}`, []features.Raw{num(1), absent, absent, absent}, nil, []string{"a", "a"}, nil},
		{"duplicate unknown", `{"z":1,"z":2}`, []features.Raw{absent, absent, absent, absent}, []string{"z", "z"}, nil, nil},
		{"wrong types", `{"a":true,"b":[],"c":{}}`, []features.Raw{absent, absent, absent, absent}, nil, []string{"a", "b", "c"}, nil},
		{"huge number", `{"a":1e400}`, []features.Raw{num(math.Inf(1)), absent, absent, absent}, nil, nil, nil},
		{"array", `[]`, nil, nil, nil, ErrNotObject},
		{"number", `1`, nil, nil, nil, ErrNotObject},
		{"empty", ``, nil, nil, nil, ErrSyntax},
		{"blank", "  \n", nil, nil, nil, ErrSyntax},
		{"trailing comma", `{"a":1,}`, nil, nil, nil, ErrSyntax},
		{"trailing data", `{"a":1}x`, nil, nil, nil, ErrSyntax},
		{"leading zero", `{"a":01}`, nil, nil, nil, ErrSyntax},
		{"bare dot", `{"a":1.}`, nil, nil, nil, ErrSyntax},
		{"plus sign", `{"a":+1}`, nil, nil, nil, ErrSyntax},
		{"bad escape", `{"a":"\x"}`, nil, nil, nil, ErrSyntax},
		{"short unicode escape", `{"a":"\u12"}`, nil, nil, nil, ErrSyntax},
		{"control character", "{\"a\":\"\x01\"}", nil, nil, nil, ErrSyntax},
		{"single quotes", `{'a':1}`, nil, nil, nil, ErrSyntax},
		{"bad literal", `{"a":nul}`, nil, nil, nil, ErrSyntax},
		{"unterminated", `{"a":"1"`, nil, nil, nil, ErrSyntax},
		{"deep unknown", `{"z":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, nil, nil, nil, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a Application
			a.Reset(len(testFields))
			err := DecodeApplication(tt.in, testIndex, &a)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !slices.Equal(a.Raw, tt.raw) {
				t.Errorf("raw %v; want %v", a.Raw, tt.raw)
			}
			if !slices.Equal(a.Ignored, tt.ignored) {
				t.Errorf("ignored %q; want %q", a.Ignored, tt.ignored)
			}
			var fields []string
			for _, p := range a.Problems {
				fields = append(fields, p.Field)
			}
			if !slices.Equal(fields, tt.problems) {
				t.Errorf("problems on %q; want %q", fields, tt.problems)
			}
		})
	}
}

// FuzzDecodeApplication checks the request decoder against encoding/json:
// it never panics, accepts exactly the objects encoding/json accepts, and
// decodes them to the same values.
func FuzzDecodeApplication(f *testing.F) {
	for _, s := range []string{
		`{}`, `{"a":"1","b":2,"c":null}`, `{"a":"\u00e9\ud83d\ude00","z":[1,{"y":true}]}`,
		`{"a":1e400}`, `[1]`, `{"a":"\ud800"}`, `{"a":-0.0e-0}`, `{"é":"x","a":"y","a":"z"}`,
		"{\"a\":\"\xff\"}", `{"a":01}`, ` {"b" : [ ] } `, `{"applications":[{"a":1},"x"]}`,
		`{"a":"1","b":"2","c":"3"}`, `{"b":"2","x":"0","a":"1"}`, `{"ab":"1","a\"":"2","a":"3"}`, `{"a" :"1","b":2}`,
		`{"a":"1","a":"1"}`, `{"a":"1","\u0061":2}`, `{"b":1,"x":2,"b":3,"x":4,"b":5}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// Decoded with an empty key cache, with the cache this body
		// filled, and with a cache primed by another object.
		var fresh, primed Application
		primed.Reset(len(testFields))
		DecodeApplication(`{"x":"0","a":"1","b":"2","c":"3","é":"4","y":"5"}`, testIndex, &primed)
		for _, a := range []*Application{&fresh, &fresh, &primed} {
			checkDecoded(t, in, a)
		}
	})
}

// checkDecoded decodes in into a and checks the outcome against
// encoding/json: the same bodies refused, the same values in every field,
// the same ignored fields.
func checkDecoded(t *testing.T, in string, a *Application) {
	t.Helper()
	a.Reset(len(testFields))
	err := DecodeApplication(in, testIndex, a)
	var ref any
	refErr := json.Unmarshal([]byte(in), &ref)
	obj, isObj := ref.(map[string]any)
	if refErr != nil {
		// encoding/json also refuses numbers out of float64 range, which
		// we accept as ±Inf (reported by the pipeline).
		var rangeErr *json.UnmarshalTypeError
		if err == nil && !errors.As(refErr, &rangeErr) {
			t.Fatalf("accepted %q; encoding/json says %v", in, refErr)
		}
		return
	}
	if !isObj {
		if !errors.Is(err, ErrNotObject) {
			t.Fatalf("%q is not an object: error %v; want ErrNotObject", in, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("refused %q: %v; encoding/json accepts it", in, err)
	}
	// Compact vouches for the body as encoding/json.Compact writes it.
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(in)); err != nil || a.Compact() && compact.String() != in {
		t.Errorf("%q: Compact() = %v; encoding/json.Compact gives %q, %v", in, a.Compact(), compact.String(), err)
	}
	for name, i := range testFields {
		var want features.Raw
		switch v := obj[name].(type) {
		case string:
			want = features.RawString(v)
		case float64:
			want = features.RawNumber(v)
		}
		if got := a.Raw[i]; got != want {
			t.Errorf("%q: field %q = %+v; want %+v", in, name, got, want)
		}
	}
	// Inputs sent more than once are problems, each named once.
	var dups, gotDups []string
	counts := map[string]int{}
	for _, k := range topLevelKeys(t, in) {
		if _, ok := testFields[k]; ok {
			if counts[k]++; counts[k] == 2 {
				dups = append(dups, k)
			}
		}
	}
	for _, p := range a.Problems {
		if p.Problem == ProblemDuplicate {
			gotDups = append(gotDups, p.Field)
		}
	}
	if !slices.Equal(gotDups, dups) {
		t.Errorf("%q: duplicate problems on %q; want %q", in, gotDups, dups)
	}
	var ignored []string
	for name := range obj {
		if _, ok := testFields[name]; !ok {
			ignored = append(ignored, name)
		}
	}
	got := slices.Compact(slices.Sorted(slices.Values(a.Ignored)))
	slices.Sort(ignored)
	if !slices.Equal(got, ignored) {
		t.Errorf("%q: ignored %q; want %q", in, got, ignored)
	}
}

func TestCompact(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{`{}`, true},
		{`{"a":"1","b":2,"c":null,"x":"y"}`, true},
		{`{"a":" 36 months","x":"a b\tc"}`, true},
		{`{"a":"1","a":"2"}`, true},
		{` {"a":"1"}`, false},
		{`{"a":"1"} `, false},
		{`{"a" :"1"}`, false},
		{`{"a": "1"}`, false},
		{`{"a":"1" ,"b":2}`, false},
		{"{\n\"a\":\"1\"}", false},
		{`{"x":[1,2]}`, false},
		{`{"x":{"y":1}}`, false},
		{`{"a":[1]}`, false},
	}
	var a Application
	for _, tt := range tests {
		a.Reset(len(testFields))
		if err := DecodeApplication(tt.body, testIndex, &a); err != nil {
			t.Fatalf("%q: %v", tt.body, err)
		}
		if got := a.Compact(); got != tt.want {
			t.Errorf("Compact() of %q = %v; want %v", tt.body, got, tt.want)
		}
	}
}

func TestIndex(t *testing.T) {
	names := []string{"loan_amnt", "term", "int_rate", "installment", "grade", "sub_grade", "emp_length",
		"annual_inc", "a", "b", "ab", "ba", "", "x_y", "y_x", "issue_d", "earliest_cr_line", "é"}
	f := NewIndex(names)
	for want, name := range names {
		if got, _ := f.lookupName(name); got != want {
			t.Errorf("lookup(%q) = %d; want %d", name, got, want)
		}
	}
	for _, name := range []string{"loan", "terms", "grade ", "c", "zz", "A"} {
		if got, _ := f.lookupName(name); got != -1 {
			t.Errorf("lookup(%q) = %d; want -1", name, got)
		}
	}
}

// TestSpecialBytes checks the word-at-a-time scan against a byte loop for
// every special byte at every position, with every kind of byte around.
func TestSpecialBytes(t *testing.T) {
	isSpecial := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	fills := []byte{'a', ' ', '~', '!', '#', '[', 0x21, 0x7f}
	specials := []byte{'"', '\\', 0x00, 0x1f, 0x0a, 0x80, 0xc3, 0xff}
	for _, fill := range fills {
		for _, sp := range specials {
			for pos := range 8 {
				for _, later := range []byte{fill, '"', 0x01, 0xe9} {
					var w [8]byte
					for k := range w {
						w[k] = fill
					}
					w[pos] = sp
					if pos < 7 {
						w[7] = later
					}
					want := -1
					for k, c := range w {
						if isSpecial(c) {
							want = k
							break
						}
					}
					m := specialBytes(load64(string(w[:]), 0))
					got := -1
					if m != 0 {
						got = bits.TrailingZeros64(m) >> 3
					}
					if got != want {
						t.Fatalf("%q: first special byte at %d; want %d", w, got, want)
					}
				}
			}
		}
	}
	if m := specialBytes(load64("abcdefgh", 0)); m != 0 {
		t.Errorf("plain word flagged: %#x", m)
	}
}

// topLevelKeys returns the field names of the JSON object in, in order and
// with repeats, as encoding/json's tokenizer reads them.
func topLevelKeys(t *testing.T, in string) []string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(in))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("%q: not an object: %v %v", in, tok, err)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
	}
	return keys
}
