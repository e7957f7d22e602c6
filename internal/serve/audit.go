package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/model"
)

// problemAudit is the answer when a decision could not be recorded: the
// trail is the regulated record, so no decision is sent without it.
var problemAudit = &Problem{Code: ProblemAuditUnavailable,
	Detail: "the decision could not be recorded in the audit trail, so none is given; retry after the time in Retry-After"}

// openAudit opens the decision audit trail the configuration names, nil
// when it is off.
func (s *Server) openAudit() (*audit.Sink, error) {
	if s.cfg.Audit != AuditFile {
		return nil, nil
	}
	sink, err := audit.Open(s.cfg.AuditDir, audit.Options{
		Sync: s.cfg.AuditSync, Inputs: s.cfg.AuditInputs, Logger: s.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("AUDIT_DIR %s: %w", s.cfg.AuditDir, err)
	}
	// A record cut by a crash is fenced off with a gap record, which the
	// sink logs.
	s.logger.Info("audit trail open", "dir", s.cfg.AuditDir, "sync", string(s.cfg.AuditSync), "inputs", string(s.cfg.AuditInputs))
	return sink, nil
}

// decisionRecord is the audit record of one scored application: input is
// the application as received, adverse a declined one's reasons.
func decisionRecord(l *loaded, sw *statusWriter, input []byte, pd float64, pred int, adverse []model.AdverseReason) audit.Record {
	d := audit.DecisionApproved
	if pred == 1 {
		d = audit.DecisionDeclined
	}
	rec := audit.Record{
		ModelName: l.meta.Name, ModelVersion: l.version, ModelSHA256: l.meta.SHA256,
		Input: input, DefaultProbability: pd, Decision: d, Threshold: l.model.Threshold,
	}
	if sw != nil {
		rec.RequestID, rec.KeyID = sw.id, sw.keyID
	}
	if len(adverse) > 0 {
		rec.Reasons = make([]audit.Reason, len(adverse))
		for i, a := range adverse {
			rec.Reasons[i] = audit.Reason{Code: a.Code, Reason: a.Reason, Field: a.Field}
		}
	}
	return rec
}

// auditDecisions appends the records of a request's decisions and waits
// until they are durable (AUDIT_SYNC) or AUDIT_TIMEOUT passes. On failure
// it answers 503 and returns false: the caller sends no decision.
func (s *Server) auditDecisions(w http.ResponseWriter, r *http.Request, recs []audit.Record) bool {
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.AuditTimeout)
	defer cancel()
	var err error
	if len(recs) == 1 {
		err = s.audit.Append(ctx, recs[0])
	} else {
		err = s.audit.AppendAll(ctx, recs)
	}
	if err == nil {
		s.metrics.auditRecords.Add(float64(len(recs)))
		return true
	}
	s.metrics.auditFailures.Inc()
	level := s.logger.Error
	if errors.Is(err, context.Canceled) {
		level = s.logger.Warn // the client went away
	}
	level("audit: decisions not recorded; answered 503", "request_id", recs[0].RequestID, "records", len(recs), "err", err)
	w.Header()["Retry-After"] = []string{"1"}
	writeProblem(w, r, problemAudit)
	return false
}

// auditWriter returns the request's statusWriter, which carries its id and
// key id, nil when w is not one (a handler called directly).
func auditWriter(w http.ResponseWriter) *statusWriter {
	sw, _ := w.(*statusWriter)
	return sw
}
