package audit

import (
	"time"

	"github.com/parley-dev/parley/journal"
)

// optinCases are the table cases of the rules of opt-in: a business-initiated message needs an opt-in, the
// in-chat prompt says what it is for, and an opt-in taken elsewhere is recorded.
var optinCases = []ruleCase{
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
	{rule: "WA-OPTIN-03", name: "a later opt-in refused by the hook, a campaign on the earlier valid one", want: Passed, build: func(b *jb) []uint64 {
		b.consent(ana, "marketing", "web", "Acepto recibir ofertas de Tienda Ejemplo por WhatsApp")
		b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "consent", Status: 200})
		b.consent(ana, "marketing", "sms", "")
		b.add(journal.SourceHarness, journal.KindHookCalled, ana, journal.HookData{Hook: "consent", Status: 422})
		b.tpl(ana, "promo_verano", "MARKETING", promo)
		return nil
	}},
}
