package clean

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/frame"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/split"
)

const testSpec = `
name: tiny
target: {column: status, bad: [Charged Off], good: [Fully Paid], exclude: [Current]}
date: {column: issued, format: Mon-YYYY}
id_columns: [id]
leakage_columns: [paid]
cleaning: {cap_lower: 0.1, cap_upper: 0.9, max_categories: 10}
columns:
  amount: {type: numeric, no_cap: true}
  rate: {type: numeric}
  grade: {type: ordinal, order: [A, B, C]}
  purpose: {type: categorical}
  flat: {type: categorical}
  sparse: {type: numeric}
`

// noDate is testSpec without a date column: the split is stratified.
var noDate = strings.Replace(strings.Replace(testSpec, "date: {column: issued, format: Mon-YYYY}\n", "", 1),
	"id_columns: [id]", "id_columns: [id]\ndrop_columns: [issued]", 1)

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct"}

// tinyCSV is 40 dated loans, four a month from Jan-2011 to Oct-2011, so the
// 20 % test period is Sep and Oct (rows 32 to 39), then three loans still
// running and two undated ones. Every fifth loan is bad. amount is missing
// on rows 3, 7 and 33 and huge on test row 34; rate is i in training and
// 1000 in test; both show whether cleaning learned on the training rows
// only.
func tinyCSV() string {
	var b strings.Builder
	b.WriteString("id,status,issued,amount,rate,grade,purpose,flat,sparse,memo,paid\n")
	for i := range 40 {
		status := "Fully Paid"
		if i%5 == 0 {
			status = "Charged Off"
		}
		amount := fmt.Sprint(1000 + 100*i)
		switch i {
		case 3, 7, 33:
			amount = ""
		case 34:
			amount = "1000000"
		}
		rate := fmt.Sprint(i)
		if i >= 32 {
			rate = "1000"
		}
		purpose := []string{"car", "debt"}[i%2]
		if i == 2 {
			purpose = ""
		}
		sparse := ""
		if i == 1 {
			sparse = "5"
		}
		fmt.Fprintf(&b, "%d,%s,%s-2011,%s,%s,%c,%s,x,%s,note %d,%d\n", i, status, months[i/4], amount, rate, 'A'+rune(i%3), purpose, sparse, i, i)
	}
	for i := 40; i < 45; i++ {
		status, issued := "Current", "Oct-2011"
		if i >= 43 {
			status, issued = "Fully Paid", ""
		}
		fmt.Fprintf(&b, "%d,%s,%s,1,1,A,car,x,,note,0\n", i, status, issued)
	}
	return b.String()
}

func writeRaw(t *testing.T, content string) string {
	t.Helper()
	raw := filepath.Join(t.TempDir(), "raw")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(raw, "loans.csv"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return raw
}

func decodeSpec(t *testing.T, s string) *dataset.Spec {
	t.Helper()
	spec, err := dataset.DecodeSpec(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// ran is one cleaning run for a check to inspect.
type ran struct {
	log   *Log
	table *frame.Frame
	split *split.Assignment
	dir   string
}

func (r *ran) input(t *testing.T, name string) features.Input {
	t.Helper()
	for _, in := range r.log.Inputs {
		if in.Name == name {
			return in
		}
	}
	t.Fatalf("no input %q", name)
	return features.Input{}
}

func (r *ran) column(t *testing.T, name string) *frame.Column {
	t.Helper()
	c := r.table.Col(name)
	if c == nil {
		t.Fatalf("cleaned table has no column %q", name)
	}
	return c
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9 }

func TestRun(t *testing.T) {
	day := func(s string) float64 {
		d, err := split.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	tests := []struct {
		name      string
		spec      string
		splitDate float64
		check     func(t *testing.T, r *ran)
	}{
		{"target", testSpec, 0, func(t *testing.T, r *ran) {
			got := r.log.Target
			if got.Rows != 40 || got.Bad != 8 || got.Good != 32 || got.Undated != 2 ||
				len(got.Excluded) != 1 || got.Excluded[0] != (ValueCount{"Current", 3}) {
				t.Errorf("got target %+v; want 40 rows, 8 bad, 32 good, 2 undated, Current 3 excluded", got)
			}
			if r.log.RowsRead != 45 || r.table.Rows() != 40 {
				t.Errorf("got %d rows read and %d cleaned; want 45 and 40", r.log.RowsRead, r.table.Rows())
			}
		}},
		{"dropped columns", testSpec, 0, func(t *testing.T, r *ran) {
			got := map[string]string{}
			for _, d := range r.log.Dropped {
				got[d.Name] = d.Reason
			}
			want := map[string]string{"id": "id", "paid": "leakage", "memo": "free_text", "flat": "constant", "sparse": "high_missing"}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got dropped %v; want %v", got, want)
			}
			var names []string
			for _, in := range r.log.Inputs {
				names = append(names, in.Name)
			}
			if want := []string{"issued", "amount", "rate", "grade", "purpose"}; !slices.Equal(names, want) {
				t.Errorf("got inputs %v; want %v", names, want)
			}
		}},
		{"impute with the training median", testSpec, 0, func(t *testing.T, r *ran) {
			// Training amounts: 1000+100i for i in 0..31 but 3 and 7; the
			// median is i=16.5. The huge test value must not move it.
			in := r.input(t, "amount")
			if in.Impute == nil || *in.Impute != 2650 || in.CapLow != nil || in.CapHigh != nil || !in.Indicator || in.Required {
				t.Errorf("got amount input %+v; want impute 2650, no caps (no_cap), an indicator, not required", in)
			}
			amount, ind := r.column(t, "amount").Num, r.column(t, features.IndicatorColumn("amount")).Num
			for _, i := range []int{3, 7, 33} {
				if amount[i] != 2650 || ind[i] != 1 {
					t.Errorf("row %d: got amount %v indicator %v; want 2650 and 1", i, amount[i], ind[i])
				}
			}
			if amount[34] != 1e6 || ind[34] != 0 || amount[5] != 1500 {
				t.Errorf("got amounts %v, %v (indicator %v); want 1000000 and 1500 untouched", amount[34], amount[5], ind[34])
			}
		}},
		{"cap to the training quantiles", testSpec, 0, func(t *testing.T, r *ran) {
			// Training rates are 0..31: quantiles 0.1 and 0.9 are 3.1 and
			// 27.9. Test rates of 1000 are capped to 27.9.
			in := r.input(t, "rate")
			if in.CapLow == nil || in.CapHigh == nil || !near(*in.CapLow, 3.1) || !near(*in.CapHigh, 27.9) || in.Indicator || !in.Required {
				t.Fatalf("got rate input %+v; want caps 3.1 and 27.9, required, no indicator", in)
			}
			rate := r.column(t, "rate").Num
			if rate[0] != *in.CapLow || rate[10] != 10 || rate[31] != *in.CapHigh || rate[39] != *in.CapHigh {
				t.Errorf("got rates %v, %v, %v, %v; want 3.1, 10, 27.9, 27.9", rate[0], rate[10], rate[31], rate[39])
			}
			if r.table.Col(features.IndicatorColumn("rate")) != nil {
				t.Errorf("rate has an indicator column; it is never missing in training")
			}
			var cl ColumnLog
			for _, c := range r.log.Columns {
				if c.Name == "rate" {
					cl = c
				}
			}
			// Rows 0..3 are raised to 3.1, 28..31 and the 8 test rows lowered.
			if cl.Capped != 16 || cl.Imputed != 0 {
				t.Errorf("got %d capped, %d imputed; want 16 and 0", cl.Capped, cl.Imputed)
			}
		}},
		{"categories", testSpec, 0, func(t *testing.T, r *ran) {
			purpose := r.input(t, "purpose")
			if purpose.ImputeLevel != features.MissingLevel || purpose.Required {
				t.Errorf("got purpose input %+v; want imputed with %q, not required", purpose, features.MissingLevel)
			}
			if got := r.column(t, "purpose").String(2); got != features.MissingLevel {
				t.Errorf("got purpose %q on row 2; want %q", got, features.MissingLevel)
			}
			grade := r.input(t, "grade")
			if !grade.Required || !slices.Equal(grade.Stats.Levels, []string{"A", "B", "C"}) {
				t.Errorf("got grade input %+v; want required, levels A B C", grade)
			}
		}},
		{"out of time at the month nearest 20 %", testSpec, 0, func(t *testing.T, r *ran) {
			s := r.log.Split
			if s.Kind != split.KindOutOfTime || s.Date != "2011-09-01" || s.TrainRows != 32 || s.TestRows != 8 ||
				s.FirstDate != "2011-01-01" || s.LastDate != "2011-10-01" || !near(s.TrainBadRate, 7.0/32) || !near(s.TestBadRate, 1.0/8) {
				t.Errorf("got split %+v; want out of time at 2011-09-01, 32 train (7 bad), 8 test (1 bad)", s)
			}
			for i, test := range r.split.Test {
				if test != (i >= 32) {
					t.Fatalf("row %d: got test %v; want %v", i, test, i >= 32)
				}
			}
		}},
		{"out of time at the date given", testSpec, day("2011-08-01"), func(t *testing.T, r *ran) {
			if s := r.log.Split; s.Date != "2011-08-01" || s.TrainRows != 28 || s.TestRows != 12 {
				t.Errorf("got split %+v; want 2011-08-01, 28 train and 12 test", s)
			}
			// Capping learns on the 28 training rows: 0.9 × 27 = 24.3.
			if in := r.input(t, "rate"); !near(*in.CapHigh, 24.3) {
				t.Errorf("got rate cap %v; want 24.3", *in.CapHigh)
			}
		}},
		{"stratified without a date", noDate, 0, func(t *testing.T, r *ran) {
			labels := r.column(t, "status").Num
			want, err := split.Stratified(labels, 0.2, 42)
			if err != nil {
				t.Fatal(err)
			}
			s := r.log.Split
			if s.Kind != split.KindStratified || s.Seed != 42 || s.Date != "" || r.split.Seed != 42 || !slices.Equal(r.split.Test, want) {
				t.Errorf("got split %+v; want stratified with seed 42, the rows split.Stratified picks", s)
			}
			if r.table.Rows() != 42 {
				t.Errorf("got %d rows; want 42 (undated loans kept without a date column)", r.table.Rows())
			}
		}},
		{"split file beside the table", testSpec, 0, func(t *testing.T, r *ran) {
			a, err := split.ReadFile(filepath.Join(r.dir, split.FileName))
			if err != nil {
				t.Fatal(err)
			}
			sum, err := atomicfile.SHA256(filepath.Join(r.dir, TableFile))
			if err != nil {
				t.Fatal(err)
			}
			if a.Table != TableFile || a.TableSHA256 != sum || a.TableSHA256 != r.log.Output.SHA256 {
				t.Errorf("split file names %s %s; want %s %s", a.Table, a.TableSHA256, TableFile, sum)
			}
			if a.Kind != r.split.Kind || a.Date != r.split.Date || !slices.Equal(a.Test, r.split.Test) {
				t.Errorf("split file holds %s %s; the run decided %s %s", a.Kind, a.Date, r.split.Kind, r.split.Date)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := decodeSpec(t, tt.spec)
			raw := writeRaw(t, tinyCSV())
			out := filepath.Join(t.TempDir(), "processed")
			opts := Options{RawDir: raw, OutDir: out, SplitDate: tt.splitDate}
			res, err := Analyze(t.Context(), spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			l, err := Run(t.Context(), spec, opts)
			if err != nil {
				t.Fatal(err)
			}
			table, err := parquetfile.ReadFile(filepath.Join(out, TableFile))
			if err != nil {
				t.Fatal(err)
			}
			if table.Rows() != res.Table.Rows() || len(table.Columns) != len(res.Table.Columns) {
				t.Fatalf("Run wrote %d×%d; Analyze gave %d×%d", table.Rows(), len(table.Columns), res.Table.Rows(), len(res.Table.Columns))
			}
			if _, err := ReadLog(out); err != nil {
				t.Fatal(err)
			}
			tt.check(t, &ran{log: l, table: table, split: res.Split, dir: out})
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name      string
		spec      string
		content   string
		splitDate string
		wantIs    error
		want      string
	}{
		{"unknown target value", testSpec, tinyCSV() + "99,Lost,Oct-2011,1,1,A,car,x,,note,0\n", "", ErrTarget, `loans.csv:47: column "status"`},
		{"unparseable number", testSpec, strings.Replace(tinyCSV(), ",1400,", ",14x0,", 1), "", nil, `column "amount"`},
		{"split date without a date column", noDate, tinyCSV(), "2011-08-01", nil, `a split date needs a date column, and spec "tiny" has none`},
		{"split date past the last loan", testSpec, tinyCSV(), "2012-01-01", split.ErrSplit, "leaves one side empty"},
		{"no labelled rows", testSpec, "id,status,issued,amount,rate,grade,purpose,flat,sparse,memo,paid\n1,Current,Jan-2011,1,1,A,car,x,,n,0\n", "", dataset.ErrNoData, "no labelled rows"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cut float64
			if tt.splitDate != "" {
				var err error
				if cut, err = split.ParseDay(tt.splitDate); err != nil {
					t.Fatal(err)
				}
			}
			out := filepath.Join(t.TempDir(), "processed")
			_, err := Run(t.Context(), decodeSpec(t, tt.spec), Options{RawDir: writeRaw(t, tt.content), OutDir: out, SplitDate: cut})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v; want one containing %q", err, tt.want)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v does not wrap %v", err, tt.wantIs)
			}
			if ents, _ := os.ReadDir(out); len(ents) != 0 {
				t.Errorf("files written after a failure: %v", ents)
			}
		})
	}
}

// TestMaxSpecialValues checks that a spec and a model file bound the
// special values of a column alike.
func TestMaxSpecialValues(t *testing.T) {
	if dataset.MaxSpecialValues != features.MaxSpecialValues {
		t.Errorf("dataset.MaxSpecialValues %d, features.MaxSpecialValues %d; want them equal", dataset.MaxSpecialValues, features.MaxSpecialValues)
	}
}

// TestInputKind checks the mapping of spec column types onto input kinds:
// each becomes the kind of the same name, and a type that passed no
// validation is a programmer error.
func TestInputKind(t *testing.T) {
	for _, typ := range []dataset.ColumnType{dataset.TypeNumeric, dataset.TypeCategorical, dataset.TypeOrdinal, dataset.TypeDate} {
		if got := inputKind(typ); string(got) != string(typ) {
			t.Errorf("inputKind(%q) = %q; want %q", typ, got, typ)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("inputKind(\"text\"): got no panic; want one")
		}
	}()
	inputKind("text")
}

// specLanguageSpec uses the keys for real credit files: special values, an
// extraction pattern, missing tokens for the file and for a column (an
// ordinal's unknown level), beside a pandas index column without a name.
const specLanguageSpec = `
name: spec_language
target: {column: status, bad: ["1"], good: ["0"]}
missing_values: ["-"]
undeclared: drop
columns:
  delinq: {type: numeric, min: 0, max: 60, special_values: [96, 98]}
  emp: {type: numeric, pattern: '(\d+)', missing_values: [emp_unk]}
  term: {type: numeric, parser: months, pattern: 'term_(\d+)'}
  grade: {type: ordinal, order: [A, B, C], missing_values: [unk]}
  purpose: {type: categorical}
`

// specLanguageCSV writes n loans for specLanguageSpec, led by an unnamed
// index column as pandas' to_csv writes it.
func specLanguageCSV(n int) string {
	var b strings.Builder
	b.WriteString(",status,delinq,emp,term,grade,purpose\n")
	for i := range n {
		delinq := fmt.Sprint(i % 7)
		switch i % 10 {
		case 0:
			delinq = "96"
		case 5:
			delinq = "98.0"
		}
		emp := fmt.Sprintf("emp_%d", i%11)
		switch i % 9 {
		case 0:
			emp = "EMP_UNK"
		case 4:
			emp = "-"
		case 7:
			emp = ""
		}
		grade := []string{"A", "B", "C"}[i%3]
		if i%13 == 0 {
			grade = "unk"
		}
		purpose := []string{"other", "car", "debt", "car"}[i%4]
		fmt.Fprintf(&b, "%d,%d,%s,%s,term_%d,%s,%s\n", i, min(i%4, 1), delinq, emp, []int{36, 60}[i%2], grade, purpose)
	}
	return b.String()
}

// TestRunSpecLanguage checks, on one file, what cleaning makes of the
// spec keys for real data: special values are missing, never imputed nor
// counted in the statistics, and recorded in their own column; patterns
// extract the number; both missing-token lists add to the defaults; the
// unnamed index column is dropped with a log line.
func TestRunSpecLanguage(t *testing.T) {
	var logs strings.Builder
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	const n = 60
	res, err := Analyze(t.Context(), decodeSpec(t, specLanguageSpec), Options{RawDir: writeRaw(t, specLanguageCSV(n)), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	r := &ran{log: res.Log, table: res.Table, split: res.Split}
	isTest := res.Test
	t.Run("unnamed column", func(t *testing.T) {
		if !slices.Contains(r.log.Dropped, DroppedColumn{Name: "(column 1)", Reason: "unnamed", Detail: "column 1 has no name (a data frame's index?); name it in the file and declare it in the spec to use it"}) {
			t.Errorf("dropped columns %+v; want (column 1) as unnamed", r.log.Dropped)
		}
		if !strings.Contains(logs.String(), `msg="unnamed column dropped"`) || !strings.Contains(logs.String(), "column=1") {
			t.Errorf("log %q has no line about the unnamed column", logs.String())
		}
		if r.table.Col("") != nil {
			t.Error("the unnamed column is in the cleaned table")
		}
	})
	t.Run("special values", func(t *testing.T) {
		in := r.input(t, "delinq")
		num, special := r.column(t, "delinq").Num, r.column(t, features.SpecialColumn("delinq")).Num
		var train []float64
		specialTrain := [2]float64{}
		nTrain := 0
		for i := range n {
			want := 0.0
			switch i % 10 {
			case 0:
				want = 1
			case 5:
				want = 2
			}
			if special[i] != want {
				t.Errorf("row %d: special %v; want %v", i, special[i], want)
			}
			if want > 0 && !math.IsNaN(num[i]) {
				t.Errorf("row %d: a special value cleaned to %v; want NaN (not imputed)", i, num[i])
			}
			if isTest[i] {
				continue
			}
			nTrain++
			if want > 0 {
				specialTrain[int(want)-1]++
			} else {
				train = append(train, float64(i%7))
			}
		}
		slices.Sort(train)
		if med := train[len(train)/2]; in.Impute == nil || *in.Impute != med || *in.Stats.Max != 6 {
			t.Errorf("impute %v, training max %v; want the median of the ordinary values %v and max 6", in.Impute, in.Stats.Max, med)
		}
		if in.Stats.MissingShare != 0 || !in.Required || in.Indicator {
			t.Errorf("missing share %v, required %v, indicator %v; want 0, true, false: special values are not missing ones", in.Stats.MissingShare, in.Required, in.Indicator)
		}
		want := []float64{specialTrain[0] / float64(nTrain), specialTrain[1] / float64(nTrain)}
		if !slices.Equal(in.Stats.SpecialShares, want) || !slices.Equal(in.Special, []string{"96", "98"}) {
			t.Errorf("special %v shares %v; want [96 98] %v", in.Special, in.Stats.SpecialShares, want)
		}
		var cl ColumnLog
		for _, c := range r.log.Columns {
			if c.Name == "delinq" {
				cl = c
			}
		}
		if !slices.Equal(cl.Special, []ValueCount{{"96", n / 10}, {"98", n / 10}}) || cl.OutOfRange != 0 || cl.Imputed != 0 {
			t.Errorf("column log %+v; want 6 rows of each special value, none out of range or imputed", cl)
		}
	})
	t.Run("patterns and missing tokens", func(t *testing.T) {
		emp, term := r.column(t, "emp").Num, r.column(t, "term").Num
		ind := r.column(t, features.IndicatorColumn("emp")).Num
		for i := range n {
			if want := float64([]int{36, 60}[i%2]); term[i] != want {
				t.Errorf("row %d: term %v; want %v", i, term[i], want)
			}
			missing := i%9 == 0 || i%9 == 4 || i%9 == 7
			if (ind[i] == 1) != missing {
				t.Errorf("row %d: emp indicator %v; want missing %v", i, ind[i], missing)
			}
			if !missing && emp[i] != float64(i%11) {
				t.Errorf("row %d: emp %v; want %d", i, emp[i], i%11)
			}
		}
		grade := r.column(t, "grade")
		for i := range n {
			if i%13 == 0 && grade.String(i) != r.input(t, "grade").ImputeLevel {
				t.Errorf("row %d: grade unk cleaned to %q; want the imputed mode", i, grade.String(i))
			}
		}
	})
}

// TestRunSpecLanguageErrors checks that a value the pattern does not
// match stops the run naming the file, line and column.
func TestRunSpecLanguageErrors(t *testing.T) {
	content := strings.Replace(specLanguageCSV(20), "emp_3,", "three,", 1)
	_, err := Analyze(t.Context(), decodeSpec(t, specLanguageSpec), Options{RawDir: writeRaw(t, content)})
	if err == nil || !strings.Contains(err.Error(), `loans.csv:5: column "emp" (field 4)`) || !strings.Contains(err.Error(), "does not match the pattern") {
		t.Errorf("got error %v; want one naming loans.csv:5, column emp and the pattern", err)
	}
}
