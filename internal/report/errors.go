package report

import (
	"errors"
	"fmt"
)

// Sentinel errors. Write wraps them with the field or the candidate at
// fault.
var (
	// ErrEmpty reports a nil Input, no candidates, or a candidate with no
	// test rows.
	ErrEmpty = errors.New("report: nothing to report")
	// ErrChampion reports that the candidates do not hold exactly one
	// champion.
	ErrChampion = errors.New("report: need exactly one champion")
	// ErrName reports an empty candidate name, or two candidates with the
	// same name and version.
	ErrName = errors.New("report: candidate name is empty or not unique")
	// ErrLength reports test labels and PDs of different lengths.
	ErrLength = errors.New("report: labels and PDs differ in length")
	// ErrLabel reports a test label that is neither 0 nor 1.
	ErrLabel = errors.New("report: label is not 0 or 1")
	// ErrPD reports a PD outside [0, 1] or NaN, or a threshold outside
	// [0, 1].
	ErrPD = errors.New("report: probability outside [0, 1]")
	// ErrOneClass reports test labels of only one class, for which ROC
	// and precision-recall curves are undefined.
	ErrOneClass = errors.New("report: test labels hold only one class")
	// ErrImportance reports a mean |SHAP| value that is negative or not
	// finite.
	ErrImportance = errors.New("report: importance is negative or not finite")
	// ErrTuning reports tuning results that do not hold together: a
	// learner without a name or trials, or a rung index out of range.
	ErrTuning = errors.New("report: inconsistent tuning results")
)

// CandidateError reports invalid data of one candidate.
type CandidateError struct {
	// Index is the candidate's position in Input.Candidates.
	Index int
	// Name and Version identify the candidate.
	Name    string
	Version int
	// Err is the cause; it wraps one of the package's sentinel errors.
	Err error
}

// Error implements error.
func (e *CandidateError) Error() string {
	return fmt.Sprintf("candidate %d (%q v%d): %v", e.Index, e.Name, e.Version, e.Err)
}

// Unwrap returns the cause.
func (e *CandidateError) Unwrap() error { return e.Err }
