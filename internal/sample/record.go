package sample

import (
	"fmt"
	"strconv"
)

// fieldFunc appends one field of l to b, unquoted unless the field needs
// it; an empty field appends nothing.
type fieldFunc func(b []byte, l *loan) []byte

// appendRecord appends l as one CSV line.
func (g *generator) appendRecord(b []byte, l *loan) []byte {
	for i, f := range g.enc {
		if i > 0 {
			b = append(b, ',')
		}
		if f != nil {
			b = f(b, l)
		}
	}
	return append(b, '\n')
}

// encoders returns the field writer of every column, nil for the columns
// that are always empty. It panics if fields names a column that does not
// exist, which is a programming error.
func encoders() [NumColumns]fieldFunc {
	index := make(map[string]int, NumColumns)
	for i, c := range columns {
		index[c] = i
	}
	var enc [NumColumns]fieldFunc
	for name, f := range fields() {
		i, ok := index[name]
		if !ok {
			panic(fmt.Sprintf("sample: encoder for unknown column %q", name))
		}
		enc[i] = f
	}
	return enc
}

// fields maps column names to their writers.
func fields() map[string]fieldFunc {
	return map[string]fieldFunc{
		"id":        func(b []byte, l *loan) []byte { return strconv.AppendInt(b, l.id, 10) },
		"loan_amnt": func(b []byte, l *loan) []byte { return appendCents(b, l.loanAmnt) },
		"funded_amnt": func(b []byte, l *loan) []byte {
			return appendCents(b, l.funded)
		},
		"funded_amnt_inv": func(b []byte, l *loan) []byte { return appendCents(b, l.fundedInv) },
		"term": func(b []byte, l *loan) []byte {
			for range l.termPad {
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, int64(l.term), 10)
			return append(b, " months"...)
		},
		"int_rate": func(b []byte, l *loan) []byte {
			for range l.ratePad {
				b = append(b, ' ')
			}
			b = appendFixed2(b, int64(l.rate))
			return append(b, '%')
		},
		"installment": func(b []byte, l *loan) []byte { return appendCents(b, l.installment) },
		"grade":       func(b []byte, l *loan) []byte { return append(b, byte('A'+l.subGrade/5)) },
		"sub_grade": func(b []byte, l *loan) []byte {
			return append(b, byte('A'+l.subGrade/5), byte('1'+l.subGrade%5))
		},
		"emp_title": func(b []byte, l *loan) []byte {
			return appendText(b, l.empTitle, l.empTitlePad)
		},
		"emp_length": func(b []byte, l *loan) []byte {
			if l.empLength == naEmpLength {
				return append(b, "n/a"...)
			}
			return append(b, empLengths[l.empLength]...)
		},
		"home_ownership": func(b []byte, l *loan) []byte { return append(b, l.home...) },
		"annual_inc":     func(b []byte, l *loan) []byte { return appendOptCents(b, l.annualInc) },
		"verification_status": func(b []byte, l *loan) []byte {
			return append(b, l.verification...)
		},
		"issue_d":     func(b []byte, l *loan) []byte { return appendMonth(b, l.issue) },
		"loan_status": func(b []byte, l *loan) []byte { return append(b, l.status...) },
		"pymnt_plan":  func(b []byte, l *loan) []byte { return append(b, 'n') },
		"url": func(b []byte, l *loan) []byte {
			b = append(b, "https://lendingclub.com/browse/loanDetail.action?loan_id="...)
			return strconv.AppendInt(b, l.id, 10)
		},
		"desc":    func(b []byte, l *loan) []byte { return appendText(b, l.desc, false) },
		"purpose": func(b []byte, l *loan) []byte { return append(b, purposes[l.purpose].name...) },
		"title": func(b []byte, l *loan) []byte {
			return appendText(b, l.title, l.titlePad)
		},
		"zip_code": func(b []byte, l *loan) []byte {
			b = append(b, byte('0'+l.zip/100), byte('0'+l.zip/10%10), byte('0'+l.zip%10))
			return append(b, "xx"...)
		},
		"addr_state":       func(b []byte, l *loan) []byte { return append(b, l.state...) },
		"dti":              func(b []byte, l *loan) []byte { return appendOptCents(b, l.dti) },
		"delinq_2yrs":      func(b []byte, l *loan) []byte { return appendOptInt(b, l.delinq2) },
		"earliest_cr_line": func(b []byte, l *loan) []byte { return appendMonth(b, l.earliest) },
		"fico_range_low":   func(b []byte, l *loan) []byte { return strconv.AppendInt(b, int64(l.fico), 10) },
		"fico_range_high":  func(b []byte, l *loan) []byte { return strconv.AppendInt(b, int64(l.fico+4), 10) },
		"inq_last_6mths":   func(b []byte, l *loan) []byte { return appendOptInt(b, l.inq) },
		"mths_since_last_delinq": func(b []byte, l *loan) []byte {
			return appendOptInt(b, l.mthsDelinq)
		},
		"mths_since_last_record": func(b []byte, l *loan) []byte {
			return appendOptInt(b, l.mthsRecord)
		},
		"open_acc":  func(b []byte, l *loan) []byte { return appendOptInt(b, l.openAcc) },
		"pub_rec":   func(b []byte, l *loan) []byte { return appendOptInt(b, l.pubRec) },
		"revol_bal": func(b []byte, l *loan) []byte { return strconv.AppendInt(b, l.revolBal, 10) },
		"revol_util": func(b []byte, l *loan) []byte {
			if l.revolUtil == noValue {
				return b
			}
			b = appendTenths(b, int64(l.revolUtil))
			return append(b, '%')
		},
		"total_acc":           func(b []byte, l *loan) []byte { return appendOptInt(b, l.totalAcc) },
		"initial_list_status": func(b []byte, l *loan) []byte { return append(b, l.listStatus) },
		"out_prncp":           func(b []byte, l *loan) []byte { return appendCents(b, l.outPrncp) },
		"out_prncp_inv":       func(b []byte, l *loan) []byte { return appendCents(b, l.outPrncpInv) },
		"total_pymnt":         func(b []byte, l *loan) []byte { return appendCents(b, l.totalPymnt) },
		"total_pymnt_inv":     func(b []byte, l *loan) []byte { return appendCents(b, l.totalPymntInv) },
		"total_rec_prncp":     func(b []byte, l *loan) []byte { return appendCents(b, l.totalRecPrncp) },
		"total_rec_int":       func(b []byte, l *loan) []byte { return appendCents(b, l.totalRecInt) },
		"total_rec_late_fee":  func(b []byte, l *loan) []byte { return appendCents(b, l.lateFee) },
		"recoveries":          func(b []byte, l *loan) []byte { return appendCents(b, l.recoveries) },
		"collection_recovery_fee": func(b []byte, l *loan) []byte {
			return appendCents(b, l.recoveryFee)
		},
		"last_pymnt_d":       func(b []byte, l *loan) []byte { return appendMonth(b, l.lastPymntD) },
		"last_pymnt_amnt":    func(b []byte, l *loan) []byte { return appendCents(b, l.lastPymntAmnt) },
		"next_pymnt_d":       func(b []byte, l *loan) []byte { return appendMonth(b, l.nextPymntD) },
		"last_credit_pull_d": func(b []byte, l *loan) []byte { return appendMonth(b, l.lastCreditPull) },
		"last_fico_range_high": func(b []byte, l *loan) []byte {
			return strconv.AppendInt(b, int64(l.lastFicoHigh), 10)
		},
		"last_fico_range_low": func(b []byte, l *loan) []byte {
			return strconv.AppendInt(b, int64(l.lastFicoLow), 10)
		},
		"collections_12_mths_ex_med": func(b []byte, l *loan) []byte {
			return appendOptInt(b, l.collections12)
		},
		"mths_since_last_major_derog": func(b []byte, l *loan) []byte {
			return appendOptInt(b, l.majorDerog)
		},
		"policy_code": func(b []byte, l *loan) []byte { return append(b, '1') },
		"application_type": func(b []byte, l *loan) []byte {
			if l.joint {
				return append(b, "Joint App"...)
			}
			return append(b, "Individual"...)
		},
		"annual_inc_joint": func(b []byte, l *loan) []byte {
			if !l.joint {
				return b
			}
			return appendCents(b, l.annualIncJoint)
		},
		"dti_joint": func(b []byte, l *loan) []byte {
			if !l.joint {
				return b
			}
			return appendCents(b, l.dtiJoint)
		},
		"verification_status_joint": func(b []byte, l *loan) []byte {
			return append(b, l.verificationJoint...)
		},
		"acc_now_delinq": func(b []byte, l *loan) []byte { return appendOptInt(b, l.accNowDelinq) },
		"chargeoff_within_12_mths": func(b []byte, l *loan) []byte {
			return appendOptInt(b, l.chargeoff12)
		},
		"delinq_amnt": func(b []byte, l *loan) []byte {
			if l.delinqAmnt < 0 {
				return b
			}
			return strconv.AppendInt(b, l.delinqAmnt, 10)
		},
		"pub_rec_bankruptcies": func(b []byte, l *loan) []byte { return appendOptInt(b, l.bankruptcies) },
		"tax_liens":            func(b []byte, l *loan) []byte { return appendOptInt(b, l.taxLiens) },
		"hardship_flag":        func(b []byte, l *loan) []byte { return append(b, 'N') },
		"disbursement_method":  func(b []byte, l *loan) []byte { return append(b, "Cash"...) },
		"debt_settlement_flag": func(b []byte, l *loan) []byte {
			if l.settled {
				return append(b, 'Y')
			}
			return append(b, 'N')
		},
		"debt_settlement_flag_date": func(b []byte, l *loan) []byte {
			if !l.settled {
				return b
			}
			return appendMonth(b, l.settlementFlagDate)
		},
		"settlement_status": func(b []byte, l *loan) []byte { return append(b, l.settlementStatus...) },
		"settlement_date": func(b []byte, l *loan) []byte {
			if !l.settled {
				return b
			}
			return appendMonth(b, l.settlementDate)
		},
		"settlement_amount": func(b []byte, l *loan) []byte {
			if !l.settled {
				return b
			}
			return appendCents(b, l.settlementAmount)
		},
		"settlement_percentage": func(b []byte, l *loan) []byte {
			if !l.settled {
				return b
			}
			return appendCents(b, l.settlementPercentage)
		},
		"settlement_term": func(b []byte, l *loan) []byte {
			if !l.settled {
				return b
			}
			return strconv.AppendInt(b, int64(l.settlementTerm), 10)
		},
	}
}

// appendCents appends c hundredths as a decimal with trailing zeros
// dropped: 500000 → "5000", 2765 → "27.65", 30 → "0.3".
func appendCents(b []byte, c int64) []byte {
	if c < 0 {
		b = append(b, '-')
		c = -c
	}
	b = strconv.AppendInt(b, c/100, 10)
	f := c % 100
	switch {
	case f == 0:
	case f%10 == 0:
		b = append(b, '.', byte('0'+f/10))
	default:
		b = append(b, '.', byte('0'+f/10), byte('0'+f%10))
	}
	return b
}

// appendOptCents is appendCents with noValue written as an empty field.
func appendOptCents(b []byte, c int64) []byte {
	if c == noValue {
		return b
	}
	return appendCents(b, c)
}

// appendFixed2 appends c hundredths with exactly two decimals: 1065 →
// "10.65", 600 → "6.00".
func appendFixed2(b []byte, c int64) []byte {
	b = strconv.AppendInt(b, c/100, 10)
	f := c % 100
	return append(b, '.', byte('0'+f/10), byte('0'+f%10))
}

// appendTenths appends t tenths with a trailing ".0" dropped: 837 →
// "83.7", 210 → "21".
func appendTenths(b []byte, t int64) []byte {
	b = strconv.AppendInt(b, t/10, 10)
	if f := t % 10; f != 0 {
		b = append(b, '.', byte('0'+f))
	}
	return b
}

// appendOptInt appends v, or nothing for noValue.
func appendOptInt(b []byte, v int) []byte {
	if v == noValue {
		return b
	}
	return strconv.AppendInt(b, int64(v), 10)
}

// appendText appends s as a CSV field, followed by a space when pad is
// set. The field is quoted when it contains a comma, a double quote or a
// line break (RFC 4180); a leading or trailing space alone does not cause
// quoting, as in LC's files.
func appendText[T string | []byte](b []byte, s T, pad bool) []byte {
	quote := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\n', '\r':
			quote = true
		}
	}
	if !quote {
		b = append(b, s...)
		if pad {
			b = append(b, ' ')
		}
		return b
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	if pad {
		b = append(b, ' ')
	}
	return append(b, '"')
}
