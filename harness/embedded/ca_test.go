package embedded

import (
	"crypto/x509"
	"testing"
	"time"
)

// TestRunCA: the environments of a process share the run's CA and its certificate for loopback, made
// again once half of its day of validity has passed; the certificate is valid for 127.0.0.1 under it.
func TestRunCA(t *testing.T) {
	t0 := time.Now()
	a, err := runCA(t0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := runCA(t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Error("a second environment made a CA of its own")
	}
	c, err := runCA(t0.Add(13 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c == a {
		t.Error("the CA was kept past half of its validity")
	}
	leaf, err := x509.ParseCertificate(c.Cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: c.Pool()}); err != nil {
		t.Errorf("the loopback certificate does not verify under the run's CA: %v", err)
	}
}
