package scorecard

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// Read decodes one JSON Scorecard from r and validates it. Unknown fields
// and trailing data are errors.
func Read(r io.Reader) (*Scorecard, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Scorecard
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("read scorecard: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("read scorecard: trailing data after the scorecard")
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("read scorecard: %w", err)
	}
	return &s, nil
}

// Decode decodes and validates a JSON Scorecard held in data, as Read
// does.
func Decode(data []byte) (*Scorecard, error) { return Read(bytes.NewReader(data)) }
