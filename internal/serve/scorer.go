package serve

import (
	"errors"
	"fmt"

	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// Scorer scores applications exactly as the server's /predict does —
// the same decoding, feature pipeline, range policy and model — outside a
// server: audit replay re-scores recorded decisions with it. It is not
// safe for concurrent use.
type Scorer struct {
	l *loaded
}

// ErrNotScored is wrapped by the error of an application the server would
// not have scored: not JSON, or with field problems.
var ErrNotScored = errors.New("the application would not be scored")

// NewScorer loads the model and its metadata (metaPath "" derives it) and
// verifies them as the server does; rangePolicy is RANGE_POLICY's value
// for the inputs whose spec sets none ("" is clamp).
func NewScorer(modelPath, metaPath, rangePolicy string) (*Scorer, error) {
	if metaPath == "" {
		metaPath = model.MetadataPath(modelPath)
	}
	if rangePolicy == "" {
		rangePolicy = features.RangeClamp
	}
	l, err := loadModel(modelPath, metaPath, 0, rangePolicy, BuildInfo{})
	if err != nil {
		return nil, err
	}
	return &Scorer{l: l}, nil
}

// Version is the model's version id, such as gbdt_v3, and SHA256 the
// model file's hash.
func (s *Scorer) Version() string { return s.l.version }

// SHA256 is the lowercase hex SHA-256 of the model file.
func (s *Scorer) SHA256() string { return s.l.meta.SHA256 }

// Threshold is the model's decision threshold.
func (s *Scorer) Threshold() float64 { return s.l.model.Threshold }

// Score returns the PD and the prediction (1: declined) of one
// application, a JSON object as /predict receives it.
func (s *Scorer) Score(body []byte) (pd float64, pred int, err error) {
	sc := s.l.getScratch()
	defer s.l.putScratch(sc)
	sc.app.Reset(len(s.l.names))
	if err := wire.DecodeApplication(string(body), s.l.index, &sc.app); err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrNotScored, err)
	}
	pd, pred, problems := score(s.l, sc)
	if problems != nil {
		return 0, 0, fmt.Errorf("%w: %d field problems, the first: %s: %s", ErrNotScored, len(problems), problems[0].Field, problems[0].Problem)
	}
	return pd, pred, nil
}
