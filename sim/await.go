package sim

import (
	"context"
	"fmt"
	"strings"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// AwaitReply waits for the next message the customer has not looked at yet and returns it.
func (c *Customer) AwaitReply(ctx context.Context) (whatsapp.InboxMessage, error) {
	c.mu.Lock()
	want := c.seen + 1
	c.mu.Unlock()
	inbox, err := c.w.WhatsApp.AwaitInbox(ctx, c.WaID, want)
	if err != nil {
		return whatsapp.InboxMessage{}, c.failure(context.WithoutCancel(ctx), "%s was waiting for a reply and got none: %v", c.Name, err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := inbox[c.seen]
	c.seen++
	return m, nil
}

// AwaitReplyContaining consumes replies until one contains want (ignoring case) and returns it.
func (c *Customer) AwaitReplyContaining(ctx context.Context, want string) (whatsapp.InboxMessage, error) {
	for {
		m, err := c.AwaitReply(ctx)
		if err != nil {
			return m, c.failure(context.WithoutCancel(ctx), "%s never received a reply containing %q", c.Name, want)
		}
		if Contains(m, want) {
			return m, nil
		}
	}
}

// Contains reports whether the message's text, template name or buttons contain want, ignoring case.
func Contains(m whatsapp.InboxMessage, want string) bool {
	w := strings.ToLower(want)
	hay := []string{m.Text}
	if m.Template != nil {
		hay = append(hay, m.Template.Name)
	}
	hay = append(hay, m.Buttons...)
	for _, h := range hay {
		if strings.Contains(strings.ToLower(h), w) {
			return true
		}
	}
	return false
}

// AwaitQuiet waits until nothing is left in flight: the assistant has finished (World.Settle, when set)
// and the WhatsApp mock has delivered every queued webhook.
func (w *World) AwaitQuiet(ctx context.Context) error {
	if w.Settle != nil {
		if err := w.Settle(ctx); err != nil {
			return fmt.Errorf("waiting for the assistant to settle: %w", err)
		}
	}
	if err := w.WhatsApp.AwaitIdle(ctx); err != nil {
		return fmt.Errorf("waiting for the WhatsApp mock to settle: %w", err)
	}
	return nil
}

// Settle waits until nothing is left in flight (the assistant idle, every webhook delivered) and returns
// the messages received that the customer has not looked at yet, marking them seen. After the customer's
// own action, which already waited, Unread is enough.
func (c *Customer) Settle(ctx context.Context) ([]whatsapp.InboxMessage, error) {
	if err := c.w.AwaitQuiet(ctx); err != nil {
		return nil, err
	}
	return c.Unread(ctx)
}

// Unread returns the messages received that the customer has not looked at yet, marking them seen,
// without waiting for anything.
func (c *Customer) Unread(ctx context.Context) ([]whatsapp.InboxMessage, error) {
	inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fresh := inbox[min(c.seen, len(inbox)):]
	c.seen = len(inbox)
	return fresh, nil
}

// ExpectNoMessage fails when the customer received anything new once the run has settled.
func (c *Customer) ExpectNoMessage(ctx context.Context) error {
	fresh, err := c.Settle(ctx)
	if err != nil {
		return err
	}
	if len(fresh) > 0 {
		return c.failure(ctx, "%s should have received nothing, but got %d message(s), the first: %s", c.Name, len(fresh), render(fresh[0]))
	}
	return nil
}

// Transcript is the customer's conversation as a readable text: what they said and what they received.
// The two sides come from different records (the customer's own list and the phone's inbox), so it shows
// them as two lists rather than guessing an interleaving.
func (c *Customer) Transcript(ctx context.Context) string { return c.TranscriptIn(ctx, "en") }

// transcriptWords are a transcript's own words in English and in Spanish.
var transcriptWords = map[string]struct{ said, received, nothing, unavailable, template, buttons string }{
	"en": {"said", "and received", "(nothing)", "(inbox unavailable: %v)", "template", "buttons"},
	"es": {"dijo", "y recibió", "(nada)", "(bandeja de entrada no disponible: %v)", "plantilla", "botones"},
}

// TranscriptIn is Transcript with its own words in lang, es or en (any other is en): a scenario written
// in Spanish reports its failures in Spanish. The messages themselves are quoted as they were.
func (c *Customer) TranscriptIn(ctx context.Context, lang string) string {
	w, ok := transcriptWords[lang]
	if !ok {
		w = transcriptWords["en"]
	}
	var b strings.Builder
	c.mu.Lock()
	said := append([]string(nil), c.said...)
	c.mu.Unlock()
	fmt.Fprintf(&b, "%s (+%s, %s) %s:\n", c.Name, c.WaID, c.Lang, w.said)
	for _, s := range said {
		fmt.Fprintf(&b, "  → %s\n", s)
	}
	inbox, err := c.w.WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		fmt.Fprintf(&b, "  "+w.unavailable+"\n", err)
		return b.String()
	}
	fmt.Fprintf(&b, "%s:\n", w.received)
	for _, m := range inbox {
		fmt.Fprintf(&b, "  ← %s %s\n", m.Timestamp.Format("Jan 2 15:04"), renderIn(m, w.template, w.buttons))
	}
	if len(inbox) == 0 {
		b.WriteString("  " + w.nothing + "\n")
	}
	return b.String()
}

func render(m whatsapp.InboxMessage) string { return renderIn(m, "template", "buttons") }

// renderIn is a message as a transcript line, a template and buttons named with the words given.
func renderIn(m whatsapp.InboxMessage, template, buttons string) string {
	var s string
	switch {
	case m.Template != nil:
		s = fmt.Sprintf("[%s %s/%s %s] %s", template, m.Template.Name, m.Template.Language, m.Template.Category, quoteLines(m.Text))
	case m.Type == "text":
		s = quoteLines(m.Text)
	default:
		s = fmt.Sprintf("[%s] %s", m.Type, quoteLines(m.Text))
	}
	if len(m.Buttons) > 0 {
		s += fmt.Sprintf(" %s %q", buttons, m.Buttons)
	}
	return s
}

// failure builds an error that carries the transcript.
func (c *Customer) failure(ctx context.Context, format string, args ...any) error {
	return fmt.Errorf("%s\n%s", fmt.Sprintf(format, args...), c.Transcript(ctx))
}

// quoteLines quotes a message as a reader sees it on the phone: its line breaks kept (a transcript is read
// in a terminal and in the report, where "\n\n" is noise) and its lines after the first indented under
// the transcript's arrows.
func quoteLines(text string) string {
	return `"` + strings.ReplaceAll(text, "\n", "\n      ") + `"`
}
