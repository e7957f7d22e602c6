package sample

import (
	"math"
	"math/rand/v2"
	"sort"
)

// Loan status values.
const (
	statusFullyPaid  = "Fully Paid"
	statusChargedOff = "Charged Off"
	statusCurrent    = "Current"
	notPolicyPrefix  = "Does not meet the credit policy. Status:"

	statusNotPolicyFullyPaid  = notPolicyPrefix + statusFullyPaid
	statusNotPolicyChargedOff = notPolicyPrefix + statusChargedOff
)

// Model constants. Money is in cents, rates and DTI in hundredths of a
// percent, revol_util in tenths of a percent.
const (
	// snapshotLag is the number of months between the last issue month and
	// the date the file describes: loans not yet paid off or charged off by
	// then are "Current".
	snapshotLag = 48
	// volumeGrowth is the ratio of loans issued in the last month of the
	// window to loans issued in the first.
	volumeGrowth = 5.0
	// naEmpLength is the emp_length index written as "n/a".
	naEmpLength = len(empLengths)
	// noValue marks an empty integer field.
	noValue = -1
)

// subGradeShares are the target shares (percent) of sub-grades A1..G5 in
// the middle of the issue window; later loans drift towards riskier
// grades.
var subGradeShares = [35]float64{
	2.6, 2.7, 2.9, 3.5, 4.7,
	5.2, 5.6, 6.3, 6.4, 5.8,
	6.1, 6.0, 5.8, 5.6, 5.2,
	4.0, 3.4, 2.9, 2.6, 2.3,
	1.8, 1.6, 1.4, 1.2, 1.1,
	0.75, 0.6, 0.5, 0.42, 0.35,
	0.28, 0.2, 0.15, 0.12, 0.1,
}

// gradeRates are the interest rate (percent) of the first sub-grade of each
// grade and the step between its sub-grades, at the start of the window.
var gradeRates = [7][2]float64{
	{6.0, 0.55}, {9.8, 0.6}, {13.0, 0.6}, {16.2, 0.65}, {19.4, 0.7}, {22.9, 0.6}, {25.6, 0.45},
}

// loan holds one generated row before formatting.
type loan struct {
	id                   int64
	loanAmnt, funded     int64   // cents
	fundedInv            int64   // cents
	term                 int     // 36 or 60
	termPad              int     // leading spaces before the term
	rate                 int     // hundredths of a percent
	ratePad              int     // leading spaces before int_rate
	installment          int64   // cents
	subGrade             int     // 0 (A1) .. 34 (G5)
	gradeScore           float64 // the score that placed subGrade
	empTitle             string
	empTitlePad          bool // trailing space after emp_title
	empLength            int  // index into empLengths, naEmpLength = "n/a"
	home                 string
	annualInc            int64 // cents, noValue = empty
	verification         string
	issue                month
	status               string
	desc                 []byte
	purpose              int
	title                string
	titlePad             bool
	zip                  int
	state                string
	dti                  int64 // hundredths, noValue = empty
	delinq2              int
	earliest             month
	fico                 int
	inq                  int
	mthsDelinq           int
	mthsRecord           int
	openAcc              int
	pubRec               int
	revolBal             int64 // dollars
	revolUtil            int   // tenths of a percent, noValue = empty
	totalAcc             int
	listStatus           byte
	outPrncp             int64
	outPrncpInv          int64
	totalPymnt           int64
	totalPymntInv        int64
	totalRecPrncp        int64
	totalRecInt          int64
	lateFee              int64
	recoveries           int64
	recoveryFee          int64
	lastPymntD           month
	lastPymntAmnt        int64
	nextPymntD           month
	lastCreditPull       month
	lastFicoLow          int
	lastFicoHigh         int
	collections12        int
	majorDerog           int
	joint                bool
	annualIncJoint       int64
	dtiJoint             int64
	verificationJoint    string
	accNowDelinq         int
	chargeoff12          int
	delinqAmnt           int64 // dollars
	bankruptcies         int
	taxLiens             int
	settled              bool
	settlementFlagDate   month
	settlementStatus     string
	settlementDate       month
	settlementAmount     int64 // cents
	settlementPercentage int64 // hundredths
	settlementTerm       int
}

// generator holds the read-only state shared by all workers of one Write.
type generator struct {
	cfg      resolved
	snapshot month
	// rowEnd[j] is one past the last row issued in month start+j.
	rowEnd     []int
	stateCum   []float64
	purposeCum []float64
	empCum     []float64
	// gradeCuts[k] is the grade score above which sub-grade k+1 or worse
	// is assigned.
	gradeCuts [34]float64
	enc       [NumColumns]fieldFunc
}

func newGenerator(cfg resolved) *generator {
	g := &generator{cfg: cfg, snapshot: cfg.end + snapshotLag}
	n := int(cfg.end-cfg.start) + 1
	g.rowEnd = make([]int, n)
	var total float64
	w := make([]float64, n)
	for j := range w {
		t := 0.0
		if n > 1 {
			t = float64(j) / float64(n-1)
		}
		w[j] = math.Pow(volumeGrowth, t)
		total += w[j]
	}
	var cum float64
	for j := range w {
		cum += w[j]
		g.rowEnd[j] = int(math.Round(float64(cfg.rows) * cum / total))
	}
	g.rowEnd[n-1] = cfg.rows

	g.stateCum = cumulative(len(states), func(i int) float64 { return states[i].weight })
	g.purposeCum = cumulative(len(purposes), func(i int) float64 { return purposes[i].weight })
	g.empCum = cumulative(naEmpLength+1, func(i int) float64 {
		if i == naEmpLength {
			return 4.5
		}
		return empLengthWeights[i]
	})
	g.gradeCuts = gradeCuts()
	g.enc = encoders()
	return g
}

// cumulative returns the normalised running sums of n weights.
func cumulative(n int, weight func(int) float64) []float64 {
	c := make([]float64, n)
	var s float64
	for i := range c {
		s += weight(i)
		c[i] = s
	}
	for i := range c {
		c[i] /= s
	}
	c[n-1] = 1
	return c
}

// pick returns the index drawn from cumulative shares cum.
func pick(r *rand.Rand, cum []float64) int {
	u := r.Float64()
	i := sort.SearchFloat64s(cum, u)
	return min(i, len(cum)-1)
}

// gradeCuts places the sub-grade boundaries on the grade score so that the
// score distribution at mid-window, which is close to a normal with mean
// gradeScoreMean and deviation gradeScoreSD, yields subGradeShares.
func gradeCuts() [34]float64 {
	var cuts [34]float64
	var total, cum float64
	for _, s := range subGradeShares {
		total += s
	}
	for k := range cuts {
		cum += subGradeShares[k]
		p := cum / total
		cuts[k] = gradeScoreMean + gradeScoreSD*math.Sqrt2*math.Erfinv(2*p-1)
	}
	return cuts
}

// Moments of the grade score (see fill) at mid-window, measured on a
// large sample.
const (
	gradeScoreMean = 0.175
	gradeScoreSD   = 1.356
)

// monthOfRow returns the issue month of row.
func (g *generator) monthOfRow(row int) month {
	j := sort.SearchInts(g.rowEnd, row+1)
	return g.cfg.start + month(j)
}

// tau returns m's position in the issue window, 0 at Start and 1 at End.
func (g *generator) tau(m month) float64 {
	if g.cfg.end == g.cfg.start {
		return 0
	}
	return float64(m-g.cfg.start) / float64(g.cfg.end-g.cfg.start)
}

// rateOf returns the interest rate of sub-grade s in month m, in
// hundredths of a percent. Rates drift up over the window for all but
// grade A and are revised every quarter by a small deterministic step.
func (g *generator) rateOf(s int, m month) int {
	gr, step := s/5, s%5
	rate := gradeRates[gr][0] + gradeRates[gr][1]*float64(step)
	tau := g.tau(m)
	if gr == 0 {
		rate -= 0.3 * tau
	} else {
		rate += tau * (0.3 + 0.15*float64(gr))
	}
	q := float64(m.quarter())
	rate += 0.25*math.Sin(1.7*q) + 0.1*math.Sin(0.9*q+float64(gr))
	return int(math.Round(rate * 100))
}

// fill generates row (issued in month m) into w.l.
func (g *generator) fill(w *worker, row int, m month) {
	r := w.rng
	l := &w.l
	*l = loan{desc: l.desc[:0]}
	tau := g.tau(m)
	l.issue = m
	l.id = 1_000_000 + 4*int64(row) + int64(r.IntN(4))

	// Latent credit quality: higher is better.
	z := r.NormFloat64()
	notPolicy := r.Float64() < 0.025*(1-tau)+0.003

	// FICO: right-skewed above LC's floor of 660; loans outside the credit
	// policy may fall below it.
	l.fico = ficoOf(z)
	if notPolicy && r.Float64() < 0.4 {
		l.fico = 610 + 5*r.IntN(10)
	}
	ficoStd := (float64(l.fico) - 700) / 35
	ficoScore := ficoNormalScore(l.fico)

	// Employment and income.
	l.empLength = pick(r, g.empCum)
	lnInc := 11.02 + 0.55*(0.3*z+0.954*r.NormFloat64()) + 0.05*tau
	if l.empLength == naEmpLength {
		lnInc -= 0.25
		if r.Float64() < 0.15 {
			l.empTitle = g.empTitle(r)
		}
	} else {
		lnInc += 0.015 * float64(l.empLength)
		if r.Float64() < 0.97 {
			l.empTitle = g.empTitle(r)
		}
	}
	l.empTitlePad = l.empTitle != "" && r.Float64() < 0.015
	inc := math.Exp(lnInc)
	if r.Float64() < 0.0005 {
		inc *= 10 + 50*r.Float64() // a few implausibly large incomes
	}
	switch u := r.Float64(); {
	case u < 0.70:
		l.annualInc = int64(max(1, math.Round(inc/1000))) * 100_000
	case u < 0.95:
		l.annualInc = int64(math.Round(inc)) * 100
	default:
		l.annualInc = int64(math.Round(inc * 100))
	}
	if r.Float64() < 0.0002 {
		l.annualInc = noValue
	}

	// Credit history.
	histYears := math.Exp(2.65 + 0.45*r.NormFloat64() + 0.1*z)
	histMonths := min(max(int(histYears*12), 6), 12*60)
	l.earliest = m - month(histMonths)

	pm := sigmoid(-0.25 + 1.2*(lnInc-11.02) + 0.05*(histYears-14))
	switch u := r.Float64(); {
	case u < 0.0015:
		l.home = homeOther[r.IntN(len(homeOther))]
	case u < pm:
		l.home = "MORTGAGE"
	case r.Float64() < 0.8:
		l.home = "RENT"
	default:
		l.home = "OWN"
	}

	// Debt-to-income, in hundredths of a percent.
	dti := 40 * kumaraswamyInv(normCDF(-0.3*z+0.954*r.NormFloat64()), 1.7, 2.9)
	if r.Float64() < 0.0005 {
		dti = 100 + 900*r.Float64()
	}
	l.dti = int64(math.Round(dti * 100))
	if r.Float64() < 0.0001 {
		l.dti = noValue
	}

	// Bureau counts.
	l.inq = min(poisson(r, 0.75*math.Exp(0.6*r.NormFloat64()-0.18-0.25*z)), 33)
	if r.Float64() < sigmoid(-2.2-0.35*z) {
		l.delinq2 = 1
		for l.delinq2 < 20 && r.Float64() < 0.45 {
			l.delinq2++
		}
	}
	l.mthsDelinq = noValue
	if l.delinq2 > 0 {
		l.mthsDelinq = r.IntN(24)
	} else if r.Float64() < sigmoid(-0.6-0.3*z) {
		l.mthsDelinq = 24 + r.IntN(97)
	}
	if r.Float64() < sigmoid(-2.3-0.25*z) {
		l.pubRec = 1
		if r.Float64() < 0.15 {
			l.pubRec += 1 + r.IntN(3)
		}
	}
	l.mthsRecord = noValue
	if (l.pubRec > 0 && r.Float64() < 0.9) || r.Float64() < 0.005 {
		l.mthsRecord = r.IntN(121)
	}
	if l.pubRec > 0 && r.Float64() < 0.75 {
		l.bankruptcies = 1
	} else if l.pubRec > 0 && r.Float64() < 0.5 {
		l.taxLiens = 1
	}
	l.majorDerog = noValue
	if (l.delinq2 > 0 || l.pubRec > 0) && r.Float64() < 0.5 {
		l.majorDerog = r.IntN(80)
	} else if r.Float64() < 0.15 {
		l.majorDerog = r.IntN(150)
	}
	if r.Float64() < 0.01 {
		l.collections12 = 1
	}
	if r.Float64() < 0.008 {
		l.chargeoff12 = 1
	}
	if r.Float64() < 0.004 {
		l.accNowDelinq = 1
		l.delinqAmnt = int64(20 + r.IntN(5000))
	}
	l.openAcc = min(max(int(math.Round(math.Exp(2.3+0.4*r.NormFloat64()+0.1*(lnInc-11.02)))), 1), 70)
	l.totalAcc = min(l.openAcc+int(math.Round(math.Exp(2.4+0.6*r.NormFloat64()+0.3*(math.Log(histYears)-2.65)))), 150)

	// Revolving balance and utilisation.
	if r.Float64() >= 0.02 {
		l.revolBal = int64(math.Exp(9.2 + 0.8*(lnInc-11.02) + 0.9*r.NormFloat64()))
	}
	ru := 0.0
	if l.revolBal > 0 {
		ru = 100 * kumaraswamyInv(normCDF(-0.6*z+0.8*r.NormFloat64()), 1.4, 1.5)
		if r.Float64() < 0.002 {
			ru = 100 + 50*r.Float64()
		}
	}
	l.revolUtil = int(math.Round(ru * 10))
	if r.Float64() < 0.0008 {
		l.revolUtil = noValue
	}

	// Purpose, amount and term.
	l.purpose = pick(r, g.purposeCum)
	p := &purposes[l.purpose]
	lnAmt := 9.38 + 0.5*(lnInc-11.02) + 0.5*r.NormFloat64() + p.amount
	l.loanAmnt = roundAmount(r, math.Exp(lnAmt), m) * 100
	lnAmt = math.Log(float64(l.loanAmnt) / 100)
	l.term = 36
	if m >= mkMonth(2010, 5) && r.Float64() < sigmoid(-1.7+1.5*(lnAmt-9.38)-0.25*z+0.5*tau) {
		l.term = 60
	}
	t60 := b2f(l.term == 60)

	// LC's sub-grade: a noisy score of the application, cut at fixed
	// points, so that later (riskier) loans shift towards worse grades.
	score := -0.95*ficoScore + 0.18*(float64(l.inq)-0.75) + 0.02*(dti-17.5) + 0.006*(ru-50) +
		0.55*t60 + 0.18*(lnAmt-9.38) - 0.15*(lnInc-11.02) +
		0.25*b2f(l.delinq2 > 0) + 0.3*b2f(l.pubRec > 0) + 0.5*r.NormFloat64() + 0.2*(tau-0.5)
	l.gradeScore = score
	l.subGrade = sort.SearchFloat64s(g.gradeCuts[:], score)
	l.rate = g.rateOf(l.subGrade, m)

	// Funding.
	l.funded = l.loanAmnt
	if r.Float64() < 0.005 {
		l.funded -= int64(1+r.IntN(min(40, int(l.loanAmnt/2500)))) * 2500
	}
	switch u := r.Float64(); {
	case u < 0.82:
		l.fundedInv = l.funded
	case u < 0.97:
		l.fundedInv = max(l.funded-int64(1+r.IntN(40))*2500, 2500)
	default:
		l.fundedInv = int64(float64(l.funded) * (0.3 + 0.7*r.Float64()))
	}
	l.installment = installmentCents(l.funded, l.rate, l.term)

	// Verification: larger loans and incomes are verified more often.
	v := 0.9*(lnAmt-9.38) + 0.4*(lnInc-11.02) + 0.03*float64(l.subGrade) + 0.8*r.NormFloat64()
	switch {
	case v < -0.05:
		l.verification = "Not Verified"
	case v < 0.9:
		l.verification = "Source Verified"
	default:
		l.verification = "Verified"
	}
	if m >= mkMonth(2015, 10) && r.Float64() < 0.012 {
		l.joint = true
		l.annualIncJoint = l.annualInc + int64(math.Exp(10.7+0.6*r.NormFloat64()))*100
		if l.annualInc <= 0 {
			l.annualIncJoint = int64(math.Exp(11.3+0.5*r.NormFloat64())) * 100
		}
		l.dtiJoint = int64(math.Round(dti * 100 * 0.7 * (0.7 + 0.6*r.Float64())))
		l.verificationJoint = [3]string{"Not Verified", "Source Verified", "Verified"}[r.IntN(3)]
	}
	if pw := min(max(float64(m-mkMonth(2012, 9))/48*0.65, 0), 0.65); r.Float64() < pw {
		l.listStatus = 'w'
	} else {
		l.listStatus = 'f'
	}

	// Text and place.
	g.title(r, l, p, m)
	g.desc(r, l, m)
	st := &states[pick(r, g.stateCum)]
	l.state = st.code
	zr := st.zips[r.IntN(len(st.zips))]
	l.zip = zr[0] + r.IntN(zr[1]-zr[0]+1)

	// Odd strings: extra leading spaces.
	if r.Float64() < 0.02 {
		l.ratePad = 1 + r.IntN(2)
	}
	l.termPad = 1
	if r.Float64() < 0.002 {
		l.termPad = 2
	}

	// Default: a Bernoulli draw from a logistic model of the application.
	var homeRisk float64
	switch l.home {
	case "RENT":
		homeRisk = 0.12
	case "OWN":
		homeRisk = 0.05
	case "MORTGAGE":
	default:
		homeRisk = 0.3
	}
	empRisk := 0.25
	if l.empLength != naEmpLength {
		empRisk = empLengthRisk[l.empLength]
	}
	verRisk := 0.0
	switch l.verification {
	case "Verified":
		verRisk = 0.08
	case "Source Verified":
		verRisk = 0.04
	}
	logit := defaultIntercept + 0.065*float64(min(l.subGrade, 25)) + 0.03*float64(max(l.subGrade-25, 0)) - 0.15*ficoStd + 0.012*(dti-17.5) -
		0.3*(lnInc-11.02) + 0.3*t60 + empRisk + 0.05*float64(min(l.inq, 10)) + 0.003*(ru-50) +
		p.risk + homeRisk + verRisk + 0.15*(lnAmt-lnInc+1.65) + 0.3*tau +
		0.5*b2f(notPolicy) + 0.5*r.NormFloat64()
	bad := r.Float64() < sigmoid(logit)

	g.outcome(r, l, bad, notPolicy)

	// A few loans lack the whole credit file.
	if r.Float64() < 0.0007 {
		l.earliest = noMonth
		l.delinq2, l.inq, l.openAcc, l.pubRec, l.totalAcc = noValue, noValue, noValue, noValue, noValue
		l.mthsDelinq, l.mthsRecord, l.majorDerog = noValue, noValue, noValue
		l.accNowDelinq, l.bankruptcies, l.taxLiens = noValue, noValue, noValue
		l.collections12, l.chargeoff12, l.delinqAmnt = noValue, noValue, noValue
		l.revolUtil = noValue
	} else if r.Float64() < 0.002 {
		l.bankruptcies = noValue
	}
}

// defaultIntercept sets the overall bad rate (about 17 % of finished
// loans over the default window).
const defaultIntercept = -2.92

// outcome draws the loan's repayment history up to the snapshot month and
// fills loan_status and the post-origination columns consistently with it.
func (g *generator) outcome(r *rand.Rand, l *loan, bad, notPolicy bool) {
	n := l.term
	P := float64(l.funded) / 100
	A := float64(l.installment) / 100
	i := float64(l.rate) / 120000
	balance := func(k int) float64 {
		if k >= n {
			return 0
		}
		f := math.Pow(1+i, float64(k))
		return max(P*f-A*(f-1)/i, 0)
	}

	// k regular payments, then payoff in month paidThrough (good) or
	// charge-off about five months after the last payment (bad).
	elapsed := int(g.snapshot - l.issue) // at least snapshotLag
	var k, paidThrough int
	switch {
	case bad:
		k = min(int(float64(n)*math.Pow(r.Float64(), 1.25)), n-1)
		paidThrough = k
	case r.Float64() < 0.45:
		k, paidThrough = n, n
	default:
		k = int(float64(n-1) * math.Pow(r.Float64(), 0.9))
		paidThrough = k + 1
	}
	if notPolicy && paidThrough > elapsed {
		// LC's "does not meet the credit policy" loans are all finished:
		// pull the payoff or charge-off inside the window.
		if bad {
			k, paidThrough = elapsed, elapsed
		} else {
			k, paidThrough = elapsed-1, elapsed
		}
	}
	invShare := float64(l.fundedInv) / float64(l.funded)
	pullLag := month(min(int(r.ExpFloat64()*6), 60))

	l.lastPymntD, l.nextPymntD = noMonth, noMonth
	if paidThrough > elapsed {
		// Still paying at the snapshot: Current.
		k = elapsed
		b := balance(k)
		l.status = statusCurrent
		l.outPrncp = cents(b)
		l.outPrncpInv = cents(b * invShare)
		l.totalRecPrncp = cents(P - b)
		l.totalRecInt = cents(float64(k)*A - (P - b))
		l.lastPymntD = g.snapshot
		l.lastPymntAmnt = l.installment
		l.nextPymntD = g.snapshot + 1
		l.lastCreditPull = max(g.snapshot-pullLag, l.issue+1)
		l.lastFicoLow = lastFico(r, l.fico+10, 45, 0.008)
	} else if bad {
		b := balance(k)
		l.status = statusChargedOff
		l.totalRecPrncp = cents(P - b)
		l.totalRecInt = cents(float64(k)*A - (P - b))
		if r.Float64() < 0.16 {
			l.lateFee = 1500 + int64(r.IntN(3500))
		}
		if r.Float64() < 0.985 {
			frac := min(max(math.Exp(-3.0+r.NormFloat64()), 0.002), 0.9)
			l.recoveries = max(cents(b*frac), 1)
			if r.Float64() > 0.33 {
				l.recoveryFee = cents(float64(l.recoveries) / 100 * (0.005 + 0.175*r.Float64()))
			}
		}
		if k > 0 {
			l.lastPymntD = l.issue + month(k)
			l.lastPymntAmnt = l.installment
			if r.Float64() < 0.1 {
				l.lastPymntAmnt = int64(float64(l.installment) * r.Float64())
			}
		}
		chargedOff := min(l.issue+month(k+5), g.snapshot)
		l.lastCreditPull = max(g.snapshot-pullLag, chargedOff)
		l.lastFicoLow = lastFico(r, 580, 60, 0.08)
		if r.Float64() < 0.025 {
			g.settle(r, l, b, chargedOff)
		}
	} else {
		b := balance(k)
		l.status = statusFullyPaid
		l.totalRecPrncp = l.funded
		l.totalRecInt = cents(float64(k)*A + b - P)
		if r.Float64() < 0.04 {
			l.lateFee = 1500 * int64(1+r.IntN(2))
		}
		l.lastPymntD = l.issue + month(paidThrough)
		l.lastPymntAmnt = l.installment
		if k < n {
			l.lastPymntAmnt = cents(b)
		}
		l.lastCreditPull = max(g.snapshot-pullLag, l.lastPymntD)
		l.lastFicoLow = lastFico(r, l.fico+10, 45, 0.008)
	}
	l.totalPymnt = l.totalRecPrncp + l.totalRecInt + l.lateFee + l.recoveries
	l.totalPymntInv = int64(float64(l.totalPymnt) * invShare)
	l.lastFicoHigh = l.lastFicoLow + 4
	if l.lastFicoLow == 0 {
		l.lastFicoHigh = 499
	}
	if notPolicy {
		// Never Current: see the clamp above.
		if bad {
			l.status = statusNotPolicyChargedOff
		} else {
			l.status = statusNotPolicyFullyPaid
		}
	}
}

// settle records a debt settlement agreed after the charge-off month co on
// outstanding balance b.
func (g *generator) settle(r *rand.Rand, l *loan, b float64, co month) {
	if co >= g.snapshot {
		return
	}
	l.settled = true
	l.settlementFlagDate = min(co+1+month(r.IntN(30)), g.snapshot)
	l.settlementDate = min(l.settlementFlagDate+month(r.IntN(3)), g.snapshot)
	switch u := r.Float64(); {
	case u < 0.85:
		l.settlementStatus = "COMPLETE"
	case u < 0.95:
		l.settlementStatus = "BROKEN"
	default:
		l.settlementStatus = "ACTIVE"
	}
	share := 0.3 + 0.35*r.Float64()
	l.settlementAmount = max(cents(b*share), 100)
	l.settlementPercentage = int64(math.Round(share * 10000))
	switch u := r.Float64(); {
	case u < 0.5:
	case u < 0.65:
		l.settlementTerm = 1
	default:
		l.settlementTerm = 2 + r.IntN(23)
	}
}

// ficoOf returns fico_range_low for credit quality z ~ N(0, 1): LC's floor
// of 660 plus a right-skewed offset 50 + 36z + 6z² (z clamped at -3, where
// the quadratic turns), in 5-point buckets, capped at 845. About 4 % of
// loans sit at the floor, the median is 710 and the 95th percentile 785.
func ficoOf(z float64) int {
	z = max(z, -3)
	off := max(50+36*z+6*z*z, 0)
	return min(660+5*int(off/5), 845)
}

// ficoNormalScore maps a FICO score back to the normal scale of z: the
// inverse of ficoOf at the midpoint of the 5-point bucket, continued
// linearly below 660.
func ficoNormalScore(fico int) float64 {
	if fico < 660 {
		return ficoNormalScore(660) - float64(660-fico)/20
	}
	off := float64(fico-660) + 2.5
	return (-36 + math.Sqrt(36*36-24*(50-off))) / 12
}

// lastFico draws last_fico_range_low around mean with deviation sd, or 0
// (no score) with probability zero.
func lastFico(r *rand.Rand, mean int, sd float64, zero float64) int {
	if r.Float64() < zero {
		return 0
	}
	f := float64(mean) + sd*r.NormFloat64()
	return min(max(5*int(f/5), 500), 845)
}

// empTitle draws a lower-case emp_title.
func (g *generator) empTitle(r *rand.Rand) string {
	if r.Float64() < 0.62 {
		return jobTitles[r.IntN(len(jobTitles))]
	}
	return employers[r.IntN(len(employers))]
}

// title sets the loan title: LC's standard title for the purpose from
// mid-2013 on, free text typed by the borrower before.
func (g *generator) title(r *rand.Rand, l *loan, p *purpose, m month) {
	switch {
	case r.Float64() < 0.0003:
		return
	case m >= mkMonth(2013, 6) && r.Float64() < 0.9:
		l.title = p.standard
	default:
		l.title = p.free[r.IntN(len(p.free))]
		l.titlePad = r.Float64() < 0.01
	}
}

// desc writes a borrower description into l.desc. LC stopped collecting
// them in 2014, so later loans rarely have one.
func (g *generator) desc(r *rand.Rand, l *loan, m month) {
	var p float64
	switch {
	case m < mkMonth(2013, 1):
		p = 0.55
	case m < mkMonth(2014, 1):
		p = 0.35
	case m < mkMonth(2014, 7):
		p = 0.08
	default:
		p = 0.001
	}
	if r.Float64() >= p {
		return
	}
	d := l.desc[:0]
	if r.Float64() < 0.9 {
		added := m - month(r.IntN(2))
		d = append(d, "  Borrower added on "...)
		d = append2(d, added.num())
		d = append(d, '/')
		d = append2(d, 1+r.IntN(28))
		d = append(d, '/')
		d = append2(d, added.year()%100)
		d = append(d, " > "...)
	}
	for j := range 1 + r.IntN(3) {
		if j > 0 {
			d = append(d, ' ')
		}
		d = append(d, descSentences[r.IntN(len(descSentences))]...)
	}
	if len(d) > 0 && d[0] == ' ' {
		d = append(d, "<br>"...)
	}
	l.desc = d
}

// append2 appends v (0..99) as two digits.
func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

// roundAmount turns a drawn loan amount into dollars the way borrowers ask
// for them (mostly round thousands), within LC's limits in month m.
func roundAmount(r *rand.Rand, amt float64, m month) int64 {
	hi := 35000.0
	if m >= mkMonth(2016, 3) {
		hi = 40000
	}
	lo := 1000.0
	if m < mkMonth(2010, 1) {
		lo = 500
	}
	var step float64
	switch u := r.Float64(); {
	case u < 0.62:
		step = 1000
	case u < 0.9:
		step = 100
	default:
		step = 25
	}
	amt = math.Round(amt/step) * step
	return int64(min(max(amt, lo), hi))
}

// installmentCents returns the monthly payment of an annuity loan of
// principal cents at rate hundredths of a percent a year over n months:
// P·i / (1 − (1+i)^−n) with i = rate/12, rounded to the cent.
func installmentCents(principal int64, rate, n int) int64 {
	p := float64(principal) / 100
	i := float64(rate) / 120000
	if i == 0 {
		return cents(p / float64(n))
	}
	return cents(p * i / (1 - math.Pow(1+i, -float64(n))))
}

// cents converts dollars to whole cents, rounding half away from zero.
func cents(d float64) int64 { return int64(math.Round(d * 100)) }

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// normCDF is the standard normal distribution function.
func normCDF(x float64) float64 { return 0.5 * math.Erfc(-x/math.Sqrt2) }

// kumaraswamyInv is the quantile function of the Kumaraswamy(a, b)
// distribution on [0, 1]: (1 − (1−u)^(1/b))^(1/a).
func kumaraswamyInv(u, a, b float64) float64 {
	return math.Pow(1-math.Pow(1-u, 1/b), 1/a)
}

// poisson draws a Poisson(lambda) count by inversion; lambda is small.
func poisson(r *rand.Rand, lambda float64) int {
	u := r.Float64()
	p := math.Exp(-lambda)
	c := p
	k := 0
	for u > c && k < 100 {
		k++
		p *= lambda / float64(k)
		c += p
	}
	return k
}
