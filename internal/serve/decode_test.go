package serve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
)

var (
	testFields = map[string]int{"a": 0, "b": 1, "c": 2, "é": 3}
	testIndex  = newFieldIndex([]string{"a", "b", "c", "é"})
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
		{"last duplicate wins", `{"a":"1","a":2}`, []features.Raw{num(2), absent, absent, absent}, nil, nil, nil},
		{"wrong types", `{"a":true,"b":[],"c":{}}`, []features.Raw{absent, absent, absent, absent}, nil, []string{"a", "b", "c"}, nil},
		{"huge number", `{"a":1e400}`, []features.Raw{num(math.Inf(1)), absent, absent, absent}, nil, nil, nil},
		{"array", `[]`, nil, nil, nil, errNotObject},
		{"number", `1`, nil, nil, nil, errNotObject},
		{"empty", ``, nil, nil, nil, errSyntax},
		{"blank", "  \n", nil, nil, nil, errSyntax},
		{"trailing comma", `{"a":1,}`, nil, nil, nil, errSyntax},
		{"trailing data", `{"a":1}x`, nil, nil, nil, errSyntax},
		{"leading zero", `{"a":01}`, nil, nil, nil, errSyntax},
		{"bare dot", `{"a":1.}`, nil, nil, nil, errSyntax},
		{"plus sign", `{"a":+1}`, nil, nil, nil, errSyntax},
		{"bad escape", `{"a":"\x"}`, nil, nil, nil, errSyntax},
		{"short unicode escape", `{"a":"\u12"}`, nil, nil, nil, errSyntax},
		{"control character", "{\"a\":\"\x01\"}", nil, nil, nil, errSyntax},
		{"single quotes", `{'a':1}`, nil, nil, nil, errSyntax},
		{"bad literal", `{"a":nul}`, nil, nil, nil, errSyntax},
		{"unterminated", `{"a":"1"`, nil, nil, nil, errSyntax},
		{"deep unknown", `{"z":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, nil, nil, nil, errSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a application
			a.reset(len(testFields))
			err := decodeApplication(tt.in, testIndex, &a)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if !slices.Equal(a.raw, tt.raw) {
				t.Errorf("raw %v; want %v", a.raw, tt.raw)
			}
			if !slices.Equal(a.ignored, tt.ignored) {
				t.Errorf("ignored %q; want %q", a.ignored, tt.ignored)
			}
			var fields []string
			for _, p := range a.problems {
				fields = append(fields, p.Field)
			}
			if !slices.Equal(fields, tt.problems) {
				t.Errorf("problems on %q; want %q", fields, tt.problems)
			}
		})
	}
}

// readTestBatch reads a batch body with the test field index, without a
// model, on workers goroutines, each given at least segmentBytes of it (0:
// minSegmentBytes).
func readTestBatch(body string, workers, segmentBytes int) ([]*segment, *features.FieldError, error) {
	b := &batchReader{body: body, index: testIndex, nraw: len(testFields), maxItems: math.MaxInt, pool: new(sync.Pool), segmentBytes: segmentBytes}
	return b.readBatch(workers)
}

// itemKinds lists the kind of every item of segs: "object" or, for an item
// that is not an object, its kind.
func itemKinds(segs []*segment) []string {
	var kinds []string
	for _, seg := range segs {
		for _, r := range seg.results {
			if r.notJSON != "" {
				kinds = append(kinds, r.notJSON)
			} else {
				kinds = append(kinds, "object")
			}
		}
	}
	return kinds
}

func TestBatchItems(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		items   []string
		problem string
		err     error
	}{
		{"items", `{"x":1,"applications":[{"a":1}, "s" ,[]],"y":{}}`, []string{"object", "a string", "an array"}, "", nil},
		{"empty", `{"applications":[]}`, nil, "", nil},
		{"missing", `{}`, nil, features.ProblemMissing, nil},
		{"not an array", `{"applications":{}}`, nil, features.ProblemType, nil},
		{"last wins", `{"applications":[1,2], "applications":[{}]}`, []string{"object"}, "", nil},
		{"last wins over an array", `{"applications":[{}], "applications":{}}`, nil, features.ProblemType, nil},
		{"array body", `[{}]`, nil, "", errNotObject},
		{"malformed item", `{"applications":[{"a":]}`, nil, "", errSyntax},
		{"trailing", `{"applications":[]} 1`, nil, "", errSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, fe, err := readTestBatch(tt.in, 1, 0)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v; want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.problem != "" {
				if fe == nil || fe.Problem != tt.problem || fe.Field != "applications" {
					t.Fatalf("problem %v; want %s on applications", fe, tt.problem)
				}
				return
			}
			if fe != nil {
				t.Fatalf("problem %v; want none", fe)
			}
			if got := itemKinds(segs); !slices.Equal(got, tt.items) {
				t.Errorf("items %q; want %q", got, tt.items)
			}
		})
	}
}

// TestBatchSegments reads large bodies on several goroutines, with and
// without strings that make the guessed segment starts wrong, and checks
// that the items, their fields and the errors are those of a reading on
// one goroutine.
func TestBatchSegments(t *testing.T) {
	build := func(n int, item func(i int) string) string {
		var sb strings.Builder
		sb.WriteString(`{"applications": [`)
		for i := range n {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(item(i))
		}
		sb.WriteString(`], "after": {"x": [1, 2]}}`)
		return sb.String()
	}
	pad := strings.Repeat("p", 200)
	tests := []struct {
		name string
		body string
		err  bool
	}{
		{"plain", build(3000, func(i int) string { return fmt.Sprintf(`{"a": "%d", "f%d": "%s"}`, i, i%50, pad) }), false},
		{"traps", build(3000, func(i int) string {
			return fmt.Sprintf(`{"a": "%d", "t%d": "}, {\"a\": 1}, {", "p": "%s"}`, i, i%7, pad)
		}), false},
		{"trap strings as items", build(3000, func(i int) string {
			if i%3 == 0 {
				return `"},{\"a\":1},{"`
			}
			return fmt.Sprintf(`{"b": %d, "p": "%s"}`, i, pad)
		}), false},
		{"mixed kinds", build(2000, func(i int) string {
			switch i % 4 {
			case 0:
				return fmt.Sprintf(`[{"a": 1}, "%s"]`, pad)
			case 1:
				return "null"
			}
			return fmt.Sprintf(`{"c": %d.5, "p": "%s"}`, i, pad)
		}), false},
		{"syntax error late", strings.Replace(build(3000, func(i int) string { return fmt.Sprintf(`{"a": "%d", "p": "%s"}`, i, pad) }), `"a": "2900"`, `"a": 2900"`, 1), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantFE, wantErr := readTestBatch(tt.body, 1, 0)
			if (wantErr != nil) != tt.err || wantFE != nil {
				t.Fatalf("one goroutine: error %v, problem %v", wantErr, wantFE)
			}
			if len(tt.body) < 4*minSegmentBytes {
				t.Fatalf("body of %d bytes is too small for 4 segments", len(tt.body))
			}
			for _, workers := range []int{2, 3, 4, 7} {
				got, fe, err := readTestBatch(tt.body, workers, 0)
				if fmt.Sprint(err) != fmt.Sprint(wantErr) || fe != nil {
					t.Fatalf("%d goroutines: error %v, problem %v; want %v", workers, err, fe, wantErr)
				}
				if err != nil {
					continue
				}
				if g, w := itemKinds(got), itemKinds(want); !slices.Equal(g, w) {
					t.Fatalf("%d goroutines: %d items; want %d", workers, len(g), len(w))
				}
				ignored := func(segs []*segment) []string {
					var names []string
					for _, s := range segs {
						names = append(names, s.ignored...)
					}
					slices.Sort(names)
					return slices.Compact(names)
				}
				if g, w := ignored(got), ignored(want); !slices.Equal(g, w) {
					t.Errorf("%d goroutines: ignored %q; want %q", workers, g, w)
				}
			}
		})
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\s/", "\x00\x1f\n\t", "<a&b>", "é😀", "\xff\xfe", "\u2028\u2029"} {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			got := appendString(nil, s)
			want, _ := json.Marshal(s)
			if string(got) != string(want) {
				t.Errorf("appendString(%q) = %s; want %s", s, got, want)
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		// Decoded with an empty key cache, with the cache this body
		// filled, and with a cache primed by another object.
		var fresh, primed application
		primed.reset(len(testFields))
		decodeApplication(`{"x":"0","a":"1","b":"2","c":"3","é":"4","y":"5"}`, testIndex, &primed)
		for _, a := range []*application{&fresh, &fresh, &primed} {
			checkDecoded(t, in, a)
		}
	})
}

// checkDecoded decodes in into a and checks the outcome against
// encoding/json: the same bodies refused, the same values in every field,
// the same ignored fields.
func checkDecoded(t *testing.T, in string, a *application) {
	t.Helper()
	a.reset(len(testFields))
	err := decodeApplication(in, testIndex, a)
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
		if !errors.Is(err, errNotObject) {
			t.Fatalf("%q is not an object: error %v; want errNotObject", in, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("refused %q: %v; encoding/json accepts it", in, err)
	}
	for name, i := range testFields {
		var want features.Raw
		switch v := obj[name].(type) {
		case string:
			want = features.RawString(v)
		case float64:
			want = features.RawNumber(v)
		}
		if got := a.raw[i]; got != want {
			t.Errorf("%q: field %q = %+v; want %+v", in, name, got, want)
		}
	}
	var ignored []string
	for name := range obj {
		if _, ok := testFields[name]; !ok {
			ignored = append(ignored, name)
		}
	}
	got := slices.Compact(slices.Sorted(slices.Values(a.ignored)))
	slices.Sort(ignored)
	if !slices.Equal(got, ignored) {
		t.Errorf("%q: ignored %q; want %q", in, got, ignored)
	}
}

// checkBatch checks a batch body the way the batch handler does, cut in
// segments of a few bytes so that the guessed starts are tried too.
func checkBatch(in string) error {
	_, _, err := readTestBatch(in, 4, 4)
	return err
}

// FuzzBatchBody checks that a batch body is accepted exactly when
// encoding/json accepts it.
func FuzzBatchBody(f *testing.F) {
	for _, s := range []string{
		`{"applications":[]}`, `{"applications":[{"a":"1"},"x",1,[2,{"b":null}],true]}`,
		`{"applications":[{"a":"\"]}"}]}`, `{"applications":[{"a":]}`, `{"applications":[1 2]}`,
		`{"applications":[-]}`, `{"applications":["\\"]}`, `{"x":1,"applications":[{}],"y":[]}`,
		`{"applications":[{"a":"1"}}`, `{"applications":[[[]]]}`, `{"applications":[01]}`, `{}`,
		`{"applications":[{"a":"},{"},{"b":1} , {"c":"x},{y"},{}]}`, `{"applications":["},{",{},"},{"]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		err := checkBatch(in)
		var ref any
		refErr := json.Unmarshal([]byte(in), &ref)
		var rangeErr *json.UnmarshalTypeError
		switch {
		case refErr == nil:
			_, isObj := ref.(map[string]any)
			if isObj && err != nil {
				t.Fatalf("refused %q: %v; encoding/json accepts it", in, err)
			}
			if !isObj && !errors.Is(err, errNotObject) {
				t.Fatalf("%q is not an object: error %v; want errNotObject", in, err)
			}
		case errors.As(refErr, &rangeErr):
			// A number out of float64 range: valid syntax, accepted.
		case err == nil:
			t.Fatalf("accepted %q; encoding/json says %v", in, refErr)
		}
	})
}

func TestFieldIndex(t *testing.T) {
	names := []string{"loan_amnt", "term", "int_rate", "installment", "grade", "sub_grade", "emp_length",
		"annual_inc", "a", "b", "ab", "ba", "", "x_y", "y_x", "issue_d", "earliest_cr_line", "é"}
	f := newFieldIndex(names)
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

// TestBatchTooMany checks that a batch over the limit is refused whether
// the limit falls inside a segment or across segments.
func TestBatchTooMany(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`{"applications": [`)
	for i := range 3000 {
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, `{"a": "%d", "p": "%s"}`, i, strings.Repeat("p", 200))
	}
	sb.WriteString(`]}`)
	body := sb.String()
	for _, limit := range []int{10, 2999, 3000} {
		for _, workers := range []int{1, 2, 4} {
			b := &batchReader{body: body, index: testIndex, nraw: len(testFields), maxItems: limit, pool: new(sync.Pool)}
			segs, _, err := b.readBatch(workers)
			var tooMany errTooMany
			switch {
			case limit < 3000 && !errors.As(err, &tooMany):
				t.Errorf("limit %d, %d goroutines: error %v; want too many", limit, workers, err)
			case limit == 3000 && (err != nil || len(itemKinds(segs)) != 3000):
				t.Errorf("limit %d, %d goroutines: %d items, error %v; want all 3000", limit, workers, len(itemKinds(segs)), err)
			}
		}
	}
}
