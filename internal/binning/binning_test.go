package binning

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

var nan = math.NaN()

// column builds a one-column matrix.
func column(vals ...float64) *matrix.Dense {
	return &matrix.Dense{Rows: len(vals), Cols: 1, Data: vals}
}

func TestFindCuts(t *testing.T) {
	many := make([]float64, 1000)
	for i := range many {
		many[i] = float64(i)
	}
	heavy := make([]float64, 0, 1000)
	for i := range 1000 {
		if i < 500 {
			heavy = append(heavy, 0)
		} else {
			heavy = append(heavy, float64(i))
		}
	}
	tests := []struct {
		name    string
		X       *matrix.Dense
		maxBins int
		want    []float64
		check   func(t *testing.T, points []float64)
	}{
		{name: "constant", X: column(3, 3, 3, 3), want: []float64{}},
		{name: "all missing", X: column(nan, nan, nan), want: []float64{}},
		{name: "constant with missing", X: column(nan, 2, 2, nan), want: []float64{}},
		{name: "few distinct", X: column(1, 2, 2, 4, nan, 1), want: []float64{1.5, 3}},
		{name: "negative", X: column(-3, -1, -1), want: []float64{-2}},
		{name: "exactly max value bins", X: column(1, 2, 3, 4), maxBins: 5, want: []float64{1.5, 2.5, 3.5}},
		{
			name: "equal-frequency bins", X: column(many...), maxBins: 11,
			check: func(t *testing.T, points []float64) {
				want := []float64{99.5, 199.5, 299.5, 399.5, 499.5, 599.5, 699.5, 799.5, 899.5}
				if !slices.Equal(points, want) {
					t.Errorf("got points %v; want %v", points, want)
				}
			},
		},
		{
			name: "heavy value alone", X: column(heavy...), maxBins: 6,
			check: func(t *testing.T, points []float64) {
				if len(points) == 0 || points[0] != 250 {
					t.Fatalf("got points %v; want the first cut at 250 isolating the 500 zeros", points)
				}
				if len(points) != 4 {
					t.Errorf("got %d points; want 4 (5 value bins)", len(points))
				}
			},
		},
		{
			name: "default max bins", X: column(many...),
			check: func(t *testing.T, points []float64) {
				if got := len(points) + 1; got != DefaultMaxBins-1 {
					t.Errorf("got %d value bins; want %d", got, DefaultMaxBins-1)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cuts, err := FindCuts(tt.X, Config{MaxBins: tt.maxBins})
			if err != nil {
				t.Fatalf("FindCuts: %v", err)
			}
			if err := cuts.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			points := cuts.Points[0]
			if tt.check != nil {
				tt.check(t, points)
				return
			}
			if !slices.Equal(points, tt.want) && !(len(points) == 0 && len(tt.want) == 0) {
				t.Errorf("got points %v; want %v", points, tt.want)
			}
		})
	}
}

func TestTransformConstantAndMissing(t *testing.T) {
	X := matrix.FromRows([][]float64{{7, nan}, {7, nan}, {nan, nan}})
	m, err := New(X, Config{})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tests := []struct {
		f    int
		want []uint8
	}{
		{0, []uint8{1, 1, MissingBin}},
		{1, []uint8{MissingBin, MissingBin, MissingBin}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("feature %d", tt.f), func(t *testing.T) {
			if got := m.Cols[tt.f]; !slices.Equal(got, tt.want) {
				t.Errorf("got bins %v; want %v", got, tt.want)
			}
			if got := m.Cuts.NumBins(tt.f); got != 2 {
				t.Errorf("got NumBins %d; want 2", got)
			}
		})
	}
}

// randomMatrix returns rows×cols values with ties, missing values and a few
// extreme magnitudes.
func randomMatrix(rng *rand.Rand, rows, cols int) *matrix.Dense {
	X := matrix.New(rows, cols)
	for j := range cols {
		kind := j % 4
		for i := range rows {
			var v float64
			switch kind {
			case 0:
				v = rng.NormFloat64()
			case 1:
				v = float64(rng.IntN(5))
			case 2:
				v = math.Round(rng.ExpFloat64()*1000) / 10
			case 3:
				v = rng.NormFloat64() * 1e300
			}
			if rng.Float64() < 0.1 {
				v = nan
			}
			X.Set(i, j, v)
		}
	}
	return X
}

// checkRouting fails unless, for every feature f, split bin b and row value x,
// x < Threshold(f, b) holds exactly when the row's bin is a value bin <= b.
func checkRouting(t *testing.T, X *matrix.Dense, m *Matrix) {
	t.Helper()
	c := m.Cuts
	for f := range X.Cols {
		for i := range X.Rows {
			x := X.At(i, f)
			bin := m.Cols[f][i]
			if got := c.Bin(f, x); got != bin {
				t.Fatalf("feature %d row %d: Bin(%v) = %d; binned matrix has %d", f, i, x, got, bin)
			}
			if (bin == MissingBin) != math.IsNaN(x) {
				t.Fatalf("feature %d row %d: value %v got bin %d", f, i, x, bin)
			}
			if math.IsNaN(x) {
				continue
			}
			for b := 0; b <= c.NumBins(f)-2; b++ {
				left := x < c.Threshold(f, uint8(b))
				if left != (int(bin) <= b) {
					t.Fatalf("feature %d row %d: value %v bin %d, split at bin %d (threshold %v): raw left=%v",
						f, i, x, bin, b, c.Threshold(f, uint8(b)), left)
				}
			}
		}
	}
}

func TestRoutingMatchesBins(t *testing.T) {
	tests := []struct {
		name       string
		rows, cols int
		cfg        Config
	}{
		{name: "all rows", rows: 3000, cols: 8, cfg: Config{MaxBins: 32}},
		{name: "sampled", rows: 3000, cols: 8, cfg: Config{MaxBins: 64, SampleRows: 500, Seed: 3}},
		{name: "default bins one thread", rows: 2000, cols: 4, cfg: Config{Threads: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			X := randomMatrix(rng, tt.rows, tt.cols)
			m, err := New(X, tt.cfg)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			checkRouting(t, X, m)
			// Values never seen in training route the same way too.
			unseen := randomMatrix(rand.New(rand.NewPCG(9, 9)), 500, tt.cols)
			mu, err := m.Cuts.Transform(unseen, 0)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			checkRouting(t, unseen, mu)
		})
	}
}

func TestSampling(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	X := randomMatrix(rng, 5000, 4)
	cfg := Config{SampleRows: 1000, Seed: 42}
	a, err := FindCuts(X, cfg)
	if err != nil {
		t.Fatalf("FindCuts: %v", err)
	}
	b, err := FindCuts(X, cfg)
	if err != nil {
		t.Fatalf("FindCuts: %v", err)
	}
	c, err := FindCuts(X, Config{SampleRows: 1000, Seed: 43})
	if err != nil {
		t.Fatalf("FindCuts: %v", err)
	}
	for f := range X.Cols {
		if !slices.Equal(a.Points[f], b.Points[f]) {
			t.Errorf("feature %d: same seed gave different cuts", f)
		}
	}
	if slices.Equal(a.Points[0], c.Points[0]) {
		t.Errorf("feature 0: seeds 42 and 43 gave identical cuts %v; want different samples", a.Points[0])
	}
	if got := len(sampleRows(5000, 1000, 1)); got != 1000 {
		t.Errorf("got sample of %d rows; want 1000", got)
	}
	if got := sampleRows(5000, -1, 1); got != nil {
		t.Errorf("got sample %v for SampleRows < 0; want nil (all rows)", got[:5])
	}
}

func TestThreadsIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	X := randomMatrix(rng, 20000, 12)
	one, err := New(X, Config{Threads: 1})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	two, err := New(X, Config{Threads: 3})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for f := range X.Cols {
		if !slices.Equal(one.Cuts.Points[f], two.Cuts.Points[f]) || !slices.Equal(one.Cols[f], two.Cols[f]) {
			t.Errorf("feature %d: 1 and 3 threads disagree", f)
		}
	}
}

func TestErrors(t *testing.T) {
	cuts := &Cuts{Points: [][]float64{{1}}}
	tests := []struct {
		name string
		run  func() error
		want error
	}{
		{"nil matrix", func() error { _, err := FindCuts(nil, Config{}); return err }, ErrNoRows},
		{"no rows", func() error { _, err := FindCuts(matrix.New(0, 3), Config{}); return err }, ErrNoRows},
		{"no columns", func() error { _, err := FindCuts(matrix.New(3, 0), Config{}); return err }, ErrNoRows},
		{"inf in cuts", func() error { _, err := FindCuts(column(1, math.Inf(1)), Config{}); return err }, ErrInfinite},
		{"inf in transform", func() error { _, err := cuts.Transform(column(1, math.Inf(-1)), 1); return err }, ErrInfinite},
		{"shape", func() error { _, err := cuts.Transform(matrix.New(2, 2), 1); return err }, ErrShape},
		{"max bins too small", func() error { _, err := FindCuts(column(1, 2), Config{MaxBins: 2}); return err }, ErrConfig},
		{"max bins too large", func() error { _, err := FindCuts(column(1, 2), Config{MaxBins: 257}); return err }, ErrConfig},
		{"negative threads", func() error { _, err := FindCuts(column(1, 2), Config{Threads: -1}); return err }, ErrConfig},
		{"cuts not increasing", func() error { return (&Cuts{Points: [][]float64{{1, 1}}}).Validate() }, ErrCuts},
		{"cuts NaN", func() error { return (&Cuts{Points: [][]float64{{nan}}}).Validate() }, ErrCuts},
		{"cuts Inf", func() error { return (&Cuts{Points: [][]float64{{math.Inf(1)}}}).Validate() }, ErrCuts},
		{"too many cuts", func() error { return (&Cuts{Points: [][]float64{make([]float64, 255)}}).Validate() }, ErrCuts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.run()
			if !errors.Is(err, tt.want) {
				t.Errorf("got error %v; want %v", err, tt.want)
			}
		})
	}
}

func TestThresholdPanicsOutOfRange(t *testing.T) {
	cuts := &Cuts{Points: [][]float64{{1, 2}}}
	if got := cuts.Threshold(0, 0); got != -math.MaxFloat64 {
		t.Errorf("got Threshold(0, 0) = %v; want -MaxFloat64", got)
	}
	for _, b := range []uint8{3, 4} {
		t.Run(fmt.Sprintf("bin %d", b), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Threshold(0, %d) did not panic", b)
				}
			}()
			cuts.Threshold(0, b)
		})
	}
}

func TestMidpoint(t *testing.T) {
	next := math.Nextafter(1, 2)
	tests := []struct{ a, b, want float64 }{
		{1, 2, 1.5},
		{-1, 1, 0},
		{1, next, next},
		{-math.MaxFloat64, math.MaxFloat64, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v,%v", tt.a, tt.b), func(t *testing.T) {
			if got := midpoint(tt.a, tt.b); got != tt.want {
				t.Errorf("got midpoint %v; want %v", got, tt.want)
			}
		})
	}
}

// FuzzRouting checks on arbitrary values that binning and thresholds agree.
func FuzzRouting(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 0, 240, 63, 0, 0, 0, 0, 0, 0, 0, 64}, uint8(4))
	f.Add(make([]byte, 80), uint8(255))
	f.Fuzz(func(t *testing.T, data []byte, maxBins uint8) {
		var vals []float64
		for len(data) >= 8 {
			v := math.Float64frombits(binary.LittleEndian.Uint64(data))
			data = data[8:]
			if math.IsInf(v, 0) {
				continue
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			return
		}
		X := column(vals...)
		m, err := New(X, Config{MaxBins: 3 + int(maxBins)%254, Threads: 1})
		if err != nil {
			t.Fatalf("New: %v", err)
		}
		if err := m.Cuts.Validate(); err != nil {
			t.Fatalf("Validate: %v", err)
		}
		checkRouting(t, X, m)
	})
}

func BenchmarkFindCuts(b *testing.B) {
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			X := randomMatrix(rand.New(rand.NewPCG(1, 1)), rows, 16)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FindCuts(X, Config{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTransform(b *testing.B) {
	for _, rows := range []int{10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("rows=%d", rows), func(b *testing.B) {
			X := randomMatrix(rand.New(rand.NewPCG(1, 1)), rows, 16)
			cuts, err := FindCuts(X, Config{})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(X.Data) * 8))
			for b.Loop() {
				if _, err := cuts.Transform(X, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
