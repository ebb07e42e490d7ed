package stack

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"time"
)

// TLS as in production: Meta's Graph API is HTTPS only, and it delivers webhooks only to HTTPS endpoints
// with a valid certificate. With Config.TLS the stack makes a CA for the run, writes it to TLSCAOut for
// the assistant to trust through SSL_CERT_FILE, and serves every mock over HTTPS with a certificate from
// it.

// CA is the certificate authority made for one run, and the serving certificate it issued.
type CA struct {
	// PEM is the CA's certificate, for an assistant to trust (SSL_CERT_FILE).
	PEM []byte
	// Cert is the serving certificate it issued, with the CA in its chain.
	Cert tls.Certificate
}

// NewCA makes a CA valid for the run (a day) and a serving certificate for hosts (names or IPs).
func NewCA(hosts []string) (*CA, error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	serial := func() *big.Int {
		n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
		return n
	}
	caTmpl := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "parley run CA", Organization: []string{"parley"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign, BasicConstraintsValid: true, IsCA: true, MaxPathLenZero: true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("creating the run's CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	leaf := &x509.Certificate{
		SerialNumber: serial(), Subject: pkix.Name{CommonName: "parley mocks"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			leaf.IPAddresses = append(leaf.IPAddresses, ip)
		} else if h != "" {
			leaf.DNSNames = append(leaf.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, leaf, ca, &key.PublicKey, caKey)
	if err != nil {
		return nil, fmt.Errorf("issuing the mocks' certificate: %w", err)
	}
	return &CA{
		PEM:  pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		Cert: tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key},
	}, nil
}

// ServerTLS is the mocks' TLS configuration: TLS 1.2 or later, HTTP/2 offered for the gRPC clients.
func (ca *CA) ServerTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.Cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
}

// Pool is a certificate pool that trusts the CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(ca.PEM)
	return p
}

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
