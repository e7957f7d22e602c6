package serve

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

// keyState is the API keys in force and the version of the file they came
// from. It is never changed; a reload builds a new one.
type keyState struct {
	set    *apikey.Set
	source fileID
	// limits are the token buckets of the keys with a rate limit, nil
	// when none has one.
	limits map[string]*bucket
}

// The problems of a refused request. They say nothing of what was wrong
// with a key (missing, garbled, unknown, revoked) nor which scope it lacks.
var (
	problemAuth      = &Problem{Code: ProblemAuth, Detail: "a valid API key is required: send it as Authorization: Bearer <key> or X-API-Key: <key>"}
	problemForbidden = &Problem{Code: ProblemForbidden, Detail: "this API key is not allowed to make this request"}
	problemRateLimit = &Problem{Code: ProblemRateLimited, Detail: "this API key has made too many requests; retry after the time in Retry-After"}
	wwwAuthenticate  = []string{`Bearer realm="credit-risk"`}
)

// loadKeys reads the keys file and compiles it; the rate limit buckets of
// prev carry over (nil at start).
func loadKeys(path string, prev *keyState) (*keyState, error) {
	id, err := statFile(path)
	if err != nil {
		return nil, fmt.Errorf("API keys file: %w", err)
	}
	f, err := apikey.ReadFile(id.target)
	if err != nil {
		return nil, fmt.Errorf("API keys file: %w", err)
	}
	set, err := apikey.NewSet(f)
	if err != nil {
		return nil, fmt.Errorf("API keys file %s: %w", path, err)
	}
	var prevLimits map[string]*bucket
	if prev != nil {
		prevLimits = prev.limits
	}
	return &keyState{set: set, source: id, limits: rateLimits(f, prevLimits, time.Now())}, nil
}

// reloadKeys re-reads the keys file when it changed (always when force).
// A file that cannot be read or decoded is refused: logged once per
// version, and the keys in force stay.
func (s *Server) reloadKeys(force bool) error {
	if s.cfg.APIKeysFile == "" {
		return nil
	}
	s.keysMu.Lock()
	defer s.keysMu.Unlock()
	cur := s.keys.Load()
	id, statErr := statFile(s.cfg.APIKeysFile)
	if !force && statErr == nil && (id == cur.source || id == s.keysFailed) {
		return ErrUnchanged
	}
	ks, err := loadKeys(s.cfg.APIKeysFile, cur)
	if err != nil {
		if !force && statErr != nil && s.keysFailedErr == statErr.Error() {
			return err // still unreadable: already reported
		}
		s.keysFailed = id
		if statErr != nil {
			s.keysFailedErr = statErr.Error()
		}
		s.metrics.keysReloadFail.Inc()
		s.logger.Error("API keys reload failed; the previous keys stay in force", "err", err, "keys", cur.set.Len())
		return err
	}
	s.keys.Store(ks)
	s.keysFailed, s.keysFailedErr = fileID{}, ""
	s.metrics.keysReloadOK.Inc()
	s.logger.Info("API keys reloaded", "keys", ks.set.Len(), "previous", cur.set.Len())
	return nil
}

// credential returns the secret a request carries: Authorization: Bearer
// <secret> or X-API-Key: <secret>. A request with both, or with either
// twice, carries none.
func credential(r *http.Request) (string, bool) {
	auth, key := r.Header["Authorization"], r.Header["X-Api-Key"]
	switch {
	case len(auth)+len(key) != 1:
		return "", false
	case len(key) == 1:
		return key[0], true
	}
	scheme, secret, ok := strings.Cut(auth[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimLeft(secret, " "), true
}

// authorize checks a request for a route that needs a scope against the
// keys in force: it returns the key's id, or the problem to answer (with
// the seconds to wait for a 429). ?explain=true on a scoring route needs
// the explain scope as well. A key's rate limit counts the requests it
// is allowed to make.
func authorize(r *http.Request, ks *keyState, rt *route) (string, *Problem, int) {
	secret, ok := credential(r)
	if !ok {
		return "", problemAuth, 0
	}
	id, scopes, ok := ks.set.Lookup(secret)
	if !ok {
		return "", problemAuth, 0
	}
	if !scopes.Has(rt.scope) {
		return id, problemForbidden, 0
	}
	if rt.explainable && r.URL.RawQuery != "" && !scopes.Has(apikey.Explain) {
		// A malformed explain value is the handler's 422.
		if explain, p := explainParam(r); p == nil && explain {
			return id, problemForbidden, 0
		}
	}
	if ks.limits != nil {
		if b := ks.limits[id]; b != nil {
			if ok, wait := b.take(time.Now()); !ok {
				return id, problemRateLimit, int(math.Ceil(wait.Seconds()))
			}
		}
	}
	return id, nil, 0
}

// errNoKeys is the start-up warning without API keys.
var errNoKeys = errors.New("API_KEYS_FILE is not set: every endpoint is open to anyone who can reach the server")
