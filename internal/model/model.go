package model

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/credit-risk/credit-risk/internal/calibrate"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/learn"
	"github.com/credit-risk/credit-risk/internal/linear"
	"github.com/credit-risk/credit-risk/internal/matrix"
	"github.com/credit-risk/credit-risk/internal/scorecard"
	"github.com/credit-risk/credit-risk/internal/shap"
	"github.com/credit-risk/credit-risk/internal/tree"
)

// Format identifies credit-risk model files.
const Format = "credit-risk-model"

// FormatVersion is the version of the model file layout this package
// writes and reads.
const FormatVersion = 1

// Ext is the model file extension.
const Ext = ".model"

// Model is a fitted model with everything needed to score a raw
// application. Build one, then call Init (Load does) before use.
type Model struct {
	Format        string `json:"format"`
	FormatVersion int    `json:"format_version"`
	Name          string `json:"name"`
	Version       int    `json:"version"`
	// Algorithm names the learner (a learn.Algorithm).
	Algorithm string `json:"algorithm"`
	// CreatedAt is when the model was fitted. Save records it in the
	// metadata only, so the same data, spec and seed give byte-identical
	// model files; Load sets it from the metadata. Files saved before
	// held it too, and still load when the two agree.
	CreatedAt time.Time `json:"created_at,omitzero"`
	// Features are the model's column names, in order; they must equal the
	// pipeline's.
	Features []string           `json:"features"`
	Pipeline *features.Pipeline `json:"pipeline"`
	// Exactly one of Ensemble (gbdt, rf), Linear (lr) and Scorecard
	// (scorecard) is set.
	Ensemble *tree.Ensemble `json:"ensemble,omitempty"`
	Linear   *linear.Model  `json:"linear,omitempty"`
	// Scorecard reads its characteristics back from the feature vector
	// (see package scorecard); its raw probability is read from the
	// integer score.
	Scorecard *scorecard.Scorecard `json:"scorecard,omitempty"`
	// Calibration maps the log-odds of the learner's raw probability
	// (Logit(RawProb), clipped at 1e-9 from 0 and 1) to the calibrated PD;
	// nil means the raw probability is the PD.
	Calibration *calibrate.Calibrator `json:"calibration,omitempty"`
	// Threshold is the decision threshold on the calibrated PD:
	// prediction 1 (decline) when PD >= Threshold.
	Threshold float64 `json:"threshold"`

	explainer *shap.Explainer
	predictor *tree.Predictor // the compiled Ensemble, set by Init
}

// Errors of Init and Load. Load wraps them in a *LoadError naming the file
// and the check.
var (
	ErrFormat   = errors.New("not a credit-risk model file or an unsupported format version")
	ErrSchema   = errors.New("feature schema mismatch")
	ErrHash     = errors.New("sha256 mismatch")
	ErrInvalid  = errors.New("invalid model")
	ErrMetadata = errors.New("invalid metadata")
)

// Init checks a model and prepares it for scoring: it compiles the trees
// and the explainer, so a learner changed afterwards needs Init again.
// Decode and Save also check that the numbers are plausible
// (ErrImplausible, see checkNumbers); Init does not, so that a model can be
// initialised before its calibration and threshold are chosen.
func (m *Model) Init() error {
	if m.Format != Format || m.FormatVersion != FormatVersion {
		return fmt.Errorf("%w: format %q version %d; this program reads %q version %d", ErrFormat, m.Format, m.FormatVersion, Format, FormatVersion)
	}
	if m.Pipeline == nil {
		return fmt.Errorf("%w: no feature pipeline", ErrInvalid)
	}
	if err := m.Pipeline.Init(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !slices.Equal(m.Features, m.Pipeline.FeatureNames()) {
		return fmt.Errorf("%w: the model's %d features differ from its pipeline's %d", ErrSchema, len(m.Features), m.Pipeline.NumFeatures())
	}
	switch learn.Algorithm(m.Algorithm) {
	case learn.GBDT, learn.Forest:
		if m.Ensemble == nil || m.Linear != nil || m.Scorecard != nil {
			return fmt.Errorf("%w: algorithm %s needs a tree ensemble and nothing else", ErrInvalid, m.Algorithm)
		}
		if err := m.Ensemble.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if m.Ensemble.NumFeatures != len(m.Features) {
			return fmt.Errorf("%w: the ensemble reads %d features; the model has %d", ErrSchema, m.Ensemble.NumFeatures, len(m.Features))
		}
		ex, err := shap.NewExplainer(m.Ensemble)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		m.explainer = ex
		m.predictor = m.Ensemble.Compile()
	case learn.Logistic:
		if m.Linear == nil || m.Ensemble != nil || m.Scorecard != nil {
			return fmt.Errorf("%w: algorithm lr needs a linear model and nothing else", ErrInvalid)
		}
		if err := m.Linear.Validate(); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if m.Linear.NumFeatures() != len(m.Features) {
			return fmt.Errorf("%w: the linear model reads %d features; the model has %d", ErrSchema, m.Linear.NumFeatures(), len(m.Features))
		}
	case learn.Scorecard:
		if m.Scorecard == nil || m.Ensemble != nil || m.Linear != nil {
			return fmt.Errorf("%w: algorithm scorecard needs a scorecard and nothing else", ErrInvalid)
		}
		if err := m.Scorecard.Init(m.Features); err != nil {
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	default:
		return fmt.Errorf("%w: unknown algorithm %q", ErrInvalid, m.Algorithm)
	}
	if m.Calibration != nil {
		if err := m.Calibration.Validate(); err != nil {
			return fmt.Errorf("%w: calibration: %w", ErrInvalid, err)
		}
	}
	if math.IsNaN(m.Threshold) || m.Threshold < 0 || m.Threshold > 1 {
		return fmt.Errorf("%w: threshold %v outside [0, 1]", ErrInvalid, m.Threshold)
	}
	return nil
}

// Margin returns the learner's raw output for a feature vector: log-odds for
// boosted trees and logistic regression, a probability for a forest, and
// for a scorecard the log-odds of default its integer score stands for.
func (m *Model) Margin(x []float64) float64 {
	switch {
	case m.Scorecard != nil:
		return m.Scorecard.Margin(x)
	case m.Linear != nil:
		return m.Linear.Margin(x)
	case m.predictor != nil:
		return m.predictor.Margin(x)
	}
	return m.Ensemble.Margin(x)
}

// RawProb maps a margin to the learner's uncalibrated probability.
func (m *Model) RawProb(margin float64) float64 {
	if m.Linear != nil || m.Scorecard != nil {
		return tree.Sigmoid(margin)
	}
	return m.Ensemble.Prob(margin)
}

// Calibrate maps a raw probability to the calibrated PD.
func (m *Model) Calibrate(p float64) float64 {
	if m.Calibration == nil {
		return p
	}
	return m.Calibration.Apply(Logit(p))
}

// Logit returns log(p/(1−p)) with p clipped to [1e-9, 1−1e-9], the score
// the calibration reads.
func Logit(p float64) float64 {
	p = min(max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

// PD returns the calibrated probability of default of a feature vector.
func (m *Model) PD(x []float64) float64 { return m.Calibrate(m.RawProb(m.Margin(x))) }

// Decide returns 1 (predicted default: decline) when pd >= Threshold.
func (m *Model) Decide(pd float64) int {
	if pd >= m.Threshold {
		return 1
	}
	return 0
}

// RawProbInto writes the uncalibrated probability of every row of X into
// dst, using up to threads goroutines for tree ensembles.
func (m *Model) RawProbInto(dst []float64, X *matrix.Dense, threads int) {
	if m.Scorecard != nil {
		if len(dst) != X.Rows {
			panic(fmt.Sprintf("model: %d outputs for %d rows", len(dst), X.Rows))
		}
		for i := range dst {
			dst[i] = tree.Sigmoid(m.Scorecard.Margin(X.Row(i)))
		}
		return
	}
	if m.Linear != nil {
		m.Linear.PredictProbaInto(dst, X)
		return
	}
	if m.predictor != nil {
		m.predictor.PredictInto(dst, X, threads)
		return
	}
	m.Ensemble.PredictInto(dst, X, threads)
}

// PDInto writes the calibrated PD of every row of X into dst.
func (m *Model) PDInto(dst []float64, X *matrix.Dense, threads int) {
	m.RawProbInto(dst, X, threads)
	if m.Calibration != nil {
		for i, p := range dst {
			dst[i] = m.Calibration.Apply(Logit(p))
		}
	}
}

// Contributions writes each feature's additive contribution to the margin
// into dst (len = number of features) and returns the base value, so that
// base + Σ dst == Margin(x): exact TreeSHAP for trees, exact linear terms
// for logistic regression, and for a scorecard each characteristic's
// points lost over Factor, measured from its best bin, at its value column
// (scorecard.Scorecard.Contributions).
func (m *Model) Contributions(dst, x []float64) (base float64) {
	if m.Scorecard != nil {
		return m.Scorecard.Contributions(dst, x)
	}
	if m.Linear != nil {
		return m.Linear.ContributionsInto(dst, x)
	}
	return m.explainer.Explain(dst, x)
}

// Reason is a feature that raised the PD of one application.
type Reason struct {
	Feature      string  `json:"feature"`
	Value        float64 `json:"value"`
	Contribution float64 `json:"contribution"`
}

// Reasons returns the k features with the largest positive contributions to
// the margin of x, largest first (ties by name); dst is scratch of length
// len(Features). For a scorecard they are its characteristics with points
// lost, most first: Feature names the characteristic, Value is its value
// (NaN for a level or a missing value) and Contribution its points lost
// over the scaling's Factor, in log-odds.
func (m *Model) Reasons(dst, x []float64, k int) []Reason {
	if sc := m.Scorecard; sc != nil {
		var out []Reason
		for _, r := range sc.Reasons(x, k) {
			if r.PointsLost <= 0 {
				break
			}
			i := slices.IndexFunc(sc.Characteristics, func(c scorecard.Characteristic) bool { return c.Name == r.Characteristic })
			out = append(out, Reason{Feature: r.Characteristic, Value: sc.Value(i, x), Contribution: float64(r.PointsLost) / sc.Scaling.Factor})
		}
		return out
	}
	m.Contributions(dst, x)
	var out []Reason
	for _, r := range shap.ReasonCodes(dst, m.Features, k) {
		i := slices.Index(m.Features, r.Feature)
		out = append(out, Reason{Feature: r.Feature, Value: x[i], Contribution: r.Contribution})
	}
	return out
}

// Score returns the points of a feature vector and true for a scorecard,
// 0 and false for any other model.
func (m *Model) Score(x []float64) (int, bool) {
	if m.Scorecard == nil {
		return 0, false
	}
	return m.Scorecard.Score(x), true
}

// PointsLost returns a scorecard's characteristics for x with their points
// and points lost against each one's maximum, most points lost first, at
// most k of them (k ≤ 0: all); nil for any other model.
func (m *Model) PointsLost(x []float64, k int) []scorecard.Reason {
	if m.Scorecard == nil {
		return nil
	}
	return m.Scorecard.Reasons(x, k)
}
