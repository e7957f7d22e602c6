package scorecard

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// Row is one row of the scorecard table: one bin (attribute) of one
// characteristic.
type Row struct {
	// Characteristic names the characteristic.
	Characteristic string `json:"characteristic"`
	// Bin is the bin's label: a range "[3.5, 7)", levels "{A, B}",
	// "missing" or "special 96" (Characteristic.Label).
	Bin string `json:"bin"`
	// Kind is the bin's kind: range, levels, missing or special.
	Kind string `json:"kind"`
	// Count, Goods and Bads are the bin's training rows.
	Count int64 `json:"count"`
	Goods int64 `json:"goods"`
	Bads  int64 `json:"bads"`
	// Share is Count over the characteristic's training rows.
	Share float64 `json:"share"`
	// BadRate is Bads over Count; null (NaN) for an empty bin.
	BadRate *float64 `json:"bad_rate"`
	// WoE is the bin's weight of evidence.
	WoE float64 `json:"woe"`
	// IV is the characteristic's total information value, the same on
	// each of its rows; BinIV is the bin's term of it.
	IV    float64 `json:"iv"`
	BinIV float64 `json:"bin_iv"`
	// Coef is the characteristic's coefficient on the WoE; in a bin-coded
	// scorecard, the bin's own coefficient γ (Characteristic.BinCoefs).
	Coef float64 `json:"coef"`
	// Points are the bin's points.
	Points int `json:"points"`
}

// Table returns the scorecard table: every bin of every characteristic,
// in the order of the characteristics and of their bins. The score of an
// application is BasePoints plus the points of the one row per
// characteristic its values fall in.
func (s *Scorecard) Table() []Row {
	var out []Row
	for _, c := range s.Characteristics {
		b := c.Binning
		var total int64
		for i := range b.Bins {
			total += b.Bins[i].Count()
		}
		for i := range b.Bins {
			bin := &b.Bins[i]
			r := Row{
				Characteristic: c.Name, Bin: c.Label(i), Kind: string(bin.Kind),
				Count: bin.Count(), Goods: bin.Goods, Bads: bin.Bads,
				WoE: bin.WoE, IV: b.IV, BinIV: bin.IV, Coef: c.Coef, Points: c.Points[i],
			}
			if c.BinCoefs != nil {
				r.Coef = c.BinCoefs[i]
			}
			if total > 0 {
				r.Share = float64(r.Count) / float64(total)
			}
			if r.Count > 0 {
				rate := bin.BadRate()
				r.BadRate = &rate
			}
			out = append(out, r)
		}
	}
	return out
}

// TableHeader is the header of WriteTableCSV.
var TableHeader = []string{"characteristic", "bin", "kind", "count", "goods", "bads", "share", "bad_rate", "woe", "iv", "bin_iv", "coef", "points"}

// WriteTableCSV writes the scorecard table as CSV with TableHeader; an
// empty bin's bad rate is an empty cell. Numbers are written in full
// precision.
func (s *Scorecard) WriteTableCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(TableHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, r := range s.Table() {
		rate := ""
		if r.BadRate != nil {
			rate = f(*r.BadRate)
		}
		if err := cw.Write([]string{r.Characteristic, r.Bin, r.Kind, i(r.Count), i(r.Goods), i(r.Bads), f(r.Share), rate,
			f(r.WoE), f(r.IV), f(r.BinIV), f(r.Coef), strconv.Itoa(r.Points)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// TableJSON is the JSON form of the scorecard table: the scaling, the
// base points and the rows.
type TableJSON struct {
	Scaling    Scaling `json:"scaling"`
	Intercept  float64 `json:"intercept"`
	BasePoints int     `json:"base_points"`
	Rows       []Row   `json:"rows"`
}

// WriteTableJSON writes the scorecard table as indented JSON (TableJSON).
func (s *Scorecard) WriteTableJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(TableJSON{Scaling: s.Scaling, Intercept: s.Intercept, BasePoints: s.BasePoints, Rows: s.Table()})
}
