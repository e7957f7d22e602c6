// Package registry keeps artifacts/registry/registry.json: the training
// runs (id, start and end, status, parameters, data fingerprint, spec, code
// version), the model versions per model name (integer versions as MLflow
// numbers them, a stage of staging, production or archived, metrics, file
// hashes) and every stage change with its time and reason.
//
// Every change goes through Update, which holds an exclusive file lock for
// the read-modify-write and replaces the file atomically (temp file, fsync,
// rename), so concurrent retrains cannot corrupt it and a crash leaves the
// previous version intact.
package registry
