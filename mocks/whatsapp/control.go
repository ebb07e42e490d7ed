package whatsapp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
)

// Control is what tests and the harness do to the mock besides the Graph API: play the customer, look at
// their phone and the journal, move the clock, set customer state and faults. *Server implements it
// in-process; *ControlClient implements it over the /_parley/ routes, so steps run unchanged against an
// embedded mock or a container.
type Control interface {
	// The control every mock has: InjectFault, ClearFaults and Faults, where a fault's kind is a Graph
	// error code (with a kind it hits sends, delayed by its delay; without one it delays every Graph API
	// answer), and JournalAfter.
	control.Mock
	// ForgeWebhook posts the assistant a messages webhook carrying m as if customer waID had sent it,
	// signed as forgery says (no X-Hub-Signature-256, or one the app secret does not produce): what an
	// attacker who knows the webhook URL can do. WhatsApp never sent it, so nothing changes in the
	// customer's chat or window; it is posted once (no retries) and journalled as webhook.attempt with
	// Signed false and the status the assistant answered (WA-SEC-01 wants 401 or 403).
	ForgeWebhook(ctx context.Context, waID string, m CustomerMessage, forgery Forgery) (SendResult, error)
	// SendFromCustomer makes the customer send m; the webhook has been delivered (or has failed every
	// attempt) when it returns. A customer replying has read what they received: their delivered messages
	// become read first.
	SendFromCustomer(ctx context.Context, waID string, m CustomerMessage) (SendResult, error)
	// ReadMessages makes the customer open the chat: every delivered message becomes read.
	ReadMessages(ctx context.Context, waID string) error
	// Inbox returns what the customer has received, in order.
	Inbox(ctx context.Context, waID string) ([]InboxMessage, error)
	// AwaitInbox waits until the customer has received at least n messages and returns the inbox.
	AwaitInbox(ctx context.Context, waID string, n int) ([]InboxMessage, error)
	// AwaitIdle waits until every queued webhook (statuses, preferences, template updates) is delivered.
	AwaitIdle(ctx context.Context) error
	// AdvanceClock moves the simulated clock forward; SetClock moves it anywhere. Both return the new time.
	AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error)
	SetClock(ctx context.Context, t time.Time) (time.Time, error)
	// StopPromotions is WhatsApp's own "Stop promotions": marketing templates fail with 131050 after it,
	// and the assistant gets a user_preferences webhook. ResumePromotions undoes it.
	StopPromotions(ctx context.Context, waID string) error
	ResumePromotions(ctx context.Context, waID string) error
	// Block makes the customer block (or unblock) the business: sends fail with 131026.
	Block(ctx context.Context, waID string, blocked bool) error
	// SetTemplateStatus changes a template's status (APPROVED, PAUSED, DISABLED, …).
	SetTemplateStatus(ctx context.Context, name, language, status string) error
	// SetStatusDelivery sets how status webhooks are delivered: duplicated and out of order, by chance.
	SetStatusDelivery(ctx context.Context, d StatusDelivery) error
	// SetWebhook sets the assistant's callback URL and starts the hub.challenge handshake in the
	// background, as the App Dashboard does; if that does not pass, the handshake runs again before the
	// next webhook.
	SetWebhook(ctx context.Context, url string) error
	// VerifyWebhook performs the hub.challenge handshake now.
	VerifyWebhook(ctx context.Context) (VerifyResult, error)
	// Reset forgets customers, messages, media, faults, status delivery and template changes. The
	// journal and the clock
	// are shared with other mocks and are kept; a reset event marks the point.
	Reset(ctx context.Context) error
}

var (
	_ Control = (*Server)(nil)
	_ Control = (*ControlClient)(nil)
)

// CustomerMessage is a message the simulated customer sends. Type is text (the default), button (a
// template quick-reply tap), interactive (a reply button or list row), image, audio, video, document,
// sticker, location, reaction, or unsupported (what WhatsApp cannot pass on; Text names it, e.g. poll).
type CustomerMessage struct {
	Type string `json:"type,omitempty"`
	// Text is the text body; for button and interactive, the title of the button or row tapped; for
	// media, the caption.
	Text string `json:"text,omitempty"`
	// Name is the customer's WhatsApp profile name; it sticks for later messages.
	Name string `json:"name,omitempty"`
	// Payload is the quick-reply payload or reply id; by default the one the business set on the button.
	Payload string `json:"payload,omitempty"`
	// Context is the wamid of the business message replied to; for taps, by default the newest message
	// offering the button.
	Context string `json:"context,omitempty"`
	// Media: its type and content (base64 in JSON); a small placeholder when empty.
	MimeType string `json:"mime_type,omitempty"`
	Data     []byte `json:"data,omitempty"`
	Filename string `json:"filename,omitempty"`
	// Location.
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
	PlaceName string  `json:"place_name,omitempty"`
	Address   string  `json:"address,omitempty"`
	// Reaction: the emoji (empty removes the reaction) and the message reacted to (default: the newest
	// message received).
	Emoji     string `json:"emoji,omitempty"`
	MessageID string `json:"message_id,omitempty"`
}

// SendResult is the outcome of a customer's message.
type SendResult struct {
	ID            string `json:"id"`             // the wamid of the inbound message
	WebhookStatus int    `json:"webhook_status"` // HTTP status of the last webhook attempt; 0 when none answered
	Attempts      int    `json:"attempts"`
	Error         string `json:"error,omitempty"` // why delivery failed
}

// StatusDelivery is how status webhooks reach the assistant: each once and in order unless a chance
// here says otherwise. Chances are drawn from the server's seeded generator, so a run with the same seed
// and the same requests repeats. These are not errors of the Graph API, so they are not faults.
type StatusDelivery struct {
	// Duplicate is the chance (0 to 1) that each status webhook is delivered twice.
	Duplicate float64 `json:"duplicate,omitempty"`
	// OutOfOrder is the chance that a message's statuses arrive in reverse order (delivered before sent).
	OutOfOrder float64 `json:"out_of_order,omitempty"`
}

func (d StatusDelivery) check() error {
	if d.Duplicate < 0 || d.Duplicate > 1 || d.OutOfOrder < 0 || d.OutOfOrder > 1 {
		return errors.New("chances must be between 0 and 1")
	}
	return nil
}

// checkFault says whether the mock can inject f: a kind is a Graph error code it models.
func checkFault(f control.Fault) error {
	if err := f.Check(); err != nil {
		return err
	}
	if f.Method != "" {
		return fmt.Errorf("fault method %q: the WhatsApp mock's faults take no method (a kind hits sends, a delay every Graph API answer)", f.Method)
	}
	if f.Kind != "" {
		if code, err := strconv.Atoi(f.Kind); err != nil || !KnownCode(code) {
			return fmt.Errorf("fault kind %q is not a Graph error code the mock models (131047, 130429, 131056, 131050, …)", f.Kind)
		}
	}
	return nil
}

// errBadRequest marks a control call that was wrong (HTTP 400 over the control API).
var errBadRequest = errors.New("bad request")

// errTooLarge marks a control call whose body is over MaxControlBytes (HTTP 413 over the control API).
var errTooLarge = errors.New("request body too large")

func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

func checkWaID(waID string) error {
	if len(waID) < 5 || len(waID) > 15 || strings.Trim(waID, "0123456789") != "" {
		return badRequest("wa_id %q must be 5 to 15 digits, without +", waID)
	}
	return nil
}

// takeFaultLocked takes the faults with a kind for one send: the error code to fail it with (0 for
// none), the message for a synchronous one, and the delay before answering. s.mu must be held.
func (s *Server) takeFaultLocked() (code int, msg string, delay time.Duration) {
	delay, f := s.faults.Take(func(f control.Fault) bool { return f.Kind != "" })
	if f == nil {
		return 0, "", delay
	}
	code, _ = strconv.Atoi(f.Kind) // checked by InjectFault
	msg = f.Message
	if msg == "" {
		msg = "Error injected by parley (fault injection)"
	}
	return code, msg, delay
}

// takeLatency takes the faults without a kind for one Graph API request: how long to wait.
func (s *Server) takeLatency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, _ := s.faults.Take(func(f control.Fault) bool { return f.Kind == "" })
	return d
}

// --- the in-process implementation ---

// SendFromCustomer implements Control.
func (s *Server) SendFromCustomer(ctx context.Context, waID string, m CustomerMessage) (SendResult, error) {
	if err := checkWaID(waID); err != nil {
		return SendResult{}, err
	}
	if m.Type == "" {
		m.Type = "text"
	}
	s.mu.Lock()
	now := s.clock.Now()
	c := s.state.customer(waID)
	msg, data, err := s.buildInboundLocked(c, &m, now)
	if err != nil {
		s.mu.Unlock()
		return SendResult{}, err
	}
	if m.Name != "" {
		c.name = m.Name
	}
	if c.name == "" {
		c.name = "Customer " + waID[len(waID)-4:]
	}
	s.readLocked(c)
	c.lastInbound = now
	s.state.msgSeq++
	id := s.wamid(waID, s.state.msgSeq)
	s.state.received[id] = receivedMessage{waID: waID, typ: m.Type, at: now}
	msg["id"] = id
	name := c.name
	s.mu.Unlock()

	raw, _ := json.Marshal(orderedMessage(msg))
	data.ID, data.Message = id, raw
	payload := s.envelope("messages", 0, messagesValue{
		MessagingProduct: "whatsapp", Metadata: s.meta(),
		Contacts: []webhookContact{contact(waID, name)}, Messages: []json.RawMessage{raw},
	})
	// The customer's message exists from the moment it is sent, before any webhook: an assistant may
	// answer before it acknowledges the webhook, and the window opens when the customer writes.
	s.journal.Record(journal.SourceCustomer, journal.KindInboundSent, waID, data)
	status, attempts, derr := s.post(ctx, "messages", id, payload, false)
	data.Status, data.Attempts = status, attempts
	res := SendResult{ID: id, WebhookStatus: status, Attempts: attempts}
	kind := journal.KindInboundDelivered
	if derr != nil {
		kind = journal.KindInboundFailed
		data.Error, res.Error = derr.Error(), derr.Error()
	}
	s.journal.Record(journal.SourceCustomer, kind, waID, data)
	return res, nil
}

// Forgery is how a forged webhook is signed.
type Forgery string

// The forgeries ForgeWebhook makes.
const (
	// ForgeryUnsigned carries no X-Hub-Signature-256 header at all.
	ForgeryUnsigned Forgery = "unsigned"
	// ForgeryWrongSecret is signed with a secret that is not the app secret.
	ForgeryWrongSecret Forgery = "wrong_secret"
	// ForgeryTampered carries the signature of the genuine body, but the body was changed after signing
	// (the text of the message replaced), as a man in the middle would.
	ForgeryTampered Forgery = "tampered"
)

// ForgeWebhook implements Control.
func (s *Server) ForgeWebhook(ctx context.Context, waID string, m CustomerMessage, forgery Forgery) (SendResult, error) {
	if err := checkWaID(waID); err != nil {
		return SendResult{}, err
	}
	switch forgery {
	case ForgeryUnsigned, ForgeryWrongSecret, ForgeryTampered:
	default:
		return SendResult{}, badRequest("forgery must be %q, %q or %q", ForgeryUnsigned, ForgeryWrongSecret, ForgeryTampered)
	}
	if m.Type == "" {
		m.Type = "text"
	}
	if m.Type != "text" {
		return SendResult{}, badRequest("a forged webhook carries a text message (type %q is not forged)", m.Type)
	}
	if m.Text == "" {
		return SendResult{}, badRequest("a text message needs text")
	}
	s.mu.Lock()
	now := s.clock.Now()
	name := m.Name
	if c := s.state.customers[waID]; c != nil && name == "" {
		name = c.name
	}
	if name == "" {
		name = "Customer " + waID[len(waID)-4:]
	}
	// A wamid of its own sequence, so the forged message cannot collide with a genuine one; it is not
	// recorded as received, so the assistant cannot reply to it in context or react to it.
	s.state.forgedSeq++
	id := s.wamid(waID, 1<<40+s.state.forgedSeq)
	s.mu.Unlock()
	target, err := s.ensureVerified(ctx)
	if err != nil {
		return SendResult{}, err
	}
	body := func(text string) ([]byte, error) {
		msg := map[string]any{"from": waID, "id": id, "timestamp": unix(now), "type": "text", "text": map[string]string{"body": text}}
		raw, _ := json.Marshal(orderedMessage(msg))
		return encodeWebhook(s.envelope("messages", 0, messagesValue{
			MessagingProduct: "whatsapp", Metadata: s.meta(),
			Contacts: []webhookContact{contact(waID, name)}, Messages: []json.RawMessage{raw},
		}))
	}
	b, err := body(m.Text)
	if err != nil {
		return SendResult{}, fmt.Errorf("encoding webhook: %w", err)
	}
	var sig string
	switch forgery {
	case ForgeryWrongSecret:
		sig = Sign("not-"+s.cfg.appSecret, b)
	case ForgeryTampered:
		sig = Sign(s.cfg.appSecret, b)
		if b, err = body(m.Text + " "); err != nil {
			return SendResult{}, fmt.Errorf("encoding webhook: %w", err)
		}
	}
	status, perr := s.postOnce(ctx, target, b, sig)
	d := journal.WebhookAttemptData{URL: target, Field: "messages", RefID: id, Attempt: 1, Status: status, Signed: false}
	res := SendResult{ID: id, WebhookStatus: status, Attempts: 1}
	if perr != nil {
		d.Error, res.Error = perr.Error(), perr.Error()
	}
	s.journal.Record(journal.SourceWhatsApp, journal.KindWebhookAttempt, waID, d)
	return res, nil
}

// orderedMessage puts the common fields of an inbound message first, as Meta's examples do.
func orderedMessage(m map[string]any) json.Marshaler {
	return orderedJSON{m: m, first: messageFirst}
}

var messageFirst = []string{"context", "from", "id", "timestamp", "type"}

type orderedJSON struct {
	m     map[string]any
	first []string
}

// MarshalJSON writes the keys of first that are present, in that order, then the others sorted, each key
// and value as json.Marshal writes them. One encoder appends them all to one buffer: a json.Marshal per
// key and per value was two allocations of every field of every customer message.
func (o orderedJSON) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.Grow(256)
	enc := json.NewEncoder(&b) // escapes HTML, as json.Marshal does
	b.WriteByte('{')
	n := 0
	write := func(k string, v any) error {
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		if err := enc.Encode(k); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1) // the newline Encode ends each value with
		b.WriteByte(':')
		if err := enc.Encode(v); err != nil {
			return err
		}
		b.Truncate(b.Len() - 1)
		return nil
	}
	for _, k := range o.first {
		if v, ok := o.m[k]; ok {
			if err := write(k, v); err != nil {
				return nil, err
			}
		}
	}
	var rest []string
	for k := range o.m {
		if !slices.Contains(o.first, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		if err := write(k, o.m[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// buildInboundLocked builds the webhook message object (without its id) and the journal record.
func (s *Server) buildInboundLocked(c *customer, m *CustomerMessage, now time.Time) (map[string]any, journal.InboundData, error) {
	msg := map[string]any{"from": c.waID, "timestamp": unix(now), "type": m.Type}
	data := journal.InboundData{Type: m.Type}
	if m.Context != "" {
		msg["context"] = map[string]string{"from": s.cfg.displayNumber, "id": m.Context}
	}
	switch m.Type {
	case "text":
		if m.Text == "" {
			return nil, data, badRequest("a text message needs text")
		}
		msg["text"] = map[string]string{"body": m.Text}
		data.Text = m.Text
	case "button", "interactive":
		if m.Text == "" {
			return nil, data, badRequest("a %s reply needs the text of the button or row tapped", m.Type)
		}
		kinds := map[string]bool{"quick_reply": m.Type == "button", "button_reply": m.Type == "interactive", "list_reply": m.Type == "interactive"}
		var found *offeredButton
		var from string
		for i := len(c.inbox) - 1; i >= 0 && found == nil; i-- {
			e := c.inbox[i]
			if m.Context != "" && e.msg.ID != m.Context {
				continue
			}
			for k := range e.buttons {
				if b := &e.buttons[k]; b.Title == m.Text && kinds[kindOf(b)] {
					found, from = b, e.msg.ID
					break
				}
			}
		}
		if found == nil {
			return nil, data, badRequest("customer %s has no message offering a %s %q to tap", c.waID, m.Type, m.Text)
		}
		msg["context"] = map[string]string{"from": s.cfg.displayNumber, "id": from}
		payload := m.Payload
		if payload == "" {
			payload = found.ID
		}
		if m.Type == "button" {
			msg["button"] = map[string]string{"payload": payload, "text": found.Title}
		} else {
			kind := kindOf(found)
			reply := map[string]string{"id": payload, "title": found.Title}
			if found.Description != "" {
				reply["description"] = found.Description
			}
			msg["interactive"] = orderedJSON{m: map[string]any{"type": kind, kind: reply}, first: []string{"type"}}
		}
		data.Text, data.Payload = found.Title, payload
	case "image", "audio", "video", "document", "sticker":
		mt := m.MimeType
		if mt == "" {
			mt = map[string]string{"image": "image/jpeg", "audio": "audio/ogg", "video": "video/mp4", "document": "application/pdf", "sticker": "image/webp"}[m.Type]
		}
		content := m.Data
		if len(content) == 0 {
			content = []byte("parley placeholder " + m.Type)
		}
		if int64(len(content)) > s.cfg.maxMedia {
			return nil, data, badRequest("media larger than %d bytes", s.cfg.maxMedia)
		}
		id := s.storeMediaLocked(mt, append([]byte(nil), content...))
		obj := map[string]any{"mime_type": mt, "sha256": s.state.media[id].sha256, "id": id, "url": s.cfg.publicURL + "/_media/" + id}
		if m.Text != "" && m.Type != "audio" && m.Type != "sticker" {
			obj["caption"] = m.Text
		}
		if m.Type == "document" && m.Filename != "" {
			obj["filename"] = m.Filename
		}
		if m.Type == "audio" {
			obj["voice"] = true
		}
		msg[m.Type] = obj
		data.Text = m.Text
	case "location":
		if m.Latitude < -90 || m.Latitude > 90 || m.Longitude < -180 || m.Longitude > 180 {
			return nil, data, badRequest("latitude and longitude out of range")
		}
		loc := map[string]any{"latitude": m.Latitude, "longitude": m.Longitude}
		if m.PlaceName != "" {
			loc["name"] = m.PlaceName
		}
		if m.Address != "" {
			loc["address"] = m.Address
		}
		msg["location"] = loc
		data.Text = strings.TrimSpace(m.PlaceName + " " + m.Address)
	case "reaction":
		target := m.MessageID
		if target == "" {
			if len(c.inbox) == 0 {
				return nil, data, badRequest("customer %s has received nothing to react to", c.waID)
			}
			target = c.inbox[len(c.inbox)-1].msg.ID
		}
		r := map[string]string{"message_id": target}
		if m.Emoji != "" {
			r["emoji"] = m.Emoji
		}
		msg["reaction"] = r
		data.Text, data.Payload = m.Emoji, target
	case "unsupported":
		// Something WhatsApp cannot pass on (a poll, an edited message…): Meta sends type unsupported
		// with error 131051 (webhooks reference, unsupported).
		kind := m.Text
		if kind == "" {
			kind = "unknown"
		}
		e := struct {
			Code      int    `json:"code"`
			Title     string `json:"title"`
			Message   string `json:"message"`
			ErrorData struct {
				Details string `json:"details"`
			} `json:"error_data"`
		}{Code: CodeUnsupportedType, Title: "Message type unknown", Message: "Message type unknown"}
		e.ErrorData.Details = "Message type is currently not supported."
		msg["errors"] = []any{e}
		msg["unsupported"] = map[string]string{"type": kind}
		data.Text = kind
	default:
		return nil, data, badRequest("customer message type %q: want text, button, interactive, image, audio, video, document, sticker, location, reaction or unsupported", m.Type)
	}
	return msg, data, nil
}

func kindOf(b *offeredButton) string {
	if b.Kind != "" {
		return b.Kind
	}
	return "quick_reply"
}

// readLocked marks the customer's delivered messages read and queues the read statuses.
func (s *Server) readLocked(c *customer) int {
	n := 0
	if c.readTo > len(c.inbox) {
		c.readTo = 0
	}
	for _, e := range c.inbox[c.readTo:] {
		if e.msg.Status != "delivered" {
			continue
		}
		e.msg.Status = "read"
		n++
		if sm := s.state.sent[e.msg.ID]; sm != nil {
			sm.status = "read"
			if sm.typ == "reaction" {
				continue
			}
		}
		s.enqueueStatusesLocked(e.msg.ID, c.waID, []string{"read"}, 0)
	}
	c.readTo = len(c.inbox)
	if n > 0 {
		s.notifyLocked()
	}
	return n
}

// ReadMessages implements Control.
func (s *Server) ReadMessages(ctx context.Context, waID string) error {
	if err := checkWaID(waID); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readLocked(s.state.customer(waID))
	return nil
}

// Inbox implements Control.
func (s *Server) Inbox(ctx context.Context, waID string) ([]InboxMessage, error) {
	if err := checkWaID(waID); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inboxLocked(waID), nil
}

func (s *Server) inboxLocked(waID string) []InboxMessage {
	c := s.state.customers[waID]
	out := []InboxMessage{}
	if c == nil {
		return out
	}
	for _, e := range c.inbox {
		out = append(out, e.msg.clone())
	}
	return out
}

// AwaitInbox implements Control.
func (s *Server) AwaitInbox(ctx context.Context, waID string, n int) ([]InboxMessage, error) {
	if err := checkWaID(waID); err != nil {
		return nil, err
	}
	var out []InboxMessage
	err := s.await(ctx, func() bool {
		c := s.state.customers[waID]
		if c == nil || len(c.inbox) < n {
			return false
		}
		out = s.inboxLocked(waID)
		return true
	})
	if err != nil {
		s.mu.Lock()
		got := len(s.inboxLocked(waID))
		s.mu.Unlock()
		return nil, fmt.Errorf("waiting for %d messages to %s (has %d): %w", n, waID, got, err)
	}
	return out, nil
}

// AwaitIdle implements Control.
func (s *Server) AwaitIdle(ctx context.Context) error {
	err := s.await(ctx, func() bool { return len(s.queue) == 0 && s.inflight == 0 })
	if err != nil {
		return fmt.Errorf("waiting for pending webhooks: %w", err)
	}
	return nil
}

// AwaitIdleFor waits until no queued or in-flight webhook concerns any of the customers waIDs (their
// statuses and preferences): other customers' webhooks, and those about no customer (template updates),
// do not hold it. With no customer it returns at once. It is how one scenario of many sharing the mock
// waits for its own traffic only.
func (s *Server) AwaitIdleFor(ctx context.Context, waIDs ...string) error {
	if len(waIDs) == 0 {
		return nil
	}
	err := s.await(ctx, func() bool { return !s.pendingForLocked(waIDs) })
	if err != nil {
		return fmt.Errorf("waiting for pending webhooks of %d customer(s): %w", len(waIDs), err)
	}
	return nil
}

// pendingForLocked says whether a webhook about one of waIDs is queued or being delivered. s.mu must be
// held.
func (s *Server) pendingForLocked(waIDs []string) bool {
	if s.inflight > 0 && s.inflightFor != "" && slices.Contains(waIDs, s.inflightFor) {
		return true
	}
	for _, j := range s.queue {
		if j.waID != "" && slices.Contains(waIDs, j.waID) {
			return true
		}
	}
	return false
}

// JournalAfter implements Control.
func (s *Server) JournalAfter(ctx context.Context, after uint64) ([]journal.Event, uint64, error) {
	p := s.journal.PageAfter(after)
	return p.Events, p.Last, nil
}

// JournalPage implements control.Pager: the events after sequence number after, with the mock's
// simulated time once they are read.
func (s *Server) JournalPage(_ context.Context, after uint64) (journal.Page, error) {
	return s.journal.PageAfter(after), nil
}

// AdvanceClock implements Control.
func (s *Server) AdvanceClock(ctx context.Context, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, badRequest("the clock only advances; use SetClock to go back")
	}
	from := s.clock.Now()
	to := s.clock.Advance(d)
	s.journal.Record(journal.SourceHarness, journal.KindClockAdvanced, "", journal.ClockData{From: from, To: to})
	return to, nil
}

// SetClock implements Control.
func (s *Server) SetClock(ctx context.Context, t time.Time) (time.Time, error) {
	if t.IsZero() {
		return time.Time{}, badRequest("a zero time")
	}
	from := s.clock.Now()
	to := s.clock.Set(t)
	s.journal.Record(journal.SourceHarness, journal.KindClockSet, "", journal.ClockData{From: from, To: to})
	return to, nil
}

// StopPromotions implements Control.
func (s *Server) StopPromotions(ctx context.Context, waID string) error {
	return s.setMarketing(waID, "stop")
}

// ResumePromotions implements Control.
func (s *Server) ResumePromotions(ctx context.Context, waID string) error {
	return s.setMarketing(waID, "resume")
}

func (s *Server) setMarketing(waID, value string) error {
	if err := checkWaID(waID); err != nil {
		return err
	}
	s.mu.Lock()
	c := s.state.customer(waID)
	c.marketingStopped = value == "stop"
	name := c.name
	if name == "" {
		name = "Customer " + waID[len(waID)-4:]
	}
	s.enqueueLocked(webhookJob{kind: jobUserPreference, waID: waID, pref: value, name: name})
	s.mu.Unlock()
	if value == "stop" {
		s.journal.Record(journal.SourceCustomer, journal.KindOptoutRequested, waID, journal.OptoutData{Via: "whatsapp_stop", Phrase: "Stop promotions"})
	} else {
		s.journal.Record(journal.SourceCustomer, "preferences.resumed", waID, map[string]string{"category": "marketing_messages", "value": "resume"})
	}
	return nil
}

// Block implements Control.
func (s *Server) Block(ctx context.Context, waID string, blocked bool) error {
	if err := checkWaID(waID); err != nil {
		return err
	}
	s.mu.Lock()
	s.state.customer(waID).blocked = blocked
	s.mu.Unlock()
	kind := journal.KindCustomerBlocked
	if !blocked {
		kind = journal.KindCustomerUnblocked
	}
	s.journal.Record(journal.SourceCustomer, kind, waID, nil)
	return nil
}

// SetTemplateStatus implements Control.
func (s *Server) SetTemplateStatus(ctx context.Context, name, language, status string) error {
	if err := s.setTemplateStatus(name, language, status); err != nil {
		if errors.Is(err, errNotFound) {
			return err
		}
		return badRequest("%v", err)
	}
	return nil
}

// InjectFault implements Control.
func (s *Server) InjectFault(ctx context.Context, f control.Fault) error {
	if err := checkFault(f); err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	s.faults.Add(f)
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "whatsapp", "fault": f})
	return nil
}

// ClearFaults implements Control.
func (s *Server) ClearFaults(ctx context.Context) error {
	s.mu.Lock()
	s.faults.Clear()
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "whatsapp", "cleared": true})
	return nil
}

// Faults implements Control.
func (s *Server) Faults(ctx context.Context) ([]control.Fault, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.List(), nil
}

// SetStatusDelivery implements Control.
func (s *Server) SetStatusDelivery(ctx context.Context, d StatusDelivery) error {
	if err := d.check(); err != nil {
		return badRequest("status delivery: %v", err)
	}
	s.mu.Lock()
	s.statuses = d
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindFaultSet, "", map[string]any{"mock": "whatsapp", "status_delivery": d})
	return nil
}

// SetWebhook implements Control.
func (s *Server) SetWebhook(ctx context.Context, rawURL string) error {
	if err := checkWebhookURL(rawURL); err != nil {
		return badRequest("%v", err)
	}
	if err := s.cfg.checkWebhookHost(rawURL); err != nil {
		return badRequest("%v", err)
	}
	s.mu.Lock()
	s.webhook, s.verified = rawURL, false
	s.verifySoonLocked(rawURL)
	s.mu.Unlock()
	return nil
}

// VerifyWebhook implements Control.
func (s *Server) VerifyWebhook(ctx context.Context) (VerifyResult, error) {
	// A handshake already in flight to the same URL (it was just configured) ends first, so that the
	// two reach the assistant, and the journal, in the order they were asked for.
	var target string
	if err := s.await(ctx, func() bool {
		target = s.webhook
		return target == "" || s.verifying != target
	}); err != nil {
		return VerifyResult{}, err
	}
	if target == "" {
		return VerifyResult{}, badRequest("no webhook URL is set")
	}
	return s.verify(ctx, target), nil
}

// Reset implements Control.
func (s *Server) Reset(ctx context.Context) error {
	s.mu.Lock()
	s.state = newState(s.cfg.templates)
	s.faults.Clear()
	s.statuses = StatusDelivery{}
	s.queue = nil
	s.notifyLocked()
	s.mu.Unlock()
	s.journal.Record(journal.SourceHarness, journal.KindReset, "", map[string]string{"mock": "whatsapp"})
	return nil
}
