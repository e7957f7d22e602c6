package classing

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// FuzzDecodeBinning decodes arbitrary bytes as a Binning. Decoding may
// fail, but a binning that decodes must apply to any value without
// panicking, give a bin index in range and a finite WoE, send NaN to the
// missing bin, and survive encode → decode with identical bytes.
func FuzzDecodeBinning(f *testing.F) {
	for _, b := range []*Binning{numericFixture(), categoricalFixture()} {
		data, err := json.Marshal(b)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, 15.0, "car")
	}
	f.Add([]byte(`{"version":1,"name":"x","kind":"numeric","missing":1,"bins":[{"kind":"range"},{"kind":"missing"}]}`), math.Inf(1), "")
	f.Add([]byte(`{"version":1,"name":"c","kind":"categorical","missing":0,"bins":[{"kind":"missing"}]}`), 0.0, "a")
	f.Add([]byte(`{"version":1,"name":"x","kind":"numeric","cuts":[-1e308,1e308],"missing":3,"bins":[{"kind":"range"},{"kind":"range"},{"kind":"range"},{"kind":"missing"}]}`), math.Copysign(0, -1), "")
	f.Add([]byte(`[]`), 1.0, "")
	f.Fuzz(func(t *testing.T, data []byte, x float64, level string) {
		b, err := DecodeBinning(data)
		if err != nil {
			return
		}
		var bin int
		switch b.Kind {
		case Numeric:
			bin = b.Bin(x)
			if m := b.Bin(math.NaN()); m != b.Missing {
				t.Fatalf("Bin(NaN) = %d; want the missing bin %d", m, b.Missing)
			}
			if w := b.WoE(x); w != b.Bins[bin].WoE {
				t.Fatalf("WoE(%v) = %v; want %v", x, w, b.Bins[bin].WoE)
			}
		case Categorical:
			bin = b.BinLevel(level)
		default:
			t.Fatalf("decoded kind %q", b.Kind)
		}
		if bin < 0 || bin >= len(b.Bins) {
			t.Fatalf("bin %d outside [0, %d)", bin, len(b.Bins))
		}
		if w := b.Bins[bin].WoE; math.IsNaN(w) || math.IsInf(w, 0) {
			t.Fatalf("WoE %v", w)
		}
		for i := range b.Bins {
			_ = b.Label(i)
		}
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode a decoded binning: %v", err)
		}
		back, err := DecodeBinning(enc)
		if err != nil {
			t.Fatalf("decode an encoded binning: %v\n%s", err, enc)
		}
		again, err := json.Marshal(back)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(enc, again) {
			t.Fatalf("encode → decode → encode changed the bytes:\n%s\n%s", enc, again)
		}
	})
}
