package audit

import (
	"strings"

	"github.com/parley-dev/parley/journal"
)

// acmeNotice is a full, correct first-contact notice of another business, in its own words.
const acmeNotice = "Hi! This is Zapatos Acme S.L.'s automated assistant. We handle your data to answer you; " +
	"Meta (WhatsApp) and Google (Dialogflow) process it for us. Full policy: https://zapatosacme.example/privacidad\n" +
	"You have the right of access, rectification and erasure of your data.\n" +
	"You can object to marketing at any time."

// noticeCases are the table cases of the rules of what the customer is told: an automated assistant, the
// privacy notice and its reminders, and marketing consent apart from the service.
var noticeCases = []ruleCase{
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

	{rule: "GDPR-NOTICE-01", name: "another business's notice names its controller", want: Passed,
		opts: Options{Business: "Zapatos Acme", Controller: "Zapatos Acme S.L.", PrivacyURL: "https://zapatosacme.example/privacidad"},
		build: func(b *jb) []uint64 {
			b.in(ana, "hola")
			b.out(ana, acmeNotice)
			return nil
		}},
	{rule: "GDPR-NOTICE-01", name: "the controller's name alone identifies the business", want: Passed,
		opts: Options{Business: "Acme Shoes", Controller: "Zapatos Acme S.L.", PrivacyURL: "https://zapatosacme.example/privacidad"},
		build: func(b *jb) []uint64 {
			b.in(ana, "hola")
			b.out(ana, acmeNotice)
			return nil
		}},
	{rule: "GDPR-NOTICE-01", name: "another business's notice under the default business", want: Broken, says: "Tienda Ejemplo",
		build: func(b *jb) []uint64 {
			b.in(ana, "hola")
			return evid(b.out(ana, acmeNotice))
		}},
	{rule: "GDPR-NOTICE-01", name: "a notice naming neither business nor controller", want: Broken, says: "business or controller name",
		opts: Options{Business: "Zapatos Acme", Controller: "Zapatos Acme S.L."},
		build: func(b *jb) []uint64 {
			b.in(ana, "hola")
			return evid(b.out(ana, strings.ReplaceAll(acmeNotice, "Zapatos Acme S.L.", "nosotros")))
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
}
