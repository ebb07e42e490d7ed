package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/sim"
)

// Steps that look at what the assistant left or showed in the services behind it: Dialogflow's state
// for a customer, the texts DLP was asked to check, a document's contents.

// inspectDefs are the steps of this file.
func inspectDefs() []Def {
	return []Def{
		{Keyword: "Then",
			EN:   `^Dialogflow holds nothing for "([^"]+)"$`,
			ES:   `^Dialogflow no guarda nada de "([^"]+)"$`,
			ExEN: `Dialogflow holds nothing for "Lucía"`, ExES: `Dialogflow no guarda nada de "Lucía"`,
			Doc: "Once everything has settled, no session of the customer in the Dialogflow mock has a live context (a session is the customer's when one of its queries carries a text they sent, verbatim or as DLP de-identified it). Session entity types are not modelled: an assistant that calls them fails the scenario as an unmodelled request, so none can be left. Fails when Dialogflow saw no session of the customer, which would prove nothing.",
			fn:  dialogflowHoldsNothing},
		{Keyword: "Then",
			EN:   `^the texts DLP checked for "([^"]+)" (contained|did not contain) "([^"]+)"$`,
			ES:   `^los textos que DLP revisó de "([^"]+)" (contenían|no contenían) "([^"]+)"$`,
			ExEN: `the texts DLP checked for "Lucía" did not contain "12345678Z"`, ExES: `los textos que DLP revisó de "Lucía" contenían "hola"`,
			Doc: "Among the texts the assistant sent DLP to inspect or de-identify while handling the customer's messages (from each message of theirs to the next message of any customer), one contains the text, or none does (ignoring case). Fails when DLP was asked to check nothing for the customer, which would prove nothing.",
			fn:  dlpChecked},
		{Keyword: "Then",
			EN:   `^the document sent to "([^"]+)" contains "([^"]+)"$`,
			ES:   `^el documento enviado a "([^"]+)" contiene "([^"]+)"$`,
			ExEN: `the document sent to "Lucía" contains "lucia@example.com"`, ExES: `el documento enviado a "Lucía" contiene "34600000001"`,
			Doc: "The newest document the customer received, as the assistant uploaded it to WhatsApp, contains the text (ignoring case).",
			fn:  documentContains},
		{Keyword: "Then",
			EN:   `^the document sent to "([^"]+)" is valid JSON with (?:a |the )?field "([^"]+)"$`,
			ES:   `^el documento enviado a "([^"]+)" es JSON válido con el campo "([^"]+)"$`,
			ExEN: `the document sent to "Lucía" is valid JSON with the field "email"`, ExES: `el documento enviado a "Lucía" es JSON válido con el campo "email"`,
			Doc: "The newest document the customer received parses as JSON and has, at any depth, an object with the field (a dotted path such as \"customer.email\" names nested fields from the top).",
			fn:  documentJSONField},
	}
}

// dialogflowHoldsNothing checks that no session of the customer has a live context left.
func dialogflowHoldsNothing(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	events, err := settledEvents(ctx, s)
	if err != nil {
		return err
	}
	sessions := sessionsOf(events, c)
	if len(sessions) == 0 {
		return fmt.Errorf(words(ctx, "Dialogflow saw no session of %s (no query carried a text they sent), so this step proves nothing; let %s say something first\n%s", "Dialogflow no vio ninguna sesión de %s (ninguna consulta llevaba un texto suyo), así que este paso no prueba nada; haz que %s diga algo antes\n%s"), c.Name, c.Name, transcript(ctx, c))
	}
	var left []string
	for _, sess := range sessions {
		cs, err := s.env.Dialogflow().Contexts(ctx, sess)
		if err != nil {
			return fmt.Errorf(words(ctx, "reading the contexts of Dialogflow session %s: %w", "leyendo los contextos de la sesión de Dialogflow %s: %w"), sess, err)
		}
		for _, cx := range cs {
			left = append(left, fmt.Sprintf(words(ctx, "%s (lifespan %d)", "%s (vida %d)"), cx.Name, cx.Lifespan))
		}
	}
	if len(left) > 0 {
		return fmt.Errorf(words(ctx, "Dialogflow still holds %d context(s) of %s's session(s): %s\n%s", "Dialogflow aún guarda %d contexto(s) de la(s) sesión(es) de %s: %s\n%s"), len(left), c.Name, strings.Join(left, ", "), transcript(ctx, c))
	}
	return nil
}

// sessionsOf are the Dialogflow sessions (full paths) one of whose queries carried a text the customer
// sent, verbatim or as DLP returned it de-identified, in the order first seen.
func sessionsOf(events []journal.Event, c *sim.Customer) []string {
	texts := map[string]bool{}
	for _, e := range events {
		switch {
		case e.Kind == journal.KindInboundSent && e.Customer == c.WaID:
			var d journal.InboundData
			if e.Decode(&d) == nil && strings.TrimSpace(d.Text) != "" {
				texts[strings.TrimSpace(d.Text)] = true
			}
		case e.Kind == journal.KindDeidentify:
			var d journal.DLPData
			if e.Decode(&d) == nil && texts[strings.TrimSpace(d.Text)] && d.Result != "" {
				texts[strings.TrimSpace(d.Result)] = true
			}
		}
	}
	var out []string
	for _, e := range events {
		if e.Kind != journal.KindDetectIntent {
			continue
		}
		var d journal.DetectIntentData
		if e.Decode(&d) == nil && texts[strings.TrimSpace(d.Text)] && !slices.Contains(out, d.Session) {
			out = append(out, d.Session)
		}
	}
	return out
}

// dlpChecked checks the texts DLP was asked to inspect or de-identify while the assistant handled the
// customer's messages.
func dlpChecked(ctx context.Context, name, how, text string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	events, err := settledEvents(ctx, s)
	if err != nil {
		return err
	}
	var texts []string
	current := ""
	for _, e := range events {
		switch e.Kind {
		case journal.KindInboundSent:
			current = e.Customer
		case journal.KindInspect, journal.KindDeidentify:
			var d journal.DLPData
			if current == c.WaID && e.Decode(&d) == nil {
				texts = append(texts, d.Text)
			}
		}
	}
	if len(texts) == 0 {
		return fmt.Errorf(words(ctx, "DLP was asked to check nothing while the assistant handled %s's messages, so this step proves nothing\n%s", "a DLP no se le pidió revisar nada mientras el asistente atendía los mensajes de %s, así que este paso no prueba nada\n%s"), c.Name, transcript(ctx, c))
	}
	want := strings.ToLower(text)
	var with []string
	for _, t := range texts {
		if strings.Contains(strings.ToLower(t), want) {
			with = append(with, fmt.Sprintf("%q", t))
		}
	}
	contained := how == "contained" || how == "contenían"
	switch {
	case contained && len(with) == 0:
		return fmt.Errorf(words(ctx, "none of the %d text(s) DLP checked for %s contained %q; they were: %s", "ninguno de los %d texto(s) que DLP revisó para %s contenía %q; fueron: %s"), len(texts), c.Name, text, quoteAll(texts))
	case !contained && len(with) > 0:
		return fmt.Errorf(words(ctx, "DLP checked %d text(s) for %s containing %q: %s", "DLP revisó %d texto(s) de %s que contenían %q: %s"), len(with), c.Name, text, strings.Join(with, ", "))
	}
	return nil
}

// lastDocument is the content of the newest document the customer received, as the assistant uploaded
// it, and its file name.
func lastDocument(ctx context.Context, name string) (*sim.Customer, string, []byte, error) {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return nil, "", nil, err
	}
	if err := settle(ctx, s); err != nil {
		return nil, "", nil, err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return nil, "", nil, err
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return nil, "", nil, fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	uploads, _ := uploadsAndValues(events, c)
	for i := len(inbox) - 1; i >= 0; i-- {
		if inbox[i].Type != "document" {
			continue
		}
		doc := documentOf(inbox[i])
		up, ok := uploads[doc.ID]
		file := doc.Filename
		if file == "" {
			file = up.Filename
		}
		switch {
		case !ok:
			return c, "", nil, fmt.Errorf(words(ctx, "the document sent to %s (%q) was not uploaded to WhatsApp first, so its content cannot be read\n%s", "el documento enviado a %s (%q) no se subió antes a WhatsApp, así que no se puede leer su contenido\n%s"), c.Name, file+doc.Link, transcript(ctx, c))
		case up.Truncated:
			return c, "", nil, fmt.Errorf(words(ctx, "the document sent to %s (%q) is larger than the journal keeps, so its content cannot be judged", "el documento enviado a %s (%q) es mayor de lo que guarda el registro de eventos, así que no se puede juzgar su contenido"), c.Name, file)
		}
		return c, file, up.Content, nil
	}
	return c, "", nil, fmt.Errorf(words(ctx, "%s received no document\n%s", "%s no recibió ningún documento\n%s"), c.Name, transcript(ctx, c))
}

func documentContains(ctx context.Context, name, text string) error {
	c, file, content, err := lastDocument(ctx, name)
	if err != nil {
		return err
	}
	if !strings.Contains(strings.ToLower(string(content)), strings.ToLower(text)) {
		return fmt.Errorf(words(ctx, "the document sent to %s (%q, %d bytes) does not contain %q; it begins: %s", "el documento enviado a %s (%q, %d bytes) no contiene %q; empieza así: %s"), c.Name, file, len(content), text, begins(content))
	}
	return nil
}

func documentJSONField(ctx context.Context, name, field string) error {
	c, file, content, err := lastDocument(ctx, name)
	if err != nil {
		return err
	}
	var v any
	if err := json.Unmarshal(content, &v); err != nil {
		return fmt.Errorf(words(ctx, "the document sent to %s (%q) is not valid JSON: %v; it begins: %s", "el documento enviado a %s (%q) no es JSON válido: %v; empieza así: %s"), c.Name, file, err, begins(content))
	}
	if !hasField(v, field) {
		return fmt.Errorf(words(ctx, "the document sent to %s (%q) is JSON without a field %q; it begins: %s", "el documento enviado a %s (%q) es JSON sin el campo %q; empieza así: %s"), c.Name, file, field, begins(content))
	}
	return nil
}

// hasField reports whether v has the field: a dotted path from the top ("customer.email"), or a plain
// name at any depth.
func hasField(v any, field string) bool {
	if strings.Contains(field, ".") {
		cur := v
		for _, k := range strings.Split(field, ".") {
			m, ok := cur.(map[string]any)
			if !ok {
				return false
			}
			if cur, ok = m[k]; !ok {
				return false
			}
		}
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[field]; ok {
			return true
		}
		for _, y := range x {
			if hasField(y, field) {
				return true
			}
		}
	case []any:
		for _, y := range x {
			if hasField(y, field) {
				return true
			}
		}
	}
	return false
}

// begins is the start of a document, on one line, for a failure.
func begins(b []byte) string {
	const most = 200
	s := strings.Join(strings.Fields(string(b)), " ")
	if r := []rune(s); len(r) > most {
		s = string(r[:most]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
