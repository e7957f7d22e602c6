package forest

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
	"time"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// lendingClubColumns are application-time numeric columns of the raw
// Lending Club export; "%" and " months" suffixes are stripped and an empty
// cell is missing.
var lendingClubColumns = []string{
	"loan_amnt", "term", "int_rate", "installment", "annual_inc", "dti", "delinq_2yrs",
	"fico_range_low", "inq_last_6mths", "mths_since_last_delinq", "mths_since_last_record",
	"open_acc", "pub_rec", "revol_bal", "revol_util", "total_acc", "pub_rec_bankruptcies",
}

// readLendingClub reads the raw Lending Club 2007-2011 file into an
// out-of-time split: loans issued before September 2011 train, the rest
// test. Charged-off loans are 1, fully paid ones 0.
func readLendingClub(tb testing.TB, path string) (Xtr *matrix.Dense, ytr []float64, Xte *matrix.Dense, yte []float64) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open Lending Club data: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		tb.Fatalf("read header: %v", err)
	}
	index := make(map[string]int, len(head))
	for i, h := range head {
		index[h] = i
	}
	need := append([]string{"loan_status", "issue_d"}, lendingClubColumns...)
	for _, c := range need {
		if _, ok := index[c]; !ok {
			tb.Fatalf("Lending Club data has no column %q", c)
		}
	}
	cut := time.Date(2011, time.September, 1, 0, 0, 0, 0, time.UTC)
	var train, test []float64
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("line %d: %v", line, err)
		}
		var label float64
		switch status := rec[index["loan_status"]]; {
		case strings.HasSuffix(status, "Charged Off"):
			label = 1
		case strings.HasSuffix(status, "Fully Paid"):
		default:
			continue
		}
		issued, err := time.Parse("Jan-2006", rec[index["issue_d"]])
		if err != nil {
			tb.Fatalf("line %d: issue_d: %v", line, err)
		}
		row := make([]float64, 0, len(lendingClubColumns)+1)
		for _, c := range lendingClubColumns {
			s := strings.TrimSpace(rec[index[c]])
			s = strings.TrimSuffix(strings.TrimSuffix(s, "%"), " months")
			v := math.NaN()
			if s != "" {
				if v, err = strconv.ParseFloat(s, 64); err != nil {
					tb.Fatalf("line %d: column %s: %v", line, c, err)
				}
			}
			row = append(row, v)
		}
		row = append(row, label)
		if issued.Before(cut) {
			train = append(train, row...)
		} else {
			test = append(test, row...)
		}
	}
	split := func(flat []float64) (*matrix.Dense, []float64) {
		cols := len(lendingClubColumns)
		n := len(flat) / (cols + 1)
		X := matrix.New(n, cols)
		y := make([]float64, n)
		for i := range n {
			copy(X.Row(i), flat[i*(cols+1):i*(cols+1)+cols])
			y[i] = flat[i*(cols+1)+cols]
		}
		return X, y
	}
	Xtr, ytr = split(train)
	Xte, yte = split(test)
	return Xtr, ytr, Xte, yte
}

// TestLendingClub fits the default forest on application-time numeric
// columns of the real Lending Club data. Honest models score about 0.70
// test AUC on this split with the full feature set.
func TestLendingClub(t *testing.T) {
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		t.Skip("CREDIT_RISK_DATASETS is not set")
	}
	if testing.Short() {
		t.Skip("reads a 33 MB file; skipped in short mode")
	}
	path := filepath.Join(dir, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv")
	Xtr, ytr, Xte, yte := readLendingClub(t, path)
	if Xtr.Rows < 30000 || Xte.Rows < 8000 {
		t.Fatalf("got %d train and %d test rows; want about 33,800 and 8,700", Xtr.Rows, Xte.Rows)
	}
	cfg := DefaultConfig()
	cfg.Seed = 1
	e, err := Fit(t.Context(), Xtr, ytr, cfg)
	if err != nil {
		t.Fatalf("Fit: %v", err)
	}
	got := auc(t, yte, predict(e, Xte))
	t.Logf("%d train rows, %d test rows, %d features: test AUC %.4f", Xtr.Rows, Xte.Rows, Xtr.Cols, got)
	if got < 0.66 || got > 0.75 {
		t.Errorf("got test AUC %.4f; want within [0.66, 0.75]", got)
	}
}
