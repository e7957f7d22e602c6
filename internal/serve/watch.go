package serve

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/credit-risk/credit-risk/internal/model"
)

// ErrUnchanged is returned by a polling reload when the alias still points
// at the files being served.
var ErrUnchanged = errors.New("model files unchanged")

// watch polls the model alias every reload interval until Close.
func (s *Server) watch() {
	t := time.NewTicker(s.cfg.ReloadInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.reload(false)
			s.reloadKeys(false)
			s.reloadTLS(false)
			s.reloadChallenger(false)
		}
	}
}

// Reload loads the model the alias points at now and swaps it in, even
// when the files look unchanged (SIGHUP), and re-reads the API keys file
// and the TLS certificate, key and client CAs.
// A model that fails to load or verify is rejected: the error is returned,
// logged and counted, and the previous model keeps serving; a keys file
// that cannot be used likewise leaves the previous keys in force.
func (s *Server) Reload(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(s.reload(true), s.reloadKeys(true), s.reloadTLS(true), s.reloadChallenger(true))
}

// reload is one reload attempt. Without force it does nothing when the
// files are those being served or those that failed last time.
func (s *Server) reload(force bool) error {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	modelPath, metaPath := s.cfg.ModelFiles()
	cur := s.current.Load()
	for attempt := 0; ; attempt++ {
		before, statErr := statSource(modelPath, metaPath)
		if !force && statErr == nil {
			if (cur != nil && before == cur.source) || before == s.failed {
				return ErrUnchanged
			}
		}
		var l *loaded
		err := statErr
		if err == nil {
			l, err = loadModel(modelPath, metaPath, s.cfg.DriftWindow, s.cfg.RangePolicy, s.build)
		}
		if err == nil {
			// Record the pair as it was before loading: if it changed
			// while loading, the next poll loads it again.
			l.source = before
			s.current.Store(l)
			s.lastErr.Store(nil)
			s.lastReason.Store(nil)
			s.failed = sourceID{}
			s.metrics.reloadOK.Inc()
			s.counts.reloadOK.Add(1)
			from := ""
			if cur != nil {
				from = cur.version
			}
			s.logger.Info("model reloaded", "model_version", l.version, "previous", from,
				"algorithm", l.meta.Algorithm, "target", l.source.model.target)
			return nil
		}
		// The alias pair is replaced one link at a time: a load that saw
		// a model and a metadata file from different versions is tried
		// again once the pair has settled.
		after, _ := statSource(modelPath, metaPath)
		if after != before && attempt < 3 {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if statErr != nil && !force {
			if last := s.lastErr.Load(); last != nil && *last == statErr.Error() {
				return err // the alias is still unreadable: already reported
			}
		}
		s.failed = before
		msg, reason := err.Error(), publicReason(err)
		s.lastErr.Store(&msg)
		s.lastReason.Store(&reason)
		s.metrics.reloadFail.Inc()
		s.counts.reloadFail.Add(1)
		serving := "none"
		if cur != nil {
			serving = cur.version
		}
		s.logger.Error("model reload failed; the previous model keeps serving", "err", err, "serving", serving)
		return fmt.Errorf("reload: %w", err)
	}
}

// publicReason says why a model failed to load in words a client may see:
// which check failed, never a path or an error's text (those are logged).
func publicReason(err error) string {
	var le *model.LoadError
	switch {
	case errors.As(err, &le):
		return "the last model failed its " + le.Check + " check; the server log has the details"
	case errors.Is(err, ErrModelNotFound), errors.Is(err, fs.ErrNotExist):
		return "the model or its metadata file is missing; the server log has the details"
	}
	return "the last model could not be loaded; the server log has the details"
}
