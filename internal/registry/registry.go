package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
	"github.com/credit-risk/credit-risk/internal/fairness"
	"github.com/credit-risk/credit-risk/internal/metrics"
	"github.com/credit-risk/credit-risk/internal/promotion"
)

// File is the registry file name inside the registry folder.
const File = "registry.json"

// FormatVersion is the registry file layout version.
const FormatVersion = 1

// Stage is where a model version is in its life; the registry file holds
// its value.
type Stage string

// Stages of a model version.
const (
	// StageStaging is a newly registered version, not promoted.
	StageStaging Stage = "staging"
	// StageProduction is the champion; at most one version is in it.
	StageProduction Stage = "production"
	// StageChallenger is the best candidate of a retrain that a promotion
	// gate stopped; at most one version is in it.
	StageChallenger Stage = "challenger"
	// StageArchived is a former champion or challenger.
	StageArchived Stage = "archived"
)

// Action is what caused a stage change; the registry file's events hold
// its value.
type Action string

// Actions.
const (
	// ActionRegister records a new version, in staging.
	ActionRegister Action = "register"
	// ActionPromote makes a version production.
	ActionPromote Action = "promote"
	// ActionRollback puts an earlier version back in production.
	ActionRollback Action = "rollback"
	// ActionChallenge makes a version the challenger.
	ActionChallenge Action = "challenge"
)

// RunStatus is how a training run stands; the registry file holds its
// value.
type RunStatus string

// Run statuses.
const (
	// RunRunning is a run that has not ended, or whose process was
	// killed before MarkStale noticed.
	RunRunning RunStatus = "running"
	// RunSucceeded is a run that finished every step.
	RunSucceeded RunStatus = "succeeded"
	// RunFailed is a run that stopped at an error.
	RunFailed RunStatus = "failed"
	// RunInterrupted is a run whose context was cancelled (a signal), or
	// that MarkStale found dead.
	RunInterrupted RunStatus = "interrupted"
)

// Sentinel errors.
var (
	ErrNotFound = errors.New("registry: not found")
	ErrCorrupt  = errors.New("registry: unreadable registry file")
)

// Registry is the whole registry file.
type Registry struct {
	FormatVersion int       `json:"format_version"`
	Runs          []Run     `json:"runs"`
	Versions      []Version `json:"versions"`
	Events        []Event   `json:"events"`
}

// Run is one training run.
type Run struct {
	ID              string         `json:"id"`
	Started         time.Time      `json:"started"`
	Ended           *time.Time     `json:"ended,omitempty"`
	Status          RunStatus      `json:"status"`
	Error           string         `json:"error,omitempty"`
	Step            string         `json:"step,omitempty"` // the step running or that failed
	Host            string         `json:"host"`
	PID             int            `json:"pid"`
	Dataset         string         `json:"dataset,omitempty"`
	Spec            string         `json:"spec,omitempty"`
	DataFingerprint string         `json:"data_fingerprint,omitempty"`
	CodeVersion     string         `json:"code_version"`
	Params          map[string]any `json:"params,omitempty"`
	Candidates      []Ref          `json:"candidates,omitempty"`
	Champion        *Ref           `json:"champion,omitempty"`
	// Fairness holds the champion's test-set outcomes by group of each
	// protected attribute; none when the spec declares none.
	Fairness []fairness.Analysis `json:"fairness,omitempty"`
	// Selection states the rule that chose Champion.
	Selection string `json:"selection,omitempty"`
	// Promoted says whether the run moved its champion to production; it
	// is written in the same transaction as the stage change.
	Promoted bool   `json:"promoted"`
	Report   string `json:"report,omitempty"`
	// Promotion is the run's promotion decision: the gates with their
	// thresholds and values, and the verdict.
	Promotion *promotion.Decision `json:"promotion,omitempty"`
	// Files are the model and metadata files the run saves, recorded
	// before it writes them, so that a run that dies before registering
	// them leaves no file the registry does not know.
	Files []string `json:"files,omitempty"`
	// RemovedFiles are files of Files that a later run removed because
	// this one ended without registering them.
	RemovedFiles []string `json:"removed_files,omitempty"`
}

// Ref names a model version.
type Ref struct {
	Name    string `json:"name"`
	Version int    `json:"version"`
}

func (r Ref) String() string { return fmt.Sprintf("%s v%d", r.Name, r.Version) }

// Version is one registered model version.
type Version struct {
	Name           string          `json:"name"`
	Version        int             `json:"version"`
	Algorithm      string          `json:"algorithm"`
	Stage          Stage           `json:"stage"`
	RunID          string          `json:"run_id"`
	Created        time.Time       `json:"created"`
	File           string          `json:"file"`
	SHA256         string          `json:"sha256"`
	Metadata       string          `json:"metadata_file"`
	MetadataSHA256 string          `json:"metadata_sha256"`
	Metrics        metrics.Summary `json:"metrics"`
	Params         map[string]any  `json:"params,omitempty"`
	// Selection is the figure the version was compared by when its run
	// chose a champion; nil in versions registered before it was kept.
	Selection *Selection `json:"selection,omitempty"`
}

// SliceValidation is the Selection.Slice of the validation slice of the
// training period.
const SliceValidation = "validation"

// Selection is a version's value of the metric its run chose the champion
// by, and the data it was measured on.
type Selection struct {
	// Metric is a metrics.Selection, such as "roc_auc".
	Metric string `json:"metric"`
	// Value is the version's value of Metric on Slice.
	Value float64 `json:"value"`
	// Slice names the data: SliceValidation.
	Slice string `json:"slice"`
	// Rows is the number of rows of Slice.
	Rows int `json:"rows,omitempty"`
}

// Files returns the files of the version in the models folder: the model
// file, its metadata and, for a scorecard, the table files beside them
// (<base>_table.csv and .json; they may not exist).
func (v *Version) Files() []string {
	table := strings.TrimSuffix(v.File, filepath.Ext(v.File)) + "_table"
	return []string{v.File, v.Metadata, table + ".csv", table + ".json"}
}

// Ref returns the version's reference.
func (v *Version) Ref() Ref { return Ref{v.Name, v.Version} }

// Event is a stage change.
type Event struct {
	Time   time.Time `json:"time"`
	Action Action    `json:"action"`
	Name   string    `json:"name"`
	Ver    int       `json:"version"`
	From   Stage     `json:"from,omitempty"`
	To     Stage     `json:"to"`
	Reason string    `json:"reason"`
	RunID  string    `json:"run_id,omitempty"`
}

// Read returns the registry in dir, or an empty one when there is none yet.
func Read(dir string) (*Registry, error) {
	data, err := os.ReadFile(filepath.Join(dir, File))
	if errors.Is(err, os.ErrNotExist) {
		return &Registry{FormatVersion: FormatVersion}, nil
	}
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var r Registry
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%w %s: %v", ErrCorrupt, filepath.Join(dir, File), err)
	}
	if r.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%w %s: format version %d, want %d", ErrCorrupt, filepath.Join(dir, File), r.FormatVersion, FormatVersion)
	}
	return &r, nil
}

// Update applies fn to the registry under an exclusive lock and writes the
// result atomically. When fn returns an error nothing is written.
func Update(dir string, fn func(r *Registry) error) error {
	return update(dir, fn, nil)
}

// update is Update with a function called after the registry is written,
// still under the lock, when after is not nil.
func update(dir string, fn, after func(r *Registry) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return fmt.Errorf("registry lock: %w", err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("registry lock: %w", err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	r, err := Read(dir)
	if err != nil {
		return err
	}
	if err := fn(r); err != nil {
		return err
	}
	if err := atomicfile.WriteJSON(filepath.Join(dir, File), r); err != nil {
		return err
	}
	if after != nil {
		return after(r)
	}
	return nil
}

// Run returns the run with the given id.
func (r *Registry) Run(id string) (*Run, error) {
	for i := range r.Runs {
		if r.Runs[i].ID == id {
			return &r.Runs[i], nil
		}
	}
	return nil, fmt.Errorf("%w: run %s", ErrNotFound, id)
}

// Version returns the named version.
func (r *Registry) Version(ref Ref) (*Version, error) {
	for i := range r.Versions {
		if r.Versions[i].Name == ref.Name && r.Versions[i].Version == ref.Version {
			return &r.Versions[i], nil
		}
	}
	return nil, fmt.Errorf("%w: model %s", ErrNotFound, ref)
}

// Production returns the version in production, or nil.
func (r *Registry) Production() *Version { return r.inStage(StageProduction) }

// Challenger returns the challenger, or nil.
func (r *Registry) Challenger() *Version { return r.inStage(StageChallenger) }

func (r *Registry) inStage(s Stage) *Version {
	for i := range r.Versions {
		if r.Versions[i].Stage == s {
			return &r.Versions[i]
		}
	}
	return nil
}

// Register adds a new version in staging.
func (r *Registry) Register(v Version, reason string, now time.Time) error {
	if _, err := r.Version(v.Ref()); err == nil {
		return fmt.Errorf("registry: model %s is already registered", v.Ref())
	}
	v.Stage = StageStaging
	r.Versions = append(r.Versions, v)
	r.Events = append(r.Events, Event{Time: now, Action: ActionRegister, Name: v.Name, Ver: v.Version, To: StageStaging, Reason: reason, RunID: v.RunID})
	return nil
}

// Promote moves the current production version (if any) to archived and
// ref to production, recording both changes under action with the reason.
// A challenger promoted leaves no challenger.
func (r *Registry) Promote(ref Ref, action Action, reason string, now time.Time) error {
	v, err := r.Version(ref)
	if err != nil {
		return err
	}
	if v.Stage == StageProduction {
		return nil
	}
	if cur := r.Production(); cur != nil {
		r.Events = append(r.Events, Event{Time: now, Action: action, Name: cur.Name, Ver: cur.Version, From: StageProduction, To: StageArchived, Reason: reason})
		cur.Stage = StageArchived
	}
	r.Events = append(r.Events, Event{Time: now, Action: action, Name: v.Name, Ver: v.Version, From: v.Stage, To: StageProduction, Reason: reason})
	v.Stage = StageProduction
	return nil
}

// SetChallenger moves the current challenger (if any) to archived and ref
// to challenger, recording both changes under action with the reason. The
// production version cannot be the challenger.
func (r *Registry) SetChallenger(ref Ref, action Action, reason string, now time.Time) error {
	v, err := r.Version(ref)
	if err != nil {
		return err
	}
	switch v.Stage {
	case StageChallenger:
		return nil
	case StageProduction:
		return fmt.Errorf("registry: %s is in production; it cannot be the challenger", ref)
	}
	if cur := r.Challenger(); cur != nil {
		r.Events = append(r.Events, Event{Time: now, Action: action, Name: cur.Name, Ver: cur.Version, From: StageChallenger, To: StageArchived, Reason: reason})
		cur.Stage = StageArchived
	}
	r.Events = append(r.Events, Event{Time: now, Action: action, Name: v.Name, Ver: v.Version, From: v.Stage, To: StageChallenger, Reason: reason})
	v.Stage = StageChallenger
	return nil
}

// RetireChallenger moves the challenger, if any, to archived under action
// with the reason: a new champion makes an older challenger moot.
func (r *Registry) RetireChallenger(action Action, reason string, now time.Time) {
	if cur := r.Challenger(); cur != nil {
		r.Events = append(r.Events, Event{Time: now, Action: action, Name: cur.Name, Ver: cur.Version, From: StageChallenger, To: StageArchived, Reason: reason})
		cur.Stage = StageArchived
	}
}

// PreviousProduction returns the version that was in production before the
// current one, from the event history, or ErrNotFound.
func (r *Registry) PreviousProduction() (*Version, error) {
	cur := r.Production()
	for i := len(r.Events) - 1; i >= 0; i-- {
		e := r.Events[i]
		if e.To != StageProduction {
			continue
		}
		if cur != nil && e.Name == cur.Name && e.Ver == cur.Version {
			continue
		}
		return r.Version(Ref{e.Name, e.Ver})
	}
	return nil, fmt.Errorf("%w: no earlier production version", ErrNotFound)
}

// MarkStale marks as interrupted every run still "running" on this host
// whose process is gone (killed without a chance to record it).
func (r *Registry) MarkStale(host string, now time.Time) {
	for i := range r.Runs {
		run := &r.Runs[i]
		if run.Status != RunRunning || run.Host != host || processAlive(run.PID) {
			continue
		}
		run.Status = RunInterrupted
		run.Error = "the process ended before the run finished"
		t := now
		run.Ended = &t
	}
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// Names returns the registered model names, sorted.
func (r *Registry) Names() []string {
	var names []string
	for _, v := range r.Versions {
		if !slices.Contains(names, v.Name) {
			names = append(names, v.Name)
		}
	}
	slices.Sort(names)
	return names
}
