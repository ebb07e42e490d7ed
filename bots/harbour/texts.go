package harbour

// Harbour Books' identity, as its privacy notice and every marketing message give it.
const (
	businessName = "Harbour Books"
	controller   = "Harbour Books Ltd"
	privacyPage  = "https://harbourbooks.example/privacy"
	requestsPage = "https://harbourbooks.example/privacy/requests"
	helpEmail    = "hello@harbourbooks.example"
	helpPhone    = "+44 20 7946 0321"
	retention    = "90 days"
)

// lines are the assistant's texts in one language. %s verbs are filled where a line is used.
type lines struct {
	greeting, notice, menu                          string
	optInQuestion, optedIn, declined, alreadyOut    string
	optedOut, handoff, orderAsk, orderNotFound      string
	orderFound, complaint, privacyInfo, notUnderst  string
	access, portability, erasure, rectified         string
	rectifyAsk, restricted, objected, exportCaption string
	media, shipped, thanks, jit, noted              string
}

var english = lines{
	greeting: "Hello from " + businessName + "! I'm the shop's automated assistant (a bot, not a person). " +
		"If you would rather talk to a person at any time, write \"person\" or choose 4 below.",
	notice: "Your privacy: " + controller + " is the controller of what you write here. We use it to answer you, " +
		"and for offers only if you say yes. Meta (WhatsApp) carries the chat and Google (Dialogflow, Cloud DLP) " +
		"helps us understand it, in the EU. We keep chats for " + retention + ".\n" +
		"You have the right of access, rectification, erasure, restriction and portability.\n" +
		"You have the right to object to marketing at any time.\n" +
		"Full notice and self-service requests: " + privacyPage,
	menu: "What can I do for you? Reply with a number:\n1. Track an order\n2. Offers and news\n" +
		"3. Your data and privacy\n4. Talk to a person",
	optInQuestion: "Would you like to receive offers and news about books from " + businessName + " on WhatsApp? " +
		"At most two messages a month; you can stop them any time by writing STOP.\n" +
		"Reply 1 for yes, or 2 for no (the shop works the same either way).",
	optedIn:    "Thank you, you're on the list: " + businessName + " will send you offers and news on WhatsApp. Write STOP whenever you want them to end.",
	declined:   "No problem, we won't send you offers. Everything else works just the same.",
	alreadyOut: "You are not on our offers list, so you will not receive any offers from " + businessName + ".",
	optedOut: "Done: you're unsubscribed. " + businessName + " will not send you offers or news again. " +
		"You can still write to us here about anything.",
	handoff: "I'm handing you over to a member of our team now; they will answer in this chat. " +
		"The assistant stays quiet until they hand you back. You can also call " + helpPhone + ".",
	orderAsk:      "Please send me your order code (it looks like HB-50017) and I'll look it up.",
	orderNotFound: "I can't find an order %s for this WhatsApp number. Please check the code, or write \"person\" and a colleague will help.",
	orderFound:    "Order %s (%s): %s.",
	complaint: "I'm sorry about that. Your complaint is logged with tracking code %s. " +
		"A member of our team will get back to you within 2 working days; you can also write to " + helpEmail + ".",
	privacyInfo: "You can ask me here, in your own words, for a copy of your data, to correct it, to delete it, " +
		"to restrict or object to its use, or to stop offers. You can also do it on our privacy page: " + requestsPage,
	notUnderst: "Sorry, I didn't understand that. Could you rephrase it, or reply with a number from the menu " +
		"(1 orders, 2 offers, 3 your data, 4 a person)?",
	access: "Request received: a copy of your data (case %s). Here it is as a JSON file, with what we use it for, " +
		"who receives it and how long we keep it.",
	portability: "Request received: your data in a portable, machine-readable format (case %s). Here is the JSON file.",
	erasure: "Request received (case %s). We have deleted your data: this conversation, your preferences and what " +
		"our assistant remembered in Dialogflow. We keep only a coded entry so that we never send you offers again.",
	rectified:  "Request received (case %s). We have updated your details: the new value replaces the old one everywhere we keep it.",
	rectifyAsk: "Request received (case %s). Please tell me the corrected detail (for example your new e-mail address) and I will update it.",
	restricted: "Request received (case %s). Processing of your data is now restricted: no offers and no profiling, " +
		"only what we need to answer you, until you ask us to lift it.",
	objected: "Request received (case %s). Your objection is recorded: you will not receive marketing from us again, " +
		"and we will not use your data for marketing.",
	exportCaption: "Your data held by " + controller + " (case %s)",
	media:         "Thanks! I can only read text messages; please write what you need, or reply 4 to talk to a person.",
	shipped:       "Good news: your order %s has been dispatched and should arrive in 2 to 3 working days.",
	thanks:        "You're welcome! Write any time; reply with a number from the menu if you need something.",
	noted:         "Thanks, I've noted that. Reply with a number from the menu if you need something.",
	jit:           "Privacy note: we use what you just shared only to help you with this request; please don't share card or bank details here. More: " + privacyPage,
}

var spanish = lines{
	greeting: "¡Hola, te saluda " + businessName + "! Soy el asistente automático de la librería (un bot, no una persona). " +
		"Si prefieres hablar con una persona en cualquier momento, escribe \"persona\" o elige el 4.",
	notice: "Tu privacidad: " + controller + " es responsable de lo que escribes aquí. Lo usamos para atenderte y, solo si " +
		"aceptas, para enviarte ofertas. Meta (WhatsApp) transporta el chat y Google (Dialogflow, Cloud DLP) nos ayuda a " +
		"entenderlo, en la UE. Guardamos los chats 90 días.\n" +
		"Tienes derecho de acceso, rectificación, supresión, limitación y portabilidad.\n" +
		"Tienes derecho de oposición a la publicidad en cualquier momento.\n" +
		"Aviso completo y solicitudes: " + privacyPage,
	menu: "¿En qué te ayudo? Responde con un número:\n1. Seguir un pedido\n2. Ofertas y novedades\n" +
		"3. Tus datos y privacidad\n4. Hablar con una persona",
	optInQuestion: "¿Quieres recibir ofertas y novedades de libros de " + businessName + " por WhatsApp? " +
		"Como mucho dos mensajes al mes; puedes pararlos cuando quieras escribiendo BAJA.\n" +
		"Responde 1 para sí o 2 para no (la tienda funciona igual en los dos casos).",
	optedIn:    "¡Gracias! Ya estás en la lista: " + businessName + " te enviará ofertas y novedades por WhatsApp. Escribe BAJA cuando quieras que paren.",
	declined:   "Sin problema, no te enviaremos ofertas. Todo lo demás funciona igual.",
	alreadyOut: "No estás en nuestra lista de ofertas, así que no recibirás ofertas de " + businessName + ".",
	optedOut: "Hecho: baja tramitada. " + businessName + " no te enviará más ofertas ni novedades. " +
		"Puedes seguir escribiéndonos aquí para lo que necesites.",
	handoff: "Te paso con una persona de nuestro equipo; te responderá en este chat. " +
		"El asistente no intervendrá hasta que te devuelvan. También puedes llamar al " + helpPhone + ".",
	orderAsk:      "Envíame el código de tu pedido (es como HB-50017) y lo consulto.",
	orderNotFound: "No encuentro un pedido %s para este número de WhatsApp. Revisa el código, o escribe \"persona\" y un compañero te ayudará.",
	orderFound:    "Pedido %s (%s): %s.",
	complaint: "Lamento lo ocurrido. Tu reclamación queda registrada con el código de seguimiento %s. " +
		"Una persona del equipo te responderá en 2 días laborables; también puedes escribir a " + helpEmail + ".",
	privacyInfo: "Puedes pedirme aquí, con tus palabras, una copia de tus datos, corregirlos, borrarlos, limitar u " +
		"oponerte a su uso, o dejar de recibir ofertas. También desde nuestra página de privacidad: " + requestsPage,
	notUnderst: "Perdona, no te he entendido. ¿Puedes reformularlo, o responder con un número del menú " +
		"(1 pedidos, 2 ofertas, 3 tus datos, 4 una persona)?",
	access: "Solicitud recibida: copia de tus datos (expediente %s). Aquí la tienes en un archivo JSON, con para qué " +
		"los usamos, quién los recibe y cuánto tiempo los guardamos.",
	portability: "Solicitud recibida: tus datos en un formato portable y legible por máquina (expediente %s). Aquí tienes el archivo JSON.",
	erasure: "Solicitud recibida (expediente %s). Hemos eliminado tus datos: esta conversación, tus preferencias y lo que " +
		"recordaba nuestro asistente en Dialogflow. Solo guardamos una entrada codificada para no enviarte nunca más ofertas.",
	rectified:  "Solicitud recibida (expediente %s). Hemos actualizado tus datos: el valor nuevo sustituye al anterior en todas partes.",
	rectifyAsk: "Solicitud recibida (expediente %s). Dime el dato correcto (por ejemplo tu nuevo correo) y lo actualizo.",
	restricted: "Solicitud recibida (expediente %s). Hemos limitado el uso de tus datos: ni ofertas ni perfiles, solo lo " +
		"necesario para atenderte, hasta que nos pidas levantarlo.",
	objected: "Solicitud recibida (expediente %s). Tu oposición queda registrada: no recibirás más publicidad nuestra " +
		"y no usaremos tus datos para ella.",
	exportCaption: "Tus datos en " + controller + " (expediente %s)",
	media:         "¡Gracias! Solo puedo leer mensajes de texto; escribe lo que necesitas o responde 4 para hablar con una persona.",
	shipped:       "Buenas noticias: tu pedido %s ya ha salido y llegará en 2 o 3 días laborables.",
	thanks:        "¡De nada! Escríbenos cuando quieras; responde con un número del menú si necesitas algo.",
	noted:         "Gracias, lo he anotado. Responde con un número del menú si necesitas algo.",
	jit:           "Nota de privacidad: usamos lo que acabas de compartir solo para atender esta consulta; no compartas aquí datos de tarjetas ni bancarios. Más: " + privacyPage,
}

func textsIn(lang string) lines {
	if lang == "es" {
		return spanish
	}
	return english
}
