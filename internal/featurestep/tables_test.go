package featurestep

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/clean"
	"github.com/credit-risk/credit-risk/internal/dataset"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/features/fit"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"github.com/credit-risk/credit-risk/internal/split"
)

const testSpec = `
name: small
target: {column: status, bad: [Charged Off], good: [Fully Paid], exclude: [Current]}
date: {column: issued, format: Mon-YYYY}
id_columns: [id]
text_columns: [note]
leakage_columns: [paid_*]
columns:
  amount: {type: numeric, min: 0}
  income: {type: numeric, min: 0}
  rate: {type: numeric, parser: percent, monotone: 1}
  term: {type: numeric, parser: months}
  tenure: {type: numeric, parser: years}
  grade: {type: ordinal, order: [A, B, C, D]}
  purpose: {type: categorical}
  opened: {type: date, format: Mon-YYYY}
derived:
  - {name: loan_to_income, op: ratio, args: [amount, income]}
  - {name: history_months, op: months_between, args: [opened, issued]}
`

var months = []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// writeSmall writes a raw file of n loans with a real default signal, a
// notes line, a leakage column and summary lines.
func writeSmall(t testing.TB, dir string, n int) {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("Notes offered by Prospectus\n")
	b.WriteString("id,status,issued,amount,income,rate,term,tenure,grade,purpose,opened,note,paid_total\n")
	for i := range n {
		g := rng.IntN(4)
		rate := 6 + 4*float64(g) + rng.Float64()*2
		p := 0.05 + 0.08*float64(g)
		status := "Fully Paid"
		if rng.Float64() < p {
			status = "Charged Off"
		}
		if i%50 == 7 {
			status = "Current"
		}
		paid := 1000.0
		if status == "Charged Off" {
			paid = 200
		}
		tenure := []string{"< 1 year", "3 years", "10+ years", "n/a"}[rng.IntN(4)]
		income := fmt.Sprint(30000 + rng.IntN(90000))
		if i%97 == 3 {
			income = ""
		}
		purpose := []string{"car", "debt", "home", "other", "rare"}[min(rng.IntN(9), 4)]
		fmt.Fprintf(&b, "%d,%s,%s-%d,%d,%s,%.2f%%, %d months,%s,%c,%s,%s-%d,\"free, text\",%v\n",
			i, status, months[i%12], 2010+i*3/n, 1000+rng.IntN(20000), income, rate,
			[]int{36, 60}[rng.IntN(2)], tenure, 'A'+rune(g), purpose, months[rng.IntN(12)], 1990+rng.IntN(15), paid)
	}
	b.WriteString("Total amount funded in policy code 1: 123\n")
	if err := os.MkdirAll(filepath.Join(dir, "raw"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "raw", "loans.csv"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func decode(t testing.TB, s string) *dataset.Spec {
	t.Helper()
	spec, err := dataset.DecodeSpec(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestCleanAndFeatures(t *testing.T) {
	dir := t.TempDir()
	writeSmall(t, dir, 3000)
	spec := decode(t, testSpec)
	out := filepath.Join(dir, "processed")
	l, err := clean.Run(t.Context(), spec, clean.Options{RawDir: filepath.Join(dir, "raw"), OutDir: out})
	if err != nil {
		t.Fatal(err)
	}
	if l.RowsRead != 3000 || l.Target.Rows != 3000-60 {
		t.Errorf("rows read %d, labelled %d; want 3000, 2940", l.RowsRead, l.Target.Rows)
	}
	if len(l.Target.Excluded) != 1 || l.Target.Excluded[0].Count != 60 {
		t.Errorf("excluded = %+v; want Current: 60", l.Target.Excluded)
	}
	reasons := map[string]string{}
	for _, d := range l.Dropped {
		reasons[d.Name] = d.Reason
	}
	for name, want := range map[string]string{"id": "id", "note": "free_text", "paid_total": "leakage"} {
		if reasons[name] != want {
			t.Errorf("%s dropped as %q; want %q", name, reasons[name], want)
		}
	}

	ctx := t.Context()
	exp := filepath.Join(dir, "export")
	meta, err := Run(ctx, Options{Dir: out, ExportDir: exp})
	if err != nil {
		t.Fatal(err)
	}
	if meta.TrainRows+meta.TestRows != 2940 || meta.Split.Kind != split.KindOutOfTime {
		t.Errorf("meta = %d + %d rows, split %s", meta.TrainRows, meta.TestRows, meta.Split.Kind)
	}
	names := map[string]bool{}
	for _, f := range meta.Features {
		names[f.Name] = true
		if strings.HasPrefix(f.Name, "paid") || f.Name == "id" {
			t.Errorf("feature %q must not exist", f.Name)
		}
	}
	for _, want := range []string{"rate", "grade", "loan_to_income", "history_months", "income_missing", "purpose=car", "purpose=other"} {
		if !names[want] {
			t.Errorf("no feature %q among %v", want, names)
		}
	}
	for _, f := range []string{TrainFile, TestFile, PipelineFile, MetaFile} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	csv, err := os.ReadFile(filepath.Join(exp, "train.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != meta.TrainRows+1 || !strings.HasSuffix(lines[0], ",target") {
		t.Errorf("train.csv: %d lines, header %q", len(lines), lines[0])
	}

	// The train table holds the training period only, in date order.
	tr, err := parquetfile.ReadFile(filepath.Join(out, TrainFile))
	if err != nil {
		t.Fatal(err)
	}
	d := tr.Col("issued").Num
	for i := 1; i < len(d); i++ {
		if d[i] < d[i-1] {
			t.Fatalf("train rows not in date order at %d", i)
		}
	}
}

// TestRecordMatchesTable checks train/serve parity: every raw row run through
// the pipeline alone gives exactly the vector the table path gave.
func TestRecordMatchesTable(t *testing.T) {
	dir := t.TempDir()
	writeSmall(t, dir, 1500)
	checkParity(t, decode(t, testSpec), filepath.Join(dir, "raw"))
}

func TestRecordMatchesTableLendingClub(t *testing.T) {
	root := os.Getenv("CREDIT_RISK_DATASETS")
	if root == "" {
		t.Skip("CREDIT_RISK_DATASETS not set")
	}
	raw := t.TempDir()
	src := filepath.Join(root, "lending_club_loanstats3a_2007_2011", "LoanStats3a_securev1_2007_2011.csv")
	if err := os.Symlink(src, filepath.Join(raw, "loans.csv")); err != nil {
		t.Fatal(err)
	}
	spec, err := loadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	checkParity(t, spec, raw)
}

func checkParity(t *testing.T, spec *dataset.Spec, raw string) {
	t.Helper()
	out := t.TempDir()
	if _, err := clean.Run(t.Context(), spec, clean.Options{RawDir: raw, OutDir: out}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), Options{Dir: out}); err != nil {
		t.Fatal(err)
	}
	p, err := ReadPipeline(out)
	if err != nil {
		t.Fatal(err)
	}
	table, err := parquetfile.ReadFile(filepath.Join(out, clean.TableFile))
	if err != nil {
		t.Fatal(err)
	}
	X, err := EncodeFrame(p, table)
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := dataset.FindSources(raw, spec.Files)
	if err != nil {
		t.Fatal(err)
	}
	row, vec, rawv := p.NewRow(), make([]float64, p.NumFeatures()), make([]features.Raw, len(p.Inputs))
	var index []int
	i, checked := 0, 0
	err = dataset.ForEach(context.Background(), srcs, spec, func(r *dataset.Reader, rec []string) error {
		if index == nil {
			index = p.HeaderIndex(r.Header())
		}
		status := strings.TrimSpace(rec[indexOf(r.Header(), spec.Target.Column)])
		for _, ex := range spec.Target.Exclude {
			if status == ex {
				return nil
			}
		}
		p.RawFromStrings(index, rec, rawv)
		if errs := p.Transform(rawv, row, vec); len(errs) > 0 {
			// A value outside the spec's valid range is an entry error for
			// a single application but became missing in the table.
			for _, e := range errs {
				if e.Problem != features.ProblemRange {
					return fmt.Errorf("line %d: %v", r.Line(), errs)
				}
			}
			i++
			return nil
		}
		want := X.Row(i)
		for j := range vec {
			if vec[j] != want[j] && !(math.IsNaN(vec[j]) && math.IsNaN(want[j])) {
				return fmt.Errorf("line %d feature %s: record %v; table %v", r.Line(), p.Features[j].Name, vec[j], want[j])
			}
		}
		i++
		checked++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if i != X.Rows {
		t.Fatalf("walked %d labelled rows; table has %d", i, X.Rows)
	}
	if checked < X.Rows*9/10 {
		t.Errorf("only %d of %d rows compared", checked, X.Rows)
	}
}

func indexOf(h []string, name string) int {
	for i, s := range h {
		if s == name {
			return i
		}
	}
	return -1
}

func TestBadInputNothingWritten(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"unparseable", "id,status,issued,amount,income,rate,term,tenure,grade,purpose,opened,note,paid_total\n1,Fully Paid,Jan-2010,12x,5,1%,36,1 year,A,car,Jan-2000,,1\n", `loans.csv:2: column "amount" (field 4)`},
		{"unknown ordinal", "id,status,issued,amount,income,rate,term,tenure,grade,purpose,opened,note,paid_total\n1,Fully Paid,Jan-2010,12,5,1%,36,1 year,Z,car,Jan-2000,,1\n", `column "grade"`},
		{"unknown target", "id,status,issued,amount,income,rate,term,tenure,grade,purpose,opened,note,paid_total\n1,Lost,Jan-2010,12,5,1%,36,1 year,A,car,Jan-2000,,1\n", `unknown target value "Lost"`},
		{"missing column", "id,status,issued,amount\n1,Fully Paid,Jan-2010,12\n", `the spec names columns the file lacks`},
		{"empty file", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "raw"), 0o755)
			os.WriteFile(filepath.Join(dir, "raw", "loans.csv"), []byte(tt.content), 0o644)
			out := filepath.Join(dir, "processed")
			_, err := clean.Run(t.Context(), decode(t, testSpec), clean.Options{RawDir: filepath.Join(dir, "raw"), OutDir: out})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tt.want)
			}
			if ents, _ := os.ReadDir(out); len(ents) != 0 {
				t.Errorf("files written after a failure: %v", ents)
			}
		})
	}
}

func TestFeaturesNeedsClean(t *testing.T) {
	// A cleaned folder whose table was removed after the log was written.
	dir := t.TempDir()
	writeSmall(t, dir, 500)
	cleaned := filepath.Join(dir, "processed")
	if _, err := clean.Run(t.Context(), decode(t, testSpec), clean.Options{RawDir: filepath.Join(dir, "raw"), OutDir: cleaned}); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(cleaned, clean.TableFile)); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	tests := []struct {
		name string
		dir  string
		want string
	}{
		{"no clean log", empty, "features: " + filepath.Join(empty, clean.LogFile) + " not found: run `credit-risk clean` first"},
		{"no cleaned table", cleaned, "features: " + filepath.Join(cleaned, clean.TableFile) + " not found: run `credit-risk clean` first"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(t.Context(), Options{Dir: tt.dir})
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("error = %v; want it to wrap os.ErrNotExist", err)
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("error = %v\nwant     %s", err, tt.want)
			}
		})
	}
}

func TestLeakageStopsFeatures(t *testing.T) {
	dir := t.TempDir()
	writeSmall(t, dir, 2000)
	// Without the leakage list the paid_total column is a feature that
	// gives the outcome away.
	spec := decode(t, strings.Replace(testSpec, "leakage_columns: [paid_*]", "", 1))
	out := filepath.Join(dir, "processed")
	if _, err := clean.Run(t.Context(), spec, clean.Options{RawDir: filepath.Join(dir, "raw"), OutDir: out}); err != nil {
		t.Fatal(err)
	}
	_, err := Run(t.Context(), Options{Dir: out})
	if !errors.Is(err, fit.ErrLeakage) || !strings.Contains(err.Error(), "paid_total") {
		t.Errorf("error = %v; want ErrLeakage naming paid_total", err)
	}
	if _, err := os.Stat(filepath.Join(out, MetaFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("features.json written despite leakage")
	}
}
