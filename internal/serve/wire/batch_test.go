package wire

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/credit-risk/credit-risk/internal/features"
)

// testSegment is a Segment that records what the reader hands it.
type testSegment struct {
	app     Application
	kinds   []string // "object", or the kind of an item that is not one
	raw     []string // the decoded values of each object
	ignored []string // ignored fields of every object, in order
	started bool
	ended   bool // End(true) was called
	first   int  // Finish's argument; -1 before
}

func (s *testSegment) Start() *Application {
	s.started = true
	return &s.app
}

func (s *testSegment) Object(a *Application) {
	s.kinds = append(s.kinds, "object")
	s.raw = append(s.raw, fmt.Sprint(a.Raw))
	s.ignored = append(s.ignored, a.Ignored...)
}

func (s *testSegment) NotObject(kind string) { s.kinds = append(s.kinds, kind) }
func (s *testSegment) End(ok bool)           { s.ended = ok }
func (s *testSegment) Finish(first int)      { s.first = first }

// readTestBatch reads a batch body with the test field index on workers
// goroutines, each segment given at least segmentBytes of it (0: the
// default), and checks the reader's use of its segments: every one made
// is returned or released, and each returned one was started, ended
// without an error and finished with the index of its first item.
func readTestBatch(tb testing.TB, body string, maxItems, workers, segmentBytes int) ([]*testSegment, *features.FieldError, error) {
	tb.Helper()
	var mu sync.Mutex
	made, released := 0, 0
	b := &BatchReader{
		Index: testIndex, MaxItems: maxItems, Workers: workers, SegmentBytes: segmentBytes,
		New: func() Segment {
			mu.Lock()
			defer mu.Unlock()
			made++
			return &testSegment{first: -1}
		},
		Release: func(Segment) {
			mu.Lock()
			defer mu.Unlock()
			released++
		},
	}
	got, fe, err := b.Read(body)
	if made != len(got)+released {
		tb.Fatalf("%d segments made, %d returned, %d released", made, len(got), released)
	}
	segs := make([]*testSegment, len(got))
	n := 0
	for k, s := range got {
		segs[k] = s.(*testSegment)
		if !segs[k].started || !segs[k].ended || segs[k].first != n {
			tb.Fatalf("segment %d: started %v, ended %v, first item %d; want true, true, %d", k, segs[k].started, segs[k].ended, segs[k].first, n)
		}
		n += len(segs[k].kinds)
	}
	return segs, fe, err
}

// itemKinds lists the kind of every item of segs: "object" or, for an item
// that is not an object, its kind.
func itemKinds(segs []*testSegment) []string {
	var kinds []string
	for _, seg := range segs {
		kinds = append(kinds, seg.kinds...)
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
		{"duplicate", `{"applications":[1,2], "applications":[{}]}`, nil, ProblemDuplicate, nil},
		{"duplicate after a non-array", `{"applications":{}, "x":1, "applications":[{}]}`, nil, ProblemDuplicate, nil},
		{"duplicate non-array", `{"applications":[{}], "applications":{}}`, nil, ProblemDuplicate, nil},
		{"malformed duplicate", `{"applications":[{}], "applications":[}`, nil, "", ErrSyntax},
		{"array body", `[{}]`, nil, "", ErrNotObject},
		{"malformed item", `{"applications":[{"a":]}`, nil, "", ErrSyntax},
		{"trailing", `{"applications":[]} 1`, nil, "", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, fe, err := readTestBatch(t, tt.in, 0, 1, 0)
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
			want, wantFE, wantErr := readTestBatch(t, tt.body, 0, 1, 0)
			if (wantErr != nil) != tt.err || wantFE != nil {
				t.Fatalf("one goroutine: error %v, problem %v", wantErr, wantFE)
			}
			if len(tt.body) < 4*minSegmentBytes {
				t.Fatalf("body of %d bytes is too small for 4 segments", len(tt.body))
			}
			for _, workers := range []int{2, 3, 4, 7} {
				got, fe, err := readTestBatch(t, tt.body, 0, workers, 0)
				if fmt.Sprint(err) != fmt.Sprint(wantErr) || fe != nil {
					t.Fatalf("%d goroutines: error %v, problem %v; want %v", workers, err, fe, wantErr)
				}
				if err != nil {
					continue
				}
				if g, w := itemKinds(got), itemKinds(want); !slices.Equal(g, w) {
					t.Fatalf("%d goroutines: %d items; want %d", workers, len(g), len(w))
				}
				field := func(segs []*testSegment, of func(*testSegment) []string) []string {
					var all []string
					for _, s := range segs {
						all = append(all, of(s)...)
					}
					return all
				}
				ignored := func(s *testSegment) []string { return s.ignored }
				if g, w := field(got, ignored), field(want, ignored); !slices.Equal(g, w) {
					t.Errorf("%d goroutines: %d ignored fields; want %d", workers, len(g), len(w))
				}
				raw := func(s *testSegment) []string { return s.raw }
				if g, w := field(got, raw), field(want, raw); !slices.Equal(g, w) {
					t.Errorf("%d goroutines: the objects' values differ from those read on one goroutine", workers)
				}
			}
		})
	}
}

// checkBatch reads a batch body on 4 goroutines, cut in segments of a few
// bytes so that the guessed starts are tried too.
func checkBatch(tb testing.TB, in string) error {
	tb.Helper()
	_, _, err := readTestBatch(tb, in, 0, 4, 4)
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
		`{"applications":[{"a":1,"a":2}],"applications":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		err := checkBatch(t, in)
		var ref any
		refErr := json.Unmarshal([]byte(in), &ref)
		var rangeErr *json.UnmarshalTypeError
		switch {
		case refErr == nil:
			_, isObj := ref.(map[string]any)
			if isObj && err != nil {
				t.Fatalf("refused %q: %v; encoding/json accepts it", in, err)
			}
			if !isObj && !errors.Is(err, ErrNotObject) {
				t.Fatalf("%q is not an object: error %v; want ErrNotObject", in, err)
			}
		case errors.As(refErr, &rangeErr):
			// A number out of float64 range: valid syntax, accepted.
		case err == nil:
			t.Fatalf("accepted %q; encoding/json says %v", in, refErr)
		}
	})
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
			segs, _, err := readTestBatch(t, body, limit, workers, 0)
			var tooMany *TooManyError
			switch {
			case limit < 3000 && (!errors.As(err, &tooMany) || tooMany.Limit != limit):
				t.Errorf("limit %d, %d goroutines: error %v; want too many", limit, workers, err)
			case limit == 3000 && (err != nil || len(itemKinds(segs)) != 3000):
				t.Errorf("limit %d, %d goroutines: %d items, error %v; want all 3000", limit, workers, len(itemKinds(segs)), err)
			}
		}
	}
}
