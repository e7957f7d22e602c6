package split

import (
	"errors"
	"testing"

	"github.com/credit-risk/credit-risk/internal/value"
)

func day(t *testing.T, s string) float64 {
	t.Helper()
	d, err := value.ParseDate(s, "2006-01-02")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestMonthCut(t *testing.T) {
	var dates []float64
	// 10 loans a month over 10 months: the 20 % test set is the last two.
	for m := 1; m <= 10; m++ {
		for i := 0; i < 10; i++ {
			dates = append(dates, day(t, "2011-01-15")+float64((m-1)*31))
		}
	}
	cut, err := MonthCut(dates, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	test := ByDate(dates, cut)
	n := 0
	for _, b := range test {
		if b {
			n++
		}
	}
	if n != 20 {
		t.Errorf("test rows = %d; want 20 (cut %s)", n, FormatDay(cut))
	}
	if err := CheckCut(dates, cut); err != nil {
		t.Errorf("CheckCut(own cut) = %v", err)
	}
	if err := CheckCut(dates, day(t, "2030-01-01")); !errors.Is(err, ErrSplit) {
		t.Errorf("CheckCut(after all loans) = %v; want ErrSplit", err)
	}
	if _, err := MonthCut(dates[:10], 0.2); !errors.Is(err, ErrSplit) {
		t.Errorf("MonthCut(one month) = %v; want ErrSplit", err)
	}
}

func TestStratified(t *testing.T) {
	labels := make([]float64, 1000)
	for i := range 200 {
		labels[i] = 1
	}
	a, err := Stratified(labels, 0.2, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Stratified(labels, 0.2, 7)
	c, _ := Stratified(labels, 0.2, 8)
	var bad, all, diff int
	for i := range labels {
		if a[i] != b[i] {
			t.Fatal("same seed gave different splits")
		}
		if a[i] != c[i] {
			diff++
		}
		if a[i] {
			all++
			if labels[i] == 1 {
				bad++
			}
		}
	}
	if all != 200 || bad != 40 {
		t.Errorf("test = %d rows, %d bad; want 200, 40", all, bad)
	}
	if diff == 0 {
		t.Errorf("different seeds gave the same split")
	}
	if _, err := Stratified([]float64{0, 0, 1}, 0.2, 1); !errors.Is(err, ErrSplit) {
		t.Errorf("one bad loan: err = %v; want ErrSplit", err)
	}
}

func TestParseDay(t *testing.T) {
	if got, err := ParseDay("2011-06"); err != nil || FormatDay(got) != "2011-06-01" {
		t.Errorf("ParseDay(2011-06) = %v, %v", FormatDay(got), err)
	}
	if _, err := ParseDay("June 2011"); err == nil {
		t.Errorf("ParseDay(June 2011) succeeded")
	}
}
