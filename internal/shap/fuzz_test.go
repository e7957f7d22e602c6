package shap

import (
	"errors"
	"math"
	"testing"

	"github.com/credit-risk/credit-risk/internal/tree"
)

// ensembleFromBytes builds a small, possibly malformed ensemble from fuzz
// input: one byte for the feature count, then six bytes per node.
func ensembleFromBytes(data []byte) *tree.Ensemble {
	if len(data) == 0 {
		return &tree.Ensemble{}
	}
	nf := 1 + int(data[0]%4)
	e := &tree.Ensemble{NumFeatures: nf, Base: 0.25, Scale: 0.5, Output: tree.LogOdds}
	var nodes []tree.Node
	for data = data[1:]; len(data) >= 6 && len(nodes) < 40; data = data[6:] {
		i := int32(len(nodes))
		if data[0] == 0xff { // start a new tree
			e.Trees = append(e.Trees, tree.Tree{Nodes: nodes})
			nodes = nil
			i = 0
		}
		nodes = append(nodes, tree.Node{
			Feature:     int32(data[1]%uint8(nf+2)) - 1, // -1 (leaf) .. nf (out of range)
			Left:        i + 1 + int32(data[2]%6),
			Right:       i + 1 + int32(data[3]%6),
			DefaultLeft: data[2]&0x80 != 0,
			Threshold:   float64(int(data[4])-128) / 32,
			Value:       float64(int(data[5])-128) / 64,
			Cover:       float64(int(data[0]%16) - 1), // -1 .. 14
		})
	}
	e.Trees = append(e.Trees, tree.Tree{Nodes: nodes})
	return e
}

// FuzzNewExplainer checks that any ensemble is either rejected with
// ErrInvalid or explained exactly: φ matches brute force and adds up to the
// margin.
func FuzzNewExplainer(f *testing.F) {
	f.Add([]byte{1, 5, 1, 0, 1, 128, 200, 5, 0, 0, 0, 0, 100, 5, 0, 0, 0, 0, 160})
	f.Add([]byte{3, 9, 1, 0, 1, 100, 0, 5, 2, 0, 1, 140, 0, 5, 0, 0, 0, 0, 10, 5, 0, 0, 0, 0, 250, 0xff, 3, 1, 1, 1, 1, 1})
	f.Add([]byte{2, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 7, 1, 0, 0, 0, 0, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		e := ensembleFromBytes(data)
		x, err := NewExplainer(e)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %q does not wrap ErrInvalid", err)
			}
			return
		}
		grid := []float64{math.NaN(), -2, -0.5, 0, 0.5, 1.5}
		phi := make([]float64, e.NumFeatures)
		row := make([]float64, e.NumFeatures)
		for k := range 8 {
			for j := range row {
				row[j] = grid[(k+3*j+int(data[len(data)-1]))%len(grid)]
			}
			base := x.Explain(phi, row)
			want, wantBase := bruteForce(e, row)
			if !closeTo(base, wantBase, tol) {
				t.Fatalf("row %v: base = %.15g; want %.15g", row, base, wantBase)
			}
			for j := range want {
				if !closeTo(phi[j], want[j], tol) {
					t.Fatalf("row %v: φ[%d] = %.15g; want %.15g", row, j, phi[j], want[j])
				}
			}
			if got, want := base+sum(phi), e.Margin(row); !closeTo(got, want, tol) {
				t.Fatalf("row %v: base + Σφ = %.15g; want margin %.15g", row, got, want)
			}
		}
	})
}
