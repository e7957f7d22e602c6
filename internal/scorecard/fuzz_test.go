package scorecard

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

// FuzzDecode decodes arbitrary bytes as a Scorecard. Decoding may fail, but
// a scorecard that decodes and initialises against the fixture's columns
// must score any feature vector without panicking, with a bin of every
// characteristic in range, a score equal to the sum of its reasons' points
// and a PD in [0, 1], and survive encode → decode with identical bytes.
func FuzzDecode(f *testing.F) {
	data, err := json.Marshal(fixture())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, 15.0, 0.0, 1.0, 0.0)
	f.Add(data, math.NaN(), 1.0, 0.0, 1.0)
	f.Add([]byte(`{"version":1}`), 0.0, 0.0, 0.0, 0.0)
	f.Add([]byte(`[]`), 0.0, 0.0, 0.0, 0.0)
	f.Fuzz(func(t *testing.T, data []byte, v, missing, special, car float64) {
		s, err := Decode(data)
		if err != nil {
			return
		}
		again, err := json.Marshal(s)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		s2, err := Decode(again)
		if err != nil {
			t.Fatalf("decode of the re-encoded scorecard: %v", err)
		}
		third, _ := json.Marshal(s2)
		if !bytes.Equal(again, third) {
			t.Fatalf("round trip changed the bytes")
		}
		if err := s.Init(features); err != nil {
			return
		}
		x := []float64{v, missing, special, car, 1 - car, 0}
		score := s.BasePoints
		for k, c := range s.Characteristics {
			b := s.Bin(k, x)
			if b < 0 || b >= len(c.Binning.Bins) {
				t.Fatalf("characteristic %q: bin %d outside [0, %d)", c.Name, b, len(c.Binning.Bins))
			}
			score += c.Points[b]
		}
		if got := s.Score(x); got != score {
			t.Fatalf("Score = %d; want %d", got, score)
		}
		if pd := s.Scaling.PD(float64(score)); !(pd >= 0 && pd <= 1) {
			t.Fatalf("PD(%d) = %v", score, pd)
		}
		s.Reasons(x, 4)
	})
}
