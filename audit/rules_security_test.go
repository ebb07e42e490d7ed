package audit

import "github.com/parley-dev/parley/journal"

// securityCases are the table cases of the rules of sensitive data and security: no asking for or echoing
// identifiers, authentic webhooks over TLS, nothing of one customer reaching another.
var securityCases = []ruleCase{
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
}
