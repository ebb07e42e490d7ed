package parleycontainer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/parleycontainer"
	"github.com/parley-dev/parley/sim"
)

// A project's test: the mocks in containers, published on loopback only; the project's assistant on this
// host (here echoBot, a few lines that answer "eco: " and what they were sent), configured with the bot
// contract; and a journey, a simulated customer who says hello, played against it and audited.
func Example() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	c, err := parleycontainer.Run(ctx) // published on loopback only, the default
	if err != nil {
		log.Fatal(err) // e.g. no Docker engine
	}
	defer c.Terminate(ctx)

	// The assistant listens on every interface: the mocks reach it from their container.
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		log.Fatal(err)
	}
	assistant := &http.Server{Handler: echoBot(c.BotContract()), ReadHeaderTimeout: 10 * time.Second}
	go assistant.Serve(l)
	defer assistant.Close()
	if err := c.Control().SetWebhook(ctx, parleycontainer.HostURL(l.Addr().(*net.TCPAddr).Port, "/webhook")); err != nil {
		log.Fatal(err)
	}

	hello := sim.Journey{Name: "hello", Run: func(ctx context.Context, w *sim.World) error {
		lucia, err := w.NewCustomer(sim.Persona{WaID: "+34 600 111 222", Name: "Lucía"})
		if err != nil {
			return err
		}
		// A customer waits for the assistant to answer before the next step.
		if _, err := lucia.Say(ctx, "Hola"); err != nil {
			return err
		}
		got, err := lucia.Unread(ctx)
		if err != nil {
			return err
		}
		for _, m := range got {
			fmt.Println(m.Text)
		}
		return nil
	}}
	res := harness.Play(ctx, c.Environment(), hello)
	if res.Err != nil {
		log.Fatal(res.Err)
	}
	// The auditor judged the run: an assistant that never says it is automated breaks AI-DISC-01.
	if r, _ := res.Report.Result("AI-DISC-01"); r.Status == "" {
		log.Fatal("AI-DISC-01 was not judged")
	}
	// Output:
	// eco: Hola
}

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
