package steps

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// The outcome expectations: what a customer must have been told, judged by what the assistant's messages
// mean (audit.Means, the auditor's own word lists) and never by one assistant's wording, so the
// certification suite holds for any assistant. Each looks at what the customer received since their last
// action: what has arrived first, and, when that does not carry the meaning, everything once the
// assistant has settled.
func outcomeDefs() []Def {
	return []Def{
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives an opt-out confirmation$`,
			ES:   `^"([^"]+)" recibe la confirmación de la baja$`,
			ExEN: `"Lucía" receives an opt-out confirmation`, ExES: `"Lucía" recibe la confirmación de la baja`,
			Doc: "A message since the customer's last action confirms they will receive no more marketing, in any words (audit.MeansOptOutConfirmed, what WA-OPTOUT-01 looks for).",
			fn:  receivesOutcome(meaningOutcome("an opt-out confirmation", "una confirmación de la baja", audit.MeansOptOutConfirmed))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" is told (?:she|he|they) (?:is|are) talking to an automated assistant$`,
			ES:   `^"([^"]+)" sabe que le atiende un asistente automático$`,
			ExEN: `"Lucía" is told she is talking to an automated assistant`, ExES: `"Lucía" sabe que le atiende un asistente automático`,
			Doc: "A message since the customer's last action says an automated assistant (a bot, AI) is answering (audit.MeansAutomated, as AI-DISC-01 judges).",
			fn:  receivesOutcome(meaningOutcome("a statement that an automated assistant answers", "un aviso de que responde un asistente automático", audit.MeansAutomated))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives the privacy notice$`,
			ES:   `^"([^"]+)" recibe la información de privacidad$`,
			ExEN: `"Lucía" receives the privacy notice`, ExES: `"Lucía" recibe la información de privacidad`,
			Doc: "The messages since the customer's last action, read together (a notice may take several), give privacy information with a link to the policy (the profile's notice URL when it has one) and name Meta and Google, the processors that read the conversation (audit.MeansPrivacyNotice, as GDPR-NOTICE-01 and PRIV-3P-01 judge).",
			fn:  receivesPrivacyNotice},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a reference for (?:her|his|their) request$`,
			ES:   `^"([^"]+)" recibe una referencia de su solicitud$`,
			ExEN: `"Lucía" receives a reference for her request`, ExES: `"Lucía" recibe una referencia de su solicitud`,
			Doc: "A message since the customer's last action gives a code they can quote, in whatever format the assistant uses (audit.MeansReference).",
			fn:  receivesOutcome(meaningOutcome("a reference for the request", "una referencia de la solicitud", audit.MeansReference))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives an acknowledgement of (?:her|his|their) request$`,
			ES:   `^"([^"]+)" recibe la confirmación de su solicitud$`,
			ExEN: `"Lucía" receives an acknowledgement of her request`, ExES: `"Lucía" recibe la confirmación de su solicitud`,
			Doc: "A message since the customer's last action says their request was received or done (data erased, corrected, processing restricted…; audit.MeansRequestAcknowledged).",
			fn:  receivesOutcome(meaningOutcome("an acknowledgement of the request", "un acuse de recibo de la solicitud", audit.MeansRequestAcknowledged))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" is offered a person$`,
			ES:   `^"([^"]+)" recibe la opción de hablar con una persona$`,
			ExEN: `"Lucía" is offered a person`, ExES: `"Lucía" recibe la opción de hablar con una persona`,
			Doc: "A message since the customer's last action offers a way to reach a person: a keyword, a button, a phone number, an e-mail, a contact page, or a transfer (audit.MeansPersonOffered or MeansHandoff, as WA-ESC-01 judges).",
			fn:  receivesOutcome(meaningOutcome("a way to reach a person", "una forma de hablar con una persona", audit.MeansPersonOffered, audit.MeansHandoff))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" is handed over to a person$`,
			ES:   `^"([^"]+)" pasa a hablar con una persona$`,
			ExEN: `"Lucía" is handed over to a person`, ExES: `"Lucía" pasa a hablar con una persona`,
			Doc: "A message since the customer's last action announces that a person takes over the chat (audit.MeansHandoff, where WA-ESC-02 starts judging the assistant's silence).",
			fn:  receivesOutcome(meaningOutcome("a handoff to a person", "el paso a una persona", audit.MeansHandoff))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" is asked whether (?:she|he|they) wants? offers$`,
			ES:   `^a "([^"]+)" le preguntan si quiere recibir ofertas$`,
			ExEN: `"Lucía" is asked whether she wants offers`, ExES: `a "Lucía" le preguntan si quiere recibir ofertas`,
			Doc: "A message since the customer's last action asks whether they want marketing (offers, news…), however the assistant asks it (audit.MeansOptInQuestion, as WA-OPTIN-02 finds prompts).",
			fn:  receivesOutcome(meaningOutcome("a question whether they want offers", "una pregunta de si quiere recibir ofertas", audit.MeansOptInQuestion)), who: 1},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives (?:the|her|his|their) order's status$`,
			ES:   `^"([^"]+)" recibe el estado de su pedido$`,
			ExEN: `"Lucía" receives the order's status`, ExES: `"Lucía" recibe el estado de su pedido`,
			Doc: "A message since the customer's last action names an order of the profile's test data or says where an order is (shipped, on its way, delivered…; audit.MeansOrderStatus).",
			fn:  receivesOrderStatus},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a copy of (?:her|his|their) data$`,
			ES:   `^"([^"]+)" recibe una copia de sus datos$`,
			ExEN: `"Lucía" receives a copy of her data`, ExES: `"Lucía" recibe una copia de sus datos`,
			Doc: "Since the customer's last action they received a document in a machine-readable format (JSON, CSV or XML, as the auditor reads it: a text/plain document counts by its .json, .csv or .xml name) that parses and carries their number or a value they shared.",
			fn:  receivesDataCopy},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a privacy reminder$`,
			ES:   `^"([^"]+)" recibe un recordatorio de privacidad$`,
			ExEN: `"Lucía" receives a privacy reminder`, ExES: `"Lucía" recibe un recordatorio de privacidad`,
			Doc: "A message since the customer's last action carries privacy information: a reminder not to share sensitive data, the data's use, or the notice's link (audit.MeansPrivacy, as PRIV-JIT-01 judges).",
			fn:  receivesOutcome(meaningOutcome("a privacy reminder", "un recordatorio de privacidad", audit.MeansPrivacy))},
		{Keyword: "Then",
			EN:   `^"([^"]+)" gets an answer$`,
			ES:   `^"([^"]+)" recibe respuesta$`,
			ExEN: `"Lucía" gets an answer`, ExES: `"Lucía" recibe respuesta`,
			Doc: "The assistant answered the customer's last action with at least one message, whatever it says.",
			fn:  receivesOutcome(outcome{what: "an answer", whatES: "una respuesta", carries: func(*scenarioState, string) bool { return true }})},
		{Keyword: "When",
			EN:   `^the business tells "([^"]+)" that (?:her|his|their) order has shipped$`,
			ES:   `^el negocio avisa a "([^"]+)" de que su pedido ha salido$`,
			ExEN: `the business tells "Lucía" that her order has shipped`, ExES: `el negocio avisa a "Lucía" de que su pedido ha salido`,
			Doc: "The first order of the profile's test data shipped: a business event for the customer, through the assistant's notify hook (@hook-notify). Expectations after it look at what arrived since the event.",
			fn:  notifyTestOrderShipped, who: 1},
	}
}

// outcome is what an expectation looks for: a test of one message's text and a name for it in errors.
type outcome struct {
	what, whatES string // "an opt-out confirmation", in English and in Spanish
	// carries judges the text a customer sees of one message (audit.SentText).
	carries func(s *scenarioState, text string) bool
	// together also judges the messages' texts read as one: what may take several messages (a notice).
	together bool
}

// meaningOutcome is an outcome carried by any of the meanings; what and whatES name it in errors.
func meaningOutcome(what, whatES string, ms ...audit.Meaning) outcome {
	return outcome{what: what, whatES: whatES, carries: func(s *scenarioState, text string) bool {
		for _, m := range ms {
			if audit.Means(text, m, s.profile.Privacy.NoticeURL) {
				return true
			}
		}
		return false
	}}
}

// receivesOutcome is the step function for an outcome.
func receivesOutcome(o outcome) func(context.Context, string) error {
	return func(ctx context.Context, name string) error { return expectOutcome(ctx, name, o) }
}

func receivesPrivacyNotice(ctx context.Context, name string) error {
	o := meaningOutcome("the privacy notice (privacy information with a link to the policy, naming Meta and Google)", "la información de privacidad (con un enlace a la política, nombrando a Meta y Google)", audit.MeansPrivacyNotice)
	o.together = true
	return expectOutcome(ctx, name, o)
}

func receivesOrderStatus(ctx context.Context, name string) error {
	return expectOutcome(ctx, name, outcome{what: "an order's status", whatES: "el estado de un pedido", carries: func(s *scenarioState, text string) bool {
		for _, o := range s.profile.TestData.Orders {
			if o.Code != "" && strings.Contains(fold(text), fold(o.Code)) {
				return true
			}
		}
		return audit.Means(text, audit.MeansOrderStatus, "")
	}})
}

// expectOutcome passes when a message the customer received since their last action carries the
// outcome. Like "receives a reply containing", it judges what has arrived and then each new arrival, for
// up to the reply wait: an assistant may still be retrying a send WhatsApp refused when everything
// else has settled.
func expectOutcome(ctx context.Context, name string, o outcome) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, s.replyWait)
	defer cancel()
	for {
		fresh, texts, err := receivedSince(ctx, s, c)
		if err != nil {
			return err
		}
		if i := o.find(s, texts); i >= 0 {
			s.found(c, fresh, i)
			return nil
		}
		if _, err := s.env.World().WhatsApp.AwaitInbox(wctx, c.WaID, s.mark(c)+len(fresh)+1); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("%s\n%s", missed(langOf(ctx), c.Name, words(ctx, o.what, o.whatES), texts), transcript(context.WithoutCancel(ctx), c))
		}
	}
}

// find returns the index of the message that carries the outcome, the last one when only the messages
// read together do, or -1.
func (o outcome) find(s *scenarioState, texts []string) int {
	for i, t := range texts {
		if o.carries(s, t) {
			return i
		}
	}
	if o.together && len(texts) > 1 && o.carries(s, strings.Join(texts, "\n")) {
		return len(texts) - 1
	}
	return -1
}

// found records that the customer looked at their messages up to the i-th of fresh, which is now "the
// reply" that later steps (the buttons it offers) look at.
func (s *scenarioState) found(c *sim.Customer, fresh []whatsapp.InboxMessage, i int) {
	m := fresh[i]
	s.setReply(c, &m)
	s.looked(c, s.mark(c)+i+1)
}

// missed says, as a person would, that none of the messages the customer got carried the outcome, and
// quotes the last one.
func missed(lang, name, what string, texts []string) string {
	switch len(texts) {
	case 0:
		return fmt.Sprintf(pick(lang, "%s got no reply since their last message; expected %s",
			"%s no recibió ninguna respuesta desde su último mensaje; se esperaba %s"), name, what)
	case 1:
		return fmt.Sprintf(pick(lang, "%s got 1 reply since their last message and it was not %s: «%s»",
			"%s recibió 1 respuesta desde su último mensaje y no era %s: «%s»"), name, what, excerpt(texts[0]))
	}
	return fmt.Sprintf(pick(lang, "%s got %d replies since their last message, none was %s; the last was: «%s»",
		"%s recibió %d respuestas desde su último mensaje, ninguna era %s; la última fue: «%s»"), name, len(texts), what, excerpt(texts[len(texts)-1]))
}

func excerpt(text string) string {
	const limit = 240
	t := strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(t) <= limit {
		return t
	}
	r := []rune(t)
	return string(r[:limit]) + "…"
}

// receivedSince returns what the customer received since their last action and the text they see of
// each (audit.SentText of the send the journal recorded, which has headers and footers; the inbox's own
// text when the journal has no such send).
func receivedSince(ctx context.Context, s *scenarioState, c *sim.Customer) ([]whatsapp.InboxMessage, []string, error) {
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return nil, nil, err
	}
	fresh := inbox[min(s.mark(c), len(inbox)):]
	if len(fresh) == 0 {
		return nil, nil, nil
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	sends := map[string]journal.OutboundData{}
	for _, e := range events {
		var o journal.OutboundData
		if e.Kind == journal.KindOutboundAccepted && e.Customer == c.WaID && e.Decode(&o) == nil && o.ID != "" {
			sends[o.ID] = o
		}
	}
	texts := make([]string, len(fresh))
	for i, m := range fresh {
		o, ok := sends[m.ID]
		if !ok {
			o = journal.OutboundData{Type: m.Type, Text: m.Text, Buttons: m.Buttons}
		}
		texts[i] = audit.SentText(&o)
	}
	return fresh, texts, nil
}

// receivesDataCopy passes when a document the customer received since their last action is their data
// in a machine-readable format; otherwise it says what was wrong with each document.
func receivesDataCopy(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := settle(ctx, s); err != nil {
		return err
	}
	fresh, texts, err := receivedSince(ctx, s, c)
	if err != nil {
		return err
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	uploads, mine := uploadsAndValues(events, c)
	var problems []string
	for i, m := range fresh {
		if m.Type != "document" {
			continue
		}
		problem := judgeDataCopy(langOf(ctx), m, uploads, mine, c.Name, "")
		if problem == "" {
			s.found(c, fresh, i)
			return nil
		}
		problems = append(problems, problem)
	}
	if len(problems) == 0 {
		return fmt.Errorf("%s\n%s", missed(langOf(ctx), c.Name, words(ctx, "a document with their data", "un documento con sus datos"), texts), transcript(ctx, c))
	}
	return fmt.Errorf(words(ctx, "%s expected a copy of their data in a machine-readable format: %s\n%s", "%s esperaba una copia de sus datos en un formato legible por máquina: %s\n%s"), c.Name, strings.Join(problems, "; "), transcript(ctx, c))
}

// uploadsAndValues returns the media uploaded, by id, and what identifies the customer in a copy of
// their data: their number and the values they shared.
func uploadsAndValues(events []journal.Event, c *sim.Customer) (map[string]journal.MediaData, []string) {
	uploads := map[string]journal.MediaData{}
	mine := []string{c.WaID}
	for _, e := range events {
		switch {
		case e.Kind == journal.KindMediaUploaded:
			var m journal.MediaData
			if e.Decode(&m) == nil {
				uploads[m.ID] = m
			}
		case e.Kind == journal.KindCanaryPlanted && e.Customer == c.WaID:
			var cd journal.CanaryData
			if e.Decode(&cd) == nil {
				mine = append(mine, cd.Value)
			}
		}
	}
	return uploads, mine
}

// sentDocument is the document of a message as the customer received it: the uploaded media's id, or a
// link, and the file name the assistant gave.
type sentDocument struct {
	ID       string `json:"id"`
	Link     string `json:"link"`
	Filename string `json:"filename"`
}

// documentOf is the document m carries; zero when it carries none.
func documentOf(m whatsapp.InboxMessage) sentDocument {
	var sent struct {
		Document sentDocument `json:"document"`
	}
	_ = json.Unmarshal(m.Message, &sent)
	return sent.Document
}

// judgeDataCopy returns what keeps a document from being the customer's data in a machine-readable
// format (in format, a MIME type, when one is required), or "" when it is.
func judgeDataCopy(lang string, m whatsapp.InboxMessage, uploads map[string]journal.MediaData, mine []string, name, format string) string {
	sent := documentOf(m)
	up, ok := uploads[sent.ID]
	if !ok {
		return fmt.Sprintf(pick(lang, "document %q was not uploaded to WhatsApp first, so its content cannot be read", "el documento %q no se subió antes a WhatsApp, así que no se puede leer su contenido"), cmp.Or(sent.Filename, sent.Link))
	}
	filename := cmp.Or(sent.Filename, up.Filename)
	doc := audit.ReadDocument(up.MimeType, filename, up.Content)
	switch {
	case format != "" && doc.Format != format:
		return fmt.Sprintf(pick(lang, "document %q is %s, not %s", "el documento %q es %s, no %s"), filename, cmp.Or(doc.Format, pick(lang, "of no known type", "de un tipo desconocido")), format)
	case !doc.MachineReadable:
		return fmt.Sprintf(pick(lang, "document %q is %s, not a machine-readable format (JSON, CSV or XML)", "el documento %q es %s, no un formato legible por máquina (JSON, CSV o XML)"), filename, cmp.Or(doc.Format, pick(lang, "of no known type", "de un tipo desconocido")))
	case up.Truncated || !doc.Parses:
		return fmt.Sprintf(pick(lang, "document %q does not parse as %s", "el documento %q no se puede leer como %s"), filename, doc.Format)
	}
	for _, v := range mine {
		if doc.Carries(v) {
			return ""
		}
	}
	return fmt.Sprintf(pick(lang, "document %q carries neither %s's number nor anything they shared", "el documento %q no lleva ni el número de %s ni nada de lo que compartió"), filename, name)
}

// notifyTestOrderShipped tells the customer, through the notify hook, that the profile's first test order
// has shipped.
func notifyTestOrderShipped(ctx context.Context, name string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	o, ok := s.profile.TestOrder()
	if !ok {
		return fmt.Errorf(words(ctx, "the assistant's profile lists no test order (test_data.orders), so no order of %s can ship", "el perfil del asistente no tiene ningún pedido de prueba (test_data.orders), así que ningún pedido de %s puede salir"), name)
	}
	c, err := s.customer(name)
	if err != nil {
		return err
	}
	// What the assistant sends from now on answers the event, as a reply answers a customer's action.
	if err := s.acted(ctx, c); err != nil {
		return err
	}
	return notifyShipped(ctx, name, o.Code)
}
