package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/credit-risk/credit-risk/internal/drift"
	"github.com/credit-risk/credit-risk/internal/features"
	"github.com/credit-risk/credit-risk/internal/model"
	"github.com/credit-risk/credit-risk/internal/serve/wire"
)

// ErrModelNotFound is wrapped by a *ModelNotFoundError.
var ErrModelNotFound = errors.New("model file not found")

// ModelNotFoundError is a model path with no file behind it.
type ModelNotFoundError struct {
	Path string
	// Candidates are model files beside Path that the user may have
	// meant: the champion alias when the folder has one.
	Candidates []string
}

// Error returns the message the image contract fixes:
// "Model file not found: <path>".
func (e *ModelNotFoundError) Error() string { return "Model file not found: " + e.Path }

// Unwrap returns ErrModelNotFound.
func (e *ModelNotFoundError) Unwrap() error { return ErrModelNotFound }

// Hint says how to provide a model.
func (e *ModelNotFoundError) Hint() string {
	if len(e.Candidates) > 0 {
		return "Did you mean " + strings.Join(e.Candidates, " or ") + "? Set MODEL_PATH to it" +
			" (docker run -e MODEL_PATH=" + e.Candidates[0] + " ...)."
	}
	return `Run the training pipeline first (credit-risk retrain, or the
credit-risk-train image) so that the champion alias models/production.model
and models/production_metadata.json exist; mount the models folder into the
container (docker run -v "$(pwd)/models:/app/models:ro" ...); or set
MODEL_PATH to a model file (and MODEL_METADATA_PATH when its metadata is not
beside it).`
}

// fileID identifies the version of a file behind a path: the path the
// symbolic links resolve to, its size and its modification time.
type fileID struct {
	target string
	size   int64
	mtime  time.Time
}

// sourceID identifies a model and metadata pair.
type sourceID struct {
	model, meta fileID
}

func statFile(path string) (fileID, error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fileID{}, err
	}
	st, err := os.Stat(target)
	if err != nil {
		return fileID{}, err
	}
	return fileID{target: target, size: st.Size(), mtime: st.ModTime()}, nil
}

func statSource(modelPath, metaPath string) (sourceID, error) {
	m, err := statFile(modelPath)
	if err != nil {
		return sourceID{}, err
	}
	d, err := statFile(metaPath)
	if err != nil {
		return sourceID{}, err
	}
	return sourceID{m, d}, nil
}

// loaded is one loaded model with everything derived from it. It is never
// changed after newLoaded returns; a reload builds a new one.
type loaded struct {
	model   *model.Model
	meta    *model.Metadata
	source  sourceID
	version string // model version id, e.g. gbdt_v3
	at      time.Time
	index   *wire.Index // input name → position in Pipeline.Inputs
	names   []string    // input names, interned for responses
	openapi []byte
	info    []byte
	// infoPublic and openapiPublic are info and openapi without what
	// helps game the model.
	openapiPublic []byte
	infoPublic    []byte
	guards        []guard        // the range policy of each input (guard.go)
	drift         *drift.Monitor // nil when off or the metadata has no reference
	// driftErr says why drift is off.
	driftErr string

	scratch sync.Pool // *scratch sized for this model
}

// scratch is the per-request working memory of one model.
type scratch struct {
	app     wire.Application
	row     *features.Row
	x       []float64
	contrib []float64
	dirs    []features.Direction // per input: its value's direction, for adverse action
	bins    []uint8
	out     []byte
	flags   []outside
}

func (l *loaded) getScratch() *scratch { return l.scratch.Get().(*scratch) }

// putScratch returns s to the pool, first clearing every string it holds:
// they point into the request's body buffer, which is reused.
func (l *loaded) putScratch(s *scratch) {
	s.app.Clear()
	clear(s.row.Level)
	clear(s.flags[:cap(s.flags)])
	if cap(s.out) > 1<<20 {
		return // keep the pool from holding on to huge batch buffers
	}
	l.scratch.Put(s)
}

// loadModel loads and verifies a model and its metadata and prepares
// everything the handlers need.
func loadModel(modelPath, metaPath string, driftWindow int, rangePolicy string, build BuildInfo) (*loaded, error) {
	src, err := statSource(modelPath, metaPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			if _, e := os.Stat(modelPath); e != nil {
				return nil, &ModelNotFoundError{Path: modelPath, Candidates: suggestModel(modelPath)}
			}
		}
		return nil, fmt.Errorf("load model: %w", err)
	}
	m, meta, err := model.Load(modelPath, metaPath)
	if err != nil {
		return nil, err
	}
	return newLoaded(m, meta, src, driftWindow, rangePolicy, build)
}

// newLoaded prepares a verified model for serving.
func newLoaded(m *model.Model, meta *model.Metadata, src sourceID, driftWindow int, rangePolicy string, build BuildInfo) (*loaded, error) {
	p := m.Pipeline
	l := &loaded{
		model:   m,
		meta:    meta,
		source:  src,
		version: meta.VersionID(),
		at:      time.Now().UTC(),
	}
	for i := range p.Inputs {
		l.names = append(l.names, p.Inputs[i].Name)
	}
	l.index = wire.NewIndex(l.names)
	l.guards = newGuards(p, rangePolicy)
	switch {
	case driftWindow == 0:
		l.driftErr = "drift monitoring is off (DRIFT_WINDOW=0)"
	case meta.Reference == nil:
		l.driftErr = "the model's metadata has no reference distributions"
	case len(meta.Reference.Features) != len(m.Features):
		l.driftErr = fmt.Sprintf("the metadata has reference bins for %d features; the model has %d", len(meta.Reference.Features), len(m.Features))
	default:
		mon, err := drift.New(meta.Reference, driftWindow)
		if err != nil {
			l.driftErr = err.Error()
		} else {
			l.drift = mon
		}
	}
	var err error
	if l.openapi, err = buildOpenAPI(l, build, false); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	if l.openapiPublic, err = buildOpenAPI(l, build, true); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	if l.info, l.infoPublic, err = buildModelInfo(l, build); err != nil {
		return nil, fmt.Errorf("model info: %w", err)
	}
	nf := len(m.Features)
	l.scratch.New = func() any {
		s := &scratch{row: p.NewRow(), x: make([]float64, nf), contrib: make([]float64, nf), dirs: make([]features.Direction, len(p.Inputs))}
		s.app.Reset(len(p.Inputs))
		if l.drift != nil {
			s.bins = make([]uint8, nf+1)
		}
		return s
	}
	return l, nil
}
