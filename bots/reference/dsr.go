package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// exportDocument is the access and portability export: a JSON document with the GDPR art. 15(1)
// information and everything the assistant holds about the customer. Version 1.
type exportDocument struct {
	Version     string        `json:"version"`
	Kind        string        `json:"kind"` // access or portability
	Reference   string        `json:"reference"`
	GeneratedAt time.Time     `json:"generated_at"`
	Controller  *controller   `json:"controller,omitempty"`
	Purposes    []purpose     `json:"purposes,omitempty"`
	Recipients  []recipient   `json:"recipients,omitempty"`
	Retention   string        `json:"retention,omitempty"`
	Rights      []string      `json:"rights,omitempty"`
	Complaint   string        `json:"complaint,omitempty"`
	Source      string        `json:"source,omitempty"`
	Subject     exportSubject `json:"data_subject"`
}

type controller struct {
	Name    string `json:"name"`
	Contact string `json:"contact"`
	Privacy string `json:"privacy_notice"`
}

type purpose struct {
	Purpose    string `json:"purpose"`
	LegalBasis string `json:"legal_basis"`
}

type recipient struct {
	Name string `json:"name"`
	Role string `json:"role"`
	What string `json:"what"`
}

type exportSubject struct {
	WaID        string    `json:"wa_id"`
	ProfileName string    `json:"profile_name,omitempty"`
	Name        string    `json:"name,omitempty"`
	Email       string    `json:"email,omitempty"`
	Language    string    `json:"language,omitempty"`
	FirstSeen   time.Time `json:"first_seen,omitempty"`
	Restricted  bool      `json:"processing_restricted,omitempty"`
	Consents    []Consent `json:"consents,omitempty"`
	Orders      []order   `json:"orders,omitempty"`
	Tickets     []ticket  `json:"tickets,omitempty"`
	Requests    []dsr     `json:"requests,omitempty"`
	Messages    []message `json:"messages,omitempty"`
	DFSession   string    `json:"dialogflow_session_id,omitempty"`
}

// dataRequest handles access, portability, rectification, erasure, restriction and objection. Each is
// acknowledged with a reference number, carried out at once, and answered only to the customer's own
// number: the lane's wa_id, never a number found in the text.
func (b *Bot) dataRequest(ctx context.Context, c customer, it intent, txt, lang string) {
	t := text(lang)
	if b.violates("GDPR-DSR-01") {
		b.say(ctx, c.WaID, t.dsrEmailOnly)
		return
	}
	ref := reference("DSR")
	now := b.now()
	b.store.update(c.WaID, func(c *customer) {
		c.Requests = append(c.Requests, dsr{Reference: ref, Right: string(it), Time: now, Status: "done"})
	})
	ack := func(format string, args ...any) {
		if b.violates("GDPR-DSR-02") {
			b.say(ctx, c.WaID, fmt.Sprintf(t.dsrFee, ref))
		}
		b.say(ctx, c.WaID, fmt.Sprintf(format, args...))
	}
	switch it {
	case intentAccess, intentPortability:
		subject := c.WaID
		if b.violates("GDPR-VERIFY-01") {
			if m := phoneInText.FindString(txt); m != "" {
				subject = strings.TrimPrefix(m, "+")
			}
		}
		if it == intentAccess {
			ack(t.accessAck, ref)
		} else {
			ack(t.portabilityAck, ref)
		}
		b.sendExport(ctx, c.WaID, subject, it, ref, now)
	case intentRectification:
		field, value := rectification(txt)
		if field == "" {
			ack(t.rectifyAsk, ref)
			return
		}
		if !b.violates("GDPR-RECT-01") {
			b.store.update(c.WaID, func(c *customer) {
				old := c.Name
				if field == "email" {
					old, c.Email = c.Email, value
				} else {
					c.Name = value
				}
				c.setMessages(rectifyTranscript(c.Messages, field, old, value))
			})
		}
		label := map[string]string{"email": "email", "name": "nombre"}[field]
		if lang == "en" {
			label = field
		}
		ack(t.rectifyAck, label, ref)
	case intentErasure:
		b.erase(ctx, c.WaID, now)
		ack(t.eraseAck, ref)
	case intentRestriction:
		if !b.violates("GDPR-RESTRICT-01") {
			b.store.update(c.WaID, func(c *customer) { c.Restricted = true })
		}
		ack(t.restrictAck, ref)
	case intentObjection:
		if b.violates("GDPR-OBJECT-01") {
			ack(t.objectionCounter, ref)
			return
		}
		b.recordConsent(Consent{WaID: c.WaID, Purpose: "marketing", Given: false, Channel: "whatsapp", Wording: txt, Time: now, Source: "objection"})
		b.store.suppress(c.WaID, "objection", now)
		ack(t.objectionDone, ref)
	}
}

// erase deletes what the assistant holds and what Dialogflow holds for the session (contexts), keeps a
// hashed suppression entry, and rotates the session id so no later query reuses the old session.
func (b *Bot) erase(ctx context.Context, waID string, now time.Time) {
	session := b.sessionPath(waID)
	if !b.violates("GDPR-ERASE-01") {
		if err := b.nlu.deleteContexts(ctx, session); err != nil {
			b.log.Error("erasure: Dialogflow contexts not deleted; will not rotate silently", "error", err)
		}
	}
	b.store.erase(waID)
	if !b.violates("GDPR-ERASE-01") {
		b.store.rotate(waID)
	}
	if b.violates("GDPR-ERASE-02") {
		return
	}
	b.store.dropConsents(waID)
	b.store.suppress(waID, "erasure", now)
}

var (
	emailInText = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)
	nameInText  = regexp.MustCompile(`(?i)(?:mi nombre (?:correcto )?es|me llamo|my name is|my correct name is|nombre:)\s+([\p{L}][\p{L}' -]{1,60})`)
)

// rectification finds the corrected value in a request: an e-mail address or a name.
func rectification(txt string) (field, value string) {
	if m := emailInText.FindString(txt); m != "" {
		return "email", m
	}
	if m := nameInText.FindStringSubmatch(txt); m != nil {
		return "name", strings.TrimSpace(strings.TrimRight(m[1], " .!"))
	}
	return "", ""
}

// buildExport assembles the export of subject's data.
func (b *Bot) buildExport(subject string, it intent, ref string, now time.Time) exportDocument {
	c, _ := b.store.get(subject)
	doc := exportDocument{
		Version: "1", Kind: string(it), Reference: ref, GeneratedAt: now,
		Subject: exportSubject{
			WaID: subject, ProfileName: c.ProfileName, Name: c.Name, Email: c.Email, Language: c.Language,
			FirstSeen: c.FirstSeen, Restricted: c.Restricted, Consents: b.store.consentsOf(subject),
			Orders: b.orders.byOwner[subject], Tickets: b.orders.tickets[subject], Requests: c.Requests,
			Messages: c.Messages, DFSession: b.sessionID(subject),
		},
	}
	if b.violates("GDPR-ACCESS-01") && it == intentAccess {
		doc.Subject = exportSubject{WaID: subject, ProfileName: c.ProfileName, Name: c.Name, Email: c.Email, Consents: doc.Subject.Consents}
		return doc
	}
	if it == intentPortability {
		// Art. 20 covers the data the customer provided; the art. 15 information is not part of it.
		doc.Subject.DFSession, doc.Subject.Requests = "", nil
		return doc
	}
	doc.Controller = &controller{Name: ControllerName, Contact: PrivacyEmail, Privacy: PrivacyURL}
	doc.Purposes = []purpose{
		{"Atender consultas, pedidos y tickets por WhatsApp / answering questions, orders and tickets", "contrato (art. 6.1.b RGPD) / contract"},
		{"Enviar ofertas por WhatsApp, solo con consentimiento / marketing on WhatsApp, only with consent", "consentimiento (art. 6.1.a RGPD) / consent"},
		{"Atender derechos y reclamaciones / handling rights requests and complaints", "obligación legal (art. 6.1.c RGPD) / legal obligation"},
	}
	doc.Recipients = []recipient{
		{"Meta Platforms Ireland Ltd. (WhatsApp Business Platform)", "encargado del tratamiento / processor", "mensajes de la conversación / conversation messages"},
		{"Google Ireland Ltd. (Dialogflow)", "encargado del tratamiento / processor", "texto de los mensajes sin identificadores / de-identified message text"},
		{"Google Ireland Ltd. (Cloud DLP)", "encargado del tratamiento / processor", "texto de los mensajes, para ocultar identificadores / message text, to hide identifiers"},
	}
	doc.Retention = fmt.Sprintf("Conversación: %d días desde cada mensaje; consentimientos y solicitudes: mientras dure la relación y 3 años más para acreditar el cumplimiento / conversation: %d days; consents and requests: for the relationship plus 3 years", RetentionDays, RetentionDays)
	doc.Rights = []string{"acceso/access", "rectificación/rectification", "supresión/erasure", "limitación/restriction", "portabilidad/portability", "oposición/objection", "retirar el consentimiento/withdraw consent"}
	doc.Complaint = "Agencia Española de Protección de Datos (AEPD), www.aepd.es"
	doc.Source = "Facilitados por ti a través de WhatsApp / provided by you on WhatsApp"
	return doc
}

// sendExport uploads the export through the media endpoint and sends it as a document to to.
func (b *Bot) sendExport(ctx context.Context, to, subject string, it intent, ref string, now time.Time) {
	doc := b.buildExport(subject, it, ref, now)
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		b.log.Error("export not encoded", "error", err)
		return
	}
	// WhatsApp accepts no application/json documents (only text/plain, PDF and Office types), so the JSON
	// travels as text/plain under a .json name: the bytes are the structured, machine-readable export.
	mimeType, filename := "text/plain", fmt.Sprintf("tienda-ejemplo-%s-%s.json", it, ref)
	if it == intentPortability && b.violates("GDPR-PORT-01") {
		mimeType, filename = "application/pdf", fmt.Sprintf("tienda-ejemplo-%s-%s.pdf", it, ref)
		data = fakePDF(data)
	}
	id, err := b.wa.uploadMedia(ctx, filename, mimeType, data)
	if err != nil {
		b.log.Error("export upload failed", "code", errorCode(err), "error", err)
		b.say(ctx, to, text(b.langOf(to)).nluDown)
		return
	}
	if _, err := b.wa.sendDocument(ctx, to, id, filename, ref); err != nil {
		b.log.Error("export not sent", "code", errorCode(err), "error", err)
	}
}

func (b *Bot) langOf(waID string) string {
	c, _ := b.store.get(waID)
	return b.lang(c)
}

// fakePDF wraps text in a minimal PDF, as an assistant that "exports to PDF" would.
func fakePDF(body []byte) []byte {
	var buf bytes.Buffer
	buf.WriteString("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ")
	buf.Write(bytes.ReplaceAll(body, []byte("\n"), []byte(" ")))
	buf.WriteString("\n%%EOF\n")
	return buf.Bytes()
}

// rectifyTranscript replaces the superseded value in what the assistant kept of the conversation, so no
// export shows it again (GDPR art. 16): for an e-mail, every other address the customer wrote; for a
// name, the old name when it is known.
func rectifyTranscript(ms []message, field, old, value string) []message {
	out := make([]message, len(ms))
	for i, m := range ms {
		switch {
		case field == "email":
			m.Text = emailInText.ReplaceAllStringFunc(m.Text, func(e string) string {
				if strings.EqualFold(e, value) {
					return e
				}
				return value
			})
		case old != "" && old != value:
			m.Text = strings.ReplaceAll(m.Text, old, value)
		}
		out[i] = m
	}
	return out
}
