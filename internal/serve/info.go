package serve

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/credit-risk/credit-risk/internal/drift"
	"github.com/credit-risk/credit-risk/internal/features"
)

// writeJSON writes an encoding/json document: for the cold endpoints.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("serve: encode response: " + err.Error())
	}
	writeRaw(w, r, status, "application/json", b)
}

func writeRaw(w http.ResponseWriter, r *http.Request, status int, contentType string, b []byte) {
	h := w.Header()
	h["Content-Type"] = []string{contentType}
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(b)
	}
}

// handleHealth is liveness: the process answers.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, l *loaded) {
	writeJSON(w, r, http.StatusOK, map[string]any{
		"status":         "ok",
		"model_loaded":   l != nil,
		"uptime_seconds": math.Round(time.Since(s.started).Seconds()*1000) / 1000,
	})
}

// handleReady is readiness: 200 when a valid model is loaded, else 503
// with the reason.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request, l *loaded) {
	if l == nil {
		reason := "no model is loaded"
		if e := s.lastReason.Load(); e != nil {
			reason += ": " + *e
		}
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, &Problem{Code: ProblemNoModel, Detail: reason})
		return
	}
	if s.shipper != nil && s.auditBacklog() >= int64(s.cfg.AuditSpoolMax) {
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, problemAuditBacklog)
		return
	}
	if s.audit != nil && s.audit.Err() != nil {
		// The trail stopped (a write or fsync failed): no decision can be
		// recorded, so none is given until a restart reopens it.
		w.Header().Set("Retry-After", "5")
		writeProblem(w, r, problemAudit)
		return
	}
	body := map[string]any{"status": "ready", "model_version": l.version, "loaded_at": l.at}
	if e := s.lastReason.Load(); e != nil {
		body["last_reload_error"] = *e
	}
	writeJSON(w, r, http.StatusOK, body)
}

// handleModelInfo answers the model info in full when API keys are
// configured (the route then needs model:read) or MODEL_INFO_FULL is set,
// else in its public form.
func (s *Server) handleModelInfo(w http.ResponseWriter, r *http.Request, l *loaded) {
	if !s.fullInfo {
		writeRaw(w, r, http.StatusOK, "application/json", l.infoPublic)
		return
	}
	writeRaw(w, r, http.StatusOK, "application/json", l.info)
}

// handleOpenAPI answers the OpenAPI document, in its public form when
// /model/info is public.
func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request, l *loaded) {
	if !s.fullInfo {
		writeRaw(w, r, http.StatusOK, "application/json", l.openapiPublic)
		return
	}
	writeRaw(w, r, http.StatusOK, "application/json", l.openapi)
}

func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *loaded) {
	s.metricsH.ServeHTTP(w, r)
}

// modelInfo is the /model/info document.
type modelInfo struct {
	Name            string             `json:"name"`
	Version         int                `json:"version"`
	ModelVersion    string             `json:"model_version"`
	Algorithm       string             `json:"algorithm"`
	CreatedAt       time.Time          `json:"created_at"`
	LoadedAt        time.Time          `json:"loaded_at"`
	File            string             `json:"file"`
	SHA256          string             `json:"sha256"`
	Dataset         string             `json:"dataset,omitempty"`
	DataFingerprint string             `json:"data_fingerprint,omitempty"`
	TrainRows       int                `json:"train_rows,omitempty"`
	TestRows        int                `json:"test_rows,omitempty"`
	Threshold       float64            `json:"threshold"`
	ThresholdRule   string             `json:"threshold_rule,omitempty"`
	Calibration     string             `json:"calibration,omitempty"`
	Metrics         map[string]float64 `json:"metrics"`
	Params          map[string]any     `json:"params,omitempty"`
	Inputs          []inputInfo        `json:"inputs"`
	Features        []featureInfo      `json:"features"`
	Drift           string             `json:"drift"`
	Build           BuildInfo          `json:"build"`
}

// inputInfo describes one raw field an application carries.
type inputInfo struct {
	Name     string        `json:"name"`
	Kind     features.Kind `json:"kind"`
	Parser   string        `json:"parser,omitempty"`
	Layout   string        `json:"date_layout,omitempty"`
	Required bool          `json:"required"`
	// ValidMin and ValidMax bound accepted values; outside is a 422.
	ValidMin *float64 `json:"valid_min,omitempty"`
	ValidMax *float64 `json:"valid_max,omitempty"`
	// Levels are the accepted levels of an ordinal field.
	Levels   []string      `json:"levels,omitempty"`
	Training trainingStats `json:"training"`
	// Reasons is the field's entry in the reason-code catalogue: the codes
	// and statements adverse_action gives for it.
	Reasons *features.Reasons `json:"reasons,omitempty"`
}

type trainingStats struct {
	Min          *float64 `json:"min,omitempty"`
	Max          *float64 `json:"max,omitempty"`
	MissingShare float64  `json:"missing_share"`
	Levels       []string `json:"levels,omitempty"`
	Example      string   `json:"example,omitempty"`
}

// featureInfo describes one model column.
type featureInfo struct {
	Name     string               `json:"name"`
	Kind     features.FeatureKind `json:"kind"`
	Source   string               `json:"source"`
	Level    string               `json:"level,omitempty"`
	Monotone int                  `json:"monotone,omitempty"`
}

func inputInfos(p *features.Pipeline) []inputInfo {
	out := make([]inputInfo, 0, len(p.Inputs))
	for _, in := range p.Inputs {
		ii := inputInfo{
			Name: in.Name, Kind: in.Kind, Required: in.Required,
			ValidMin: in.Min, ValidMax: in.Max,
			Training: trainingStats{Min: in.Stats.Min, Max: in.Stats.Max, MissingShare: in.Stats.MissingShare, Levels: in.Stats.Levels, Example: in.Stats.Example},
			Reasons:  in.Reasons,
		}
		if !in.IsText() {
			ii.Parser = string(in.Parser)
		}
		if in.Kind == features.KindDate {
			ii.Layout = in.Layout
		}
		if in.Kind == features.KindOrdinal {
			ii.Levels = in.Order
		}
		out = append(out, ii)
	}
	return out
}

// publicModelInfo is the /model/info document when the server has no API
// keys and MODEL_INFO_FULL is off: what a client needs to send applications
// and judge the model, without what helps game it (the threshold, the
// valid and training ranges and levels of each input, the features and the
// training parameters).
type publicModelInfo struct {
	Name         string             `json:"name"`
	Version      int                `json:"version"`
	ModelVersion string             `json:"model_version"`
	Algorithm    string             `json:"algorithm"`
	CreatedAt    time.Time          `json:"created_at"`
	LoadedAt     time.Time          `json:"loaded_at"`
	Metrics      map[string]float64 `json:"metrics"`
	Inputs       []publicInput      `json:"inputs"`
	Build        BuildInfo          `json:"build"`
	Restricted   string             `json:"restricted"`
}

type publicInput struct {
	Name     string        `json:"name"`
	Kind     features.Kind `json:"kind"`
	Required bool          `json:"required"`
}

// restrictedNote tells a reader of the public model info what is left out.
const restrictedNote = "threshold, input ranges and levels, features and parameters are left out: configure API keys (API_KEYS_FILE) and use a key with the model:read scope, or set MODEL_INFO_FULL=true"

// buildModelInfo returns the /model/info document in full and in its
// public form.
func buildModelInfo(l *loaded, build BuildInfo) (full, public []byte, err error) {
	m, meta := l.model, l.meta
	info := modelInfo{
		Name: meta.Name, Version: meta.Version, ModelVersion: l.version, Algorithm: meta.Algorithm,
		CreatedAt: meta.CreatedAt, LoadedAt: l.at, File: meta.File, SHA256: meta.SHA256,
		Dataset: meta.Dataset, DataFingerprint: meta.DataFingerprint, TrainRows: meta.TrainRows, TestRows: meta.TestRows,
		Threshold: m.Threshold, ThresholdRule: meta.ThresholdRule, Calibration: meta.Calibration,
		Metrics: finiteMetrics(meta.Metrics.Map()), Params: meta.Params,
		Inputs: inputInfos(m.Pipeline), Build: build, Drift: "on",
	}
	if l.drift == nil {
		info.Drift = "off: " + l.driftErr
	}
	for _, f := range m.Pipeline.Features {
		info.Features = append(info.Features, featureInfo{Name: f.Name, Kind: f.Kind, Source: f.Source, Level: f.Level, Monotone: f.Monotone})
	}
	if full, err = json.MarshalIndent(info, "", "  "); err != nil {
		return nil, nil, err
	}
	pub := publicModelInfo{
		Name: info.Name, Version: info.Version, ModelVersion: info.ModelVersion, Algorithm: info.Algorithm,
		CreatedAt: info.CreatedAt, LoadedAt: info.LoadedAt, Metrics: publicMetrics(info.Metrics), Build: build,
		Restricted: restrictedNote,
	}
	for _, in := range info.Inputs {
		pub.Inputs = append(pub.Inputs, publicInput{Name: in.Name, Kind: in.Kind, Required: in.Required})
	}
	if public, err = json.MarshalIndent(pub, "", "  "); err != nil {
		return nil, nil, err
	}
	return full, public, nil
}

// finiteMetrics drops NaN and infinite metrics, which JSON cannot carry.
func finiteMetrics(in map[string]float64) map[string]float64 {
	out := make(map[string]float64, len(in))
	for k, v := range in {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			out[k] = v
		}
	}
	return out
}

// statsDoc is the /stats document.
type statsDoc struct {
	UptimeSeconds float64                  `json:"uptime_seconds"`
	ModelVersion  string                   `json:"model_version,omitempty"`
	Requests      uint64                   `json:"requests"`
	Errors        uint64                   `json:"errors"`
	ErrorRate     float64                  `json:"error_rate"`
	Endpoints     map[string]endpointStats `json:"endpoints"`
	Predictions   predictionStats          `json:"predictions"`
	Reloads       reloadStats              `json:"reloads"`
	Panics        uint64                   `json:"panics_recovered"`
	Drift         driftStats               `json:"drift"`
	// Shadow is the challenger's agreement with the champion.
	Shadow *shadowStats `json:"shadow,omitempty"`
}

type endpointStats struct {
	Requests  uint64            `json:"requests"`
	ByStatus  map[string]uint64 `json:"by_status_class"`
	LatencyMS latencyStats      `json:"latency_ms"`
}

type latencyStats struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
}

type predictionStats struct {
	Total    uint64  `json:"total"`
	Approved uint64  `json:"approved"`
	Declined uint64  `json:"declined"`
	Rate     float64 `json:"decline_rate"`
}

type reloadStats struct {
	Success   uint64 `json:"success"`
	Failure   uint64 `json:"failure"`
	LastError string `json:"last_error,omitempty"`
}

type driftStats struct {
	Enabled      bool           `json:"enabled"`
	Reason       string         `json:"reason,omitempty"`
	Window       int            `json:"window,omitempty"`
	Applications int            `json:"applications"`
	ScorePSI     *float64       `json:"score_psi,omitempty"`
	ScoreLevel   string         `json:"score_level,omitempty"`
	MaxPSI       *float64       `json:"max_feature_psi,omitempty"`
	Level        string         `json:"level,omitempty"`
	Top          []featureDrift `json:"top_features,omitempty"`
}

type featureDrift struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
	Level   string  `json:"level"`
}

// handleStats reports request counts, error rate, latency quantiles,
// predictions, reloads and drift, computed when asked for.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, l *loaded) {
	doc := statsDoc{
		UptimeSeconds: math.Round(time.Since(s.started).Seconds()*1000) / 1000,
		Endpoints:     map[string]endpointStats{},
		Panics:        s.counts.panics.Load(),
		Reloads:       reloadStats{Success: s.counts.reloadOK.Load(), Failure: s.counts.reloadFail.Load()},
	}
	if e := s.lastReason.Load(); e != nil {
		doc.Reloads.LastError = *e
	}
	classes := []string{"", "1xx", "2xx", "3xx", "4xx", "5xx"}
	add := func(rt *route) {
		var n uint64
		by := map[string]uint64{}
		for c := 1; c <= 5; c++ {
			if v := rt.status[c].Load(); v > 0 {
				by[classes[c]] = v
				n += v
				if c >= 4 {
					doc.Errors += v
				}
			}
		}
		if n == 0 {
			return
		}
		doc.Requests += n
		_, q := rt.latency.quantiles(0.5, 0.9, 0.99)
		ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }
		key := rt.endpoint
		if rt.method != "" {
			key = rt.method + " " + rt.endpoint
		}
		doc.Endpoints[key] = endpointStats{Requests: n, ByStatus: by, LatencyMS: latencyStats{P50: ms(q[0]), P90: ms(q[1]), P99: ms(q[2])}}
	}
	for _, rts := range s.byPath {
		for _, rt := range rts {
			add(rt)
		}
	}
	add(s.notFound)
	if doc.Requests > 0 {
		doc.ErrorRate = float64(doc.Errors) / float64(doc.Requests)
	}
	p := &doc.Predictions
	p.Approved, p.Declined = s.counts.predictions[0].Load(), s.counts.predictions[1].Load()
	p.Total = p.Approved + p.Declined
	if p.Total > 0 {
		p.Rate = float64(p.Declined) / float64(p.Total)
	}
	if s.shadowEvery > 0 {
		st := s.shadow.stats()
		st.Share = 1 / float64(s.shadowEvery)
		if ch := s.challenger.Load(); ch != nil {
			st.Challenger = ch.version
		}
		doc.Shadow = &st
	}
	if l != nil {
		doc.ModelVersion = l.version
		doc.Drift = driftSummary(l)
	} else {
		doc.Drift = driftStats{Reason: "no model is loaded"}
	}
	writeJSON(w, r, http.StatusOK, doc)
}

func driftSummary(l *loaded) driftStats {
	if l.drift == nil {
		return driftStats{Reason: l.driftErr}
	}
	snap := l.drift.Snapshot()
	d := driftStats{Enabled: true, Window: snap.Window, Applications: snap.Applications}
	if need := minDriftApplications(snap.Window); snap.Applications < need {
		d.Reason = fmt.Sprintf("the PSI is given once the window holds %d applications", need)
		return d
	}
	score := snap.Score
	d.ScorePSI, d.ScoreLevel = &score, drift.Level(score)
	for _, f := range snap.Top(5) {
		d.Top = append(d.Top, featureDrift{Feature: f.Name, PSI: f.PSI, Level: drift.Level(f.PSI)})
	}
	if len(d.Top) > 0 {
		mx := d.Top[0].PSI
		d.MaxPSI, d.Level = &mx, drift.Level(mx)
	}
	return d
}

// publicMetrics keeps the metrics that do not depend on the decision
// threshold: the threshold itself and the confusion counts and rates at it
// would tell a prober where the cut-off lies.
func publicMetrics(all map[string]float64) map[string]float64 {
	out := make(map[string]float64)
	for _, k := range []string{"roc_auc", "pr_auc", "ks", "gini", "brier", "log_loss", "ece"} {
		if v, ok := all[k]; ok {
			out[k] = v
		}
	}
	return out
}
