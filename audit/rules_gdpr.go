package audit

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/pii"
)

// The GDPR, LOPDGDD, LSSI, AI Act and Ley 10/2025 rules, with PRIV-JIT-01 and PRIV-3P-01 (each rule's
// Sources in the catalogue names the articles and guidance it rests on).

// firstTwo returns the first contact's replies, at most the first two sends: GDPR-NOTICE-01 wants the
// notice in the first or second message the assistant sends.
func firstTwo(r []*ev) []*ev {
	if len(r) > 2 {
		return r[:2]
	}
	return r
}

func checkNotice01(v *View) (o outcome) {
	names := []string{fold(v.opts.Business)}
	if v.opts.Controller != "" {
		names = append(names, fold(v.opts.Controller))
	}
	v.each(func(c *customer) {
		i, r := c.firstContact()
		if i < 0 || len(r) == 0 {
			return
		}
		o.exercised++
		r = firstTwo(r)
		t := folded(r)
		var missing []string
		if !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(t, n) }) {
			missing = append(missing, "the business or controller name ("+quote(v.opts.Business)+")")
		}
		if u := v.opts.PrivacyURL; u != "" && !strings.Contains(t, fold(u)) || u == "" && !humanURL(t) {
			missing = append(missing, "a link to the privacy policy")
		}
		if !has(t, rightsAccess...) || !has(t, rightsErasure...) {
			missing = append(missing, "the rights (access, erasure)")
		}
		objection := false
		for _, line := range strings.Split(t, "\n") {
			if has(line, rightsObjection...) && !has(line, rightsAccess...) {
				objection = true
			}
		}
		if !objection {
			missing = append(missing, "the right to object on its own line (Art. 21(4))")
		}
		if len(missing) > 0 {
			o.find(c.id, "the privacy notice at first contact lacks "+strings.Join(missing, ", "), seqs(r...)...)
		}
	})
	return o
}

// namesProcessors reports whether folded text names the processors that read every conversation: Meta
// (WhatsApp's, named as Meta: "WhatsApp" alone is the channel) and Google (or Dialogflow).
func namesProcessors(t string) bool {
	return has(t, "meta", "meta platforms") && has(t, processorsGoog...)
}

func checkPriv3P01(v *View) (o outcome) {
	full := fold(v.opts.PrivacyNotice)
	names := namesProcessors
	v.each(func(c *customer) {
		i, r := c.firstContact()
		if i < 0 || len(r) == 0 {
			return
		}
		o.exercised++
		if names(folded(firstTwo(r))) || full != "" && names(full) {
			return
		}
		o.find(c.id, "the privacy notice does not name the processors that read the conversations (Meta for WhatsApp, Google for Dialogflow)", seqs(firstTwo(r)...)...)
	})
	return o
}

// personal are the identifiers whose sharing calls for a just-in-time reminder (PRIV-JIT-01).
var personal = []pii.Type{pii.DNI, pii.NIE, pii.IBAN, pii.Card, pii.NUSS, pii.Passport, pii.CVV, pii.Email}

func checkPrivJIT01(v *View) (o outcome) {
	v.each(func(c *customer) {
		for i, e := range c.inbound() {
			if e.in().Text == "" || len(pii.Only(e.ids(), personal...)) == 0 {
				continue
			}
			o.exercised++
			r := c.replies(i)
			for j := i - 1; j >= 0; j-- { // the message that asked for the data may carry the reminder
				if p := c.evs[j]; p.accepted() {
					r = append(r, p)
					break
				} else if p.isInbound() {
					break
				}
			}
			t := folded(r)
			if !has(t, privacyWords...) && (v.opts.PrivacyURL == "" || !strings.Contains(t, fold(v.opts.PrivacyURL))) {
				o.find(c.id, "the customer shared personal data and got no privacy reminder", seqs(append([]*ev{e}, c.replies(i)...)...)...)
			}
			return // the first time is the one that counts
		}
	})
	return o
}

var refusesService = []string{"primero acepta", "debes aceptar", "tienes que aceptar", "sin tu consentimiento no podemos",
	"no podemos ayudarte", "no podemos atenderte", "you must accept", "you need to accept", "without your consent we cannot",
	"we cannot help you"}

func checkConsent01(v *View) (o outcome) {
	v.each(func(c *customer) {
		var refused *ev
		handoff := false
		for i, e := range c.merged(c.acts, c.ins) { // handoffs, consents, opt-outs and messages
			switch e.kc {
			case kHandoffRequested:
				handoff = true
			case kHandoffReleased:
				handoff = false
			case kConsentGiven:
				refused = nil
				cd := e.consent()
				if cd == nil || !strings.EqualFold(cd.Channel, "whatsapp") {
					continue
				}
				o.exercised++
				if w, ok := which(fold(cd.Wording), conditional...); ok {
					o.find(c.id, fmt.Sprintf("the opt-in is bundled with the service (%q)", w), e.Seq)
					continue
				}
				for j := i - 1; j >= 0; j-- {
					p := c.evs[j]
					if !p.accepted() || len(p.out().Buttons) == 0 {
						continue
					}
					if !has(fold(strings.Join(p.out().Buttons, "\n")), negativeOption...) {
						o.find(c.id, "the opt-in prompt offers no 'no' option", p.Seq, e.Seq)
					}
					break
				}
			case kConsentRefused, kConsentWithdrawn, kOptoutRequested:
				refused = e
			}
			if refused == nil || !e.isInbound() || e.Seq < refused.Seq || handoff {
				continue
			}
			if od := refused.optout(); od != nil && fold(strings.TrimSpace(od.Phrase)) == strings.TrimSpace(e.ft) {
				continue // the opt-out message itself
			}
			o.exercised++
			r := c.replies(i)
			if len(r) == 0 {
				o.find(c.id, "after the customer said no to marketing, a service message got no answer", refused.Seq, e.Seq)
				refused = nil
				continue
			}
			if w, ok := which(folded(r), refusesService...); ok {
				o.find(c.id, fmt.Sprintf("service is made conditional on marketing consent (%q)", w), refused.Seq, r[0].Seq)
				refused = nil
			}
		}
	})
	return o
}

func checkConsent02(v *View) (o outcome) {
	v.each(func(c *customer) {
		var given []*ev
		for _, e := range c.at(c.acts) {
			if e.kc == kConsentGiven && e.consent() != nil {
				given = append(given, e)
			}
		}
		if len(given) == 0 {
			return
		}
		for _, x := range v.exports(c) {
			if !x.e.accepted() || !x.readable && x.document {
				continue // a refused export demonstrates nothing to the customer
			}
			var before []*ev
			for _, g := range given {
				if g.Seq < x.e.Seq {
					before = append(before, g)
				}
			}
			if len(before) == 0 {
				continue
			}
			o.exercised++
			for _, g := range before {
				cd := g.consent()
				var missing []string
				if !strings.Contains(x.text, g.At.Format("2006-01-02")) && !strings.Contains(x.text, g.At.Format("02/01/2006")) {
					missing = append(missing, "its date")
				}
				if cd.Channel != "" && !has(x.text, fold(cd.Channel)) {
					missing = append(missing, "its channel")
				}
				if w := fold(strings.TrimSpace(cd.Wording)); w != "" && !strings.Contains(x.text, w) {
					missing = append(missing, "the wording shown")
				}
				if len(missing) > 0 {
					o.find(c.id, fmt.Sprintf("the customer's data export shows their %s opt-in without %s: the consent is not demonstrable",
						cd.Purpose, strings.Join(missing, ", ")), x.e.Seq, g.Seq)
					break
				}
			}
		}
	})
	if o.exercised == 0 {
		o.note("judged only through data exports: the assistant's consent ledger is not otherwise visible")
	}
	return o
}

// requests calls f for every data-protection request with the message that carried it.
func requests(v *View, rights string, f func(c *customer, e *ev, d *journal.DataRequestData, a int)) {
	v.each(func(c *customer) {
		for i, e := range c.at(c.reqs) {
			if d := e.dsr(); rights == "" || strings.Contains(rights, d.Right) {
				f(c, e, d, c.anchor(i, d.Wording))
			}
		}
	})
}

func checkDSR01(v *View) (o outcome) {
	hasTicket := matchOnce(ticketRe)
	requests(v, "", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		o.exercised++
		r := c.replies(a)
		if fb := c.fellBack(a); fb != nil {
			o.find(c.id, fmt.Sprintf("%s request %s got a generic fallback", d.Right, quote(d.Wording)), e.Seq, fb.Seq)
			return
		}
		if len(r) == 0 {
			o.find(c.id, fmt.Sprintf("%s request %s got no reply", d.Right, quote(d.Wording)), seqs(e, c.evs[a])...)
			return
		}
		t := strings.Join(strings.Split(folded(r), "\n"), " ")
		raw := ""
		for _, x := range r {
			raw += sentText(x.out()) + "\n"
		}
		var missing []string
		if !has(t, dsrAck...) && !has(t, done[d.Right]...) { // "we erased your data" acknowledges too
			missing = append(missing, "an acknowledgement")
		}
		if !hasTicket(raw) {
			missing = append(missing, "a reference number")
		}
		if len(missing) > 0 {
			o.find(c.id, fmt.Sprintf("%s request %s was answered without %s", d.Right, quote(d.Wording), strings.Join(missing, " and ")), seqs(e, r[0])...)
		}
	})
	return o
}

// fulfilment finds the act that fulfils a request after index a: an export for access and portability,
// a Dialogflow clean-up or a confirmation for erasure, a confirmation for the others.
func (v *View) fulfilment(c *customer, d *journal.DataRequestData, a int) *ev {
	if h, ok := c.handled[handlingKey{a, d.Right}]; ok {
		return h.fulfilment
	}
	return v.findFulfilment(c, d, a)
}

func (v *View) findFulfilment(c *customer, d *journal.DataRequestData, a int) *ev {
	for j := a + 1; j < len(c.evs); j++ {
		e := c.evs[j]
		switch d.Right {
		case "access", "portability":
			if e.accepted() && (e.out().Type == "document" || v.sendCarriesCanary(e)) {
				return e
			}
		case "erasure":
			if e.kc == kContextsDeleted {
				return e
			}
			fallthrough
		default:
			if e.accepted() && confirms(e, d.Right) {
				return e
			}
		}
	}
	return nil
}

// thread returns the sends that belong to a request's handling: the replies to the message that made it,
// later sends that quote its reference or speak of a request, and the send that fulfils it. Later
// unrelated chat ("puedes pagar con tarjeta") is left out, so it is not mistaken for a fee.
func (v *View) thread(c *customer, d *journal.DataRequestData, a int) []*ev {
	if h, ok := c.handled[handlingKey{a, d.Right}]; ok {
		return h.thread
	}
	return v.findThread(c, a, v.fulfilment(c, d, a))
}

// findThread is thread given the request's fulfilment f.
func (v *View) findThread(c *customer, a int, f *ev) []*ev {
	out := c.replies(a)
	ref := ""
	for _, x := range out {
		if ref = v.ticketRef(x); ref != "" {
			break
		}
	}
	last := a
	if len(out) > 0 {
		last = out[len(out)-1].ci()
	}
	for j := last + 1; j < len(c.evs); j++ {
		x := c.evs[j]
		if !x.accepted() {
			continue
		}
		if x == f || ref != "" && strings.Contains(x.ft, ref) || x.aboutRequests() {
			out = append(out, x)
		}
	}
	return out
}

// delays says whether folded text extends a request's deadline or announces an answer beyond a month.
func delays(t string) bool {
	return has(t, extension...) || has(t, answerWithin...) && has(t, beyondMonth...)
}

// confirms says whether a send confirms that a request for right was carried out.
func confirms(e *ev, right string) bool {
	k := slices.Index(rightsOrder, right)
	if k < 0 {
		return has(e.ft, done[right]...)
	}
	return e.memo(bitDone+k, func() bool { return has(e.ft, done[right]...) })
}

func checkDSR02(v *View) (o outcome) {
	requests(v, "", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		due := deadline(e.At, 1)
		judged := false
		after := v.thread(c, d, a)
		for _, x := range after {
			if x.fee() {
				judged = true
				o.find(c.id, fmt.Sprintf("the reply to a %s request mentions a fee; exercising rights is free (Art. 12(5))", d.Right), e.Seq, x.Seq)
				break
			}
		}
		for _, x := range after {
			t := x.ft
			if x.refusal() {
				judged = true
				o.find(c.id, fmt.Sprintf("the %s request was refused without mentioning the right to complain to the AEPD", d.Right), e.Seq, x.Seq)
			}
			if x.extension() && !x.At.After(due) {
				judged = true
				switch {
				case has(t, overlong...):
					o.find(c.id, fmt.Sprintf("the %s request's deadline was put beyond three months in total", d.Right), e.Seq, x.Seq)
				case !has(t, reasons...):
					o.find(c.id, fmt.Sprintf("the %s request's deadline was extended without giving reasons", d.Right), e.Seq, x.Seq)
				default:
					due = deadline(e.At, 3)
				}
				break
			}
		}
		f := v.fulfilment(c, d, a)
		switch {
		case f != nil && !f.At.After(due):
			judged = true
		case f != nil:
			judged = true
			o.find(c.id, fmt.Sprintf("the %s request was fulfilled %s after it was made (deadline %s)", d.Right, hours(f.At.Sub(e.At)), due.Format("2006-01-02")), e.Seq, f.Seq)
		case v.last.After(due):
			judged = true
			o.find(c.id, fmt.Sprintf("the %s request was not fulfilled within its deadline (%s)", d.Right, due.Format("2006-01-02")), e.Seq)
		default:
			o.note("a request's deadline had not passed when the journal ended and it was not yet fulfilled; not judged")
		}
		if judged {
			o.exercised++
		}
	})
	return o
}

func checkVerify01(v *View) (o outcome) {
	requests(v, "", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		o.exercised++
		for _, x := range v.thread(c, d, a) {
			if w, ok := which(x.ft, idDocument...); ok {
				o.find(c.id, fmt.Sprintf("identity is verified by asking for an ID document over WhatsApp (%q)", w), e.Seq, x.Seq)
				return
			}
		}
	})
	v.each(func(c *customer) {
		for _, x := range v.exports(c) {
			o.exercised++
			for _, ce := range v.canariesIn(x.text) {
				if ce.cust != c.id && !c.planted(ce.canary().Value) {
					o.find(c.id, fmt.Sprintf("a data export sent to this customer holds %s's data (%s %s)%s", ce.cust, ce.canary().Type, quote(ce.canary().Value), refusedNote(x.e)), x.e.Seq, ce.Seq)
					break
				}
			}
		}
	})
	return o
}

// expected returns the canary values the customer planted before index i and still holds: not erased by
// an earlier erasure request, not replaced by a rectification.
func (c *customer) expected(i int) []*ev { return c.expectedSince(i, time.Time{}) }

// expectedSince is expected without the canaries shared before since: data past the declared retention,
// which an export must no longer hold (GDPR-RET-01), so an access or portability export is not faulted
// for leaving them out.
func (c *customer) expectedSince(i int, since time.Time) []*ev {
	var out []*ev
	for j := 0; j < i && j < len(c.evs); j++ {
		e := c.evs[j]
		if d := e.dsr(); d != nil {
			switch d.Right {
			case "erasure":
				out = out[:0]
			case "rectification":
				old := d.Old
				if old == "" {
					old, _ = c.rectified(j, d.Wording)
				}
				for k := len(out) - 1; k >= 0; k-- {
					if old != "" && strings.EqualFold(out[k].canary().Value, old) {
						out = append(out[:k], out[k+1:]...)
					}
				}
			}
		}
		if e.canary() != nil && strings.TrimSpace(e.canary().Value) != "" && !e.At.Before(since) {
			out = append(out, e)
		}
	}
	return out
}

var (
	purposes  = []string{"finalidad", "finalidades", "fines", "para que", "purpose", "purposes"}
	retention = []string{"conservacion", "conservaremos", "conservamos", "conserva", "guardamos", "guardaremos", "cuanto tiempo",
		"plazo", "retention", "retain", "kept", "keep", "how long"}
	rights = []string{"derechos", "derecho", "rights"}
)

func checkAccess01(v *View) (o outcome) {
	requests(v, "access", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		f := v.fulfilment(c, d, a)
		if f == nil {
			if v.last.After(deadline(e.At, 1)) {
				o.exercised++
				o.find(c.id, "an access request got no copy of the data within a month", e.Seq)
			} else {
				o.note("an access request had no export yet when the journal ended; not judged")
			}
			return
		}
		x := v.exportOf(f)
		if x.document && !x.readable {
			o.note("an access export was sent as a document whose bytes were not recorded (media.uploaded); not judged")
			return
		}
		o.exercised++
		text := x.text + "\n" + folded(c.replies(f.ci())) + folded(c.replies(a))
		var missing []string
		for _, ce := range c.expectedSince(a, f.At.Add(-v.opts.Retention)) {
			if !containsValue(text, ce.canary().Value) {
				missing = append(missing, fmt.Sprintf("%s %s", ce.canary().Type, quote(ce.canary().Value)))
			}
		}
		if len(missing) > 3 {
			missing = append(missing[:3], fmt.Sprintf("%d more", len(missing)-3))
		}
		var info []string
		if !has(text, purposes...) {
			info = append(info, "purposes")
		}
		if !(has(text, processorsMeta...) && has(text, processorsGoog...)) {
			info = append(info, "recipients (Meta, Google)")
		}
		if !has(text, retention...) {
			info = append(info, "retention")
		}
		if !has(text, rights...) {
			info = append(info, "rights")
		}
		switch {
		case len(missing) > 0:
			o.find(c.id, "the access export leaves out data the customer shared: "+strings.Join(missing, ", "), e.Seq, f.Seq)
		case len(info) > 0:
			o.find(c.id, "the access export lacks the Art. 15(1) information: "+strings.Join(info, ", "), e.Seq, f.Seq)
		}
	})
	return o
}

func checkPort01(v *View) (o outcome) {
	requests(v, "portability", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		var docs []export
		for j := a + 1; j < len(c.evs); j++ {
			if x := c.evs[j]; x.accepted() && x.out().Type == "document" {
				docs = append(docs, v.exportOf(x))
			}
		}
		if len(docs) == 0 {
			if v.last.After(deadline(e.At, 1)) || slices.ContainsFunc(v.exports(c), func(x export) bool { return x.e.accepted() }) {
				o.exercised++
				o.find(c.id, "a portability request got no file (a machine-readable export is required)", e.Seq)
			} else {
				o.note("a portability request had no export yet when the journal ended; not judged")
			}
			return
		}
		o.exercised++
		var best *export
		for k := range docs {
			if machineReadable(docs[k].mime) {
				best = &docs[k]
				break
			}
		}
		if best == nil {
			o.find(c.id, fmt.Sprintf("the portability export is %s, not a machine-readable format (JSON, CSV, XML)", cmp.Or(docs[0].mime, "of unknown type")), e.Seq, docs[0].e.Seq)
			return
		}
		if !best.readable {
			o.note("a portability export's bytes were not recorded (media.uploaded); only its type was checked")
			return
		}
		if !best.parses {
			o.find(c.id, fmt.Sprintf("the portability export claims %s but does not parse", best.mime), e.Seq, best.e.Seq)
			return
		}
		for _, ce := range c.expectedSince(a, best.e.At.Add(-v.opts.Retention)) {
			if !containsValue(best.text, ce.canary().Value) {
				o.find(c.id, fmt.Sprintf("the portability export leaves out the customer's %s %s", ce.canary().Type, quote(ce.canary().Value)), e.Seq, best.e.Seq)
				return
			}
		}
	})
	return o
}

func checkErase01(v *View) (o outcome) {
	requests(v, "erasure", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		o.exercised++
		i := e.ci()
		old := map[string]bool{}
		for j := 0; j < i; j++ {
			if q := c.evs[j].di(); q != nil {
				old[q.SessionID] = true
			}
		}
		// The request itself is often sent to Dialogflow on the old session; reuse counts from the
		// customer's next message after it.
		start := c.nextInbound(max(a, i))
		planted := c.expected(i)
		cleared := map[string]*ev{}
		for j := i + 1; j < len(c.evs); j++ {
			x := c.evs[j]
			if cx := x.ctxs(); cx != nil && x.kc == kContextsDeleted {
				cleared[cx.SessionID] = x
			}
			if j < start {
				continue
			}
			if q := x.di(); q != nil {
				if old[q.SessionID] && cleared[q.SessionID] == nil {
					o.find(c.id, "after erasure, Dialogflow was queried on the customer's old session", e.Seq, x.Seq)
					return
				}
				for _, ce := range planted {
					if containsValue(fold(q.Text+"\n"+flattenParams(q.Parameters)), ce.canary().Value) && !c.replanted(ce, j) {
						o.find(c.id, fmt.Sprintf("after erasure, the customer's %s reached Dialogflow again", ce.canary().Type), e.Seq, x.Seq)
						return
					}
				}
			}
			if x.isOutbound() { // a refused export still shows the data was kept
				xt := v.exportOf(x)
				if xt.document && !xt.readable {
					o.note("an export was sent as a document whose bytes were not recorded (media.uploaded); its content was not judged")
				} else if xt.document || v.sendCarriesCanary(x) {
					for _, ce := range planted {
						if containsValue(xt.text, ce.canary().Value) && !c.replanted(ce, j) {
							o.find(c.id, fmt.Sprintf("after erasure, a data export still holds the customer's %s%s", ce.canary().Type, refusedNote(x)), e.Seq, x.Seq, ce.Seq)
							return
						}
					}
				}
			}
		}
		for _, s := range sortedKeys(old) {
			if cleared[s] == nil {
				o.find(c.id, fmt.Sprintf("the customer's Dialogflow session %s was never cleared after the erasure request (no DeleteAllContexts)", s), e.Seq)
				return
			}
		}
	})
	return o
}

// rectified finds the values a rectification request at index i replaces when the request does not say:
// the new value is a canary planted before it that its wording carries; the old one the latest earlier
// canary of the same type with another value.
func (c *customer) rectified(i int, wording string) (old, fresh string) {
	w := fold(wording)
	var nc *ev
	for j := i - 1; j >= 0; j-- {
		if cd := c.evs[j].canary(); cd != nil && containsValue(w, cd.Value) {
			nc = c.evs[j]
			break
		}
	}
	if nc == nil {
		return "", ""
	}
	for j := nc.ci() - 1; j >= 0; j-- {
		if cd := c.evs[j].canary(); cd != nil && cd.Type == nc.canary().Type && !strings.EqualFold(cd.Value, nc.canary().Value) {
			return cd.Value, nc.canary().Value
		}
	}
	return "", ""
}

// replanted says whether the customer shared the canary's value again between it and index j.
func (c *customer) replanted(ce *ev, j int) bool {
	for k := ce.ci() + 1; k < j && k < len(c.evs); k++ {
		if x := c.evs[k].canary(); x != nil && strings.EqualFold(x.Value, ce.canary().Value) {
			return true
		}
	}
	return false
}

// suppressed reports marketing attempts after a request that must stop marketing for good.
func suppressed(v *View, right, what string) (o outcome) {
	requests(v, right, func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		o.exercised++
		if m := c.marketingAfter(e.ci()); len(m) > 0 {
			o.find(c.id, fmt.Sprintf("marketing sent %s after the customer's %s request%s%s", hours(m[0].At.Sub(e.At)), d.Right, what, refusedNote(m[0])), e.Seq, m[0].Seq)
		}
	})
	return o
}

func checkErase02(v *View) outcome {
	return suppressed(v, "erasure", " (erasure must keep a suppression entry)")
}

func checkRect01(v *View) (o outcome) {
	requests(v, "rectification", func(c *customer, e *ev, req *journal.DataRequestData, a int) {
		d := *req
		if strings.TrimSpace(d.Old) == "" {
			d.Old, d.New = c.rectified(e.ci(), d.Wording)
		}
		if strings.TrimSpace(d.Old) == "" {
			o.note("a rectification request names no old value and none could be found among the canaries; not judged")
			return
		}
		o.exercised++
		start := c.nextInbound(max(a, e.ci()))
		for j := e.ci() + 1; j < len(c.evs); j++ {
			x := c.evs[j]
			if q := x.di(); q != nil && j >= start && containsValue(fold(flattenParams(q.Parameters)), d.Old) {
				o.find(c.id, fmt.Sprintf("after rectification, Dialogflow still receives the old value %s", quote(d.Old)), e.Seq, x.Seq)
				return
			}
			if x.isOutbound() {
				xt := v.exportOf(x)
				if !(xt.document || v.sendCarriesCanary(x)) {
					continue
				}
				if xt.document && !xt.readable {
					o.note("an export was sent as a document whose bytes were not recorded (media.uploaded); its content was not judged")
					continue
				}
				// The old value in an export, even a refused one, shows it was kept; the new one is owed to
				// the customer, so only an export WhatsApp took is faulted for lacking it.
				if containsValue(xt.text, d.Old) {
					o.find(c.id, fmt.Sprintf("after rectification, the export still shows the old value %s%s", quote(d.Old), refusedNote(x)), e.Seq, x.Seq)
					return
				}
				if x.accepted() && d.New != "" && !containsValue(xt.text, d.New) {
					o.find(c.id, fmt.Sprintf("after rectification, the export does not show the new value %s", quote(d.New)), e.Seq, x.Seq)
					return
				}
			}
		}
	})
	return o
}

func checkRestrict01(v *View) (o outcome) {
	o = suppressed(v, "restriction", " (processing is restricted)")
	requests(v, "restriction", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		start := c.nextInbound(max(a, e.ci()))
		planted := c.expected(e.ci())
		for j := start; j < len(c.evs); j++ {
			if q := c.evs[j].di(); q != nil {
				for _, ce := range planted {
					if containsValue(fold(flattenParams(q.Parameters)), ce.canary().Value) {
						o.find(c.id, fmt.Sprintf("while processing is restricted, the customer's %s is still processed by Dialogflow", ce.canary().Type), e.Seq, c.evs[j].Seq)
						return
					}
				}
			}
		}
	})
	if o.exercised > 0 {
		o.note("the notice before a restriction is lifted is not observable; not checked")
	}
	return o
}

func checkObject01(v *View) (o outcome) {
	o = suppressed(v, "objection", " (an objection to direct marketing is absolute)")
	requests(v, "objection", func(c *customer, e *ev, d *journal.DataRequestData, a int) {
		for _, x := range c.replies(a) {
			if w, ok := which(x.ft, retentionPitch...); ok {
				o.find(c.id, fmt.Sprintf("the objection was answered with a counter-offer or an 'are you sure' (%q)", w), e.Seq, x.Seq)
				return
			}
		}
	})
	return o
}

// nluTypes are the identifiers PII-NLU-01 forbids sending to Dialogflow raw. E-mail and phone are left
// out: an intent may need them.
var nluTypes = []pii.Type{pii.Card, pii.CVV, pii.IBAN, pii.DNI, pii.NIE, pii.NUSS, pii.Passport}

func checkNLU01(v *View) (o outcome) {
	for _, e := range v.evs {
		q := e.di()
		if q == nil || e.kc != kDetectIntent {
			continue
		}
		o.exercised++
		if ms := pii.Only(e.ids(), nluTypes...); len(ms) > 0 {
			o.find(e.cust, fmt.Sprintf("a raw %s reached Dialogflow (session %s); de-identify it first", ms[0].Type, q.SessionID), e.Seq)
		}
	}
	return o
}

var digitRun = regexp.MustCompile(`\d{8,}`)

func checkNLU02(v *View) (o outcome) {
	ids, tails := map[string]string{}, map[string]string{}
	for _, id := range v.order {
		d := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, id)
		if len(d) >= 9 {
			ids[d] = id
			tails[d[len(d)-9:]] = id
		}
	}
	seen := map[string]bool{}
	for _, e := range v.evs {
		q := e.di()
		if q == nil || seen[q.SessionID] {
			continue
		}
		seen[q.SessionID] = true
		o.exercised++
		sid := q.SessionID
		switch {
		case len(sid) > 36:
			o.find(e.cust, fmt.Sprintf("the Dialogflow session id is %d bytes (at most 36)", len(sid)), e.Seq)
		case emailRe.MatchString(sid):
			o.find(e.cust, "the Dialogflow session id contains an e-mail address", e.Seq)
		default:
			for _, run := range digitRun.FindAllString(sid, -1) {
				who := ids[run]
				if who == "" && len(run) >= 9 {
					who = tails[run[len(run)-9:]]
				}
				if who != "" {
					o.find(cmp.Or(e.cust, who), "the Dialogflow session id contains the customer's phone number; use a pseudonym", e.Seq)
					break
				}
			}
		}
	}
	return o
}

var location = regexp.MustCompile(`/locations/([^/]+)/`)

func checkProc01(v *View) (o outcome) {
	if strings.EqualFold(v.opts.DataRegion, "any") {
		o.note("no data region declared in Options; not judged")
		return o
	}
	seen := map[string]bool{}
	sessions := map[string]bool{} // a session's queries all go to its location: read it once
	for _, e := range v.evs {
		q := e.di()
		if q == nil || q.Session == "" || sessions[q.Session] {
			continue
		}
		sessions[q.Session] = true
		loc := "global"
		if m := location.FindStringSubmatch(q.Session); m != nil {
			loc = m[1]
		}
		if seen[loc] {
			continue
		}
		seen[loc] = true
		o.exercised++
		if strings.EqualFold(v.opts.DataRegion, "EU") && !strings.HasPrefix(loc, "europe-") && loc != "eu" {
			o.find(e.cust, fmt.Sprintf("Dialogflow is queried in location %q although the notice keeps data in the EU (a transfer)", loc), e.Seq)
		}
	}
	o.note("traffic to hosts other than the mocks (egress) is not observed; only the Dialogflow location is checked")
	return o
}

func checkRet01(v *View) (o outcome) {
	ret := v.opts.Retention
	v.each(func(c *customer) {
		for _, x := range v.exports(c) {
			if x.document && !x.readable {
				continue
			}
			cut := x.e.At.Add(-ret)
			var old []*ev
			for j := 0; j < x.e.ci(); j++ {
				e := c.evs[j]
				if e.At.Before(cut) && (e.canary() != nil || e.isInbound() && len([]rune(strings.TrimSpace(e.in().Text))) >= 12) {
					old = append(old, e)
				}
			}
			if len(old) == 0 {
				continue
			}
			o.exercised++
			for _, e := range old {
				val := ""
				if cd := e.canary(); cd != nil {
					val = cd.Value
				} else {
					val = e.in().Text
				}
				if containsValue(x.text, val) {
					o.find(c.id, fmt.Sprintf("an export on %s holds data the customer shared %s earlier, past the declared retention of %s%s",
						x.e.At.Format("2006-01-02"), hours(x.e.At.Sub(e.At)), hours(ret), refusedNote(x.e)), x.e.Seq, e.Seq)
					break
				}
			}
		}
	})
	if o.exercised > 0 {
		o.note("Dialogflow security settings (retention_window_days, redaction) are not modelled; only exports are checked")
	}
	return o
}

func checkCS01(v *View) (o outcome) {
	if v.opts.OutOfCustomerServiceLaw {
		o.note("Ley 10/2025 declared not applicable in Options; not judged")
		return o
	}
	hasTicket := matchOnce(ticketRe)
	// replyLanguage returns the language of the replies to the message at index i, and the first reply
	// (nil when there is none). The words of each distinct reply text were counted once (shareTextFacts).
	replyLanguage := func(c *customer, i int) (string, *ev) {
		es, en := 0, 0
		var first *ev
		for x := range c.eachReply(i) {
			if first == nil {
				first = x
			}
			es, en = es+v.texts[x.text].es, en+v.texts[x.text].en
		}
		return languageOf(es, en, 2), first
	}
	v.each(func(c *customer) {
		for i, e := range c.inbound() {
			if !e.complaint() { // the message's facts were computed in prepare
				in := e.language()
				if in == "" {
					continue
				}
				out, first := replyLanguage(c, i)
				if first == nil {
					continue
				}
				o.exercised++
				if out != "" && out != in {
					o.find(c.id, fmt.Sprintf("a message written in %s was answered in %s", langName(in), langName(out)), e.Seq, first.Seq)
				}
				continue
			}
			o.exercised++
			r := c.replies(i)
			if len(r) == 0 {
				o.find(c.id, "a complaint got no reply", e.Seq)
				continue
			}
			raw := ""
			for _, x := range r {
				raw += sentText(x.out()) + "\n"
			}
			if !hasTicket(raw) {
				o.find(c.id, "a complaint was answered without a tracking code", e.Seq, r[0].Seq)
				continue
			}
			if in, out := e.language(), language(fold(raw), 2); in != "" && out != "" && in != out {
				o.find(c.id, fmt.Sprintf("a complaint written in %s was answered in %s", langName(in), langName(out)), e.Seq, r[0].Seq)
			}
		}
	})
	return o
}

func langName(l string) string {
	if l == "es" {
		return "Spanish"
	}
	return "English"
}
