package parleycontainer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/parleycontainer"
)

// echoBot is the smallest assistant of the bot contract: the hub.challenge handshake, the signature
// check, and a reply through the Graph API.
func echoBot(contract map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/webhook" {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodGet {
			q := r.URL.Query()
			if q.Get("hub.verify_token") != contract["WHATSAPP_VERIFY_TOKEN"] {
				w.WriteHeader(http.StatusForbidden)
				return
			}
			io.WriteString(w, q.Get("hub.challenge"))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if !whatsapp.VerifySignature(contract["WHATSAPP_APP_SECRET"], body, r.Header.Get("X-Hub-Signature-256")) {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		var hook struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Messages []struct {
							From string
							Text struct{ Body string }
						}
					}
				}
			}
		}
		_ = json.Unmarshal(body, &hook)
		for _, e := range hook.Entry {
			for _, c := range e.Changes {
				for _, m := range c.Value.Messages {
					reply, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": m.From, "type": "text",
						"text": map[string]string{"body": "eco: " + m.Text.Body}})
					req, _ := http.NewRequest(http.MethodPost, contract["WHATSAPP_API_URL"]+"/v23.0/"+contract["WHATSAPP_PHONE_NUMBER_ID"]+"/messages", bytes.NewReader(reply))
					req.Header.Set("Authorization", "Bearer "+contract["WHATSAPP_TOKEN"])
					req.Header.Set("Content-Type", "application/json")
					if resp, err := http.DefaultClient.Do(req); err == nil {
						resp.Body.Close()
					}
				}
			}
		}
	})
}

// TestRun: what Example shows, run: the mocks in a container, an assistant on the host reached through
// host.docker.internal, a customer's message and its answer, the journal, and nothing left after
// Terminate.
func TestRun(t *testing.T) {
	dockertest.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	start := time.Now()
	c, err := parleycontainer.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("parleycontainer.Run in %s", time.Since(start).Round(time.Millisecond))
	defer c.Terminate(ctx)

	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: echoBot(c.BotContract()), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(l)
	defer srv.Close()

	ctl := c.Control()
	if err := ctl.SetWebhook(ctx, parleycontainer.HostURL(l.Addr().(*net.TCPAddr).Port, "/webhook")); err != nil {
		t.Fatal(err)
	}
	res, err := ctl.SendFromCustomer(ctx, "34600111222", whatsapp.CustomerMessage{Text: "Hola", Name: "Lucía"})
	if err != nil || res.WebhookStatus != 200 {
		t.Fatalf("send: %+v %v", res, err)
	}
	inbox, err := ctl.AwaitInbox(ctx, "34600111222", 1)
	if err != nil {
		t.Fatal(err)
	}
	if inbox[0].Text != "eco: Hola" {
		t.Errorf("the customer received %q", inbox[0].Text)
	}
	evs, err := c.Journal(ctx)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, e := range evs {
		kinds[e.Kind] = true
	}
	for _, k := range []string{journal.KindWebhookVerify, journal.KindInboundDelivered, journal.KindOutboundAccepted} {
		if !kinds[k] {
			t.Errorf("no %s in the journal (%v)", k, kinds)
		}
	}

	// Dialogflow and DLP answer on their endpoints, their control routes with the run's token.
	hc := control.Client(c.ControlToken(), nil)
	if err := dialogflow.NewControlClient("http://"+c.DialogflowEndpoint(), control.WithHTTPClient(hc)).Healthz(ctx); err != nil {
		t.Errorf("Dialogflow: %v", err)
	}
	if _, err := dlp.NewControlClient("http://"+c.DLPEndpoint(), control.WithHTTPClient(hc)).Faults(ctx); err != nil {
		t.Errorf("DLP: %v", err)
	}
	if !strings.HasPrefix(c.WhatsAppURL(), "http://") {
		t.Errorf("WhatsAppURL %q", c.WhatsAppURL())
	}

	if err := c.Terminate(ctx); err != nil {
		t.Fatal(err)
	}
	left, err := harness.Leftovers(ctx, fmt.Sprintf("%s=%s", harness.LabelRun, c.RunID()))
	if err != nil || len(left) > 0 {
		t.Errorf("after Terminate: %v %v", left, err)
	}
}
