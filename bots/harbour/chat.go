package harbour

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// turn is one customer message being handled: the record it changes and what goes back.
type turn struct {
	c      customer
	at     time.Time
	words  string
	t      lines
	out    []string // texts to send, in order
	erased bool     // the record was erased: do not store it again
	export *export  // a document to send after the texts
}

func (tn *turn) say(text string) { tn.out = append(tn.out, text) }

// sayf says a line whose %s verbs take args (a reference, an order code).
func (tn *turn) sayf(format string, args ...any) {
	tn.out = append(tn.out, fmt.Sprintf(format, args...))
}

// converse handles one message from a customer, on that customer's queue.
func (a *Assistant) converse(ctx context.Context, m incoming, at time.Time) {
	c, known := a.book.get(m.From)
	tn := &turn{c: c, at: at, words: strings.TrimSpace(m.words())}
	if l := language(tn.words); l != "" {
		tn.c.Lang = l
	} else if tn.c.Lang == "" {
		tn.c.Lang = "en"
	}
	tn.t = textsIn(tn.c.Lang)
	tn.c.LastWrote = at
	if tn.words != "" {
		tn.c.keep(at, tn.words)
	}
	switch {
	case a.withPerson(tn):
	case !known:
		tn.c.FirstSeen = at
		tn.say(tn.t.greeting)
		tn.say(tn.t.notice)
		tn.say(tn.t.menu)
		if w := understand(tn.words); tn.words != "" && w != wantGreeting && w != wantNothing && w != wantMenu {
			a.answer(ctx, tn)
		}
	case tn.words == "":
		tn.say(tn.t.media)
	default:
		a.answer(ctx, tn)
	}
	if !tn.erased {
		a.book.put(tn.c)
	}
	a.deliver(ctx, m.From, tn)
}

// withPerson handles a message while a person has the chat: the assistant stays silent and asks
// Dialogflow nothing; it still honours an opt-out at once. A handoff lapses when the customer writes 24
// hours or more after it opened. It reports whether the message was handled.
func (a *Assistant) withPerson(tn *turn) bool {
	if tn.c.Handoff.IsZero() {
		return false
	}
	if tn.at.Sub(tn.c.Handoff) >= 24*time.Hour {
		tn.c.Handoff = time.Time{}
		return false
	}
	if understand(tn.words) == wantOptOut {
		tn.c.optOut(tn.at, tn.words)
		tn.say(tn.t.optedOut)
	}
	return true
}

// answer works out what the message asks and does it.
func (a *Assistant) answer(ctx context.Context, tn *turn) {
	asking := tn.c.Asking
	tn.c.Asking = ""
	if asking == "optin" && a.answersOptIn(tn) {
		return
	}
	if n := menuChoice(tn.words); n > 0 {
		a.choose(ctx, tn, n)
		return
	}
	w, shared := a.read(ctx, tn)
	if asking == "order" && w == wantNothing && orderCode.MatchString(tn.words) {
		w = wantOrder
	}
	if asking == "rectify" && (w == wantNothing || w == wantRectify) && emailIn.MatchString(tn.words) {
		w = wantRectify
	}
	if orderCode.MatchString(tn.words) && (w == wantNothing || w == wantGreeting) {
		w = wantOrder
	}
	if w == wantNothing && shared {
		tn.say(tn.t.jit)
		return
	}
	if w == wantNothing && namePhrase.MatchString(tn.words) {
		tn.say(tn.t.noted)
		return
	}
	a.act(ctx, tn, w)
	if shared {
		tn.say(tn.t.jit)
	}
}

// read understands the message: the customer's own words first, then the agent. A restricted customer's
// messages are not sent to Dialogflow (no profiling). shared says the message carried an identifier.
func (a *Assistant) read(ctx context.Context, tn *turn) (w want, shared bool) {
	w = understand(tn.words)
	clean, found, err := a.brain.scrub(ctx, tn.words)
	if err != nil {
		a.log.Warn("DLP unavailable; the message is not sent to Dialogflow", "error", err)
		_, n := maskLeftovers(tn.words)
		return w, n > 0
	}
	clean, more := maskLeftovers(clean)
	shared = found+more > 0 && sharesIdentifier(tn.words)
	if tn.c.Restricted {
		return w, shared
	}
	name, err := a.brain.intent(ctx, a.book.sessionID(tn.c.WaID, tn.c.Session), clean, tn.c.Lang)
	if err != nil {
		a.log.Warn("Dialogflow unavailable; answering from the customer's words", "error", err)
		return w, shared
	}
	if agent, ok := agentIntents[name]; ok && (w == wantNothing || w == wantGreeting) {
		w = agent
	}
	return w, shared
}

// sharesIdentifier says whether a text carries an identifier the privacy reminder is for: an e-mail
// address, an ID, card or account number.
func sharesIdentifier(text string) bool {
	for _, re := range leftovers {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}

// answersOptIn takes an answer to the opt-in question: 1 or yes, 2 or no. Anything else is another
// matter, and the question lapses.
func (a *Assistant) answersOptIn(tn *turn) bool {
	n, w := menuChoice(tn.words), understand(tn.words)
	switch {
	case n == 1 || w == wantYes:
		tn.c.Consents = append(tn.c.Consents, consent{Purpose: purposeMarketing, Given: true, Channel: "whatsapp",
			Wording: tn.t.optInQuestion, Time: tn.at, Source: "chat"})
		tn.c.Stopped = false // a new opt-in, after WhatsApp's own stop control
		tn.say(tn.t.optedIn)
	case n == 2 || w == wantNo:
		tn.c.Consents = append(tn.c.Consents, consent{Purpose: purposeMarketing, Given: false, Channel: "whatsapp",
			Wording: tn.t.optInQuestion, Time: tn.at, Source: "chat"})
		tn.say(tn.t.declined)
	default:
		return false
	}
	return true
}

// choose acts on a menu number.
func (a *Assistant) choose(ctx context.Context, tn *turn, n int) {
	switch n {
	case 1:
		a.act(ctx, tn, wantOrder)
	case 2:
		a.act(ctx, tn, wantOffers)
	case 3:
		a.act(ctx, tn, wantPrivacy)
	case 4:
		a.act(ctx, tn, wantPerson)
	default:
		tn.say(tn.t.notUnderst)
	}
}

func (a *Assistant) act(ctx context.Context, tn *turn, w want) {
	switch {
	case w.isRequest():
		a.request(ctx, tn, w)
	case w == wantOptOut:
		tn.c.optOut(tn.at, tn.words)
		tn.say(tn.t.optedOut)
	case w == wantOffers:
		if tn.c.mayMarket(tn.at) {
			tn.say(tn.t.optedIn)
			return
		}
		tn.c.Asking = "optin"
		tn.say(tn.t.optInQuestion)
	case w == wantPerson:
		tn.c.Handoff = tn.at
		tn.say(tn.t.handoff)
	case w == wantOrder:
		a.orderStatus(tn)
	case w == wantComplaint:
		ref := newReference(tn.at)
		tn.c.Cases = append(tn.c.Cases, caseFile{Ref: ref, Kind: "complaint", Opened: tn.at, Status: "open"})
		tn.sayf(tn.t.complaint, ref)
	case w == wantPrivacy:
		tn.say(tn.t.privacyInfo)
	case w == wantGreeting, w == wantMenu, w == wantYes:
		tn.say(tn.t.menu)
	case w == wantThanks, w == wantNo:
		tn.say(tn.t.thanks)
	default:
		tn.say(tn.t.notUnderst)
	}
}

// namePhrase is a customer telling their name.
var namePhrase = regexp.MustCompile(`(?i)\b(?:my name is|i am called|me llamo|mi nombre es)\b`)

// orderCode is an order code as customers write it: Harbour Books' (HB-50017) or anyone else's.
var orderCode = regexp.MustCompile(`(?i)\b[A-Z]{2,3}-\d{3,6}\b`)

func (a *Assistant) orderStatus(tn *turn) {
	code := strings.ToUpper(orderCode.FindString(tn.words))
	if code == "" {
		tn.c.Asking = "order"
		tn.say(tn.t.orderAsk)
		return
	}
	o, ok := a.orders[code]
	if !ok || o.waID != tn.c.WaID {
		// Another customer's order is answered exactly like an unknown one.
		tn.sayf(tn.t.orderNotFound, code)
		return
	}
	tn.sayf(tn.t.orderFound, code, o.title, o.status(tn.c.Lang))
}
