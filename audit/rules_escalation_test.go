package audit

import "github.com/parley-dev/parley/journal"

// escalationCases are the table cases of the rules of escalation: a way to a person, and a bot that keeps
// quiet while one has the conversation.
var escalationCases = []ruleCase{
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
	{rule: "WA-ESC-02", name: "handoff announced in other English words, bot answers on", want: Broken, build: func(b *jb) []uint64 {
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "can I speak to someone"})
		b.say(ana, "s1", "can I speak to someone")
		b.out(ana, "Sure, I'm handing you over to a colleague now.")
		b.in(ana, "hello?")
		return evid(h, b.df("s1", "hello?", nil, false))
	}},
	{rule: "WA-ESC-02", name: "handoff announced with a colleague in Spanish, bot answers on", want: Broken, build: func(b *jb) []uint64 {
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "quiero hablar con alguien"})
		b.say(ana, "s1", "quiero hablar con alguien")
		b.out(ana, "Te derivo a un compañero, enseguida te escribe.")
		b.in(ana, "¿hola?")
		return evid(h, b.df("s1", "¿hola?", nil, false))
	}},
	{rule: "WA-ESC-02", name: "bot keeps querying Dialogflow during the handoff", want: Broken, build: func(b *jb) []uint64 {
		h := b.ground(ana, journal.KindHandoffRequested, journal.HandoffData{Phrase: "AGENTE"})
		b.say(ana, "s1", "AGENTE")
		b.out(ana, "Te paso con una persona.")
		b.in(ana, "¿sigues ahí?")
		return evid(h, b.df("s1", "¿sigues ahí?", nil, false))
	}},
}
