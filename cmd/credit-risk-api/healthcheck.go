package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/credit-risk/credit-risk/internal/serve"
)

const healthcheckHelp = `
Usage: credit-risk-api healthcheck [flags]

Asks the server on this machine whether it is ready (GET /ready on API_PORT)
and exits 0 when it answers 200, 1 otherwise. For container health checks
in an image without a shell or curl. With TLS_CERT_FILE set it asks over
HTTPS without verifying the certificate (the server is this machine's own,
and /ready needs no credential).

Examples:
  credit-risk-api healthcheck
  credit-risk-api healthcheck --url http://127.0.0.1:8080/ready --timeout 5s
  HEALTHCHECK CMD ["/credit-risk-api", "healthcheck"]   (Dockerfile)
`

// HealthcheckCommand checks the readiness of a running server.
type HealthcheckCommand struct{}

// Usage prints the command's help.
func (c *HealthcheckCommand) Usage(w io.Writer) {
	fmt.Fprint(w, strings.TrimPrefix(healthcheckHelp, "\n"))
}

// Run asks /ready and returns nil when the server answers 200.
func (c *HealthcheckCommand) Run(ctx context.Context, m *Main, args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = func() {
		c.Usage(m.Stdout)
		fmt.Fprintln(m.Stdout, "Flags:")
		fs.SetOutput(m.Stdout)
		fs.PrintDefaults()
	}
	url := fs.String("url", "", "readiness URL (default http://127.0.0.1:$API_PORT/ready, https with TLS_CERT_FILE)")
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if *url == "" {
		cfg, err := serve.ConfigFromEnv(m.Getenv)
		if err != nil {
			return err
		}
		host := cfg.Host
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		scheme := "http://"
		if cfg.TLSCertFile != "" {
			scheme = "https://"
		}
		*url = scheme + net.JoinHostPort(host, strconv.Itoa(cfg.Port)) + "/ready"
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, *url, nil)
	if err != nil {
		return fmt.Errorf("%w: --url: %v", errUsage, err)
	}
	client := http.DefaultClient
	if req.URL.Scheme == "https" && (req.URL.Hostname() == "127.0.0.1" || req.URL.Hostname() == "::1" || req.URL.Hostname() == "localhost") {
		// The server on this machine: its certificate names the service,
		// not the loopback address.
		client = &http.Client{Transport: &http.Transport{
			TLSClientConfig: &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12},
		}}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%w: %v", errNotReady, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%w: %s answered %s: %s", errNotReady, *url, resp.Status, strings.TrimSpace(string(body)))
	}
	fmt.Fprintf(m.Stdout, "ready: %s\n", strings.TrimSpace(string(body)))
	return nil
}
