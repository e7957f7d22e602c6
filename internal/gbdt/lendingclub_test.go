package gbdt

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// lcXGBoostAUC is the test AUC of XGBoost 1.7.4 (tree_method "hist", 100
// rounds, depth 6, eta 0.1, 256 bins, 2 threads; otherwise defaults) on the
// matrix lendingClub builds, measured with the project's anchor script
// shared/bench/anchor_train.py on CSV exports of the same matrix.
const lcXGBoostAUC = 0.70064

// lendingClub builds the application-time numeric matrix of the Lending
// Club 2007-2011 file: 21 numeric and ordinal columns plus one-hot home
// ownership, verification status and purpose, target 1 for "Charged Off"
// (including "Does not meet the credit policy" ones), sorted by issue month
// and split 80/20 out of time.
func lendingClub(t *testing.T) (train, test Data) {
	t.Helper()
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		t.Skip("CREDIT_RISK_DATASETS not set")
	}
	f, err := os.Open(filepath.Join(dir, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv"))
	if err != nil {
		t.Fatalf("open Lending Club file: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		t.Fatalf("read header: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	type loan struct {
		issue  time.Time
		fields []string
	}
	var loans []loan
	purposes := map[string]bool{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if rec[col["loan_status"]] == "" {
			continue
		}
		issue, err := time.Parse("Jan-2006", rec[col["issue_d"]])
		if err != nil {
			t.Fatalf("issue_d %q: %v", rec[col["issue_d"]], err)
		}
		if p := rec[col["purpose"]]; p != "" {
			purposes[p] = true
		}
		loans = append(loans, loan{issue, slices.Clone(rec)})
	}
	sort.SliceStable(loans, func(a, b int) bool { return loans[a].issue.Before(loans[b].issue) })

	num := func(s string) float64 {
		s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%"))
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return math.NaN()
		}
		return v
	}
	firstInt := func(s string) float64 {
		s = strings.Replace(s, "< 1", "0", 1)
		start := strings.IndexAny(s, "0123456789")
		if start < 0 {
			return math.NaN()
		}
		end := start
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		return num(s[start:end])
	}
	plain := []string{"loan_amnt", "installment", "annual_inc", "dti", "delinq_2yrs", "fico_range_low",
		"fico_range_high", "inq_last_6mths", "mths_since_last_delinq", "mths_since_last_record", "open_acc",
		"pub_rec", "revol_bal", "total_acc", "pub_rec_bankruptcies"}
	oneHot := []struct {
		col    string
		levels []string
	}{
		{"home_ownership", []string{"MORTGAGE", "RENT", "OWN", "OTHER", "NONE"}},
		{"verification_status", []string{"Verified", "Source Verified", "Not Verified"}},
		{"purpose", slices.Sorted(func(yield func(string) bool) {
			for p := range purposes {
				if !yield(p) {
					return
				}
			}
		})},
	}
	nf := len(plain) + 7
	for _, o := range oneHot {
		nf += len(o.levels)
	}
	X := matrix.New(len(loans), nf)
	y := make([]float64, len(loans))
	for i, l := range loans {
		rec := l.fields
		row := X.Row(i)[:0]
		for _, c := range plain {
			row = append(row, num(rec[col[c]]))
		}
		row = append(row, firstInt(rec[col["term"]]), num(rec[col["int_rate"]]), num(rec[col["revol_util"]]))
		grade := math.NaN()
		if g := rec[col["grade"]]; len(g) == 1 {
			grade = float64(strings.Index("ABCDEFG", g))
		}
		subGrade := math.NaN()
		if s := rec[col["sub_grade"]]; len(s) == 2 {
			subGrade = float64(strings.Index("ABCDEFG", s[:1])*5) + num(s[1:])
		}
		row = append(row, grade, subGrade, firstInt(rec[col["emp_length"]]))
		history := math.NaN()
		if ecl, err := time.Parse("Jan-2006", rec[col["earliest_cr_line"]]); err == nil {
			history = float64((l.issue.Year()-ecl.Year())*12 + int(l.issue.Month()) - int(ecl.Month()))
		}
		row = append(row, history)
		for _, o := range oneHot {
			v := rec[col[o.col]]
			for _, level := range o.levels {
				if v == level {
					row = append(row, 1)
				} else {
					row = append(row, 0)
				}
			}
		}
		if len(row) != nf {
			t.Fatalf("row %d has %d features; want %d", i, len(row), nf)
		}
		if strings.Contains(rec[col["loan_status"]], "Charged Off") {
			y[i] = 1
		}
	}
	n := len(loans) * 8 / 10
	idx := make([]int, len(loans))
	for i := range idx {
		idx[i] = i
	}
	train = Data{X: X.SelectRows(idx[:n]), Y: y[:n]}
	test = Data{X: X.SelectRows(idx[n:]), Y: y[n:]}
	return train, test
}

// TestLendingClubAUC fits the default model on the real Lending Club data
// and requires a test AUC no more than 0.002 below XGBoost's on the same
// matrix.
func TestLendingClubAUC(t *testing.T) {
	train, test := lendingClub(t)
	if got, want := train.X.Rows, 34028; got != want {
		t.Fatalf("got %d training rows; want %d", got, want)
	}
	m := fit(t, train, nil, DefaultConfig())
	got := auc(t, m.PredictProba(test.X), test.Y)
	t.Logf("test AUC %.5f (XGBoost %.5f)", got, lcXGBoostAUC)
	if got < lcXGBoostAUC-0.002 {
		t.Errorf("got test AUC %.5f; want at least %.5f (XGBoost %.5f - 0.002)", got, lcXGBoostAUC-0.002, lcXGBoostAUC)
	}
}
