package calibrate

import (
	"encoding/json"
	"math"
	"testing"
)

// FuzzCalibratorJSON decodes arbitrary JSON as a Calibrator: decoding and
// Validate may fail, but a calibrator that validates must map every score
// to a probability in [0, 1], non-decreasingly, without panicking.
func FuzzCalibratorJSON(f *testing.F) {
	f.Add([]byte(`{"method":"platt","slope":0.7,"intercept":-1.2}`), -1.0, 2.0)
	f.Add([]byte(`{"method":"isotonic","thresholds":[-1,0,2],"values":[0,0.25,1]}`), -0.5, 0.5)
	f.Add([]byte(`{"method":"isotonic","thresholds":[-1e308,1e308],"values":[0,1]}`), 0.0, 1e300)
	f.Add([]byte(`{"method":"isotonic","thresholds":[1],"values":[0.5]}`), 0.0, 3.0)
	f.Add([]byte(`{"method":"platt","slope":0,"intercept":0.3}`), math.Inf(-1), math.Inf(1))
	f.Add([]byte(`{"method":"beta"}`), 0.0, 1.0)
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 float64) {
		var c Calibrator
		if err := json.Unmarshal(data, &c); err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			return
		}
		if math.IsNaN(s1) || math.IsNaN(s2) {
			return
		}
		lo, hi := min(s1, s2), max(s1, s2)
		plo, phi := c.Apply(lo), c.Apply(hi)
		if !(plo >= 0 && plo <= 1 && phi >= 0 && phi <= 1) {
			t.Fatalf("Apply(%v), Apply(%v) = %v, %v; want values in [0, 1]", lo, hi, plo, phi)
		}
		if plo > phi {
			t.Fatalf("Apply(%v) = %v > Apply(%v) = %v; want non-decreasing", lo, plo, hi, phi)
		}
	})
}
