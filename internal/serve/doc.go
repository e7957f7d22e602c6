// Package serve is the scoring API of credit-risk-api: an http.Handler that
// scores raw loan applications with the champion model, and the lifecycle
// around it (listening, hot reload of the model alias, graceful shutdown).
//
// A request is scored by the model file's own feature pipeline
// (features.Pipeline.CleanRecord, then Encode), so serving never
// re-implements a feature; between the two, the range policy (guard.go)
// refuses or clamps values outside what the model saw in training.
// The loaded model, its metadata, its OpenAPI document and its drift
// monitor form one immutable value held in an atomic pointer: a reload
// builds a new value off the request path and swaps it in, and a model that
// fails to load or verify leaves the old one serving.
//
// Endpoints:
//
//	POST /predict          one application → prediction, default_probability, status, …
//	POST /predict/batch    {"applications": [...]} → per-item results and errors
//	GET  /health           liveness
//	GET  /ready            readiness: a valid model is loaded
//	GET  /model/info       the loaded model: metrics, threshold, input schema
//	GET  /metrics          Prometheus text format
//	GET  /stats            request counts, latency quantiles, drift as JSON
//	GET  /openapi.json     OpenAPI 3.1 built from the model's input schema
//	GET  /docs             Swagger UI, embedded in the binary
//
// A scored application answers prediction (1 when the PD is at or above the
// model's threshold), default_probability (the calibrated PD), status (the
// decision: "approved" for prediction 0, "declined" for 1), model_version
// (the model file's name, e.g. gbdt_v3) and threshold; a declined one also
// adverse_action, its principal reasons from the model's reason-code
// catalogue (model.Model.AdverseAction, at most Config.ReasonsMax), and
// disclosure, the score used; ?explain=true adds the raw per-feature
// contributions (reasons) and the same summed per application field
// (field_contributions), ignored_fields lists the request's fields the model
// does not read, and outside_training the values scored although outside
// training (the clamp policy).
//
// With API keys (Config.APIKeysFile, package apikey) a request needs a key
// whose scopes cover it: score for the scoring endpoints, explain as well
// for ?explain=true, model:read for /model/info, /stats and /openapi.json;
// /health, /ready, /metrics and /docs stay open. A missing or wrong key is
// 401 with WWW-Authenticate: Bearer, a key without the scope 403 (auth.go).
// The keys file is re-read with the model alias, and a broken one leaves
// the keys in force. Without keys every endpoint is open and /model/info
// leaves out the threshold, ranges, levels, features and parameters unless
// Config.ModelInfoFull.
//
// Errors are RFC 9457 problem documents (application/problem+json): 400 for
// a body that is not a JSON object or ended early, 408 for a body that did
// not arrive within the read timeout, 413 for a body or batch over the
// limit, 415 for a body not declared as JSON or compressed, 422 with every
// field problem listed, 503 when no model is loaded, and 500 only for
// internal faults (a recovered panic). A problem's detail never holds
// socket addresses, Go error text or file paths. Every label of the
// request metrics comes from a closed set, whatever the client sends.
//
// The hot path: the body is scanned once by the decoder of package wire,
// which writes each field straight into the features.Raw slot of its input
// (no map[string]any), per-request scratch (raw values, cleaned row,
// feature vector, output buffer) comes from a pool of the loaded model,
// the response is appended to a byte slice, metrics are atomic counters,
// drift costs one bin search per feature, and the PSI is only computed on
// a scrape. A batch is read in one pass on every core by a
// wire.BatchReader: each segment of its applications array is decoded,
// transformed and predicted on one goroutine (a *segment, batch.go), and
// once the segments are checked, each is decided, counted and encoded.
// One access log record per request is written through a buffered writer
// (internal/logbuf), so logging costs a copy rather than a system call.
package serve
