package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

// runKeys runs credit-risk-api keys with args and returns the exit code,
// stdout and stderr.
func runKeys(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := &Main{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	code := m.ExitCode(m.Run(t.Context(), append([]string{"keys"}, args...)))
	return code, stdout.String(), stderr.String()
}

// lastLine returns the last line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestKeysCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys.json")

	code, out, errOut := runKeys(t, "add", "--file", path, "--id", "loan-app", "--scopes", "score,explain")
	if code != 0 {
		t.Fatalf("add: exit %d: %s", code, errOut)
	}
	secret := lastLine(out)
	if !strings.HasPrefix(secret, apikey.SecretPrefix) || strings.ContainsAny(secret, " \t") {
		t.Fatalf("add: last line %q; want the secret alone", secret)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v; want 0600", st.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), secret) {
		t.Errorf("the keys file holds the secret")
	}
	f, err := apikey.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := apikey.NewSet(f)
	if id, scopes, ok := set.Lookup(secret); !ok || id != "loan-app" || scopes != apikey.Score|apikey.Explain {
		t.Errorf("the printed secret looks up as %q %v %v; want loan-app score,explain", id, scopes, ok)
	}
	if code, _, errOut := runKeys(t, "add", "--file", path, "--id", "reader", "--scopes", "model:read", "--rate", "2.5", "--burst", "5"); code != 0 {
		t.Fatalf("second add: exit %d: %s", code, errOut)
	}
	if f, _ := apikey.ReadFile(path); f == nil || f.Keys[1].RateLimit == nil || *f.Keys[1].RateLimit != (apikey.RateLimit{PerSecond: 2.5, Burst: 5}) {
		t.Errorf("the second key's rate limit is not 2.5/s, burst 5")
	}

	code, out, errOut = runKeys(t, "add", "--file", path, "--id", "origination", "--scopes", "score", "--client-cert", "origination.bank.example")
	if code != 0 || strings.Contains(out, apikey.SecretPrefix) || !strings.Contains(out, "no secret") {
		t.Fatalf("add --client-cert: exit %d, %q, %s; want a key without a secret", code, out, errOut)
	}
	if f, _ := apikey.ReadFile(path); f == nil || f.Keys[2].ClientCert != "origination.bank.example" || f.Keys[2].Hash != "" {
		t.Errorf("the client certificate key is not stored with its name and without a hash")
	}

	code, out, _ = runKeys(t, "list", "--file", path)
	if !strings.Contains(out, "origination.bank.example") {
		t.Errorf("list %q lacks the client certificate", out)
	}
	if code != 0 || !strings.Contains(out, "loan-app") || !strings.Contains(out, "score,explain") || !strings.Contains(out, "reader") {
		t.Errorf("list: exit %d, output %q; want both keys and their scopes", code, out)
	}
	if !strings.Contains(out, "2.5/s, burst 5") {
		t.Errorf("list %q lacks the rate limit", out)
	}
	if strings.Contains(out, "sha256") || strings.Contains(out, secret) {
		t.Errorf("list shows a hash or a secret: %q", out)
	}

	if code, _, errOut := runKeys(t, "revoke", "--file", path, "--id", "loan-app"); code != 0 {
		t.Fatalf("revoke: exit %d: %s", code, errOut)
	}
	if _, out, _ := runKeys(t, "list", "--file", path); strings.Contains(out, "loan-app") || !strings.Contains(out, "reader") || !strings.Contains(out, "origination") {
		t.Errorf("list after revoke %q; want reader and origination", out)
	}
}

func TestKeysCommand_Errors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	if code, _, errOut := runKeys(t, "add", "--file", path, "--id", "a", "--scopes", "score"); code != 0 {
		t.Fatalf("add: exit %d: %s", code, errOut)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no command", nil, 2, "add, list or revoke"},
		{"unknown command", []string{"rotate"}, 2, `unknown keys command "rotate"`},
		{"no file", []string{"list"}, 2, "needs --file"},
		{"no id", []string{"add", "--file", path, "--scopes", "score"}, 2, "needs --id"},
		{"no scopes", []string{"add", "--file", path, "--id", "b"}, 2, "needs --scopes"},
		{"duplicate id", []string{"add", "--file", path, "--id", "a", "--scopes", "score"}, 1, `duplicate key id "a"`},
		{"unknown scope", []string{"add", "--file", path, "--id", "b", "--scopes", "score,admin"}, 1, `unknown scope "admin"`},
		{"bad id", []string{"add", "--file", path, "--id", "a b", "--scopes", "score"}, 1, "key id"},
		{"missing file on list", []string{"list", "--file", filepath.Join(dir, "nope.json")}, 1, "no such file"},
		{"missing file on revoke", []string{"revoke", "--file", filepath.Join(dir, "nope.json"), "--id", "a"}, 1, "no such file"},
		{"unknown id on revoke", []string{"revoke", "--file", path, "--id", "zz"}, 1, `no such key id "zz"`},
		{"negative rate", []string{"add", "--file", path, "--id", "b", "--scopes", "score", "--rate", "-1"}, 2, "--rate must be positive"},
		{"burst without rate", []string{"add", "--file", path, "--id", "b", "--scopes", "score", "--burst", "3"}, 2, "--burst needs --rate"},
		{"client cert with a control character", []string{"add", "--file", path, "--id", "c", "--scopes", "score", "--client-cert", "a\nb"}, 1, "client_cert"},
		{"help", []string{"--help"}, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runKeys(t, tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.stderr)
			}
		})
	}
	// The failed commands left the file as it was.
	if _, out, _ := runKeys(t, "list", "--file", path); strings.Count(out, "\n") != 2 {
		t.Errorf("list after failed commands %q; want the one key", out)
	}
}
