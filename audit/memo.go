package audit

import "github.com/parley-dev/parley/journal"

// prepare computes, customer by customer on every core, the facts several rules ask of the same events
// (anchors, requests' fulfilments and threads, exports, whether a send carries a canary, a message's
// language and whether it complains; the facts of a send's text are shareTextFacts').
// After it the view is only read, so rules run concurrently (RunRules).
func (v *View) prepare() {
	parallel(len(v.order), func(k int) {
		c := v.custs[v.order[k]]
		for i, e := range c.evs {
			switch {
			case e.optout() != nil:
				c.keepAnchor(i, e.optout().Phrase)
			case e.dsr() != nil:
				c.keepAnchor(i, e.dsr().Wording)
			case e.kc == kHandoffRequested:
				phrase := ""
				if h := e.handoff(); h != nil {
					phrase = h.Phrase
				}
				c.keepAnchor(i, phrase)
			}
		}
		for _, e := range c.inbound() { // what ES-CS-01 asks of every message
			e.complaint()
			e.language()
		}
		for _, i := range c.reqs {
			d := c.evs[i].dsr()
			a := c.anchor(i, d.Wording)
			k := handlingKey{a, d.Right}
			if _, ok := c.handled[k]; !ok {
				if c.handled == nil {
					c.handled = map[handlingKey]handling{}
				}
				f := v.findFulfilment(c, d, a)
				c.handled[k] = handling{f, v.findThread(c, a, f)}
			}
		}
		for _, e := range c.sends() { // refused sends too: rules that forbid a send judge attempts
			if e.out().Type == "document" {
				if c.docs == nil {
					c.docs = map[*ev]export{}
				}
				c.docs[e] = v.readExport(e)
			}
			v.sendCarriesCanary(e)
		}
		v.exports(c)
	})
}

// textFacts computes the facts about a send that depend only on what it says (marketing, for a
// free-form send; a fee, a refusal, an extension, the confirmation of each right), and returns the
// tracking code it gives, folded, or "" (View.ticketRef).
func textFacts(e *ev) (ticket string) {
	isMarketing(e)
	e.fee()
	e.refusal()
	e.extension()
	e.aboutRequests()
	e.asksSensitive()
	e.optinPrompt()
	e.template()
	for _, r := range rightsOrder {
		confirms(e, r)
	}
	e.lexOK |= 1 << bitTicket
	return findTicket(e.out())
}

// textBits are the memo bits textFacts sets. bitMarketing is among them because marketing depends only on
// the text, the type and the category, which shareTextFacts keys on.
var textBits = uint32(1<<bitMarketing | 1<<bitFee | 1<<bitRefusal | 1<<bitExtension | 1<<bitAboutRequests | 1<<bitTicket |
	1<<bitSensitive | 1<<bitOptinPrompt | 1<<bitTemplate | (1<<len(rightsOrder)-1)<<bitDone)

// sendTexts are the sends grouped by text (distinctTexts): the first send of each distinct text, in
// sequence order, and the other sends, whose ev.text indexes distinct.
type sendTexts struct {
	distinct, same []*ev
}

// distinctTexts groups the sends by text as sent, type and template category, and sets each send's
// ev.text.
func (v *View) distinctTexts() sendTexts {
	type key struct{ text, typ, cat string }
	first := map[key]uint32{} // index in distinct
	var t sendTexts
	for _, e := range v.evs {
		if !e.isOutbound() {
			continue
		}
		k := key{sentText(e.out()), e.out().Type, e.out().Category}
		if i, ok := first[k]; ok {
			e.text = i
			t.same = append(t.same, e)
			continue
		}
		e.text = uint32(len(t.distinct))
		first[k] = e.text
		t.distinct = append(t.distinct, e)
	}
	return t
}

// shareTextFacts computes textFacts once per distinct send (text as sent, type and template category), and
// whether it carries a canary when it is not a document, on every core, and gives each send the facts of
// its text: an assistant sends the same few texts to every
// customer, and a load run's million events hold a few dozen distinct replies. Refused sends get them too:
// rules that forbid a send judge what the assistant tried to send.
func (v *View) shareTextFacts(t sendTexts) {
	distinct, same := t.distinct, t.same
	v.texts = make([]sentFacts, len(distinct))
	inChunks(len(distinct), 64, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			e := distinct[k]
			v.texts[k].ticket = textFacts(e)
			v.texts[k].es, v.texts[k].en = langWords(e.ft)
			if e.out().Type != "document" {
				v.sendCarriesCanary(e) // what a send other than a document carries is its text
			}
		}
	})
	for _, e := range same {
		f := distinct[e.text]
		bits := textBits
		if e.out().Type != "document" {
			bits |= 1 << bitCanary
		}
		e.lexOK |= f.lexOK & bits
		e.lexHas |= f.lexHas & bits
	}
}

// sentFacts are the facts of a distinct send's text that are not yes or no (ev.text indexes View.texts).
type sentFacts struct {
	ticket string // the tracking code it gives, folded, or ""
	es, en int    // its Spanish and English common words (langWords)
}

// lexicon memo bits (ev.memo).
const (
	bitMarketing = iota
	bitCanary
	bitFee
	bitRefusal
	bitExtension
	bitAboutRequests
	bitTicket // ev.text indexes View.texts: the send's tracking code and words are known
	bitSensitive
	bitOptinPrompt
	bitTemplate  // a send's: a template
	bitComplaint // a message's
	bitLanguage  // a message's language is known: bitSpanish, bitEnglish or neither
	bitSpanish
	bitEnglish
	bitDone // + index of the right in rightsOrder
)

var rightsOrder = []string{"access", "portability", "erasure", "rectification", "restriction", "objection"}

func (e *ev) fee() bool {
	return e.memo(bitFee, func() bool { return has(e.ft, feeWords...) && !has(e.ft, freeWords...) })
}

func (e *ev) refusal() bool {
	return e.memo(bitRefusal, func() bool { return has(e.ft, refusal...) && !has(e.ft, authority...) })
}

func (e *ev) extension() bool { return e.memo(bitExtension, func() bool { return delays(e.ft) }) }

// aboutRequests says whether a send speaks of requests or rights: a later reply in a request's thread.
func (e *ev) aboutRequests() bool {
	return e.memo(bitAboutRequests, func() bool { return has(e.ft, "solicitud", "request", "derechos", "rights") })
}

// asksSensitive says whether a send asks for a sensitive identifier (sensitiveAsk says which).
func (e *ev) asksSensitive() bool {
	return e.memo(bitSensitive, func() bool { _, ok := sensitiveAsk(e.ft); return ok })
}

// optinPrompt says whether a send asks the customer to opt in (WA-OPTIN-02 judges those prompts).
func (e *ev) optinPrompt() bool {
	return e.memo(bitOptinPrompt, func() bool { return has(e.ft, optinPrompt...) })
}

// template says whether a send is a template. Every send knows it before the rules run (shareTextFacts),
// so rules walking a timeline need not read the send's payload to ask.
func (e *ev) template() bool {
	return e.memo(bitTemplate, func() bool { return e.out().Type == "template" })
}

// complaint says whether a message is a complaint (ES-CS-01).
func (e *ev) complaint() bool {
	return e.memo(bitComplaint, func() bool { return has(e.ft, complaint...) })
}

// language is language(e.ft, 1) for a message, computed once.
func (e *ev) language() string {
	if e.lexOK&(1<<bitLanguage) == 0 {
		e.lexOK |= 1<<bitLanguage | 1<<bitSpanish | 1<<bitEnglish
		switch language(e.ft, 1) {
		case "es":
			e.lexHas |= 1 << bitSpanish
		case "en":
			e.lexHas |= 1 << bitEnglish
		}
	}
	switch {
	case e.lexHas&(1<<bitSpanish) != 0:
		return "es"
	case e.lexHas&(1<<bitEnglish) != 0:
		return "en"
	}
	return ""
}

// ticketRef returns the tracking code a send gives, folded, or "".
func (v *View) ticketRef(e *ev) string {
	if e.lexOK&(1<<bitTicket) != 0 {
		return v.texts[e.text].ticket
	}
	return findTicket(e.out())
}

func findTicket(o *journal.OutboundData) string {
	if m := ticketRe.FindString(sentText(o)); m != "" {
		return fold(m)
	}
	return ""
}

// memo computes a yes/no fact about an event once: several rules ask the same of every send.
func (e *ev) memo(bit int, f func() bool) bool {
	m := uint32(1) << bit
	if e.lexOK&m == 0 {
		e.lexOK |= m
		if f() {
			e.lexHas |= m
		}
	}
	return e.lexHas&m != 0
}
