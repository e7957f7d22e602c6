package fit

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/classing"
)

// FuzzFit classes small data sets built from the fuzzer's bytes, a numeric
// and a categorical characteristic per input, under fuzzed size rules and
// directions. Fit may only fail for labels of one class; every binning it
// returns must keep the invariants of checkBinning and decode after
// encoding.
func FuzzFit(f *testing.F) {
	f.Add([]byte{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0xe8, 0xf9, 0xe1, 0x10}, uint8(5), int8(0), uint8(20))
	f.Add([]byte{0x01, 0x01, 0x01, 0x00, 0xf0, 0xe1}, uint8(0), int8(1), uint8(2))
	f.Add([]byte{0xff, 0xfe, 0x0f, 0x1e}, uint8(90), int8(-1), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, sharePct uint8, dir int8, fineBins uint8) {
		if len(data) > 2000 {
			return
		}
		// Each byte is a row: the high nibble the value (15 missing, 14 the
		// special value 96, 13 the special value 98), the low bit the label
		// and bits 1-3 the level code (7 missing).
		xs := make([]float64, len(data))
		codes := make([]int32, len(data))
		y := make([]float64, len(data))
		for i, b := range data {
			switch v := b >> 4; v {
			case 15:
				xs[i] = math.NaN()
			case 14:
				xs[i] = 96
			case 13:
				xs[i] = 98
			default:
				xs[i] = float64(v) * 1.5
			}
			codes[i] = int32(b>>1&7) - 1
			if codes[i] == 6 {
				codes[i] = -1
			}
			y[i] = float64(b & 1)
		}
		cfg := Config{
			MinShare: float64(sharePct%101) / 100,
			FineBins: 2 + int(fineBins%30),
			MinGoods: int(sharePct % 4),
			MinBads:  int(fineBins % 3),
		}
		if cfg.MinShare == 0 {
			cfg.MinShare = -1
		}
		chars := []Characteristic{
			{Name: "x", Kind: classing.Numeric, Values: xs, Specials: []float64{98, 96, 7}, Direction: classing.Direction(int(dir) % 2)},
			{Name: "c", Kind: classing.Categorical, Codes: codes, Levels: []string{"a", "b", "c", "d", "e", "f"}},
		}
		bs, err := Fit(context.Background(), chars, y, cfg)
		if errors.Is(err, ErrOneClass) {
			return
		}
		if err != nil {
			t.Fatalf("Fit: %v", err)
		}
		for i, b := range bs {
			checkBinning(t, b, chars[i], y, cfg)
			data, err := json.Marshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := classing.DecodeBinning(data); err != nil {
				t.Fatalf("decode a fitted binning: %v\n%s", err, data)
			}
		}
	})
}
