package whatsapp

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/parley-dev/parley/journal"
)

// attempts returns the webhook.attempt events of j.
func attempts(t *testing.T, j *journal.Journal) []journal.WebhookAttemptData {
	t.Helper()
	var out []journal.WebhookAttemptData
	for _, e := range j.Events() {
		if e.Kind != journal.KindWebhookAttempt {
			continue
		}
		var d journal.WebhookAttemptData
		if err := e.Decode(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// TestWebhookTimeout: an assistant that does not answer the webhook in time is a failed attempt, retried,
// every attempt journalled with the timeout, and the message reported undelivered. The 20-second default
// is proven with a 50ms timeout, not by waiting.
func TestWebhookTimeout(t *testing.T) {
	r := newReceiver(t)
	release := make(chan struct{})
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method == http.MethodGet {
			r.serve(w, req) // the handshake is answered at once
			return
		}
		// Read the body so the server notices the client hanging up, then answer only once it has.
		_, _ = io.Copy(io.Discard, req.Body)
		select {
		case <-req.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(stuck.Close)
	t.Cleanup(func() { close(release) }) // runs first: no handler outlives the test
	s := RunT(t, fixedWall(), WithWebhook(stuck.URL+"/webhook"), WithWebhookTimeout(50*time.Millisecond), WithWebhookRetry(3, 0))
	res, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Text: "hola"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Error == "" || res.Attempts != 3 || res.WebhookStatus != 0 {
		t.Fatalf("a webhook never answered: got %+v, want 3 attempts, status 0 and an error", res)
	}
	got := attempts(t, s.Journal())
	if len(got) != 3 {
		t.Fatalf("journal has %d webhook attempts, want 3 (every attempt recorded): %+v", len(got), got)
	}
	for i, a := range got {
		if a.Attempt != i+1 || a.Status != 0 || !strings.Contains(a.Error, "did not answer within 50ms") {
			t.Errorf("attempt %d: %+v, want the client timeout recorded", i+1, a)
		}
	}
	if n := len(s.Journal().Filter(func(e journal.Event) bool { return e.Kind == journal.KindInboundFailed })); n != 1 {
		t.Errorf("%d inbound.failed events, want 1", n)
	}
}

func TestWebhookTimeoutOption(t *testing.T) {
	if _, err := NewServer(WithWebhookTimeout(0)); err == nil {
		t.Fatal("WithWebhookTimeout(0) accepted")
	}
}

func TestWebhookHosts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		hosts   []string
		url     string
		allowed bool
	}{
		{"no list allows any host", nil, "http://bot.example:8080/webhook", true},
		{"host listed", []string{"bot", "127.0.0.1"}, "http://bot:8080/webhook", true},
		{"host listed, case", []string{"Bot"}, "https://BOT/webhook", true},
		{"host and port listed", []string{"127.0.0.1:8080"}, "http://127.0.0.1:8080/webhook", true},
		{"other port", []string{"127.0.0.1:8080"}, "http://127.0.0.1:9090/webhook", false},
		{"other host", []string{"bot"}, "http://169.254.169.254/latest/meta-data", false},
		{"suffix is not the host", []string{"bot"}, "http://evilbot/webhook", false},
		{"userinfo trick", []string{"bot"}, "http://bot@evil.example/webhook", false},
		{"IPv6 listed", []string{"[::1]"}, "http://[::1]:8080/webhook", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewServer(WithWebhookHosts(tc.hosts...), WithWebhook(tc.url), WithAddr("127.0.0.1:0"))
			if (err == nil) != tc.allowed {
				t.Fatalf("NewServer with webhook %s and hosts %v: err %v, want allowed=%v", tc.url, tc.hosts, err, tc.allowed)
			}
			s := RunT(t, WithWebhookHosts(tc.hosts...))
			err = s.SetWebhook(testCtx(t), tc.url)
			if (err == nil) != tc.allowed {
				t.Fatalf("SetWebhook(%s) with hosts %v: err %v, want allowed=%v", tc.url, tc.hosts, err, tc.allowed)
			}
			resp, err := http.Post(s.URL()+"/_parley/webhook", "application/json", strings.NewReader(`{"url":"`+tc.url+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if ok := resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNoContent; ok != tc.allowed {
				t.Fatalf("POST /_parley/webhook %s: HTTP %d %s, want allowed=%v", tc.url, resp.StatusCode, b, tc.allowed)
			}
		})
	}
	if _, err := NewServer(WithWebhookHosts("a/b")); err == nil {
		t.Fatal("a host with a path was accepted")
	}
}

// TestWebhookTLS: https callbacks are verified against the CA the run was given, with TLS 1.2 at least.
func TestWebhookTLS(t *testing.T) {
	newTLSReceiver := func(t *testing.T, maxVersion uint16) (*receiver, *x509.CertPool) {
		r := &receiver{t: t, secret: DefaultAppSecret, token: DefaultVerifyToken}
		r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
		r.srv.TLS = &tls.Config{MaxVersion: maxVersion}
		r.srv.StartTLS()
		t.Cleanup(r.srv.Close)
		pool := x509.NewCertPool()
		pool.AddCert(r.srv.Certificate())
		return r, pool
	}
	for _, tc := range []struct {
		name      string
		max       uint16
		trust     bool
		delivered bool
		errPart   string
	}{
		{"trusted CA, TLS 1.3", 0, true, true, ""},
		{"trusted CA, TLS 1.2", tls.VersionTLS12, true, true, ""},
		{"untrusted certificate", 0, false, false, "certificate"},
		{"TLS 1.1 only", tls.VersionTLS11, true, false, "protocol version"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, pool := newTLSReceiver(t, tc.max)
			opts := []Option{fixedWall(), WithWebhook(r.URL()), WithWebhookRetry(1, 0)}
			if tc.trust {
				opts = append(opts, WithWebhookRootCAs(pool))
			}
			s := RunT(t, opts...)
			res, err := s.SendFromCustomer(testCtx(t), lucia, CustomerMessage{Text: "hola"})
			if tc.delivered {
				if err != nil || res.Error != "" || res.WebhookStatus != 200 {
					t.Fatalf("send over TLS: %+v, %v", res, err)
				}
				if len(r.Bodies()) != 1 {
					t.Fatalf("receiver got %d bodies", len(r.Bodies()))
				}
				return
			}
			if err == nil && res.Error == "" {
				t.Fatalf("delivered to an endpoint that should fail: %+v", res)
			}
			var verify []VerifyResult
			for _, e := range s.Journal().Events() {
				if e.Kind == journal.KindWebhookVerify {
					var v VerifyResult
					_ = e.Decode(&v)
					verify = append(verify, v)
				}
			}
			// One handshake when the mock started with the callback URL, one again before the first delivery.
			if len(verify) != 2 || verify[0].OK || verify[1].OK || !strings.Contains(verify[0].Error, tc.errPart) || !strings.Contains(verify[1].Error, tc.errPart) {
				t.Fatalf("handshakes journalled as %+v, want two failures naming %q", verify, tc.errPart)
			}
			if len(r.Bodies()) != 0 {
				t.Fatal("the receiver got a webhook over a connection the mock should have refused")
			}
		})
	}
}

// TestCloseLeavesNoGoroutines: after Close, nothing the mock started is still running (listener, worker,
// webhook connections), even though the assistant it delivered to is still up.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	r := newReceiver(t)
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := NewServer(fixedWall(), WithWebhook(r.URL()), WithMPS(0), WithPairRate(0))
	if err != nil {
		t.Fatal(err)
	}
	ctx := testCtx(t)
	if _, err := s.SendFromCustomer(ctx, lucia, CustomerMessage{Text: "hola"}); err != nil {
		t.Fatal(err)
	}
	res := send(t, s, textTo(lucia, "hola, Lucía"))
	if res.Status != 200 {
		t.Fatalf("send: %d %s", res.Status, res.Raw)
	}
	if err := s.AwaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	http.DefaultClient.CloseIdleConnections() // the test's own Graph calls
}
