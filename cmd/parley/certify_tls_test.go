package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
)

// TestCertifyTLS: `parley certify --bot-url … --tls` serves the vendor run's mocks over HTTPS with the
// run's CA in --tls-ca-out, and parley's own control calls trust it.
func TestCertifyTLS(t *testing.T) {
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer bot.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var cfg certifyConfig
	fs := flag.NewFlagSet("certify", flag.ContinueOnError)
	cfg.flags(fs)
	if err := fs.Parse([]string{"--bot-url", bot.URL, "--whatsapp", "127.0.0.1:0", "--dialogflow", "127.0.0.1:0", "--dlp", "127.0.0.1:0",
		"--tls", "--tls-ca-out", filepath.Join(t.TempDir(), "ca.pem")}); err != nil {
		t.Fatal(err)
	}
	v, err := startByURL(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	for _, m := range v.Mocks() {
		if !strings.HasPrefix(m.URL, "https://") {
			t.Errorf("%s mock at %s, want https://", m.Name, m.URL)
		}
	}
	env, err := v.Start(ctx, harness.Scenario{Name: "tls"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.World().WhatsApp.AwaitIdle(ctx); err != nil {
		t.Fatalf("a control call over TLS: %v", err)
	}
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: nil}}
	if _, err := hc.Get(v.Mocks()[0].URL + "/_parley/idle"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("a client without the run's CA: %v, want a certificate error", err)
	}
}
