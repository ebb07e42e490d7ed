package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// lineWriter is a concurrency-safe writer that hands out complete lines.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	lines chan string
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	for {
		s := w.buf.String()
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			break
		}
		w.lines <- s[:i]
		w.buf.Reset()
		w.buf.WriteString(s[i+1:])
	}
	return len(p), nil
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deadline, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	// A minimal assistant: the handshake, and 200 to webhooks signed with the secret given by environment.
	var delivered atomic.Int32
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if r.URL.Query().Get("hub.verify_token") != "verify-from-flag" {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			io.WriteString(w, r.URL.Query().Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature("secret-from-env", body, r.Header.Get("X-Hub-Signature-256")) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		delivered.Add(1)
	}))
	defer bot.Close()
	env := map[string]string{"PARLEY_ACCESS_TOKEN": "token-from-env", "PARLEY_PHONE_NUMBER_ID": "1234567", "PARLEY_APP_SECRET": "secret-from-env",
		"PARLEY_VERIFY_TOKEN": "overridden-by-the-flag"}
	out := &lineWriter{lines: make(chan string, 16)}
	errc := make(chan error, 1)
	go func() {
		errc <- run(ctx, []string{"serve", "--whatsapp", "127.0.0.1:0", "--pair-rate", "0", "--webhook", bot.URL + "/webhook", "--verify-token", "verify-from-flag",
			"--dialogflow", "127.0.0.1:0", "--dlp", "127.0.0.1:0"}, func(k string) string { return env[k] }, out, io.Discard)
	}()
	var url string
	select {
	case line := <-out.lines:
		_, url, _ = strings.Cut(line, "listening on ")
	case err := <-errc:
		t.Fatalf("serve returned early: %v", err)
	case <-deadline.Done():
		t.Fatal("serve printed nothing")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("listening on %q", url)
	}
	others := map[string]string{}
	for len(others) < 2 {
		select {
		case line := <-out.lines:
			name, addr, _ := strings.Cut(strings.TrimPrefix(line, "parley: "), " mock listening on ")
			others[name] = addr
		case <-deadline.Done():
			t.Fatalf("serve announced only %v besides WhatsApp", others)
		}
	}
	// The Dialogflow and DLP mocks answer on their ports and write to the same journal as WhatsApp.
	for _, call := range []struct{ url, body string }{
		{others["dialogflow"] + "/v2/projects/parley-demo/agent/sessions/s1:detectIntent", `{"queryInput":{"text":{"text":"hola","languageCode":"es"}}}`},
		{others["dlp"] + "/v2/projects/p/content:deidentify", `{"item":{"value":"mi email es ana@example.com"},"inspectConfig":{"infoTypes":[{"name":"EMAIL_ADDRESS"}]},"deidentifyConfig":{"infoTypeTransformations":{"transformations":[{"primitiveTransformation":{"replaceWithInfoTypeConfig":{}}}]}}}`},
	} {
		resp, err := http.Post(call.url, "application/json", strings.NewReader(call.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("POST %s: %d %s", call.url, resp.StatusCode, b)
		}
	}
	// The handshake WhatsApp runs when the callback URL is configured is journalled by its own goroutine:
	// wait for it (or any WhatsApp event), so that the combined journal has all three sources to show.
	var evs []journal.Event
	for {
		var err error
		evs, _, err = whatsapp.NewControlClient(url).JournalAfter(deadline, 0)
		if err != nil {
			t.Fatal(err)
		}
		if slices.ContainsFunc(evs, func(e journal.Event) bool { return e.Source == journal.SourceWhatsApp }) {
			break
		}
		select {
		case <-deadline.Done():
			t.Fatalf("no WhatsApp event in the journal: %v", evs)
		case <-time.After(10 * time.Millisecond):
		}
	}
	kinds := map[string]bool{}
	for _, e := range evs {
		kinds[e.Kind] = true
	}
	if !kinds["detect_intent"] || !kinds["deidentify"] {
		t.Errorf("the mocks do not share one journal: kinds %v", kinds)
	}
	// As docs/control-api.md says: each port's /_parley/journal is the whole journal, not a third of it
	// to merge.
	for _, j := range []func(context.Context, uint64) ([]journal.Event, uint64, error){
		dialogflow.NewControlClient(others["dialogflow"]).JournalAfter, dlp.NewControlClient(others["dlp"]).JournalAfter,
	} {
		got, _, err := j(deadline, 0)
		sources := map[journal.Source]bool{}
		for _, e := range got {
			sources[e.Source] = true
		}
		if err != nil || !sources[journal.SourceWhatsApp] || !sources[journal.SourceDialogflow] || !sources[journal.SourceDLP] {
			t.Errorf("a Google mock's journal has the sources %v (%v); want the combined journal", sources, err)
		}
	}
	resp, err := http.Get(url + "/_parley/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != `{"status":"ok"}` {
		t.Errorf("healthz %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/v23.0/1234567", nil)
	req.Header.Set("Authorization", "Bearer token-from-env")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("flags from the environment not applied: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	res, err := whatsapp.NewControlClient(url).SendFromCustomer(deadline, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"})
	if err != nil || res.WebhookStatus != 200 || delivered.Load() != 1 {
		t.Errorf("customer message through the control API: %+v %v (%d delivered)", res, err, delivered.Load())
	}
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("serve stopped with %v", err)
		}
	case <-deadline.Done():
		t.Fatal("serve did not stop after its context was cancelled")
	}
	if _, err := http.Get(url + "/_parley/healthz"); err == nil {
		t.Error("still answering after stop")
	}
}

func TestServeErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{name: "address in use", args: []string{"--whatsapp", ln.Addr().String()}, wantCode: 1, wantErr: "address already in use"},
		{name: "bad duration", args: []string{"--pair-rate", "soon"}, wantCode: 2},
		{name: "bad env", env: map[string]string{"PARLEY_MPS": "many"}, wantCode: 2, wantErr: "PARLEY_MPS"},
		{name: "negative mps", args: []string{"--whatsapp", "127.0.0.1:0", "--mps", "-1"}, wantCode: 1, wantErr: "WithMPS"},
		{name: "bad window mode", args: []string{"--whatsapp", "127.0.0.1:0", "--window-error", "later"}, wantCode: 1, wantErr: "WithWindowErrorMode"},
		{name: "missing templates dir", args: []string{"--whatsapp", "127.0.0.1:0", "--templates", "/nonexistent"}, wantCode: 1, wantErr: "templates"},
		{name: "extra argument", args: []string{"now"}, wantCode: 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stderr strings.Builder
			err := run(ctx, append([]string{"serve"}, tc.args...), func(k string) string { return tc.env[k] }, io.Discard, &stderr)
			if err == nil || exitCode(err) != tc.wantCode || !strings.Contains(err.Error()+stderr.String(), tc.wantErr) {
				t.Errorf("err %v (exit %d), stderr %q", err, exitCode(err), stderr.String())
			}
		})
	}
	t.Run("help", func(t *testing.T) {
		var stderr strings.Builder
		if err := run(context.Background(), []string{"serve", "-h"}, func(string) string { return "" }, io.Discard, &stderr); err != nil {
			t.Errorf("help: %v", err)
		}
		sc := bufio.NewScanner(strings.NewReader(stderr.String()))
		var flags int
		for sc.Scan() {
			if strings.HasPrefix(strings.TrimSpace(sc.Text()), "-") {
				flags++
			}
		}
		if flags < 11 || !strings.Contains(stderr.String(), "PARLEY_APP_SECRET") {
			t.Errorf("usage lists %d flags: %s", flags, stderr.String())
		}
	})
}
