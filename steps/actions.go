package steps

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/control"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/sim"
)

// replyWait is how long, in real time, a step waits for the assistant to answer.
const replyWait = 10 * time.Second

var (
	affirmative = regexp.MustCompile(`(?i)^(s[ií]([^\pL]|$)|yes\b|acepto|i agree|ok\b)`)
	negative    = regexp.MustCompile(`(?i)^no\b`)
	optOutTitle = regexp.MustCompile(`(?i)baja|stop|unsubscribe|darme de baja`)
	// The keywords the assistant tells customers to write (texts of the reference assistant and the
	// platform's own conventions): a message that is only one of them states the customer's intent.
	optOutKeyword = regexp.MustCompile(`(?i)^\s*(baja|stop|unsubscribe|cancelar suscripci[oó]n)\s*[.!]?\s*$`)
	humanKeyword  = regexp.MustCompile(`(?i)^\s*(agente|agent|humano|human|persona)\s*[.!]?\s*$`)
)

func langCode(s string) string {
	switch strings.ToLower(s) {
	case "english", "inglés":
		return "en"
	}
	return "es"
}

func byLang(c *sim.Customer, es, en string) string {
	if c.Lang == "en" {
		return en
	}
	return es
}

func settle(ctx context.Context, s *scenarioState) error { return s.env.World().AwaitQuiet(ctx) }

// settledEvents settles the scenario, then reads its part of the journal.
func settledEvents(ctx context.Context, s *scenarioState) ([]journal.Event, error) {
	if err := settle(ctx, s); err != nil {
		return nil, err
	}
	events, err := s.env.Events(ctx)
	if err != nil {
		return nil, fmt.Errorf(words(ctx, "reading the journal: %w", "leyendo el registro de eventos: %w"), err)
	}
	return events, nil
}

func newCustomer(ctx context.Context, name, phone, lang string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	c, err := s.env.World().NewCustomer(sim.Persona{WaID: phone, Name: name, Lang: langCode(lang)})
	if err != nil {
		return err
	}
	return s.addCustomer(c)
}

func lookup(ctx context.Context, name string) (*scenarioState, *sim.Customer, error) {
	s, err := state(ctx)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.customer(name)
	return s, c, err
}

func greet(ctx context.Context, s *scenarioState, c *sim.Customer) error {
	if err := s.acted(ctx, c); err != nil {
		return err
	}
	if _, err := c.Say(ctx, byLang(c, "Hola", "Hi")); err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(ctx, s.replyWait)
	defer cancel()
	if _, err := c.AwaitReply(wctx); err != nil {
		return err
	}
	if _, err := c.Settle(ctx); err != nil {
		return err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	s.looked(c, len(inbox))
	return err
}

func greeted(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	return greet(ctx, s, c)
}

// acceptedInChat is a customer who greeted the assistant and opted in to its offers, however it asks
// (the goal of "opts in to offers"); everything received so far counts as looked at, as after a greeting.
func acceptedInChat(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := greet(ctx, s, c); err != nil {
		return err
	}
	if err := goal(sim.GoalOptIn)(ctx, name); err != nil {
		return err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	s.looked(c, len(inbox))
	return err
}

func optedInElsewhere(ctx context.Context, name, purpose, channel string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if purpose == "notificaciones" {
		purpose = "notifications"
	}
	business := s.env.AuditOptions().Business
	if business == "" {
		business = "Tienda Ejemplo"
	}
	wording := map[string]string{
		"marketing":     byLang(c, "Acepto recibir ofertas de %s por WhatsApp", "I agree to receive offers from %s on WhatsApp"),
		"notifications": byLang(c, "Quiero recibir avisos de mis pedidos de %s por WhatsApp", "I want notices about my %s orders on WhatsApp"),
	}[purpose]
	now, err := s.env.World().WhatsApp.AdvanceClock(ctx, 0)
	if err != nil {
		return err
	}
	return c.OptInElsewhere(ctx, purpose, channel, fmt.Sprintf(wording, business), now)
}

func optedInElsewhereUnproven(ctx context.Context, name, purpose, channel string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if purpose == "notificaciones" {
		purpose = "notifications"
	}
	now, err := s.env.World().WhatsApp.AdvanceClock(ctx, 0)
	if err != nil {
		return err
	}
	// harness.Hooks reports an HTTP refusal as "the assistant answered …": refusing is right here.
	if err := c.OptInElsewhere(ctx, purpose, channel, "", now); err != nil && !strings.Contains(err.Error(), "the assistant answered") {
		return err
	}
	return nil
}

// say sends text, recording as ground truth what the announced keywords mean.
func say(ctx context.Context, s *scenarioState, c *sim.Customer, text string) error {
	if err := s.acted(ctx, c); err != nil {
		return err
	}
	var err error
	switch {
	case optOutKeyword.MatchString(text):
		_, err = c.OptOut(ctx, text)
	case humanKeyword.MatchString(text):
		_, err = c.AskForHuman(ctx, text)
	default:
		_, err = c.Say(ctx, text)
	}
	// The customer has waited for the assistant to finish answering (sim.Customer), as people do.
	return err
}

func says(ctx context.Context, name, text string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	return say(ctx, s, c, text)
}

func saysDoc(ctx context.Context, name string, doc *godog.DocString) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	return say(ctx, s, c, strings.TrimSpace(doc.Content))
}

func taps(ctx context.Context, name, title string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := settle(ctx, s); err != nil {
		return err
	}
	inbox, err := s.env.World().WhatsApp.Inbox(ctx, c.WaID)
	if err != nil {
		return err
	}
	var msg *whatsapp.InboxMessage
	var offered []string
	for i := len(inbox) - 1; i >= 0 && msg == nil; i-- {
		for _, b := range inbox[i].Buttons {
			offered = append(offered, b)
			if strings.EqualFold(b, title) {
				msg = &inbox[i]
				break
			}
		}
	}
	if msg == nil {
		hint := ""
		if best := closest(title, offered, 1); len(best) > 0 {
			hint = fmt.Sprintf(words(ctx, " Did you mean %q?", " ¿Querías decir %q?"), best[0])
		}
		return fmt.Errorf(words(ctx, "%s cannot tap %q: no message offers it (buttons offered: %s).%s\n%s", "%s no puede pulsar %q: ningún mensaje lo ofrece (botones ofrecidos: %s).%s\n%s"), c.Name, title, quoteAll(offered), hint, transcript(ctx, c))
	}
	hasYes, hasNo := false, false
	for _, b := range msg.Buttons {
		hasYes = hasYes || affirmative.MatchString(b)
		hasNo = hasNo || negative.MatchString(b)
	}
	if err := s.acted(ctx, c); err != nil {
		return err
	}
	switch {
	case hasYes && hasNo && affirmative.MatchString(title):
		err = c.OptInInChat(ctx, "marketing", title)
	case hasYes && hasNo && negative.MatchString(title):
		err = c.DeclineInChat(ctx, "marketing", title)
	case msg.Template != nil && optOutTitle.MatchString(title):
		_, err = c.OptOutByButton(ctx, title)
	default:
		_, err = c.Tap(ctx, title)
	}
	return err
}

// act plays one action of the named customer as people do it: once the assistant has answered what came
// before, the customer does it, and waits for the assistant to finish answering (sim.Customer waits).
func act(ctx context.Context, name string, do func(c *sim.Customer) error) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := s.acted(ctx, c); err != nil {
		return err
	}
	return do(c)
}

func asksOptOut(ctx context.Context, name, phrase string) error {
	return act(ctx, name, func(c *sim.Customer) error {
		_, err := c.OptOut(ctx, phrase)
		return err
	})
}

func asksHuman(ctx context.Context, name, phrase string) error {
	return act(ctx, name, func(c *sim.Customer) error {
		_, err := c.AskForHuman(ctx, phrase)
		return err
	})
}

var rightsES = map[string]string{
	"acceso": "access", "portabilidad": "portability", "rectificación": "rectification",
	"supresión": "erasure", "limitación": "restriction", "oposición": "objection",
}

func dataRequest(ctx context.Context, name, right, wording string) error {
	if en, ok := rightsES[right]; ok {
		right = en
	}
	return act(ctx, name, func(c *sim.Customer) error {
		_, err := c.Request(ctx, right, wording)
		return err
	})
}

func shares(ctx context.Context, name, what string) error {
	typ, es, en := "", "", ""
	switch strings.ToLower(what) {
	case "name", "nombre":
		typ, es, en = sim.CanaryName, "Me llamo %s", "My name is %s"
	case "email":
		typ, es, en = sim.CanaryEmail, "Mi email es %s", "My email is %s"
	case "dni":
		typ, es, en = sim.CanaryDNI, "Mi DNI es %s", "My ID number (DNI) is %s"
	case "card number", "número de tarjeta":
		typ, es, en = sim.CanaryCard, "Mi número de tarjeta es %s", "My card number is %s"
	case "iban":
		typ, es, en = sim.CanaryIBAN, "Mi IBAN es %s", "My IBAN is %s"
	default:
		typ, es, en = sim.CanaryPhone, "Mi teléfono es %s", "My phone number is %s"
	}
	return act(ctx, name, func(c *sim.Customer) error {
		v, err := c.Plant(typ)
		if err != nil {
			return err
		}
		_, err = c.Say(ctx, fmt.Sprintf(byLang(c, es, en), v))
		return err
	})
}

func correctsEmail(ctx context.Context, name string) error {
	return act(ctx, name, func(c *sim.Customer) error {
		v, err := c.Plant(sim.CanaryEmail)
		if err != nil {
			return err
		}
		_, err = c.Request(ctx, "rectification", fmt.Sprintf(byLang(c, "mi email ha cambiado, ahora es %s", "my email has changed, it is now %s"), v))
		return err
	})
}

func stopPromotions(ctx context.Context, name string) error {
	_, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	return c.StopPromotions(ctx)
}

func blocks(ctx context.Context, name string) error {
	_, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	return c.Block(ctx)
}

var (
	whoHeader  = map[string]bool{"who": true, "quién": true, "quien": true}
	saysHeader = map[string]bool{"says": true, "dice": true}
	assistant  = map[string]bool{"assistant": true, "the assistant": true, "asistente": true, "el asistente": true, "bot": true}
)

func conversation(ctx context.Context, table *godog.Table) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	if err := checkConversationTable(table); err != nil {
		return err
	}
	var prev *sim.Customer
	for i, row := range table.Rows[1:] {
		who, text := strings.TrimSpace(row.Cells[0].Value), row.Cells[1].Value
		if assistant[strings.ToLower(who)] {
			if prev == nil {
				return fmt.Errorf(words(ctx, "row %d: the assistant speaks first, but replies are checked after a customer's message; put a customer's row first", "fila %d: el asistente habla primero, pero las respuestas se comprueban tras un mensaje del cliente; pon primero una fila del cliente"), i+2)
			}
			if _, err := awaitContaining(ctx, s, prev, text, s.replyWait); err != nil {
				return fmt.Errorf(words(ctx, "row %d: %w", "fila %d: %w"), i+2, err)
			}
			continue
		}
		c, err := s.customer(who)
		if err != nil {
			return fmt.Errorf(words(ctx, "row %d: %w", "fila %d: %w"), i+2, err)
		}
		if err := say(ctx, s, c, text); err != nil {
			return fmt.Errorf(words(ctx, "row %d: %w", "fila %d: %w"), i+2, err)
		}
		prev = c
	}
	return nil
}

// checkConversationTable checks the shape of a conversation table.
func checkConversationTable(table *godog.Table) error {
	if table == nil || len(table.Rows) == 0 {
		return checkConversationHeader(nil, 0)
	}
	var header []string
	for _, c := range table.Rows[0].Cells {
		header = append(header, c.Value)
	}
	return checkConversationHeader(header, len(table.Rows))
}

// checkConversationHeader checks a conversation table's header and row count; the linter uses it too.
func checkConversationHeader(head []string, rows int) error {
	if rows == 0 {
		return errors.New("the conversation needs a table with the header | who | says | (| quién | dice |) and one row per message")
	}
	if len(head) != 2 || !whoHeader[strings.ToLower(strings.TrimSpace(head[0]))] || !saysHeader[strings.ToLower(strings.TrimSpace(head[1]))] {
		return fmt.Errorf("the conversation table's header is | %s |; write | who | says | (in Spanish | quién | dice |) as its first row", strings.Join(head, " | "))
	}
	if rows < 2 {
		return errors.New("the conversation table has a header but no messages; add rows such as | Lucía | Hola |")
	}
	return nil
}

func timePasses(ctx context.Context, n int, unit string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	d, err := stepDuration(n, unit)
	if err != nil {
		return err
	}
	if _, err := s.env.World().WhatsApp.AdvanceClock(ctx, d); err != nil {
		return err
	}
	return settle(ctx, s)
}

// maxStepDuration bounds "N days pass": ten years is past every deadline and retention period a rule
// measures, and far below where N × 24h would overflow time.Duration (about 292 years) and wrap.
const maxStepDuration = 10 * 365 * 24 * time.Hour

// stepDuration is "N minutes|hours|days" (English or Spanish unit) as a duration, refusing what would
// not fit rather than wrapping around to a negative or wrong time.
func stepDuration(n int, unit string) (time.Duration, error) {
	per := 24 * time.Hour
	switch {
	case strings.HasPrefix(unit, "min"):
		per = time.Minute
	case strings.HasPrefix(unit, "h"):
		per = time.Hour
	}
	if n < 0 || int64(n) > int64(maxStepDuration/per) {
		return 0, fmt.Errorf("%d %s is more time than a scenario can pass at once (at most %d %s)", n, unit, maxStepDuration/per, unit)
	}
	return time.Duration(n) * per, nil
}

func hooks(s *scenarioState) (sim.Hooks, error) {
	h := s.env.World().Hooks
	if h == nil {
		return nil, errors.New(s.say("this step needs the assistant's certification hooks (docs/bot-contract.md); tag the scenario @proactive so runs without hooks can leave it out",
			"este paso necesita los ganchos de certificación del asistente (docs/bot-contract.md); etiqueta el escenario con @proactive para que las ejecuciones sin ganchos puedan dejarlo fuera"))
	}
	return h, nil
}

func campaign(ctx context.Context, name string) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	h, err := hooks(s)
	if err != nil {
		return err
	}
	now, err := s.env.World().WhatsApp.AdvanceClock(ctx, 0)
	if err != nil {
		return err
	}
	if err := h.Campaign(ctx, name, "", now); err != nil {
		return err
	}
	return settle(ctx, s)
}

func notifyShipped(ctx context.Context, name, order string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	h, err := hooks(s)
	if err != nil {
		return err
	}
	now, err := s.env.World().WhatsApp.AdvanceClock(ctx, 0)
	if err != nil {
		return err
	}
	if err := h.Notify(ctx, c.WaID, "order_shipped", order, now); err != nil {
		return err
	}
	return settle(ctx, s)
}

func releaseHandoff(ctx context.Context, name string) error {
	s, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	h, err := hooks(s)
	if err != nil {
		return err
	}
	if err := h.ReleaseHandoff(ctx, c.WaID); err != nil {
		return err
	}
	return settle(ctx, s)
}

func dialogflowDown(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	return s.env.Dialogflow().InjectFault(ctx, control.Fault{Kind: "DEADLINE_EXCEEDED"})
}

func dialogflowQuota(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	return s.env.Dialogflow().InjectFault(ctx, control.Fault{Kind: "RESOURCE_EXHAUSTED"})
}

func dialogflowBack(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	return s.env.Dialogflow().ClearFaults(ctx)
}

func dialogflowSlow(ctx context.Context, ms int) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	if ms > 5000 {
		return fmt.Errorf(words(ctx, "a Dialogflow delay of %d ms is real time the whole suite waits for; keep it under 5000", "un retraso de Dialogflow de %d ms es tiempo real que espera toda la batería; mantenlo por debajo de 5000"), ms)
	}
	if ms == 0 {
		return nil // no delay to add (a fault needs one, or a kind)
	}
	return s.env.Dialogflow().InjectFault(ctx, control.Fault{Delay: time.Duration(ms) * time.Millisecond})
}

func whatsappRejects(ctx context.Context, n, code int) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	if n == 0 {
		return nil // no send to reject (a fault's count of 0 would mean every send)
	}
	return s.env.World().WhatsApp.InjectFault(ctx, control.Fault{Kind: strconv.Itoa(code), Count: n})
}

func whatsappMessyStatuses(ctx context.Context) error {
	s, err := state(ctx)
	if err != nil {
		return err
	}
	return s.env.World().WhatsApp.SetStatusDelivery(ctx, whatsapp.StatusDelivery{Duplicate: 1, OutOfOrder: 1})
}

// forgedWebhook has someone who is not WhatsApp post the assistant a message webhook for the customer,
// once unsigned and once signed with a wrong secret; the auditor judges what the assistant answered
// (WA-SEC-01).
func forgedWebhook(ctx context.Context, name string) error {
	_, c, err := lookup(ctx, name)
	if err != nil {
		return err
	}
	// Through the WhatsApp mock, which reaches the webhook as it does (its CA, its allowed hosts) and
	// journals each attempt with the status the assistant answered.
	for _, how := range []whatsapp.Forgery{whatsapp.ForgeryUnsigned, whatsapp.ForgeryWrongSecret} {
		if _, err := c.Forge(ctx, "forged", how); err != nil {
			return err
		}
	}
	return nil
}
