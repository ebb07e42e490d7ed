package sim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/pii"
)

// echoBot is the smallest assistant that talks to the mock: it answers every text with "eco: TEXT",
// offers two reply buttons when asked for "opciones", and stays silent on "silencio". It answers inside
// the webhook call, so once SendFromCustomer returns its reply is in the customer's inbox.
type echoBot struct {
	graph string // the mock's base URL
	srv   *httptest.Server
}

func newEchoBot(t *testing.T) *echoBot {
	b := &echoBot{}
	b.srv = httptest.NewServer(http.HandlerFunc(b.webhook))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *echoBot) webhook(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet { // hub.challenge handshake
		w.Write([]byte(r.URL.Query().Get("hub.challenge")))
		return
	}
	var env struct {
		Entry []struct {
			Changes []struct {
				Value struct {
					Messages []struct {
						From        string `json:"from"`
						Type        string `json:"type"`
						Text        struct{ Body string }
						Interactive struct {
							ButtonReply struct{ Title string } `json:"button_reply"`
						}
					} `json:"messages"`
				} `json:"value"`
			} `json:"changes"`
		} `json:"entry"`
	}
	if err := json.NewDecoder(r.Body).Decode(&env); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	for _, e := range env.Entry {
		for _, c := range e.Changes {
			for _, m := range c.Value.Messages {
				text := m.Text.Body
				if m.Type == "interactive" {
					text = "pulsó " + m.Interactive.ButtonReply.Title
				}
				switch text {
				case "silencio":
				case "opciones":
					b.send(m.From, map[string]any{"type": "interactive", "interactive": map[string]any{
						"type": "button", "body": map[string]any{"text": "¿Quieres ofertas de Tienda Ejemplo por WhatsApp?"},
						"action": map[string]any{"buttons": []any{
							map[string]any{"type": "reply", "reply": map[string]any{"id": "yes", "title": "Sí"}},
							map[string]any{"type": "reply", "reply": map[string]any{"id": "no", "title": "No"}},
						}},
					}})
				default:
					b.send(m.From, map[string]any{"type": "text", "text": map[string]any{"body": "eco: " + text}})
				}
			}
		}
	}
}

func (b *echoBot) send(to string, msg map[string]any) {
	msg["messaging_product"] = "whatsapp"
	msg["to"] = to
	body, _ := json.Marshal(msg)
	req, _ := http.NewRequest(http.MethodPost, b.graph+"/v23.0/"+whatsapp.DefaultPhoneNumberID+"/messages", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+whatsapp.DefaultAccessToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
	}
}

type fakeHooks struct {
	mu   sync.Mutex
	got  []ConsentHook
	fail error
}

func (h *fakeHooks) Notify(context.Context, string, string, string, time.Time) error { return nil }
func (h *fakeHooks) Campaign(context.Context, string, string, time.Time) error       { return nil }
func (h *fakeHooks) ReleaseHandoff(context.Context, string) error                    { return nil }

func (h *fakeHooks) Consent(_ context.Context, c ConsentHook) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.got = append(h.got, c)
	return h.fail
}

// newWorld starts the mock with the echo bot. The throughput limit is off: the simulated clock does not
// move during a test, so 100 customers answered in one simulated second would exceed the real 80/s.
func newWorld(t *testing.T) (*World, *journal.Journal, *fakeHooks) {
	t.Helper()
	bot := newEchoBot(t)
	j := journal.New(nil)
	wa := whatsapp.RunT(t, whatsapp.WithJournal(j), whatsapp.WithWebhook(bot.srv.URL), whatsapp.WithMPS(0))
	bot.graph = wa.URL()
	hooks := &fakeHooks{}
	return &World{WhatsApp: wa, Journal: j, Hooks: hooks}, j, hooks
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestSayAndAwaitReply(t *testing.T) {
	w, _, _ := newWorld(t)
	ctx := ctxT(t)
	lucia, err := w.NewCustomer(Persona{WaID: "+34 612 345 678", Name: "Lucía", Lang: "es"})
	if err != nil {
		t.Fatal(err)
	}
	if lucia.WaID != "34612345678" {
		t.Errorf("wa_id %q, want 34612345678", lucia.WaID)
	}
	res, err := lucia.Say(ctx, "Hola, ¿qué tal? 😀")
	if err != nil || res.WebhookStatus != 200 || !strings.HasPrefix(res.ID, "wamid.") {
		t.Fatalf("Say = %+v, %v", res, err)
	}
	m, err := lucia.AwaitReply(ctx)
	if err != nil || m.Text != "eco: Hola, ¿qué tal? 😀" {
		t.Fatalf("reply %+v, %v", m, err)
	}
	lucia.Say(ctx, "uno")
	lucia.Say(ctx, "dos")
	if m, err := lucia.AwaitReplyContaining(ctx, "DOS"); err != nil || m.Text != "eco: dos" {
		t.Errorf("AwaitReplyContaining = %+v, %v", m, err)
	}
}

func TestTapOffersAndRecordsConsent(t *testing.T) {
	w, j, _ := newWorld(t)
	ctx := ctxT(t)
	c, _ := w.NewCustomer(Persona{WaID: "34611111111", Name: "Ana"})
	c.Say(ctx, "opciones")
	if err := c.OptInInChat(ctx, "marketing", "Sí"); err != nil {
		t.Fatal(err)
	}
	if m, err := c.AwaitReplyContaining(ctx, "pulsó Sí"); err != nil {
		t.Fatalf("tap not delivered as a button reply: %+v %v", m, err)
	}
	consents := j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindConsentGiven })
	if len(consents) != 1 || consents[0].Source != journal.SourceCustomer || consents[0].Customer != "34611111111" {
		t.Fatalf("consent events %+v", consents)
	}
	var cd journal.ConsentData
	consents[0].Decode(&cd)
	if cd.Channel != "whatsapp" || !strings.Contains(cd.Wording, "Tienda Ejemplo") {
		t.Errorf("consent %+v does not carry the wording shown", cd)
	}
	inbound, _ := j.Await(ctx, func(e journal.Event) bool { return e.Kind == journal.KindInboundDelivered && e.Seq > consents[0].Seq })
	if inbound.Seq <= consents[0].Seq {
		t.Error("the ground truth was not recorded before the message that carries it")
	}
	if _, err := c.Tap(ctx, "Quizás"); err == nil || !strings.Contains(err.Error(), "no message received offers it") || !strings.Contains(err.Error(), "received:") {
		t.Errorf("tapping a button nobody offered: %v", err)
	}
}

func TestExpectNoMessage(t *testing.T) {
	w, _, _ := newWorld(t)
	ctx := ctxT(t)
	c, _ := w.NewCustomer(Persona{WaID: "34622222222", Name: "Bea"})
	c.Say(ctx, "silencio")
	if err := c.ExpectNoMessage(ctx); err != nil {
		t.Errorf("silent bot flagged: %v", err)
	}
	c.Say(ctx, "hola")
	err := c.ExpectNoMessage(ctx)
	if err == nil || !strings.Contains(err.Error(), `"eco: hola"`) || !strings.Contains(err.Error(), `→ "hola"`) {
		t.Errorf("ExpectNoMessage after a reply = %v; want a failure with the transcript", err)
	}
}

func TestGroundTruthEvents(t *testing.T) {
	w, j, hooks := newWorld(t)
	ctx := ctxT(t)
	c, _ := w.NewCustomer(Persona{WaID: "34633333333", Name: "Carmen"})
	if err := c.OptInElsewhere(ctx, "marketing", "atm", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp", journal.DefaultStart); err != nil {
		t.Fatal(err)
	}
	if err := c.OptInElsewhere(ctx, "marketing", "fax", "x", journal.DefaultStart); err == nil {
		t.Error("an unknown channel was accepted")
	}
	c.OptOut(ctx, "no quiero más mensajes")
	c.Request(ctx, "erasure", "borrad mis datos")
	if _, err := c.Request(ctx, "teleport", "x"); err == nil {
		t.Error("an unknown right was accepted")
	}
	c.AskForHuman(ctx, "quiero hablar con una persona")
	if err := c.StopPromotions(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Block(ctx); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range j.Filter(func(e journal.Event) bool {
		return e.Source == journal.SourceCustomer && !strings.HasPrefix(e.Kind, "inbound.")
	}) {
		kinds = append(kinds, e.Kind)
	}
	want := []string{journal.KindConsentGiven, journal.KindOptoutRequested, journal.KindDataRequest,
		journal.KindHandoffRequested, journal.KindOptoutRequested, journal.KindCustomerBlocked}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("ground truth %v, want %v", kinds, want)
	}
	if len(hooks.got) != 1 || hooks.got[0].Channel != "atm" || hooks.got[0].WaID != "34633333333" {
		t.Errorf("consent hook calls %+v", hooks.got)
	}
}

func TestPlantIsUniqueAndValid(t *testing.T) {
	w, j, _ := newWorld(t)
	seen := map[string]bool{}
	for i := range 50 {
		c, _ := w.NewCustomer(Persona{WaID: fmt.Sprintf("3460000%04d", i), Name: "X"})
		for _, typ := range []string{CanaryName, CanaryEmail, CanaryDNI, CanaryOrder, CanaryPhone, CanaryCard, CanaryIBAN} {
			v, err := c.Plant(typ)
			if err != nil {
				t.Fatal(err)
			}
			if seen[v] {
				t.Fatalf("canary %q planted twice", v)
			}
			seen[v] = true
			if typ == CanaryDNI && !pii.ValidDNI(v) {
				t.Errorf("DNI canary %q has a wrong letter", v)
			}
			if typ == CanaryCard && !pii.Luhn(v) || typ == CanaryIBAN && !pii.ValidIBAN(v) {
				t.Errorf("%s canary %q has a wrong check digit", typ, v)
			}
			if typ == CanaryEmail && len(pii.Find(v)) != 1 {
				t.Errorf("e-mail canary %q is not found as an e-mail", v)
			}
		}
	}
	if n := len(j.Filter(func(e journal.Event) bool { return e.Kind == journal.KindCanaryPlanted })); n != 350 {
		t.Errorf("%d canary events, want 350", n)
	}
	c, _ := w.NewCustomer(Persona{WaID: "34600000001", Name: "Y"})
	if _, err := c.Plant("passport"); err == nil {
		t.Error("an unknown canary type was accepted")
	}
}

func TestNewCustomerBadInput(t *testing.T) {
	w, _, _ := newWorld(t)
	for _, p := range []Persona{{WaID: "123", Name: "short"}, {WaID: "34612345678", Lang: "fr"}} {
		if _, err := w.NewCustomer(p); err == nil {
			t.Errorf("NewCustomer(%+v) accepted", p)
		}
	}
}

func TestManyCustomersConcurrently(t *testing.T) {
	w, _, _ := newWorld(t)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := w.NewCustomer(Persona{WaID: fmt.Sprintf("3461%07d", i), Name: fmt.Sprint("C", i)})
			if err != nil {
				errs <- err
				return
			}
			text := fmt.Sprint("mensaje ", i)
			c.Say(ctx, text)
			m, err := c.AwaitReply(ctx)
			if err != nil || m.Text != "eco: "+text {
				errs <- fmt.Errorf("customer %d got %q, %v", i, m.Text, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// A text is described for transcripts exactly as fmt's %q wrote it.
func TestDescribeTextAsQuoted(t *testing.T) {
	for _, text := range []string{"Hola", "", "¿Dónde está mi pedido? 😀", "a\"b\\c\n\t\x01", "a\xffb", "\u2028`x`"} {
		for _, typ := range []string{"", "text"} {
			if got, want := describe(whatsapp.CustomerMessage{Type: typ, Text: text}), fmt.Sprintf("%q", text); got != want {
				t.Errorf("describe(%q) = %s, want %s", text, got, want)
			}
		}
	}
}

// TestActionsWaitForTheWorld: a customer's action returns once World.Settle has returned, so what the
// assistant answered is there to read; a NoWait customer's action does not wait for it.
func TestActionsWaitForTheWorld(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []CustomerOption
		want int // settles counted when Say returns
	}{
		{"by default", nil, 1},
		{"NoWait", []CustomerOption{NoWait()}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, _ := newWorld(t)
			ctx := ctxT(t)
			var settles atomic.Int64
			w.Settle = func(context.Context) error { settles.Add(1); return nil }
			c, err := w.NewCustomer(Persona{WaID: "34612345678", Name: "Lucía"}, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Say(ctx, "Hola"); err != nil {
				t.Fatal(err)
			}
			if got := settles.Load(); got != int64(tc.want) {
				t.Errorf("%d settles when Say returned, want %d", got, tc.want)
			}
			if tc.want == 0 {
				return
			}
			got, err := c.Unread(ctx)
			if err != nil || len(got) != 1 || got[0].Text != "eco: Hola" {
				t.Errorf("unread after Say: %+v %v, want the echo", got, err)
			}
		})
	}
}

// TestRenderKeepsLineBreaks: a message's paragraphs read as paragraphs in a failure's transcript, not
// as a literal \n\n.
func TestRenderKeepsLineBreaks(t *testing.T) {
	got := render(whatsapp.InboxMessage{Type: "text", Text: "Hola.\n\nPrivacidad: …"})
	if strings.Contains(got, `\n`) || got != "\"Hola.\n      \n      Privacidad: …\"" {
		t.Errorf("render = %q", got)
	}
	got = render(whatsapp.InboxMessage{Type: "template", Text: "a\nb", Template: &whatsapp.InboxTemplate{Name: "promo_verano", Language: "es", Category: "MARKETING"}})
	if got != "[template promo_verano/es MARKETING] \"a\n      b\"" {
		t.Errorf("render = %q", got)
	}
}
