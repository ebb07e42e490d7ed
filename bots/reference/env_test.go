package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/dialogflow"
	"github.com/parley-dev/parley/mocks/dlp"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// testCallTimeout keeps the outage tests short; the mocks answer in microseconds otherwise.
const testCallTimeout = 2 * time.Second

// env is the reference assistant running in-process against the real mocks, sharing one journal and one
// simulated clock, configured only through the bot contract.
type env struct {
	t    testing.TB
	ctx  context.Context
	j    *journal.Journal
	wa   *whatsapp.Server
	df   *dialogflow.Server
	dlp  *dlp.Server
	bot  *Bot
	url  string
	mark uint64 // journal position of the last mark()
}

func newEnv(t testing.TB, violations ...string) *env {
	t.Helper()
	return newEnvWith(t, nil, nil, violations...)
}

// newEnvWith is newEnv with extra options for the WhatsApp mock and the assistant.
func newEnvWith(t testing.TB, waOpts []whatsapp.Option, botOpts []Option, violations ...string) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	j := journal.New(nil)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String()
	logger := slog.New(slog.DiscardHandler)
	df := dialogflow.RunT(t, dialogflow.WithJournal(j), dialogflow.WithLogger(logger))
	d := dlp.RunT(t, dlp.WithJournal(j), dlp.WithLogger(logger))
	wa := whatsapp.RunT(t, append([]whatsapp.Option{whatsapp.WithJournal(j), whatsapp.WithWebhook(url + "/webhook"), whatsapp.WithLogger(logger)}, waOpts...)...)
	cfg := Config{
		WhatsAppAPIURL: wa.URL(), WhatsAppAPIVersion: "v23.0", PhoneNumberID: wa.PhoneNumberID(),
		Token: wa.AccessToken(), AppSecret: wa.AppSecret(), VerifyToken: wa.VerifyToken(),
		DialogflowEndpoint: df.Addr(), DialogflowProject: df.Project(), DialogflowLanguage: "es",
		DLPEndpoint: d.Addr(),
	}
	botLog := slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	bot, err := New(cfg, append([]Option{WithViolations(violations...), WithClock(j.Clock().Now), WithLogger(botLog),
		WithRetryBase(time.Millisecond), WithCallTimeout(testCallTimeout)}, botOpts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: bot.Handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	t.Cleanup(func() {
		_ = srv.Close()
		<-served
		_ = bot.Close()
	})
	return &env{t: t, ctx: ctx, j: j, wa: wa, df: df, dlp: d, bot: bot, url: url}
}

// settle waits until the assistant and the mock have nothing in flight, across a quiet round.
func (e *env) settle() {
	e.t.Helper()
	for {
		before := e.j.Last()
		if err := e.bot.AwaitIdle(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		if err := e.wa.AwaitIdle(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		if err := e.bot.AwaitIdle(e.ctx); err != nil {
			e.t.Fatal(err)
		}
		if e.j.Last() == before {
			return
		}
	}
}

func (e *env) send(waID string, m whatsapp.CustomerMessage) {
	e.t.Helper()
	res, err := e.wa.SendFromCustomer(e.ctx, waID, m)
	if err != nil {
		e.t.Fatalf("customer %s: %v", waID, err)
	}
	if res.WebhookStatus != http.StatusOK {
		e.t.Fatalf("customer %s: webhook answered %d (%s)", waID, res.WebhookStatus, res.Error)
	}
	e.settle()
}

// say sends a text and returns what the customer received in answer.
func (e *env) say(waID, text string) []whatsapp.InboxMessage {
	e.t.Helper()
	before := len(e.inbox(waID))
	e.send(waID, whatsapp.CustomerMessage{Text: text})
	return e.inbox(waID)[before:]
}

// tap taps a reply button (interactive) offered to the customer.
func (e *env) tap(waID, title, id string) []whatsapp.InboxMessage {
	e.t.Helper()
	before := len(e.inbox(waID))
	e.send(waID, whatsapp.CustomerMessage{Type: "interactive", Text: title, Payload: id})
	return e.inbox(waID)[before:]
}

func (e *env) inbox(waID string) []whatsapp.InboxMessage {
	e.t.Helper()
	in, err := e.wa.Inbox(e.ctx, waID)
	if err != nil {
		e.t.Fatal(err)
	}
	return in
}

func (e *env) advance(d time.Duration) {
	e.t.Helper()
	if _, err := e.wa.AdvanceClock(e.ctx, d); err != nil {
		e.t.Fatal(err)
	}
}

// hook posts a certification hook and returns the status and decoded answer.
func (e *env) hook(path string, body any) (int, HookResult) {
	e.t.Helper()
	var res HookResult
	st := e.hookInto(path, body, &res)
	return st, res
}

// hookInto posts a certification hook and decodes its answer into res.
func (e *env) hookInto(path string, body any, res any) int {
	e.t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(e.ctx, http.MethodPost, e.url+"/parley/"+path, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, res); err != nil {
		e.t.Errorf("hook %s answered %d with %q: %v", path, resp.StatusCode, data, err)
	}
	e.settle()
	return resp.StatusCode
}

func (e *env) consent(waID, purpose, channel, wording string) int {
	e.t.Helper()
	st, _ := e.hook("consent", map[string]any{"version": "1", "wa_id": waID, "purpose": purpose, "channel": channel,
		"wording": wording, "given": true, "time": e.j.Clock().Now().Format(time.RFC3339)})
	return st
}

func (e *env) campaign() CampaignResult {
	e.t.Helper()
	var res CampaignResult
	st := e.hookInto("campaign", map[string]any{"version": "1", "campaign": "verano", "time": e.j.Clock().Now().Format(time.RFC3339)}, &res)
	if st != http.StatusOK {
		e.t.Fatalf("campaign hook answered %d: %+v", st, res)
	}
	return res
}

func (e *env) notify(waID, order string) HookResult {
	e.t.Helper()
	st, res := e.hook("notify", map[string]any{"version": "1", "wa_id": waID, "event": "order_shipped", "order": order,
		"time": e.j.Clock().Now().Format(time.RFC3339)})
	if st != http.StatusOK {
		e.t.Fatalf("notify hook answered %d: %+v", st, res)
	}
	return res
}

// optIn makes a new customer start a chat and accept marketing with the button.
func (e *env) optIn(waID string) {
	e.t.Helper()
	e.say(waID, "hola")
	got := e.tap(waID, "Sí, acepto", buttonOptInYes)
	if len(got) == 0 || !strings.Contains(got[0].Text, "Te enviaremos ofertas") {
		e.t.Fatalf("opt-in not confirmed: %s", transcript(got))
	}
}

// markJournal remembers the journal position; since() returns the events after it.
func (e *env) markJournal() { e.mark = e.j.Last() }

func (e *env) since(kind string) []journal.Event {
	var out []journal.Event
	for _, ev := range e.j.After(e.mark) {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

func (e *env) events(kind string) []journal.Event {
	return e.j.Filter(func(ev journal.Event) bool { return ev.Kind == kind })
}

func outbound(t testing.TB, evs []journal.Event) []journal.OutboundData {
	t.Helper()
	var out []journal.OutboundData
	for _, ev := range evs {
		var o journal.OutboundData
		if err := ev.Decode(&o); err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// sentTo returns the outbound calls (accepted or rejected) to waID after the mark.
func (e *env) sentTo(waID string) []journal.OutboundData {
	e.t.Helper()
	var evs []journal.Event
	for _, ev := range e.j.After(e.mark) {
		if (ev.Kind == journal.KindOutboundAccepted || ev.Kind == journal.KindOutboundRejected) && ev.Customer == waID {
			evs = append(evs, ev)
		}
	}
	return outbound(e.t, evs)
}

func detects(t testing.TB, evs []journal.Event) []journal.DetectIntentData {
	t.Helper()
	var out []journal.DetectIntentData
	for _, ev := range evs {
		var d journal.DetectIntentData
		if err := ev.Decode(&d); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

func transcript(ms []whatsapp.InboxMessage) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString("\n  [" + m.Type + "] ")
		if m.Template != nil {
			b.WriteString("template " + m.Template.Name + ": ")
		}
		b.WriteString(m.Text)
		if len(m.Buttons) > 0 {
			b.WriteString(" " + strings.Join(m.Buttons, "|"))
		}
	}
	return b.String()
}

func anyContains(ms []whatsapp.InboxMessage, sub string) bool {
	for _, m := range ms {
		if strings.Contains(strings.ToLower(m.Text), strings.ToLower(sub)) {
			return true
		}
	}
	return false
}

// download fetches a media object from the mock as the customer's phone would: the Graph API gives its
// URL, which is read with the bearer token.
func (e *env) download(mediaID string) (mimeType string, data []byte) {
	e.t.Helper()
	get := func(url string) []byte {
		req, _ := http.NewRequestWithContext(e.ctx, http.MethodGet, url, nil)
		req.Header.Set("Authorization", "Bearer "+e.wa.AccessToken())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			e.t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			e.t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
		}
		return b
	}
	var meta struct {
		URL      string `json:"url"`
		MimeType string `json:"mime_type"`
	}
	if err := json.Unmarshal(get(e.wa.URL()+"/v23.0/"+mediaID), &meta); err != nil {
		e.t.Fatal(err)
	}
	return meta.MimeType, get(meta.URL)
}

// export is a document the customer received.
type export struct {
	mimeType, filename string
	raw                []byte
	doc                exportDocument
	parses             bool
}

var errNoExport = errors.New("no document received")

// lastExport returns the last document waID received, downloaded and decoded.
func (e *env) lastExport(waID string) (export, error) {
	e.t.Helper()
	in := e.inbox(waID)
	for i := len(in) - 1; i >= 0; i-- {
		if in[i].Type != "document" {
			continue
		}
		var req struct {
			Document struct {
				ID       string `json:"id"`
				Filename string `json:"filename"`
			} `json:"document"`
		}
		if err := json.Unmarshal(in[i].Message, &req); err != nil {
			return export{}, err
		}
		x := export{filename: req.Document.Filename}
		x.mimeType, x.raw = e.download(req.Document.ID)
		x.parses = json.Unmarshal(x.raw, &x.doc) == nil
		return x, nil
	}
	return export{}, errNoExport
}

// testLog sends the assistant's warnings to the test log, so a failure shows why.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
