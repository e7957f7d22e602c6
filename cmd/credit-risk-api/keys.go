package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/credit-risk/credit-risk/internal/apikey"
)

const keysHelp = `
Usage: credit-risk-api keys <add|list|revoke> --file FILE [flags]

Manages the API keys file the server reads from API_KEYS_FILE. The file
holds each key's id, scopes, creation time and the SHA-256 of its secret,
never the secret; it is written atomically with mode 0600. A running server
picks up a change within MODEL_RELOAD_INTERVAL (or on SIGHUP).

Commands:
  add     --file F --id ID --scopes S1,S2   add a key (creates the file); the
          [--rate R --burst B]              secret is printed once, alone on
          [--client-cert NAME]              the last line of stdout; --rate
                                            limits the key to R requests a
                                            second, B at once (429 above);
                                            --client-cert makes a key for
                                            mutual TLS instead: a client
                                            certificate whose common name or
                                            a subject alternative name is NAME
                                            (no secret)
  list    --file F                          ids, scopes and creation times
  revoke  --file F --id ID                  remove a key

Scopes:
  score        POST /predict and /predict/batch
  explain      ?explain=true on them (with score)
  model:read   /model/info, /stats and /openapi.json

Clients send the secret as "Authorization: Bearer <secret>" or
"X-API-Key: <secret>".

Examples:
  credit-risk-api keys add --file /etc/credit-risk/keys.json --id loan-app --scopes score,explain
  credit-risk-api keys add --file keys.json --id partner --scopes score --rate 5 --burst 10
  credit-risk-api keys add --file keys.json --id origination --scopes score --client-cert origination.bank.example
  credit-risk-api keys list --file /etc/credit-risk/keys.json
  credit-risk-api keys revoke --file /etc/credit-risk/keys.json --id loan-app
`

// KeysCommand manages an API keys file.
type KeysCommand struct {
	// Now is the clock of creation times; nil is time.Now.
	Now func() time.Time
}

// Usage prints the command's help.
func (c *KeysCommand) Usage(w io.Writer) { fmt.Fprint(w, strings.TrimPrefix(keysHelp, "\n")) }

// Run runs keys add, list or revoke.
func (c *KeysCommand) Run(ctx context.Context, m *Main, args []string) error {
	if len(args) == 0 {
		c.Usage(m.Stderr)
		return fmt.Errorf("%w: keys needs a command: add, list or revoke", errUsage)
	}
	sub := args[0]
	switch sub {
	case "-h", "--help", "help":
		c.Usage(m.Stdout)
		return nil
	case "add", "list", "revoke":
	default:
		return fmt.Errorf("%w: unknown keys command %q (want add, list or revoke)", errUsage, sub)
	}
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() { c.Usage(m.Stdout) }
	file := fs.String("file", "", "the API keys file")
	id := fs.String("id", "", "the key id (add, revoke)")
	scopes := fs.String("scopes", "", "comma-separated scopes (add)")
	rate := fs.Float64("rate", 0, "requests per second the key may make; 0: no limit (add)")
	burst := fs.Int("burst", 0, "requests the key may make at once; 0: max(1, rate) (add)")
	clientCert := fs.String("client-cert", "", "a client certificate identity that authenticates as the key over mutual TLS; no secret is made (add)")
	if err := fs.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("%w: keys %s takes no arguments besides its flags", errUsage, sub)
	case *file == "":
		return fmt.Errorf("%w: keys %s needs --file", errUsage, sub)
	case sub != "list" && *id == "":
		return fmt.Errorf("%w: keys %s needs --id", errUsage, sub)
	case sub == "add" && *scopes == "":
		return fmt.Errorf("%w: keys add needs --scopes (%s)", errUsage, strings.Join(apikey.AllScopes, ", "))
	case *rate < 0 || *burst < 0 || (*burst > 0 && *rate == 0):
		return fmt.Errorf("%w: --rate must be positive, and --burst needs --rate", errUsage)
	}
	var limit *apikey.RateLimit
	if *rate > 0 {
		limit = &apikey.RateLimit{PerSecond: *rate, Burst: *burst}
		if limit.Burst == 0 {
			limit.Burst = max(1, int(*rate))
		}
	}
	switch sub {
	case "add":
		return c.add(m.Stdout, *file, apikey.Key{ID: *id, RateLimit: limit, ClientCert: *clientCert}, *scopes)
	case "list":
		return c.list(m.Stdout, *file)
	}
	return c.revoke(m.Stdout, *file, *id)
}

// add adds k, with the scopes of scopeList, and a new secret unless it is
// a client certificate's key.
func (c *KeysCommand) add(w io.Writer, path string, k apikey.Key, scopeList string) error {
	id := k.ID
	f, err := apikey.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		f = &apikey.File{Keys: []apikey.Key{}}
	case err != nil:
		return err
	}
	if f.Index(id) >= 0 {
		return fmt.Errorf("keys add: %w %q in %s (revoke it first to replace it)", apikey.ErrDuplicateID, id, path)
	}
	var names []string
	for s := range strings.SplitSeq(scopeList, ",") {
		if s = strings.TrimSpace(s); s != "" {
			names = append(names, s)
		}
	}
	if _, err := apikey.ParseScopes(names); err != nil {
		return fmt.Errorf("keys add: %w", err)
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	var secret string
	if k.ClientCert == "" {
		secret, k.Hash = apikey.NewSecret()
	}
	k.Scopes, k.Created = names, now().UTC().Truncate(time.Second)
	f.Keys = append(f.Keys, k)
	if err := f.WriteFile(path); err != nil {
		return fmt.Errorf("keys add: %w", err)
	}
	fmt.Fprintf(w, "added key %q with scopes %s to %s\n", id, strings.Join(names, ","), path)
	if k.ClientCert != "" {
		fmt.Fprintf(w, "it authenticates clients whose verified certificate names %q (TLS_CLIENT_CA_FILE); it has no secret\n", k.ClientCert)
		return nil
	}
	fmt.Fprintln(w, "the secret follows; it is shown only this once:")
	fmt.Fprintln(w, secret)
	return nil
}

func (c *KeysCommand) list(w io.Writer, path string) error {
	f, err := apikey.ReadFile(path)
	if err != nil {
		return fmt.Errorf("keys list: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSCOPES\tCREATED\tRATE LIMIT\tCLIENT CERTIFICATE")
	for _, k := range f.Keys {
		created, limit, cert := "-", "-", "-"
		if k.ClientCert != "" {
			cert = k.ClientCert
		}
		if !k.Created.IsZero() {
			created = k.Created.UTC().Format(time.RFC3339)
		}
		if k.RateLimit != nil {
			limit = fmt.Sprintf("%g/s, burst %d", k.RateLimit.PerSecond, k.RateLimit.Burst)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", k.ID, strings.Join(k.Scopes, ","), created, limit, cert)
	}
	return tw.Flush()
}

func (c *KeysCommand) revoke(w io.Writer, path, id string) error {
	f, err := apikey.ReadFile(path)
	if err != nil {
		return fmt.Errorf("keys revoke: %w", err)
	}
	i := f.Index(id)
	if i < 0 {
		return fmt.Errorf("keys revoke: %w %q in %s", apikey.ErrNotFound, id, path)
	}
	f.Keys = append(f.Keys[:i], f.Keys[i+1:]...)
	if err := f.WriteFile(path); err != nil {
		return fmt.Errorf("keys revoke: %w", err)
	}
	fmt.Fprintf(w, "revoked key %q in %s; a running server drops it at its next reload\n", id, path)
	return nil
}
