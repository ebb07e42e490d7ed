package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// agentExport copies the built-in ES agent with its webhook URL set to a listener standing for the vendor's
// production backend, which must never see a request; it returns the copy and the listener's count.
func agentExport(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var prodHits atomic.Int32
	prod := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		prodHits.Add(1)
		_, _ = io.WriteString(w, `{"fulfillmentText":"from production"}`)
	}))
	t.Cleanup(prod.Close)
	dir := filepath.Join(t.TempDir(), "agent")
	if err := os.CopyFS(dir, os.DirFS("../../fixtures/agent")); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "agent.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`"url": ""`), []byte(`"url": "`+prod.URL+`/fulfilment"`), 1)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, &prodHits
}

// localFulfilment is the assistant's own fulfilment service: it counts calls and answers an empty
// WebhookResponse, which leaves the intent's reply as it is.
func localFulfilment(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/fulfilment", &hits
}

// TestServeAgentWebhook: serve --agent prints the export's load report to stderr, and fulfilment goes to
// --agent-webhook, never to the export's URL.
func TestServeAgentWebhook(t *testing.T) {
	dir, prodHits := agentExport(t)
	hook, hits := localFulfilment(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	out := &lineWriter{lines: make(chan string, 16)}
	errOut := &lineWriter{lines: make(chan string, 256)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--whatsapp", "127.0.0.1:0", "--dialogflow", "127.0.0.1:0", "--dlp", "",
			"--agent", dir, "--agent-webhook", hook}, func(string) string { return "" }, out, errOut)
	}()
	mocks := map[string]string{}
	for len(mocks) < 2 {
		select {
		case line := <-out.lines:
			name, addr, _ := strings.Cut(strings.TrimPrefix(line, "parley: "), " mock listening on ")
			mocks[name] = addr
		case err := <-errc:
			t.Fatalf("serve returned early: %v", err)
		case <-deadline.Done():
			t.Fatalf("serve announced only %v", mocks)
		}
	}
	var report []string
	for len(errOut.lines) > 0 {
		report = append(report, <-errOut.lines)
	}
	got := strings.Join(report, "\n")
	for _, want := range []string{"parley: --agent " + dir, `ES agent "Tienda Ejemplo"`, "(never called)", "fulfilment: calls go to " + hook} {
		if !strings.Contains(got, want) {
			t.Errorf("load report lacks %q:\n%s", want, got)
		}
	}
	body := `{"queryInput":{"text":{"text":"¿dónde está mi pedido 12345?","languageCode":"es"}}}`
	resp, err := http.Post(mocks["dialogflow"]+"/v2/projects/parley-demo/agent/sessions/s1:detectIntent", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Webhook execution successful") {
		t.Errorf("detectIntent %d %s", resp.StatusCode, b)
	}
	if hits.Load() != 1 || prodHits.Load() != 0 {
		t.Errorf("local fulfilment called %d times, the export's URL %d", hits.Load(), prodHits.Load())
	}
}

// TestAgentFlagErrors: a malformed --agent-webhook or an unreadable --agent is a usage error (exit 2) in
// every command that starts the mocks, before anything runs.
func TestAgentFlagErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "none")
	for _, cmd := range [][]string{
		{"serve", "--whatsapp", "127.0.0.1:0", "--dialogflow", "127.0.0.1:0", "--dlp", ""},
		{"certify", "--tags", "@AI-DISC-01", "--out", t.TempDir()},
		{"load", "--customers", "1"},
	} {
		for _, tc := range []struct {
			name    string
			args    []string
			wantErr string
		}{
			{"webhook not a URL", []string{"--agent-webhook", "127.0.0.1:8081"}, "--agent-webhook"},
			{"no such export", []string{"--agent", missing}, "--agent " + missing},
		} {
			t.Run(cmd[0]+"/"+tc.name, func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var stderr strings.Builder
				err := run(ctx, append(append([]string{}, cmd...), tc.args...), func(string) string { return "" }, io.Discard, &stderr)
				if exitCode(err) != 2 || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err %v (exit %d), stderr %q", err, exitCode(err), stderr.String())
				}
			})
		}
	}
}

// TestLoadAgent: parley load --agent serves the export to the reference assistant in this process, prints
// its load report, and sends the order-status fulfilment to --agent-webhook only.
func TestLoadAgent(t *testing.T) {
	dir, prodHits := agentExport(t)
	hook, hits := localFulfilment(t)
	mix := filepath.Join(t.TempDir(), "mix.json")
	if err := os.WriteFile(mix, []byte(`{"order_status":1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"load", "--customers", "2", "--mix", mix, "--agent", dir, "--agent-webhook", hook}, func(string) string { return "" }, &stdout, &stderr)
	if err != nil {
		t.Fatalf("load: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), `ES agent "Tienda Ejemplo"`) {
		t.Errorf("no load report on stderr:\n%s", stderr.String())
	}
	if hits.Load() == 0 || prodHits.Load() != 0 {
		t.Errorf("local fulfilment called %d times, the export's URL %d", hits.Load(), prodHits.Load())
	}
}

// TestCertifyAgent: certify --agent serves the export in embedded mode, prints its load report, and the
// order-status scenario's fulfilment goes to --agent-webhook, never to the export's URL.
func TestCertifyAgent(t *testing.T) {
	dir, prodHits := agentExport(t)
	hook, hits := localFulfilment(t)
	_, stderr, err := runEnv(t, nil, "certify", "--tags", "@PII-NLU-02", "--out", t.TempDir(), "--agent", dir, "--agent-webhook", hook)
	if err != nil && exitCode(err) != 1 {
		t.Fatalf("certify: %v\n%s", err, stderr)
	}
	if !strings.Contains(stderr, `ES agent "Tienda Ejemplo"`) || !strings.Contains(stderr, "fulfilment: calls go to "+hook) {
		t.Errorf("no load report on stderr:\n%s", stderr)
	}
	if hits.Load() == 0 || prodHits.Load() != 0 {
		t.Errorf("local fulfilment called %d times, the export's URL %d", hits.Load(), prodHits.Load())
	}
}
