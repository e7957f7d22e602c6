package sample

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
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
)

// lcHeader is the header line of Lending Club's LoanStats downloads.
const lcHeader = "id,member_id,loan_amnt,funded_amnt,funded_amnt_inv,term,int_rate,installment,grade,sub_grade,emp_title,emp_length,home_ownership,annual_inc,verification_status,issue_d,loan_status,pymnt_plan,url,desc,purpose,title,zip_code,addr_state,dti,delinq_2yrs,earliest_cr_line,fico_range_low,fico_range_high,inq_last_6mths,mths_since_last_delinq,mths_since_last_record,open_acc,pub_rec,revol_bal,revol_util,total_acc,initial_list_status,out_prncp,out_prncp_inv,total_pymnt,total_pymnt_inv,total_rec_prncp,total_rec_int,total_rec_late_fee,recoveries,collection_recovery_fee,last_pymnt_d,last_pymnt_amnt,next_pymnt_d,last_credit_pull_d,last_fico_range_high,last_fico_range_low,collections_12_mths_ex_med,mths_since_last_major_derog,policy_code,application_type,annual_inc_joint,dti_joint,verification_status_joint,acc_now_delinq,tot_coll_amt,tot_cur_bal,open_acc_6m,open_act_il,open_il_12m,open_il_24m,mths_since_rcnt_il,total_bal_il,il_util,open_rv_12m,open_rv_24m,max_bal_bc,all_util,total_rev_hi_lim,inq_fi,total_cu_tl,inq_last_12m,acc_open_past_24mths,avg_cur_bal,bc_open_to_buy,bc_util,chargeoff_within_12_mths,delinq_amnt,mo_sin_old_il_acct,mo_sin_old_rev_tl_op,mo_sin_rcnt_rev_tl_op,mo_sin_rcnt_tl,mort_acc,mths_since_recent_bc,mths_since_recent_bc_dlq,mths_since_recent_inq,mths_since_recent_revol_delinq,num_accts_ever_120_pd,num_actv_bc_tl,num_actv_rev_tl,num_bc_sats,num_bc_tl,num_il_tl,num_op_rev_tl,num_rev_accts,num_rev_tl_bal_gt_0,num_sats,num_tl_120dpd_2m,num_tl_30dpd,num_tl_90g_dpd_24m,num_tl_op_past_12m,pct_tl_nvr_dlq,percent_bc_gt_75,pub_rec_bankruptcies,tax_liens,tot_hi_cred_lim,total_bal_ex_mort,total_bc_limit,total_il_high_credit_limit,revol_bal_joint,sec_app_fico_range_low,sec_app_fico_range_high,sec_app_earliest_cr_line,sec_app_inq_last_6mths,sec_app_mort_acc,sec_app_open_acc,sec_app_revol_util,sec_app_open_act_il,sec_app_num_rev_accts,sec_app_chargeoff_within_12_mths,sec_app_collections_12_mths_ex_med,sec_app_mths_since_last_major_derog,hardship_flag,hardship_type,hardship_reason,hardship_status,deferral_term,hardship_amount,hardship_start_date,hardship_end_date,payment_plan_start_date,hardship_length,hardship_dpd,hardship_loan_status,orig_projected_additional_accrued_interest,hardship_payoff_balance_amount,hardship_last_payment_amount,disbursement_method,debt_settlement_flag,debt_settlement_flag_date,settlement_status,settlement_date,settlement_amount,settlement_percentage,settlement_term"

// generate returns the file Write produces for cfg.
func generate(tb testing.TB, cfg Config) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(tb.Context(), &buf, cfg); err != nil {
		tb.Fatalf("Write(%+v): %v", cfg, err)
	}
	return buf.Bytes()
}

// table is a parsed loan file.
type table struct {
	header []string
	rows   [][]string
	col    map[string]int
}

// get returns column name of row i.
func (t *table) get(i int, name string) string {
	j, ok := t.col[name]
	if !ok {
		panic("no column " + name)
	}
	return t.rows[i][j]
}

// parse reads a file without notes lines back with encoding/csv, failing
// on any record that does not have NumColumns fields.
func parse(tb testing.TB, data []byte) *table {
	tb.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = NumColumns
	recs, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("encoding/csv: %v", err)
	}
	t := &table{header: recs[0], rows: recs[1:], col: map[string]int{}}
	for i, c := range t.header {
		t.col[c] = i
	}
	return t
}

// Local parsers for LC's value formats.

// parseTerm parses " 36 months".
func parseTerm(s string) (int, error) {
	f := strings.Fields(s)
	if len(f) != 2 || f[1] != "months" {
		return 0, fmt.Errorf("term %q", s)
	}
	return strconv.Atoi(f[0])
}

// parsePercent parses "10.65%" (surrounding spaces allowed).
func parsePercent(s string) (float64, error) {
	s = strings.TrimSpace(s)
	v, ok := strings.CutSuffix(s, "%")
	if !ok {
		return 0, fmt.Errorf("percent %q", s)
	}
	return strconv.ParseFloat(v, 64)
}

// parseMonth parses "Dec-2011".
func parseMonth(s string) (time.Time, error) {
	return time.Parse(MonthLayout, s)
}

// parseEmpLength parses "10+ years", "< 1 year", "3 years"; "n/a" is -1.
func parseEmpLength(s string) (int, error) {
	switch s {
	case "n/a":
		return -1, nil
	case "< 1 year":
		return 0, nil
	case "10+ years":
		return 10, nil
	case "1 year":
		return 1, nil
	}
	n, ok := strings.CutSuffix(s, " years")
	if !ok {
		return 0, fmt.Errorf("emp_length %q", s)
	}
	v, err := strconv.Atoi(n)
	if err != nil || v < 2 || v > 9 {
		return 0, fmt.Errorf("emp_length %q", s)
	}
	return v, nil
}

// num parses a numeric field; empty is NaN.
func num(tb testing.TB, s string) float64 {
	tb.Helper()
	if s == "" {
		return math.NaN()
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		tb.Fatalf("number %q: %v", s, err)
	}
	return v
}

// isBad reports whether a finished loan status is a default; ok is false
// for statuses that are neither good nor bad (Current).
func isBad(status string) (bad, ok bool) {
	switch strings.TrimPrefix(status, notPolicyPrefix) {
	case statusChargedOff:
		return true, true
	case statusFullyPaid:
		return false, true
	}
	return false, false
}

// auc returns the ROC-AUC of scores for labels (Mann–Whitney U with
// average ranks for ties).
func auc(scores []float64, labels []bool) float64 {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return scores[idx[a]] < scores[idx[b]] })
	var rankSum, nPos float64
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks are 1-based
		for k := i; k < j; k++ {
			if labels[idx[k]] {
				rankSum += avg
				nPos++
			}
		}
		i = j
	}
	nNeg := float64(len(scores)) - nPos
	return (rankSum - nPos*(nPos+1)/2) / (nPos * nNeg)
}

func TestAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"perfect", []float64{0.1, 0.2, 0.8, 0.9}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{0.9, 0.8, 0.2, 0.1}, []bool{false, false, true, true}, 0},
		{"all ties", []float64{1, 1, 1, 1}, []bool{false, true, false, true}, 0.5},
		{"one swap", []float64{1, 2, 3, 4}, []bool{false, true, false, true}, 0.75},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auc(tt.scores, tt.labels); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("auc = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	got := Columns()
	if len(got) != NumColumns {
		t.Fatalf("len(Columns()) = %d; want %d", len(got), NumColumns)
	}
	if want := strings.Split(lcHeader, ","); !slices.Equal(got, want) {
		t.Errorf("Columns() = %v; want LC header %v", got, want)
	}
	got[0] = "changed"
	if Columns()[0] != "id" {
		t.Errorf("Columns() shares its backing array with the caller")
	}
}

// TestColumns_RealFile compares the header with the real Lending Club file
// when CREDIT_RISK_DATASETS points at the datasets folder.
func TestColumns_RealFile(t *testing.T) {
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		t.Skip("CREDIT_RISK_DATASETS not set")
	}
	f, err := os.Open(filepath.Join(dir, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header, err := csv.NewReader(f).Read()
	if err != nil {
		t.Fatal(err)
	}
	if got := Columns(); !slices.Equal(got, header) {
		t.Errorf("Columns() = %v; want real header %v", got, header)
	}
}

func TestWrite_Deterministic(t *testing.T) {
	const rows = 3*ChunkRows + 123 // several chunks and a partial one
	base := generate(t, Config{Rows: rows, Seed: 42, Workers: 1, Notes: true})
	tests := []struct {
		name string
		cfg  Config
		same bool
	}{
		{"same seed, 1 worker", Config{Rows: rows, Seed: 42, Workers: 1, Notes: true}, true},
		{"same seed, 4 workers", Config{Rows: rows, Seed: 42, Workers: 4, Notes: true}, true},
		{"same seed, default workers", Config{Rows: rows, Seed: 42, Notes: true}, true},
		{"other seed", Config{Rows: rows, Seed: 43, Workers: 4, Notes: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := generate(t, tt.cfg)
			if eq := bytes.Equal(got, base); eq != tt.same {
				t.Errorf("output equal to seed 42 with 1 worker: got %v; want %v", eq, tt.same)
			}
		})
	}
	t.Run("other seed differs in most rows", func(t *testing.T) {
		a := bytes.Split(base, []byte("\n"))
		b := bytes.Split(generate(t, Config{Rows: rows, Seed: 43, Notes: true}), []byte("\n"))
		same := 0
		for i := 2; i < len(a)-3; i++ {
			if bytes.Equal(a[i], b[i]) {
				same++
			}
		}
		if same > 0 {
			t.Errorf("seeds 42 and 43 share %d identical rows; want 0", same)
		}
	})
}

func TestWrite_Layout(t *testing.T) {
	const rows = 2500
	data := generate(t, Config{Rows: rows, Seed: 1, Notes: true})
	if !bytes.HasSuffix(data, []byte("\n")) || bytes.Contains(data, []byte("\r")) {
		t.Fatalf("lines must end in \\n only")
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if got, want := len(lines), rows+4; got != want {
		t.Fatalf("got %d lines; want %d (notes, header, rows, two totals): every row must be one line", got, want)
	}
	if lines[0] != NotesLine {
		t.Errorf("line 1 = %q; want %q", lines[0], NotesLine)
	}
	if lines[1] != lcHeader {
		t.Errorf("line 2 = %q; want the LC header", lines[1])
	}
	body := strings.Join(lines[1:rows+2], "\n") + "\n"
	tab := parse(t, []byte(body))
	if len(tab.rows) != rows {
		t.Fatalf("got %d records; want %d", len(tab.rows), rows)
	}
	var funded float64
	for i := range tab.rows {
		funded += num(t, tab.get(i, "funded_amnt"))
	}
	if got, want := lines[rows+2], fmt.Sprintf("Total amount funded in policy code 1: %.0f", funded); got != want {
		t.Errorf("totals line 1 = %q; want %q", got, want)
	}
	if got, want := lines[rows+3], "Total amount funded in policy code 2: 0"; got != want {
		t.Errorf("totals line 2 = %q; want %q", got, want)
	}

	plain := generate(t, Config{Rows: rows, Seed: 1})
	if want := strings.Join(lines[1:rows+2], "\n") + "\n"; string(plain) != want {
		t.Errorf("Notes=false output is not the Notes=true output without its notes lines")
	}
}

func TestWrite_Formats(t *testing.T) {
	start, end := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 12, 1, 0, 0, 0, 0, time.UTC)
	tab := parse(t, generate(t, Config{Rows: 20000, Seed: 7}))
	statuses := map[string]bool{
		statusFullyPaid: true, statusChargedOff: true, statusCurrent: true,
		notPolicyPrefix + statusFullyPaid: true, notPolicyPrefix + statusChargedOff: true,
	}
	var prevIssue time.Time
	var prevID int64
	for i := range tab.rows {
		get := func(name string) string { return tab.get(i, name) }
		fail := func(format string, args ...any) {
			t.Helper()
			t.Fatalf("row %d (id %s): %s", i, get("id"), fmt.Sprintf(format, args...))
		}
		id, err := strconv.ParseInt(get("id"), 10, 64)
		if err != nil || id <= prevID {
			fail("id %q not increasing after %d", get("id"), prevID)
		}
		prevID = id
		if want := "https://lendingclub.com/browse/loanDetail.action?loan_id=" + get("id"); get("url") != want {
			fail("url = %q; want %q", get("url"), want)
		}
		term, err := parseTerm(get("term"))
		if err != nil || (term != 36 && term != 60) || !strings.HasPrefix(get("term"), " ") {
			fail("term = %q; want \" 36 months\" or \" 60 months\"", get("term"))
		}
		rate, err := parsePercent(get("int_rate"))
		if err != nil || rate < 5 || rate > 31 {
			fail("int_rate = %q: %v", get("int_rate"), err)
		}
		if !strings.Contains(get("int_rate"), ".") || len(get("int_rate")) < len("5.00%") {
			fail("int_rate = %q; want two decimals", get("int_rate"))
		}
		sg := get("sub_grade")
		if len(sg) != 2 || sg[:1] != get("grade") || sg[0] < 'A' || sg[0] > 'G' || sg[1] < '1' || sg[1] > '5' {
			fail("grade %q, sub_grade %q inconsistent", get("grade"), sg)
		}
		funded := num(t, get("funded_amnt"))
		want := funded * rate / 1200 / (1 - math.Pow(1+rate/1200, -float64(term)))
		if got := num(t, get("installment")); math.Abs(got-want) > 0.011 {
			fail("installment = %v; want %.2f from funded %v, rate %v, term %d", got, want, funded, rate, term)
		}
		if loan := num(t, get("loan_amnt")); funded > loan || num(t, get("funded_amnt_inv")) > funded {
			fail("funded_amnt_inv %s <= funded_amnt %s <= loan_amnt %s violated", get("funded_amnt_inv"), get("funded_amnt"), get("loan_amnt"))
		}
		issue, err := parseMonth(get("issue_d"))
		if err != nil || issue.Before(start) || issue.After(end) || issue.Before(prevIssue) {
			fail("issue_d = %q (previous %v): %v", get("issue_d"), prevIssue, err)
		}
		prevIssue = issue
		if s := get("earliest_cr_line"); s != "" {
			ecl, err := parseMonth(s)
			if err != nil || !ecl.Before(issue) {
				fail("earliest_cr_line = %q; want a month before issue_d %s", s, get("issue_d"))
			}
		}
		if _, err := parseEmpLength(get("emp_length")); err != nil {
			fail("%v", err)
		}
		if e := get("emp_title"); e != strings.ToLower(e) {
			fail("emp_title %q is not lower case", e)
		}
		if s := get("revol_util"); s != "" {
			if _, err := parsePercent(s); err != nil {
				fail("revol_util: %v", err)
			}
		}
		lo, hi := num(t, get("fico_range_low")), num(t, get("fico_range_high"))
		if hi != lo+4 || lo < 600 || hi > 850 {
			fail("fico_range %v..%v; want high = low + 4 within 600..850", lo, hi)
		}
		if z := get("zip_code"); len(z) != 5 || !strings.HasSuffix(z, "xx") {
			fail("zip_code = %q; want like 944xx", z)
		}
		status := get("loan_status")
		if !statuses[status] {
			fail("loan_status = %q", status)
		}
		checkPayments(t, i, tab, status, funded)
	}
}

// checkPayments checks that the post-origination columns of row i agree
// with its status.
func checkPayments(t *testing.T, i int, tab *table, status string, funded float64) {
	t.Helper()
	get := func(name string) float64 { return num(t, tab.get(i, name)) }
	prncp, interest, late, rec := get("total_rec_prncp"), get("total_rec_int"), get("total_rec_late_fee"), get("recoveries")
	if total := get("total_pymnt"); math.Abs(total-(prncp+interest+late+rec)) > 0.011 {
		t.Fatalf("row %d: total_pymnt %v != principal %v + interest %v + late fees %v + recoveries %v", i, total, prncp, interest, late, rec)
	}
	if interest < 0 || prncp < 0 || prncp > funded+0.005 {
		t.Fatalf("row %d: total_rec_prncp %v, total_rec_int %v out of range for funded %v", i, prncp, interest, funded)
	}
	switch strings.TrimPrefix(status, notPolicyPrefix) {
	case statusFullyPaid:
		if prncp != funded || rec != 0 || get("out_prncp") != 0 {
			t.Fatalf("row %d Fully Paid: total_rec_prncp %v (funded %v), recoveries %v, out_prncp %v", i, prncp, funded, rec, get("out_prncp"))
		}
	case statusChargedOff:
		if prncp >= funded || get("out_prncp") != 0 {
			t.Fatalf("row %d Charged Off: total_rec_prncp %v >= funded %v or out_prncp %v", i, prncp, funded, get("out_prncp"))
		}
	case statusCurrent:
		if out := get("out_prncp"); out <= 0 || math.Abs(out+prncp-funded) > 0.011 || tab.get(i, "next_pymnt_d") == "" || rec != 0 {
			t.Fatalf("row %d Current: out_prncp %v + total_rec_prncp %v != funded %v, or next_pymnt_d empty", i, out, prncp, funded)
		}
	}
}

func TestWrite_Window(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		rows       int
		edges      bool // first row issued in start, last in end
	}{
		{"LC 2007-2011 vintage", "Jun-2007", "Dec-2011", 4000, true},
		{"one month", "Mar-2015", "Mar-2015", 50, true},
		{"one row", "Jan-2012", "Dec-2016", 1, false},
		{"fewer rows than months", "Jan-2000", "Dec-2019", 30, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, _ := time.Parse(MonthLayout, tt.start)
			end, _ := time.Parse(MonthLayout, tt.end)
			tab := parse(t, generate(t, Config{Rows: tt.rows, Seed: 3, Start: start, End: end}))
			if len(tab.rows) != tt.rows {
				t.Fatalf("got %d rows; want %d", len(tab.rows), tt.rows)
			}
			for i := range tab.rows {
				m, err := parseMonth(tab.get(i, "issue_d"))
				if err != nil || m.Before(start) || m.After(end) {
					t.Fatalf("row %d issue_d = %q; want within %s..%s", i, tab.get(i, "issue_d"), tt.start, tt.end)
				}
			}
			if !tt.edges {
				return
			}
			if got := tab.get(0, "issue_d"); got != tt.start {
				t.Errorf("first issue_d = %s; want %s", got, tt.start)
			}
			if got := tab.get(tt.rows-1, "issue_d"); got != tt.end {
				t.Errorf("last issue_d = %s; want %s", got, tt.end)
			}
		})
	}
}

func TestWrite_DefaultWindow(t *testing.T) {
	tab := parse(t, generate(t, Config{Rows: 20000, Seed: 5}))
	byYear := map[int]int{}
	for i := range tab.rows {
		m, err := parseMonth(tab.get(i, "issue_d"))
		if err != nil {
			t.Fatal(err)
		}
		byYear[m.Year()]++
	}
	if got, want := tab.get(0, "issue_d"), DefaultStart; got != want {
		t.Errorf("first issue_d = %s; want %s", got, want)
	}
	if got, want := tab.get(len(tab.rows)-1, "issue_d"), DefaultEnd; got != want {
		t.Errorf("last issue_d = %s; want %s", got, want)
	}
	for y := 2012; y < 2016; y++ {
		if byYear[y+1] <= byYear[y] {
			t.Errorf("loans issued in %d = %d, in %d = %d; want volume to grow", y, byYear[y], y+1, byYear[y+1])
		}
	}
}

// TestWrite_Signal checks the default model on 20,000 rows: overall bad
// rate, grade ordering, a moderate int_rate signal, drift, and leak
// columns that separate the classes.
func TestWrite_Signal(t *testing.T) {
	tab := parse(t, generate(t, Config{Rows: 20000, Seed: 11}))
	var (
		labels             []bool
		rates, recov, fico []float64
		years              []int
		badByGrade         = map[string][2]float64{} // bad, count
	)
	for i := range tab.rows {
		bad, ok := isBad(tab.get(i, "loan_status"))
		if !ok {
			continue
		}
		labels = append(labels, bad)
		rate, err := parsePercent(tab.get(i, "int_rate"))
		if err != nil {
			t.Fatal(err)
		}
		rates = append(rates, rate)
		recov = append(recov, b2f(num(t, tab.get(i, "recoveries")) > 0))
		fico = append(fico, -num(t, tab.get(i, "fico_range_low")))
		m, _ := parseMonth(tab.get(i, "issue_d"))
		years = append(years, m.Year())
		g := badByGrade[tab.get(i, "grade")]
		badByGrade[tab.get(i, "grade")] = [2]float64{g[0] + b2f(bad), g[1] + 1}
	}
	var nBad float64
	for _, b := range labels {
		nBad += b2f(b)
	}
	rate := nBad / float64(len(labels))
	t.Logf("finished loans %d, bad rate %.3f", len(labels), rate)
	if rate < 0.12 || rate > 0.25 {
		t.Errorf("bad rate = %.3f; want within [0.12, 0.25]", rate)
	}
	gradeRate := func(g string) float64 { return badByGrade[g][0] / badByGrade[g][1] }
	t.Logf("bad rate by grade: A %.3f, D %.3f, G %.3f", gradeRate("A"), gradeRate("D"), gradeRate("G"))
	if a, g := gradeRate("A"), gradeRate("G"); !(a < 0.1 && g > 3*a) {
		t.Errorf("bad rate A = %.3f, G = %.3f; want A < 0.10 and G > 3·A", a, g)
	}
	for _, tt := range []struct {
		name   string
		scores []float64
		lo, hi float64
	}{
		{"int_rate", rates, 0.6, 0.75},
		{"-fico_range_low", fico, 0.58, 0.72},
		{"recoveries>0 (leak)", recov, 0.97, 1},
	} {
		got := auc(tt.scores, labels)
		t.Logf("AUC %s = %.4f", tt.name, got)
		if got < tt.lo || got > tt.hi {
			t.Errorf("AUC of %s = %.4f; want within [%v, %v]", tt.name, got, tt.lo, tt.hi)
		}
	}
	var early, late [2]float64
	for i, y := range years {
		if y <= 2013 {
			early[0] += b2f(labels[i])
			early[1]++
		} else if y >= 2015 {
			late[0] += b2f(labels[i])
			late[1]++
		}
	}
	if e, l := early[0]/early[1], late[0]/late[1]; l <= e {
		t.Errorf("bad rate 2012-2013 = %.3f, 2015-2016 = %.3f; want later loans riskier", e, l)
	}
}

// TestWrite_Messiness checks missing values, odd strings and outliers.
func TestWrite_Messiness(t *testing.T) {
	tab := parse(t, generate(t, Config{Rows: 50000, Seed: 13}))
	n := float64(len(tab.rows))
	count := func(pred func(i int) bool) float64 {
		c := 0
		for i := range tab.rows {
			if pred(i) {
				c++
			}
		}
		return float64(c)
	}
	empty := func(col string) func(int) bool { return func(i int) bool { return tab.get(i, col) == "" } }
	above := func(col string, v float64) func(int) bool {
		return func(i int) bool {
			s := strings.TrimSuffix(tab.get(i, col), "%")
			return s != "" && num(t, s) > v
		}
	}
	tests := []struct {
		name   string
		pred   func(int) bool
		lo, hi float64 // share of rows
	}{
		{"emp_length n/a", func(i int) bool { return tab.get(i, "emp_length") == "n/a" }, 0.02, 0.08},
		{"emp_title empty", empty("emp_title"), 0.03, 0.12},
		{"mths_since_last_delinq empty", empty("mths_since_last_delinq"), 0.4, 0.75},
		{"mths_since_last_record empty", empty("mths_since_last_record"), 0.75, 0.97},
		{"revol_util empty", empty("revol_util"), 0.0002, 0.005},
		{"annual_inc empty", empty("annual_inc"), 1e-5, 0.001},
		{"earliest_cr_line empty", empty("earliest_cr_line"), 0.0002, 0.002},
		{"desc present", func(i int) bool { return tab.get(i, "desc") != "" }, 0.05, 0.3},
		{"desc with comma or quote", func(i int) bool { return strings.ContainsAny(tab.get(i, "desc"), ",\"") }, 0.01, 0.3},
		{"int_rate with leading spaces", func(i int) bool { return strings.HasPrefix(tab.get(i, "int_rate"), " ") }, 0.005, 0.05},
		{"annual_inc above 1M", above("annual_inc", 1e6), 0.0001, 0.002},
		{"dti above 100", above("dti", 100), 0.0001, 0.002},
		{"revol_util above 100%", above("revol_util", 100), 0.0005, 0.01},
		{"Current", func(i int) bool { return tab.get(i, "loan_status") == statusCurrent }, 0.005, 0.08},
		{"not meeting the credit policy", func(i int) bool { return strings.HasPrefix(tab.get(i, "loan_status"), notPolicyPrefix) }, 0.003, 0.04},
		{"60 months", func(i int) bool { return strings.Contains(tab.get(i, "term"), "60") }, 0.15, 0.35},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := count(tt.pred) / n; got < tt.lo || got > tt.hi {
				t.Errorf("share = %.5f; want within [%v, %v]", got, tt.lo, tt.hi)
			}
		})
	}
}

func TestWrite_ConfigErrors(t *testing.T) {
	jan2012 := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"no rows", Config{}, "Rows"},
		{"negative rows", Config{Rows: -5}, "Rows"},
		{"negative workers", Config{Rows: 10, Workers: -1}, "Workers"},
		{"end before start", Config{Rows: 10, Start: jan2012, End: jan2012.AddDate(0, -1, 0)}, "End"},
		{"end before default start", Config{Rows: 10, End: jan2012.AddDate(-1, 0, 0)}, "End"},
		{"start too early", Config{Rows: 10, Start: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)}, "Start"},
		{"end too late", Config{Rows: 10, End: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)}, "End"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(t.Context(), &buf, tt.cfg)
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("Write error = %v; want ErrInvalidConfig", err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field {
				t.Fatalf("Write error = %v; want *ConfigError for field %s", err, tt.field)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("error %q does not name field %s", err, tt.field)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on a config error; want 0", buf.Len())
			}
		})
	}
}

// cancelWriter cancels a context once more than limit bytes were written.
type cancelWriter struct {
	n, limit int
	cancel   context.CancelFunc
}

func (w *cancelWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.limit {
		w.cancel()
	}
	return len(p), nil
}

// errWriter fails after limit bytes.
type errWriter struct{ n, limit int }

var errDiskFull = errors.New("disk full")

func (w *errWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		return 0, errDiskFull
	}
	w.n += len(p)
	return len(p), nil
}

func TestWrite_Interrupted(t *testing.T) {
	t.Run("cancelled before start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		err := Write(ctx, io.Discard, Config{Rows: 100000, Workers: 2})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Write error = %v; want context.Canceled", err)
		}
	})
	t.Run("cancelled while writing", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		w := &cancelWriter{limit: 1 << 20, cancel: cancel}
		err := Write(ctx, w, Config{Rows: 1_000_000, Workers: 2})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Write error = %v; want context.Canceled", err)
		}
		if w.n > 64<<20 {
			t.Errorf("wrote %d bytes after cancellation at 1 MiB; want it to stop promptly", w.n)
		}
	})
	t.Run("writer error", func(t *testing.T) {
		err := Write(t.Context(), &errWriter{limit: 3 << 20}, Config{Rows: 100000, Workers: 2})
		if !errors.Is(err, errDiskFull) {
			t.Errorf("Write error = %v; want it to wrap %v", err, errDiskFull)
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	for _, rows := range []int{10_000, 100_000} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/workers=%d", rows, workers), func(b *testing.B) {
				b.ReportAllocs()
				var size int64
				for b.Loop() {
					cw := &countWriter{}
					if err := Write(b.Context(), cw, Config{Rows: rows, Seed: 1, Workers: workers}); err != nil {
						b.Fatal(err)
					}
					size = cw.n
				}
				b.SetBytes(size)
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(rows), "ns/row")
			})
		}
	}
}

// countWriter counts bytes and discards them.
type countWriter struct{ n int64 }

func (w *countWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

// FuzzWrite checks that any Config either fails validation with a
// *ConfigError or yields a file that encoding/csv reads back with 151
// fields in every row.
func FuzzWrite(f *testing.F) {
	f.Add(uint64(1), 10, 2012, 1, 59, false, 1)
	f.Add(uint64(7), 1, 2007, 6, 0, true, 2)
	f.Add(uint64(0), 0, 2012, 1, 12, false, 0)
	f.Add(uint64(3), 50, 1969, 12, 1, true, 3)
	f.Add(uint64(9), 20, 2016, 12, -1, false, -1)
	f.Fuzz(func(t *testing.T, seed uint64, rows, year, mon, span int, notes bool, workers int) {
		rows %= 2 * ChunkRows
		workers %= 8
		start := time.Date(year%10000, time.Month(1+(mon%12+12)%12), 1, 0, 0, 0, 0, time.UTC)
		end := start.AddDate(0, span%240, 0)
		cfg := Config{Rows: rows, Seed: seed, Start: start, End: end, Notes: notes, Workers: workers}
		var buf bytes.Buffer
		err := Write(t.Context(), &buf, cfg)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Write(%+v) = %v; want nil or *ConfigError", cfg, err)
			}
			return
		}
		data := buf.Bytes()
		if notes {
			lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
			if string(lines[0]) != NotesLine || !bytes.HasPrefix(lines[len(lines)-1], []byte("Total amount funded in policy code 2: ")) {
				t.Fatalf("notes lines missing")
			}
			data = bytes.Join(lines[1:len(lines)-2], []byte("\n"))
		}
		if tab := parse(t, data); len(tab.rows) != rows {
			t.Fatalf("read back %d rows; want %d", len(tab.rows), rows)
		}
	})
}

// TestWrite_MatchesRealFile reads the real Lending Club 2007-2011 file when
// CREDIT_RISK_DATASETS is set and checks that the format parsers used above
// accept its values too, and that categorical columns use LC's levels.
func TestWrite_MatchesRealFile(t *testing.T) {
	dir := os.Getenv("CREDIT_RISK_DATASETS")
	if dir == "" {
		t.Skip("CREDIT_RISK_DATASETS not set")
	}
	data, err := os.ReadFile(filepath.Join(dir, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lc := parse(t, data)
	syn := parse(t, generate(t, Config{Rows: 20000, Seed: 17}))
	parsers := map[string]func(string) error{
		"term":             func(s string) error { _, err := parseTerm(s); return err },
		"int_rate":         func(s string) error { _, err := parsePercent(s); return err },
		"revol_util":       func(s string) error { _, err := parsePercent(s); return err },
		"emp_length":       func(s string) error { _, err := parseEmpLength(s); return err },
		"issue_d":          func(s string) error { _, err := parseMonth(s); return err },
		"earliest_cr_line": func(s string) error { _, err := parseMonth(s); return err },
		"last_pymnt_d":     func(s string) error { _, err := parseMonth(s); return err },
	}
	for col, p := range parsers {
		t.Run(col, func(t *testing.T) {
			for name, tab := range map[string]*table{"real": lc, "synthetic": syn} {
				for i := range tab.rows {
					if s := tab.get(i, col); s != "" {
						if err := p(s); err != nil {
							t.Fatalf("%s row %d: %v", name, i, err)
						}
					}
				}
			}
		})
	}
	for _, col := range []string{"grade", "sub_grade", "purpose", "verification_status", "emp_length", "pymnt_plan", "policy_code", "hardship_flag", "disbursement_method"} {
		t.Run(col+" levels", func(t *testing.T) {
			levels := map[string]bool{}
			for i := range lc.rows {
				levels[lc.get(i, col)] = true
			}
			for i := range syn.rows {
				if v := syn.get(i, col); !levels[v] {
					t.Fatalf("synthetic %s = %q; not a level of the real file", col, v)
				}
			}
		})
	}
}
