package serve

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"
)

// tlsState is the certificate served and the client CAs trusted, with the
// versions of the files they came from. It is never changed; a reload
// builds a new one, and every new connection's handshake uses the one in
// force (tls.Config.GetConfigForClient).
type tlsState struct {
	config   *tls.Config
	notAfter time.Time // the served certificate's expiry
	sources  [3]fileID // certificate, key, client CAs
}

// errNoClientCAs is a client CA file without a certificate.
var errNoClientCAs = errors.New("no PEM CERTIFICATE block")

// maxPEMBytes bounds a certificate, key or CA file.
const maxPEMBytes = 1 << 20

// readPEM reads a PEM file of at most maxPEMBytes.
func readPEM(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxPEMBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxPEMBytes)
	}
	return os.ReadFile(path)
}

// loadTLS reads the certificate, its key and the client CAs the
// configuration names and builds the TLS configuration of new
// connections: TLS 1.2 or later, HTTP/2 and HTTP/1.1, and with client CAs
// a client certificate verified when one is sent (VerifyClientCertIfGiven:
// probes connect without one, and the routes that need a scope then need
// a verified certificate or an API key).
func loadTLS(cfg *Config) (*tlsState, error) {
	var st tlsState
	var err error
	for i, path := range [...]string{cfg.TLSCertFile, cfg.TLSKeyFile, cfg.TLSClientCAFile} {
		if path == "" {
			continue
		}
		if st.sources[i], err = statFile(path); err != nil {
			return nil, fmt.Errorf("TLS: %w", err)
		}
	}
	certPEM, err := readPEM(cfg.TLSCertFile)
	if err != nil {
		return nil, fmt.Errorf("TLS_CERT_FILE: %w", err)
	}
	keyPEM, err := readPEM(cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS_KEY_FILE: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// The error says what is wrong (no PEM data, a key that does not
		// match the certificate), never the key itself.
		return nil, fmt.Errorf("TLS_CERT_FILE %s and TLS_KEY_FILE %s: %w", cfg.TLSCertFile, cfg.TLSKeyFile, err)
	}
	st.notAfter = cert.Leaf.NotAfter
	st.config = &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2", "http/1.1"},
	}
	if cfg.TLSClientCAFile != "" {
		caPEM, err := readPEM(cfg.TLSClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("TLS_CLIENT_CA_FILE: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("TLS_CLIENT_CA_FILE %s: %w", cfg.TLSClientCAFile, errNoClientCAs)
		}
		st.config.ClientCAs = pool
		st.config.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return &st, nil
}

// tlsSources returns the versions of the TLS files now; a file that cannot
// be read has the zero version.
func (s *Server) tlsSources() [3]fileID {
	var ids [3]fileID
	for i, path := range [...]string{s.cfg.TLSCertFile, s.cfg.TLSKeyFile, s.cfg.TLSClientCAFile} {
		if path != "" {
			ids[i], _ = statFile(path)
		}
	}
	return ids
}

// reloadTLS re-reads the certificate, key and client CAs when one of them
// changed (always when force). Files that cannot be used are refused:
// logged once per version, counted, and the certificate in force stays.
// Connections already open keep the certificate they were made with.
func (s *Server) reloadTLS(force bool) error {
	if s.cfg.TLSCertFile == "" {
		return nil
	}
	s.tlsMu.Lock()
	defer s.tlsMu.Unlock()
	cur := s.tls.Load()
	now := s.tlsSources()
	if !force && (now == cur.sources || now == s.tlsFailed) {
		return ErrUnchanged
	}
	st, err := loadTLS(&s.cfg)
	for attempt := 0; err != nil && attempt < 3; attempt++ {
		// A certificate and its key are replaced one file at a time:
		// a load that saw a new certificate with the old key is tried
		// again once the files have settled.
		time.Sleep(100 * time.Millisecond)
		if st2, err2 := loadTLS(&s.cfg); err2 == nil {
			st, err = st2, nil
		}
	}
	if err != nil {
		s.tlsFailed = s.tlsSources()
		s.metrics.tlsReloadFail.Inc()
		s.logger.Error("TLS reload failed; the previous certificate stays in force", "err", err,
			"not_after", cur.notAfter.UTC().Format(time.RFC3339))
		return err
	}
	s.tls.Store(st)
	s.tlsFailed = [3]fileID{}
	s.metrics.tlsReloadOK.Inc()
	s.logger.Info("TLS certificate reloaded", "not_after", st.notAfter.UTC().Format(time.RFC3339),
		"previous_not_after", cur.notAfter.UTC().Format(time.RFC3339), "mutual_tls", st.config.ClientCAs != nil)
	return nil
}

// tlsConfig is the listener's TLS configuration: each handshake takes the
// configuration in force.
func (s *Server) tlsConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"},
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return s.tls.Load().config, nil
		},
	}
}

// certNames returns the identities of a verified client certificate: its
// URI, DNS and e-mail subject alternative names, then its subject common
// name. A connection without a verified certificate has none.
func certNames(cs *tls.ConnectionState) []string {
	if cs == nil || len(cs.VerifiedChains) == 0 || len(cs.PeerCertificates) == 0 {
		return nil
	}
	c := cs.PeerCertificates[0]
	names := make([]string, 0, len(c.URIs)+len(c.DNSNames)+len(c.EmailAddresses)+1)
	for _, u := range c.URIs {
		names = append(names, u.String())
	}
	names = append(names, c.DNSNames...)
	names = append(names, c.EmailAddresses...)
	if c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName)
	}
	return names
}
