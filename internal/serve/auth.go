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
	problemRateLimit = &Problem{Code: ProblemRateLimited, Detail: "too many requests from this client; retry after the time in Retry-After"}
	// problemRateLimitBatch is a batch over the rate limit: a batch counts
	// its applications.
	problemRateLimitBatch = &Problem{Code: ProblemRateLimited, Detail: "too many applications from this client (a batch counts each one); retry after the time in Retry-After"}
	wwwAuthenticate       = []string{`Bearer realm="credit-risk"`}
)

// loadKeys reads the keys file and compiles it; the rate limit buckets of
// prev carry over (nil at start). def is the rate limit of the keys without
// their own.
func loadKeys(path string, def apikey.RateLimit, prev *keyState) (*keyState, error) {
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
	return &keyState{set: set, source: id, limits: rateLimits(f, def, prevLimits, time.Now())}, nil
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
	ks, err := loadKeys(s.cfg.APIKeysFile, s.cfg.RateLimit, cur)
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

// access is what the server decided about a request for a route that
// needs a scope.
type access struct {
	keyID   string   // the API key's id, or the client certificate's identity
	refused *Problem // nil: allowed
	retry   int      // seconds to wait, for a 429
	bucket  *bucket  // the rate limit the request counts against, nil: none
}

// authorize checks a request for a route that needs a scope. With API
// keys, the request needs a key: its secret (Authorization: Bearer,
// X-API-Key) or, over mutual TLS, a verified client certificate whose
// identity is a key's client_cert; the key needs the route's scope, and
// ?explain=true on a scoring route the explain scope as well. With mutual
// TLS and no API keys, a verified client certificate is needed and allows
// every scope. The request then takes a token of the key's rate limit or,
// when no key identifies it, of its client address's.
func (s *Server) authorize(r *http.Request, rt *route, now time.Time) access {
	ks := s.keys.Load()
	var a access
	var scopes apikey.Scopes
	switch secret, hasSecret := credential(r); {
	case ks != nil && hasSecret:
		id, sc, ok := ks.set.Lookup(secret)
		if !ok {
			return access{refused: problemAuth}
		}
		a.keyID, scopes = id, sc
	case ks != nil && s.mutualTLS:
		id, sc, ok := ks.set.LookupCert(certNames(r.TLS))
		if !ok {
			return access{refused: problemAuth}
		}
		a.keyID, scopes = id, sc
	case ks != nil:
		return access{refused: problemAuth}
	case s.mutualTLS:
		names := certNames(r.TLS)
		if len(names) == 0 {
			return access{refused: problemAuth}
		}
		a.keyID, scopes = certID(names[len(names)-1]), apikey.Score|apikey.Explain|apikey.ModelRead
	default:
		scopes = apikey.Score | apikey.Explain | apikey.ModelRead // no authentication
	}
	if !scopes.Has(rt.scope) {
		a.refused = problemForbidden
		return a
	}
	if rt.explainable && r.URL.RawQuery != "" && !scopes.Has(apikey.Explain) {
		// A malformed explain value is the handler's 422.
		if explain, p := explainParam(r); p == nil && explain {
			a.refused = problemForbidden
			return a
		}
	}
	switch {
	case ks != nil && ks.limits != nil && a.keyID != "":
		a.bucket = ks.limits[a.keyID]
	case ks == nil && s.addrLimits != nil:
		a.bucket = s.addrLimits.bucket(r.RemoteAddr, now)
	}
	if a.bucket != nil {
		if ok, wait := a.bucket.take(now, 1); !ok {
			a.refused, a.retry = problemRateLimit, retrySeconds(wait)
			s.metrics.rateLimited.Inc()
		}
	}
	return a
}

// certID is the key id logged for a client certificate without API keys:
// "cert:" and its identity, at most 64 bytes of it.
func certID(name string) string {
	if len(name) > 64 {
		name = name[:64]
	}
	return "cert:" + name
}

// retrySeconds is a Retry-After value: whole seconds, at least 1.
func retrySeconds(wait time.Duration) int {
	return max(1, int(math.Ceil(wait.Seconds())))
}

// chargeBatch takes the tokens of a batch of n applications beyond the
// one its request took, from the rate limit the request counts against;
// it returns the problem to answer when they are not there, and the
// seconds to wait for a 429. A refused batch gives its request's token
// back: it costs nothing.
func (s *Server) chargeBatch(b *bucket, n int) (*Problem, int) {
	if b == nil || n <= 1 {
		return nil, 0
	}
	if n > b.limit.Burst {
		b.give(1)
		return &Problem{Code: ProblemBatchTooBig, Detail: fmt.Sprintf(
			"a batch of %d applications is more than this client may send at once (its rate limit allows %d); split the batch", n, b.limit.Burst)}, 0
	}
	if ok, wait := b.take(time.Now(), n-1); !ok {
		b.give(1)
		s.metrics.rateLimited.Inc()
		return problemRateLimitBatch, retrySeconds(wait)
	}
	return nil, 0
}

// errNoKeys is the start-up warning without API keys.
var errNoKeys = errors.New("API_KEYS_FILE is not set: every endpoint is open to anyone who can reach the server")
