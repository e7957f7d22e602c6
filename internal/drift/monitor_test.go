package drift

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
)

// reference bins two features and the score on a standard normal sample.
func reference(t testing.TB) *model.Reference {
	t.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	a, b, s := make([]float64, 5000), make([]float64, 5000), make([]float64, 5000)
	for i := range a {
		a[i], b[i], s[i] = rng.NormFloat64(), rng.NormFloat64(), rng.Float64()
		if i%10 == 0 {
			b[i] = math.NaN()
		}
	}
	return &model.Reference{
		Features: []model.Bins{model.NewBins("a", a, 10), model.NewBins("b", b, 10)},
		Score:    model.NewBins("score", s, 10),
	}
}

func TestNewErrors(t *testing.T) {
	good := reference(t)
	tests := []struct {
		name   string
		ref    *model.Reference
		window int
	}{
		{"nil reference", nil, 10},
		{"zero window", good, 0},
		{"shares do not fit edges", &model.Reference{Score: model.Bins{Name: "score", Edges: []float64{1}, Shares: []float64{1, 0}}}, 10},
		{"edges not increasing", &model.Reference{Score: model.Bins{Name: "score", Edges: []float64{2, 1}, Shares: []float64{1, 1, 1, 0}}}, 10},
		{"negative share", &model.Reference{Score: model.Bins{Name: "score", Edges: []float64{1}, Shares: []float64{-1, 1, 0}}}, 10},
		{"no mass", &model.Reference{Score: model.Bins{Name: "score", Edges: []float64{1}, Shares: []float64{0, 0, 0}}}, 10},
		{"too many bins", &model.Reference{Score: model.Bins{Name: "score", Edges: make([]float64, 300), Shares: make([]float64, 302)}}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.ref, tt.window); err == nil {
				t.Fatalf("New succeeded; want an error")
			} else if tt.ref != nil && tt.window > 0 && !errors.Is(err, ErrReference) {
				t.Errorf("error %v; want ErrReference", err)
			}
		})
	}
}

func TestSnapshot(t *testing.T) {
	ref := reference(t)
	tests := []struct {
		name    string
		shift   float64 // added to feature a
		n       int
		window  int
		wantLvl string // level of feature a
	}{
		{"same population", 0, 3000, 2000, "stable"},
		{"shifted feature", 1.5, 3000, 2000, "major"},
		{"partly filled window", 0, 500, 2000, "stable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := New(ref, tt.window)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(3, 4))
			var a, b, s []float64
			for i := range tt.n {
				x := []float64{rng.NormFloat64() + tt.shift, rng.NormFloat64()}
				if i%10 == 0 {
					x[1] = math.NaN()
				}
				score := rng.Float64()
				m.Observe(x, score)
				a, b, s = append(a, x[0]), append(b, x[1]), append(s, score)
			}
			snap := m.Snapshot()
			wantN := min(tt.n, tt.window)
			if snap.Applications != wantN || snap.Window != tt.window {
				t.Fatalf("applications %d window %d; want %d %d", snap.Applications, snap.Window, wantN, tt.window)
			}
			// The window holds the last wantN applications: PSI against
			// the reference must equal metrics.PSI on their bin counts.
			for j, vals := range [][]float64{a, b} {
				bins := ref.Features[j]
				want, err := metrics.PSI(bins.Shares, bins.Count(vals[len(vals)-wantN:]))
				if err != nil {
					t.Fatal(err)
				}
				if got := snap.Features[j].PSI; math.Abs(got-want) > 1e-12 {
					t.Errorf("feature %s: PSI %v; want %v", bins.Name, got, want)
				}
			}
			want, _ := metrics.PSI(ref.Score.Shares, ref.Score.Count(s[len(s)-wantN:]))
			if math.Abs(snap.Score-want) > 1e-12 {
				t.Errorf("score PSI %v; want %v", snap.Score, want)
			}
			if got := Level(snap.Features[0].PSI); got != tt.wantLvl {
				t.Errorf("feature a: level %s (PSI %v); want %s", got, snap.Features[0].PSI, tt.wantLvl)
			}
			if top := snap.Top(1); tt.shift > 0 && (len(top) != 1 || top[0].Name != "a") {
				t.Errorf("top feature %v; want a", top)
			}
		})
	}
}

func TestEmptyWindow(t *testing.T) {
	m, err := New(reference(t), 10)
	if err != nil {
		t.Fatal(err)
	}
	snap := m.Snapshot()
	if snap.Applications != 0 || !math.IsNaN(snap.Score) || !math.IsNaN(snap.Features[0].PSI) {
		t.Errorf("empty window: %+v; want 0 applications and NaN PSI", snap)
	}
	if got := Level(snap.Score); got != "unknown" {
		t.Errorf("level %s; want unknown", got)
	}
	if top := snap.Top(3); len(top) != 0 {
		t.Errorf("top %v; want none", top)
	}
}

func TestLevel(t *testing.T) {
	for _, tt := range []struct {
		psi  float64
		want string
	}{{0, "stable"}, {0.099, "stable"}, {0.1, "moderate"}, {0.249, "moderate"}, {0.25, "major"}, {3, "major"}, {math.NaN(), "unknown"}} {
		if got := Level(tt.psi); got != tt.want {
			t.Errorf("Level(%v) = %s; want %s", tt.psi, got, tt.want)
		}
	}
}

func TestConcurrentObserve(t *testing.T) {
	m, err := New(reference(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 9))
			for range 5000 {
				m.Observe([]float64{rng.NormFloat64(), rng.NormFloat64()}, rng.Float64())
				if rng.IntN(100) == 0 {
					m.Snapshot()
				}
			}
		})
	}
	wg.Wait()
	snap := m.Snapshot()
	if snap.Applications != 1000 {
		t.Fatalf("applications %d; want 1000", snap.Applications)
	}
	for j := range m.counts {
		var sum int64
		for _, c := range m.counts[j] {
			if c < 0 {
				t.Fatalf("distribution %d has a negative count", j)
			}
			sum += c
		}
		if sum != 1000 {
			t.Errorf("distribution %d counts %d applications; want 1000", j, sum)
		}
	}
}

func BenchmarkObserve(b *testing.B) {
	for _, nf := range []int{10, 50, 200} {
		b.Run(fmt.Sprintf("features=%d", nf), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 1))
			ref := &model.Reference{Score: model.NewBins("score", []float64{0.1, 0.2, 0.3, 0.5, 0.9}, 10)}
			sample := make([]float64, 1000)
			for i := range sample {
				sample[i] = rng.NormFloat64()
			}
			for j := range nf {
				ref.Features = append(ref.Features, model.NewBins(fmt.Sprint(j), sample, 10))
			}
			m, err := New(ref, 5000)
			if err != nil {
				b.Fatal(err)
			}
			x := sample[:nf]
			b.ReportAllocs()
			for b.Loop() {
				m.Observe(x, 0.2)
			}
		})
	}
}

func BenchmarkSnapshot(b *testing.B) {
	m, err := New(reference(b), 5000)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 5000 {
		m.Observe([]float64{float64(i % 7), 1}, 0.5)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Snapshot()
	}
}
