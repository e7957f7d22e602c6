package gbdt

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// histCase is a set of binned columns with gradients: the first half of
// the features dense, the second half sparse (mostly bin 1).
type histCase struct {
	cols [][]uint8
	grad []gpair
	rows []int32 // every third row
}

func newHistCase(n, nf int) *histCase {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(nf)))
	c := &histCase{cols: make([][]uint8, nf), grad: make([]gpair, n)}
	for f := range c.cols {
		col := make([]uint8, n)
		for i := range col {
			if f < nf/2 {
				col[i] = uint8(rng.IntN(256))
			} else if rng.Float64() < 0.05 {
				col[i] = uint8(rng.IntN(3))
			} else {
				col[i] = 1
			}
		}
		c.cols[f] = col
	}
	for i := range c.grad {
		c.grad[i] = gpair{rng.NormFloat64(), rng.Float64()}
	}
	for i := 0; i < n; i += 3 {
		c.rows = append(c.rows, int32(i))
	}
	return c
}

// naive builds feature f's histogram the obvious way.
func (c *histCase) naive(f int, rows []int32) [256]gpair {
	var h [256]gpair
	if rows == nil {
		for i, b := range c.cols[f] {
			h[b] = h[b].add(c.grad[i])
		}
		return h
	}
	for _, r := range rows {
		h[c.cols[f][r]] = h[c.cols[f][r]].add(c.grad[r])
	}
	return h
}

func TestHistKernels(t *testing.T) {
	c := newHistCase(5000, 26)
	for _, subset := range []bool{false, true} {
		var rows []int32
		grad := c.grad
		if subset {
			rows = c.rows
			grad = make([]gpair, len(rows))
			for i, r := range rows {
				grad[i] = c.grad[r]
			}
		}
		var total gpair
		for _, p := range grad {
			total = total.add(p)
		}
		for _, nf := range []int{1, 2, 3, 4, 7, 8, 13} {
			t.Run(fmt.Sprintf("subset=%v/features=%d", subset, nf), func(t *testing.T) {
				// Dense kernels on the first nf features.
				hs := make([]*[256]gpair, nf)
				for k := range hs {
					hs[k] = new([256]gpair)
				}
				histGroup(hs, c.cols[:nf], rows, grad)
				// Sparse kernels on nf features from the sparse half.
				sparse := c.cols[13 : 13+nf]
				ss := make([]*[256]gpair, nf)
				skip := make([]uint8, nf)
				for k := range ss {
					ss[k] = new([256]gpair)
					skip[k] = 1
				}
				histSparse(ss, sparse, skip, rows, grad)
				for k := range nf {
					deriveSkipped(ss[k][:3], 1, total)
					want := c.naive(k, rows)
					wantSparse := c.naive(13+k, rows)
					for b := range 256 {
						if !nearPair(hs[k][b], want[b]) {
							t.Fatalf("dense feature %d bin %d: got %v; want %v", k, b, hs[k][b], want[b])
						}
						if !nearPair(ss[k][b], wantSparse[b]) {
							t.Fatalf("sparse feature %d bin %d: got %v; want %v", k, b, ss[k][b], wantSparse[b])
						}
					}
				}
			})
		}
	}
}

func nearPair(a, b gpair) bool {
	const tol = 1e-9
	return math.Abs(a.g-b.g) <= tol*(1+math.Abs(b.g)) && math.Abs(a.h-b.h) <= tol*(1+math.Abs(b.h))
}

func TestDeriveSkippedZeroes(t *testing.T) {
	tests := []struct {
		name  string
		h     []gpair
		total gpair
		want  gpair
	}{
		{"rounding noise is zero", []gpair{{0.1, 0.2}, {}, {0.2, 0.1}}, gpair{0.3 + 1e-15, 0.3 + 1e-15}, gpair{}},
		{"real remainder kept", []gpair{{0.1, 0.2}, {}, {0.2, 0.1}}, gpair{1, 2}, gpair{1 - 0.30000000000000004, 2 - 0.30000000000000004}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deriveSkipped(tt.h, 1, tt.total)
			if got := tt.h[1]; !nearPair(got, tt.want) {
				t.Errorf("got skipped bin %v; want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkHistogram(b *testing.B) {
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		c := newHistCase(n, 16)
		for _, kind := range []struct {
			name string
			cols [][]uint8
		}{{"dense", c.cols[:8]}, {"sparse", c.cols[8:]}} {
			b.Run(fmt.Sprintf("rows=%d/%s", n, kind.name), func(b *testing.B) {
				hs := make([]*[256]gpair, 8)
				skip := make([]uint8, 8)
				for k := range hs {
					hs[k] = new([256]gpair)
					skip[k] = 1
				}
				b.ReportAllocs()
				for b.Loop() {
					if kind.name == "dense" {
						histGroup(hs, kind.cols, nil, c.grad)
					} else {
						histSparse(hs, kind.cols, skip, nil, c.grad)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n*8), "ns/update")
			})
		}
	}
}

func BenchmarkFindSplit(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, nb := range []int{4, 64, 256} {
		h := make([]gpair, nb)
		var sum gpair
		for i := range h {
			h[i] = gpair{rng.NormFloat64() * 10, rng.Float64() * 10}
			sum = sum.add(h[i])
		}
		sf := splitFinder{pen: penalty{l2: 1}, minChildWeight: 1}
		for _, mono := range []int8{0, 1} {
			b.Run(fmt.Sprintf("bins=%d/monotone=%d", nb, mono), func(b *testing.B) {
				parent := sf.nodeScore(sum, unbounded(), mono != 0)
				b.ReportAllocs()
				for b.Loop() {
					_ = sf.find(h, 0, sum, unbounded(), parent, mono, mono != 0)
				}
			})
		}
	}
}

func BenchmarkFit(b *testing.B) {
	logit := func(x []float64) float64 { return x[0] - x[1]*x[2] + math.Sin(x[3]) }
	for _, n := range []int{10_000, 100_000} {
		d := synth(1, n, 20, 0.05, logit)
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/threads=%d", n, threads), func(b *testing.B) {
				cfg := DefaultConfig()
				cfg.Threads = threads
				b.ReportAllocs()
				for b.Loop() {
					if _, err := FitData(b.Context(), d, nil, cfg); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
