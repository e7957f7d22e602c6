package split

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const testSHA = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func encode(t testing.TB, a *Assignment) string {
	t.Helper()
	var b bytes.Buffer
	if err := a.Encode(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestDecide(t *testing.T) {
	labels := []float64{0, 1, 0, 0, 1, 0, 0, 1, 0, 0}
	jan, mar := day(t, "2011-01-10"), day(t, "2011-03-05")
	dates := []float64{jan, mar, jan, mar, jan, jan, mar, jan, jan, jan}
	tests := []struct {
		name     string
		dates    []float64
		cut      float64
		wantKind Kind
		wantDate string
		wantTest []bool
		wantErr  string
	}{
		{"out of time, month cut", dates, 0, KindOutOfTime, "2011-03-01",
			[]bool{false, true, false, true, false, false, true, false, false, false}, ""},
		{"out of time, given cut", dates, day(t, "2011-02-01"), KindOutOfTime, "2011-02-01",
			[]bool{false, true, false, true, false, false, true, false, false, false}, ""},
		{"cut past the last loan", dates, day(t, "2012-01-01"), "", "", nil, "leaves one side empty"},
		{"stratified", nil, 0, KindStratified, "", nil, ""},
		{"stratified with a cut", nil, day(t, "2011-02-01"), "", "", nil, "needs a date column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Decide(labels, tt.dates, Config{TestFraction: 0.3, Seed: 7}, tt.cut)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Kind != tt.wantKind || a.Date != tt.wantDate {
				t.Errorf("got kind %q date %q; want %q %q", a.Kind, a.Date, tt.wantKind, tt.wantDate)
			}
			if tt.wantTest != nil && !slices.Equal(a.Test, tt.wantTest) {
				t.Errorf("got test rows %v; want %v", a.Test, tt.wantTest)
			}
			if tt.dates == nil {
				want, _ := Stratified(labels, 0.3, 7)
				if !slices.Equal(a.Test, want) || a.Seed != 7 {
					t.Errorf("got test rows %v seed %d; want Stratified's %v seed 7", a.Test, a.Seed, want)
				}
			}
		})
	}
}

func TestAssignmentRoundTrip(t *testing.T) {
	for _, n := range []int{2, 7, 8, 9, 64, 1001} {
		a := &Assignment{Kind: KindStratified, Seed: 42, TestFraction: 0.2, Table: "clean.parquet", TableSHA256: testSHA, Test: make([]bool, n)}
		for i := range a.Test {
			a.Test[i] = i%3 == 1 || i == n-1
		}
		a.Test[0] = false
		got, err := Decode(strings.NewReader(encode(t, a)))
		if err != nil {
			t.Fatalf("%d rows: %v", n, err)
		}
		if got.Kind != a.Kind || got.Seed != a.Seed || got.TestFraction != a.TestFraction || got.Table != a.Table ||
			got.TableSHA256 != a.TableSHA256 || !slices.Equal(got.Test, a.Test) {
			t.Errorf("%d rows: got %+v; want %+v", n, got, a)
		}
	}
}

// TestDecodeRefuses damages a good file one way at a time and checks each
// damage is refused by the check that should catch it.
func TestDecodeRefuses(t *testing.T) {
	good := &Assignment{Kind: KindOutOfTime, Date: "2011-03-01", TestFraction: 0.2, Table: "clean.parquet", TableSHA256: testSHA,
		Test: []bool{false, false, true, false, true, true, false, false, false, true}}
	text := encode(t, good)
	if _, err := Decode(strings.NewReader(text)); err != nil {
		t.Fatalf("good file refused: %v", err)
	}
	// The bitmap of the good file: rows 2, 4, 5 and 9 are test.
	const bitmap = `"test_bitmap": "NAI="`
	if !strings.Contains(text, bitmap) {
		t.Fatalf("encoded file lacks %s:\n%s", bitmap, text)
	}
	tests := []struct {
		name, old, new, check string
	}{
		{"truncated", "}", "", "json"},
		{"trailing data", "}\n", "}{}", "json"},
		{"unknown field", `"version"`, `"extra": 1, "version"`, "json"},
		{"version", `"version": 1`, `"version": 2`, "version"},
		{"kind", `"out_of_time"`, `"random"`, "kind"},
		{"date", `"2011-03-01"`, `"2011-13-01"`, "date"},
		{"no date", `"date": "2011-03-01",`, ``, "date"},
		{"date on a stratified split", `"out_of_time"`, `"stratified"`, "date"},
		{"test fraction", `"test_fraction": 0.2`, `"test_fraction": 1`, "test_fraction"},
		{"no table", `"clean.parquet"`, `""`, "table"},
		{"sha256", testSHA, testSHA[:60], "table_sha256"},
		{"counts", `"train_rows": 6`, `"train_rows": 5`, "rows"},
		{"no test rows", `"train_rows": 6,
  "test_rows": 4`, `"train_rows": 10,
  "test_rows": 0`, "rows"},
		{"base64", bitmap, `"test_bitmap": "NAI"`, "test_bitmap"},
		{"bitmap too long", bitmap, `"test_bitmap": "NAIA"`, "test_bitmap"},
		{"bit past the last row", bitmap, `"test_bitmap": "NAY="`, "test_bitmap"},
		{"bitmap disagrees with the count", bitmap, `"test_bitmap": "NQI="`, "test_bitmap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			damaged := strings.Replace(text, tt.old, tt.new, 1)
			if damaged == text {
				t.Fatalf("%q not in the file", tt.old)
			}
			_, err := Decode(strings.NewReader(damaged))
			var fe *FileError
			if !errors.As(err, &fe) || !errors.Is(err, ErrFile) {
				t.Fatalf("got error %v; want a *FileError", err)
			}
			if fe.Check != tt.check {
				t.Errorf("got check %q (%v); want %q", fe.Check, err, tt.check)
			}
		})
	}
}

func TestReadFileNamesFileAndCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(path, []byte(`{"version": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path)
	if err == nil || !strings.HasPrefix(err.Error(), path+": version check failed: ") {
		t.Errorf("got error %v; want it to start with %q", err, path+": version check failed: ")
	}
}

func TestWriteFileReadFile(t *testing.T) {
	a := &Assignment{Kind: KindStratified, Seed: 3, TestFraction: 0.25, Table: "clean.parquet", TableSHA256: testSHA, Test: []bool{true, false, false, true, false}}
	path := filepath.Join(t.TempDir(), FileName)
	if err := WriteFile(path, a); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Test, a.Test) {
		t.Errorf("got test rows %v; want %v", got.Test, a.Test)
	}
}

func TestMatch(t *testing.T) {
	a := &Assignment{Table: "clean.parquet", TableSHA256: testSHA, Test: make([]bool, 5)}
	other := strings.Repeat("f", 64)
	tests := []struct {
		name, table, sum string
		rows             int
		check            string
	}{
		{"same table", "clean.parquet", testSHA, 5, ""},
		{"other table", "other.parquet", testSHA, 5, "table"},
		{"changed table", "clean.parquet", other, 5, "table_sha256"},
		{"other row count", "clean.parquet", testSHA, 6, "rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a.Match(tt.table, tt.sum, tt.rows)
			if tt.check == "" {
				if err != nil {
					t.Errorf("got error %v; want none", err)
				}
				return
			}
			var fe *FileError
			if !errors.As(err, &fe) || fe.Check != tt.check {
				t.Errorf("got error %v; want a %q check failure", err, tt.check)
			}
		})
	}
}

// FuzzDecodeSplit feeds Decode arbitrary bytes: it must not panic, and a
// file it accepts must encode to a file that decodes to the same split.
func FuzzDecodeSplit(f *testing.F) {
	for _, a := range []*Assignment{
		{Kind: KindOutOfTime, Date: "2011-03-01", TestFraction: 0.2, Table: "clean.parquet", TableSHA256: testSHA, Test: []bool{false, true, true}},
		{Kind: KindStratified, Seed: 42, TestFraction: 0.3, Table: "t", TableSHA256: testSHA, Test: []bool{true, false, false, false, false, false, false, false, true, false}},
	} {
		f.Add([]byte(encode(f, a)))
	}
	f.Add([]byte(`{"version":1,"kind":"stratified","test_fraction":0.5,"table":"t","table_sha256":"` + testSHA + `","rows":2,"train_rows":1,"test_rows":1,"test_bitmap":"AQ=="}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Decode(bytes.NewReader(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FileError", err)
			}
			return
		}
		train, test := a.Counts()
		if train == 0 || test == 0 {
			t.Fatalf("accepted a split with %d train and %d test rows", train, test)
		}
		again, err := Decode(strings.NewReader(encode(t, a)))
		if err != nil {
			t.Fatalf("re-encoded file refused: %v", err)
		}
		if again.Kind != a.Kind || again.Date != a.Date || again.Seed != a.Seed || again.TestFraction != a.TestFraction ||
			again.Table != a.Table || again.TableSHA256 != a.TableSHA256 || !slices.Equal(again.Test, a.Test) {
			t.Fatalf("round trip changed the split: %+v, then %+v", a, again)
		}
	})
}
