package fit

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// lendingClub reads the Lending Club 2007-2011 file under
// $CREDIT_RISK_DATASETS: the label (1 for Charged Off, 0 for Fully Paid,
// with and without "Does not meet the credit policy") and the named
// columns as raw text. It skips when the variable is unset or the file is
// absent.
func lendingClub(tb testing.TB, columns []string) (y []float64, raw map[string][]string) {
	tb.Helper()
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		tb.Skip("CREDIT_RISK_DATASETS is not set; set it to the shared datasets directory to class Lending Club columns")
	}
	path := filepath.Join(root, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv")
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("Lending Club file: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	index := map[string]int{}
	for i, h := range header {
		index[h] = i
	}
	for _, c := range append([]string{"loan_status"}, columns...) {
		if _, ok := index[c]; !ok {
			tb.Fatalf("%s: no column %q", path, c)
		}
	}
	raw = map[string][]string{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("read %s: %v", path, err)
		}
		status := rec[index["loan_status"]]
		switch {
		case strings.HasSuffix(status, "Charged Off"):
			y = append(y, 1)
		case strings.HasSuffix(status, "Fully Paid"):
			y = append(y, 0)
		default:
			continue
		}
		for _, c := range columns {
			raw[c] = append(raw[c], rec[index[c]])
		}
	}
	return y, raw
}

// numericColumn parses raw numbers such as "10.65%" or " 36 months";
// empty text is missing (NaN).
func numericColumn(tb testing.TB, name string, raw []string) []float64 {
	tb.Helper()
	xs := make([]float64, len(raw))
	for i, s := range raw {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(s), "%"), " months"))
		if s == "" {
			xs[i] = math.NaN()
			continue
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			tb.Fatalf("%s row %d: %v", name, i, err)
		}
		xs[i] = v
	}
	return xs
}

// categoricalColumn codes raw levels; empty text is missing (-1).
func categoricalColumn(raw []string) (codes []int32, levels []string) {
	index := map[string]int32{}
	codes = make([]int32, len(raw))
	for i, s := range raw {
		if s == "" {
			codes[i] = -1
			continue
		}
		c, ok := index[s]
		if !ok {
			c = int32(len(levels))
			index[s] = c
			levels = append(levels, s)
		}
		codes[i] = c
	}
	return codes, levels
}

// TestLendingClub classes Lending Club columns and checks the binnings
// against what is known of the data: every binning keeps the invariants of
// checkBinning (counts, WoE and IV from the counts, strictly monotone bad
// rates, size rules), the interest rate and grade are the strongest
// characteristics (IV medium to strong) with risk rising in rate, FICO and
// income lower risk as they rise, and no column is suspiciously strong.
func TestLendingClub(t *testing.T) {
	numeric := []string{"int_rate", "annual_inc", "dti", "revol_util", "fico_range_low", "inq_last_6mths", "term", "delinq_2yrs", "mths_since_last_delinq", "loan_amnt"}
	categorical := []string{"grade", "purpose", "home_ownership", "emp_length", "addr_state"}
	y, raw := lendingClub(t, append(numeric, categorical...))
	if len(y) != 42535 {
		t.Fatalf("read %d labelled loans; want 42535", len(y))
	}
	var chars []Characteristic
	for _, name := range numeric {
		c := Characteristic{Name: name, Kind: classing.Numeric, Values: numericColumn(t, name, raw[name])}
		if name == "delinq_2yrs" {
			// Not a sentinel in this file, but a heavy value: check that a
			// declared special is binned apart from the cut points.
			c.Specials = []float64{0}
		}
		chars = append(chars, c)
	}
	for _, name := range categorical {
		codes, levels := categoricalColumn(raw[name])
		chars = append(chars, Characteristic{Name: name, Kind: classing.Categorical, Codes: codes, Levels: levels})
	}
	bs, err := Fit(t.Context(), chars, y, Config{})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*classing.Binning{}
	for i, b := range bs {
		checkBinning(t, b, chars[i], y, Config{})
		byName[b.Name] = b
		t.Logf("%s: IV %.4f (%v), direction %v", b.Name, b.IV, b.Strength(), b.Direction)
		for j := range b.Bins {
			bin := &b.Bins[j]
			t.Logf("  %-40s %6d  bad %.3f  WoE %+.3f", b.Label(j), bin.Count(), bin.BadRate(), bin.WoE)
		}
		if b.Suspicious() {
			t.Errorf("%s: IV %.3f above %v; nothing in this set should look like leakage", b.Name, b.IV, classing.LeakageIV)
		}
	}
	tests := []struct {
		name  string
		dir   classing.Direction
		minIV float64
		maxIV float64
	}{
		{"int_rate", classing.Increasing, 0.2, 0.5},
		{"fico_range_low", classing.Decreasing, 0.05, 0.3},
		{"annual_inc", classing.Decreasing, 0.02, 0.2},
		{"revol_util", classing.Increasing, 0.02, 0.2},
		{"term", classing.Increasing, 0.1, 0.3},
		{"inq_last_6mths", classing.Increasing, 0.02, 0.2},
		{"grade", classing.Auto, 0.2, 0.5},
	}
	for _, tt := range tests {
		b := byName[tt.name]
		if b.Direction != tt.dir || b.IV < tt.minIV || b.IV > tt.maxIV {
			t.Errorf("%s: direction %v, IV %.4f; want %v and IV in [%v, %v]", tt.name, b.Direction, b.IV, tt.dir, tt.minIV, tt.maxIV)
		}
	}
	grade := byName["grade"]
	if grade.BinLevel("A") != 0 || grade.BinLevel("G") != grade.Missing-1 {
		t.Errorf("grade A in bin %d, G in bin %d; want the safest (0) and the riskiest (%d)", grade.BinLevel("A"), grade.BinLevel("G"), grade.Missing-1)
	}
	d := byName["delinq_2yrs"]
	if k := d.Bin(0); d.Bins[k].Kind != classing.Special {
		t.Errorf("delinq_2yrs: special value 0 in bin %q; want a special bin", d.Label(k))
	}
}
