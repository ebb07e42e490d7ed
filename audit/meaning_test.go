package audit

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/parley-dev/parley/journal"
)

// meaningCases are phrasings an assistant might send, most of them in words the reference assistant
// never uses (another business's, another style), and texts that must not be taken for the meaning.
var meaningCases = []struct {
	m    Meaning
	yes  []string
	no   []string
	url  string // the privacy notice's URL, when the case needs one
	note string
}{
	{m: MeansAutomated,
		yes: []string{
			"Hola, soy el asistente virtual de Zapatos Acme.",
			"Te atiende un asistente automático.",
			"Soy Pepa, un bot de Zapatos Acme 🤖",
			"Este chat lo responde un sistema de inteligencia artificial.",
			"Estás hablando con nuestro asistente digital.",
			"Respuestas generadas por IA.",
			"Hi, I'm Harbour Books' virtual assistant.",
			"You're chatting with an automated assistant.",
			"This is a chatbot, not a person.",
			"I am an AI assistant for Harbour Books.",
			"Answers here are written by artificial intelligence.",
			"Hello! I'm the Harbour Books digital assistant.",
			"Heads up: I'm a bot.",
			"Soy un asistente automatizado.",
			"You are talking to an automated system.",
			"I'm a virtual agent, not a human.",
			"Soy un agente virtual de Acme.",
		},
		no: []string{
			"Hola, soy Laura, ¿en qué te ayudo?",
			"Hi, I'm Sam from the Harbour Books team.",
			"Tu pedido va por vía aérea.",
			"Thanks for your order!",
			"Botas de agua en oferta",
			"I'll be with you in a moment.",
		}},
	{m: MeansPrivacy,
		yes: []string{
			"Privacidad: el responsable es Zapatos Acme S.L.",
			"Consulta nuestra política de privacidad.",
			"Tratamos tus datos personales para atenderte.",
			"Más información sobre protección de datos en la web.",
			"Por favor, no compartas datos bancarios por aquí.",
			"Privacy notice: Harbour Books Ltd is the controller.",
			"We use your personal data only to answer you.",
			"Please don't share card numbers in this chat.",
			"How we handle your data: see our privacy policy.",
			"Read our data protection notice.",
			"Do not share sensitive information here.",
			"Información sobre privacidad: https://acme.example/privacidad",
		},
		no: []string{
			"Tu pedido está en camino.",
			"Your order has shipped.",
			"Hola, ¿en qué te ayudo?",
			"Our store opens at 9.",
		}},
	{m: MeansPrivacy, url: "https://harbour.example/legal",
		yes: []string{"Everything about your data: https://harbour.example/legal"},
		no:  []string{"See https://harbour.example/books for new titles"}},
	{m: MeansPrivacyNotice, url: "https://acme.example/privacidad",
		yes: []string{
			"Privacidad: el responsable es Zapatos Acme S.L. Encargados: Meta (WhatsApp) y Google (Dialogflow). Derechos y más: https://acme.example/privacidad",
			"Privacy: Acme is the controller. Processors: Meta Platforms (WhatsApp) and Google (Dialogflow). Full notice: https://acme.example/privacidad",
			"Tus datos personales los tratan también Meta y Google como encargados. https://acme.example/privacidad",
			"Your privacy: Acme Ltd is the data controller; Meta (for WhatsApp) and Google's Dialogflow handle your messages for us. Your rights and the full notice: https://acme.example/privacidad",
			"Protección de datos. Responsable: Zapatos Acme S.L. Destinatarios: Meta Platforms y Google Cloud. Info completa en https://acme.example/privacidad",
		},
		no: []string{
			"Privacidad: el responsable es Zapatos Acme S.L. Más información: https://acme.example/privacidad",
			"Meta y Google leen esta conversación.",
			"Privacy: Meta and Google process your data.",
		}},
	{m: MeansPrivacyNotice, note: "without a notice URL any link will do",
		yes: []string{"Privacy: Meta and Google (Dialogflow) process your messages. Details: https://harbour.example/privacy"},
		no:  []string{"Privacy: Meta and Google (Dialogflow) process your messages. Follow us: https://instagram.com/harbour"}},
	{m: MeansPersonOffered,
		yes: []string{
			"Si prefieres hablar con una persona, escribe AGENTE.",
			"Para hablar con alguien del equipo, llama al 900 123 456.",
			"Escríbenos a ayuda@acme.example y te atenderá un compañero.",
			"Puedes pedir que te atienda un humano cuando quieras.",
			"4. Hablar con un agente",
			"Want a human? Reply 4.",
			"4. Talk to a person",
			"You can reach our team at help@harbour.example.",
			"Call us on +44 20 7946 0000.",
			"Type HUMAN to reach a member of staff.",
			"Ask for a representative at any time.",
			"Contact us: https://harbour.example/contact",
		},
		no: []string{
			"¡Puedo ayudarte con cualquier cosa!",
			"I can help you with anything!",
			"Síguenos en https://instagram.com/acme",
			"Your order is on its way.",
		}},
	{m: MeansHandoff,
		yes: []string{
			"Te paso con una persona de nuestro equipo.",
			"Te pongo con un agente ahora mismo.",
			"Un compañero te responderá por aquí.",
			"Te derivo a una asesora.",
			"Enseguida te atiende una persona.",
			"I'm handing you over to a colleague.",
			"Transferring you to an agent now.",
			"A member of our team will reply here shortly.",
			"Connecting you with a human agent.",
			"Someone from our team will be with you shortly.",
			"I've passed your chat to our support staff; a person will reply here.",
			"One of our agents will take it from here.",
		},
		no: []string{
			"¡Puedo ayudarte con cualquier cosa!",
			"Si quieres, escribe AGENTE.",
			"Your order has shipped.",
			"I can't transfer money.",
		}},
	{m: MeansOptInQuestion,
		yes: []string{
			"¿Quieres recibir ofertas de Acme por WhatsApp?",
			"¿Te gustaría recibir nuestras promociones por aquí?",
			"¿Aceptas recibir comunicaciones comerciales de Zapatos Acme?",
			"¿Te apuntas a nuestras novedades?",
			"¿Quieres que te avisemos de nuestras ofertas? Responde SÍ o NO.",
			"Would you like to receive offers from Harbour Books on WhatsApp?",
			"Do you want to receive our news and deals here?",
			"Shall we send you our offers on WhatsApp? Reply 1 for yes, 2 for no.",
			"Can we send you promotions now and then? Reply YES or NO.",
			"Want to hear about our offers? Reply YES.",
			"May we message you with promotions from Harbour Books?",
			"Sign up for our news on WhatsApp?",
		},
		no: []string{
			"Te hemos dado de baja de las ofertas.",
			"Here are our offers: 20% off today.",
			"¿Quieres recibir tu pedido en casa?",
			"Would you like to receive your order at home?",
			"You will no longer receive offers.",
		}},
	{m: MeansOptOutConfirmed,
		yes: []string{
			"Listo: te hemos dado de baja.",
			"No recibirás más ofertas.",
			"Hecho, no te enviaremos más promociones.",
			"Hemos dejado de enviarte publicidad.",
			"Ya no te llegarán más ofertas de Acme.",
			"Tu baja de las comunicaciones comerciales está hecha.",
			"You've been unsubscribed.",
			"Done: you won't receive any more offers.",
			"We've stopped sending you promotions.",
			"You're opted out of marketing messages.",
			"No more offers from us. You can still write any time.",
			"We will no longer send you marketing.",
			"You have been removed from our offers list.",
			"OK, no more promotions.",
			"Ya no recibirás publicidad nuestra.",
			"Hecho: no usaremos tus datos para publicidad ni te enviaremos ofertas.",
			"No volveremos a enviarte promociones.",
		},
		no: []string{
			"¿Quieres recibir ofertas?",
			"Would you like to receive offers?",
			"Tu pedido está en camino.",
			"Thanks for subscribing!",
			"Great, we'll send you our offers.",
		}},
	{m: MeansReference,
		yes: []string{
			"Referencia: DSR-7K2M9QXA",
			"Tu número de solicitud es HB-2026-0042.",
			"Case HB-2026-0007 opened.",
			"Your reference is REQ-55120.",
			"Código de seguimiento: AB12C3",
			"Ticket #48213",
			"Reference: 7F3K9Q",
			"Expediente 2026-00451",
		},
		no: []string{
			"Hemos recibido tu solicitud.",
			"Thanks, we got your request.",
			"Tu pedido llegará mañana.",
			"Ref. por favor",
		}},
	{m: MeansRequestAcknowledged,
		yes: []string{
			"Hemos recibido tu solicitud de acceso.",
			"Tu petición ha quedado registrada.",
			"Estamos tramitando tu solicitud.",
			"Hemos borrado tus datos.",
			"Tus datos han sido eliminados.",
			"Hemos corregido tu email.",
			"We have received your request.",
			"Your request is being processed.",
			"Your data has been deleted.",
			"We've updated your email address.",
			"Your data request is logged as case HB-2026-0042.",
			"Processing of your data is now restricted.",
		},
		no: []string{
			"Hola, ¿en qué te ayudo?",
			"Hi! How can I help?",
			"Your order is on its way.",
		}},
	{m: MeansClarification,
		yes: []string{
			"Perdona, no te he entendido.",
			"No entiendo tu mensaje, ¿puedes reformularlo?",
			"¿Puedes darme más detalles?",
			"Sorry, I didn't understand that.",
			"Could you rephrase?",
			"I'm not sure what you mean. Could you try again in other words?",
			"Sorry, I didn't get that.",
			"No te he entendido bien, ¿me lo dices de otra forma?",
		},
		no: []string{
			"Tu pedido está en camino.",
			"Your order is on its way.",
			"Thanks!",
		}},
	{m: MeansOrderStatus,
		yes: []string{
			"Tu pedido AC-77 está en camino.",
			"El pedido ha sido enviado y llegará mañana.",
			"Tu pedido se entregó el lunes.",
			"Estamos preparando tu pedido.",
			"Pedido AC-77: en reparto.",
			"Your order has shipped.",
			"Order HB-1203 is out for delivery.",
			"Your parcel was delivered on Monday.",
			"We're packing your order now.",
			"Order 1203: in transit with DHL.",
			"Your order is on its way!",
		},
		no: []string{
			"Dime el número de tu pedido.",
			"What's your order number?",
			"¿Quieres recibir ofertas?",
			"Hi! How can I help?",
			"No encuentro ese pedido.",
		}},
}

func TestMeans(t *testing.T) {
	for _, c := range meaningCases {
		for _, text := range c.yes {
			if !Means(text, c.m, c.url) {
				t.Errorf("%s: %q should mean it", c.m, text)
			}
		}
		for _, text := range c.no {
			if Means(text, c.m, c.url) {
				t.Errorf("%s: %q should not mean it", c.m, text)
			}
		}
	}
}

// TestMeaningsCovered: every meaning has phrasings that carry it and texts that do not.
func TestMeaningsCovered(t *testing.T) {
	yes, no := map[Meaning]int{}, map[Meaning]int{}
	for _, c := range meaningCases {
		yes[c.m] += len(c.yes)
		no[c.m] += len(c.no)
	}
	for _, m := range Meanings() {
		if yes[m] < 6 || no[m] < 3 {
			t.Errorf("%s: %d phrasings and %d negatives; want at least 6 and 3", m, yes[m], no[m])
		}
	}
	if Means("anything", Meaning("no such meaning"), "") {
		t.Error("an unknown meaning matched")
	}
}

// TestSentTextCarriesButtonsAndHeader: a meaning may sit in a button or a header, as a customer sees it.
func TestSentTextCarriesButtonsAndHeader(t *testing.T) {
	o := &journal.OutboundData{Type: "interactive", Header: "Harbour Books", Text: "What would you like to do?",
		Buttons: []string{"Track an order", "Talk to a person"}}
	if !Means(SentText(o), MeansPersonOffered, "") {
		t.Errorf("a button offering a person is not read: %q", SentText(o))
	}
	o = &journal.OutboundData{Type: "template", Header: "Privacy", Text: "Meta and Google process your data: https://h.example/p"}
	if !Means(SentText(o), MeansPrivacyNotice, "https://h.example/p") {
		t.Errorf("a template's header is not read: %q", SentText(o))
	}
}

// TestFoldIsFoldRune: fold's ASCII shortcuts give what folding each character gives.
func TestFoldIsFoldRune(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rs := []rune("aZ09 -.,Ññáé’ÇQq\xff")
	cases := []string{"", "hola", "HOLA", "Más Detalles", "PED-1234 ok", "\xff\xfeA", "Tu pedido PED-3 ha salido"}
	for range 20000 {
		b := make([]rune, r.IntN(12))
		for i := range b {
			b[i] = rs[r.IntN(len(rs))]
		}
		cases = append(cases, string(b))
	}
	cases = append(cases, "A\xffB") // invalid UTF-8
	for _, c := range cases {
		if got, want := fold(c), strings.Map(foldRune, c); got != want {
			t.Fatalf("fold(%q) = %q, folding each character gives %q", c, got, want)
		}
	}
}
