package drift

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/model"
)

// ErrReference is wrapped by New when the reference distributions cannot be
// monitored.
var ErrReference = errors.New("drift: unusable reference")

// Thresholds of the usual PSI reading: below Moderate the population is
// stable, from Moderate to Major it has shifted moderately, from Major on it
// has shifted a lot.
const (
	Moderate = 0.1
	Major    = 0.25
)

// maxBins is the most bins (missing included) a reference distribution may
// have: bin indices are stored in one byte.
const maxBins = math.MaxUint8 + 1

// Monitor holds the binned values of the last Window applications. It is
// safe for concurrent use.
type Monitor struct {
	names []string
	bins  []model.Bins // features, then the score
	width int          // len(bins)

	mu     sync.Mutex
	window int
	ring   []uint8   // window × width bin indices
	next   int       // ring slot the next application goes to
	filled int       // applications in the window
	counts [][]int64 // per distribution, per bin: applications in the window
}

// New returns a Monitor of the given window size for models whose feature
// vectors have one value per ref.Features entry. The reference's bins must
// be well formed: len(Shares) == len(Edges)+2 (the last share is that of
// missing values), edges increasing, at most 256 bins.
func New(ref *model.Reference, window int) (*Monitor, error) {
	if ref == nil {
		return nil, fmt.Errorf("%w: no reference distributions", ErrReference)
	}
	if window <= 0 {
		return nil, fmt.Errorf("drift: window %d: must be positive", window)
	}
	bins := append(slices.Clone(ref.Features), ref.Score)
	for i, b := range bins {
		if len(b.Shares) != len(b.Edges)+2 {
			return nil, fmt.Errorf("%w: %s: %d shares for %d edges (want edges+2)", ErrReference, b.Name, len(b.Shares), len(b.Edges))
		}
		if len(b.Shares) > maxBins {
			return nil, fmt.Errorf("%w: %s: %d bins (at most %d)", ErrReference, b.Name, len(b.Shares), maxBins)
		}
		for j := 1; j < len(b.Edges); j++ {
			if !(b.Edges[j] > b.Edges[j-1]) {
				return nil, fmt.Errorf("%w: %s: edges not increasing at %d", ErrReference, b.Name, j)
			}
		}
		if _, err := metrics.PSI(b.Shares, b.Shares); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrReference, b.Name, err)
		}
		if i < len(ref.Features) && b.Name == "" {
			return nil, fmt.Errorf("%w: feature %d has no name", ErrReference, i)
		}
	}
	m := &Monitor{
		bins:   bins,
		width:  len(bins),
		window: window,
		ring:   make([]uint8, window*len(bins)),
		counts: make([][]int64, len(bins)),
	}
	for i, b := range bins[:len(bins)-1] {
		m.names = append(m.names, b.Name)
		m.counts[i] = make([]int64, len(b.Shares))
	}
	m.counts[len(bins)-1] = make([]int64, len(ref.Score.Shares))
	return m, nil
}

// NumFeatures returns the length of the feature vectors Observe takes.
func (m *Monitor) NumFeatures() int { return m.width - 1 }

// Window returns the window size.
func (m *Monitor) Window() int { return m.window }

// Bin writes the bin of every feature of x, then of score, into dst, which
// must have NumFeatures()+1 elements; a NaN goes to the missing bin. It
// takes no lock: batch callers bin many applications, then Add them.
func (m *Monitor) Bin(dst []uint8, x []float64, score float64) {
	if len(x) != m.width-1 || len(dst) != m.width {
		panic(fmt.Sprintf("drift: %d features and %d bins for a monitor of %d features", len(x), len(dst), m.width-1))
	}
	for j, v := range x {
		dst[j] = uint8(m.bins[j].Index(v))
	}
	dst[m.width-1] = uint8(m.bins[m.width-1].Index(score))
}

// Add records binned applications (as Bin writes them, one after the
// other) in the window, evicting the oldest ones once it is full.
func (m *Monitor) Add(binned []uint8) {
	if len(binned)%m.width != 0 {
		panic(fmt.Sprintf("drift: %d bin indices is not a multiple of %d", len(binned), m.width))
	}
	m.mu.Lock()
	for len(binned) > 0 {
		rec := binned[:m.width]
		binned = binned[m.width:]
		slot := m.ring[m.next*m.width : (m.next+1)*m.width]
		if m.filled == m.window {
			for j, b := range slot {
				m.counts[j][b]--
			}
		} else {
			m.filled++
		}
		for j, b := range rec {
			m.counts[j][b]++
		}
		copy(slot, rec)
		if m.next++; m.next == m.window {
			m.next = 0
		}
	}
	m.mu.Unlock()
}

// Observe records one application: its feature vector and its score.
func (m *Monitor) Observe(x []float64, score float64) {
	var buf [128]uint8
	var bins []uint8
	if m.width <= len(buf) {
		bins = buf[:m.width]
	} else {
		bins = make([]uint8, m.width)
	}
	m.Bin(bins, x, score)
	m.Add(bins)
}

// Snapshot is the drift of the current window.
type Snapshot struct {
	// Applications is the number of applications in the window.
	Applications int
	// Window is the window size.
	Window int
	// Score is the PSI of the score distribution; NaN when the window is
	// empty.
	Score float64
	// Features holds the PSI of every feature, in model order; NaN when
	// the window is empty.
	Features []Feature
}

// Feature is the drift of one feature.
type Feature struct {
	Name string
	PSI  float64
}

// Snapshot computes the PSI of every feature and of the score between the
// reference and the applications in the window.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	n := m.filled
	counts := make([][]float64, len(m.counts))
	for j, c := range m.counts {
		counts[j] = make([]float64, len(c))
		for b, v := range c {
			counts[j][b] = float64(v)
		}
	}
	m.mu.Unlock()
	s := Snapshot{Applications: n, Window: m.window, Score: math.NaN(), Features: make([]Feature, len(m.names))}
	psi := func(j int) float64 {
		if n == 0 {
			return math.NaN()
		}
		v, err := metrics.PSI(m.bins[j].Shares, counts[j])
		if err != nil {
			// New checked the reference and the window holds n > 0
			// applications, so both distributions are valid.
			panic(fmt.Sprintf("drift: %v", err))
		}
		return v
	}
	for j, name := range m.names {
		s.Features[j] = Feature{Name: name, PSI: psi(j)}
	}
	s.Score = psi(m.width - 1)
	return s
}

// Level reads a PSI value: "stable" below Moderate, "moderate" below Major,
// "major" from Major on, and "unknown" for NaN (an empty window).
func Level(psi float64) string {
	switch {
	case math.IsNaN(psi):
		return "unknown"
	case psi < Moderate:
		return "stable"
	case psi < Major:
		return "moderate"
	}
	return "major"
}

// Top returns the k features with the largest PSI, largest first (ties by
// name); features with a NaN PSI are left out.
func (s *Snapshot) Top(k int) []Feature {
	var out []Feature
	for _, f := range s.Features {
		if !math.IsNaN(f.PSI) {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b Feature) int {
		switch {
		case a.PSI > b.PSI:
			return -1
		case a.PSI < b.PSI:
			return 1
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
