package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/metrics"
)

// Metadata describes a model file. It is written beside the model as
// <base>_metadata.json (see MetadataName).
type Metadata struct {
	Name          string    `json:"name"`
	Version       int       `json:"version"`
	Algorithm     string    `json:"algorithm"`
	FormatVersion int       `json:"format_version"`
	CreatedAt     time.Time `json:"created_at"`
	// File is the model file's base name and SHA256 its sha256 (hex).
	File   string `json:"file"`
	SHA256 string `json:"sha256"`
	// Features is the feature schema: the model's columns in order.
	Features  []string `json:"features"`
	Threshold float64  `json:"threshold"`
	// ThresholdRule says how the threshold was chosen.
	ThresholdRule string `json:"threshold_rule,omitempty"`
	Calibration   string `json:"calibration,omitempty"`
	Dataset       string `json:"dataset,omitempty"`
	// DataFingerprint identifies the training data (sha256 of the cleaned
	// table).
	DataFingerprint string         `json:"data_fingerprint,omitempty"`
	TrainRows       int            `json:"train_rows,omitempty"`
	TestRows        int            `json:"test_rows,omitempty"`
	Params          map[string]any `json:"params,omitempty"`
	// Metrics are the test metrics and run values; left out when zero.
	Metrics metrics.Summary `json:"metrics,omitzero"`
	// Validation are the metrics on the validation slice of the training
	// period (the rows that calibrated the PD and chose the threshold),
	// which a retrain selects its champion by; left out when zero.
	Validation metrics.Summary `json:"validation,omitzero"`
	// Reference holds training distributions for drift monitoring.
	Reference *Reference `json:"reference,omitempty"`
}

// VersionID names the model version by its file: gbdt_v3 for
// gbdt_v3.model. The API's responses and metrics and the score command's
// output carry it.
func (m *Metadata) VersionID() string {
	if m.File != "" {
		return strings.TrimSuffix(m.File, Ext)
	}
	return FileBase(m.Name, m.Version)
}

// Reference holds binned training distributions: one per feature, and one
// of the calibrated PD.
type Reference struct {
	Features []Bins `json:"features"`
	Score    Bins   `json:"score"`
}

// Bins is a binned distribution. Edges are the interior bin boundaries
// (bin i holds Edges[i-1] <= v < Edges[i]); Shares holds len(Edges)+1
// training shares plus, last, the share of missing values.
type Bins struct {
	Name   string    `json:"name"`
	Edges  []float64 `json:"edges"`
	Shares []float64 `json:"shares"`
}

// LoadError is a model that failed a check while loading.
type LoadError struct {
	Path  string
	Check string // which check failed: read, metadata, sha256, decode, format, schema
	Err   error
}

func (e *LoadError) Error() string {
	return fmt.Sprintf("load model %s: %s check failed: %v", e.Path, e.Check, e.Err)
}

func (e *LoadError) Unwrap() error { return e.Err }

// MetadataPath derives the metadata path of a model path the way the alias
// does: dir/production.model → dir/production_metadata.json.
func MetadataPath(modelPath string) string {
	dir, base := filepath.Split(modelPath)
	return filepath.Join(dir, MetadataName(strings.TrimSuffix(base, filepath.Ext(base))))
}

// Encode writes m as JSON.
func Encode(w io.Writer, m *Model) error {
	enc := json.NewEncoder(w)
	return enc.Encode(m)
}

// Decode reads a model strictly (unknown fields are errors), runs Init and
// checks that its numbers are plausible (ErrImplausible).
func Decode(data []byte) (*Model, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the model", ErrInvalid)
	}
	if err := m.Init(); err != nil {
		return nil, err
	}
	if err := m.checkNumbers(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Save writes the model file and its metadata atomically into dir as
// <base>.model and <base>_metadata.json, filling meta's file name, hash,
// schema and identity fields; a scorecard's table goes beside them as
// <base>_table.csv and <base>_table.json (TableName). The model file is written first and never
// replaces an existing one (the error wraps os.ErrExist), so two runs cannot
// claim the same version and a metadata file never names a model that is not
// there.
func Save(dir, base string, m *Model, meta *Metadata) error {
	if err := m.Init(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if err := m.checkNumbers(); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	// The creation time goes to the metadata only: the model file holds
	// nothing that changes between two fits of the same data.
	created := m.CreatedAt
	m.CreatedAt = time.Time{}
	var buf bytes.Buffer
	err := Encode(&buf, m)
	m.CreatedAt = created
	if err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	sum := sha256.Sum256(buf.Bytes())
	path := filepath.Join(dir, base+Ext)
	if err := atomicfile.WriteNew(path, 0o644, func(w io.Writer) error {
		_, err := w.Write(buf.Bytes())
		return err
	}); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	meta.Name, meta.Version, meta.Algorithm = m.Name, m.Version, m.Algorithm
	meta.FormatVersion, meta.CreatedAt = m.FormatVersion, m.CreatedAt
	meta.File, meta.SHA256 = filepath.Base(path), hex.EncodeToString(sum[:])
	meta.Features = slices.Clone(m.Features)
	meta.Threshold = m.Threshold
	meta.Calibration = ""
	if m.Calibration != nil {
		meta.Calibration = string(m.Calibration.Method)
	}
	if err := atomicfile.WriteJSON(MetadataPath(path), meta); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	if sc := m.Scorecard; sc != nil {
		for _, t := range []struct {
			ext   string
			write func(io.Writer) error
		}{{".csv", sc.WriteTableCSV}, {".json", sc.WriteTableJSON}} {
			if err := atomicfile.Write(filepath.Join(dir, TableName(base)+t.ext), 0o644, t.write); err != nil {
				return fmt.Errorf("save model: scorecard table: %w", err)
			}
		}
	}
	return nil
}

// TableName returns the base name of the scorecard table files of the
// model file base: scorecard_v3_table for scorecard_v3 (the table is
// written as .csv and .json beside the model).
func TableName(base string) string { return base + "_table" }

// ReadMetadata reads a metadata file strictly.
func ReadMetadata(path string) (*Metadata, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var meta Metadata
	if err := dec.Decode(&meta); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMetadata, err)
	}
	if meta.SHA256 == "" || len(meta.Features) == 0 {
		return nil, fmt.Errorf("%w: no sha256 or feature schema", ErrMetadata)
	}
	return &meta, nil
}

// Load reads a model and its metadata (metaPath "" derives it from
// modelPath), verifies the model file's sha256 against the metadata and the
// feature schema of both, and returns the initialised model. Symbolic links
// (the champion alias) are followed.
func Load(modelPath, metaPath string) (*Model, *Metadata, error) {
	if metaPath == "" {
		metaPath = MetadataPath(modelPath)
	}
	data, err := os.ReadFile(modelPath)
	if err != nil {
		return nil, nil, &LoadError{modelPath, "read", err}
	}
	meta, err := ReadMetadata(metaPath)
	if err != nil {
		return nil, nil, &LoadError{modelPath, "metadata", fmt.Errorf("%s: %w", metaPath, err)}
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != meta.SHA256 {
		return nil, nil, &LoadError{modelPath, "sha256", fmt.Errorf("%w: file %s…, metadata %s says %s…", ErrHash, got[:12], filepath.Base(metaPath), short(meta.SHA256))}
	}
	m, err := Decode(data)
	if err != nil {
		check := "decode"
		switch {
		case errors.Is(err, ErrFormat):
			check = "format"
		case errors.Is(err, ErrSchema):
			check = "schema"
		case errors.Is(err, ErrImplausible):
			check = "numbers"
		}
		return nil, nil, &LoadError{modelPath, check, err}
	}
	if !slices.Equal(m.Features, meta.Features) {
		return nil, nil, &LoadError{modelPath, "schema", fmt.Errorf("%w: the model has %d features, the metadata lists %d (first difference: %s)", ErrSchema, len(m.Features), len(meta.Features), firstDiff(m.Features, meta.Features))}
	}
	if m.Version != meta.Version || m.Algorithm != meta.Algorithm {
		return nil, nil, &LoadError{modelPath, "metadata", fmt.Errorf("%w: metadata is for %s v%d, the model is %s v%d", ErrMetadata, meta.Algorithm, meta.Version, m.Algorithm, m.Version)}
	}
	if err := agree(m, meta); err != nil {
		return nil, nil, &LoadError{modelPath, "metadata", err}
	}
	m.CreatedAt = meta.CreatedAt
	return m, meta, nil
}

// agree checks that the metadata says what the model file holds, field by
// field where Save copies one into the other: an edit of either is caught
// even when the hash was recomputed.
func agree(m *Model, meta *Metadata) error {
	calibration := ""
	if m.Calibration != nil {
		calibration = string(m.Calibration.Method)
	}
	for _, d := range []struct {
		field      string
		file, meta any
	}{
		{"name", m.Name, meta.Name},
		{"format_version", m.FormatVersion, meta.FormatVersion},
		{"threshold", m.Threshold, meta.Threshold},
		{"calibration", calibration, meta.Calibration},
	} {
		if d.file != d.meta {
			return fmt.Errorf("%w: %s is %v in the metadata and %v in the model file", ErrMetadata, d.field, d.meta, d.file)
		}
	}
	if !m.CreatedAt.IsZero() && !m.CreatedAt.Equal(meta.CreatedAt) {
		return fmt.Errorf("%w: created_at is %v in the metadata and %v in the model file", ErrMetadata, meta.CreatedAt, m.CreatedAt)
	}
	return nil
}

func short(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("column %d is %q vs %q", i, a[i], b[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d", len(a), len(b))
}
