package classing

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// ErrInvalid reports a Binning that fails Validate.
var ErrInvalid = errors.New("classing: invalid binning")

// ReadBinning decodes one JSON Binning from r and validates it. Unknown
// fields and trailing data are errors.
func ReadBinning(r io.Reader) (*Binning, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var b Binning
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("read binning: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("read binning %q: trailing data after the binning", b.Name)
	}
	if err := b.Validate(); err != nil {
		return nil, fmt.Errorf("read binning: %w", err)
	}
	return &b, nil
}

// DecodeBinning decodes and validates a JSON Binning held in data, as
// ReadBinning does.
func DecodeBinning(data []byte) (*Binning, error) {
	return ReadBinning(bytes.NewReader(data))
}

// Validate reports whether b can be applied: the current FormatVersion, a
// name, a known kind, the bins in the documented order (ordinary, missing,
// special), cut points finite and strictly increasing, every level and
// special value pointing at a bin, every ordinary and special bin reached,
// counts non-negative, and WoE, IV and special values finite. Errors wrap
// ErrInvalid and name the characteristic.
func (b *Binning) Validate() error {
	if err := b.validate(); err != nil {
		return fmt.Errorf("characteristic %q: %w: %v", b.Name, ErrInvalid, err)
	}
	return nil
}

func (b *Binning) validate() error {
	if b.Version != FormatVersion {
		return fmt.Errorf("version %d; want %d", b.Version, FormatVersion)
	}
	if b.Name == "" {
		return errors.New("no name")
	}
	nbins := len(b.Bins)
	if b.Missing < 0 || b.Missing >= nbins {
		return fmt.Errorf("missing bin %d outside [0, %d)", b.Missing, nbins)
	}
	for i, bin := range b.Bins {
		want := b.ordinaryKind()
		switch {
		case i == b.Missing:
			want = Missing
		case i > b.Missing:
			want = Special
		}
		if bin.Kind != want {
			return fmt.Errorf("bin %d is %q; want %q", i, bin.Kind, want)
		}
		if bin.Goods < 0 || bin.Bads < 0 || bin.Goods > math.MaxInt64-bin.Bads {
			return fmt.Errorf("bin %d counts %d goods, %d bads", i, bin.Goods, bin.Bads)
		}
		if !finite(bin.WoE) || !finite(bin.IV) {
			return fmt.Errorf("bin %d WoE %v, IV %v", i, bin.WoE, bin.IV)
		}
	}
	if !finite(b.IV) {
		return fmt.Errorf("IV %v", b.IV)
	}
	reached := make([]bool, nbins)
	reached[b.Missing] = true
	switch b.Kind {
	case Numeric:
		if b.Direction < Decreasing || b.Direction > Increasing {
			return fmt.Errorf("direction %d", int(b.Direction))
		}
		if b.Missing != len(b.Cuts)+1 {
			return fmt.Errorf("missing bin %d with %d cuts; want %d", b.Missing, len(b.Cuts), len(b.Cuts)+1)
		}
		for k, c := range b.Cuts {
			if !finite(c) {
				return fmt.Errorf("cut %d is %v", k, c)
			}
			if k > 0 && !(b.Cuts[k-1] < c) {
				return fmt.Errorf("cuts %d and %d not increasing", k-1, k)
			}
			reached[k] = true
		}
		reached[len(b.Cuts)] = true
		if len(b.Levels) > 0 || b.Unseen != 0 {
			return errors.New("levels or unseen bin on a numeric characteristic")
		}
		for k, s := range b.Specials {
			if !finite(s.Value) {
				return fmt.Errorf("special value %v", s.Value)
			}
			if k > 0 && !(b.Specials[k-1].Value < s.Value) {
				return fmt.Errorf("special values %v and %v not increasing", b.Specials[k-1].Value, s.Value)
			}
			if s.Bin < 0 || s.Bin >= nbins {
				return fmt.Errorf("special value %v bin %d outside [0, %d)", s.Value, s.Bin, nbins)
			}
			reached[s.Bin] = true
		}
	case Categorical:
		if b.Direction != Auto {
			return fmt.Errorf("direction %d on a categorical characteristic", int(b.Direction))
		}
		if len(b.Cuts) > 0 || len(b.Specials) > 0 {
			return errors.New("cuts or special values on a categorical characteristic")
		}
		if b.Missing != nbins-1 {
			return fmt.Errorf("missing bin %d is not the last of %d", b.Missing, nbins)
		}
		for level, i := range b.Levels {
			if i < 0 || i >= b.Missing {
				return fmt.Errorf("level %q bin %d outside [0, %d)", level, i, b.Missing)
			}
			reached[i] = true
		}
		if b.Unseen < 0 || b.Unseen >= nbins {
			return fmt.Errorf("unseen bin %d outside [0, %d)", b.Unseen, nbins)
		}
	default:
		return fmt.Errorf("kind %q", b.Kind)
	}
	for i, ok := range reached {
		if !ok {
			return fmt.Errorf("no value reaches bin %d", i)
		}
	}
	return nil
}

// ordinaryKind returns the kind of the ordinary bins of b.
func (b *Binning) ordinaryKind() BinKind {
	if b.Kind == Categorical {
		return Levels
	}
	return Range
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
