package audit

// processingCases are the table cases of the rules of how data are kept and processed: consent on record,
// identifiers kept from Dialogflow, declared processors, retention.
var processingCases = []ruleCase{
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
}
