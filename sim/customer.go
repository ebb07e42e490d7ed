package sim

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// Recorder is where customers write their ground truth: the shared journal in-process, or the harness's
// own journal in container mode (merged with the mocks' journals afterwards).
type Recorder interface {
	Record(source journal.Source, kind, customer string, data any) journal.Event
}

// Hooks are the business's other channels, reached through the assistant's certification hooks
// (docs/bot-contract.md). A customer who opts in on the web or at an ATM does it through them.
type Hooks interface {
	// Consent tells the assistant that the customer opted in (or withdrew) outside WhatsApp.
	Consent(ctx context.Context, c ConsentHook) error
	// Notify tells the assistant of a business event for one customer (e.g. "order_shipped").
	Notify(ctx context.Context, waID, event, order string, at time.Time) error
	// Campaign asks the assistant to send a marketing campaign to everyone who may receive it.
	Campaign(ctx context.Context, campaign, template string, at time.Time) error
	// ReleaseHandoff tells the assistant the human agent has handed the chat back.
	ReleaseHandoff(ctx context.Context, waID string) error
}

// ConsentHook is an opt-in collected outside WhatsApp.
type ConsentHook struct {
	WaID    string    `json:"wa_id"`
	Purpose string    `json:"purpose"`
	Channel string    `json:"channel"`
	Wording string    `json:"wording"`
	Given   bool      `json:"given"`
	Time    time.Time `json:"time"`
}

// Persona is who a simulated customer is.
type Persona struct {
	WaID string // digits only, with the country code: 34612345678
	Name string // the WhatsApp profile name
	Lang string // es or en
	// Known says the customer is one the assistant's test data names, whom its backend knows by their
	// number: they keep the declared number (World.Known) instead of one made for the scenario.
	Known bool
}

// World is what customers share: the WhatsApp control, the journal for ground truth, the assistant's
// hooks, and a way to wait until the assistant has finished answering.
type World struct {
	WhatsApp whatsapp.Control
	Journal  Recorder
	// Hooks reach the assistant's certification hooks; nil when it has none (out-of-band opt-ins fail).
	Hooks Hooks
	// Settle waits until the assistant and the mocks have nothing left in flight, so that "receives no
	// message" can be judged. Nil means only the mock's own queue is awaited.
	Settle func(ctx context.Context) error
	// Numbers gives the number a customer declared with this phone really has in this environment, as a
	// wa_id, or "" when it has none; nil keeps the declared number. Different declared numbers must get
	// different numbers, and one declared number the same one each time. When one assistant plays many
	// scenarios and remembers its customers, Numbering.For gives each scenario numbers of its own.
	Numbers func(declared string) string
	// Known, when set, is told the number of a customer the assistant's test data names (Persona.Known),
	// who keeps it, and returns it; when nil, such a customer keeps the declared number all the same.
	Known func(number string) string

	mu       sync.Mutex
	declared map[string]string // a customer's declared number → their real one, when they differ
}

// phoneLike finds what people write as a phone number in a message.
var phoneLike = regexp.MustCompile(`\+?\d[\d -]{6,18}\d`)

// realNumbers rewrites, in what a customer says, the declared number of any customer of the world into
// the number that customer really has (Numbers), so that "the data of 34600000001" still names that
// customer when every scenario's customers have numbers of their own.
func (w *World) realNumbers(text string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.declared) == 0 {
		return text
	}
	return phoneLike.ReplaceAllStringFunc(text, func(m string) string {
		real, ok := w.declared[NormalizePhone(m)]
		if !ok {
			return m
		}
		if strings.HasPrefix(m, "+") {
			return "+" + real
		}
		return real
	})
}

// Customer is one simulated person with a WhatsApp number.
//
// A customer waits for the assistant, as people do: every action that reaches the assistant (a message,
// a tap, a request, an opt-in on another channel, stopping promotions, blocking, a forged webhook in their
// name) returns only once the world has settled (World.AwaitQuiet: the assistant done answering, every
// webhook delivered), so what it answered is in the customer's inbox and the next action cannot overtake
// it. A customer made with NoWait returns as soon as the WhatsApp mock has delivered the message.
type Customer struct {
	Persona
	w      *World
	noWait bool

	mu      sync.Mutex
	seen    int      // inbox messages already consumed by the Await… methods
	said    []string // what the customer sent, for transcripts
	planted int      // canaries planted so far, to keep each unique
}

// CustomerOption changes how a customer behaves.
type CustomerOption func(*Customer)

// NoWait makes a customer whose actions do not wait for the world to settle: for many customers at once
// (load), where the world as a whole is never still and each customer awaits its own replies
// (AwaitReply, or the journal).
func NoWait() CustomerOption { return func(c *Customer) { c.noWait = true } }

// NewCustomer returns a customer of world w, whose phone is the one declared in p or, when w.Numbers is
// set, the number it gives for it.
func (w *World) NewCustomer(p Persona, opts ...CustomerOption) (*Customer, error) {
	p.WaID = NormalizePhone(p.WaID)
	if len(p.WaID) < 8 || len(p.WaID) > 15 {
		return nil, fmt.Errorf("customer %q: phone %q is not an international number (e.g. +34 612 345 678)", p.Name, p.WaID)
	}
	if p.Lang == "" {
		p.Lang = "es"
	}
	if p.Lang != "es" && p.Lang != "en" {
		return nil, fmt.Errorf("customer %q: language %q is not supported; use es or en", p.Name, p.Lang)
	}
	if w.WhatsApp == nil || w.Journal == nil {
		return nil, errors.New("a simulated customer needs the WhatsApp control and a journal")
	}
	switch {
	case p.Known && w.Known != nil:
		p.WaID = NormalizePhone(w.Known(p.WaID))
	case p.Known:
	case w.Numbers != nil:
		declared := p.WaID
		p.WaID = NormalizePhone(w.Numbers(declared))
		if len(p.WaID) < 8 || len(p.WaID) > 15 {
			return nil, fmt.Errorf("customer %q: this environment has no number for phone +%s; declare another phone", p.Name, declared)
		}
		if p.WaID != declared {
			w.mu.Lock()
			if w.declared == nil {
				w.declared = map[string]string{}
			}
			w.declared[declared] = p.WaID
			w.mu.Unlock()
		}
	}
	c := &Customer{Persona: p, w: w}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// NormalizePhone turns a phone as people write it ("+34 612 345 678", "0034-612345678") into a wa_id.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "00") {
		d = d[2:]
	}
	return d
}

func (c *Customer) record(kind string, data any) journal.Event {
	return c.w.Journal.Record(journal.SourceCustomer, kind, c.WaID, data)
}

func (c *Customer) send(ctx context.Context, m whatsapp.CustomerMessage) (whatsapp.SendResult, error) {
	if m.Name == "" {
		m.Name = c.Name
	}
	c.mu.Lock()
	c.said = append(c.said, describe(m))
	c.mu.Unlock()
	res, err := c.w.WhatsApp.SendFromCustomer(ctx, c.WaID, m)
	if err != nil {
		return res, fmt.Errorf("%s could not send %s: %w", c.Name, describe(m), err)
	}
	return res, c.wait(ctx)
}

// wait waits for the world to settle after an action, unless the customer does not wait (NoWait).
func (c *Customer) wait(ctx context.Context) error {
	if c.noWait {
		return nil
	}
	return c.w.AwaitQuiet(ctx)
}

func describe(m whatsapp.CustomerMessage) string {
	switch m.Type {
	case "", "text":
		return strconv.Quote(m.Text) // as %q writes it, without fmt on every message sent
	case "button", "interactive":
		return fmt.Sprintf("[taps %q]", m.Text)
	case "location":
		return fmt.Sprintf("[location %.4f,%.4f]", m.Latitude, m.Longitude)
	case "reaction":
		return fmt.Sprintf("[reacts %s]", m.Emoji)
	default:
		return fmt.Sprintf("[%s %s]", m.Type, m.Filename)
	}
}

// Say sends a text message.
func (c *Customer) Say(ctx context.Context, text string) (whatsapp.SendResult, error) {
	return c.send(ctx, whatsapp.CustomerMessage{Type: "text", Text: c.w.realNumbers(text)})
}

// Tap taps the button or list row titled title on the newest message that offers it: a template's quick
// reply is a "button" message, an interactive message's reply button or row an "interactive" one.
func (c *Customer) Tap(ctx context.Context, title string) (whatsapp.SendResult, error) {
	msg, err := c.offering(ctx, title)
	if err != nil {
		return whatsapp.SendResult{}, err
	}
	typ := "interactive"
	if msg.Type == "template" {
		typ = "button"
	}
	return c.send(ctx, whatsapp.CustomerMessage{Type: typ, Text: title, Context: msg.ID})
}

func (c *Customer) offering(ctx context.Context, title string) (whatsapp.InboxMessage, error) {
	inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return whatsapp.InboxMessage{}, err
	}
	for i := len(inbox) - 1; i >= 0; i-- {
		for _, b := range inbox[i].Buttons {
			if strings.EqualFold(b, title) {
				return inbox[i], nil
			}
		}
	}
	return whatsapp.InboxMessage{}, c.failure(ctx, "%s cannot tap %q: no message received offers it", c.Name, title)
}

// SendMedia sends an image, document, audio, video or sticker.
func (c *Customer) SendMedia(ctx context.Context, typ, mimeType, filename string, data []byte, caption string) (whatsapp.SendResult, error) {
	return c.send(ctx, whatsapp.CustomerMessage{Type: typ, MimeType: mimeType, Filename: filename, Data: data, Text: caption})
}

// SendLocation shares a location.
func (c *Customer) SendLocation(ctx context.Context, lat, lng float64, place string) (whatsapp.SendResult, error) {
	return c.send(ctx, whatsapp.CustomerMessage{Type: "location", Latitude: lat, Longitude: lng, PlaceName: place})
}

// OptInInChat answers the assistant's opt-in question by tapping yes (or writing it, when no message offers
// the button). The consent is ground truth only with the wording the customer was actually shown: the
// newest message that asked.
func (c *Customer) OptInInChat(ctx context.Context, purpose, yes string) error {
	msg, err := c.offering(ctx, yes)
	wording := msg.Text
	if err != nil {
		wording = c.lastReceivedText(ctx)
	}
	c.record(journal.KindConsentGiven, journal.ConsentData{Purpose: purpose, Channel: "whatsapp", Wording: wording})
	if err != nil {
		_, err = c.Say(ctx, yes)
		return err
	}
	_, err = c.Tap(ctx, yes)
	return err
}

// DeclineInChat answers the opt-in question with no.
func (c *Customer) DeclineInChat(ctx context.Context, purpose, no string) error {
	c.record(journal.KindConsentRefused, journal.ConsentData{Purpose: purpose, Channel: "whatsapp", Wording: c.lastReceivedText(ctx)})
	if _, err := c.offering(ctx, no); err != nil {
		_, err = c.Say(ctx, no)
		return err
	}
	_, err := c.Tap(ctx, no)
	return err
}

func (c *Customer) lastReceivedText(ctx context.Context) string {
	inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil || len(inbox) == 0 {
		return ""
	}
	return inbox[len(inbox)-1].Text
}

// OptInElsewhere opts in on another channel of the business (web, sms, app, atm) through the assistant's
// consent hook.
func (c *Customer) OptInElsewhere(ctx context.Context, purpose, channel, wording string, at time.Time) error {
	switch channel {
	case "web", "sms", "app", "atm":
	default:
		return fmt.Errorf("%s: channel %q is not one of web, sms, app, atm", c.Name, channel)
	}
	if c.w.Hooks == nil {
		return fmt.Errorf("%s cannot opt in through the %s: the assistant under test has no consent hook", c.Name, channel)
	}
	c.record(journal.KindConsentGiven, journal.ConsentData{Purpose: purpose, Channel: channel, Wording: wording})
	err := c.w.Hooks.Consent(ctx, ConsentHook{WaID: c.WaID, Purpose: purpose, Channel: channel, Wording: wording, Given: true, Time: at})
	// The assistant may act on what it was told even when it refused it: the customer waits either way.
	if werr := c.wait(ctx); err == nil {
		err = werr
	}
	return err
}

// HookError is an assistant's answer, other than 2xx, to one of its certification hooks. A 4xx is the
// assistant refusing what it was told (e.g. an opt-in without its wording), which some journeys expect.
type HookError struct {
	Hook    string // consent, notify, campaign, handoff/release
	Status  int    // the HTTP status answered
	Message string // the body answered, trimmed
}

func (e *HookError) Error() string {
	return fmt.Sprintf("the assistant answered HTTP %d to POST /parley/%s: %s", e.Status, e.Hook, e.Message)
}

// Refused reports whether the assistant refused the call as a wrong request (4xx), as opposed to failing.
func (e *HookError) Refused() bool { return e.Status >= 400 && e.Status < 500 }

// OptOut asks, in the chat and in the customer's own words, to receive no more marketing.
func (c *Customer) OptOut(ctx context.Context, phrase string) (whatsapp.SendResult, error) {
	phrase = c.w.realNumbers(phrase) // recorded as said
	c.record(journal.KindOptoutRequested, journal.OptoutData{Via: "chat", Phrase: phrase})
	return c.Say(ctx, phrase)
}

// OptOutByButton taps an opt-out quick reply ("Baja", "Stop promotions") on a marketing message.
func (c *Customer) OptOutByButton(ctx context.Context, title string) (whatsapp.SendResult, error) {
	c.record(journal.KindOptoutRequested, journal.OptoutData{Via: "button", Phrase: title})
	return c.Tap(ctx, title)
}

// StopPromotions presses WhatsApp's own "Stop promotions" control: the platform refuses marketing
// templates from then on (131050) and tells the assistant with a user_preferences webhook. The mock
// records the opt-out as ground truth (source customer), since it is the one that sees it in every mode.
func (c *Customer) StopPromotions(ctx context.Context) error {
	if err := c.w.WhatsApp.StopPromotions(ctx, c.WaID); err != nil {
		return err
	}
	return c.wait(ctx)
}

// Block blocks the business in WhatsApp; the mock records it as ground truth.
func (c *Customer) Block(ctx context.Context) error {
	if err := c.w.WhatsApp.Block(ctx, c.WaID, true); err != nil {
		return err
	}
	return c.wait(ctx)
}

// Rights a customer can exercise (GDPR articles 15 to 21).
var Rights = []string{"access", "portability", "rectification", "erasure", "restriction", "objection"}

// Request makes a data-protection request in the customer's own words.
func (c *Customer) Request(ctx context.Context, right, wording string) (whatsapp.SendResult, error) {
	known := false
	for _, r := range Rights {
		known = known || r == right
	}
	if !known {
		return whatsapp.SendResult{}, fmt.Errorf("%s: %q is not a data-protection right; use one of %s", c.Name, right, strings.Join(Rights, ", "))
	}
	wording = c.w.realNumbers(wording) // recorded as said
	c.record(journal.KindDataRequest, journal.DataRequestData{Right: right, Wording: wording})
	return c.Say(ctx, wording)
}

// Forge has someone who is not WhatsApp post the assistant a webhook with a text "from" this customer,
// signed as how says (none, a wrong secret, a tampered body): an attacker who found the webhook URL. The
// customer did not say it, so it is not in their transcript; the mock journals the attempt with the
// status the assistant answered, which must be 401 or 403 (WA-SEC-01).
func (c *Customer) Forge(ctx context.Context, text string, how whatsapp.Forgery) (whatsapp.SendResult, error) {
	res, err := c.w.WhatsApp.ForgeWebhook(ctx, c.WaID, whatsapp.CustomerMessage{Type: "text", Text: text}, how)
	if err != nil {
		return res, fmt.Errorf("forging a webhook from %s: %w", c.Name, err)
	}
	return res, c.wait(ctx)
}

// AskForHuman asks to talk to a person.
func (c *Customer) AskForHuman(ctx context.Context, wording string) (whatsapp.SendResult, error) {
	wording = c.w.realNumbers(wording) // recorded as said
	c.record(journal.KindHandoffRequested, journal.HandoffData{Phrase: wording})
	return c.Say(ctx, wording)
}
