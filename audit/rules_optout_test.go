package audit

import (
	"time"

	"github.com/parley-dev/parley/journal"
)

// optoutCases are the table cases of the rules of opt-out and marketing: an opt-out is recognised and
// honoured, and marketing says what it is.
var optoutCases = []ruleCase{
	// WA-OPTOUT-01
	{rule: "WA-OPTOUT-01", name: "confirmation, then service replies when the customer writes again", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.optout(ana, "no quiero más mensajes")
		b.in(ana, "no quiero más mensajes")
		b.out(ana, "Hecho: te hemos dado de baja y no recibirás más promociones.")
		b.wait(40*day).in(ana, "¿dónde está mi pedido?")
		b.out(ana, "Tu pedido llega mañana.")
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-OPTOUT-01", name: "marketing 31 days after the opt-out", want: Broken, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		o := b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		b.out(ana, "Te hemos dado de baja.")
		return evid(b.wait(31*day).tpl(ana, "promo_verano", "MARKETING", promo), o)
	}},
	{rule: "WA-OPTOUT-01", name: "opt-out then re-opt-in re-enables marketing", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		b.out(ana, "Te hemos dado de baja.")
		b.wait(2*day).consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
	{rule: "WA-OPTOUT-01", name: "two messages after the opt-out", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "STOP")
		b.in(ana, "STOP")
		b.out(ana, "You are unsubscribed.")
		return evid(o, b.out(ana, "Anything else?"))
	}},

	// WA-OPTOUT-02
	{rule: "WA-OPTOUT-01", name: "after WhatsApp's own stop, the platform's refusal is WA-MKT-02's", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "whatsapp", "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?")
		b.ground(ana, journal.KindOptoutRequested, journal.OptoutData{Via: "whatsapp_stop", Phrase: "Stop promotions"})
		b.wait(25*time.Hour).tpl(ana, "promo_verano", "MARKETING", promo)
		b.add(journal.SourceWhatsApp, journal.KindStatusFailed, ana, journal.StatusData{Status: "failed", Recipient: ana, Code: 131050})
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-OPTOUT-02", name: "paraphrase confirmed", want: Passed, build: func(b *jb) []uint64 {
		b.optout(ana, "estoy en la lista Robinson, cesen el envío")
		b.in(ana, "estoy en la lista Robinson, cesen el envío")
		b.out(ana, "Entendido: te hemos dado de baja y no recibirás más mensajes promocionales.")
		return nil
	}},
	{rule: "WA-OPTOUT-02", name: "paraphrase answered with a request for details", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "no autorizo")
		b.in(ana, "no autorizo")
		return evid(o, b.out(ana, "¿Puedes dar más detalles?"))
	}},
	{rule: "WA-OPTOUT-02", name: "Dialogflow fallback", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "dejad de escribirme")
		b.in(ana, "dejad de escribirme")
		f := b.df("s1", "dejad de escribirme", nil, true)
		b.out(ana, "Perdona, no te he entendido.")
		return evid(o, f)
	}},
	{rule: "WA-OPTOUT-02", name: "no reply", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "UNSUBSCRIBE")
		return evid(o, b.in(ana, "UNSUBSCRIBE"))
	}},
	{rule: "WA-OPTOUT-02", name: "WhatsApp's own stop button is not judged", want: NotExercised, build: func(b *jb) []uint64 {
		b.ground(ana, journal.KindOptoutRequested, journal.OptoutData{Via: "whatsapp_stop"})
		return nil
	}},

	// WA-OPTOUT-03
	{rule: "WA-OPTOUT-03", name: "plain confirmation", want: Passed, build: func(b *jb) []uint64 {
		b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		b.out(ana, "Te hemos dado de baja. No recibirás más ofertas.")
		return nil
	}},
	{rule: "WA-OPTOUT-03", name: "retention pitch and confirmation loop", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		return evid(o, b.out(ana, "¡Antes de irte! Te ofrecemos un 30% de descuento. ¿Estás seguro? Responde BAJA de nuevo."))
	}},
	{rule: "WA-OPTOUT-03", name: "stay for a discount, in English", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "stop messaging me")
		b.in(ana, "stop messaging me")
		return evid(o, b.out(ana, "Wait! Stay and get 15% off your next purchase. To confirm, reply STOP CONFIRM."))
	}},
	{rule: "WA-OPTOUT-03", name: "a campaign a month later is not the opt-out's reply", want: Passed, build: func(b *jb) []uint64 {
		b.optout(ana, "no quiero más mensajes")
		b.in(ana, "no quiero más mensajes")
		b.out(ana, "Te hemos dado de baja.")
		b.wait(31*day).tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
	{rule: "WA-OPTOUT-03", name: "redirect to the web", want: Broken, build: func(b *jb) []uint64 {
		o := b.optout(ana, "BAJA")
		b.in(ana, "BAJA")
		return evid(o, b.out(ana, "Gestiona tus preferencias en https://tienda.example/preferencias"))
	}},

	// WA-MKT-01
	{rule: "WA-MKT-01", name: "marketing template with business and opt-out button", want: Passed, build: func(b *jb) []uint64 {
		b.tpl(ana, "promo_verano", "MARKETING", "Tienda Ejemplo: rebajas de verano", "Baja")
		return nil
	}},
	{rule: "WA-MKT-01", name: "business name and opt-out in the template's footer", want: Passed, build: func(b *jb) []uint64 {
		b.send(ana, journal.OutboundData{Type: "template", Template: "promo_verano", Category: "MARKETING", Header: "¡Rebajas de verano!",
			Text: "Hola Ana, este verano tienes un 20 % de descuento.", Footer: "Tienda Ejemplo · Responde Baja para no recibir más promociones"})
		return nil
	}},
	{rule: "WA-MKT-01", name: "template without the business anywhere", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.send(ana, journal.OutboundData{Type: "template", Template: "promo_verano", Category: "MARKETING", Header: "¡Rebajas de verano!",
			Text: "Hola Ana, este verano tienes un 20 % de descuento.", Footer: "Responde Baja para no recibir más promociones"}))
	}},
	{rule: "WA-MKT-01", name: "free-form promotion without business or opt-out", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "¡Solo hoy 30% de descuento en todo!"))
	}},
	{rule: "WA-MKT-01", name: "the welcome and its privacy notice are not marketing", want: NotExercised, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "WA-MKT-01", name: "a utility reply is not marketing", want: NotExercised, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Tu pedido llega mañana.")
		return nil
	}},

	// WA-MKT-02
	{rule: "WA-MKT-02", name: "131050 then no more marketing", want: Passed, build: func(b *jb) []uint64 {
		b.refused(ana, journal.OutboundData{Type: "template", Template: "promo_verano", Category: "MARKETING", Code: 131050})
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-MKT-02", name: "WhatsApp's stop honoured without any attempt", want: Passed, build: func(b *jb) []uint64 {
		b.ground(ana, journal.KindOptoutRequested, journal.OptoutData{Via: "whatsapp_stop", Phrase: "Stop promotions"})
		b.wait(25*time.Hour).tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-MKT-02", name: "marketing after 131050", want: Broken, build: func(b *jb) []uint64 {
		s := b.refused(ana, journal.OutboundData{Type: "template", Template: "promo_verano", Category: "MARKETING", Code: 131050})
		return evid(b.wait(day).tpl(ana, "promo_otono", "MARKETING", promo), s)
	}},
	{rule: "WA-MKT-02", name: "retry within 24h of a 131049 status", want: Broken, build: func(b *jb) []uint64 {
		b.send(ana, journal.OutboundData{ID: "wamid.1", Type: "template", Template: "promo_verano", Category: "MARKETING"})
		f := b.add(journal.SourceWhatsApp, journal.KindStatusFailed, ana, journal.StatusData{ID: "wamid.1", Status: "failed", Recipient: ana, Code: 131049})
		return evid(b.wait(time.Hour).tpl(ana, "promo_verano", "MARKETING", promo), f)
	}},
	{rule: "WA-MKT-02", name: "retry 25h after a 131049", want: Passed, build: func(b *jb) []uint64 {
		b.refused(ana, journal.OutboundData{Type: "template", Template: "promo_verano", Category: "MARKETING", Code: 131049})
		b.wait(25*time.Hour).tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
}
