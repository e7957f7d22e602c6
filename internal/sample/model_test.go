package sample

import (
	"bytes"
	"encoding/csv"
	"math"
	"strings"
	"testing"
	"time"
)

func TestAppendNumbers(t *testing.T) {
	tests := []struct {
		name string
		f    func([]byte, int64) []byte
		in   int64
		want string
	}{
		{"cents whole", appendCents, 500000, "5000"},
		{"cents two decimals", appendCents, 2765, "27.65"},
		{"cents one decimal", appendCents, 15080, "150.8"},
		{"cents below one", appendCents, 30, "0.3"},
		{"cents one cent", appendCents, 1, "0.01"},
		{"cents zero", appendCents, 0, "0"},
		{"cents negative", appendCents, -1205, "-12.05"},
		{"fixed2", appendFixed2, 1065, "10.65"},
		{"fixed2 whole", appendFixed2, 600, "6.00"},
		{"fixed2 small", appendFixed2, 5, "0.05"},
		{"tenths", appendTenths, 837, "83.7"},
		{"tenths whole", appendTenths, 210, "21"},
		{"tenths zero", appendTenths, 0, "0"},
		{"tenths above 100", appendTenths, 1190, "119"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.f(nil, tt.in)); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestAppendMonth(t *testing.T) {
	tests := []struct {
		m    month
		want string
	}{
		{mkMonth(2011, 12), "Dec-2011"},
		{mkMonth(2012, 1), "Jan-2012"},
		{monthOf(time.Date(1946, time.July, 31, 23, 0, 0, 0, time.UTC)), "Jul-1946"},
		{noMonth, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(appendMonth(nil, tt.m)); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestAppendText(t *testing.T) {
	tests := []struct {
		in   string
		pad  bool
		want string
	}{
		{"us army", false, "us army"},
		{"us army", true, "us army "},
		{"  Borrower added on 12/15/10 > hi<br>", false, "  Borrower added on 12/15/10 > hi<br>"},
		{"walmart, inc.", false, `"walmart, inc."`},
		{"walmart, inc.", true, `"walmart, inc. "`},
		{`the "minimum payment" trap`, false, `"the ""minimum payment"" trap"`},
		{"", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := string(appendText(nil, tt.in, tt.pad)); got != tt.want {
				t.Errorf("appendText(%q, %v) = %q; want %q", tt.in, tt.pad, got, tt.want)
			}
			if got := string(appendText(nil, []byte(tt.in), tt.pad)); got != tt.want {
				t.Errorf("appendText([]byte(%q), %v) = %q; want %q", tt.in, tt.pad, got, tt.want)
			}
		})
	}
}

// FuzzAppendText checks that encoding/csv reads every field appendText
// writes back unchanged, between other fields.
func FuzzAppendText(f *testing.F) {
	for _, s := range []string{"", "a", "a,b", `say "hi"`, " lead", "trail ", "x\ny", `""`, ",", "\t"} {
		f.Add(s, false)
	}
	f.Add("pad me", true)
	f.Fuzz(func(t *testing.T, s string, pad bool) {
		if strings.ContainsRune(s, '\r') {
			t.Skip("encoding/csv rewrites \\r\\n inside quoted fields")
		}
		b := append([]byte("x,"), appendText(nil, s, pad)...)
		b = append(b, ",y\n"...)
		r := csv.NewReader(bytes.NewReader(b))
		r.LazyQuotes = false
		rec, err := r.Read()
		if err != nil {
			t.Fatalf("read back %q: %v", b, err)
		}
		want := s
		if pad {
			want += " "
		}
		if len(rec) != 3 || rec[0] != "x" || rec[1] != want || rec[2] != "y" {
			t.Fatalf("read back %q as %q; want [x %q y]", b, rec, want)
		}
	})
}

func TestInstallmentCents(t *testing.T) {
	tests := []struct {
		name      string
		principal int64 // cents
		rate      int   // hundredths of a percent
		term      int
		want      int64
	}{
		// Amounts, rates and installments as printed in LC's 2007-2011 file.
		{"20000 at 11.22% over 36", 2_000_000, 1122, 36, 65686},
		{"7500 at 10.59% over 36", 750_000, 1059, 36, 24409},
		{"2500 at 5.79% over 36", 250_000, 579, 36, 7582},
		{"zero rate", 360_000, 0, 36, 10000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := installmentCents(tt.principal, tt.rate, tt.term); got != tt.want {
				t.Errorf("installmentCents = %d; want %d", got, tt.want)
			}
		})
	}
}

func TestFicoNormalScore(t *testing.T) {
	for f := 660; f <= 845; f += 5 {
		if got := ficoOf(ficoNormalScore(f)); got != f {
			t.Errorf("ficoOf(ficoNormalScore(%d)) = %d; want %d", f, got, f)
		}
	}
	for f := 610; f < 845; f += 5 {
		if a, b := ficoNormalScore(f), ficoNormalScore(f+5); !(a < b) {
			t.Errorf("ficoNormalScore(%d) = %v, ficoNormalScore(%d) = %v; want increasing", f, a, f+5, b)
		}
	}
}

func TestRateOf_GradeOrder(t *testing.T) {
	cfg, err := Config{Rows: 1}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(cfg)
	for m := cfg.start; m <= cfg.end; m++ {
		for s := 1; s < 35; s++ {
			if lo, hi := g.rateOf(s-1, m), g.rateOf(s, m); hi <= lo {
				t.Fatalf("%s: rate of sub-grade %d = %d <= sub-grade %d = %d; want increasing",
					appendMonth(nil, m), s, hi, s-1, lo)
			}
		}
	}
}

// TestGradeScoreMoments checks gradeScoreMean and gradeScoreSD, which place
// the sub-grade cuts, against the score distribution at mid-window. Re-measure
// them when the score formula in fill changes.
func TestGradeScoreMoments(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 20_000
	}
	cfg, err := Config{Rows: n}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	g := newGenerator(cfg)
	w := newWorker(g)
	w.pcg.Seed(streamSeeds(99, 0))
	mid := cfg.start + (cfg.end-cfg.start)/2
	var s, s2 float64
	shares := make([]float64, 7)
	for i := range n {
		g.fill(w, i, mid)
		s += w.l.gradeScore
		s2 += w.l.gradeScore * w.l.gradeScore
		shares[w.l.subGrade/5]++
	}
	mean := s / float64(n)
	sd := math.Sqrt(s2/float64(n) - mean*mean)
	if math.Abs(mean-gradeScoreMean) > 0.03 || math.Abs(sd-gradeScoreSD) > 0.03 {
		t.Errorf("grade score mean %.3f, sd %.3f; constants say %.3f, %.3f", mean, sd, gradeScoreMean, gradeScoreSD)
	}
	var want [7]float64
	for k, v := range subGradeShares {
		want[k/5] += v / 100
	}
	for k := range shares {
		got := shares[k] / float64(n)
		if math.Abs(got-want[k]) > 0.25*want[k]+0.005 {
			t.Errorf("grade %c share = %.3f; want about %.3f", 'A'+k, got, want[k])
		}
	}
}
