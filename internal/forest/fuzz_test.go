package forest

import (
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/matrix"
)

// FuzzFit feeds arbitrary small matrices, labels and settings to Fit and
// checks that it either returns an error or a valid forest whose
// predictions are probabilities; it must never panic.
func FuzzFit(f *testing.F) {
	f.Add([]byte{3, 2, 0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 0, 0, 0, 248, 127}, uint8(2), uint8(3), uint8(1), uint8(0))
	f.Add(make([]byte, 200), uint8(0), uint8(255), uint8(7), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, depth, maxBins, leaf, mode uint8) {
		if len(data) < 2 {
			return
		}
		cols := 1 + int(data[0])%4
		data = data[1:]
		var vals, labels []float64
		for len(data) >= 9 {
			vals = append(vals, math.Float64frombits(binary.LittleEndian.Uint64(data)))
			labels = append(labels, float64(data[8]%3)) // 2 is an invalid label
			data = data[9:]
		}
		rows := len(vals) / cols
		X := &matrix.Dense{Rows: rows, Cols: cols, Data: vals[:rows*cols]}
		y := labels[:rows]
		cfg := DefaultConfig()
		cfg.Trees = 3
		cfg.Threads = 1
		cfg.MaxDepth = int(depth % 8)
		cfg.MaxBins = 3 + int(maxBins)%254
		cfg.MinSamplesLeaf = 1 + int(leaf%4)
		cfg.Bootstrap = mode&1 == 0
		if mode&2 != 0 {
			cfg.ClassWeight = learn.Unweighted
		}
		e, err := Fit(context.Background(), X, y, cfg)
		if err != nil {
			if e != nil {
				t.Fatalf("got an ensemble with error %v", err)
			}
			return
		}
		if err := e.Validate(); err != nil {
			t.Fatalf("got invalid ensemble: %v", err)
		}
		for i := range X.Rows {
			if p := e.Prob(e.Margin(X.Row(i))); !(p >= 0 && p <= 1) {
				t.Fatalf("row %d: got probability %v; want it in [0, 1]", i, p)
			}
		}
	})
}
