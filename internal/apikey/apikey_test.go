package apikey

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testHash = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

func TestDecode(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		want  int   // keys, when err is nil
		err   error // wrapped by the error
		inErr string
	}{
		{name: "empty list", in: `{"keys":[]}`, want: 0},
		{name: "no keys field", in: `{}`, want: 0},
		{name: "one key", in: `{"keys":[{"id":"ci","hash":"` + testHash + `","scopes":["score"],"created":"2026-12-07T14:00:00Z"}]}`, want: 1},
		{name: "all scopes and a rate limit", in: `{"keys":[{"id":"a.b_c-1","hash":"` + testHash + `","scopes":["score","explain","model:read"],"rate_limit":{"per_second":10,"burst":20}}]}`, want: 1},
		{name: "two keys", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score"]},{"id":"b","hash":"` + testHash + `","scopes":["explain"]}]}`, want: 2},
		{name: "not json", in: `keys: []`, inErr: "not a keys document"},
		{name: "empty input", in: ``, inErr: "not a keys document"},
		{name: "a list", in: `[]`, inErr: "not a keys document"},
		{name: "unknown field", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score"],"secret":"x"}]}`, inErr: "unknown field"},
		{name: "trailing data", in: `{"keys":[]} {}`, inErr: "trailing data"},
		{name: "duplicate id", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score"]},{"id":"a","hash":"` + testHash + `","scopes":["score"]}]}`, err: ErrDuplicateID},
		{name: "empty id", in: `{"keys":[{"id":"","hash":"` + testHash + `","scopes":["score"]}]}`, err: ErrBadID},
		{name: "id with a space", in: `{"keys":[{"id":"a b","hash":"` + testHash + `","scopes":["score"]}]}`, err: ErrBadID},
		{name: "no hash", in: `{"keys":[{"id":"a","scopes":["score"]}]}`, err: ErrNoCredential},
		{name: "empty hash", in: `{"keys":[{"id":"a","hash":"","scopes":["score"]}]}`, err: ErrNoCredential},
		{name: "client cert only", in: `{"keys":[{"id":"a","client_cert":"origination.bank.example","scopes":["score"]}]}`, want: 1},
		{name: "client cert and hash", in: `{"keys":[{"id":"a","hash":"` + testHash + `","client_cert":"spiffe://bank/origination","scopes":["score"]}]}`, want: 1},
		{name: "duplicate client cert", in: `{"keys":[{"id":"a","client_cert":"x","scopes":["score"]},{"id":"b","client_cert":"x","scopes":["score"]}]}`, err: ErrDuplicateCert},
		{name: "client cert with a newline", in: `{"keys":[{"id":"a","client_cert":"x\ny","scopes":["score"]}]}`, err: ErrBadCert},
		{name: "client cert too long", in: `{"keys":[{"id":"a","client_cert":"` + strings.Repeat("x", 257) + `","scopes":["score"]}]}`, err: ErrBadCert},
		{name: "hash without prefix", in: `{"keys":[{"id":"a","hash":"` + strings.TrimPrefix(testHash, "sha256:") + `","scopes":["score"]}]}`, err: ErrBadHash},
		{name: "short hash", in: `{"keys":[{"id":"a","hash":"sha256:abcd","scopes":["score"]}]}`, err: ErrBadHash},
		{name: "uppercase hash", in: `{"keys":[{"id":"a","hash":"` + strings.ToUpper(testHash) + `","scopes":["score"]}]}`, err: ErrBadHash},
		{name: "unknown scope", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["admin"]}]}`, err: ErrUnknownScope},
		{name: "no scope", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":[]}]}`, err: ErrNoScope},
		{name: "zero rate", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score"],"rate_limit":{"per_second":0,"burst":1}}]}`, inErr: "rate_limit"},
		{name: "zero burst", in: `{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score"],"rate_limit":{"per_second":1,"burst":0}}]}`, inErr: "rate_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Decode(strings.NewReader(tt.in))
			switch {
			case tt.err == nil && tt.inErr == "":
				if err != nil {
					t.Fatalf("got error %v; want none", err)
				}
				if len(f.Keys) != tt.want {
					t.Errorf("got %d keys; want %d", len(f.Keys), tt.want)
				}
			case err == nil:
				t.Fatalf("got no error; want one")
			case tt.err != nil && !errors.Is(err, tt.err):
				t.Errorf("got error %v; want one wrapping %v", err, tt.err)
			case tt.inErr != "" && !strings.Contains(err.Error(), tt.inErr):
				t.Errorf("got error %v; want one containing %q", err, tt.inErr)
			}
			var de *DecodeError
			if err != nil && !errors.As(err, &de) {
				t.Errorf("got %T; want a *DecodeError", err)
			}
		})
	}
}

func TestSet_Lookup(t *testing.T) {
	s1, h1 := NewSecret()
	s2, h2 := NewSecret()
	if s1 == s2 || !strings.HasPrefix(s1, SecretPrefix) || len(s1) != 47 {
		t.Fatalf("secrets %q and %q: want two different crk_ secrets of 47 bytes", s1, s2)
	}
	set, err := NewSet(&File{Keys: []Key{
		{ID: "scorer", Hash: h1, Scopes: []string{ScopeScore}},
		{ID: "reader", Hash: h2, Scopes: []string{ScopeModelRead, ScopeExplain}},
	}})
	if err != nil {
		t.Fatal(err)
	}
	// oneOff differs from s1 in its last byte, whatever that byte is.
	last := byte('A')
	if s1[len(s1)-1] == last {
		last = 'B'
	}
	oneOff := s1[:len(s1)-1] + string(last)
	tests := []struct {
		name   string
		secret string
		id     string
		scopes Scopes
	}{
		{"first key", s1, "scorer", Score},
		{"second key", s2, "reader", ModelRead | Explain},
		{"empty", "", "", 0},
		{"prefix only", SecretPrefix, "", 0},
		{"one byte off", oneOff, "", 0},
		{"truncated", s1[:len(s1)-1], "", 0},
		{"extended", s1 + "x", "", 0},
		{"the hash itself", h1, "", 0},
		{"too long", s1 + strings.Repeat("x", MaxSecretLen), "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, scopes, ok := set.Lookup(tt.secret)
			if id != tt.id || scopes != tt.scopes || ok != (tt.id != "") {
				t.Errorf("got %q %v %v; want %q %v %v", id, scopes, ok, tt.id, tt.scopes, tt.id != "")
			}
		})
	}
}

func TestSet_LookupCert(t *testing.T) {
	secret, hash := NewSecret()
	f := &File{Keys: []Key{
		{ID: "origination", ClientCert: "origination.bank.example", Scopes: []string{ScopeScore}},
		{ID: "partner", ClientCert: "spiffe://partner/scoring", Hash: hash, Scopes: []string{ScopeScore, ScopeExplain}},
	}}
	s, err := NewSet(f)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		names  []string
		id     string
		scopes Scopes
	}{
		{"common name", []string{"origination.bank.example"}, "origination", Score},
		{"a SAN among others", []string{"other", "spiffe://partner/scoring"}, "partner", Score | Explain},
		{"the same key twice", []string{"origination.bank.example", "origination.bank.example"}, "origination", Score},
		{"no match", []string{"unknown.example"}, "", 0},
		{"no names", nil, "", 0},
		{"two keys: ambiguous", []string{"origination.bank.example", "spiffe://partner/scoring"}, "", 0},
		{"a case difference", []string{"ORIGINATION.bank.example"}, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, scopes, ok := s.LookupCert(tt.names)
			if id != tt.id || scopes != tt.scopes || ok != (tt.id != "") {
				t.Errorf("LookupCert(%q) = %q, %v, %v; want %q, %v", tt.names, id, scopes, ok, tt.id, tt.scopes)
			}
		})
	}
	// The partner key works with its secret too; the origination key has
	// none, and the empty secret never matches it.
	if id, _, ok := s.Lookup(secret); !ok || id != "partner" {
		t.Errorf("Lookup(partner's secret) = %q, %v", id, ok)
	}
	if _, _, ok := s.Lookup(""); ok {
		t.Error("the empty secret matched")
	}
	var zero [32]byte
	if _, _, ok := s.Lookup(string(zero[:])); ok {
		t.Error("a zero secret matched a certificate-only key")
	}
}

func TestScopes(t *testing.T) {
	s, err := ParseScopes([]string{"score", "explain"})
	if err != nil {
		t.Fatal(err)
	}
	if !s.Has(Score) || !s.Has(Score|Explain) || s.Has(ModelRead) || s.Has(Score|ModelRead) {
		t.Errorf("Has on %v: wrong answers", s)
	}
	if got := s.String(); got != "score,explain" {
		t.Errorf("got %q; want score,explain", got)
	}
	if _, err := ParseScopes([]string{"score", "admin"}); !errors.Is(err, ErrUnknownScope) || !strings.Contains(err.Error(), `"admin"`) {
		t.Errorf("got %v; want an unknown scope error naming admin", err)
	}
}

func TestFile_WriteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")
	_, h := NewSecret()
	f := &File{Keys: []Key{{ID: "ci", Hash: h, Scopes: []string{ScopeScore}}}}
	if err := f.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v; want 0600", st.Mode().Perm())
	}
	got, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Index("ci") != 0 || got.Keys[0].Hash != h {
		t.Errorf("read back %+v; want the key written", got.Keys)
	}
	bad := &File{Keys: []Key{{ID: "ci", Hash: h, Scopes: []string{"nope"}}}}
	if err := bad.WriteFile(path); !errors.Is(err, ErrUnknownScope) {
		t.Errorf("got %v; want an unknown scope error", err)
	}
}

// FuzzDecodeKeys checks that Decode never panics, and that a file it
// accepts encodes and decodes again to the same keys and compiles to a Set.
func FuzzDecodeKeys(f *testing.F) {
	f.Add(`{"keys":[{"id":"ci","hash":"` + testHash + `","scopes":["score"],"created":"2026-12-07T14:00:00Z"}]}`)
	f.Add(`{"keys":[{"id":"a","hash":"` + testHash + `","scopes":["score","explain","model:read"],"rate_limit":{"per_second":1.5,"burst":3}}]}`)
	f.Add(`{"keys":[]}`)
	f.Add(`{"keys":null}`)
	f.Add(`{"keys":[{"id":"a","hash":"sha256:","scopes":["x"]}]}`)
	f.Add(`[1,2,3]`)
	f.Fuzz(func(t *testing.T, in string) {
		file, err := Decode(strings.NewReader(in))
		if err != nil {
			if file != nil {
				t.Fatal("Decode returned a file with an error")
			}
			return
		}
		set, err := NewSet(file)
		if err != nil || set.Len() != len(file.Keys) {
			t.Fatalf("an accepted file does not compile: %v", err)
		}
		var buf bytes.Buffer
		if err := file.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := Decode(&buf)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, buf.String())
		}
		if len(again.Keys) != len(file.Keys) {
			t.Fatalf("round trip: %d keys; want %d", len(again.Keys), len(file.Keys))
		}
		for i := range file.Keys {
			a, b := file.Keys[i], again.Keys[i]
			if a.ID != b.ID || a.Hash != b.Hash || strings.Join(a.Scopes, ",") != strings.Join(b.Scopes, ",") || !a.Created.Equal(b.Created) {
				t.Fatalf("round trip: key %d %+v; want %+v", i, b, a)
			}
		}
	})
}
