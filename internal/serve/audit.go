package serve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"unsafe"

	"github.com/credit-risk/credit-risk/internal/audit"
	"github.com/credit-risk/credit-risk/internal/auditpg"
	"github.com/credit-risk/credit-risk/internal/model"
)

// problemAudit is the answer when a decision could not be recorded: the
// trail is the regulated record, so no decision is sent without it.
var problemAudit = &Problem{Code: ProblemAuditUnavailable,
	Detail: "the decision could not be recorded in the audit trail, so none is given; retry after the time in Retry-After"}

// openAudit opens the decision audit trail the configuration names, nil
// when it is off. With AUDIT=postgres the file trail is the spool a
// shipper copies to the database (started by Open).
func (s *Server) openAudit() (*audit.Sink, error) {
	if s.cfg.Audit == AuditOff {
		return nil, nil
	}
	if s.cfg.Audit == AuditPostgres {
		instance := s.cfg.AuditInstance
		if instance == "" {
			instance, _ = os.Hostname()
		}
		url := s.cfg.AuditDatabaseURL
		s.shipper = &auditpg.Shipper{
			Open:     func(ctx context.Context) (*auditpg.Store, error) { return auditpg.Open(ctx, url) },
			Dir:      s.cfg.AuditDir,
			Instance: instance,
			Logger:   s.logger,
		}
	}
	sink, err := audit.Open(s.cfg.AuditDir, audit.Options{
		Sync: s.cfg.AuditSync, Inputs: s.cfg.AuditInputs, Timeout: s.cfg.AuditTimeout, Logger: s.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("AUDIT_DIR %s: %w", s.cfg.AuditDir, err)
	}
	// A record cut by a crash is fenced off with a gap record, which the
	// sink logs.
	s.logger.Info("audit trail open", "dir", s.cfg.AuditDir, "sync", string(s.cfg.AuditSync), "inputs", string(s.cfg.AuditInputs),
		"copied_to_postgres", s.shipper != nil)
	return sink, nil
}

// auditBacklog is the number of decisions this process recorded that the
// shipper has not copied to the database yet (0 without one).
func (s *Server) auditBacklog() int64 {
	if s.shipper == nil {
		return 0
	}
	return int64(s.auditAppended.Load()) - int64(s.shipper.Shipped())
}

// problemAuditBacklog is the answer when the database is too far behind.
var problemAuditBacklog = &Problem{Code: ProblemAuditUnavailable,
	Detail: "the audit database is too far behind (AUDIT_SPOOL_MAX), so no decision is given; retry after the time in Retry-After"}

// decisionRecord is the audit record of one scored application: input is
// the application as received (a view of the request body: the sink only
// reads it, and keeps none of it once Append returns), compact whether the
// decoder found it compact (wire.Application.Compact), adverse a declined
// one's reasons.
func decisionRecord(l *loaded, sw *statusWriter, input string, compact bool, pd float64, pred int, adverse []model.AdverseReason) audit.Record {
	d := audit.DecisionApproved
	if pred == 1 {
		d = audit.DecisionDeclined
	}
	rec := audit.Record{
		ModelName: l.meta.Name, ModelVersion: l.version, ModelSHA256: l.meta.SHA256,
		Input: unsafe.Slice(unsafe.StringData(input), len(input)), InputCompact: compact, DefaultProbability: pd, Decision: d, Threshold: l.model.Threshold,
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
	if s.shipper != nil && s.auditBacklog()+int64(len(recs)) > int64(s.cfg.AuditSpoolMax) {
		s.metrics.auditFailures.Inc()
		w.Header()["Retry-After"] = []string{"5"}
		writeProblem(w, r, problemAuditBacklog)
		return false
	}
	// The sink bounds its wait by AUDIT_TIMEOUT (audit.Options.Timeout).
	var err error
	if len(recs) == 1 {
		err = s.audit.Append(r.Context(), recs[0])
	} else {
		err = s.audit.AppendAll(r.Context(), recs)
	}
	if err == nil {
		s.metrics.auditRecords.Add(float64(len(recs)))
		s.auditAppended.Add(uint64(len(recs)))
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
