package learn

import (
	"errors"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/matrix"
)

// TestCheck runs every kind of bad input through Check and pins the
// sentinel and the exact message, which every learner shares.
func TestCheck(t *testing.T) {
	ok := matrix.FromRows([][]float64{{1, math.NaN()}, {2, 3}, {4, 5}})
	tests := []struct {
		name    string
		X       *matrix.Dense
		y       []float64
		wantErr error
		wantMsg string
		wantPos int
	}{
		{"valid", ok, []float64{0, 1, 1}, nil, "", 2},
		{"nil matrix", nil, nil, ErrNoRows, "no rows", 0},
		{"no rows", matrix.New(0, 2), nil, ErrNoRows, "no rows", 0},
		{"no columns", &matrix.Dense{Rows: 2}, []float64{0, 1}, ErrShape, "shape mismatch: matrix has 0 columns", 0},
		{"short storage", &matrix.Dense{Rows: 2, Cols: 2, Data: make([]float64, 3)}, []float64{0, 1}, ErrShape, "shape mismatch: 2×2 matrix holds 3 values", 0},
		{"too few labels", ok, []float64{0, 1}, ErrShape, "shape mismatch: 2 labels for 3 rows", 0},
		{"too many labels", ok, []float64{0, 1, 0, 1}, ErrShape, "shape mismatch: 4 labels for 3 rows", 0},
		{"label 2", ok, []float64{0, 1, 2}, ErrLabel, "label not 0 or 1: row 2 has label 2", 0},
		{"label 0.5", ok, []float64{0.5, 1, 0}, ErrLabel, "label not 0 or 1: row 0 has label 0.5", 0},
		{"label -1", ok, []float64{0, -1, 1}, ErrLabel, "label not 0 or 1: row 1 has label -1", 0},
		{"label NaN", ok, []float64{0, math.NaN(), 1}, ErrLabel, "label not 0 or 1: row 1 has label NaN", 0},
		{"label +Inf", ok, []float64{0, 1, math.Inf(1)}, ErrLabel, "label not 0 or 1: row 2 has label +Inf", 0},
		{"all 0", ok, []float64{0, 0, 0}, ErrOneClass, "only one class: 0 of 3 labels are 1", 0},
		{"all 1", ok, []float64{1, 1, 1}, ErrOneClass, "only one class: 3 of 3 labels are 1", 0},
		{"+Inf feature", matrix.FromRows([][]float64{{1, 2}, {3, math.Inf(1)}}), []float64{0, 1}, ErrInfinite, "infinite feature value: row 1, column 1 is +Inf", 0},
		{"-Inf feature", matrix.FromRows([][]float64{{math.Inf(-1), 2}, {3, 4}}), []float64{0, 1}, ErrInfinite, "infinite feature value: row 0, column 0 is -Inf", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pos, err := Check(tt.X, tt.y)
			if tt.wantErr == nil {
				if err != nil || pos != tt.wantPos {
					t.Fatalf("got %d, %v; want %d, nil", pos, err, tt.wantPos)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v; want one wrapping %v", err, tt.wantErr)
			}
			if err.Error() != tt.wantMsg {
				t.Errorf("got message %q; want %q", err.Error(), tt.wantMsg)
			}
		})
	}
}

// TestCheckLabels checks that CheckLabels accepts one class, which
// validation data may have, and counts the positives.
func TestCheckLabels(t *testing.T) {
	for _, tt := range []struct {
		y    []float64
		want int
	}{{nil, 0}, {[]float64{0, 0}, 0}, {[]float64{1, 0, 1}, 2}} {
		if got, err := CheckLabels(tt.y); err != nil || got != tt.want {
			t.Errorf("CheckLabels(%v) = %d, %v; want %d, nil", tt.y, got, err, tt.want)
		}
	}
}

func TestConfigError(t *testing.T) {
	reason := errors.New("must be at least 1")
	err := error(&ConfigError{Learner: "gbdt", Field: "Rounds", Value: 0, Err: reason})
	if got, want := err.Error(), "gbdt: config Rounds = 0: must be at least 1"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if !errors.Is(err, ErrConfig) || !errors.Is(err, reason) {
		t.Errorf("errors.Is does not match ErrConfig and the reason")
	}
}

func TestClassWeight(t *testing.T) {
	for _, tt := range []struct {
		w     ClassWeight
		valid bool
		want  [2]float64
	}{
		{Unweighted, true, [2]float64{1, 1}},
		{Balanced, true, [2]float64{10.0 / 16, 10.0 / 4}},
		{"Balanced", false, [2]float64{1, 1}},
	} {
		if err := tt.w.Validate(); (err == nil) != tt.valid {
			t.Errorf("%q.Validate() = %v; want valid %v", tt.w, err, tt.valid)
		}
		if got := tt.w.Weights(10, 2); got != tt.want {
			t.Errorf("%q.Weights(10, 2) = %v; want %v", tt.w, got, tt.want)
		}
	}
}
