package whatsapp

import (
	"encoding/json"
	"time"
)

// InboxMessage is a message on the customer's phone: what the business sent them, with its status as the
// phone sees it (delivered, read). Messages the platform failed (131047, 131050, blocked…) never reach
// the phone and are not in the inbox; the journal has them.
type InboxMessage struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Text        string          `json:"text,omitempty"`        // text body, caption, interactive body, or hydrated template body
	Template    *InboxTemplate  `json:"template,omitempty"`    // for templates
	Interactive string          `json:"interactive,omitempty"` // interactive type: button, list, cta_url
	Buttons     []string        `json:"buttons,omitempty"`     // reply buttons, list rows or quick replies offered
	Status      string          `json:"status"`                // delivered, read
	Timestamp   time.Time       `json:"timestamp"`             // simulated time the message arrived
	Message     json.RawMessage `json:"message,omitempty"`     // the send request as the assistant made it
}

// InboxTemplate names the template a message was sent from.
type InboxTemplate struct {
	Name     string `json:"name"`
	Language string `json:"language"`
	Category string `json:"category"`
}

type inboxEntry struct {
	msg     InboxMessage
	buttons []offeredButton
}

func (m InboxMessage) clone() InboxMessage {
	m.Buttons = append([]string(nil), m.Buttons...)
	if m.Template != nil {
		t := *m.Template
		m.Template = &t
	}
	return m
}
