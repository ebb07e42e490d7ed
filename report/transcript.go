package report

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/journal"
)

// Who a turn of a transcript comes from.
const (
	FromCustomer  = "customer"
	FromAssistant = "assistant"
	FromSystem    = "system" // the simulated world: clock moves, consents given elsewhere, hooks, probes
)

// Turn is one message or happening of a conversation, in journal order.
type Turn struct {
	Seq      uint64    `json:"seq"`
	At       time.Time `json:"at"`
	From     string    `json:"from"`
	Customer string    `json:"customer,omitempty"`
	Kind     string    `json:"kind"`
	Text     string    `json:"text"`
	Buttons  []string  `json:"buttons,omitempty"`
	Template string    `json:"template,omitempty"`
	Refused  string    `json:"refused,omitempty"` // the platform's refusal of an assistant's send
	// TextES is a system turn's text in Spanish, for a report rendered with --lang es; customers' and the
	// assistant's words are shown as they were written.
	TextES string `json:"text_es,omitempty"`
	// Document is what a document the assistant sent held, when it uploaded it through the media
	// endpoint: a reader must see what a data export gave away, not only its name.
	Document *Document `json:"document,omitempty"`
	// Calls are the Dialogflow and DLP calls the assistant made while handling this customer message
	// (the calls recorded after it and before the customer's next message), whether it replied first or not.
	Calls []Call `json:"calls,omitempty"`
	// Findings are the ids of the rules whose finding names this turn (or one of its calls) as the
	// offending act (see offendingTurn).
	Findings []string `json:"findings,omitempty"`
}

// Document is a file the assistant sent, as the media upload recorded it.
type Document struct {
	Filename string `json:"filename,omitempty"`
	MimeType string `json:"mime_type"`
	Size     int    `json:"size"`
	// Content is the file as text, JSON indented for a reader; empty for a binary file.
	Content string `json:"content,omitempty"`
	// Truncated says the journal kept only the start of the file.
	Truncated bool `json:"truncated,omitempty"`
}

// Call is one Dialogflow or DLP call beside a turn.
type Call struct {
	Seq     uint64         `json:"seq"`
	Service journal.Source `json:"service"`
	Kind    string         `json:"kind"`
	Summary string         `json:"summary"`
}

// Transcript rebuilds the conversation of a scenario from its journal: what customers wrote, what the
// assistant sent, the ground truth the customers recorded, and the Dialogflow and DLP calls attached to
// the customer message they served. A send WhatsApp refused is a turn too, marked Refused with its code
// and reason, and so is a send it accepted and then failed (status.failed): the rules judge what the
// assistant tried to send, so a reader must see the attempt. Webhook attempts, other statuses and read
// receipts are left out: they are in the journal, not in anyone's chat. Each finding marks the turn
// holding its offending event, or the turn whose call it was.
func Transcript(events []journal.Event, findings []Finding) []Turn {
	turns := []Turn{}
	owner := map[uint64]int{}  // seq → index of the turn that shows it
	calls := map[uint64]bool{} // seqs shown as calls beside a turn
	sent := map[string]int{}   // wamid → index of the turn of its accepted send
	lastCustomer := -1         // calls belong to the customer message being handled, even after a reply
	uploads := map[string]journal.MediaData{}
	for _, e := range events {
		if e.Kind == journal.KindMediaUploaded {
			var m journal.MediaData
			if e.Decode(&m) == nil {
				uploads[m.ID] = m
			}
			continue
		}
		if e.Kind == journal.KindStatusFailed {
			var d journal.StatusData
			if e.Decode(&d) == nil {
				if i, ok := sent[d.ID]; ok {
					turns[i].Refused = refusedBecause(d.Code, 0, d.Error)
					owner[e.Seq] = i
				}
			}
			continue
		}
		t, isTurn, isCall := turnOf(e)
		switch {
		case isTurn:
			turns = append(turns, t)
			owner[e.Seq] = len(turns) - 1
			if t.From == FromCustomer {
				lastCustomer = len(turns) - 1
			}
			var d journal.OutboundData
			if t.From == FromAssistant && e.Decode(&d) == nil {
				if e.Kind == journal.KindOutboundAccepted && d.ID != "" {
					sent[d.ID] = len(turns) - 1
				}
				if m, ok := uploads[d.MediaID]; ok && d.MediaID != "" {
					turns[len(turns)-1].Document = documentOf(m, d.Filename)
				}
			}
		case isCall:
			if lastCustomer < 0 {
				turns = append(turns, Turn{Seq: e.Seq, At: e.At.UTC(), From: FromSystem, Kind: "calls", Text: ""})
				lastCustomer = len(turns) - 1
			}
			i := lastCustomer
			turns[i].Calls = append(turns[i].Calls, Call{Seq: e.Seq, Service: e.Source, Kind: e.Kind, Summary: Summarize(e)})
			owner[e.Seq] = i
			calls[e.Seq] = true
		}
	}
	for _, f := range findings {
		if i, ok := offendingTurn(turns, owner, calls, f.Seqs); ok && !slices.Contains(turns[i].Findings, f.Rule) {
			turns[i].Findings = append(turns[i].Findings, f.Rule)
		}
	}
	return turns
}

// offendingTurn picks the turn a finding is drawn on. The auditor lists a finding's events in journal
// order, the context first (what the customer wrote, the consent they gave) and the assistant's act
// after it, so the latest of the assistant's own acts (a message, a Dialogflow or DLP call) is the
// offending one; a finding with no act of the assistant in the chat goes on its latest event shown.
func offendingTurn(turns []Turn, owner map[uint64]int, calls map[uint64]bool, seqs []uint64) (int, bool) {
	fallback, found := 0, false
	for k := len(seqs) - 1; k >= 0; k-- {
		i, ok := owner[seqs[k]]
		if !ok {
			continue
		}
		if calls[seqs[k]] || turns[i].From == FromAssistant {
			return i, true
		}
		if !found {
			fallback, found = i, true
		}
	}
	return fallback, found
}

func turnOf(e journal.Event) (t Turn, isTurn, isCall bool) {
	t = Turn{Seq: e.Seq, At: e.At.UTC(), Customer: e.Customer, Kind: e.Kind}
	switch e.Kind {
	case journal.KindInboundSent:
		var d journal.InboundData
		_ = e.Decode(&d)
		t.From, t.Text = FromCustomer, d.Text
		if t.Text == "" {
			t.Text = "[" + d.Type + "]"
		}
		return t, true, false
	case journal.KindOutboundAccepted, journal.KindOutboundRejected:
		var d journal.OutboundData
		_ = e.Decode(&d)
		if t.Customer == "" {
			t.Customer = d.WaID
		}
		d.Template = templateName(d)
		t.From, t.Text, t.Buttons, t.Template = FromAssistant, d.Text, d.Buttons, d.Template
		if t.Text == "" && d.Template != "" {
			t.Text = "[template " + d.Template + "]"
		} else if t.Text == "" {
			t.Text = "[" + d.Type + "]"
		}
		if e.Kind == journal.KindOutboundRejected {
			t.Refused = refusedBecause(d.Code, d.HTTP, d.Error)
		}
		return t, true, false
	case journal.KindDetectIntent, journal.KindDetectIntentRejected, journal.KindContextsListed, journal.KindContextsCreated,
		journal.KindContextsDeleted, journal.KindDeidentify, journal.KindInspect, journal.KindDLPRejected:
		return t, false, true
	case journal.KindConsentGiven, journal.KindConsentWithdrawn, journal.KindConsentRefused, journal.KindOptoutRequested,
		journal.KindDataRequest, journal.KindHandoffRequested, journal.KindHandoffReleased, journal.KindCustomerBlocked,
		journal.KindCustomerUnblocked, journal.KindClockAdvanced, journal.KindHookCalled, journal.KindUnmodelled,
		journal.KindInboundFailed, journal.KindCanaryPlanted:
		t.From, t.Text, t.TextES = FromSystem, Summarize(e), SummarizeES(e)
		return t, true, false
	}
	return t, false, false
}

// templateName is the template a send named: the journal's record, or the request body itself when
// WhatsApp refused the send before reading the template (an unauthorised or malformed request).
func templateName(d journal.OutboundData) string {
	if d.Template != "" || len(d.Body) == 0 {
		return d.Template
	}
	var req struct {
		Template struct {
			Name string `json:"name"`
		} `json:"template"`
	}
	_ = json.Unmarshal(d.Body, &req)
	return req.Template.Name
}

// documentOf is what a reader is shown of an uploaded file: its text, JSON indented, or nothing for
// bytes that are not text.
func documentOf(m journal.MediaData, filename string) *Document {
	d := &Document{Filename: cmp.Or(filename, m.Filename), MimeType: m.MimeType, Size: m.Size, Truncated: m.Truncated}
	var out bytes.Buffer
	switch {
	case !m.Truncated && json.Indent(&out, m.Content, "", "  ") == nil:
		d.Content = out.String()
	case utf8.Valid(m.Content):
		d.Content = string(m.Content)
	}
	return d
}

// refusedBecause is how a refusal reads: the Graph code (or the HTTP status when there is none) and the
// reason without the code Graph repeats in it ("(#132000) Number of …"). It is never empty.
func refusedBecause(code, status int, msg string) string {
	msg = strings.TrimSpace(msg)
	if strings.HasPrefix(msg, "(#") {
		if _, rest, ok := strings.Cut(msg, ") "); ok {
			msg = rest
		}
	}
	var s string
	switch {
	case code != 0:
		s = fmt.Sprint(code)
	case status != 0:
		s = fmt.Sprintf("HTTP %d", status)
	}
	return cmp.Or(strings.TrimSpace(s+" "+msg), "failed")
}

// Summarize says in one line what an event was, for evidence and transcripts.
func Summarize(e journal.Event) string {
	switch e.Kind {
	case journal.KindInboundSent, journal.KindInboundDelivered, journal.KindInboundFailed:
		var d journal.InboundData
		if e.Decode(&d) == nil {
			s := fmt.Sprintf("customer %s wrote %q", e.Customer, d.Text)
			if d.Error != "" {
				s += ": not delivered, " + d.Error
			}
			return s
		}
	case journal.KindOutboundAccepted, journal.KindOutboundRejected:
		var d journal.OutboundData
		if e.Decode(&d) == nil {
			what := d.Text
			if d.Template = templateName(d); d.Template != "" {
				what = "template " + d.Template
				if d.Category != "" {
					what += " (" + d.Category + ")"
				}
			}
			if e.Kind == journal.KindOutboundRejected {
				return fmt.Sprintf("assistant tried to send %s to %s: %q, refused by WhatsApp: %s", d.Type, d.WaID, what, refusedBecause(d.Code, d.HTTP, d.Error))
			}
			s := fmt.Sprintf("assistant sent %s to %s: %q", d.Type, d.WaID, what)
			if !d.InWindow {
				s += ", outside the 24-hour window"
			}
			return s
		}
	case journal.KindStatusFailed:
		var d journal.StatusData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("WhatsApp failed the send %s to %s: %s", d.ID, cmp.Or(d.Recipient, e.Customer), refusedBecause(d.Code, 0, d.Error))
		}
	case journal.KindDetectIntent, journal.KindDetectIntentRejected:
		var d journal.DetectIntentData
		if e.Decode(&d) == nil {
			q := d.Text
			if q == "" {
				q = "event " + d.Event
			}
			if d.Error != "" {
				return fmt.Sprintf("Dialogflow %s %q: %s %s", d.Transport, q, d.Code, d.Error)
			}
			return fmt.Sprintf("Dialogflow %s %q → %s (%.2f)", d.Transport, q, d.Intent, d.Confidence)
		}
	case journal.KindContextsListed, journal.KindContextsCreated, journal.KindContextsDeleted:
		var d journal.ContextsData
		if e.Decode(&d) == nil {
			what := strings.Join(d.Contexts, ", ")
			if d.All {
				what = "all"
			}
			return fmt.Sprintf("Dialogflow %s %s (session %s)", e.Kind, what, d.SessionID)
		}
	case journal.KindDeidentify, journal.KindInspect, journal.KindDLPRejected:
		var d journal.DLPData
		if e.Decode(&d) == nil {
			if d.Error != "" {
				return fmt.Sprintf("DLP %s: %s %s", e.Kind, d.Code, d.Error)
			}
			s := fmt.Sprintf("DLP %s %q", e.Kind, d.Text)
			if d.Result != "" {
				s += fmt.Sprintf(" → %q", d.Result)
			}
			if len(d.Found) > 0 {
				s += " found " + strings.Join(d.Found, ", ")
			}
			return s
		}
	case journal.KindConsentGiven, journal.KindConsentWithdrawn, journal.KindConsentRefused:
		var d journal.ConsentData
		if e.Decode(&d) == nil {
			verb := map[string]string{journal.KindConsentGiven: "gave", journal.KindConsentWithdrawn: "withdrew", journal.KindConsentRefused: "refused"}[e.Kind]
			return fmt.Sprintf("customer %s %s consent to %s (%s)", e.Customer, verb, d.Purpose, d.Channel)
		}
	case journal.KindOptoutRequested:
		var d journal.OptoutData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("customer %s opted out (%s) %q", e.Customer, d.Via, d.Phrase)
		}
	case journal.KindDataRequest:
		var d journal.DataRequestData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("customer %s asked for %s: %q", e.Customer, d.Right, d.Wording)
		}
	case journal.KindHandoffRequested:
		return fmt.Sprintf("customer %s asked for a person", e.Customer)
	case journal.KindHandoffReleased:
		return fmt.Sprintf("the person handed %s back to the assistant", e.Customer)
	case journal.KindClockAdvanced, journal.KindClockSet:
		var d journal.ClockData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("%s passed", d.To.Sub(d.From))
		}
	case journal.KindHookCalled:
		var d journal.HookData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("hook /parley/%s answered %d", d.Hook, d.Status)
		}
	case journal.KindCanaryPlanted:
		var d journal.CanaryData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("customer %s shared a %s (%s)", e.Customer, d.Type, d.Value)
		}
	case journal.KindRequestAccepted, journal.KindRequestRejected, journal.KindUnmodelled:
		var d journal.RequestData
		if e.Decode(&d) == nil {
			return strings.TrimSpace(fmt.Sprintf("%s %s answered %d %s %s", d.Method, d.Host+d.Path, d.HTTP, d.Error, d.Detail))
		}
	case journal.KindWebhookAttempt:
		var d journal.WebhookAttemptData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("webhook %s attempt %d answered %d (signed %t)", d.Field, d.Attempt, d.Status, d.Signed)
		}
	case journal.KindTLSProbe:
		var d journal.TLSProbeData
		if e.Decode(&d) == nil {
			return fmt.Sprintf("TLS %s handshake accepted: %t", d.Version, d.Accepted)
		}
	}
	s := fmt.Sprintf("%s %s", e.Source, e.Kind)
	if e.Customer != "" {
		s += " for " + e.Customer
	}
	return s
}
