package embedded

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"net"
	"time"

	"github.com/parley-dev/parley/journal"
)

// probeVersions are the protocol versions a webhook endpoint is offered, oldest first. Meta requires a
// valid certificate and modern TLS; an endpoint that still accepts 1.0 or 1.1 breaks WA-SEC-02.
var probeVersions = []struct {
	name string
	v    uint16
}{{"1.0", tls.VersionTLS10}, {"1.1", tls.VersionTLS11}, {"1.2", tls.VersionTLS12}, {"1.3", tls.VersionTLS13}}

// ProbeTLS offers the endpoint at addr (host:port) one TLS handshake per protocol version, capped at
// that version, and records each outcome as a tls.probe event. roots verifies the certificate; nil
// skips verification (the probe is about the protocol, not the chain).
func ProbeTLS(ctx context.Context, j *journal.Journal, addr, url string, roots *x509.CertPool) {
	for _, pv := range probeVersions {
		cfg := &tls.Config{MinVersion: pv.v, MaxVersion: pv.v, RootCAs: roots, InsecureSkipVerify: roots == nil} //nolint:gosec // probing protocol versions, not the chain
		d := tls.Dialer{Config: cfg, NetDialer: &net.Dialer{Timeout: 5 * time.Second}}
		data := journal.TLSProbeData{URL: url, Version: pv.name}
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			data.Accepted = true
			conn.Close()
		} else {
			data.Error = err.Error()
		}
		j.Record(journal.SourceHarness, journal.KindTLSProbe, "", data)
	}
}

// selfSignedTLS makes a certificate for 127.0.0.1 and localhost, valid for the run only.
func selfSignedTLS() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: "parley run"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("creating the run's certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool, nil
}
