package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// served is a `parley serve` started by a test.
type served struct {
	urls   map[string]string
	stdout *lineWriter
	stderr *syncBuffer
	ctx    context.Context
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `parley serve args…` until the test ends and waits for its mocks' URLs.
func startServe(t *testing.T, env map[string]string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	deadline, stop := context.WithTimeout(context.Background(), 30*time.Second)
	s := &served{urls: map[string]string{}, stdout: &lineWriter{lines: make(chan string, 64)}, stderr: &syncBuffer{}, ctx: deadline}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, append([]string{"serve"}, args...), func(k string) string { return env[k] }, s.stdout, s.stderr)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
		stop()
	})
	want := 3
	for _, a := range []string{"--dialogflow", "--dlp"} {
		for i, x := range args {
			if x == a && i+1 < len(args) && args[i+1] == "" {
				want--
			}
		}
	}
	for len(s.urls) < want {
		select {
		case line := <-s.stdout.lines:
			if name, addr, ok := strings.Cut(strings.TrimPrefix(line, "parley: "), " mock listening on "); ok {
				s.urls[name] = addr
			}
		case err := <-errc:
			errc <- err
			t.Fatalf("serve returned early: %v\n%s", err, s.stderr)
		case <-deadline.Done():
			t.Fatalf("serve announced only %v", s.urls)
		}
	}
	return s
}

// tlsReceiver is an assistant's webhook endpoint over HTTPS; caFile holds its certificate in PEM.
func tlsReceiver(t *testing.T, secret, verifyToken string) (srv *httptest.Server, caFile string, bodies chan []byte) {
	t.Helper()
	bodies = make(chan []byte, 16)
	srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("hub.verify_token") != verifyToken {
				http.Error(w, "bad token", http.StatusForbidden)
				return
			}
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		b, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature(secret, b, r.Header.Get("X-Hub-Signature-256")) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		bodies <- b
	}))
	t.Cleanup(srv.Close)
	caFile = filepath.Join(t.TempDir(), "assistant-ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return srv, caFile, bodies
}

func poolFrom(t *testing.T, file string) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("%s holds no PEM certificate", file)
	}
	return pool
}

func do(t *testing.T, ctx context.Context, hc *http.Client, method, url, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeTLS: with --tls every mock is served over HTTPS (gRPC included) with a certificate from the
// run's CA written to --tls-ca-out, which is all an assistant needs to trust (SSL_CERT_FILE); webhooks go
// to an https:// callback verified against --webhook-ca, only on the hosts --webhook-hosts allows.
func TestServeTLS(t *testing.T) {
	rcv, rcvCA, bodies := tlsReceiver(t, whatsapp.DefaultAppSecret, whatsapp.DefaultVerifyToken)
	caOut := filepath.Join(t.TempDir(), "parley-ca.pem")
	s := startServe(t, map[string]string{"PARLEY_PAIR_RATE": "0"},
		"--whatsapp", "127.0.0.1:0", "--dialogflow", "127.0.0.1:0", "--dlp", "127.0.0.1:0",
		"--tls", "--tls-ca-out", caOut, "--webhook", rcv.URL+"/webhook", "--webhook-ca", rcvCA, "--webhook-hosts", "127.0.0.1")
	for name, u := range s.urls {
		if !strings.HasPrefix(u, "https://") {
			t.Errorf("%s served at %s, want https://", name, u)
		}
	}
	roots := poolFrom(t, caOut)
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer trusting.CloseIdleConnections()

	// The Graph API over HTTPS, trusted through the run's CA alone.
	code, body := do(t, s.ctx, trusting, http.MethodGet, s.urls["whatsapp"]+"/v23.0/"+whatsapp.DefaultPhoneNumberID, whatsapp.DefaultAccessToken, "")
	if code != http.StatusOK {
		t.Fatalf("GET the phone number over TLS: %d %s", code, body)
	}
	// A client that does not trust the run's CA is refused the handshake.
	if _, err := http.Get(s.urls["whatsapp"] + "/v23.0/" + whatsapp.DefaultPhoneNumberID); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client without the run's CA: err %v, want a certificate error", err)
	}
	// Plain HTTP to the TLS port is not served.
	if code, _ := do(t, s.ctx, http.DefaultClient, http.MethodGet, strings.Replace(s.urls["whatsapp"], "https://", "http://", 1)+"/v23.0/x", "", ""); code != http.StatusBadRequest {
		t.Fatalf("plain HTTP on the TLS port answered %d, want Go's 400 for HTTP to an HTTPS server", code)
	}

	// gRPC over TLS (HTTP/2 by ALPN), as the official DLP client connects.
	conn, err := grpc.NewClient(strings.TrimPrefix(s.urls["dlp"], "https://"), grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(roots, "")))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	res, err := dlppb.NewDlpServiceClient(conn).InspectContent(s.ctx, &dlppb.InspectContentRequest{
		Parent: "projects/parley-demo/locations/global",
		Item:   &dlppb.ContentItem{DataItem: &dlppb.ContentItem_Value{Value: "escribe a lucia@example.com"}},
	})
	if err != nil {
		t.Fatalf("DLP InspectContent over gRPC and TLS: %v", err)
	}
	if len(res.GetResult().GetFindings()) == 0 {
		t.Fatal("DLP over TLS found nothing in an e-mail address")
	}
	// REST on the same port over TLS.
	code, body = do(t, s.ctx, trusting, http.MethodGet, s.urls["dialogflow"]+"/_parley/journal", "", "")
	if code != http.StatusOK {
		t.Fatalf("Dialogflow control over TLS: %d %s", code, body)
	}

	// The webhook reaches the https:// callback, verified against --webhook-ca.
	code, body = do(t, s.ctx, trusting, http.MethodPost, s.urls["whatsapp"]+"/_parley/customers/34600111222/messages", "", `{"text":"hola"}`)
	if code != http.StatusOK {
		t.Fatalf("customer message: %d %s", code, body)
	}
	var sr whatsapp.SendResult
	_ = json.Unmarshal([]byte(body), &sr)
	if sr.WebhookStatus != 200 || sr.Error != "" {
		t.Fatalf("webhook over TLS: %+v", sr)
	}
	select {
	case b := <-bodies:
		if !strings.Contains(string(b), "hola") {
			t.Fatalf("webhook body %s", b)
		}
	case <-s.ctx.Done():
		t.Fatal("the https callback got no webhook")
	}
	// A webhook URL on a host the run did not allow is refused.
	code, body = do(t, s.ctx, trusting, http.MethodPost, s.urls["whatsapp"]+"/_parley/webhook", "", `{"url":"https://169.254.169.254/webhook"}`)
	if code != http.StatusBadRequest || !strings.Contains(body, "not one this run allows") {
		t.Fatalf("webhook to a host not allowed: %d %s", code, body)
	}
}

// TestServeWebhookCA: without --webhook-ca the assistant's self-made certificate is not trusted, and the
// failed handshake says why.
func TestServeWebhookCA(t *testing.T) {
	rcv, _, _ := tlsReceiver(t, whatsapp.DefaultAppSecret, whatsapp.DefaultVerifyToken)
	s := startServe(t, map[string]string{"PARLEY_PAIR_RATE": "0"},
		"--whatsapp", "127.0.0.1:0", "--dialogflow", "", "--dlp", "", "--webhook", rcv.URL+"/webhook")
	code, body := do(t, s.ctx, http.DefaultClient, http.MethodPost, s.urls["whatsapp"]+"/_parley/customers/34600111222/messages", "", `{"text":"hola"}`)
	if code != http.StatusOK {
		t.Fatalf("customer message: %d %s", code, body)
	}
	var sr whatsapp.SendResult
	_ = json.Unmarshal([]byte(body), &sr)
	if sr.Error == "" || !strings.Contains(sr.Error, "certificate") {
		t.Fatalf("delivery to an untrusted certificate: %+v, want a certificate error", sr)
	}
}

func TestServeTLSUsage(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"tls without a CA file", []string{"--tls", "--tls-ca-out", ""}, "--tls-ca-out"},
		{"webhook CA missing", []string{"--webhook-ca", "/nonexistent/ca.pem"}, "--webhook-ca"},
		{"webhook host not allowed", []string{"--webhook", "http://bot:8080/webhook", "--webhook-hosts", "127.0.0.1"}, "not one this run allows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			args := append([]string{"serve", "--whatsapp", "127.0.0.1:0", "--dialogflow", "", "--dlp", ""}, tc.args...)
			err := run(ctx, args, func(string) string { return "" }, io.Discard, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one naming %q", err, tc.want)
			}
		})
	}
}
