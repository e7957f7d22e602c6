package parquetfile

import (
	"encoding/csv"
	"encoding/json"
	"github.com/credit-risk/credit-risk/internal/frame"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// pandasScript reads a Parquet file with pandas and prints its row count,
// column names, and per column the number of missing values and a checksum:
// the sum over present rows i of value·(i mod 7 + 1), where a string's value
// is its FNV-1a 32-bit hash mod 1000 and a date's is its days since
// 1970-01-01. frameChecksums computes the same on the Go side.
const pandasScript = `
import datetime, json, math, sys
import pandas as pd

def fnv1a(b):
    h = 0x811c9dc5
    for c in b:
        h = ((h ^ c) * 0x01000193) & 0xffffffff
    return h

df = pd.read_parquet(sys.argv[1])
out = {"rows": len(df), "columns": [str(c) for c in df.columns], "nulls": [], "sums": []}
for name in df.columns:
    total, nulls = 0.0, 0
    for i, v in enumerate(df[name].tolist()):
        if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
            nulls += 1
            continue
        w = i % 7 + 1
        if isinstance(v, str):
            total += (fnv1a(v.encode("utf-8")) % 1000) * w
        elif isinstance(v, datetime.datetime):
            total += (v.date() - datetime.date(1970, 1, 1)).days * w
        elif isinstance(v, datetime.date):
            total += (v - datetime.date(1970, 1, 1)).days * w
        else:
            total += float(v) * w
    out["nulls"].append(nulls)
    out["sums"].append(total)
print(json.dumps(out))
`

// checksums is what pandasScript prints.
type checksums struct {
	Rows    int       `json:"rows"`
	Columns []string  `json:"columns"`
	Nulls   []int     `json:"nulls"`
	Sums    []float64 `json:"sums"`
}

// frameChecksums computes pandasScript's checksums of f.
func frameChecksums(f *frame.Frame) checksums {
	cs := checksums{Rows: f.Rows()}
	for _, c := range f.Columns {
		cs.Columns = append(cs.Columns, c.Name)
		var sum float64
		var nulls int
		for i := range c.Len() {
			if c.IsMissing(i) {
				nulls++
				continue
			}
			w := float64(i%7 + 1)
			if c.Kind == frame.Categorical {
				h := fnv.New32a()
				h.Write([]byte(c.String(i)))
				sum += float64(h.Sum32()%1000) * w
			} else {
				sum += c.Num[i] * w
			}
		}
		cs.Nulls = append(cs.Nulls, nulls)
		cs.Sums = append(cs.Sums, sum)
	}
	return cs
}

// pythonWithParquet returns the Python interpreter when pandas can read
// Parquet with it (pandas needs pyarrow or fastparquet for that).
func pythonWithParquet(t *testing.T) string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	check := "import pandas\ntry:\n import pyarrow\nexcept ImportError:\n import fastparquet\n"
	if out, err := exec.Command(python, "-c", check).CombinedOutput(); err != nil {
		t.Skipf("pandas cannot read parquet here (needs pyarrow or fastparquet): %v: %s", err, out)
	}
	return python
}

func TestParquetPandasInterop(t *testing.T) {
	python := pythonWithParquet(t)
	unicode := &frame.Column{Name: "purpose ✓", Kind: frame.Categorical, Codes: make([]int32, 2000),
		Levels: []string{"", "debt_consolidation", "crédit", "日本", "🙂"}}
	for i := range unicode.Codes {
		unicode.Codes[i] = int32(i%6) - 1
	}
	f := randomFrame(rand.New(rand.NewPCG(15, 16)), 2000, 3, 2, 7, 2)
	f.Columns = append(f.Columns, unicode,
		&frame.Column{Name: "all_missing", Kind: frame.Numeric, Num: nanSlice(2000)})
	tests := []struct {
		name string
		f    *frame.Frame
	}{
		{"mixed kinds", f},
		{"no rows", &frame.Frame{Columns: []*frame.Column{
			{Name: "x", Kind: frame.Numeric, Num: []float64{}},
			{Name: "c", Kind: frame.Categorical, Codes: []int32{}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "frame.parquet")
			if err := WriteFile(path, tt.f); err != nil {
				t.Fatalf("WriteFile: %v", err)
			}
			cmd := exec.CommandContext(t.Context(), python, "-c", pandasScript, path)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("pandas: %v", err)
			}
			var got checksums
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("decoding %q: %v", out, err)
			}
			want := frameChecksums(tt.f)
			if got.Rows != want.Rows || !equalStrings(got.Columns, want.Columns) {
				t.Fatalf("got %d rows, columns %q; want %d rows, columns %q", got.Rows, got.Columns, want.Rows, want.Columns)
			}
			for j := range want.Columns {
				if got.Nulls[j] != want.Nulls[j] || math.Abs(got.Sums[j]-want.Sums[j]) > 1e-9*math.Max(1, math.Abs(want.Sums[j])) {
					t.Errorf("column %q: got %d nulls, sum %v; want %d nulls, sum %v",
						want.Columns[j], got.Nulls[j], got.Sums[j], want.Nulls[j], want.Sums[j])
				}
			}
		})
	}
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}

// TestParquetRealDataset round-trips a real credit data set: each CSV
// column becomes frame.Numeric when every present field parses as a number and
// frame.Categorical otherwise, with empty fields missing.
func TestParquetRealDataset(t *testing.T) {
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set")
	}
	file, err := os.Open(filepath.Join(dir, "credit_risk_dataset", "credit_risk_dataset.csv"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer file.Close()
	records, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	want := csvFrame(records)
	if err := want.Validate(); err != nil {
		t.Fatalf("csvFrame: %v", err)
	}
	path := filepath.Join(t.TempDir(), "credit_risk.parquet")
	if err := WriteFile(path, want); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatalf("ReadFile: %v", err)
	}
	if got.Rows() != len(records)-1 {
		t.Fatalf("got %d rows; want %d", got.Rows(), len(records)-1)
	}
	assertSameFrame(t, got, want)
}

// csvFrame turns a header row and data rows into a frame.
func csvFrame(records [][]string) *frame.Frame {
	f := &frame.Frame{}
	rows := records[1:]
	for j, name := range records[0] {
		nums := make([]float64, len(rows))
		numeric := true
		for i, r := range rows {
			if r[j] == "" {
				nums[i] = math.NaN()
				continue
			}
			x, err := strconv.ParseFloat(r[j], 64)
			if err != nil {
				numeric = false
				break
			}
			nums[i] = x
		}
		if numeric {
			f.Columns = append(f.Columns, &frame.Column{Name: name, Kind: frame.Numeric, Num: nums})
			continue
		}
		c := &frame.Column{Name: name, Kind: frame.Categorical, Codes: make([]int32, len(rows))}
		index := map[string]int32{}
		for i, r := range rows {
			if r[j] == "" {
				c.Codes[i] = -1
				continue
			}
			code, ok := index[r[j]]
			if !ok {
				code = int32(len(c.Levels))
				index[r[j]] = code
				c.Levels = append(c.Levels, r[j])
			}
			c.Codes[i] = code
		}
		f.Columns = append(f.Columns, c)
	}
	return f
}
