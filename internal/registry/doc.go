// Package registry keeps artifacts/registry/registry.json: the training
// runs (id, start and end, status, parameters, data fingerprint, spec, code
// version, promotion decision, the files they save), the model versions per
// model name (integer versions as MLflow numbers them, a stage of staging,
// production, challenger or archived, metrics, file hashes) and every stage
// change with its time and reason; and the aliases (models/production.* and
// models/challenger.*), symbolic links to the versions in those stages.
//
// Every change goes through Update, which holds an exclusive file lock for
// the read-modify-write and replaces the file atomically (temp file, fsync,
// rename), so concurrent retrains cannot corrupt it and a crash leaves the
// previous version intact. The registry is the record: a stage change is
// written there first and the alias links follow (SetStage); Recover
// repairs what a crash left between the two, and removes model files a
// dead run recorded but never registered.
package registry
