package production_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dfapi "cloud.google.com/go/dialogflow/apiv2"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/production"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// proxyChild, set in a child process of TestProxy, makes it the assistant: TestProxyAssistant runs
// with the environment TestProxy gave it and nothing else.
const proxyChild = "PARLEY_TEST_PROXY_CHILD"

// startProxyStack starts the mocks with the proxy on loopback, on the test's kit.
func startProxyStack(t *testing.T) *stack.Stack {
	t.Helper()
	s, err := stack.Start(stack.Config{
		WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0",
		Proxy: "127.0.0.1:0", ProductionDir: kitDir,
	}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestProxy: an assistant on the host that knows nothing of parley, given only HTTPS_PROXY, the run's
// CA (SSL_CERT_FILE) and the service-account key (GOOGLE_APPLICATION_CREDENTIALS), reaches the mocks
// by production names: Google's official Dialogflow client with no option at all, and a WhatsApp send
// to https://graph.facebook.com with Go's default client. A host parley does not answer for is
// refused and journalled as unmodelled, naming it. The assistant runs in a child process because Go
// reads the proxy and CA variables once per process.
func TestProxy(t *testing.T) {
	s := startProxyStack(t)
	proxy := s.URL("proxy")
	if !strings.HasPrefix(proxy, "http://127.0.0.1:") {
		t.Fatalf("the proxy listens at %q, want loopback", proxy)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-test.run=^TestProxyAssistant$", "-test.count=1", "-test.v")
	cmd.Env = []string{
		proxyChild + "=1",
		"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH"),
		"HTTPS_PROXY=" + proxy,
		"SSL_CERT_FILE=" + filepath.Join(kitDir, production.FileCA),
		"GOOGLE_APPLICATION_CREDENTIALS=" + filepath.Join(kitDir, production.FileCredentials),
		"WHATSAPP_TOKEN=" + whatsapp.DefaultAccessToken,
		"WHATSAPP_PHONE_NUMBER_ID=" + whatsapp.DefaultPhoneNumberID,
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the assistant through the proxy: %v\n%s", err, out)
	}
	var detected, sent bool
	var unmodelled []journal.RequestData
	for _, e := range s.Journal.Events() {
		switch e.Kind {
		case journal.KindDetectIntent:
			detected = true
		case journal.KindOutboundAccepted:
			sent = true
		case journal.KindUnmodelled:
			var d journal.RequestData
			_ = e.Decode(&d)
			unmodelled = append(unmodelled, d)
		}
	}
	if !detected || !sent {
		t.Errorf("through the proxy: detect intent journalled %v, message accepted %v; want both\n%s", detected, sent, out)
	}
	if len(unmodelled) != 1 || unmodelled[0].Host != "example.com" || unmodelled[0].Method != http.MethodConnect || !strings.Contains(unmodelled[0].Detail, "example.com:443") {
		t.Errorf("unmodelled: %+v; want the CONNECT to example.com:443 alone", unmodelled)
	}
}

// TestProxyAssistant is the assistant of TestProxy; alone it does nothing.
func TestProxyAssistant(t *testing.T) {
	if os.Getenv(proxyChild) == "" {
		t.Skip("run by TestProxy")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := dfapi.NewSessionsClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := detect(ctx, c)
	if err != nil {
		t.Fatalf("Dialogflow through the proxy: %v", err)
	}
	if resp.GetQueryResult().GetIntent().GetDisplayName() == "" {
		t.Errorf("no intent matched: %v", resp)
	}

	body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": "34600000001", "type": "text", "text": map[string]string{"body": "Hola"}})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://graph.facebook.com/v23.0/"+os.Getenv("WHATSAPP_PHONE_NUMBER_ID")+"/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+os.Getenv("WHATSAPP_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("WhatsApp through the proxy: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), `"wamid.`) {
		t.Errorf("WhatsApp through the proxy: %d %s", res.StatusCode, b)
	}

	if _, err := http.Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("https://example.com through the proxy: %v; want the proxy's refusal", err)
	}
}

// TestProxyRefuses: the proxy opens tunnels to port 443 of the production names only, answers nothing
// but CONNECT, and drops a request header that never ends; each refusal is journalled.
func TestProxyRefuses(t *testing.T) {
	s := startProxyStack(t)
	addr := strings.TrimPrefix(s.URL("proxy"), "http://")
	ask := func(t *testing.T, raw string) string {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := io.WriteString(c, raw); err != nil {
			return ""
		}
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(line)
	}
	for _, tc := range []struct{ name, raw, want, host string }{
		{"another host", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", "HTTP/1.1 403 Forbidden", "example.com"},
		{"another port", "CONNECT graph.facebook.com:22 HTTP/1.1\r\nHost: graph.facebook.com:22\r\n\r\n", "HTTP/1.1 403 Forbidden", "graph.facebook.com"},
		{"the metadata server", "CONNECT metadata.google.internal:443 HTTP/1.1\r\nHost: metadata.google.internal:443\r\n\r\n", "HTTP/1.1 403 Forbidden", "metadata.google.internal"},
		{"an IP address", "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", "HTTP/1.1 403 Forbidden", "127.0.0.1"},
		{"a plain request", "GET http://graph.facebook.com/v23.0/me HTTP/1.1\r\nHost: graph.facebook.com\r\n\r\n", "HTTP/1.1 405 Method Not Allowed", "graph.facebook.com"},
		{"a modelled host", "CONNECT graph.facebook.com:443 HTTP/1.1\r\nHost: graph.facebook.com:443\r\n\r\n", "HTTP/1.1 200 Connection established", ""},
		{"a header too long", "CONNECT graph.facebook.com:443 HTTP/1.1\r\nX: " + strings.Repeat("a", 64<<10) + "\r\n\r\n", "HTTP/1.1 400 Bad Request", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(events(s, journal.KindUnmodelled))
			if got := ask(t, tc.raw); got != tc.want {
				t.Errorf("answer %q, want %q", got, tc.want)
			}
			got := events(s, journal.KindUnmodelled)[before:]
			switch {
			case tc.host == "" && len(got) != 0:
				t.Errorf("journalled %+v, want nothing", got)
			case tc.host != "" && (len(got) != 1 || got[0].Host != tc.host):
				t.Errorf("journalled %+v, want one unmodelled call to %s", got, tc.host)
			}
		})
	}
}

// TestProxyLoopbackOnly: the proxy refuses to listen beyond loopback.
func TestProxyLoopbackOnly(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0"} {
		_, err := stack.Start(stack.Config{WhatsAppAddr: "127.0.0.1:0", Proxy: addr, ProductionDir: kitDir}, journal.New(nil))
		if err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("--proxy %s: %v, want a refusal naming loopback", addr, err)
		}
	}
}
