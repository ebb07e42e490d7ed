package steps

import "strings"

// Arg says what a step takes besides its text.
type Arg string

// The extra arguments a step may take.
const (
	ArgNone      Arg = ""
	ArgTable     Arg = "table"
	ArgDocString Arg = "doc string"
)

// Def is one step of the library, in English and in Spanish. Both regexes are anchored and call the same
// function; the examples are real step texts that the regexes match (a test checks it), and they are
// what docs/steps.md shows and what an unknown step is compared with.
type Def struct {
	Keyword string // the keyword it usually follows: Given, When or Then (any keyword matches)
	EN, ES  string // anchored regular expressions
	ExEN    string // an English example
	ExES    string // a Spanish example
	Arg     Arg
	Doc     string // what it does, in a sentence
	// Alone says the step changes what every scenario sees (the simulated clock, a campaign to every
	// customer, a fault in a mock all scenarios share) or involves a customer other scenarios share (the
	// test data's): a scenario with it plays alone (RunsAlone).
	Alone bool
	// Waits says the step makes its scenario wait on the wall clock for a while (a delay put in a mock, or
	// sends refused with a rate limit, after which an assistant backs off): a run starts such scenarios
	// before the others (Waits), so that their waiting overlaps the others' work instead of ending the run.
	Waits bool
	fn    any

	who      int  // the capture group that names a customer (1-based), 0 when none
	declares bool // the step introduces the customer it names
}

// Defs is the step library, in the order the steps are registered.
func Defs() []Def {
	defs := []Def{
		// Customers.
		{Keyword: "Given",
			EN:   `^a customer "([^"]+)" with phone "([^"]+)" who speaks (Spanish|English)$`,
			ES:   `^una? cliente "([^"]+)" con teléfono "([^"]+)" que habla (español|inglés)$`,
			ExEN: `a customer "Lucía" with phone "+34 612 345 678" who speaks Spanish`,
			ExES: `un cliente "Lucía" con teléfono "+34 612 345 678" que habla español`,
			Doc:  "A new simulated customer with a WhatsApp number, new to the assistant. Names are how later steps refer to them.",
			fn:   newCustomer, declares: true},
		{Keyword: "Given",
			EN:   `^"([^"]+)" has greeted the assistant$`,
			ES:   `^"([^"]+)" ya ha saludado al asistente$`,
			ExEN: `"Lucía" has greeted the assistant`, ExES: `"Lucía" ya ha saludado al asistente`,
			Doc: "The customer says hello in their language and waits for the assistant's first answers.",
			fn:  greeted},
		{Keyword: "Given",
			EN:   `^"([^"]+)" accepted offers in the chat$`,
			ES:   `^"([^"]+)" aceptó las ofertas en el chat$`,
			ExEN: `"Oliver" accepted offers in the chat`, ExES: `"Lucía" aceptó las ofertas en el chat`,
			Doc: "The customer greets the assistant and accepts its marketing opt-in question (ground truth: consent given in WhatsApp, with the wording shown).",
			fn:  acceptedInChat},
		{Keyword: "Given",
			EN:   `^"([^"]+)" opted in to "(marketing|notifications)" through the "(web|sms|app|atm)"$`,
			ES:   `^"([^"]+)" aceptó recibir "(marketing|notificaciones)" por (?:la |el )?"(web|sms|app|atm)"$`,
			ExEN: `"Lucía" opted in to "marketing" through the "web"`, ExES: `"Lucía" aceptó recibir "marketing" por la "web"`,
			Doc: "An opt-in collected on another channel of the business, passed to the assistant through its consent hook (@proactive).",
			fn:  optedInElsewhere},
		{Keyword: "Given",
			EN:   `^"([^"]+)" opted in to "(marketing|notifications)" through the "(web|sms|app|atm)" with no record of the wording$`,
			ES:   `^"([^"]+)" aceptó recibir "(marketing|notificaciones)" por (?:la |el )?"(web|sms|app|atm)" sin que conste el texto$`,
			ExEN: `"Lucía" opted in to "marketing" through the "web" with no record of the wording`, ExES: `"Lucía" aceptó recibir "marketing" por la "web" sin que conste el texto`,
			Doc: "An opt-in the business cannot prove (no wording), passed through the consent hook: the assistant should refuse it (an HTTP refusal does not fail the step; the auditor judges what the assistant did) (@proactive).",
			fn:  optedInElsewhereUnproven},

		// What customers do.
		{Keyword: "When",
			EN:   `^"([^"]+)" says "([^"]*)"$`,
			ES:   `^"([^"]+)" dice "([^"]*)"$`,
			ExEN: `"Lucía" says "BAJA"`, ExES: `"Lucía" dice "¿Dónde está mi pedido TE-1001?"`,
			Doc: "The customer writes a text message. The keywords the assistant announces (BAJA/STOP alone: an opt-out; AGENTE/AGENT alone: a request for a person) are recorded as what the customer meant.",
			fn:  says},
		{Keyword: "When",
			EN:   `^"([^"]+)" says:$`,
			ES:   `^"([^"]+)" dice:$`,
			ExEN: `"Lucía" says:`, ExES: `"Lucía" dice:`, Arg: ArgDocString,
			Doc: "The customer writes the doc string as one message (for long or multi-line messages).",
			fn:  saysDoc},
		{Keyword: "When",
			EN:   `^"([^"]+)" taps "([^"]+)"$`,
			ES:   `^"([^"]+)" pulsa "([^"]+)"$`,
			ExEN: `"Lucía" taps "Sí, acepto"`, ExES: `"Lucía" pulsa "No, gracias"`,
			Doc: "The customer taps a button of the newest message offering it. Yes/no on an opt-in question records the consent given or refused; Baja/Stop on a marketing template records an opt-out.",
			fn:  taps},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks to opt out: "([^"]+)"$`,
			ES:   `^"([^"]+)" pide la baja: "([^"]+)"$`,
			ExEN: `"Oliver" asks to opt out: "please unsubscribe me"`, ExES: `"Lucía" pide la baja: "no quiero más mensajes"`,
			Doc: "The customer asks, in their own words, to receive no more marketing.",
			fn:  asksOptOut},
		{Keyword: "When",
			EN:   `^"([^"]+)" asks for a person: "([^"]+)"$`,
			ES:   `^"([^"]+)" pide hablar con una persona: "([^"]+)"$`,
			ExEN: `"Oliver" asks for a person: "I want to talk to a human"`, ExES: `"Lucía" pide hablar con una persona: "quiero hablar con una persona"`,
			Doc: "The customer asks, in their own words, to talk to a person.",
			fn:  asksHuman},
		{Keyword: "When",
			EN:   `^"([^"]+)" makes an? (access|portability|rectification|erasure|restriction|objection) request: "([^"]+)"$`,
			ES:   `^"([^"]+)" ejerce su derecho de (acceso|portabilidad|rectificación|supresión|limitación|oposición): "([^"]+)"$`,
			ExEN: `"Oliver" makes an access request: "I want a copy of my data"`, ExES: `"Lucía" ejerce su derecho de supresión: "borrad todos mis datos, por favor"`,
			Doc: "A data-protection request (GDPR arts. 15 to 21) in the customer's own words.",
			fn:  dataRequest},
		{Keyword: "When",
			EN:   `^"([^"]+)" shares (?:her|his|their) (name|email|DNI|phone number|card number|IBAN)$`,
			ES:   `^"([^"]+)" comparte su (nombre|email|DNI|teléfono|número de tarjeta|IBAN)$`,
			ExEN: `"Oliver" shares his card number`, ExES: `"Lucía" comparte su IBAN`,
			Doc: "The customer tells the assistant a made-up value no one else has (a canary: name, email, DNI, phone number, card number or IBAN, with valid check digits for a DNI, a card (Luhn) and an IBAN), so the auditor can trace where it goes.",
			fn:  shares},
		{Keyword: "When",
			EN:   `^"([^"]+)" corrects (?:her|his|their) email$`,
			ES:   `^"([^"]+)" corrige su email$`,
			ExEN: `"Oliver" corrects his email`, ExES: `"Lucía" corrige su email`,
			Doc: "A rectification request with a new, unique e-mail address (share the old one first).",
			fn:  correctsEmail},
		{Keyword: "When",
			EN:   `^"([^"]+)" presses WhatsApp's "Stop promotions"$`,
			ES:   `^"([^"]+)" pulsa "Detener promociones" en WhatsApp$`,
			ExEN: `"Lucía" presses WhatsApp's "Stop promotions"`, ExES: `"Lucía" pulsa "Detener promociones" en WhatsApp`,
			Doc: "WhatsApp's own control: the platform refuses marketing templates to the customer from then on (131050).",
			fn:  stopPromotions},
		{Keyword: "When",
			EN:   `^"([^"]+)" blocks the business$`,
			ES:   `^"([^"]+)" bloquea al negocio$`,
			ExEN: `"Lucía" blocks the business`, ExES: `"Lucía" bloquea al negocio`,
			Doc: "The customer blocks the business in WhatsApp; sends to them fail (131026).",
			fn:  blocks},
		{Keyword: "When",
			EN:   `^the conversation goes:$`,
			ES:   `^la conversación (?:es|sigue así):$`,
			ExEN: `the conversation goes:`, ExES: `la conversación es:`, Arg: ArgTable,
			Doc: "A conversation as a table with the header | who | says | (| quién | dice |): a customer's row is a message they write, an \"assistant\" (\"asistente\") row a reply that must contain the text.",
			fn:  conversation},

		// Time and the business.
		{Keyword: "When",
			EN:   `^(\d+) (minutes?|hours?|days?) pass(?:es)?$`,
			ES:   `^pasa(?:n)? (\d+) (minutos?|horas?|días?)$`,
			ExEN: `25 hours pass`, ExES: `pasan 31 días`,
			Doc: "The simulated clock moves forward (the 24-hour window, deadlines and retention follow it).",
			fn:  timePasses, Alone: true},
		{Keyword: "When",
			EN:   `^the business sends the campaign "([^"]+)"$`,
			ES:   `^el negocio envía la campaña "([^"]+)"$`,
			ExEN: `the business sends the campaign "promo_verano"`, ExES: `el negocio envía la campaña "promo_verano"`,
			Doc: "The business asks the assistant to send a marketing campaign to everyone who may receive it (@proactive).",
			fn:  campaign, Alone: true},
		{Keyword: "When",
			EN:   `^the business tells "([^"]+)" that order "([^"]+)" has shipped$`,
			ES:   `^el negocio avisa a "([^"]+)" de que el pedido "([^"]+)" ha salido$`,
			ExEN: `the business tells "Lucía" that order "TE-1001" has shipped`, ExES: `el negocio avisa a "Lucía" de que el pedido "TE-1001" ha salido`,
			Doc: "A business event for one customer, through the assistant's notify hook (@proactive).",
			fn:  notifyShipped, who: 1},
		{Keyword: "When",
			EN:   `^the agent hands "([^"]+)" back to the assistant$`,
			ES:   `^el agente devuelve a "([^"]+)" al asistente$`,
			ExEN: `the agent hands "Lucía" back to the assistant`, ExES: `el agente devuelve a "Lucía" al asistente`,
			Doc: "The person who took over the chat ends the handoff (@proactive).",
			fn:  releaseHandoff, who: 1},

		// Faults and attacks.
		{Keyword: "Given",
			EN:   `^Dialogflow is down$`,
			ES:   `^Dialogflow no está disponible$`,
			ExEN: `Dialogflow is down`, ExES: `Dialogflow no está disponible`,
			Doc: "Every detectIntent fails with DEADLINE_EXCEEDED, what a client sees when the service does not answer, until Dialogflow is back (UNAVAILABLE is not used: the official clients retry it for minutes).",
			fn:  dialogflowDown, Alone: true},
		{Keyword: "Given",
			EN:   `^Dialogflow is over its quota$`,
			ES:   `^Dialogflow ha agotado su cuota$`,
			ExEN: `Dialogflow is over its quota`, ExES: `Dialogflow ha agotado su cuota`,
			Doc: "Every detectIntent fails with RESOURCE_EXHAUSTED until Dialogflow is back.",
			fn:  dialogflowQuota, Alone: true},
		{Keyword: "When",
			EN:   `^Dialogflow is back$`,
			ES:   `^Dialogflow vuelve a funcionar$`,
			ExEN: `Dialogflow is back`, ExES: `Dialogflow vuelve a funcionar`,
			Doc: "Removes the Dialogflow fault.",
			fn:  dialogflowBack, Alone: true},
		{Keyword: "Given",
			EN:   `^Dialogflow answers after (\d+) milliseconds$`,
			ES:   `^Dialogflow responde tras (\d+) milisegundos$`,
			ExEN: `Dialogflow answers after 300 milliseconds`, ExES: `Dialogflow responde tras 300 milisegundos`,
			Doc: "Every detectIntent is delayed by real time (keep it short: scenarios wait for real).",
			fn:  dialogflowSlow, Alone: true, Waits: true},
		{Keyword: "Given",
			EN:   `^WhatsApp rejects the next (\d+) sends? with error (\d+)$`,
			ES:   `^WhatsApp rechaza los próximos (\d+) envíos? con el error (\d+)$`,
			ExEN: `WhatsApp rejects the next 2 sends with error 130429`, ExES: `WhatsApp rechaza los próximos 2 envíos con el error 130429`,
			Doc: "The Graph API answers the next sends with the given error code (130429 rate limit, 131056 pair rate limit, …).",
			fn:  whatsappRejects, Alone: true, Waits: true},
		{Keyword: "Given",
			EN:   `^WhatsApp delivers status webhooks twice and out of order$`,
			ES:   `^WhatsApp entrega los webhooks de estado duplicados y desordenados$`,
			ExEN: `WhatsApp delivers status webhooks twice and out of order`, ExES: `WhatsApp entrega los webhooks de estado duplicados y desordenados`,
			Doc: "Every status webhook is delivered twice, and a message's statuses arrive in reverse order.",
			fn:  whatsappMessyStatuses, Alone: true},
		{Keyword: "When",
			EN:   `^someone posts a webhook for "([^"]+)" without a valid signature$`,
			ES:   `^alguien envía un webhook de "([^"]+)" sin firma válida$`,
			ExEN: `someone posts a webhook for "Lucía" without a valid signature`, ExES: `alguien envía un webhook de "Lucía" sin firma válida`,
			Doc: "A forged message webhook, once without X-Hub-Signature-256 and once with a wrong one, straight to the assistant.",
			fn:  forgedWebhook, who: 1},

		// Expectations.
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a reply containing "([^"]+)"$`,
			ES:   `^"([^"]+)" recibe una respuesta que contiene "([^"]+)"$`,
			ExEN: `"Lucía" receives a reply containing "TE-1001"`, ExES: `"Lucía" recibe una respuesta que contiene "TE-1001"`,
			Doc: "Waits (up to 10 s of real time) for a new message to the customer containing the text (ignoring case; buttons and template names count).",
			fn:  receivesReply},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a reply containing "([^"]+)" within (\d+) seconds?$`,
			ES:   `^"([^"]+)" recibe una respuesta que contiene "([^"]+)" en menos de (\d+) segundos?$`,
			ExEN: `"Lucía" receives a reply containing "TE-1001" within 5 seconds`, ExES: `"Lucía" recibe una respuesta que contiene "TE-1001" en menos de 5 segundos`,
			Doc: "The same, and the reply came within the given real time of the customer's last action, as the test runner measures it. On a slow runner (a loaded CI job) scale every such budget with `parley certify --latency-factor 2` or `PARLEY_LATENCY_FACTOR=2`; the report records each budget as written, the factor and the time measured.",
			fn:  receivesReplyWithin},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a reply not containing "([^"]+)"$`,
			ES:   `^"([^"]+)" recibe una respuesta que no contiene "([^"]+)"$`,
			ExEN: `"Oliver" receives a reply not containing "TE-1001"`, ExES: `"Lucía" recibe una respuesta que no contiene "TE-1001"`,
			Doc: "Once everything has settled, the customer received at least one new message, and none of the new ones contains the text (ignoring case; buttons and template names count).",
			fn:  receivesReplyWithout},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives no message$`,
			ES:   `^"([^"]+)" no recibe ningún mensaje$`,
			ExEN: `"Lucía" receives no message`, ExES: `"Lucía" no recibe ningún mensaje`,
			Doc: "Once everything has settled, the customer has received nothing new, and nothing the assistant tried to send them since failed to arrive: a send WhatsApp refused, or accepted and then failed, counts, since the attempt is what the assistant did (WhatsApp's own \"stop promotions\" refusing marketing, 131050, does not).",
			fn:  receivesNothing},
		{Keyword: "Then",
			EN:   `^the reply offers the buttons "([^"]+)" and "([^"]+)"$`,
			ES:   `^la respuesta ofrece los botones "([^"]+)" y "([^"]+)"$`,
			ExEN: `the reply offers the buttons "Yes" and "No"`, ExES: `la respuesta ofrece los botones "Sí" y "No"`,
			Doc: "The newest message with buttons that the last customer named received offers both (a button counts when its title starts with the text).",
			fn:  offersButtons},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a marketing message$`,
			ES:   `^"([^"]+)" recibe publicidad$`,
			ExEN: `"Lucía" receives a marketing message`, ExES: `"Lucía" recibe publicidad`,
			Doc: "Among the messages the customer has not looked at yet, one is a MARKETING template.",
			fn:  receivesMarketing},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives no marketing$`,
			ES:   `^"([^"]+)" no recibe publicidad$`,
			ExEN: `"Lucía" receives no marketing`, ExES: `"Lucía" no recibe publicidad`,
			Doc: "None of the messages the customer has not looked at yet is marketing, and since the customer's last message the assistant tried to send them no MARKETING template that failed to arrive (refused by WhatsApp, or accepted and then failed; WhatsApp's own \"stop promotions\" refusing it, 131050, does not count).",
			fn:  receivesNoMarketing},
		{Keyword: "Then",
			EN:   `^"([^"]+)" receives a document with (?:her|his|their) data in JSON$`,
			ES:   `^"([^"]+)" recibe un documento con sus datos en JSON$`,
			ExEN: `"Lucía" receives a document with her data in JSON`, ExES: `"Lucía" recibe un documento con sus datos en JSON`,
			Doc: "The customer received a document that is valid JSON and carries their number or a value they shared.",
			fn:  receivesJSONDocument},
		{Keyword: "Then",
			EN:   `^Dialogflow received no personal data$`,
			ES:   `^Dialogflow no recibió datos personales$`,
			ExEN: `Dialogflow received no personal data`, ExES: `Dialogflow no recibió datos personales`,
			Doc: "No query to Dialogflow carried a value a customer shared or an identifier the detectors find (DNI, NIE, IBAN, card, …).",
			fn:  dialogflowClean},
		{Keyword: "Then",
			EN:   `^the audit reports "([A-Z0-9-]+)"$`,
			ES:   `^la auditoría (?:señala|detecta) "([A-Z0-9-]+)"$`,
			ExEN: `the audit reports "WA-OPTOUT-01"`, ExES: `la auditoría señala "WA-OPTOUT-01"`,
			Doc: "The auditor, over the scenario so far, finds the rule broken; the scenario expects it, so the final audit does not fail on it.",
			fn:  auditReports},
		{Keyword: "Then",
			EN:   `^the audit is clean$`,
			ES:   `^la auditoría no encuentra nada$`,
			ExEN: `the audit is clean`, ExES: `la auditoría no encuentra nada`,
			Doc: "The auditor, over the scenario so far, finds no rule broken (the final audit after every scenario checks this anyway).",
			fn:  auditClean},
	}
	defs = append(defs, goalDefs()...)
	defs = append(defs, outcomeDefs()...)
	defs = append(defs, inspectDefs()...)
	for i, d := range defs {
		if strings.HasPrefix(d.EN, `^"([^"]+)"`) || d.declares {
			defs[i].who = 1
		}
	}
	return defs
}
