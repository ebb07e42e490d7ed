package reference

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/parley-dev/parley/pii"
)

const (
	window          = 24 * time.Hour
	handoffTimeout  = 24 * time.Hour // an open handoff lapses when the customer writes a day later
	maxProcessRunes = 1000           // longer texts are cut before DLP and Dialogflow (ES takes 256 characters)
	maxDialogflow   = 256
	buttonOptInYes  = "optin_yes"
	buttonOptInNo   = "optin_no"
)

// jitTypes are the personal data whose sharing earns a just-in-time privacy reminder.
var jitTypes = []pii.Type{pii.DNI, pii.NIE, pii.IBAN, pii.Card, pii.NUSS, pii.Passport, pii.CVV, pii.Email}

func (b *Bot) now() time.Time { return b.clock().UTC() }

// say sends a text to the customer whose lane is running and keeps it in the transcript. A pending
// prefix or suffix for the customer (see compose) is folded into it.
func (b *Bot) say(ctx context.Context, waID, body string) {
	b.composeMu.Lock()
	if c := b.compose[waID]; c != nil {
		if c.prefix != "" {
			body = c.prefix + "\n\n" + body
		}
		if c.suffix != "" {
			body = body + "\n\n" + c.suffix
		}
		delete(b.compose, waID)
	}
	b.composeMu.Unlock()
	if _, err := b.wa.sendText(ctx, waID, body); err != nil {
		b.log.Warn("reply not sent", "code", errorCode(err), "error", err)
		return
	}
	b.store.mu.Lock()
	if c, ok := b.store.customers[waID]; ok {
		c.addMessage(message{Time: b.now(), Direction: "out", Text: body})
	}
	b.store.mu.Unlock()
}

// composition is text to fold into the next reply to a customer, so that an opt-out is answered by
// exactly one message (WA-OPTOUT-01) even when it is also the first contact (the disclosure must be in
// the first reply) or carries personal data (the just-in-time reminder).
type composition struct{ prefix, suffix string }

func (b *Bot) setCompose(waID string, c composition) {
	b.composeMu.Lock()
	defer b.composeMu.Unlock()
	b.compose[waID] = &c
}

// flushCompose sends what was not folded into a reply, on its own.
func (b *Bot) flushCompose(ctx context.Context, waID string) {
	b.composeMu.Lock()
	c := b.compose[waID]
	delete(b.compose, waID)
	b.composeMu.Unlock()
	if c == nil {
		return
	}
	for _, t := range []string{c.prefix, c.suffix} {
		if t != "" {
			b.say(ctx, waID, t)
		}
	}
}

// lang is the language the assistant answers in: the customer's, unless the ES-CS-01 switch is on.
func (b *Bot) lang(c customer) string {
	switch {
	case b.violates("ES-CS-01"):
		return "es"
	case c.Language == "":
		return b.cfg.DialogflowLanguage
	}
	return c.Language
}

// handleInbound is the whole conversation for one customer message. It runs on the customer's lane.
func (b *Bot) handleInbound(ctx context.Context, in inbound) {
	if !b.store.firstSeen(in.ID) {
		b.log.Info("duplicate webhook for a message already handled; ignored", "id", in.ID)
		return
	}
	now := b.now()
	before, known := b.store.get(in.From)
	body, truncated := in.Text, false
	if len(body) > maxProcessRunes && utf8.RuneCountInString(body) > maxProcessRunes {
		body, truncated = string([]rune(body)[:maxProcessRunes]), true
	}
	in.memo = &textMemo{text: body}
	prevLang := before.Language
	if prevLang == "" {
		prevLang = b.cfg.DialogflowLanguage
	}
	lang := detectLanguage(body, prevLang)
	stored := body
	if ids := identifiersIn(in.find(body)); len(ids) > 0 {
		stored = maskKinds(body, ids, "card") // PCI DSS 3.5.1: a card number is never stored readable
	}
	c := b.store.update(in.From, func(c *customer) {
		if c.FirstSeen.IsZero() {
			c.FirstSeen = now
		}
		if in.Time.After(c.LastInbound) {
			c.LastInbound = in.Time
		}
		c.Language = lang
		if in.ProfileName != "" {
			c.ProfileName = in.ProfileName
		}
		if stored != "" {
			c.addMessage(message{Time: in.Time, Direction: "in", Text: stored})
		}
	})
	b.purgeExpired(in.From, now)

	if c.HandoffSince != nil {
		if now.Sub(*c.HandoffSince) < handoffTimeout && !b.violates("WA-ESC-02") {
			// Silent while a person has the chat, except for an opt-out: withdrawal cannot wait for an
			// agent (recognised locally; nothing goes to Dialogflow).
			if in.recognise(body) == intentOptOut || recognise(in.ReplyID) == intentOptOut {
				b.optOut(ctx, in.From, body, b.lang(c))
				return
			}
			b.log.Info("handoff open: message left for the human agent", "wa_id_hash", b.store.numberHash(in.From)[:12])
			return
		}
		if now.Sub(*c.HandoffSince) >= handoffTimeout {
			c = b.store.update(in.From, func(c *customer) { c.HandoffSince = nil })
		}
	}
	l := b.lang(c)
	t := text(l)
	in.First = !known
	optOutLike := in.Type != "reaction" && (in.recognise(body) == intentOptOut || recogniseKeywordsOnly(body) == intentOptOut ||
		recognise(in.ReplyID) == intentOptOut)
	jit := !b.violates("PRIV-JIT-01") && len(pii.Only(in.find(body), jitTypes...)) > 0
	switch {
	case optOutLike:
		// One message answers an opt-out: the disclosure and the reminder ride on the confirmation.
		comp := composition{}
		if !known {
			comp.prefix = b.welcome(l)
		}
		if jit {
			comp.suffix, jit = t.jitReminder, false
		}
		b.setCompose(in.From, comp)
	case !known:
		b.say(ctx, in.From, b.welcome(l))
	}
	if in.Type == "reaction" {
		return
	}
	findings := 0
	handled := b.route(ctx, c, in, body, l, &findings)
	b.flushCompose(ctx, in.From)
	if truncated && handled != intentOptOut {
		b.say(ctx, in.From, t.tooLong)
	}
	// Just-in-time reminder (PRIV-JIT-01): the customer shared personal data, here or as DLP saw it.
	if !b.violates("PRIV-JIT-01") && handled != intentOptOut && (jit || findings > 0) {
		b.say(ctx, in.From, t.jitReminder)
	}
	if !known && handled != intentOptOut && handled != intentObjection && handled != intentErasure &&
		handled != intentHuman && handled != intentYes && handled != intentNo && !b.store.mayReceive(in.From, "marketing", now) {
		b.askOptIn(ctx, in.From, l)
	}
}

func (b *Bot) welcome(lang string) string {
	t := text(lang)
	switch {
	case b.violates("AI-DISC-01"):
		return t.welcomePerson
	case b.violates("GDPR-NOTICE-01"):
		return t.welcomeNoNotice
	case b.violates("PRIV-3P-01"):
		return t.welcomeNo3P
	}
	return t.welcome
}

// askOptIn asks for marketing consent with explicit yes/no buttons that name the business and WhatsApp.
func (b *Bot) askOptIn(ctx context.Context, waID, lang string) {
	t := text(lang)
	prompt := t.optInPrompt
	if b.violates("WA-OPTIN-02") {
		prompt = t.optInPromptVague
	}
	if _, err := b.wa.sendButtons(ctx, waID, prompt, []button{{buttonOptInYes, t.optInYesButton}, {buttonOptInNo, t.optInNoButton}}); err != nil {
		b.log.Warn("opt-in prompt not sent", "code", errorCode(err), "error", err)
		return
	}
	b.store.update(waID, func(c *customer) { c.OptInAsked, c.OptInPending = true, true })
}

// route answers one message and returns what it understood.
func (b *Bot) route(ctx context.Context, c customer, in inbound, txt, lang string, findings *int) intent {
	t := text(lang)
	switch in.Type {
	case "media":
		b.say(ctx, in.From, t.mediaRefused)
		return intentNone
	case "location":
		b.say(ctx, in.From, t.locationRefused)
		return intentNone
	case "unsupported":
		b.say(ctx, in.From, t.unsupported)
		return intentNone
	}
	if strings.TrimSpace(txt) == "" && in.ReplyID == "" {
		b.say(ctx, in.From, t.unsupported)
		return intentNone
	}

	// The answer to the opt-in question: a tapped button, or an explicit yes/no typed while it is pending.
	answer := intentNone
	switch in.ReplyID {
	case buttonOptInYes:
		answer = intentYes
	case buttonOptInNo:
		answer = intentNo
	}
	if answer == intentNone && c.OptInPending {
		answer = yesNo(txt)
		if answer == intentNone && b.violates("WA-OPTIN-02") && in.recognise(txt) == intentNone {
			answer = intentYes // a careless assistant takes any reply to its question as consent
		}
	}
	if answer != intentNone {
		b.answerOptIn(ctx, in.From, answer == intentYes, lang)
		return answer
	}
	if c.OptInPending {
		// The customer moved on: a later "sí" answers something else, never the stale opt-in question.
		b.store.update(in.From, func(c *customer) { c.OptInPending = false })
	}
	if c.ServiceBlocked {
		b.say(ctx, in.From, t.consentRequired)
		return intentNone
	}

	var it intent
	if b.violates("WA-OPTOUT-02") {
		it = recogniseKeywordsOnly(txt)
		if r := in.recognise(txt); r != intentOptOut && r != intentResubscribe {
			it = r
		}
	} else {
		it = in.recognise(txt)
		if it == intentNone && in.ReplyID != "" {
			it = recognise(in.ReplyID)
		}
	}
	if b.handleIntent(ctx, c, it, txt, lang) {
		return it
	}
	return b.understand(ctx, c, in, txt, lang, findings)
}

// handleIntent acts on a recognised compliance intent; it returns false for intents it leaves to the NLU.
func (b *Bot) handleIntent(ctx context.Context, c customer, it intent, txt, lang string) bool {
	switch it {
	case intentOptOut:
		b.optOut(ctx, c.WaID, txt, lang)
	case intentResubscribe:
		b.say(ctx, c.WaID, text(lang).resubscribe)
		b.askOptIn(ctx, c.WaID, lang)
	case intentObjection, intentAccess, intentPortability, intentRectification, intentErasure, intentRestriction:
		b.dataRequest(ctx, c, it, txt, lang)
	case intentHuman:
		b.handoff(ctx, c.WaID, lang)
	case intentComplaint:
		b.complaint(ctx, c.WaID, lang)
	default:
		return false
	}
	return true
}

func (b *Bot) answerOptIn(ctx context.Context, waID string, yes bool, lang string) {
	t := text(lang)
	b.store.update(waID, func(c *customer) { c.OptInPending = false })
	if !yes {
		if b.violates("GDPR-CONSENT-01") {
			b.store.update(waID, func(c *customer) { c.ServiceBlocked = true })
			b.say(ctx, waID, t.consentRequired)
			return
		}
		b.say(ctx, waID, t.optInNo)
		return
	}
	wording := t.optInPrompt
	if b.violates("WA-OPTIN-02") {
		wording = t.optInPromptVague
	}
	b.recordConsent(Consent{WaID: waID, Purpose: "marketing", Given: true, Channel: "whatsapp", Wording: wording, Time: b.now(), Source: "chat"})
	b.say(ctx, waID, t.optInYes)
}

// recordConsent writes the ledger; the GDPR-CONSENT-02 switch drops the proof (time, channel, wording).
func (b *Bot) recordConsent(c Consent) {
	c.ID = reference("CON")
	if b.violates("GDPR-CONSENT-02") {
		c.Time, c.Channel, c.Wording = time.Time{}, "", ""
	}
	b.store.addConsent(c)
}

// optOut withdraws every business-initiated category at once and confirms it in one message.
func (b *Bot) optOut(ctx context.Context, waID, phrase, lang string) {
	t := text(lang)
	now := b.now()
	if !b.violates("WA-OPTOUT-01") {
		for _, p := range []string{"marketing", "notifications"} {
			b.recordConsent(Consent{WaID: waID, Purpose: p, Given: false, Channel: "whatsapp", Wording: phrase, Time: now, Source: "optout"})
		}
		b.store.suppress(waID, "optout", now)
	}
	b.store.update(waID, func(c *customer) { c.OptInPending = false })
	if b.violates("WA-OPTOUT-03") {
		b.say(ctx, waID, t.optOutRetention)
		return
	}
	b.say(ctx, waID, t.optOutDone)
}

func (b *Bot) handoff(ctx context.Context, waID, lang string) {
	t := text(lang)
	if b.violates("WA-ESC-01") {
		b.say(ctx, waID, t.humanRefused)
		return
	}
	now := b.now()
	b.say(ctx, waID, t.humanHandoff)
	b.store.update(waID, func(c *customer) { c.HandoffSince = &now })
}

func (b *Bot) complaint(ctx context.Context, waID, lang string) {
	t := text(lang)
	if b.violates("ES-CS-01") {
		b.say(ctx, waID, t.complaintNoCode)
		return
	}
	ref := reference("REC")
	b.store.update(waID, func(c *customer) {
		c.Requests = append(c.Requests, dsr{Reference: ref, Right: "complaint", Time: b.now(), Status: "open"})
	})
	b.say(ctx, waID, fmt.Sprintf(t.complaintAck, ref))
}

// understand sends the de-identified text to Dialogflow and answers from the intent it matched.
func (b *Bot) understand(ctx context.Context, c customer, in inbound, txt, lang string, findings *int) intent {
	t := text(lang)
	ids := identifiersIn(in.find(txt))
	query := txt
	if !b.violates("PII-NLU-01") {
		clean, n, err := b.nlu.deidentify(ctx, txt)
		if err != nil {
			// Never fall back to raw text: without DLP the message does not go to Dialogflow.
			b.log.Warn("DLP unavailable; message not sent to Dialogflow", "error", err)
			b.say(ctx, c.WaID, t.nluDown)
			return intentNone
		}
		query, _ = mask(clean) // defence in depth: anything DLP missed that has a valid check digit
		*findings += n
	}
	if len(query) > maxDialogflow && utf8.RuneCountInString(query) > maxDialogflow {
		query = string([]rune(query)[:maxDialogflow])
	}
	if len(ids) > 0 && b.violates("WA-SENS-02") {
		var raw []string
		for _, id := range ids {
			raw = append(raw, id.Value)
		}
		b.say(ctx, c.WaID, fmt.Sprintf(t.maskedNote, strings.Join(raw, ", ")))
	}
	dfLang := lang
	if dfLang != "en" {
		dfLang = "es"
	}
	res, err := b.nlu.detectIntent(ctx, b.sessionPath(c.WaID), query, dfLang)
	if err != nil {
		b.log.Warn("Dialogflow unavailable", "error", err)
		b.say(ctx, c.WaID, t.nluDown)
		return intentNone
	}
	it := intentFromDialogflow(res.Intent)
	if it != intentNone && it != intentOrder && it != intentTicket && it != intentPrivacy && !b.violates("WA-OPTOUT-02") {
		if b.handleIntent(ctx, c, it, txt, lang) {
			return it
		}
	}
	if it == intentOptOut && b.violates("WA-OPTOUT-02") {
		it = intentNone // the naive assistant's agent has no opt-out intent wired to anything
		res.Reply, res.Fallback = "", true
	}
	if number := orderNumberIn(txt); number != "" || it == intentOrder {
		b.orderStatus(ctx, c, number, maskMatches(txt, in.find(txt)), lang)
		return intentOrder
	}
	switch it {
	case intentYes, intentNo:
		// Dialogflow matched an opt-in answer, but no opt-in question of ours is pending: nothing to accept.
		b.say(ctx, c.WaID, t.fallback)
		return intentNone
	case intentTicket:
		b.tickets(ctx, c.WaID, lang)
		return it
	case intentPrivacy:
		b.say(ctx, c.WaID, b.welcome(lang))
		return it
	}
	if in.First && strings.EqualFold(res.Intent, "welcome") {
		return intentNone // the first-contact welcome already greeted the customer
	}
	if res.Fallback || res.Reply == "" {
		b.say(ctx, c.WaID, t.fallback)
		return intentNone
	}
	b.say(ctx, c.WaID, res.Reply)
	return intentNone
}

// intentFromDialogflow maps the agent's intent display names (fixtures/agent) onto the assistant's.
func intentFromDialogflow(name string) intent {
	n := strings.ReplaceAll(normalise(name), " ", "")
	has := func(parts ...string) bool {
		for _, p := range parts {
			if strings.Contains(n, p) {
				return true
			}
		}
		return false
	}
	switch {
	case n == "":
		return intentNone
	case has("optout", "baja", "unsubscribe"):
		return intentOptOut
	case has("optinyes", "optin.yes"):
		return intentYes
	case has("optinno"):
		return intentNo
	case has("erasure", "supresion", "borrado", "delete"):
		return intentErasure
	case has("portab"):
		return intentPortability
	case has("rectif"):
		return intentRectification
	case has("restrict", "limitacion"):
		return intentRestriction
	case has("objection", "oposicion"):
		return intentObjection
	case has("access", "acceso"):
		return intentAccess
	case has("human", "agent", "humano", "handoff"):
		return intentHuman
	case has("complaint", "queja", "reclamacion"):
		return intentComplaint
	case has("order", "pedido"):
		return intentOrder
	case has("receipt", "ticket"):
		return intentTicket
	case has("privacy", "privacidad"):
		return intentPrivacy
	}
	return intentNone
}

// orderStatus answers about an order; masked is the question as asked, masked (see mask).
func (b *Bot) orderStatus(ctx context.Context, c customer, number, masked, lang string) {
	t := text(lang)
	if number == "" {
		number = c.LastOrder
		if b.violates("WA-XCUST-01") {
			// The bug: a bot-wide "last order question" instead of a per-customer one.
			if id, question := b.store.lastOrder(); id != "" {
				o := b.orders.orders[id]
				b.say(ctx, c.WaID, fmt.Sprintf("«%s» → %s", question, o.describe(lang)))
				return
			}
		}
	}
	if number == "" {
		mine := b.orders.byOwner[c.WaID]
		switch {
		case b.violates("WA-SENS-01"):
			b.say(ctx, c.WaID, t.orderAskCard)
		case len(mine) == 0:
			b.say(ctx, c.WaID, t.orderNone+" "+t.orderAsk)
		default:
			var lines []string
			for _, o := range mine {
				lines = append(lines, o.describe(lang))
			}
			b.say(ctx, c.WaID, strings.Join(lines, "\n"))
		}
		return
	}
	o, ok := b.orders.orders[strings.ToUpper(number)]
	if !ok || (o.WaID != c.WaID && !b.violates("WA-XCUST-01")) {
		b.say(ctx, c.WaID, fmt.Sprintf(t.orderUnknown, number))
		return
	}
	b.store.update(c.WaID, func(c *customer) { c.LastOrder = o.Number })
	b.store.setLastOrder(o.Number, masked)
	b.say(ctx, c.WaID, o.describe(lang))
}

func (b *Bot) tickets(ctx context.Context, waID, lang string) {
	t := text(lang)
	mine := b.orders.tickets[waID]
	if len(mine) == 0 {
		b.say(ctx, waID, t.ticketNone)
		return
	}
	var lines []string
	for _, tk := range mine {
		lines = append(lines, fmt.Sprintf(t.ticketLine, tk.Number, tk.Date, tk.Store, tk.Items, tk.Total))
	}
	b.say(ctx, waID, strings.Join(lines, "\n"))
}

// purgeExpired drops transcript lines older than the declared retention (GDPR-RET-01).
func (b *Bot) purgeExpired(waID string, now time.Time) {
	if b.violates("GDPR-RET-01") {
		return
	}
	limit := now.Add(-RetentionDays * 24 * time.Hour)
	b.store.mu.Lock()
	defer b.store.mu.Unlock()
	if c, ok := b.store.customers[waID]; ok {
		c.purge(limit)
	}
}

var phoneInText = regexp.MustCompile(`\+?\b\d{11,13}\b`)
