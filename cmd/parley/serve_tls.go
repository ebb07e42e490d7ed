package main

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
	"strings"
	"time"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TLS as in production (issue 10): Meta's Graph API is HTTPS only, and it delivers webhooks only to HTTPS
// endpoints with a valid certificate. `parley serve --tls` makes a CA for the run, writes it to a file
// (--tls-ca-out) that the assistant trusts through SSL_CERT_FILE, and serves every mock over HTTPS with
// a certificate from it. --webhook-ca makes https:// callbacks verify the assistant's certificate against
// the CA the user passes; --webhook-hosts limits where webhooks may go.

// runCA is the certificate authority made for one run, and the serving certificate it issued.
type runCA struct {
	caPEM []byte
	cert  tls.Certificate
}

// newRunCA makes a CA valid for the run (a day) and a serving certificate for hosts (names or IPs).
func newRunCA(hosts []string) (*runCA, error) {
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
	return &runCA{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		cert:  tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: key},
	}, nil
}

// serverTLS is the mocks' TLS configuration: TLS 1.2 or later, HTTP/2 offered for the gRPC clients.
func (ca *runCA) serverTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{ca.cert}, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
}

// tlsHosts are the names the mocks' certificate is for: loopback, every host a mock listens on, the
// public URL's host, and --tls-hosts (container names, say).
func (c *serveConfig) tlsHosts() []string {
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	for _, addr := range []string{c.whatsappAddr, c.dialogflowAddr, c.dlpAddr} {
		if h, _, err := net.SplitHostPort(addr); err == nil && h != "" && !net.ParseIP(h).IsUnspecified() {
			hosts = append(hosts, h)
		}
	}
	if u, err := url.Parse(c.publicURL); err == nil && u.Hostname() != "" {
		hosts = append(hosts, u.Hostname())
	}
	for _, h := range strings.Split(c.tlsExtraHosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// setupTLS makes the run's CA and writes it to --tls-ca-out when --tls is on.
func (c *serveConfig) setupTLS() error {
	if !c.tls {
		return nil
	}
	if c.tlsCAOut == "" {
		return usageError("--tls needs --tls-ca-out FILE: where to write the run's CA for the assistant (SSL_CERT_FILE)")
	}
	ca, err := newRunCA(c.tlsHosts())
	if err != nil {
		return err
	}
	if err := os.WriteFile(c.tlsCAOut, ca.caPEM, 0o644); err != nil {
		return fmt.Errorf("writing the run's CA: %w", err)
	}
	c.tlsConfig = ca.serverTLS()
	c.tlsRoots = x509.NewCertPool()
	c.tlsRoots.AppendCertsFromPEM(ca.caPEM)
	return nil
}

// scheme is how the assistant reaches the mocks.
func (c *serveConfig) scheme() string {
	if c.tlsConfig != nil {
		return "https://"
	}
	return "http://"
}

// webhookOptions are the WhatsApp mock's options for where and how webhooks are delivered.
func (c *serveConfig) webhookOptions() ([]whatsapp.Option, error) {
	var opts []whatsapp.Option
	if c.webhookHosts != "" {
		var hosts []string
		for _, h := range strings.Split(c.webhookHosts, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hosts = append(hosts, h)
			}
		}
		opts = append(opts, whatsapp.WithWebhookHosts(hosts...))
	}
	if c.webhookCA != "" {
		pool, err := c.webhookRoots()
		if err != nil {
			return nil, err
		}
		opts = append(opts, whatsapp.WithWebhookRootCAs(pool))
	}
	return opts, nil
}

// webhookRoots are the certificates of --webhook-ca: what the webhook's certificate must chain to.
func (c *serveConfig) webhookRoots() (*x509.CertPool, error) {
	b, err := os.ReadFile(c.webhookCA)
	if err != nil {
		return nil, usageError("--webhook-ca: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, usageError("--webhook-ca %s: no PEM certificate in it", c.webhookCA)
	}
	return pool, nil
}
