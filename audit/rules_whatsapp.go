package audit

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// The WhatsApp Business Messaging Policy rules (each rule's Sources in the catalogue names the policy
// pages it rests on).

func checkOptin01(v *View) (o outcome) {
	for _, e := range v.evs {
		// A campaign or a business event asked of the assistant is a chance to message without opt-in,
		// even when it rightly sends nothing.
		if h := e.hookCall(); h != nil && (h.Hook == "campaign" || h.Hook == "notify") && h.Status >= 200 && h.Status < 300 {
			o.exercised++
		}
	}
	v.each(func(c *customer) {
		s := newConsents()
		for _, e := range c.at(c.acts) {
			s.step(e)
			if !e.isOutbound() || !e.template() {
				continue
			}
			o.exercised++
			if e.inWindow() {
				continue // a reply inside a conversation the customer started needs no opt-in
			}
			given, revoked := s.allows(e.out().Category)
			if given != nil || revoked != nil { // a revoked opt-in is WA-OPTOUT-01's, GDPR-OBJECT-01's
				continue
			}
			o.find(c.id, fmt.Sprintf("template %q (%s) sent outside the 24-hour window with no opt-in from the customer for it%s",
				e.out().Template, categoryName(e.out().Category), refusedNote(e)), e.Seq)
		}
	})
	return o
}

func categoryName(c string) string {
	if c == "" {
		return "category unknown"
	}
	return strings.ToUpper(c)
}

func checkOptin02(v *View) (o outcome) {
	biz := fold(v.opts.Business)
	judge := func(c *customer, text string, evidence ...*ev) {
		o.exercised++
		t := fold(text)
		var missing []string
		if !strings.Contains(t, biz) {
			missing = append(missing, "the business name "+quote(v.opts.Business))
		}
		if !has(t, "whatsapp") {
			missing = append(missing, `"WhatsApp"`)
		}
		if !has(t, categoryWords...) {
			missing = append(missing, "what messages (offers, notifications…)")
		}
		if len(missing) > 0 {
			o.find(c.id, "in-chat opt-in prompt does not state "+strings.Join(missing, ", "), seqs(evidence...)...)
		}
	}
	v.each(func(c *customer) {
		prompts := map[string]bool{}
		for _, e := range c.sends() {
			if e.accepted() && e.optinPrompt() { // a text fact (shareTextFacts)
				prompts[fold(strings.TrimSpace(e.out().Text))] = true
				judge(c, sentText(e.out()), e)
			}
		}
		for _, e := range c.at(c.acts) {
			cd := e.consent()
			if e.kc != kConsentGiven || cd == nil || !strings.EqualFold(cd.Channel, "whatsapp") {
				continue
			}
			if w := strings.TrimSpace(cd.Wording); w != "" && !prompts[fold(w)] {
				judge(c, w, e)
			}
		}
	})
	return o
}

func checkOptin03(v *View) (o outcome) {
	biz := fold(v.opts.Business)
	v.each(func(c *customer) {
		s := newConsents()
		refused := refusedConsents(c)
		for i, e := range c.at(c.acts) {
			if !refused[e.Seq] {
				// An opt-in the assistant refused at its consent hook is not one it can market on: a send
				// relies on the opt-in in force before it.
				s.step(e)
			}
			if cd := e.consent(); e.kc == kConsentGiven && !strings.EqualFold(cd.Channel, "whatsapp") {
				o.exercised++
				incomplete := strings.TrimSpace(cd.Channel) == "" || strings.TrimSpace(cd.Wording) == ""
				if !incomplete && !strings.Contains(fold(cd.Wording), biz) {
					o.find(c.id, fmt.Sprintf("opt-in collected by %s does not name the business %s", cd.Channel, quote(v.opts.Business)), e.Seq)
				}
				if incomplete {
					for j := i + 1; j < len(c.evs); j++ {
						h := c.evs[j]
						if hc := h.hookCall(); hc != nil && hc.Hook == "consent" {
							if hc.Status >= 200 && hc.Status < 300 {
								o.find(c.id, "the assistant accepted an out-of-WhatsApp opt-in recorded without its channel or wording", e.Seq, h.Seq)
							}
							break
						}
					}
				}
			}
			if !e.isOutbound() || !businessInitiated(e) {
				continue
			}
			g, _ := s.allows(e.out().Category)
			if g == nil || strings.EqualFold(g.consent().Channel, "whatsapp") {
				continue
			}
			if cd := g.consent(); strings.TrimSpace(cd.Channel) == "" || strings.TrimSpace(cd.Wording) == "" {
				o.find(c.id, fmt.Sprintf("template %q relies on an out-of-WhatsApp opt-in that has no channel or wording on record%s",
					e.out().Template, refusedNote(e)), e.Seq, g.Seq)
			}
		}
	})
	return o
}

// refusedConsents are the customer's out-of-WhatsApp opt-ins whose consent hook call the assistant
// answered with an error, by sequence number.
func refusedConsents(c *customer) map[uint64]bool {
	var out map[uint64]bool // most customers: none, and nothing allocated
	for i, e := range c.at(c.acts) {
		if cd := e.consent(); e.kc != kConsentGiven || cd == nil || strings.EqualFold(cd.Channel, "whatsapp") {
			continue
		}
		for _, h := range c.evs[i+1:] {
			if hc := h.hookCall(); hc != nil && hc.Hook == "consent" {
				if hc.Status < 200 || hc.Status >= 300 {
					if out == nil {
						out = map[uint64]bool{}
					}
					out[e.Seq] = true
				}
				break
			}
		}
	}
	return out
}

func checkWindow01(v *View) (o outcome) {
	v.each(func(c *customer) {
		for _, e := range c.sends() {
			if e.template() {
				continue
			}
			o.exercised++
			if e.inWindow() {
				continue
			}
			why := fmt.Sprintf("free-form %s message sent to a customer who never wrote (templates only outside the window)", e.out().Type)
			if e.lastIn != nil {
				why = fmt.Sprintf("free-form %s message sent %s after the customer's last message (window: 24h)", e.out().Type, hours(e.At.Sub(e.lastIn.At)))
			}
			o.find(c.id, why+refusedNote(e), e.Seq)
		}
	})
	return o
}

// notApproved are the Graph error codes for a template that does not exist or may not be sent
// (132001 does not exist, 132015 paused, 132016 disabled; Meta error-codes page).
var notApproved = map[int]bool{132001: true, 132015: true, 132016: true}

func checkTpl01(v *View) (o outcome) {
	v.each(func(c *customer) {
		for _, e := range c.sends() {
			out := e.out()
			if out.Type != "template" {
				continue
			}
			o.exercised++
			if e.kc == kOutboundRejected && notApproved[out.Code] {
				o.find(c.id, fmt.Sprintf("template %q is not an approved template (WhatsApp error %d)", out.Template, out.Code), e.Seq)
				continue
			}
			if v.opts.ApprovedTemplates != nil {
				cat, ok := v.opts.ApprovedTemplates[out.Template]
				if !ok {
					o.find(c.id, fmt.Sprintf("template %q is not in the approved registry%s", out.Template, refusedNote(e)), e.Seq)
					continue
				}
				if out.Category != "" && !strings.EqualFold(cat, out.Category) {
					o.find(c.id, fmt.Sprintf("template %q sent as %s but approved as %s%s", out.Template, out.Category, cat, refusedNote(e)), e.Seq)
				}
			}
			if !strings.EqualFold(out.Category, "MARKETING") && out.Category != "" {
				t := e.ft
				if w, ok := which(t, append(promoStrong, promoWeak...)...); ok || percentRe.MatchString(t) {
					if !ok {
						w = "a percentage"
					}
					o.find(c.id, fmt.Sprintf("%s template %q carries promotional content (%q)%s", out.Category, out.Template, w, refusedNote(e)), e.Seq)
				}
			}
		}
	})
	if o.exercised > 0 {
		o.note("whether marketing templates went to /marketing_messages is not recorded by the mock; not checked")
	}
	return o
}

func checkOptout01(v *View) (o outcome) {
	v.each(func(c *customer) {
		var out *ev // the opt-out in force, nil after a new opt-in
		for i, e := range c.at(c.acts) {
			switch {
			case e.kc == kConsentGiven && e.consent() != nil:
				out = nil
			case e.kc == kOptoutRequested && e.optout() != nil,
				e.kc == kConsentWithdrawn && e.consent() != nil && purposeOf(e.consent()) == "marketing":
				o.exercised++
				if od := e.optout(); od != nil && od.Via == "whatsapp_stop" {
					// WhatsApp itself refuses marketing after its own stop control (131050); what the
					// assistant does about it is WA-MKT-02's.
					continue
				}
				out = e
				if e.kc != kOptoutRequested {
					continue
				}
				a := c.anchor(i, e.optout().Phrase)
				if extra := c.confirmations(a); len(extra) > 1 {
					refused := ""
					if n := countRefused(extra); n > 0 {
						refused = fmt.Sprintf(" (%d refused by WhatsApp)", n)
					}
					o.find(c.id, fmt.Sprintf("%d messages sent after the opt-out before the customer wrote again%s; at most one confirmation", len(extra), refused),
						seqs(append([]*ev{e}, extra[1:]...)...)...)
				}
			case out != nil && e.isOutbound():
				switch {
				case isMarketing(e):
					o.find(c.id, fmt.Sprintf("marketing sent %s after the customer opted out%s", hours(e.At.Sub(out.At)), refusedNote(e)), e.Seq, out.Seq)
				case businessInitiated(e):
					o.find(c.id, fmt.Sprintf("business-initiated template %q sent after the customer opted out%s", e.out().Template, refusedNote(e)), e.Seq, out.Seq)
				}
			}
		}
	})
	return o
}

// countRefused counts the sends WhatsApp refused.
func countRefused(evs []*ev) int {
	n := 0
	for _, e := range evs {
		if !e.accepted() {
			n++
		}
	}
	return n
}

// chatOptouts calls f for every opt-out the customer made in the chat, with the message that carried it.
func chatOptouts(v *View, f func(c *customer, e *ev, anchor int)) {
	v.each(func(c *customer) {
		for i, e := range c.at(c.acts) {
			if od := e.optout(); od != nil && od.Via != "whatsapp_stop" {
				f(c, e, c.anchor(i, od.Phrase))
			}
		}
	})
}

func checkOptout02(v *View) (o outcome) {
	chatOptouts(v, func(c *customer, e *ev, a int) {
		o.exercised++
		phrase := quote(e.optout().Phrase)
		r := c.replies(a)
		if fb := c.fellBack(a); fb != nil {
			o.find(c.id, fmt.Sprintf("opt-out %s went to Dialogflow and got a fallback instead of being honoured", phrase), e.Seq, fb.Seq)
			return
		}
		if len(r) == 0 {
			o.find(c.id, fmt.Sprintf("opt-out %s got no reply", phrase), seqs(e, c.evs[a])...)
			return
		}
		t := folded(r)
		if has(t, clarify...) {
			o.find(c.id, fmt.Sprintf("opt-out %s answered with a request for details instead of a confirmation", phrase), seqs(e, r[0])...)
			return
		}
		if !has(t, optoutConfirm...) {
			o.find(c.id, fmt.Sprintf("opt-out %s was not confirmed (the reply does not say the customer will get no more messages)", phrase), seqs(e, r[0])...)
		}
	})
	return o
}

func checkOptout03(v *View) (o outcome) {
	chatOptouts(v, func(c *customer, e *ev, a int) {
		r := c.replies(a)
		if len(r) == 0 {
			return // no reply at all is WA-OPTOUT-02's finding
		}
		o.exercised++
		for _, x := range r {
			t := x.ft
			switch w, ok := which(t, retentionPitch...); {
			case ok:
				o.find(c.id, fmt.Sprintf("the opt-out reply adds a step or a retention pitch (%q); withdrawal must be as easy as consent", w), e.Seq, x.Seq)
			case has(t, reoptin...):
				o.find(c.id, "the opt-out reply asks the customer to opt in again", e.Seq, x.Seq)
			case urlRe.MatchString(t) && !has(t, optoutConfirm...):
				o.find(c.id, "the opt-out reply sends the customer to a web page instead of confirming in the chat", e.Seq, x.Seq)
			default:
				continue
			}
			return
		}
	})
	return o
}

func checkMkt01(v *View) (o outcome) {
	biz := fold(v.opts.Business)
	optoutWords := []string{"baja", "stop", "unsubscribe", "darte de baja", "opt out", "opt-out", "cancelar suscripcion", "no recibir mas"}
	v.each(func(c *customer) {
		for _, e := range c.sends() {
			if !isMarketing(e) {
				continue
			}
			out := e.out()
			if strings.TrimSpace(out.Text) == "" && len(out.Buttons) == 0 {
				o.note("a marketing template was recorded without its rendered text; not judged")
				continue
			}
			o.exercised++
			t := e.ft
			var missing []string
			if !strings.Contains(t, biz) {
				missing = append(missing, "the business name")
			}
			if !has(t, optoutWords...) {
				missing = append(missing, "a free opt-out (button or BAJA/STOP)")
			}
			if len(missing) > 0 {
				o.find(c.id, fmt.Sprintf("marketing message %s lacks %s%s", describe(out), strings.Join(missing, " and "), refusedNote(e)), e.Seq)
			}
		}
	})
	return o
}

func describe(o *journal.OutboundData) string {
	if o.Type == "template" {
		return fmt.Sprintf("(template %q)", o.Template)
	}
	return quote(o.Text)
}

func checkMkt02(v *View) (o outcome) {
	v.each(func(c *customer) {
		template := map[string]string{} // wamid → template
		var stopped *ev
		limited := map[string]*ev{} // template → its last 131049
		for _, e := range c.at(c.acts) {
			code, tpl := 0, ""
			switch {
			case e.isOutbound():
				if c.statuses && e.out().ID != "" { // only a status's payload asks which template it was
					template[e.out().ID] = e.out().Template
				}
				if e.kc == kOutboundRejected {
					code, tpl = e.out().Code, e.out().Template
				}
			case e.status() != nil:
				code, tpl = e.status().Code, template[e.status().ID]
			case e.kc == kConsentGiven:
				stopped = nil
			}
			if e.isOutbound() && e.template() {
				if stopped != nil && strings.EqualFold(e.out().Category, "MARKETING") {
					o.find(c.id, fmt.Sprintf("marketing template %q sent after WhatsApp reported 131050 (the customer stopped marketing)%s", e.out().Template, refusedNote(e)), e.Seq, stopped.Seq)
				}
				if l := limited[e.out().Template]; l != nil && l != e && e.At.Sub(l.At) < window {
					o.find(c.id, fmt.Sprintf("template %q retried %s after a 131049 (per-user marketing limit); wait 24h%s", e.out().Template, hours(e.At.Sub(l.At)), refusedNote(e)), e.Seq, l.Seq)
				}
			}
			if od := e.optout(); od != nil && od.Via == "whatsapp_stop" {
				o.exercised++ // the platform's own stop: the 131050s that follow are the signal judged
			}
			switch code {
			case 131050:
				o.exercised++
				stopped = e
			case 131049:
				o.exercised++
				if tpl != "" {
					limited[tpl] = e
				}
			}
		}
	})
	return o
}

func checkEsc01(v *View) (o outcome) {
	judgeText := func(t string) (bool, string) {
		if has(t, humanPath...) || emailRe.MatchString(t) || phoneRe.MatchString(t) || humanURL(t) {
			return true, ""
		}
		if socialRe.MatchString(t) {
			return false, "only social-network links"
		}
		return false, "no transfer, phone, e-mail or web form"
	}
	// The verdict on each distinct text of replies is reached once: an assistant gives the same few.
	type verdict struct {
		ok  bool
		why string
	}
	judged := map[string]verdict{}
	judge := func(c *customer, r []*ev) (bool, string) {
		t := folded(r)
		j, ok := judged[t]
		if !ok {
			j.ok, j.why = judgeText(t)
			judged[t] = j
		}
		return j.ok, j.why
	}
	v.each(func(c *customer) {
		if i, r := c.firstContact(); i >= 0 && len(r) > 0 {
			o.exercised++
			if ok, why := judge(c, r); !ok {
				o.find(c.id, "the first replies do not say how to reach a person ("+why+")", seqs(append([]*ev{c.evs[i]}, r...)...)...)
			}
		}
		for i, e := range c.at(c.acts) {
			if e.kc != kHandoffRequested {
				continue
			}
			o.exercised++
			phrase := ""
			if h := e.handoff(); h != nil {
				phrase = h.Phrase
			}
			a := c.anchor(i, phrase)
			r := c.replies(a)
			if len(r) == 0 {
				o.find(c.id, "a request for a person got no reply", seqs(e, c.evs[a])...)
				continue
			}
			if ok, why := judge(c, r); !ok {
				o.find(c.id, "a request for a person was not answered with a path to one ("+why+")", seqs(e, r[0])...)
			}
		}
	})
	return o
}

func checkEsc02(v *View) (o outcome) {
	v.each(func(c *customer) {
		for i, e := range c.at(c.acts) {
			if e.kc != kHandoffRequested {
				continue
			}
			phrase := ""
			if h := e.handoff(); h != nil {
				phrase = h.Phrase
			}
			a := c.anchor(i, phrase)
			// A handoff exists only once the assistant announced one. An assistant that refused, or only
			// gave a phone number, hands nothing over and may go on answering; that reply is WA-ESC-01's.
			if !has(folded(c.replies(a)), handoffAnnounced...) {
				o.note("a request for a person was not answered with a transfer; the bot answering on is not judged here (see WA-ESC-01)")
				continue
			}
			start := c.nextInbound(max(a, i))
			if start >= len(c.evs) {
				continue // the customer never wrote during the handoff: nothing to judge
			}
			o.exercised++
			for j := start; j < len(c.evs); j++ {
				x := c.evs[j]
				if x.kc == kHandoffReleased {
					break
				}
				if h := x.hookCall(); h != nil && h.Hook == "handoff/release" && h.Status >= 200 && h.Status < 300 {
					break
				}
				if x.di() != nil {
					o.find(c.id, "the bot kept querying Dialogflow for this customer while a person had the conversation", e.Seq, x.Seq)
					break
				}
			}
		}
	})
	return o
}

// sentence splits text at sentence ends so a request and a noun are judged together.
var sentence = regexp.MustCompile(`[.?!\n¿¡;]+`)

func checkSens01(v *View) (o outcome) {
	v.each(func(c *customer) {
		for _, e := range c.sends() {
			if strings.TrimSpace(e.out().Text) == "" {
				continue
			}
			o.exercised++
			if e.asksSensitive() { // a text fact, judged once per distinct text (shareTextFacts)
				what, _ := sensitiveAsk(e.ft)
				o.find(c.id, fmt.Sprintf("the assistant asks for %s over WhatsApp%s", what, refusedNote(e)), e.Seq)
			}
		}
	})
	return o
}

// sensitiveAsk finds a request for a sensitive identifier in folded text.
func sensitiveAsk(t string) (string, bool) {
	if !has(t, sensitiveNouns...) && !has(t, idDocument...) {
		return "", false // most messages: no need to split them into sentences
	}
	for _, s := range sentence.Split(t, -1) {
		if has(s, negation...) || has(s, partialOK...) {
			continue
		}
		if w, ok := which(s, idDocument...); ok {
			return quote(w), true
		}
		if w, ok := which(s, sensitiveNouns...); ok && has(s, askVerbs...) {
			return quote(w), true
		}
	}
	return "", false
}

// echoTypes are the identifiers WA-SENS-02 forbids echoing in full: card numbers, IBANs, DNIs, NIEs and
// social security numbers. The last four digits are fine.
var echoTypes = []pii.Type{pii.Card, pii.IBAN, pii.DNI, pii.NIE, pii.NUSS}

func checkSens02(v *View) (o outcome) {
	v.each(func(c *customer) {
		sent := map[string]*ev{}
		for _, e := range c.merged(c.ins, c.outs) {
			if e.isInbound() && e.in().Text != "" {
				for _, m := range pii.Only(e.ids(), echoTypes...) {
					sent[m.Normalized()] = e
				}
			}
			if !e.isOutbound() || len(sent) == 0 {
				continue
			}
			o.exercised++
			for _, m := range pii.Only(e.ids(), echoTypes...) {
				if src := sent[m.Normalized()]; src != nil {
					o.find(c.id, fmt.Sprintf("the assistant echoed the customer's %s in full; mask it (e.g. last 4 digits)%s", m.Type, refusedNote(e)), e.Seq, src.Seq)
					break
				}
			}
		}
	})
	return o
}

func checkSec01(v *View) (o outcome) {
	for _, e := range v.evs {
		h := e.hook()
		if h == nil || h.Signed {
			continue
		}
		o.exercised++
		if h.Status >= 200 && h.Status < 300 {
			o.find(e.cust, fmt.Sprintf("the assistant answered %d to a webhook without a valid X-Hub-Signature-256 (expected 401/403)", h.Status), e.Seq)
		}
	}
	return o
}

func checkSec02(v *View) (o outcome) {
	sev := SeverityInfo
	if v.opts.CertifyDeployed {
		sev = SeverityHigh
	}
	seen := map[string]bool{}
	for _, e := range v.evs {
		if h := e.hook(); h != nil && !seen[h.URL] && h.URL != "" {
			seen[h.URL] = true
			o.exercised++
			if strings.HasPrefix(strings.ToLower(h.URL), "http://") {
				o.findings = append(o.findings, Finding{Customer: e.cust, Severity: sev, Seqs: []uint64{e.Seq},
					Explanation: fmt.Sprintf("webhooks go to plain HTTP (%s); WhatsApp delivers only to HTTPS", h.URL)})
			}
		}
		if p := e.tls(); p != nil {
			o.exercised++
			if p.Accepted && (p.Version == "1.0" || p.Version == "1.1" || strings.HasPrefix(strings.ToUpper(p.Version), "SSL")) {
				o.findings = append(o.findings, Finding{Customer: e.cust, Severity: sev, Seqs: []uint64{e.Seq},
					Explanation: fmt.Sprintf("the webhook endpoint accepts TLS %s; require TLS 1.2 or later", p.Version)})
			}
		}
	}
	if !v.opts.CertifyDeployed && len(o.findings) > 0 {
		o.note("embedded run: findings are informational; they are high when certifying a deployed URL")
	}
	return o
}

func checkXcust01(v *View) (o outcome) {
	if len(v.byFirst) == 0 && len(v.said) == 0 || len(v.custs) < 2 {
		return o
	}
	// The canaries of each distinct text are found once: an assistant sends the same few texts.
	inText := map[string][]*ev{}
	v.each(func(c *customer) {
	sends:
		for _, e := range c.sends() {
			o.exercised++
			var found []*ev
			if v.sendCarriesCanary(e) { // known for every send (prepare): most carry none
				x := v.exportOf(e)
				var ok bool
				if found, ok = inText[x.text]; !ok {
					found = v.canariesIn(x.text)
					inText[x.text] = found
				}
			}
			for _, ce := range found {
				if ce.cust != c.id && ce.Seq < e.Seq && !c.planted(ce.canary().Value) {
					o.find(c.id, fmt.Sprintf("a message to this customer carries %s's %s %s%s", ce.cust, ce.canary().Type, quote(ce.canary().Value), refusedNote(e)), e.Seq, ce.Seq)
					continue sends
				}
			}
			// What another customer wrote themselves (an order code, an identifier) and this one never did,
			// nor did the business give the assistant for this customer (an order its notify hook named).
			for _, s := range sharedValues(e) {
				if c.notified(s) {
					continue
				}
				var other *ev
				for _, m := range v.said[s] {
					if m.cust == c.id {
						other = nil
						break
					}
					if m.Seq < e.Seq && other == nil {
						other = m
					}
				}
				if p, ok := v.pub[s]; ok && other != nil && p < other.Seq {
					other = nil // the assistant published it first (its own e-mail, a product code): not the customer's
				}
				if other != nil {
					o.find(c.id, fmt.Sprintf("a message to this customer carries %s, which %s wrote in their own chat%s", quote(s), other.cust, refusedNote(e)), e.Seq, other.Seq)
					continue sends
				}
			}
		}
	})
	return o
}

// notified says whether a certification hook told the assistant about value for this customer (the
// order of a notify): the business's own data for them, not another customer's.
func (c *customer) notified(value string) bool {
	for _, e := range c.at(c.acts) {
		if h := e.hookCall(); h != nil && h.Order != "" && strings.EqualFold(h.Order, value) {
			return true
		}
	}
	return false
}

// planted says whether the customer themselves planted value too (two customers may share a value).
func (c *customer) planted(value string) bool {
	for _, ce := range c.canaries {
		if strings.EqualFold(ce.canary().Value, value) {
			return true
		}
	}
	return false
}

// aiActHigh is when the AI Act's Art. 50 applies (Art. 113): AI-DISC-01 findings dated from then are high.
var aiActHigh = time.Date(2026, time.August, 2, 0, 0, 0, 0, time.UTC)

func checkAIDisc01(v *View) (o outcome) {
	v.each(func(c *customer) {
		i, r := c.firstContact()
		if i < 0 || len(r) == 0 {
			return
		}
		o.exercised++
		if has(folded(r), aiDisclosure...) {
			return
		}
		f := Finding{Customer: c.id, Seqs: seqs(r...), Explanation: "the first replies do not say the customer is talking to an automated assistant"}
		if !r[0].At.Before(aiActHigh) {
			f.Severity = SeverityHigh
		}
		o.findings = append(o.findings, f)
	})
	return o
}
