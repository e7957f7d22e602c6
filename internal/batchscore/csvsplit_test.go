package batchscore

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// csvRecords reads s as package dataset does (encoding/csv with
// LazyQuotes and any number of fields) and returns its records, the line
// each starts on and the offset just after each.
func csvRecords(tb testing.TB, s string) (recs [][]string, lines, ends []int) {
	tb.Helper()
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return recs, lines, ends
		}
		if err != nil {
			tb.Fatalf("encoding/csv: %v", err)
		}
		line, _ := r.FieldPos(0)
		recs, lines, ends = append(recs, rec), append(lines, line), append(ends, int(r.InputOffset()))
	}
}

// splitRecords reads s with the splitter.
func splitRecords(s string, need []bool) (recs [][]string, lines []int) {
	var sp splitter
	if need != nil {
		sp.setNeed(need)
	}
	line := 1
	for pos := 0; ; {
		rec, n, end, before, in, ok := sp.next(s, pos)
		if !ok {
			return recs, lines
		}
		if len(rec) != n {
			// Only the needed fields are cut out: blank the others.
			full := make([]string, n)
			for i := range min(n, len(rec)) {
				if need[i] {
					full[i] = rec[i]
				}
			}
			rec = full
		}
		recs = append(recs, slices.Clone(rec))
		lines = append(lines, line+before)
		line += before + in
		pos = end
	}
}

var splitCases = []struct {
	name string
	in   string
}{
	{"empty", ""},
	{"one field", "a"},
	{"simple", "a,b,c\n1,2,3\n"},
	{"no final newline", "a,b\n1,2"},
	{"crlf", "a,b\r\n1,2\r\n"},
	{"crlf, no final newline", "a,b\r\n1,2\r"},
	{"lone cr inside", "a\rb,c\n"},
	{"two crs", "a,b\r\r\n"},
	{"blank lines", "\n\na,b\n\r\n\n1,2\n\n"},
	{"only a cr", "\r"},
	{"empty fields", ",,\n,\n"},
	{"quoted comma", `1,"director, sales",x` + "\n2,y,z\n"},
	{"escaped quotes", `1,"say ""hi""",x` + "\n"},
	{"quoted newline", "1,\"two\nlines\",x\n2,b,c\n"},
	{"quoted crlf", "1,\"two\r\nlines\",x\r\n2,b,c\r\n"},
	{"bare quote in field", "1,ab\"c,x\n"},
	{"bare quote in quoted field", "1,\"ab\"c\",x\n"},
	{"quote then cr", "1,\"a\"\r\n2\n"},
	{"unterminated quote", "1,\"abc\n2,3\n"},
	{"unterminated quote, no newline", "1,\"abc"},
	{"quote at end", "1,\"\""},
	{"empty quoted", "\"\",\"\"\n"},
	{"quote after quoted", "\"a\"\"\n"},
	{"leading space", " a, \"b\"\n"},
	{"quoted last field then blank line", "1,\"x\"\n\n2,\"y\"\n"},
	{"utf8", "é,\"ü,ö\"\n"},
}

// TestSplitter checks the splitter's records and lines against
// encoding/csv's.
func TestSplitter(t *testing.T) {
	for _, tt := range splitCases {
		t.Run(tt.name, func(t *testing.T) {
			checkSplit(t, tt.in)
		})
	}
}

func checkSplit(t *testing.T, in string) {
	t.Helper()
	want, wantLines, _ := csvRecords(t, in)
	got, gotLines := splitRecords(in, nil)
	if !slices.EqualFunc(got, want, slices.Equal) || !slices.Equal(gotLines, wantLines) {
		t.Fatalf("%q: got %q at lines %v; want %q at lines %v", in, got, gotLines, want, wantLines)
	}
	for _, need := range [][]bool{{true}, {false, true}, {true, false, true}, {false}} {
		got, _ := splitRecords(in, need)
		for i := range got {
			for j := range min(len(need), len(got[i]), len(want[i])) {
				if need[j] && got[i][j] != want[i][j] {
					t.Fatalf("%q, need %v: record %d field %d %q; want %q", in, need, i, j, got[i][j], want[i][j])
				}
			}
			if len(got[i]) != len(want[i]) {
				t.Fatalf("%q, need %v: record %d has %d fields; want %d", in, need, i, len(got[i]), len(want[i]))
			}
		}
	}
	// recordEnd, on any prefix, is an end of a record of the whole.
	_, _, ends := csvRecords(t, in)
	step := max(1, len(in)/256) // every prefix of a short input
	for k := 0; k <= len(in); k += step {
		e := recordEnd([]byte(in[:k]))
		if e < 0 {
			continue
		}
		// Blank lines after a record end are part of the next record's
		// lead-in, so an end may also fall on them.
		if !isBoundary(in, ends, e) {
			t.Fatalf("%q: recordEnd of the first %d bytes is %d, inside a record (records end at %v)", in, k, e, ends)
		}
	}
}

// isBoundary reports whether e is where a record ends or in the blank
// lines between records.
func isBoundary(in string, ends []int, e int) bool {
	if slices.Contains(ends, e) {
		return true
	}
	// Walk back over blank lines.
	for p := e; p > 0; {
		switch {
		case in[p-1] == '\n' && p >= 2 && in[p-2] == '\r':
			p -= 2
		case in[p-1] == '\n':
			p--
		default:
			return false
		}
		if p == 0 || slices.Contains(ends, p) {
			return true
		}
	}
	return false
}

func FuzzSplitter(f *testing.F) {
	for _, tt := range splitCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		checkSplit(t, in)
	})
}

// TestAppendRecord checks appendRecord against csv.Writer.
func TestAppendRecord(t *testing.T) {
	for _, rec := range [][]string{
		{"a", "b"}, {""}, {"", ""}, {"a,b", `say "hi"`}, {" lead", "\ttab", "trail "},
		{`\.`, "\\"}, {"cr\r", "nl\n", "crlf\r\n"}, {"\u00a0nbsp", "é"}, {"x;y", "0.125"},
	} {
		checkAppend(t, rec)
	}
}

func checkAppend(t *testing.T, rec []string) {
	t.Helper()
	var want bytes.Buffer
	w := csv.NewWriter(&want)
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if got := appendRecord(nil, rec...); !bytes.Equal(got, want.Bytes()) {
		t.Errorf("appendRecord(%q) = %q; want %q", rec, got, want.Bytes())
	}
	if got, want := string(appendJoined(nil, rec)), string(appendField(nil, strings.Join(rec, ReasonSep))); got != want {
		t.Errorf("appendJoined(%q) = %q; want %q", rec, got, want)
	}
}

func FuzzAppendRecord(f *testing.F) {
	f.Add("a", "b,c")
	f.Add(" x", `"`)
	f.Fuzz(func(t *testing.T, a, b string) {
		checkAppend(t, []string{a, b})
	})
}

// BenchmarkSplitter cuts the needed fields out of raw loan rows.
func BenchmarkSplitter(b *testing.B) {
	row := "1000001,,9000,9000,9000, 36 months,11.58%,297.13,B,B4,\"director, sales\",< 1 year,RENT,57000,Verified,Jan-2012,Fully Paid,n,https://lendingclub.com/browse/loanDetail.action?loan_id=1000001,,other,Personal Loan,104xx,NY,21,0,Feb-1986,725,729,1,,,5,0,12778,88%,23,f,0,0,10696.68,10696.68,9000,1696.68,0,0,0,Jan-2015,297.13,,Apr-2020,819,815,0,,1,Individual" + strings.Repeat(",", 95) + "\n"
	plain := strings.Replace(row, "\"director, sales\"", "engineer", 1)
	need := make([]bool, 60)
	for _, c := range []int{0, 2, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 20, 23, 24, 25, 26, 27, 28, 29, 30, 32, 33, 34, 35, 36, 53, 54, 57} {
		need[c] = true
	}
	for _, tc := range []struct{ name, row string }{{"plain", plain}, {"quoted", row}} {
		s := strings.Repeat(tc.row, 1000)
		b.Run(tc.name, func(b *testing.B) {
			var sp splitter
			sp.setNeed(need)
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for b.Loop() {
				for pos := 0; ; {
					_, _, end, _, _, ok := sp.next(s, pos)
					if !ok {
						break
					}
					pos = end
				}
			}
		})
	}
}
