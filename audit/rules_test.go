package audit

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/journal"
)

// ruleCase is one hand-built journal and what one rule must decide about it. For Broken, build returns
// the seqs the first finding must cite.
type ruleCase struct {
	rule, name string
	opts       Options
	want       Status
	build      func(b *jb) []uint64
	says       string // for Broken, when set: what the first finding's explanation must say
}

const (
	card  = "4111111111111111"
	iban  = "ES9121000418450200051332"
	dni   = "12345678Z"
	promo = "Tienda Ejemplo: 20 % de descuento este verano. Responde BAJA para no recibir más."
	day   = 24 * time.Hour
)

func evid(s ...uint64) []uint64 { return s }

var ruleCases = []ruleCase{
	// WA-OPTIN-01
	{rule: "WA-OPTIN-01", name: "reply inside a conversation the customer started needs no opt-in", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "¿Dónde está mi pedido?")
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-OPTIN-01", name: "chat once, 25h later a template without opt-in", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "Hola")
		return evid(b.wait(25*time.Hour).tpl(ana, "promo_verano", "MARKETING", promo, "Baja"))
	}},
	{rule: "WA-OPTIN-01", name: "web opt-in before a marketing template", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp")
		b.tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
	{rule: "WA-OPTIN-01", name: "notifications opt-in does not cover marketing", want: Broken, build: func(b *jb) []uint64 {
		b.consent(ana, "notifications", "web", "Acepto avisos de mis pedidos de Tienda Ejemplo por WhatsApp")
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return evid(b.tpl(ana, "promo_verano", "MARKETING", promo))
	}},
	{rule: "WA-OPTIN-01", name: "a campaign asked of the assistant, rightly sent to nobody", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		b.ground(ana, journal.KindConsentRefused, journal.ConsentData{Purpose: "marketing", Channel: "whatsapp"})
		b.wait(25*time.Hour).add(journal.SourceHarness, journal.KindHookCalled, "", journal.HookData{Hook: "campaign", Status: 202})
		return nil
	}},
	{rule: "WA-OPTIN-01", name: "no template at all", want: NotExercised, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},

	// WA-OPTIN-02
	{rule: "WA-OPTIN-02", name: "prompt names business, WhatsApp and category", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?", "Sí", "No")
		b.in(ana, "Sí")
		b.consent(ana, "marketing", "whatsapp", "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?")
		return nil
	}},
	{rule: "WA-OPTIN-02", name: "prompt without business or WhatsApp", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "¿Quieres recibir ofertas?", "Sí", "No"))
	}},
	{rule: "WA-OPTIN-02", name: "vague prompt", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "¿Te apuntas a nuestras ofertas? 😊"))
	}},
	{rule: "WA-OPTIN-02", name: "consent wording recorded by the customer lacks WhatsApp", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.consent(ana, "marketing", "whatsapp", "Acepto ofertas de Tienda Ejemplo"))
	}},

	// WA-OPTIN-03
	{rule: "WA-OPTIN-03", name: "web opt-in with channel and wording, then a template", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp")
		b.tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
	{rule: "WA-OPTIN-03", name: "opt-in without wording, marketed on", want: Broken, build: func(b *jb) []uint64 {
		c := b.consent(ana, "marketing", "atm", "")
		return evid(b.tpl(ana, "promo_verano", "MARKETING", promo), c)
	}},
	{rule: "WA-OPTIN-03", name: "opt-in without wording accepted by the hook", want: Broken, build: func(b *jb) []uint64 {
		c := b.consent(ana, "marketing", "sms", "")
		return evid(c, b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "consent", Status: 200}))
	}},
	{rule: "WA-OPTIN-03", name: "opt-in without wording refused by the hook", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "sms", "")
		b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "consent", Status: 422})
		return nil
	}},

	// WA-WINDOW-01
	{rule: "WA-WINDOW-01", name: "exactly 24h after the last message is inside", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.wait(day).out(ana, "Tu pedido ha salido")
		return nil
	}},
	{rule: "WA-WINDOW-01", name: "one second past 24h", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.wait(day+time.Second).out(ana, "Tu pedido ha salido"))
	}},
	{rule: "WA-WINDOW-01", name: "refused 131047 attempt still counts", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.refused(ana, journal.OutboundData{Type: "text", Text: "hola", Code: 131047}))
	}},
	{rule: "WA-WINDOW-01", name: "template outside the window is not this rule's", want: NotExercised, build: func(b *jb) []uint64 {
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},

	// WA-TPL-01
	{rule: "WA-TPL-01", name: "utility template with utility content", want: Passed, build: func(b *jb) []uint64 {
		b.tpl(ana, "pedido_enviado", "UTILITY", "Hola Ana, tu pedido 1234 ha salido.")
		return nil
	}},
	{rule: "WA-TPL-01", name: "discount inside a utility template", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido. ¡20% de descuento en tu próxima compra!"))
	}},
	{rule: "WA-TPL-01", name: "unknown template refused", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.refused(ana, journal.OutboundData{Type: "template", Template: "nope", Code: 132001}))
	}},
	{rule: "WA-TPL-01", name: "not in the approved registry", opts: Options{ApprovedTemplates: map[string]string{"pedido_enviado": "UTILITY"}}, want: Broken, build: func(b *jb) []uint64 {
		return evid(b.tpl(ana, "otra", "UTILITY", "hola"))
	}},

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

	// WA-ESC-01
	{rule: "WA-ESC-01", name: "welcome says how and a request is transferred", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "quiero hablar con una persona"})
		b.in(ana, "quiero hablar con una persona")
		b.out(ana, "Te paso con un agente de Tienda Ejemplo.")
		return nil
	}},
	{rule: "WA-ESC-01", name: "reply journalled before the delivered message (placed at its webhook POST)", want: Passed, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{RefID: "wamid.A", Attempt: 1, Status: 200, Signed: true})
		b.out(ana, welcomeText)
		b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ana, journal.InboundData{ID: "wamid.A", Type: "text", Text: "hola", Status: 200, Attempts: 1})
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{RefID: "wamid.B", Attempt: 1, Status: 200, Signed: true})
		b.out(ana, "Te paso con una persona.")
		b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ana, journal.InboundData{ID: "wamid.B", Type: "text", Text: "quiero hablar con una persona", Status: 200, Attempts: 1})
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "quiero hablar con una persona"})
		return nil
	}},
	{rule: "WA-ESC-01", name: "inbound.sent journals the message before the webhook", want: Passed, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindInboundSent, ana, journal.InboundData{ID: "wamid.A", Type: "text", Text: "hola"})
		b.out(ana, welcomeText)
		b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ana, journal.InboundData{ID: "wamid.A", Type: "text", Text: "hola", Status: 200, Attempts: 1})
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "AGENTE"})
		b.add(journal.SourceWhatsApp, journal.KindInboundSent, ana, journal.InboundData{ID: "wamid.B", Type: "text", Text: "AGENTE"})
		b.out(ana, "Te paso con una persona.")
		b.add(journal.SourceWhatsApp, journal.KindInboundDelivered, ana, journal.InboundData{ID: "wamid.B", Type: "text", Text: "AGENTE", Status: 200, Attempts: 1})
		return nil
	}},
	{rule: "WA-ESC-01", name: "canned reply to a request for a person", want: Broken, build: func(b *jb) []uint64 {
		b.greet(ana)
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "talk to someone"})
		b.in(ana, "talk to someone")
		return evid(h, b.out(ana, "I can help you with anything!"))
	}},
	{rule: "WA-ESC-01", name: "social links only", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "hola")
		return evid(i, b.out(ana, "Hola, soy el bot. Síguenos en https://instagram.com/tienda"))
	}},

	// WA-ESC-02
	{rule: "WA-ESC-02", name: "silent while the person has the chat, back after release", want: Passed, build: func(b *jb) []uint64 {
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "AGENTE"})
		b.say(ana, "s1", "AGENTE")
		b.out(ana, "Te paso con una persona.")
		b.in(ana, "¿sigues ahí?")
		b.ground(ana, journal.KindHandoffReleased, nil)
		b.say(ana, "s1", "gracias por todo")
		return nil
	}},
	{rule: "WA-ESC-02", name: "released through the handoff/release hook", want: Passed, build: func(b *jb) []uint64 {
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "quiero hablar con una persona"})
		b.say(ana, "s1", "quiero hablar con una persona")
		b.out(ana, "Te paso con una persona.")
		b.in(ana, "¿hola? ¿hay alguien?")
		b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "handoff/release", Status: 200})
		b.say(ana, "s1", "¿Dónde está mi pedido TE-1001?")
		return nil
	}},
	// No handoff was announced (the refusal is WA-ESC-01's finding): the bot answering on is not a bot
	// talking over a person.
	{rule: "WA-ESC-02", name: "request refused, no handoff to stay quiet for", want: NotExercised, build: func(b *jb) []uint64 {
		b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "quiero hablar con una persona"})
		b.say(ana, "s1", "quiero hablar con una persona")
		b.out(ana, "¡Puedo ayudarte con cualquier cosa! Cuéntame qué necesitas.")
		b.in(ana, "¿hola? ¿hay alguien?")
		b.df("s1", "¿hola? ¿hay alguien?", nil, false)
		return nil
	}},
	{rule: "WA-ESC-02", name: "handoff announced in English, bot answers on", want: Broken, build: func(b *jb) []uint64 {
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "I want to talk to a human"})
		b.say(ana, "s1", "I want to talk to a human")
		b.out(ana, "I'm passing you to a person from our team; they will answer in this same chat.")
		b.in(ana, "hello?")
		return evid(h, b.df("s1", "hello?", nil, false))
	}},
	{rule: "WA-ESC-02", name: "bot keeps querying Dialogflow during the handoff", want: Broken, build: func(b *jb) []uint64 {
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "AGENTE"})
		b.say(ana, "s1", "AGENTE")
		b.out(ana, "Te paso con una persona.")
		b.in(ana, "¿sigues ahí?")
		return evid(h, b.df("s1", "¿sigues ahí?", nil, false))
	}},

	// WA-SENS-01
	{rule: "WA-SENS-01", name: "last four digits are fine, a warning is fine", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Indícanos los últimos 4 dígitos de la tarjeta con la que pagaste. Nunca te pediremos tu contraseña.")
		return nil
	}},
	{rule: "WA-SENS-01", name: "asks for the full card number", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "Para localizar el pedido, envíanos el número de tarjeta con el que pagaste."))
	}},
	{rule: "WA-SENS-01", name: "asks for the full number of the card, in Spanish", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "¿Dónde está mi pedido?")
		return evid(b.out(ana, "Para localizar tu pedido, indícame el número completo de la tarjeta con la que pagaste."))
	}},
	{rule: "WA-SENS-01", name: "asks for the full number of the card, in English", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "where is my order?")
		return evid(b.out(ana, "To find your order, please send me the full number of the card you paid with."))
	}},
	{rule: "WA-SENS-01", name: "a warning never to share identifiers or ID photos", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Aviso de privacidad: por favor, no compartas por aquí tarjetas, IBAN, DNI ni contraseñas: nunca te los pediremos.")
		b.out(ana, "Por seguridad, no envíes fotos de documentos de identidad ni de tarjetas.")
		b.out(ana, "Dime el número de tu pedido (empieza por TE-, por ejemplo TE-12345).")
		return nil
	}},
	{rule: "WA-SENS-01", name: "asks for a photo of the ID", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "Mándanos una foto del DNI por aquí."))
	}},

	// WA-SENS-02
	{rule: "WA-SENS-02", name: "card masked in the reply", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "pagué con la "+card)
		b.out(ana, "Gracias, tarjeta **** 1111 registrada.")
		return nil
	}},
	{rule: "WA-SENS-02", name: "a card ending quoted back is fine", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "mi tarjeta es "+card)
		b.out(ana, "Usaremos la tarjeta terminada en 1111.")
		return nil
	}},
	{rule: "WA-SENS-02", name: "DNI echoed with separators", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "DNI "+dni)
		return evid(b.out(ana, "Tu DNI 12.345.678-Z queda registrado."), i)
	}},
	{rule: "WA-SENS-02", name: "IBAN echoed in full", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "mi cuenta es "+iban)
		return evid(b.out(ana, "Hemos guardado tu cuenta "+iban), i)
	}},

	// WA-SEC-01
	{rule: "WA-SEC-01", name: "unsigned webhook refused", want: Passed, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "https://bot/webhook", Attempt: 1, Status: 401})
		return nil
	}},
	{rule: "WA-SEC-01", name: "unsigned webhook accepted", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "https://bot/webhook", Attempt: 1, Status: 200}))
	}},
	{rule: "WA-SEC-01", name: "signed webhooks only", want: NotExercised, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "https://bot/webhook", Attempt: 1, Status: 200, Signed: true})
		return nil
	}},

	// WA-SEC-02
	{rule: "WA-SEC-02", name: "plain HTTP in an embedded run is informational", want: Passed, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "http://127.0.0.1:8080/webhook", Status: 200, Signed: true})
		return nil
	}},
	{rule: "WA-SEC-02", name: "plain HTTP when certifying a deployed URL", opts: Options{CertifyDeployed: true}, want: Broken, build: func(b *jb) []uint64 {
		return evid(b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "http://bot.example/webhook", Status: 200, Signed: true}))
	}},
	{rule: "WA-SEC-02", name: "TLS 1.0 accepted", opts: Options{CertifyDeployed: true}, want: Broken, build: func(b *jb) []uint64 {
		b.add(journal.SourceWhatsApp, journal.KindWebhookAttempt, ana, journal.WebhookAttemptData{URL: "https://bot.example/webhook", Status: 200, Signed: true})
		return evid(b.add(journal.SourceHarness, journal.KindTLSProbe, "", journal.TLSProbeData{URL: "https://bot.example/webhook", Version: "1.0", Accepted: true}))
	}},
	{rule: "WA-SEC-02", name: "TLS 1.1 refused", opts: Options{CertifyDeployed: true}, want: Passed, build: func(b *jb) []uint64 {
		b.add(journal.SourceHarness, journal.KindTLSProbe, "", journal.TLSProbeData{URL: "https://bot.example/webhook", Version: "1.1"})
		return nil
	}},

	// WA-XCUST-01
	{rule: "WA-XCUST-01", name: "each customer sees only their own order", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "order", "PED-771234")
		b.in(ana, "mi pedido es PED-771234")
		b.out(ana, "Tu pedido PED-771234 llega mañana.")
		b.canary(ben, "order", "PED-889900")
		b.in(ben, "¿mi pedido?")
		b.out(ben, "¿Me dices el número de pedido?")
		return nil
	}},
	{rule: "WA-XCUST-01", name: "another customer's order in the reply", want: Broken, build: func(b *jb) []uint64 {
		c := b.canary(ana, "order", "PED-771234")
		b.in(ana, "mi pedido es PED-771234")
		b.in(ben, "¿mi pedido?")
		return evid(b.out(ben, "Tu pedido PED-771234 llega mañana."), c)
	}},

	{rule: "WA-XCUST-01", name: "another customer's order code, never planted as a canary", want: Broken, build: func(b *jb) []uint64 {
		b.greet(ana)
		b.greet(ben)
		i := b.in(ana, "¿dónde está mi pedido TE-1001?")
		b.out(ana, "Pedido TE-1001: enviado.")
		b.in(ben, "¿y mi pedido?")
		return evid(b.out(ben, "Pedido TE-1001: enviado."), i)
	}},
	{rule: "WA-XCUST-01", name: "an order the business notified for this customer, also written by another", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		b.in(ana, "¿dónde está mi pedido TE-1001?")
		b.out(ana, "Pedido TE-1001: enviado.")
		b.add(journal.SourceHarness, journal.KindHookCalled, ben, journal.HookData{Hook: "notify", Order: "TE-1001", Status: 200})
		b.tpl(ben, "envio_pedido", "UTILITY", "Tu pedido TE-1001 ha salido.")
		return nil
	}},
	{rule: "WA-XCUST-01", name: "each customer's own codes, and the business's e-mail quoted by a customer", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Escríbenos a privacidad@tiendaejemplo.es")
		b.in(ana, "ya escribí a privacidad@tiendaejemplo.es por mi pedido TE-1001")
		b.out(ana, "Pedido TE-1001: enviado.")
		b.in(ben, "hola")
		b.out(ben, "Escríbenos a privacidad@tiendaejemplo.es")
		b.in(ben, "¿y mi pedido TE-1003?")
		b.out(ben, "Pedido TE-1003: entregado.")
		return nil
	}},

	// AI-DISC-01
	{rule: "AI-DISC-01", name: "virtual assistant disclosed", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "AI-DISC-01", name: "greets as a person", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "¡Hola! Soy Laura, ¿en qué te ayudo?"))
	}},
	{rule: "AI-DISC-01", name: "no conversation", want: NotExercised, build: func(b *jb) []uint64 {
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},

	// GDPR-NOTICE-01
	{rule: "GDPR-NOTICE-01", name: "layered notice in the welcome", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "GDPR-NOTICE-01", name: "no notice", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "Hola, soy el asistente virtual de Tienda Ejemplo."))
	}},
	{rule: "GDPR-NOTICE-01", name: "notice in the second message counts", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Hola, soy el asistente virtual.")
		b.out(ana, welcomeText)
		return nil
	}},

	// PRIV-3P-01
	{rule: "PRIV-3P-01", name: "Meta and Google named", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "PRIV-3P-01", name: "processors not named", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.out(ana, "Hola, soy el asistente de Tienda Ejemplo. Privacidad: https://tienda.example/privacidad"))
	}},
	{rule: "PRIV-3P-01", name: "full notice names them", opts: Options{PrivacyNotice: "Encargados: Meta Platforms Ireland (WhatsApp) y Google Cloud (Dialogflow)."}, want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "Hola. Privacidad: https://tienda.example/privacidad")
		return nil
	}},

	// PRIV-JIT-01
	{rule: "PRIV-JIT-01", name: "reminder when the DNI is shared", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "mi DNI es "+dni)
		b.out(ana, "Gracias. Recuerda: trata tus datos personales con cuidado; más en nuestra política de privacidad.")
		return nil
	}},
	{rule: "PRIV-JIT-01", name: "no reminder", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "mi DNI es "+dni)
		return evid(i, b.out(ana, "Gracias, ya lo tengo."))
	}},
	{rule: "PRIV-JIT-01", name: "a wrong check letter is not a DNI", want: NotExercised, build: func(b *jb) []uint64 {
		b.in(ana, "mi DNI es 12345678A")
		b.out(ana, "Gracias.")
		return nil
	}},

	// GDPR-CONSENT-01
	{rule: "GDPR-CONSENT-01", name: "after no to offers, service continues", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		b.out(ana, "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?", "Sí", "No")
		b.in(ana, "No")
		b.ground(ana, journal.KindConsentRefused, journal.ConsentData{Purpose: "marketing", Channel: "whatsapp"})
		b.out(ana, "De acuerdo.")
		b.in(ana, "¿dónde está mi pedido?")
		b.out(ana, "Llega mañana.")
		return nil
	}},
	{rule: "GDPR-CONSENT-01", name: "service refused after no", want: Broken, build: func(b *jb) []uint64 {
		r := b.ground(ana, journal.KindConsentRefused, journal.ConsentData{Purpose: "marketing", Channel: "whatsapp"})
		b.in(ana, "¿dónde está mi pedido?")
		return evid(r, b.out(ana, "Para poder ayudarte, primero acepta recibir nuestras ofertas."))
	}},
	{rule: "GDPR-CONSENT-01", name: "prompt without a no", want: Broken, build: func(b *jb) []uint64 {
		p := b.out(ana, "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?", "Sí", "Más tarde")
		b.in(ana, "Sí")
		return evid(p, b.consent(ana, "marketing", "whatsapp", "¿Quieres recibir ofertas de Tienda Ejemplo por WhatsApp?"))
	}},

	// GDPR-DSR-01
	{rule: "GDPR-DSR-01", name: "acknowledged with a reference", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Hemos recibido tu solicitud de supresión. Referencia: DSR-1042.")
		return nil
	}},
	{rule: "GDPR-DSR-01", name: "erasure done at once, with a reference", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "erasure", "delete my data")
		b.in(ana, "delete my data")
		b.out(ana, "We erased your data: conversation, profile, consents and the assistant session. Reference: DSR-7GVB6MBJ.")
		return nil
	}},
	{rule: "GDPR-DSR-01", name: "a reference without digits", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "objection", "me opongo a que uséis mis datos para publicidad")
		b.in(ana, "me opongo a que uséis mis datos para publicidad")
		b.out(ana, "Hecho: no volveremos a usar tus datos para publicidad. Tu oposición queda registrada con la referencia DSR-KQXMZTAB.")
		return nil
	}},
	{rule: "GDPR-DSR-01", name: "send an e-mail, no reference", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "access", "¿qué datos tenéis de mí?")
		b.in(ana, "¿qué datos tenéis de mí?")
		return evid(d, b.out(ana, "Escribe a privacidad@tienda.example."))
	}},
	{rule: "GDPR-DSR-01", name: "fallback", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "erasure", "forget me")
		b.in(ana, "forget me")
		f := b.df("s1", "forget me", nil, true)
		b.out(ana, "Sorry, I didn't get that.")
		return evid(d, f)
	}},

	// GDPR-DSR-02
	{rule: "GDPR-DSR-02", name: "erasure fulfilled in a week", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Solicitud DSR-1 registrada.")
		b.wait(7*day).out(ana, "Hemos suprimido tus datos.")
		return nil
	}},
	{rule: "GDPR-DSR-02", name: "nothing after 31 days", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Solicitud DSR-1 registrada.")
		b.wait(32*day).in(ana, "¿y bien?")
		return evid(d)
	}},
	{rule: "GDPR-DSR-02", name: "fee asked", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.out(ana, "La copia tiene una tasa de 10 euros."))
	}},
	{rule: "GDPR-DSR-02", name: "extension without reasons", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.out(ana, "Necesitaremos tres meses para responder."))
	}},
	{rule: "GDPR-DSR-02", name: "later chat about paying for an order is not a fee", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Solicitud DSR-1 registrada.")
		b.in(ana, "¿cómo pago el pedido?")
		b.out(ana, "Puedes pagar con tarjeta o Bizum.")
		b.wait(3*day).out(ana, "Hemos suprimido tus datos (DSR-1).")
		return nil
	}},
	{rule: "GDPR-DSR-02", name: "extension with reasons, fulfilled in month two", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.out(ana, "Solicitud DSR-2 registrada.")
		b.wait(20*day).out(ana, "DSR-2: debido a la complejidad de tu solicitud ampliamos el plazo dos meses.")
		b.wait(30*day).canary(ana, "order", "PED-1")
		b.doc(ana, "m1", "application/json", "d.json", `{"pedidos":["PED-1"]}`)
		return nil
	}},
	{rule: "GDPR-DSR-02", name: "fulfilled after 40 days", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Solicitud DSR-1 registrada.")
		return evid(d, b.wait(40*day).out(ana, "Hemos suprimido tus datos."))
	}},
	{rule: "GDPR-DSR-02", name: "refusal without the AEPD", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		return evid(d, b.out(ana, "No podemos atender tu solicitud DSR-1."))
	}},
	{rule: "GDPR-DSR-02", name: "fee and a three-month delay, in the reference's words", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.out(ana, "Tu solicitud tiene la referencia DSR-7K2M9QXA. La gestión tiene un coste de 10 € y la atenderemos en un plazo de tres meses."))
	}},
	{rule: "GDPR-DSR-02", name: "a retention period in the erasure confirmation is not a delay", want: Passed, build: func(b *jb) []uint64 {
		b.dsr(ana, "erasure", "borrad mis datos")
		b.in(ana, "borrad mis datos")
		b.out(ana, "Hemos borrado tus datos. Referencia: DSR-ABCDEFGH. Guardamos 90 días un registro cifrado de tu número para no enviarte publicidad.")
		return nil
	}},
	{rule: "GDPR-DSR-02", name: "deadline not reached yet", want: NotExercised, build: func(b *jb) []uint64 {
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.out(ana, "Solicitud DSR-1 registrada.")
		return nil
	}},

	// GDPR-VERIFY-01
	{rule: "GDPR-VERIFY-01", name: "export to the data subject", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.doc(ana, "m1", "application/json", "datos.json", `{"email":"ana.canary+01@example.com"}`)
		return nil
	}},
	{rule: "GDPR-VERIFY-01", name: "another customer's data exported", want: Broken, build: func(b *jb) []uint64 {
		c := b.canary(ana, "email", "ana.canary+01@example.com")
		b.dsr(ben, "access", "datos del 34600000001")
		b.in(ben, "datos del 34600000001")
		return evid(b.doc(ben, "m1", "application/json", "datos.json", `{"email":"ana.canary+01@example.com"}`), c)
	}},
	{rule: "GDPR-VERIFY-01", name: "asks for a photo of the ID", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.out(ana, "Para verificarte, envía una foto del DNI."))
	}},

	// GDPR-ACCESS-01
	{rule: "GDPR-ACCESS-01", name: "complete export", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "name", "Lucía Canario")
		b.canary(ana, "order", "PED-771234")
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.doc(ana, "m1", "application/json", "datos.json", `{"nombre":"Lucía Canario","pedidos":["PED-771234"],"finalidades":"atención al cliente","destinatarios":"Meta (WhatsApp), Google (Dialogflow)","plazo de conservación":"90 días","derechos":"acceso, supresión, oposición"}`)
		return nil
	}},
	{rule: "GDPR-ACCESS-01", name: "profile only", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "name", "Lucía Canario")
		b.canary(ana, "order", "PED-771234")
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.doc(ana, "m1", "application/json", "datos.json", `{"nombre":"Lucía Canario"}`))
	}},

	// Data past the declared retention must be gone (GDPR-RET-01), so the export is not faulted for it.
	{rule: "GDPR-ACCESS-01", name: "data past retention left out", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "name", "Lucía Canario")
		b.wait(100*day).canary(ana, "order", "PED-998877")
		b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		b.doc(ana, "m1", "application/json", "datos.json", `{"pedidos":["PED-998877"],"finalidades":"atención al cliente","destinatarios":"Meta (WhatsApp), Google (Dialogflow)","plazo de conservación":"90 días","derechos":"acceso, supresión, oposición"}`)
		return nil
	}},
	{rule: "GDPR-ACCESS-01", name: "recent data left out, old data purged", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "name", "Lucía Canario")
		b.wait(100*day).canary(ana, "order", "PED-998877")
		d := b.dsr(ana, "access", "quiero mis datos")
		b.in(ana, "quiero mis datos")
		return evid(d, b.doc(ana, "m1", "application/json", "datos.json", `{"finalidades":"atención al cliente","destinatarios":"Meta (WhatsApp), Google (Dialogflow)","plazo de conservación":"90 días","derechos":"acceso, supresión, oposición"}`))
	}},

	// GDPR-PORT-01
	{rule: "GDPR-PORT-01", name: "JSON export", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		b.doc(ana, "m1", "application/json", "datos.json", `{"email":"ana.canary+01@example.com"}`)
		return nil
	}},
	{rule: "GDPR-PORT-01", name: "PDF only", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		d := b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		return evid(d, b.doc(ana, "m1", "application/pdf", "datos.pdf", "%PDF-1.4 ana.canary+01@example.com"))
	}},
	// WhatsApp carries no application/json documents: JSON goes as text/plain under a .json name.
	{rule: "GDPR-PORT-01", name: "JSON sent as text/plain named .json", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		b.doc(ana, "m1", "text/plain", "datos.json", `{"email":"ana.canary+01@example.com"}`)
		return nil
	}},
	{rule: "GDPR-PORT-01", name: "text/plain named .json that does not parse", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		d := b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		return evid(d, b.doc(ana, "m1", "text/plain", "datos.json", `email: ana.canary+01@example.com`))
	}},
	{rule: "GDPR-PORT-01", name: "plain text named .txt", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.canary+01@example.com")
		d := b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		return evid(d, b.doc(ana, "m1", "text/plain", "datos.txt", `{"email":"ana.canary+01@example.com"}`))
	}},
	{rule: "GDPR-PORT-01", name: "JSON that does not parse", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "portability", "exportar mis datos")
		b.in(ana, "exportar mis datos")
		return evid(d, b.doc(ana, "m1", "application/json", "datos.json", `{"email":`))
	}},

	// GDPR-ERASE-01
	{rule: "GDPR-ERASE-01", name: "contexts deleted, new session afterwards", want: Passed, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "hola, soy Lucía Canario")
		b.dsr(ana, "erasure", "borrad mis datos")
		b.say(ana, "s1", "borrad mis datos")
		b.cleared("s1")
		b.out(ana, "Hemos suprimido tus datos. Ref DSR-9.")
		b.say(ana, "s2", "¿tenéis tiendas en Madrid?")
		return nil
	}},
	{rule: "GDPR-ERASE-01", name: "old session reused, never cleared", want: Broken, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "hola, soy Lucía Canario")
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.say(ana, "s1", "borrad mis datos")
		b.out(ana, "Hemos suprimido tus datos.")
		b.in(ana, "¿tenéis tiendas en Madrid?")
		return evid(d, b.df("s1", "¿tenéis tiendas en Madrid?", nil, false))
	}},
	{rule: "GDPR-ERASE-01", name: "never cleared, customer silent", want: Broken, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "hola, soy Lucía Canario")
		d := b.dsr(ana, "erasure", "borrad mis datos")
		b.say(ana, "s1", "borrad mis datos")
		b.out(ana, "Hemos suprimido tus datos.")
		return evid(d)
	}},

	// GDPR-ERASE-02
	{rule: "GDPR-ERASE-02", name: "a utility template after erasure is fine", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "erasure", "borrad mis datos")
		b.wait(31*day).tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "GDPR-ERASE-02", name: "campaigns resume after erasure", want: Broken, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "erasure", "borrad mis datos")
		return evid(d, b.wait(31*day).tpl(ana, "promo_verano", "MARKETING", promo))
	}},

	// GDPR-RECT-01
	{rule: "GDPR-RECT-01", name: "export shows the new value", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.old@example.com")
		b.ground(ana, journal.KindDataRequest, journal.DataRequestData{Right: "rectification", Wording: "mi email ha cambiado", Old: "ana.old@example.com", New: "ana.new@example.com"})
		b.in(ana, "mi email ha cambiado")
		b.dsr(ana, "access", "quiero mis datos")
		b.doc(ana, "m1", "application/json", "d.json", `{"email":"ana.new@example.com"}`)
		return nil
	}},
	{rule: "GDPR-RECT-01", name: "values found from the canaries, export keeps the old one", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "lucia.old@example.com")
		b.in(ana, "mi email es lucia.old@example.com")
		b.canary(ana, "email", "lucia.new@example.com")
		d := b.dsr(ana, "rectification", "mi email ha cambiado, ahora es lucia.new@example.com")
		b.in(ana, "mi email ha cambiado, ahora es lucia.new@example.com")
		b.dsr(ana, "access", "quiero una copia de mis datos")
		return evid(d, b.doc(ana, "m1", "application/json", "d.json", `{"email":"lucia.old@example.com"}`))
	}},
	{rule: "GDPR-RECT-01", name: "values found from the canaries, export has the new one", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "lucia.old@example.com")
		b.canary(ana, "email", "lucia.new@example.com")
		b.dsr(ana, "rectification", "mi email ha cambiado, ahora es lucia.new@example.com")
		b.dsr(ana, "access", "quiero una copia de mis datos")
		b.doc(ana, "m1", "application/json", "d.json", `{"email":"lucia.new@example.com"}`)
		return nil
	}},
	{rule: "GDPR-RECT-01", name: "a document whose bytes were not recorded is not judged", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "lucia.old@example.com")
		b.canary(ana, "email", "lucia.new@example.com")
		b.dsr(ana, "rectification", "mi email ha cambiado, ahora es lucia.new@example.com")
		b.send(ana, journal.OutboundData{Type: "document", MediaID: "never-uploaded", Filename: "datos.json"})
		return nil
	}},
	{rule: "GDPR-RECT-01", name: "export keeps the old value", want: Broken, build: func(b *jb) []uint64 {
		b.canary(ana, "email", "ana.old@example.com")
		d := b.ground(ana, journal.KindDataRequest, journal.DataRequestData{Right: "rectification", Wording: "mi email ha cambiado", Old: "ana.old@example.com", New: "ana.new@example.com"})
		b.in(ana, "mi email ha cambiado")
		return evid(d, b.doc(ana, "m1", "application/json", "d.json", `{"email":"ana.old@example.com"}`))
	}},

	// GDPR-RESTRICT-01
	{rule: "GDPR-RESTRICT-01", name: "no marketing while restricted", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "restriction", "limitad el tratamiento")
		b.tpl(ana, "pedido_enviado", "UTILITY", "Tu pedido ha salido")
		return nil
	}},
	{rule: "GDPR-RESTRICT-01", name: "marketing while restricted", want: Broken, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "restriction", "limitad el tratamiento")
		return evid(d, b.tpl(ana, "promo_verano", "MARKETING", promo))
	}},

	// GDPR-OBJECT-01
	{rule: "GDPR-OBJECT-01", name: "confirmed, no more marketing", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "objection", "me opongo a la publicidad")
		b.in(ana, "me opongo a la publicidad")
		b.out(ana, "Registrada tu oposición: no usaremos tus datos para publicidad. Ref OPO-12.")
		return nil
	}},
	{rule: "GDPR-OBJECT-01", name: "counter-offer", want: Broken, build: func(b *jb) []uint64 {
		d := b.dsr(ana, "objection", "me opongo a la publicidad")
		b.in(ana, "me opongo a la publicidad")
		return evid(d, b.out(ana, "¿Estás seguro? Te ofrecemos un cupón de 10 €."))
	}},
	{rule: "GDPR-OBJECT-01", name: "marketing after objection", want: Broken, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		d := b.dsr(ana, "objection", "me opongo a la publicidad")
		return evid(d, b.wait(40*day).tpl(ana, "promo_verano", "MARKETING", promo))
	}},

	// GDPR-CONSENT-02
	{rule: "GDPR-CONSENT-02", name: "export shows the consent record", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "access", "quiero mis datos")
		b.doc(ana, "m1", "application/json", "d.json", `{"consentimientos":[{"fecha":"2026-03-02T09:00:00Z","canal":"web","texto":"Acepto ofertas de Tienda Ejemplo por WhatsApp"}]}`)
		return nil
	}},
	{rule: "GDPR-CONSENT-02", name: "export's consent has no channel or wording", want: Broken, build: func(b *jb) []uint64 {
		c := b.consent(ana, "marketing", "web", "Acepto ofertas de Tienda Ejemplo por WhatsApp")
		b.dsr(ana, "access", "quiero mis datos")
		return evid(b.doc(ana, "m1", "application/json", "d.json", `{"consentimientos":[{"fecha":"2026-03-02","marketing":true}]}`), c)
	}},

	// PII-NLU-01
	{rule: "PII-NLU-01", name: "DLP placeholder reaches Dialogflow", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "mi DNI es "+dni)
		b.deid("mi DNI es "+dni, "mi DNI es [SPAIN_DNI_NUMBER]")
		b.df("s1", "mi DNI es [SPAIN_DNI_NUMBER]", nil, false)
		return nil
	}},
	{rule: "PII-NLU-01", name: "raw card number in a parameter", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "pago con "+card)
		return evid(b.df("s1", "pago con [CARD]", map[string]any{"card": card}, false))
	}},
	{rule: "PII-NLU-01", name: "the last four digits of a card are not a card number", want: Passed, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "pagué con la tarjeta acabada en 1111")
		return nil
	}},
	{rule: "PII-NLU-01", name: "a DNI with a wrong letter is not a DNI", want: Passed, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "mi DNI es 12345678A")
		return nil
	}},
	{rule: "PII-NLU-01", name: "raw DNI in the text", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "mi DNI es "+dni)
		return evid(b.df("s1", "mi DNI es "+dni, nil, false))
	}},
	{rule: "PII-NLU-01", name: "an e-mail may reach Dialogflow", want: Passed, build: func(b *jb) []uint64 {
		b.say(ana, "s1", "mi email es ana@example.com")
		return nil
	}},

	// PII-NLU-02
	{rule: "PII-NLU-02", name: "hashed session id", want: Passed, build: func(b *jb) []uint64 {
		b.say(ana, "3f9a1c0d5e7b2a4c", "hola")
		return nil
	}},
	{rule: "PII-NLU-02", name: "phone number as session id", want: Broken, build: func(b *jb) []uint64 {
		b.in(ana, "hola")
		return evid(b.df("wa-"+ana, "hola", nil, false))
	}},
	{rule: "PII-NLU-02", name: "session id too long", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.df("0123456789abcdef0123456789abcdef01234", "hola", nil, false))
	}},

	// GDPR-PROC-01
	{rule: "GDPR-PROC-01", name: "europe-west1", want: Passed, build: func(b *jb) []uint64 {
		b.df("s1", "hola", nil, false)
		return nil
	}},
	{rule: "GDPR-PROC-01", name: "global location", want: Broken, build: func(b *jb) []uint64 {
		return evid(b.dfAt("projects/p/agent/sessions/s1", "hola"))
	}},
	{rule: "GDPR-PROC-01", name: "no region declared", opts: Options{DataRegion: "any"}, want: NotExercised, build: func(b *jb) []uint64 {
		b.dfAt("projects/p/agent/sessions/s1", "hola")
		return nil
	}},

	// GDPR-RET-01
	{rule: "GDPR-RET-01", name: "old data purged from the export", want: Passed, build: func(b *jb) []uint64 {
		b.canary(ana, "order", "PED-771234")
		b.wait(100*day).canary(ana, "order", "PED-998877")
		b.dsr(ana, "access", "quiero mis datos")
		b.doc(ana, "m1", "application/json", "d.json", `{"pedidos":["PED-998877"]}`)
		return nil
	}},
	{rule: "GDPR-RET-01", name: "export holds data past 90 days", want: Broken, build: func(b *jb) []uint64 {
		c := b.canary(ana, "order", "PED-771234")
		b.wait(100*day).dsr(ana, "access", "quiero mis datos")
		return evid(b.doc(ana, "m1", "application/json", "d.json", `{"pedidos":["PED-771234"]}`), c)
	}},

	// ES-CS-01
	{rule: "ES-CS-01", name: "complaint in English, answered in English with a code", want: Passed, build: func(b *jb) []uint64 {
		b.in(ana, "I want to file a complaint, my order has not arrived")
		b.out(ana, "We are sorry. Your complaint is registered with tracking code REC-2026-0007.")
		return nil
	}},
	{rule: "ES-CS-01", name: "complaint in English answered in Spanish", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "I want to file a complaint, my order has not arrived")
		return evid(i, b.out(ana, "Lo sentimos, hemos registrado tu queja con el código REC-2026-0007."))
	}},
	{rule: "ES-CS-01", name: "no tracking code", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "Quiero poner una queja")
		return evid(i, b.out(ana, "Lo sentimos mucho."))
	}},
	{rule: "ES-CS-01", name: "an English greeting answered in Spanish", want: Broken, build: func(b *jb) []uint64 {
		i := b.in(ana, "Hello there")
		return evid(i, b.out(ana, welcomeText))
	}},
	{rule: "ES-CS-01", name: "a Spanish greeting answered in Spanish", want: Passed, build: func(b *jb) []uint64 {
		b.greet(ana)
		return nil
	}},
	{rule: "ES-CS-01", name: "out of scope", opts: Options{OutOfCustomerServiceLaw: true}, want: NotExercised, build: func(b *jb) []uint64 {
		b.in(ana, "Quiero poner una queja")
		b.out(ana, "Lo sentimos mucho.")
		return nil
	}},
}

func TestRules(t *testing.T) {
	runRuleCases(t, ruleCases)
}

// runRuleCases checks each case's rule alone over its journal: the status, and for Broken the evidence
// and the explanation of the first finding.
func runRuleCases(t *testing.T, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			r, ok := Lookup(tc.rule)
			if !ok {
				t.Fatalf("no rule %s in the catalogue", tc.rule)
			}
			b := newJ()
			want := tc.build(b)
			rep := RunRules([]Rule{r}, b.evs, tc.opts)
			res := rep.Results[0]
			if res.Status != tc.want {
				t.Fatalf("status %s, want %s; findings %+v; notes %v; unjudged %v", res.Status, tc.want, res.Findings, res.Notes, rep.Unjudged)
			}
			if tc.want != Broken {
				for _, f := range res.Findings {
					if f.Severity != SeverityInfo {
						t.Errorf("unexpected finding %+v", f)
					}
				}
				return
			}
			f := res.Findings[0]
			slices.Sort(want)
			if !slices.Equal(f.Seqs, want) {
				t.Errorf("evidence %v, want %v (%s)", f.Seqs, want, f.Explanation)
			}
			if f.Rule != tc.rule || f.Explanation == "" {
				t.Errorf("finding %+v: wrong rule or no explanation", f)
			}
			if !strings.Contains(f.Explanation, tc.says) {
				t.Errorf("explanation %q does not say %q", f.Explanation, tc.says)
			}
		})
	}
}

// TestEveryRuleHasCases fails when a catalogue rule lacks a passing or a failing table case, so a rule
// cannot be added without tests.
func TestEveryRuleHasCases(t *testing.T) {
	pass, fail := map[string]bool{}, map[string]bool{}
	for _, tc := range ruleCases {
		switch tc.want {
		case Passed:
			pass[tc.rule] = true
		case Broken:
			fail[tc.rule] = true
		}
	}
	for _, r := range Catalogue() {
		if !pass[r.ID] || !fail[r.ID] {
			t.Errorf("%s: passing case %v, failing case %v", r.ID, pass[r.ID], fail[r.ID])
		}
	}
}
