package audit

import "github.com/parley-dev/parley/journal"

// requestCases are the table cases of the rules of data-protection requests: recognised, answered in time
// and free, with the identity checked, and each right carried out.
var requestCases = []ruleCase{
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
}
