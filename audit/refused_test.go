package audit

import (
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// refusedCases are sends WhatsApp refused. A rule that forbids sending something judges the attempt, and
// its finding says the send was refused; a rule that requires the customer to be told or given something
// is not satisfied by a refused send; a refusal that is the platform's own enforcement of a customer's
// choice in WhatsApp is the rule about that signal's, not the one about the choice (audit's package doc,
// Decisions).
var refusedCases = []ruleCase{
	// Prohibitions: the attempt is the violation.
	{rule: "WA-OPTOUT-01", name: "marketing after the opt-out, refused for its parameters", want: Broken,
		says: "marketing sent 31 days after the customer opted out (refused by WhatsApp: 132000 Number of parameters", build: func(b *jb) []uint64 {
			b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
			o := b.optout(ana, "BAJA")
			b.in(ana, "BAJA")
			b.out(ana, "Te hemos dado de baja.")
			return evid(b.wait(31*day).refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000), o)
		}},
	{rule: "WA-OPTOUT-01", name: "a business-initiated template after the opt-out, refused", want: Broken,
		says: `template "pedido_enviado" sent after the customer opted out (refused by WhatsApp: 132000`, build: func(b *jb) []uint64 {
			o := b.optout(ana, "BAJA")
			b.in(ana, "BAJA")
			b.out(ana, "Te hemos dado de baja.")
			return evid(b.wait(31*day).refusedTpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido", 132000), o)
		}},
	{rule: "WA-OPTOUT-01", name: "a confirmation refused and sent again is one confirmation", want: Passed, build: func(b *jb) []uint64 {
		b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		b.refusedText(ana, "Te hemos dado de baja.", 130429)
		b.out(ana, "Te hemos dado de baja.")
		return nil
	}},
	{rule: "WA-OPTOUT-01", name: "a second message after the opt-out counts though refused", want: Broken, says: "refused by WhatsApp", build: func(b *jb) []uint64 {
		o := b.optout(ana, "STOP")
		b.in(ana, "STOP")
		b.out(ana, "You are unsubscribed.")
		return evid(o, b.refusedText(ana, "Anything else?", 130429))
	}},
	{rule: "WA-OPTIN-01", name: "marketing without opt-in, refused for its parameters", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		b.in(ana, "Hola")
		return evid(b.wait(25*time.Hour).refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000))
	}},
	{rule: "WA-OPTIN-03", name: "an opt-in without wording relied on by a refused template", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		c := b.consent(ana, "marketing", "atm", "")
		return evid(b.refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000), c)
	}},
	{rule: "WA-WINDOW-01", name: "free-form outside the window, refused with 131047", want: Broken, says: "(refused by WhatsApp: 131047", build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.wait(25*time.Hour).refusedText(ana, "¿Sigues ahí?", 131047))
	}},
	{rule: "WA-TPL-01", name: "a discount in a utility template, refused for its parameters", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		return evid(b.refusedTpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido. ¡20% de descuento en tu próxima compra!", 132000))
	}},
	{rule: "WA-MKT-01", name: "a marketing template without business or opt-out, refused", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		return evid(b.refusedTpl(ana, "promo_flash", "MARKETING", "¡Solo hoy 30% de descuento en todo!", 132000))
	}},
	{rule: "WA-MKT-02", name: "marketing after a 131050, refused for its parameters", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		s := b.refusedTpl(ana, "promo_verano", "MARKETING", promo, 131050)
		return evid(b.wait(day).refusedTpl(ana, "promo_otono", "MARKETING", promo, 132000), s)
	}},
	{rule: "WA-SENS-01", name: "asks for the card number outside the window, refused", want: Broken, says: "(refused by WhatsApp: 131047", build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.wait(25*time.Hour).refusedText(ana, "Para localizar el pedido, envíanos el número de tarjeta con el que pagaste.", 131047))
	}},
	{rule: "WA-SENS-02", name: "IBAN echoed in full, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		i := b.in(ana, "mi cuenta es "+iban)
		return evid(b.refusedText(ana, "Hemos guardado tu cuenta "+iban, 130429), i)
	}},
	{rule: "WA-XCUST-01", name: "another customer's order, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		c := b.canary(ana, "order", "PED-771234")
		b.in(ana, "mi pedido es PED-771234")
		b.in(ben, "¿mi pedido?")
		return evid(b.refusedText(ben, "Tu pedido PED-771234 llega mañana.", 130429), c)
	}},
	{rule: "GDPR-ERASE-01", name: "an export after erasure still holds the data, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		c := b.canary(ana, "name", "Lucía Canario")
		b.say(ana, "s1", "hola, soy Lucía Canario")
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.say(ana, "s1", "borrad mis datos")
		b.cleared("s1")
		b.out(ana, "Hemos suprimido tus datos. Ref DSR-9.")
		b.say(ana, "s2", "¿me mandáis lo que tenéis de mí?")
		return evid(d, c, b.refusedDoc(ana, "m1", "application/json", "d.json", `{"nombre":"Lucía Canario"}`, 130429))
	}},
	{rule: "GDPR-ERASE-02", name: "marketing after erasure, refused", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "erasure", "borrad mis datos")
		return evid(d, b.wait(31*day).refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000))
	}},
	{rule: "GDPR-RESTRICT-01", name: "marketing while restricted, refused", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "restriction", "limitad el tratamiento")
		return evid(d, b.refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000))
	}},
	{rule: "GDPR-OBJECT-01", name: "marketing after objection, refused", want: Broken, says: "(refused by WhatsApp: 132000", build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "objection", "me opongo a la publicidad")
		return evid(d, b.wait(40*day).refusedTpl(ana, "promo_verano", "MARKETING", promo, 132000))
	}},
	{rule: "GDPR-RECT-01", name: "an export keeps the old value, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.old@example.com")
		d := b.ground(ana, journal.KindDataRequest, journal.DataRequestData{Right: "rectification", Wording: "mi email ha cambiado", Old: "ana.old@example.com", New: "ana.new@example.com"})
		b.in(ana, "mi email ha cambiado")
		return evid(d, b.refusedDoc(ana, "m1", "application/json", "d.json", `{"email":"ana.old@example.com"}`, 130429))
	}},
	{rule: "GDPR-VERIFY-01", name: "another customer's data exported, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		c := b.canary(ana, "email", "ana.canary+01@example.com")
		b.dsr(ben, "access", "datos del 34600000001")
		b.in(ben, "datos del 34600000001")
		return evid(b.refusedDoc(ben, "m1", "application/json", "datos.json", `{"email":"ana.canary+01@example.com"}`, 130429), c)
	}},
	{rule: "GDPR-RET-01", name: "an export holds data past 90 days, refused", want: Broken, says: "(refused by WhatsApp: 130429", build: func(b *jb) []uint64 {
		c := b.canary(ana, "order", "PED-771234")
		b.wait(100*day).dsr(ana, "access", "quiero mis datos")
		return evid(b.refusedDoc(ana, "m1", "application/json", "d.json", `{"pedidos":["PED-771234"]}`, 130429), c)
	}},

	// The platform's own enforcement of the customer's choice in WhatsApp.
	{rule: "WA-OPTOUT-01", name: "after WhatsApp's own stop, a refused 131050 is WA-MKT-02's", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "whatsapp", "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?")
		b.ground(ana, journal.KindOptoutRequested, journal.OptoutData{Via: "whatsapp_stop", Phrase: "Stop promotions"})
		b.wait(25*time.Hour).refusedTpl(ana, "promo_verano", "MARKETING", promo, 131050)
		return nil
	}},

	// Obligations: a refused send tells or gives the customer nothing.
	{rule: "GDPR-ACCESS-01", name: "a refused export is no copy of the data", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "name", "Lucía Canario")
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.refusedDoc(ana, "m1", "application/json", "d.json", `{"nombre":"Lucía Canario"}`, 130429)
		b.wait(40*day).in(ana, "¿y mis datos?")
		return evid(d)
	}},
	{rule: "GDPR-PORT-01", name: "a refused file is no file", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "portability", "quiero mis datos en un fichero")
		b.in(ana, "quiero mis datos en un fichero")
		b.refusedDoc(ana, "m1", "application/json", "d.json", `{"nombre":"Lucía Canario"}`, 130429)
		b.wait(40*day).in(ana, "¿y el fichero?")
		return evid(d)
	}},
	{rule: "GDPR-PORT-01", name: "a refused file before the deadline is not yet judged", want: NotExercised, build: func(b *jb) []uint64 {
		b.dsr(ana, "portability", "quiero mis datos en un fichero")
		b.in(ana, "quiero mis datos en un fichero")
		b.refusedDoc(ana, "m1", "application/json", "d.json", `{"nombre":"Lucía Canario"}`, 130429)
		return nil
	}},
	{rule: "GDPR-CONSENT-02", name: "a refused export demonstrates nothing", want: NotExercised, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.refusedDoc(ana, "m1", "application/json", "d.json", `{"consentimientos":[]}`, 130429)
		return nil
	}},
	{rule: "WA-OPTOUT-02", name: "a refused confirmation is no reply", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "BAJA")
		i := b.in(ana, "BAJA")
		b.refusedText(ana, "Te hemos dado de baja.", 130429)
		return evid(o, i)
	}},
}

// TestRefusedSends: rules judge what the assistant tried to send (refusedCases). The whole catalogue
// also runs over each case's journal, concurrently as Run does: no rule may panic on a refused send, and
// under -race a fact of one computed lazily while another rule reads it may show here.
func TestRefusedSends(t *testing.T) {
	runRuleCases(t, refusedCases)
	for _, tc := range refusedCases {
		b := newJ()
		tc.build(b)
		Run(b.evs, tc.opts)
	}
}
