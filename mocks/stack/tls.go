package stack

import (
	"fmt"
	"net"
	"net/url"
	"os"

	"github.com/parley-dev/parley/internal/runca"
)

// TLS as in production: Meta's Graph API is HTTPS only, and it delivers webhooks only to HTTPS endpoints
// with a valid certificate. With Config.TLS the stack makes a CA for the run, writes it to TLSCAOut for
// the assistant to trust through SSL_CERT_FILE, and serves every mock over HTTPS with a certificate from
// it.

// CA is the certificate authority made for one run, and the serving certificate it issued.
type CA = runca.CA

// NewCA makes a CA valid for the run (a day) and a serving certificate for hosts (names or IPs).
func NewCA(hosts []string) (*CA, error) { return runca.New(hosts) }

// tlsHosts are the names the mocks' certificate is for: loopback, every host a mock listens on, the
// public URL's host, and TLSHosts (container names, say).
func (c Config) tlsHosts() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, addr := range []string{c.WhatsAppAddr, c.DialogflowAddr, c.DLPAddr} {
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" && !net.ParseIP(h).IsUnspecified() {
			hosts = append(hosts, h)
		}
	}
	if u, err := url.Parse(c.PublicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	return append(hosts, c.TLSHosts...)
}

// setupTLS makes the run's CA and writes it to TLSCAOut when TLS is on.
func (s *Stack) setupTLS() error {
	if !s.cfg.TLS {
		return nil
	}
	if s.cfg.TLSCAOut == "" {
		return configErrorf("--tls needs --tls-ca-out FILE: where to write the run's CA for the assistant (SSL_CERT_FILE)")
	}
	ca, err := NewCA(s.cfg.tlsHosts())
	if err != nil {
		return err
	}
	if err := os.WriteFile(s.cfg.TLSCAOut, ca.PEM, 0o644); err != nil {
		return fmt.Errorf("writing the run's CA: %w", err)
	}
	s.tlsConfig = ca.ServerTLS()
	s.Roots = ca.Pool()
	return nil
}
