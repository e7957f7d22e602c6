package sample_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"log"
	"time"

	"github.com/credit-risk/credit-risk/internal/sample"
)

// ExampleWrite writes five loans of the 2007-2011 vintage and prints a few
// of their 151 columns.
func ExampleWrite() {
	start, _ := time.Parse(sample.MonthLayout, "Jun-2007")
	end, _ := time.Parse(sample.MonthLayout, "Dec-2011")
	var buf bytes.Buffer
	cfg := sample.Config{Rows: 5, Seed: 2012, Start: start, End: end}
	if err := sample.Write(context.Background(), &buf, cfg); err != nil {
		log.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range recs[0] {
		col[name] = i
	}
	for _, r := range recs[1:] {
		fmt.Printf("%s|%s|%s|%s|%s|%s\n", r[col["loan_amnt"]], r[col["term"]], r[col["int_rate"]],
			r[col["sub_grade"]], r[col["issue_d"]], r[col["loan_status"]])
	}
	// Output:
	// 24000| 36 months|11.09%|B3|May-2008|Fully Paid
	// 10000| 36 months|  11.57%|B4|Sep-2009|Fully Paid
	// 4000| 36 months| 11.78%|B4|Jul-2010|Charged Off
	// 19000| 36 months|23.91%|F1|Mar-2011|Fully Paid
	// 35000| 60 months|14.40%|C2|Oct-2011|Charged Off
}
