package stack

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

func TestCheckExposure(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		refused bool
	}{
		{"loopback", Config{WhatsAppAddr: "127.0.0.1:0", DLPAddr: "localhost:0"}, false},
		{"all interfaces without a token", Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "0.0.0.0:0"}, true},
		{"all interfaces with a token", Config{WhatsAppAddr: "0.0.0.0:0", ControlToken: "s3cr3t"}, false},
		{"all interfaces with a token of one space", Config{WhatsAppAddr: "0.0.0.0:0", ControlToken: " "}, true},
		{"a token with a line break", Config{WhatsAppAddr: "127.0.0.1:0", ControlToken: "a\r\nX-Evil: 1"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Start(tc.cfg, journal.New(nil))
			var ce *ConfigError
			if got := errors.As(err, &ce); got != tc.refused {
				t.Fatalf("refused %t (%v), want %t", got, err, tc.refused)
			}
		})
	}
}

// TestTLSAndToken: with TLS and a control token, the mocks serve HTTPS with the run's CA, written where
// asked, and ControlHTTP carries the token and trusts the CA; a client without the token is refused.
func TestTLSAndToken(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	s, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0", ControlToken: "s3cr3t", TLS: true, TLSCAOut: caFile}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if b, err := os.ReadFile(caFile); err != nil || !strings.Contains(string(b), "CERTIFICATE") {
		t.Fatalf("the run's CA was not written: %v", err)
	}
	for _, m := range s.Mocks {
		if !strings.HasPrefix(m.URL, "https://") {
			t.Errorf("%s at %s, want https", m.Name, m.URL)
		}
	}
	resp, err := s.ControlHTTP().Get(s.URL("whatsapp") + "/_parley/idle")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("control call with the token: %d", resp.StatusCode)
	}
	bare := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.Roots}}}
	resp, err = bare.Get(s.URL("whatsapp") + "/_parley/idle")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("control call without the token: %d, want 401", resp.StatusCode)
	}
	if _, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", TLS: true}, journal.New(nil)); err == nil {
		t.Error("TLS without a file for the CA was accepted")
	}
}

// TestAgentWebhook: fulfilment goes to the agent webhook given, journalled; a malformed one is refused
// before anything starts.
func TestAgentWebhook(t *testing.T) {
	got := make(chan string, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Path
		_, _ = io.WriteString(w, `{"fulfillmentText":"from the local service"}`)
	}))
	defer hook.Close()
	j := journal.New(nil)
	s, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", AgentWebhook: hook.URL + "/fulfilment"}, j)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	body := `{"queryInput":{"text":{"text":"¿dónde está mi pedido 12345?","languageCode":"es"}}}`
	resp, err := http.Post(s.URL("dialogflow")+"/v2/projects/parley-demo/agent/sessions/s1:detectIntent", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if p := <-got; p != "/fulfilment" {
		t.Errorf("webhook path %q", p)
	}
	if !strings.Contains(string(b), "from the local service") {
		t.Errorf("detectIntent %d %s", resp.StatusCode, b)
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindFulfillment })); n != 1 {
		t.Errorf("%d fulfillment.call events", n)
	}

	_, err = Start(Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", AgentWebhook: "127.0.0.1:8080"}, journal.New(nil))
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "--agent-webhook") {
		t.Errorf("malformed agent webhook: %v", err)
	}
}

// TestInnerListenersNeedTheToken: with a control token, the loopback port each mock listens on behind the
// address asked for (the url= and addr= of its log line) guards /_parley/ with the same token: the journal
// and the clock are not reachable there without it.
func TestInnerListenersNeedTheToken(t *testing.T) {
	s, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0", ControlToken: "s3cr3t"}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	inner := map[string]string{"whatsapp": s.WhatsApp().URL(), "dialogflow": s.Dialogflow().URL(), "dlp": s.DLP().URL()}
	for name, u := range inner {
		if u == s.URL(name) {
			t.Errorf("%s: the inner listener is the outer one (%s)", name, u)
		}
		for _, path := range []string{"/_parley/journal", "/_parley/clock", "/_parley/healthz"} {
			resp, err := http.Get(u + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s inner %s without the token: %d, want 401", name, path, resp.StatusCode)
			}
		}
		req, _ := http.NewRequest(http.MethodGet, u+"/_parley/journal", nil)
		req.Header.Set("Authorization", "Bearer s3cr3t")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s inner journal with the token: %d", name, resp.StatusCode)
		}
	}
}

// TestControlLimits: on every mock, a fault delayed beyond 30 s ("1000h") is refused with a 400, and a
// control body over its limit is a 413, both in the mock's own JSON envelope.
func TestControlLimits(t *testing.T) {
	s, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0"}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	post := func(url, body string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var env map[string]any
		if resp.StatusCode < 300 {
			return resp.StatusCode, nil
		}
		if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || env["error"] == nil {
			t.Errorf("POST %s: %d is not the JSON envelope (%v)", url, resp.StatusCode, err)
		}
		return resp.StatusCode, env
	}
	big := `{"kind":"` + strings.Repeat("x", 2<<20) + `"}`
	for _, m := range s.Mocks {
		t.Run(m.Name, func(t *testing.T) {
			for _, d := range []string{"1000h", "31s"} {
				if st, env := post(m.URL+"/_parley/faults", `{"delay":"`+d+`"}`); st != http.StatusBadRequest {
					t.Errorf("fault delayed %s: %d %v, want 400", d, st, env)
				}
			}
			if st, env := post(m.URL+"/_parley/faults", `{"delay":"30s","count":1}`); st != http.StatusNoContent && st != http.StatusOK {
				t.Errorf("fault delayed 30s: %d %v, want it taken", st, env)
			}
			if st, env := post(m.URL+"/_parley/faults", big); st != http.StatusRequestEntityTooLarge {
				t.Errorf("2 MiB fault: %d %v, want 413", st, env)
			}
		})
	}
	if st, env := post(s.URL("dialogflow")+"/_parley/force", big); st != http.StatusRequestEntityTooLarge {
		t.Errorf("dialogflow: 2 MiB override: %d %v, want 413", st, env)
	}
	huge := `{"text":"` + strings.Repeat("x", whatsapp.MaxControlBytes) + `"}`
	if st, env := post(s.URL("whatsapp")+"/_parley/customers/34600000001/messages", huge); st != http.StatusRequestEntityTooLarge {
		t.Errorf("whatsapp: oversized customer message: %d %v, want 413", st, env)
	}
}

// TestHeadersTooLargeFronted: with a control token each mock is served through its front, which refuses
// headers over the limit in the mock's own JSON envelope, as the mock's own listener does.
func TestHeadersTooLargeFronted(t *testing.T) {
	s, err := Start(Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0", ControlToken: "s3cr3t"}, journal.New(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want := map[string]string{"whatsapp": `"fbtrace_id"`, "dialogflow": `"INVALID_ARGUMENT"`, "dlp": `"INVALID_ARGUMENT"`}
	for _, m := range s.Mocks {
		req, _ := http.NewRequest(http.MethodGet, m.URL+"/_parley/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("p", 128<<10))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !json.Valid(b) || !strings.Contains(string(b), want[m.Name]) {
			t.Errorf("%s: %d %s, want 431 in its JSON envelope with %s", m.Name, resp.StatusCode, b, want[m.Name])
		}
	}
}
