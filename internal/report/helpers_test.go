package report

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/split"
)

// synthInput returns a realistic report input: n test loans whose outcome
// follows a latent risk z, and three candidates whose PDs see z through
// different amounts of noise (the champion least), one of them poorly
// calibrated. The same seed gives the same input.
func synthInput(tb testing.TB, n int, seed uint64) *Input {
	tb.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	z := make([]float64, n)
	y := make([]float64, n)
	bad := 0
	for i := range n {
		z[i] = rng.NormFloat64()
		if rng.Float64() < sigmoid(-2+1.1*z[i]) {
			y[i] = 1
			bad++
		}
	}
	grade := make([]int, n)
	term := make([]int, n)
	for i := range n {
		grade[i] = min(max(int(2.5+z[i]+0.8*rng.NormFloat64()), 0), 5)
		if rng.Float64() < sigmoid(z[i]-1) {
			term[i] = 1
		}
	}
	type spec struct {
		name, algo string
		version    int
		champion   bool
		pd         func(z float64) float64
		fit        float64
	}
	specs := []spec{
		{"gbdt", "gbdt", 3, true, func(z float64) float64 { return sigmoid(-2 + 1.1*z + 0.35*rng.NormFloat64()) }, 41.7},
		{"logistic", "linear", 2, false, func(z float64) float64 { return sigmoid(-1.95 + 0.8*z + 0.7*rng.NormFloat64()) }, 2.31},
		{"forest", "forest", 1, false, func(z float64) float64 { return 0.06 + 0.5*sigmoid(-1.6+0.9*z+0.6*rng.NormFloat64()) }, 118.2},
	}
	in := &Input{
		RunID:     "20240611T101500Z-7f3a",
		Dataset:   "lending_club_2007_2011",
		CreatedAt: time.Date(2024, 6, 11, 10, 15, 0, 0, time.UTC),
		Data: DataSummary{
			RowsRead: 42538, Labelled: 39786, Bad: 5670, Excluded: 2752,
			TrainRows: 39786 - n, TestRows: n,
			TrainBadRate: 0.139, TestBadRate: float64(bad) / float64(n),
			SplitKind: split.KindOutOfTime, SplitDate: "2011-04-01", FirstDate: "2007-06-01", LastDate: "2011-12-01",
			Features: 31,
			Dropped: []Dropped{
				{Name: "total_pymnt", Reason: "leakage", Detail: "listed in the spec as known only after origination"},
				{Name: "policy_code", Reason: "constant", Detail: "one value in every row"},
				{Name: "desc", Reason: "free_text"},
			},
		},
	}
	features := []string{"int_rate", "grade", "term", "annual_inc", "dti", "revol_util", "inq_last_6mths",
		"purpose=small_business", "emp_length", "installment", "loan_amnt", "credit_history_months",
		"open_acc", "total_acc", "revol_bal", "home_ownership=RENT", "verification_status=Verified",
		"pub_rec", "delinq_2yrs", "purpose=credit_card", "addr_state=CA", "home_ownership=MORTGAGE",
		"purpose=debt_consolidation", "pub_rec_bankruptcies", "addr_state=NY"}
	for _, s := range specs {
		c := Candidate{
			Name: s.name, Algorithm: s.algo, Version: s.version, Champion: s.champion,
			ThresholdRule: "maximise F1 on validation",
			Y:             y,
			PD:            make([]float64, n),
		}
		for i := range n {
			c.PD[i] = s.pd(z[i])
		}
		c.Threshold = 0.215
		c.Metrics = evaluate(tb, y, c.PD, c.Threshold)
		c.Metrics.FitSeconds = s.fit
		c.Segments = segments(tb, grade, term, y, c.PD)
		v := 0.42 + 0.1*rng.Float64()
		for _, f := range features {
			c.Importance = append(c.Importance, Importance{Feature: f, MeanAbsSHAP: v})
			v *= 0.55 + 0.4*rng.Float64()
		}
		in.Candidates = append(in.Candidates, c)
	}
	return in
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// evaluate returns the metrics the pipeline records for a candidate.
func evaluate(tb testing.TB, y, pd []float64, threshold float64) metrics.Summary {
	tb.Helper()
	var m metrics.Summary
	for _, f := range []struct {
		name string
		dst  *float64
		f    func([]float64, []float64, []float64) (float64, error)
	}{
		{"roc_auc", &m.ROCAUC, metrics.ROCAUC}, {"pr_auc", &m.PRAUC, metrics.AveragePrecision}, {"ks", &m.KS, metrics.KS},
		{"gini", &m.Gini, metrics.Gini}, {"brier", &m.Brier, metrics.Brier}, {"log_loss", &m.LogLoss, metrics.LogLoss},
	} {
		v, err := f.f(y, pd, nil)
		if err != nil {
			tb.Fatalf("%s: %v", f.name, err)
		}
		*f.dst = v
	}
	ece, err := metrics.ECE(y, pd, 10)
	if err != nil {
		tb.Fatal(err)
	}
	m.ECE = ece
	cm, err := metrics.Confusion(y, pd, threshold)
	if err != nil {
		tb.Fatal(err)
	}
	m.Precision, m.Recall, m.F1, m.Accuracy = cm.Precision(), cm.Recall(), cm.F1(), cm.Accuracy()
	m.TP, m.FP, m.TN, m.FN = cm.TP, cm.FP, cm.TN, cm.FN
	m.Threshold = threshold
	return m
}

// segments returns the AUC within each grade (0 to 5, A to F) and term (0
// or 1) of the loans. A grade G of three good loans is added, whose AUC is
// undefined.
func segments(tb testing.TB, grade, term []int, y, pd []float64) []SegmentAUC {
	tb.Helper()
	type level struct{ y, pd []float64 }
	grades := make([]level, 6)
	terms := make([]level, 2)
	for i := range y {
		g, t := grade[i], term[i]
		grades[g].y = append(grades[g].y, y[i])
		grades[g].pd = append(grades[g].pd, pd[i])
		terms[t].y = append(terms[t].y, y[i])
		terms[t].pd = append(terms[t].pd, pd[i])
	}
	var out []SegmentAUC
	add := func(segment, name string, l level) {
		auc, err := metrics.ROCAUC(l.y, l.pd, nil)
		switch {
		case errors.Is(err, metrics.ErrOneClass), errors.Is(err, metrics.ErrEmpty):
			auc = math.NaN()
		case err != nil:
			tb.Fatal(err)
		}
		var bad float64
		for _, v := range l.y {
			bad += v
		}
		rate := math.NaN()
		if len(l.y) > 0 {
			rate = bad / float64(len(l.y))
		}
		out = append(out, SegmentAUC{Segment: segment, Level: name, Rows: len(l.y), BadRate: rate, AUC: auc})
	}
	for g, l := range grades {
		add("grade", string(rune('A'+g)), l)
	}
	add("grade", "G", level{y: []float64{0, 0, 0}, pd: []float64{0.3, 0.4, 0.5}})
	add("term", "36 months", terms[0])
	add("term", "60 months", terms[1])
	return out
}

// checkXML fails unless b is well-formed XML.
func checkXML(tb testing.TB, name string, b []byte) {
	tb.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			tb.Fatalf("%s is not well-formed XML: %v", name, err)
		}
	}
}

// mutate returns a deep enough copy of in for a test to change one field.
func mutate(in *Input, f func(*Input)) *Input {
	out := *in
	out.Candidates = make([]Candidate, len(in.Candidates))
	for i, c := range in.Candidates {
		c.Y = append([]float64(nil), c.Y...)
		c.PD = append([]float64(nil), c.PD...)
		c.Importance = append([]Importance(nil), c.Importance...)
		c.Segments = append([]SegmentAUC(nil), c.Segments...)
		c.Metrics.Extra = maps.Clone(c.Metrics.Extra)
		out.Candidates[i] = c
	}
	f(&out)
	return &out
}
