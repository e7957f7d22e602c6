package parquetfile_test

import (
	"fmt"
	"github.com/credit-risk/credit-risk/internal/frame/parquetfile"
	"log"
	"math"
	"os"
	"path/filepath"

	"github.com/credit-risk/credit-risk/internal/frame"
)

func ExampleWriteFile() {
	dir, err := os.MkdirTemp("", "frame-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "loans.parquet")

	loans := &frame.Frame{Columns: []*frame.Column{
		{Name: "loan_amnt", Kind: frame.Numeric, Num: []float64{5000, math.NaN(), 2400}},
		{Name: "grade", Kind: frame.Categorical, Codes: []int32{1, 0, -1}, Levels: []string{"A", "B"}},
		{Name: "issue_d", Kind: frame.Date, Num: []float64{15310, 15340, 15340}},
	}}
	if err := parquetfile.WriteFile(path, loans); err != nil {
		log.Fatal(err)
	}

	// Read back only what the next step needs.
	f, err := parquetfile.ReadColumns(path, []string{"grade", "loan_amnt"})
	if err != nil {
		log.Fatal(err)
	}
	grade, amount := f.Col("grade"), f.Col("loan_amnt")
	for i := range f.Rows() {
		fmt.Printf("%q %v (missing grade: %v)\n", grade.String(i), amount.Num[i], grade.IsMissing(i))
	}
	fmt.Println(grade.Levels)
	// Output:
	// "B" 5000 (missing grade: false)
	// "A" NaN (missing grade: false)
	// "" 2400 (missing grade: true)
	// [B A]
}
