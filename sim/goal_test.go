package sim

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/mocks/whatsapp"
	"github.com/parley-dev/parley/report"
)

// chat is a WhatsApp with no network for goal tests: the assistant is a function from what the customer
// sent (a text, or the title tapped) and what they received so far to its answers, which land in the
// inbox before SendFromCustomer returns. Goals use only the methods it implements; any other panics.
type chat struct {
	whatsapp.Control
	bot func(in whatsapp.CustomerMessage, inbox []whatsapp.InboxMessage) []whatsapp.InboxMessage

	mu    sync.Mutex
	inbox []whatsapp.InboxMessage
	said  []whatsapp.CustomerMessage
}

func (c *chat) SendFromCustomer(_ context.Context, _ string, m whatsapp.CustomerMessage) (whatsapp.SendResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.said = append(c.said, m)
	for _, r := range c.bot(m, append([]whatsapp.InboxMessage(nil), c.inbox...)) {
		r.ID = fmt.Sprintf("wamid.%d", len(c.inbox)+1)
		if r.Type == "" {
			r.Type = "text"
		}
		c.inbox = append(c.inbox, r)
	}
	return whatsapp.SendResult{ID: fmt.Sprintf("wamid.in.%d", len(c.said)), WebhookStatus: 200}, nil
}

func (c *chat) Inbox(context.Context, string) ([]whatsapp.InboxMessage, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]whatsapp.InboxMessage(nil), c.inbox...), nil
}

func (c *chat) AwaitIdle(context.Context) error { return nil }

// sent is what the customer sent, as the transcript writes it.
func (c *chat) sent() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, m := range c.said {
		out = append(out, describe(m))
	}
	return out
}

func text(s string) whatsapp.InboxMessage { return whatsapp.InboxMessage{Type: "text", Text: s} }

func buttons(body string, titles ...string) whatsapp.InboxMessage {
	return whatsapp.InboxMessage{Type: "interactive", Interactive: "button", Text: body, Buttons: titles}
}

func list(body string, rows ...string) whatsapp.InboxMessage {
	return whatsapp.InboxMessage{Type: "interactive", Interactive: "list", Text: body, Buttons: rows}
}

func template(body string, quick ...string) whatsapp.InboxMessage {
	return whatsapp.InboxMessage{Type: "template", Text: body, Buttons: quick,
		Template: &whatsapp.InboxTemplate{Name: "promo", Language: "es", Category: "MARKETING"}}
}

// reply answers texts (folded) containing a key with its messages, the first key that matches; any
// other text gets otherwise.
type reply struct {
	when string
	say  []whatsapp.InboxMessage
}

func bot(otherwise []whatsapp.InboxMessage, replies ...reply) func(whatsapp.CustomerMessage, []whatsapp.InboxMessage) []whatsapp.InboxMessage {
	return func(in whatsapp.CustomerMessage, _ []whatsapp.InboxMessage) []whatsapp.InboxMessage {
		t := fold(in.Text)
		for _, r := range replies {
			if t == r.when || (len(r.when) > 2 && strings.Contains(t, r.when)) {
				return r.say
			}
		}
		return otherwise
	}
}

func say(ms ...whatsapp.InboxMessage) []whatsapp.InboxMessage { return ms }

const (
	askES = "¿Quieres recibir ofertas y novedades de Zapatos Acme por WhatsApp?"
	askEN = "Would you like to receive offers from Zapatos Acme on WhatsApp? Reply YES to subscribe or NO to skip."
)

// The assistants of the tests, each in a style of its own.
var (
	// buttonsBot asks for consent with reply buttons after the greeting.
	buttonsBot = bot(say(text("Hola, soy el asistente automático de Zapatos Acme."), buttons(askES, "Sí, quiero", "Ahora no")),
		reply{"si, quiero", say(text("¡Perfecto! Te apuntamos a las ofertas."))},
		reply{"ahora no", say(text("Entendido, sin ofertas."))})
	// listBot asks with the rows of a list.
	listBot = bot(say(list("¿Te gustaría recibir nuestras promociones por WhatsApp? Elige una opción.", "Me apunto", "No, gracias")),
		reply{"me apunto", say(text("Hecho."))}, reply{"no, gracias", say(text("Vale."))})
	// menuBot speaks in numbered menus, keycaps for yes and no.
	menuBot = bot(say(text("Bienvenida a Zapatos Acme, soy un asistente virtual.\n1. Mis pedidos\n2) Ofertas\n3 - Hablar con una persona\n4. Mis datos y privacidad")),
		reply{"2", say(text("¿Quieres recibir nuestras ofertas por WhatsApp?\n1️⃣ Sí\n2️⃣ No"))},
		reply{"1", say(text("Hecho: te enviaremos ofertas."))})
	// yesBot tells the customer what to write.
	yesBot = bot(say(text(askEN)), reply{"yes", say(text("You're in!"))}, reply{"no", say(text("No problem."))})
	// wordsBot offers nothing: it asks only when the customer mentions offers, and understands words.
	wordsBot = bot(say(text("¿En qué puedo ayudarte?")),
		reply{"ofertas", say(text("¿Quieres recibir ofertas de Zapatos Acme por WhatsApp? Contesta sí o no."))},
		reply{"si", say(text("Apuntada."))})
	// silentBot answers everything the same way and never offers anything.
	silentBot = bot(say(text("Gracias por tu mensaje.")))
)

func goalWorld(t *testing.T, assistant func(whatsapp.CustomerMessage, []whatsapp.InboxMessage) []whatsapp.InboxMessage, lang string) (*Customer, *chat, *journal.Journal) {
	t.Helper()
	wa := &chat{bot: assistant}
	j := journal.New(nil)
	c, err := (&World{WhatsApp: wa, Journal: j}).NewCustomer(Persona{WaID: "34600000001", Name: "Lucía", Lang: lang})
	if err != nil {
		t.Fatal(err)
	}
	return c, wa, j
}

// truths are the customer's ground-truth events, as "kind payload".
func truths(j *journal.Journal) []string {
	var out []string
	for _, e := range j.Events() {
		if e.Source == journal.SourceCustomer {
			out = append(out, e.Kind+" "+string(e.Data))
		}
	}
	return out
}

type goalCase struct {
	name      string
	assistant func(whatsapp.CustomerMessage, []whatsapp.InboxMessage) []whatsapp.InboxMessage
	lang      string
	goal      Goal
	said      []string // what the customer sent after the greeting
	truths    []string // the ground truth recorded, in order
}

func runGoalCases(t *testing.T, cases []goalCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			ctx := ctxT(t)
			c, wa, j := goalWorld(t, tt.assistant, cmp.Or(tt.lang, "es"))
			if _, err := c.Say(ctx, "Hola"); err != nil {
				t.Fatal(err)
			}
			if err := c.Reach(ctx, tt.goal); err != nil {
				t.Fatalf("Reach: %v", err)
			}
			if got := strings.Join(wa.sent()[1:], " | "); got != strings.Join(tt.said, " | ") {
				t.Errorf("the customer sent %s, want %s", got, strings.Join(tt.said, " | "))
			}
			if got := strings.Join(truths(j), "\n"); got != strings.Join(tt.truths, "\n") {
				t.Errorf("ground truth:\n%s\nwant:\n%s", got, strings.Join(tt.truths, "\n"))
			}
		})
	}
}

// firstWords is what the test customer (+34600000001) says first, in their own words, for a goal.
func firstWords(k GoalKind, lang string) string {
	phrases := freeWords[k][lang]
	return phrases[(&Customer{Persona: Persona{WaID: "34600000001"}}).firstPhrase(k)%len(phrases)]
}

// TestReachOptIn: a customer opts in with assistants that ask in different ways, and the consent is
// recorded with the wording of the question they answered, when they answered it.
func TestReachOptIn(t *testing.T) {
	optIn := Goal{Kind: GoalOptIn}
	runGoalCases(t, []goalCase{
		{name: "reply buttons", assistant: buttonsBot, goal: optIn,
			said:   []string{`[taps "Sí, quiero"]`},
			truths: []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"` + askES + `"}`}},
		{name: "list rows", assistant: listBot, goal: optIn,
			said:   []string{`[taps "Me apunto"]`},
			truths: []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"¿Te gustaría recibir nuestras promociones por WhatsApp? Elige una opción."}`}},
		{name: "numbered menus", assistant: menuBot, goal: optIn,
			said:   []string{`"2"`, `"1"`},
			truths: []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"¿Quieres recibir nuestras ofertas por WhatsApp?\n1️⃣ Sí\n2️⃣ No"}`}},
		{name: "reply YES", assistant: yesBot, lang: "en", goal: optIn,
			said:   []string{`"YES"`},
			truths: []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"` + askEN + `"}`}},
		{name: "only words", assistant: wordsBot, goal: optIn,
			said:   []string{fmt.Sprintf("%q", firstWords(GoalOptIn, "es")), `"Sí, quiero recibirlas"`},
			truths: []string{`consent.given {"purpose":"marketing","channel":"whatsapp","wording":"¿Quieres recibir ofertas de Zapatos Acme por WhatsApp? Contesta sí o no."}`}},
	})
}

// TestReachDecline: a no is recorded as consent refused with the question's wording.
func TestReachDecline(t *testing.T) {
	decline := Goal{Kind: GoalDecline}
	runGoalCases(t, []goalCase{
		{name: "reply buttons", assistant: buttonsBot, goal: decline, said: []string{`[taps "Ahora no"]`},
			truths: []string{`consent.refused {"purpose":"marketing","channel":"whatsapp","wording":"` + askES + `"}`}},
		{name: "list rows", assistant: listBot, goal: decline, said: []string{`[taps "No, gracias"]`},
			truths: []string{`consent.refused {"purpose":"marketing","channel":"whatsapp","wording":"¿Te gustaría recibir nuestras promociones por WhatsApp? Elige una opción."}`}},
		{name: "reply NO", assistant: yesBot, lang: "en", goal: decline, said: []string{`"NO"`},
			truths: []string{`consent.refused {"purpose":"marketing","channel":"whatsapp","wording":"` + askEN + `"}`}},
	})
}

// TestReachNeverAsked: an assistant that never asks about offers leaves the goal unreached, saying so
// with what it offered and the transcript, and no consent is recorded.
func TestReachNeverAsked(t *testing.T) {
	for _, k := range []GoalKind{GoalOptIn, GoalDecline} {
		t.Run(k.String(), func(t *testing.T) {
			ctx := ctxT(t)
			c, wa, j := goalWorld(t, silentBot, "es")
			c.Say(ctx, "Hola")
			err := c.Reach(ctx, Goal{Kind: k})
			var u *report.Unreached
			if !errors.As(err, &u) {
				t.Fatalf("Reach = %v, want *report.Unreached", err)
			}
			if u.Customer != "Lucía" || u.Goal != k.String() || !strings.Contains(u.Reason, "no message asked whether the customer wants offers") ||
				!strings.Contains(u.Reason, "no buttons, menu or keyword") || !strings.Contains(u.Transcript, "Gracias por tu mensaje.") {
				t.Errorf("unreached %+v", u)
			}
			if got := truths(j); len(got) != 0 {
				t.Errorf("recorded %q", got)
			}
			if n := len(wa.sent()); k == GoalOptIn && n != 1+DefaultTurns || k == GoalDecline && n != 1 {
				t.Errorf("the customer sent %d messages: %q", n, wa.sent())
			}
		})
	}
}

const stopped = "Listo, no recibirás más ofertas de Zapatos Acme."

// TestReachOptOut: a customer asks to stop the offers with whatever the assistant offers; the opt-out is
// recorded once, when asked, with how it was asked; a confirmation the assistant asks for is answered
// without counting as a second request; an assistant that ignores the request still got one.
func TestReachOptOut(t *testing.T) {
	optOut := Goal{Kind: GoalOptOut}
	first := firstWords(GoalOptOut, "es")
	runGoalCases(t, []goalCase{
		{name: "a template's quick reply",
			assistant: bot(say(template("¡Rebajas! 20% en toda la tienda.", "Ver ofertas", "Stop promotions")), reply{"stop promotions", say(text(stopped))}),
			goal:      optOut, said: []string{`[taps "Stop promotions"]`},
			truths: []string{`optout.requested {"via":"button","phrase":"Stop promotions"}`}},
		{name: "a numbered menu",
			assistant: bot(say(text("¿Qué necesitas?\n1) Mis pedidos\n2) Dejar de recibir ofertas")), reply{"2", say(text(stopped))}),
			goal:      optOut, said: []string{`"2"`},
			truths: []string{`optout.requested {"via":"chat","phrase":"2"}`}},
		{name: "a keyword",
			assistant: bot(say(text("Hola. Si no quieres más promociones, escribe BAJA en cualquier momento.")), reply{"baja", say(text(stopped))}),
			goal:      optOut, said: []string{`"BAJA"`},
			truths: []string{`optout.requested {"via":"chat","phrase":"BAJA"}`}},
		{name: "a confirmation asked",
			assistant: bot(say(text("Escribe BAJA para no recibir ofertas.")),
				reply{"baja", say(text("¿Seguro que quieres darte de baja? Responde SÍ para confirmar."))},
				reply{"si", say(text(stopped))}),
			goal: optOut, said: []string{`"BAJA"`, `"SÍ"`},
			truths: []string{`optout.requested {"via":"chat","phrase":"BAJA"}`}},
		{name: "only words",
			assistant: bot(say(text("¿En qué te ayudo?")), reply{fold(first), say(text(stopped))}),
			goal:      optOut, said: []string{fmt.Sprintf("%q", first)},
			truths: []string{`optout.requested {"via":"chat","phrase":"` + first + `"}`}},
		{name: "ignored",
			assistant: silentBot, goal: optOut, said: []string{fmt.Sprintf("%q", first)},
			truths: []string{`optout.requested {"via":"chat","phrase":"` + first + `"}`}},
	})
}

// TestReachPerson: a customer reaches a person through a numbered menu, a keyword, their own words, or
// a keyword the assistant gives only once it did not understand them.
func TestReachPerson(t *testing.T) {
	person := Goal{Kind: GoalPerson}
	first := firstWords(GoalPerson, "en")
	handover := say(text("I'm handing you over to a colleague; they will answer here."))
	runGoalCases(t, []goalCase{
		{name: "a numbered menu", lang: "en",
			assistant: bot(say(text("Hi! I'm Acme's virtual assistant.\n1. Offers\n2) Talk to a person")), reply{"2", handover}),
			goal:      person, said: []string{`"2"`}, truths: []string{`handoff.requested {"phrase":"2"}`}},
		{name: "a keyword",
			assistant: bot(say(text("Para hablar con alguien del equipo, escribe AGENTE.")), reply{"agente", say(text("Te paso con un compañero."))}),
			goal:      person, said: []string{`"AGENTE"`}, truths: []string{`handoff.requested {"phrase":"AGENTE"}`}},
		{name: "own words", lang: "en",
			assistant: bot(say(text("How can I help?")), reply{fold(first), handover}),
			goal:      person, said: []string{fmt.Sprintf("%q", first)}, truths: []string{`handoff.requested {"phrase":"` + first + `"}`}},
		{name: "a keyword after a misunderstanding", lang: "en",
			assistant: bot(say(text("Sorry, I didn't understand. Type HUMAN to talk to a person.")), reply{"human", handover}),
			goal:      person, said: []string{`"HUMAN"`}, truths: []string{`handoff.requested {"phrase":"HUMAN"}`}},
		{name: "a phone number given", lang: "en",
			assistant: bot(say(text("How can I help?")), reply{fold(first), say(text("You can call us on +34 900 123 456 from 9 to 18."))}),
			goal:      person, said: []string{fmt.Sprintf("%q", first)}, truths: []string{`handoff.requested {"phrase":"` + first + `"}`}},
	})
}

// TestReachPersonNever: an assistant that never offers a person leaves the goal unreached after the
// bounded number of turns, each request recorded, with the reason and the transcript.
func TestReachPersonNever(t *testing.T) {
	ctx := ctxT(t)
	c, wa, j := goalWorld(t, silentBot, "es")
	c.Say(ctx, "Hola")
	err := c.Reach(ctx, Goal{Kind: GoalPerson, Turns: 3})
	var u *report.Unreached
	if !errors.As(err, &u) {
		t.Fatalf("Reach = %v, want *report.Unreached", err)
	}
	for _, want := range []string{"no handoff announced and no way to a person given", `its last answer was "Gracias por tu mensaje."`} {
		if !strings.Contains(u.Reason, want) {
			t.Errorf("reason %q lacks %q", u.Reason, want)
		}
	}
	if !strings.Contains(u.Error(), "Lucía could not reach a person") || !strings.Contains(u.Transcript, "← ") {
		t.Errorf("error %q", u.Error())
	}
	if n := len(wa.sent()); n != 1+3 {
		t.Errorf("the customer sent %d messages, want the greeting and 3 tries: %q", n, wa.sent())
	}
	if got := truths(j); len(got) != 3 || !strings.HasPrefix(got[0], journal.KindHandoffRequested) {
		t.Errorf("recorded %q, want 3 requests for a person", got)
	}
	// The three tries are three different phrasings.
	said := wa.sent()[1:]
	if said[0] == said[1] || said[1] == said[2] || said[0] == said[2] {
		t.Errorf("the customer repeated itself: %q", said)
	}
}

// privacyMenu handles data requests behind a menu of its own.
var privacyMenu = bot(say(text("Hola, soy el asistente virtual de Acme.\n1. Mis pedidos\n2. Mis datos y privacidad")),
	reply{"2", say(text("¿Qué quieres hacer con tus datos?\n1. Obtener una copia\n2. Borrarlos\n3. Que no los usemos para publicidad"))},
	reply{"1", say(text("Hemos registrado tu solicitud con la referencia AC-DSR-0042."))},
	reply{"3", say(text("Hecho: tu oposición queda registrada (referencia AC-DSR-0043)."))})

// TestReachDataRequests: a data-protection request through a menu and a sub-menu is recorded when the
// customer picks the request itself, not the menu item leading there; in words, when said.
func TestReachDataRequests(t *testing.T) {
	runGoalCases(t, []goalCase{
		{name: "a copy through menus", assistant: privacyMenu, goal: Goal{Kind: GoalDataCopy},
			said: []string{`"2"`, `"1"`}, truths: []string{`dsr.requested {"right":"access","wording":"1"}`}},
		{name: "an objection through menus", assistant: privacyMenu, goal: Goal{Kind: GoalObjection},
			said: []string{`"2"`, `"3"`}, truths: []string{`dsr.requested {"right":"objection","wording":"3"}`}},
		{name: "erasure in words", assistant: bot(say(text("Hemos borrado tus datos.")), reply{"hola", say(text("¿En qué te ayudo?"))}),
			goal:   Goal{Kind: GoalErasure},
			said:   []string{fmt.Sprintf("%q", firstWords(GoalErasure, "es"))},
			truths: []string{`dsr.requested {"right":"erasure","wording":"` + firstWords(GoalErasure, "es") + `"}`}},
		{name: "a link where the profile says so", assistant: bot(say(text("Puedes ejercer tus derechos en https://acme.example/derechos"))),
			goal:   Goal{Kind: GoalErasure, LinkAnswers: true},
			said:   []string{fmt.Sprintf("%q", firstWords(GoalErasure, "es"))},
			truths: []string{`dsr.requested {"right":"erasure","wording":"` + firstWords(GoalErasure, "es") + `"}`}},
	})
	t.Run("a link the profile does not announce", func(t *testing.T) {
		ctx := ctxT(t)
		c, _, _ := goalWorld(t, bot(say(text("Puedes ejercer tus derechos en https://acme.example/derechos"))), "es")
		c.Say(ctx, "Hola")
		var u *report.Unreached
		if err := c.Reach(ctx, Goal{Kind: GoalErasure}); !errors.As(err, &u) || !strings.Contains(u.Reason, "no request acknowledged") {
			t.Errorf("Reach = %v, want unreached: no request acknowledged", err)
		}
	})
}

// TestReachOrder: the customer gives the order's code when asked for it, and an assistant that does not
// know the order leaves the goal unreached at once, saying why.
func TestReachOrder(t *testing.T) {
	shop := bot(say(text("Hola.\n1. Mis pedidos\n2. Hablar con una persona")),
		reply{"1", say(text("Dime el número de pedido, por favor."))},
		reply{"ac-77", say(text("Tu pedido AC-77 está en camino: llega el jueves."))})
	runGoalCases(t, []goalCase{
		{name: "asked for the code", assistant: shop, goal: Goal{Kind: GoalOrder, Order: "AC-77"}, said: []string{`"1"`, `"AC-77"`}},
	})
	t.Run("unknown", func(t *testing.T) {
		ctx := ctxT(t)
		c, wa, _ := goalWorld(t, bot(say(text("No encuentro ese pedido."))), "es")
		c.Say(ctx, "Hola")
		var u *report.Unreached
		if err := c.Reach(ctx, Goal{Kind: GoalOrder, Order: "AC-77"}); !errors.As(err, &u) || !strings.Contains(u.Reason, "does not know order AC-77 for +34600000001") {
			t.Fatalf("Reach = %v", err)
		}
		if n := len(wa.sent()); n != 2 {
			t.Errorf("the customer tried %d times after hearing the order is unknown", n-1)
		}
	})
	t.Run("no code", func(t *testing.T) {
		c, _, _ := goalWorld(t, silentBot, "es")
		if err := c.Reach(ctxT(t), Goal{Kind: GoalOrder}); err == nil || !strings.Contains(err.Error(), "without its code") {
			t.Errorf("Reach = %v", err)
		}
	})
}

// TestReachBadGoal: an unknown goal is an error, not a panic.
func TestReachBadGoal(t *testing.T) {
	c, _, _ := goalWorld(t, silentBot, "es")
	if err := c.Reach(ctxT(t), Goal{Kind: 99}); err == nil || !strings.Contains(err.Error(), "unknown goal 99") {
		t.Errorf("Reach = %v", err)
	}
}

// TestFirstPhrase: the phrasing a customer starts with depends only on their number and the goal.
func TestFirstPhrase(t *testing.T) {
	a := &Customer{Persona: Persona{WaID: "34600000001"}}
	if a.firstPhrase(GoalPerson) != a.firstPhrase(GoalPerson) {
		t.Error("not repeatable")
	}
	seen := map[int]bool{}
	for i := range 20 {
		seen[(&Customer{Persona: Persona{WaID: fmt.Sprintf("346000000%02d", i)}}).firstPhrase(GoalPerson)%3] = true
	}
	if len(seen) < 2 {
		t.Error("every customer starts with the same phrasing")
	}
}

// TestReachOptOutNotUndone: a confirmation that offers to undo the opt-out is not answered.
func TestReachOptOutNotUndone(t *testing.T) {
	runGoalCases(t, []goalCase{{name: "undo offered",
		assistant: bot(say(text("Escribe BAJA para no recibir ofertas.")),
			reply{"baja", say(text("Te hemos dado de baja. Si fue un error, responde SÍ para volver a suscribirte."))}),
		goal: Goal{Kind: GoalOptOut}, said: []string{`"BAJA"`},
		truths: []string{`optout.requested {"via":"chat","phrase":"BAJA"}`}}})
}

// TestReachOldMenu: a number of a menu the assistant has since replaced by another is not sent: it
// would choose from the newer menu.
func TestReachOldMenu(t *testing.T) {
	assistant := bot(say(text("Hola.\n1. Ofertas\n2. Mis datos")),
		reply{"2", say(text("Tus datos:\n1. Obtener una copia\n2. Borrarlos"))},
		reply{"ofertas", say(buttons(askES, "Sí, quiero", "Ahora no"))},
		reply{"si, quiero", say(text("Hecho."))})
	ctx := ctxT(t)
	c, wa, _ := goalWorld(t, assistant, "es")
	c.Say(ctx, "Hola")
	c.Say(ctx, "2")
	if err := c.Reach(ctx, Goal{Kind: GoalOptIn}); err != nil {
		t.Fatal(err)
	}
	want := []string{`"Hola"`, `"2"`, fmt.Sprintf("%q", firstWords(GoalOptIn, "es")), `[taps "Sí, quiero"]`}
	if got := wa.sent(); strings.Join(got, " | ") != strings.Join(want, " | ") {
		t.Errorf("the customer sent %q, want %q", got, want)
	}
}

// TestReachOptOutNotUnderstood: an assistant that never understands an opt-out was asked all the same:
// the customer tries every way within the turns, each try is an opt-out on record, and the goal (asking)
// is reached, so the auditor judges the assistant rather than the scenario being left unplayed.
func TestReachOptOutNotUnderstood(t *testing.T) {
	ctx := ctxT(t)
	c, wa, j := goalWorld(t, bot(say(text("Perdona, no te he entendido."))), "es")
	c.Say(ctx, "Hola")
	if err := c.Reach(ctx, Goal{Kind: GoalOptOut}); err != nil {
		t.Fatal(err)
	}
	if n := len(wa.sent()); n != 1+DefaultTurns {
		t.Errorf("the customer sent %d messages: %q", n, wa.sent())
	}
	if got := truths(j); len(got) != DefaultTurns {
		t.Errorf("recorded %q, want %d opt-outs", got, DefaultTurns)
	}
}

// TestReachManyOptions: a failure names the first options seen and counts the others.
func TestReachManyOptions(t *testing.T) {
	var rows []string
	for i := range maxOffered + 3 {
		rows = append(rows, fmt.Sprintf("Talla %d", 36+i))
	}
	ctx := ctxT(t)
	c, _, _ := goalWorld(t, bot(say(list("¿Qué talla buscas?", rows...))), "es")
	c.Say(ctx, "Hola")
	var u *report.Unreached
	if err := c.Reach(ctx, Goal{Kind: GoalDecline}); !errors.As(err, &u) || !strings.Contains(u.Reason, `"Talla 47" and 3 more`) {
		t.Errorf("Reach = %v", err)
	}
}
