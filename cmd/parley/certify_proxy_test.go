package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestPrintEnvProxyRoute: `certify --print-env --proxy ADDR --production-dir DIR` makes the kit in DIR
// and prints the production route; the mocks certify --bot-url starts with the same two flags serve, at
// ADDR, the CA and key printed: a send to https://graph.facebook.com through the printed proxy, trusting
// only the printed CA, is the WhatsApp mock's, and another host is refused.
func TestPrintEnvProxyRoute(t *testing.T) {
	dir, proxy := t.TempDir()+"/kit", freeAddr(t)
	mockFlags := []string{"--whatsapp", freeAddr(t), "--dialogflow", freeAddr(t), "--dlp", freeAddr(t), "--proxy", proxy, "--production-dir", dir}
	out, _, err := runEnv(t, nil, append([]string{"certify", "--print-env"}, mockFlags...)...)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		env[k] = v
	}
	for k, want := range map[string]string{
		"HTTPS_PROXY": "http://" + proxy, "SSL_CERT_FILE": dir + "/ca.pem", "NODE_EXTRA_CA_CERTS": dir + "/ca.pem",
		"REQUESTS_CA_BUNDLE": dir + "/ca.pem", "GOOGLE_APPLICATION_CREDENTIALS": dir + "/google-credentials.json",
		"WHATSAPP_API_URL": "https://graph.facebook.com", "DIALOGFLOW_ENDPOINT": "dialogflow.googleapis.com:443", "DLP_ENDPOINT": "dlp.googleapis.com:443",
	} {
		if env[k] != want {
			t.Errorf("%s=%q, want %q", k, env[k], want)
		}
	}
	ca, err := os.ReadFile(env["SSL_CERT_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(env["GOOGLE_APPLICATION_CREDENTIALS"]); err != nil {
		t.Fatal(err)
	}

	var cfg certifyConfig
	fs := flag.NewFlagSet("certify", flag.ContinueOnError)
	cfg.flags(fs)
	if err := fs.Parse(append([]string{"--bot-url", "http://127.0.0.1:9"}, mockFlags...)); err != nil {
		t.Fatal(err)
	}
	if _, err := planCertify(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	v, err := startByURL(cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	pu, _ := url.Parse(env["HTTPS_PROXY"])
	c := &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}}}
	body := `{"messaging_product":"whatsapp","to":"34600000001","type":"text","text":{"body":"Hola"}}`
	req, _ := http.NewRequest(http.MethodPost, env["WHATSAPP_API_URL"]+"/v23.0/"+env["WHATSAPP_PHONE_NUMBER_ID"]+"/messages", bytes.NewBufferString(body))
	req.Header.Set("Authorization", "Bearer "+whatsapp.DefaultAccessToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "wamid.") {
		t.Errorf("a send through the printed route: %d %s", res.StatusCode, b)
	}
	if _, err := c.Get("https://example.com/"); err == nil {
		t.Error("https://example.com through the proxy: answered; want it refused")
	}
}

// TestProxyFlagsChecked: --proxy is refused without a kit directory, beyond loopback, on port 0 (the
// assistant must be told the address before the run), and outside --bot-url.
func TestProxyFlagsChecked(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--print-env", "--proxy", "127.0.0.1:4050"},
		{"--print-env", "--proxy", "0.0.0.0:4050", "--production-dir", dir},
		{"--print-env", "--proxy", "127.0.0.1:0", "--production-dir", dir},
		{"--proxy", "127.0.0.1:4050", "--production-dir", dir, "--out", t.TempDir()},
	} {
		_, _, err := runEnv(t, nil, append([]string{"certify"}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("certify %v: %v, want a usage error", args, err)
		}
	}
}
