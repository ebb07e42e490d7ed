package harness

import (
	"context"
	"crypto/tls"
	"crypto/x509"
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
