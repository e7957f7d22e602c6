package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/atomicfile"
)

// Scopes a key may hold.
const (
	// ScopeScore allows POST /predict and POST /predict/batch.
	ScopeScore = "score"
	// ScopeExplain allows ?explain=true on the scoring endpoints, in
	// addition to ScopeScore.
	ScopeExplain = "explain"
	// ScopeModelRead allows /model/info, /stats and /openapi.json.
	ScopeModelRead = "model:read"
)

// AllScopes lists every scope, in the order of their bits in Scopes.
var AllScopes = []string{ScopeScore, ScopeExplain, ScopeModelRead}

// Scopes is a set of scopes as bits, one per entry of AllScopes.
type Scopes uint8

// Scope bits.
const (
	Score Scopes = 1 << iota
	Explain
	ModelRead
)

// Has reports whether s holds every scope of want.
func (s Scopes) Has(want Scopes) bool { return s&want == want }

// String returns the scope names, comma-separated.
func (s Scopes) String() string {
	var names []string
	for i, name := range AllScopes {
		if s&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, ",")
}

// ParseScopes returns the set of the named scopes; an unknown name is an
// error wrapping ErrUnknownScope. No name is an error too: a key with no
// scope could do nothing.
func ParseScopes(names []string) (Scopes, error) {
	var s Scopes
	for _, name := range names {
		i := slices.Index(AllScopes, name)
		if i < 0 {
			return 0, fmt.Errorf("%w %q (want %s)", ErrUnknownScope, name, strings.Join(AllScopes, ", "))
		}
		s |= 1 << i
	}
	if s == 0 {
		return 0, ErrNoScope
	}
	return s, nil
}

// Errors of the keys file.
var (
	ErrUnknownScope  = errors.New("unknown scope")
	ErrNoScope       = errors.New("a key needs at least one scope")
	ErrDuplicateID   = errors.New("duplicate key id")
	ErrBadID         = errors.New("a key id is 1 to 64 letters, digits, '.', '_' or '-'")
	ErrBadHash       = errors.New(`a key hash is "sha256:" and 64 lowercase hex digits`)
	ErrNoCredential  = errors.New("a key needs a hash, a client_cert or both")
	ErrBadCert       = errors.New("a client_cert is 1 to 256 printable characters")
	ErrDuplicateCert = errors.New("duplicate client_cert")
	ErrNotFound      = errors.New("no such key id")
)

// HashPrefix starts every hash in the file, naming the algorithm.
const HashPrefix = "sha256:"

// SecretPrefix starts every secret NewSecret makes, so a leaked secret is
// recognisable by secret scanners.
const SecretPrefix = "crk_"

// MaxSecretLen is the longest secret a Set checks; a longer one never
// matches. Secrets NewSecret makes have 47 bytes.
const MaxSecretLen = 128

// RateLimit is a per-key request rate limit, a token bucket: the server
// answers 429 to a key's request when none of its Burst tokens is left;
// tokens refill at PerSecond.
type RateLimit struct {
	// PerSecond is the sustained rate, requests per second (> 0).
	PerSecond float64 `json:"per_second"`
	// Burst is the most requests at once (>= 1).
	Burst int `json:"burst"`
}

// Key is one entry of the keys file. A key is used with its secret (Hash),
// with a client certificate over mutual TLS (ClientCert), or both.
type Key struct {
	// ID names the key in logs and commands; it is not secret.
	ID string `json:"id"`
	// Hash is the SHA-256 of the key's secret (Hash), "" for a key used
	// only with a client certificate.
	Hash string `json:"hash,omitempty"`
	// Scopes are what the key may do (AllScopes).
	Scopes []string `json:"scopes"`
	// Created is when the key was added.
	Created time.Time `json:"created"`
	// RateLimit is the key's own rate limit; nil leaves it to the
	// server's default.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
	// ClientCert is a client certificate identity that authenticates as
	// this key over mutual TLS: a certificate verified against the
	// server's client CAs whose subject common name, or one of whose DNS,
	// URI or e-mail subject alternative names, is exactly this string.
	ClientCert string `json:"client_cert,omitempty"`
}

// File is the keys file.
type File struct {
	Keys []Key `json:"keys"`
}

// DecodeError is a keys file that cannot be used: Key is the index of the
// bad entry, -1 for the file as a whole.
type DecodeError struct {
	Key int
	ID  string
	Err error
}

func (e *DecodeError) Error() string {
	if e.Key < 0 {
		return "keys file: " + e.Err.Error()
	}
	if e.ID != "" && !errors.Is(e.Err, ErrBadID) {
		return fmt.Sprintf("keys file: key %d (id %q): %v", e.Key, e.ID, e.Err)
	}
	return fmt.Sprintf("keys file: key %d: %v", e.Key, e.Err)
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

var (
	idPattern   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	hashPattern = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// maxFileBytes bounds the keys file a decoder reads.
const maxFileBytes = 4 << 20

// Decode reads and validates a keys file: unknown fields, bad ids, hashes
// and scopes, duplicate ids and rate limits out of range are errors
// (*DecodeError), so a typo never silently disables a key.
func Decode(r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil {
		return nil, &DecodeError{Key: -1, Err: err}
	}
	if len(data) > maxFileBytes {
		return nil, &DecodeError{Key: -1, Err: fmt.Errorf("larger than %d bytes", maxFileBytes)}
	}
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, &DecodeError{Key: -1, Err: fmt.Errorf("not a keys document: %w", err)}
	}
	if dec.More() {
		return nil, &DecodeError{Key: -1, Err: errors.New("trailing data after the keys document")}
	}
	if f.Keys == nil {
		f.Keys = []Key{}
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return &f, nil
}

// Validate checks every key; the first problem is a *DecodeError.
func (f *File) Validate() error {
	seen := make(map[string]bool, len(f.Keys))
	certs := make(map[string]bool)
	for i, k := range f.Keys {
		bad := func(err error) error { return &DecodeError{Key: i, ID: k.ID, Err: err} }
		switch {
		case !idPattern.MatchString(k.ID):
			return bad(ErrBadID)
		case seen[k.ID]:
			return bad(ErrDuplicateID)
		case k.Hash == "" && k.ClientCert == "":
			return bad(ErrNoCredential)
		case k.Hash != "" && !hashPattern.MatchString(k.Hash):
			return bad(ErrBadHash)
		case k.ClientCert != "" && !validCertName(k.ClientCert):
			return bad(ErrBadCert)
		case k.ClientCert != "" && certs[k.ClientCert]:
			return bad(ErrDuplicateCert)
		}
		seen[k.ID] = true
		if k.ClientCert != "" {
			certs[k.ClientCert] = true
		}
		if _, err := ParseScopes(k.Scopes); err != nil {
			return bad(err)
		}
		if rl := k.RateLimit; rl != nil && (!(rl.PerSecond > 0 && rl.PerSecond <= 1e9) || rl.Burst < 1) {
			return bad(errors.New("rate_limit wants per_second > 0 and burst >= 1"))
		}
	}
	return nil
}

// validCertName reports whether name can be a client certificate identity:
// 1 to 256 printable ASCII characters.
func validCertName(name string) bool {
	if len(name) == 0 || len(name) > 256 {
		return false
	}
	for i := 0; i < len(name); i++ {
		if name[i] < 0x20 || name[i] > 0x7e {
			return false
		}
	}
	return true
}

// ReadFile decodes the keys file at path.
func ReadFile(path string) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	f, err := Decode(fh)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// Encode writes the file as indented JSON.
func (f *File) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(f)
}

// WriteFile validates f and replaces path with it atomically, readable by
// its owner only (mode 0600).
func (f *File) WriteFile(path string) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return atomicfile.Write(path, 0o600, f.Encode)
}

// Index returns the position of the key id, -1 when there is none.
func (f *File) Index(id string) int {
	return slices.IndexFunc(f.Keys, func(k Key) bool { return k.ID == id })
}

// NewSecret returns a new random secret and the hash the file stores.
func NewSecret() (secret, hash string) {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	secret = SecretPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	return secret, Hash(secret)
}

// Hash returns the file's hash of a secret: "sha256:" and the hex digest.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return HashPrefix + hex.EncodeToString(sum[:])
}

// Set is a compiled keys file for checking secrets. It is immutable and
// safe for concurrent use.
type Set struct {
	keys []setKey
	// certs maps a client certificate identity to its key's index.
	certs map[string]int
}

type setKey struct {
	digest    [sha256.Size]byte
	hasSecret bool
	id        string
	scopes    Scopes
}

// NewSet compiles a validated file.
func NewSet(f *File) (*Set, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	s := &Set{keys: make([]setKey, len(f.Keys)), certs: map[string]int{}}
	for i, k := range f.Keys {
		sc, _ := ParseScopes(k.Scopes)
		if k.Hash != "" {
			hex.Decode(s.keys[i].digest[:], []byte(strings.TrimPrefix(k.Hash, HashPrefix)))
			s.keys[i].hasSecret = true
		}
		if k.ClientCert != "" {
			s.certs[k.ClientCert] = i
		}
		s.keys[i].id, s.keys[i].scopes = k.ID, sc
	}
	return s, nil
}

// LookupCert returns the id and scopes of the key whose client_cert is one
// of names (a verified client certificate's identities). When names match
// no key, or more than one, it returns false.
func (s *Set) LookupCert(names []string) (id string, scopes Scopes, ok bool) {
	found := -1
	for _, name := range names {
		i, hit := s.certs[name]
		switch {
		case !hit:
		case found < 0:
			found = i
		case found != i:
			return "", 0, false // ambiguous
		}
	}
	if found < 0 {
		return "", 0, false
	}
	return s.keys[found].id, s.keys[found].scopes, true
}

// Len returns the number of keys.
func (s *Set) Len() int { return len(s.keys) }

// Lookup returns the id and scopes of the key whose secret this is, and
// false for any other string. The secret's digest is compared with every
// key's digest in constant time, without stopping at a match, so the time
// taken depends on the number of keys only.
func (s *Set) Lookup(secret string) (id string, scopes Scopes, ok bool) {
	if len(secret) == 0 || len(secret) > MaxSecretLen {
		return "", 0, false
	}
	var buf [MaxSecretLen]byte // keeps the hash input off the heap
	digest := sha256.Sum256(buf[:copy(buf[:], secret)])
	found := -1
	for i := range s.keys {
		if subtle.ConstantTimeCompare(digest[:], s.keys[i].digest[:]) == 1 && s.keys[i].hasSecret {
			found = i
		}
	}
	if found < 0 {
		return "", 0, false
	}
	return s.keys[found].id, s.keys[found].scopes, true
}
