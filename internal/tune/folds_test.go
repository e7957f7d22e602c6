package tune

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/credit-risk/credit-risk/internal/learn"
)

func TestTimeFolds(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, k int
	}{
		{"exact blocks", 12, 3},
		{"uneven blocks", 100, 3},
		{"two folds", 7, 2},
		{"one row per block", 6, 5},
		{"many rows", 33851, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			folds, err := TimeFolds(tc.n, tc.k)
			if err != nil {
				t.Fatalf("TimeFolds(%d, %d): %v", tc.n, tc.k, err)
			}
			if len(folds) != tc.k {
				t.Fatalf("got %d folds; want %d", len(folds), tc.k)
			}
			block := tc.n / (tc.k + 1)
			seen := make([]int, tc.n)
			for i, f := range folds {
				if len(f.Train) == 0 || len(f.Valid) == 0 {
					t.Fatalf("fold %d: %d training, %d validation rows; want both non-empty", i, len(f.Train), len(f.Valid))
				}
				if f.Train[0] != 0 || !contiguous(f.Train) || !contiguous(f.Valid) {
					t.Errorf("fold %d: training rows %d..%d, validation %d..%d; want contiguous spans from 0",
						i, f.Train[0], f.Train[len(f.Train)-1], f.Valid[0], f.Valid[len(f.Valid)-1])
				}
				// The past is never validated: every validation row comes
				// after every training row.
				if last, first := f.Train[len(f.Train)-1], f.Valid[0]; first != last+1 {
					t.Errorf("fold %d: last training row %d, first validation row %d; want validation right after training", i, last, first)
				}
				if i > 0 && len(f.Train) <= len(folds[i-1].Train) {
					t.Errorf("fold %d: %d training rows, not more than fold %d's %d; want an expanding window",
						i, len(f.Train), i-1, len(folds[i-1].Train))
				}
				if len(f.Valid) < block || len(f.Valid) > block+1 {
					t.Errorf("fold %d: %d validation rows; want %d or %d", i, len(f.Valid), block, block+1)
				}
				for _, r := range f.Valid {
					seen[r]++
				}
			}
			// The validation blocks tile everything after the first block.
			first := folds[0].Valid[0]
			for r, c := range seen {
				if want := b2i(r >= first); c != want {
					t.Fatalf("row %d validated %d times; want %d", r, c, want)
				}
			}
			if last := folds[tc.k-1].Valid; last[len(last)-1] != tc.n-1 {
				t.Errorf("last validation row %d; want %d", last[len(last)-1], tc.n-1)
			}
		})
	}
}

func TestTimeFoldsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		n, k int
		want error
	}{
		{"one fold", 100, 1, ErrOptions},
		{"zero folds", 100, 0, ErrOptions},
		{"too few rows", 3, 3, ErrTooFewRows},
		{"no rows", 0, 2, ErrTooFewRows},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := TimeFolds(tc.n, tc.k)
			if !errors.Is(err, tc.want) {
				t.Errorf("TimeFolds(%d, %d) error = %v; want %v", tc.n, tc.k, err, tc.want)
			}
		})
	}
}

func TestStratifiedFolds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pos, neg int
		k        int
	}{
		{"balanced", 50, 50, 3},
		{"rare positives", 15, 985, 5},
		{"one positive per fold", 3, 40, 3},
		{"uneven", 101, 203, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := labels(tc.pos, tc.neg)
			folds, err := StratifiedFolds(y, tc.k, 7)
			if err != nil {
				t.Fatalf("StratifiedFolds: %v", err)
			}
			if len(folds) != tc.k {
				t.Fatalf("got %d folds; want %d", len(folds), tc.k)
			}
			seen := make([]int, len(y))
			for i, f := range folds {
				if !slices.IsSorted(f.Train) || !slices.IsSorted(f.Valid) {
					t.Errorf("fold %d: rows not in increasing order", i)
				}
				if len(f.Train)+len(f.Valid) != len(y) {
					t.Errorf("fold %d: %d + %d rows; want %d", i, len(f.Train), len(f.Valid), len(y))
				}
				inValid := map[int]bool{}
				var pos int
				for _, r := range f.Valid {
					inValid[r] = true
					seen[r]++
					pos += int(y[r])
				}
				for _, r := range f.Train {
					if inValid[r] {
						t.Fatalf("fold %d: row %d both trains and validates", i, r)
					}
				}
				// Class proportions: ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of each class.
				if lo, hi := tc.pos/tc.k, (tc.pos+tc.k-1)/tc.k; pos < lo || pos > hi {
					t.Errorf("fold %d: %d positives in validation; want %d to %d", i, pos, lo, hi)
				}
				neg := len(f.Valid) - pos
				if lo, hi := tc.neg/tc.k, (tc.neg+tc.k-1)/tc.k; neg < lo || neg > hi {
					t.Errorf("fold %d: %d negatives in validation; want %d to %d", i, neg, lo, hi)
				}
				if n, want := len(f.Valid), len(y)/tc.k; n < want || n > want+1 {
					t.Errorf("fold %d: %d validation rows; want %d or %d", i, n, want, want+1)
				}
			}
			for r, c := range seen {
				if c != 1 {
					t.Fatalf("row %d validated %d times; want once", r, c)
				}
			}
		})
	}
}

func TestStratifiedFoldsDeterministic(t *testing.T) {
	y := labels(40, 160)
	a, err := StratifiedFolds(y, 3, 11)
	if err != nil {
		t.Fatal(err)
	}
	b, err := StratifiedFolds(y, 3, 11)
	if err != nil {
		t.Fatal(err)
	}
	c, err := StratifiedFolds(y, 3, 12)
	if err != nil {
		t.Fatal(err)
	}
	same := func(x, y []Fold) bool {
		for i := range x {
			if !slices.Equal(x[i].Valid, y[i].Valid) || !slices.Equal(x[i].Train, y[i].Train) {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed gave different folds; want identical")
	}
	if same(a, c) {
		t.Error("seeds 11 and 12 gave identical folds; want different")
	}
}

func TestStratifiedFoldsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		y    []float64
		k    int
		want error
	}{
		{"one fold", labels(5, 5), 1, ErrOptions},
		{"bad label", []float64{0, 1, 2, 0, 1, 0}, 2, learn.ErrLabel},
		{"NaN label", []float64{0, 1, math.NaN(), 0, 1, 0}, 2, learn.ErrLabel},
		{"too few positives", labels(2, 50), 3, ErrTooFewRows},
		{"one class", labels(0, 50), 3, ErrTooFewRows},
		{"no rows", nil, 2, ErrTooFewRows},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StratifiedFolds(tc.y, tc.k, 1)
			if !errors.Is(err, tc.want) {
				t.Errorf("error = %v; want %v", err, tc.want)
			}
		})
	}
}

func FuzzFolds(f *testing.F) {
	f.Add(uint16(10), uint16(30), uint8(3), uint64(1))
	f.Add(uint16(1), uint16(1), uint8(2), uint64(0))
	f.Add(uint16(500), uint16(3), uint8(7), uint64(99))
	f.Fuzz(func(t *testing.T, pos, neg uint16, k uint8, seed uint64) {
		y := labels(int(pos), int(neg))
		if folds, err := StratifiedFolds(y, int(k), seed); err == nil {
			checkPartition(t, folds, len(y))
		} else if !errors.Is(err, ErrTooFewRows) && !errors.Is(err, ErrOptions) {
			t.Fatalf("StratifiedFolds: unexpected error %v", err)
		}
		if folds, err := TimeFolds(len(y), int(k)); err == nil {
			for i, f := range folds {
				if f.Train[len(f.Train)-1] >= f.Valid[0] {
					t.Fatalf("time fold %d validates row %d before training row %d", i, f.Valid[0], f.Train[len(f.Train)-1])
				}
			}
		} else if !errors.Is(err, ErrTooFewRows) && !errors.Is(err, ErrOptions) {
			t.Fatalf("TimeFolds: unexpected error %v", err)
		}
	})
}

// checkPartition checks that the validation parts of folds partition n
// rows and that each fold trains on the rest.
func checkPartition(tb testing.TB, folds []Fold, n int) {
	tb.Helper()
	seen := make([]int, n)
	for i, f := range folds {
		if len(f.Train)+len(f.Valid) != n || len(f.Valid) == 0 {
			tb.Fatalf("fold %d: %d + %d rows; want %d, validation non-empty", i, len(f.Train), len(f.Valid), n)
		}
		for _, r := range f.Valid {
			seen[r]++
		}
	}
	for r, c := range seen {
		if c != 1 {
			tb.Fatalf("row %d validated %d times; want once", r, c)
		}
	}
}

// labels returns pos ones followed by neg zeros, interleaved so that the
// classes are not in blocks.
func labels(pos, neg int) []float64 {
	y := make([]float64, 0, pos+neg)
	for pos > 0 || neg > 0 {
		if pos > 0 {
			y = append(y, 1)
			pos--
		}
		if neg > 0 {
			y = append(y, 0)
			neg--
		}
	}
	return y
}

func contiguous(rows []int) bool {
	for i := 1; i < len(rows); i++ {
		if rows[i] != rows[i-1]+1 {
			return false
		}
	}
	return true
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
