package embedded

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/internal/testbot"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/stack"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// echo is the smallest assistant of the bot contract, written in Go: the hub.challenge handshake, the
// signature check, and "eco: TEXT" sent back through the Graph API from a goroutine of its own, which may
// run after the webhook has been answered (as with assistants that queue their work). It has no
// certification hooks.
type echo struct {
	mu       sync.Mutex
	contract harness.Contract
	pending  sync.WaitGroup
	closed   bool
}

func newEcho(c harness.Contract) (http.Handler, error) { return &echo{contract: c}, nil }

func (b *echo) setContract(c harness.Contract) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.contract = c
}

func (b *echo) Close() error {
	b.pending.Wait()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	return nil
}

func (b *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	c := b.contract
	b.mu.Unlock()
	testbot.Webhook(c.Getenv, func(from, text string) {
		b.pending.Add(1)
		go func() {
			defer b.pending.Done()
			testbot.SendText(c.Getenv, from, "eco: "+text)
		}()
	}).ServeHTTP(w, r)
}

// hello is a journey for the echo: a customer says hello and, once the customer's action has waited for
// the assistant, the echo is in the inbox.
var hello = sim.Journey{Name: "hello", Run: func(ctx context.Context, w *sim.World) error {
	c, err := w.NewCustomer(sim.Persona{WaID: "34600000001", Name: "Lucía"})
	if err != nil {
		return err
	}
	if _, err := c.Say(ctx, "Hola"); err != nil {
		return err
	}
	got, err := c.Unread(ctx)
	if err != nil {
		return err
	}
	if len(got) != 1 || got[0].Text != "eco: Hola" {
		return errors.New("the echo is not in the inbox once the customer's message has settled:\n" + c.Transcript(ctx))
	}
	return nil
}}

// TestHandlerAssistant: an assistant given as an http.Handler is configured with the bot contract, served
// over HTTPS for webhooks (its TLS probed), settles with its replies in, answers 404 to the hooks it does
// not have, and is closed with the environment.
func TestHandlerAssistant(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var bot *echo
	newBot := func(c harness.Contract) (http.Handler, error) {
		if !strings.HasPrefix(c.Getenv("WHATSAPP_API_URL"), "http://127.0.0.1:") || c.Getenv("DIALOGFLOW_ENDPOINT") == "" || c.Getenv("DLP_ENDPOINT") == "" {
			t.Errorf("contract %v", c)
		}
		h, err := newEcho(c)
		bot = h.(*echo)
		return h, err
	}
	env, err := Start(ctx, Options{Assistant: Handler(newBot)})
	if err != nil {
		t.Fatal(err)
	}
	res := harness.Play(ctx, env, hello)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if !strings.HasPrefix(env.WebhookURL(), "https://") {
		t.Errorf("webhooks go to %s, want the HTTPS face", env.WebhookURL())
	}
	probes := 0
	for _, e := range res.Events {
		if e.Kind == journal.KindTLSProbe {
			probes++
		}
	}
	if probes != 4 {
		t.Errorf("%d tls.probe events, want one per TLS version", probes)
	}
	var he *sim.HookError
	if err := env.World().Hooks.Campaign(ctx, "promo", "", time.Now()); !errors.As(err, &he) || he.Status != http.StatusNotFound {
		t.Errorf("a hook the assistant lacks: %v", err)
	}
	if err := env.Close(); err != nil {
		t.Fatal(err)
	}
	if !bot.closed {
		t.Error("the handler was not closed with the environment")
	}
}

// TestByURL: an assistant already running is checked before the first scenario (the preflight), its
// scenarios play against mocks that live for the whole run, and it settles on a quiet journal.
func TestByURL(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Configured, as a running assistant is, with the mocks' credentials; their addresses come later.
	bot := &echo{contract: harness.Contract{"WHATSAPP_VERIFY_TOKEN": whatsapp.DefaultVerifyToken, "WHATSAPP_APP_SECRET": whatsapp.DefaultAppSecret}}
	srv := httptest.NewServer(bot)
	defer srv.Close()
	// The mocks on ports of their own, not parley serve's, so the test runs next to anything else; the
	// assistant learns where once they listen.
	free := stack.Config{WhatsAppAddr: "127.0.0.1:0", DialogflowAddr: "127.0.0.1:0", DLPAddr: "127.0.0.1:0"}
	v, err := StartByURL(ByURLOptions{Assistant: srv.URL + "/", Mocks: free, Quiet: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	bot.setContract(v.Contract())
	if err := v.Preflight(ctx); err != nil {
		t.Fatal(err)
	}
	env, err := v.Start(ctx, harness.Scenario{Name: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if res := harness.Play(ctx, env, hello); res.Err != nil {
		t.Fatal(res.Err)
	}

	// Nothing answers there: the preflight says so instead of the first scenario.
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()
	v2, err := StartByURL(ByURLOptions{Assistant: gone.URL, Mocks: free})
	if err != nil {
		t.Fatal(err)
	}
	defer v2.Close()
	if err := v2.Preflight(ctx); err == nil || !strings.Contains(err.Error(), "refused the connection") {
		t.Errorf("an assistant that is not there: %v", err)
	}
}

// TestWebhookConnectionsResume: WhatsApp's webhook client opens a second connection when two webhooks are
// in flight at once, and that connection resumes the TLS session of the first instead of a full
// handshake; both webhooks arrive signed and are answered.
func TestWebhookConnectionsResume(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var (
		mu      sync.Mutex
		resumed []bool
	)
	both := make(chan struct{})
	var arrived sync.WaitGroup
	arrived.Add(2)
	go func() { arrived.Wait(); close(both) }()
	newBot := func(harness.Contract) (http.Handler, error) {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet { // the hub.challenge handshake, on the first connection
				_, _ = io.WriteString(w, r.URL.Query().Get("hub.challenge"))
				return
			}
			mu.Lock()
			resumed = append(resumed, r.TLS.DidResume)
			mu.Unlock()
			arrived.Done()
			<-both // held until the other webhook is in: each has a connection of its own
		}), nil
	}
	env, err := Start(ctx, Options{Assistant: Handler(newBot)})
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	if ok, err := env.WhatsApp().AwaitHandshake(ctx); !ok || err != nil {
		t.Fatalf("handshake: %v, %v", ok, err)
	}
	var sent sync.WaitGroup
	for _, waID := range []string{"34600000001", "34600000002"} {
		sent.Add(1)
		go func() {
			defer sent.Done()
			res, err := env.WhatsApp().SendFromCustomer(ctx, waID, whatsapp.CustomerMessage{Text: "Hola"})
			if err != nil || res.WebhookStatus != http.StatusOK {
				t.Errorf("%s: webhook %d, %v", waID, res.WebhookStatus, err)
			}
		}()
	}
	sent.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(resumed) != 2 || resumed[0] == resumed[1] {
		t.Errorf("resumed sessions of the two webhooks: %v, want one full handshake (the handshake's connection) and one resumed", resumed)
	}
}
