package reference

import "fmt"

// The demo business. The privacy notice at PrivacyURL is fixtures' copy of the full (second-layer)
// notice; the chat carries the first layer (LOPDGDD art. 11).
const (
	BusinessName   = "Tienda Ejemplo"
	ControllerName = "Tienda Ejemplo S.L."
	PrivacyURL     = "https://tiendaejemplo.es/privacidad"
	PrivacyEmail   = "privacidad@tiendaejemplo.es"
	SupportPhone   = "+34 900 123 456"
	SupportEmail   = "atencion@tiendaejemplo.es"
	RetentionDays  = 90
)

// Template names and languages approved for the demo business (fixtures/templates).
const (
	templateMarketing = "promo_verano"   // es and en
	templateShipped   = "pedido_enviado" // es
	templateShippedEN = "order_shipped"  // en
)

// templateLang is the template language for a customer's language.
func templateLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "es"
}

type texts struct {
	welcome, welcomePerson, welcomeNoNotice, welcomeNo3P            string
	optInPrompt, optInPromptVague, optInYes, optInNo                string
	optInYesButton, optInNoButton                                   string
	optOutDone, optOutRetention, resubscribe, objectionDone         string
	objectionCounter, humanHandoff, humanRefused, complaintAck      string
	complaintNoCode, jitReminder, mediaRefused, locationRefused     string
	unsupported, tooLong, fallback, nluDown, orderAsk, orderAskCard string
	orderUnknown, orderLine, orderNone, ticketLine, ticketNone      string
	accessAck, portabilityAck, rectifyAck, rectifyAsk, eraseAck     string
	restrictAck, dsrEmailOnly, dsrFee, consentRequired, reaction    string
	shipped, promoText, maskedNote                                  string
}

// text returns the wording in lang (es or en; anything else is Spanish, the business's language).
func text(lang string) *texts {
	if lang == "en" {
		return &english
	}
	return &spanish
}

var spanish = texts{
	welcome: "Hola, soy el asistente virtual automático de " + BusinessName + ": respondo con un sistema automático (IA), no una persona. " +
		"Si quieres hablar con una persona, escribe AGENTE o llama al " + SupportPhone + ".\n\n" +
		"Privacidad (información básica): el responsable es " + ControllerName + " (" + PrivacyEmail + "). " +
		"Tratamos tus mensajes para atender tus consultas y pedidos (ejecución del contrato) y, solo si lo aceptas, para enviarte ofertas (consentimiento). " +
		"Destinatarios: Meta (WhatsApp) y Google (Dialogflow y Cloud DLP) como encargados del tratamiento, que pueden leer la conversación; datos alojados en la UE. " +
		fmt.Sprintf("Conservamos la conversación %d días. ", RetentionDays) +
		"Derechos: puedes pedir aquí mismo acceso, rectificación, supresión, limitación, portabilidad y oposición, y reclamar ante la AEPD (www.aepd.es). " +
		"Política completa: " + PrivacyURL + "\n\n" +
		"Derecho de oposición: puedes oponerte en cualquier momento a que usemos tus datos para publicidad escribiendo BAJA.",
	welcomePerson: "¡Hola! Soy Laura, de " + BusinessName + ". Si quieres hablar con una persona, escribe AGENTE o llama al " + SupportPhone + ".\n\n" +
		"Privacidad: el responsable es " + ControllerName + " (" + PrivacyEmail + "). Destinatarios: Meta (WhatsApp) y Google (Dialogflow) como encargados. " +
		fmt.Sprintf("Conservamos la conversación %d días. ", RetentionDays) +
		"Puedes pedir acceso, rectificación, supresión, limitación, portabilidad y oposición, y reclamar ante la AEPD. Política completa: " + PrivacyURL + "\n\n" +
		"Derecho de oposición: escribe BAJA para no recibir publicidad.",
	welcomeNoNotice: "Hola, soy el asistente virtual automático de " + BusinessName + ". Si quieres hablar con una persona, escribe AGENTE o llama al " + SupportPhone + ". ¿En qué te ayudo?",
	welcomeNo3P: "Hola, soy el asistente virtual automático de " + BusinessName + ": respondo con un sistema automático (IA), no una persona. " +
		"Si quieres hablar con una persona, escribe AGENTE o llama al " + SupportPhone + ".\n\n" +
		"Privacidad (información básica): el responsable es " + ControllerName + " (" + PrivacyEmail + "). " +
		"Tratamos tus mensajes para atender tus consultas y pedidos y, solo si lo aceptas, para enviarte ofertas. Tus datos no se comparten con nadie. " +
		fmt.Sprintf("Conservamos la conversación %d días. ", RetentionDays) +
		"Derechos: puedes pedir aquí mismo acceso, rectificación, supresión, limitación, portabilidad y oposición, y reclamar ante la AEPD (www.aepd.es). " +
		"Política completa: " + PrivacyURL + "\n\n" +
		"Derecho de oposición: puedes oponerte en cualquier momento a que usemos tus datos para publicidad escribiendo BAJA.",
	optInPrompt:      "¿Quieres recibir ofertas y novedades de " + BusinessName + " por WhatsApp? Es opcional: te atenderemos igual digas lo que digas, y puedes darte de baja cuando quieras escribiendo BAJA.",
	optInPromptVague: "¿Te apuntas a nuestras ofertas? 😊",
	optInYesButton:   "Sí, acepto",
	optInNoButton:    "No, gracias",
	optInYes:         "¡Hecho! Te enviaremos ofertas de " + BusinessName + " por WhatsApp. Escribe BAJA cuando quieras dejar de recibirlas.",
	optInNo:          "Entendido, no te enviaremos ofertas. Sigo aquí para lo que necesites.",
	optOutDone:       "Listo: te hemos dado de baja y no recibirás más mensajes promocionales ni avisos de " + BusinessName + " por WhatsApp. Puedes seguir escribiéndonos cuando quieras.",
	optOutRetention:  "¿Seguro que quieres darte de baja? ¡Te echaremos de menos! Responde BAJA CONFIRMAR para confirmar y no recibirás más mensajes promocionales.",
	resubscribe:      "Para volver a recibir ofertas necesitamos tu confirmación expresa.",
	objectionDone:    "Hecho: no volveremos a usar tus datos para publicidad ni te enviaremos ofertas. Tu oposición queda registrada con la referencia %s.",
	objectionCounter: "Hemos recibido tu solicitud (referencia %s). ¿Seguro que quieres dejar de recibir nuestras novedades? ¡Te echaremos de menos! Responde SÍ para confirmarlo.",
	humanHandoff:     "Te paso con una persona de nuestro equipo; te responderá en este mismo chat. También puedes llamarnos al " + SupportPhone + " o escribir a " + SupportEmail + ".",
	humanRefused:     "¡Puedo ayudarte con cualquier cosa! Cuéntame qué necesitas.",
	complaintAck:     "Sentimos lo ocurrido. Hemos registrado tu reclamación con el código de seguimiento %s. Una persona del equipo la revisará; responderemos en un máximo de 15 días hábiles.",
	complaintNoCode:  "Sentimos lo ocurrido. Hemos tomado nota de tu queja.",
	jitReminder:      "Aviso de privacidad: usamos los datos que compartes solo para atender tu consulta y ocultamos los identificadores antes de procesar tu mensaje con nuestro asistente. Por favor, no compartas por aquí tarjetas, IBAN, DNI ni contraseñas: nunca te los pediremos. Más información: " + PrivacyURL,
	mediaRefused:     "Lo siento, no puedo abrir imágenes, audios ni archivos. Escríbeme tu consulta en un mensaje de texto. Por seguridad, no envíes fotos de documentos de identidad ni de tarjetas.",
	locationRefused:  "Gracias, pero no necesito tu ubicación. ¿En qué puedo ayudarte?",
	unsupported:      "Lo siento, no puedo leer este tipo de mensaje. ¿Puedes escribirme tu consulta?",
	tooLong:          "Tu mensaje es muy largo; he leído solo el principio. Si no te he entendido bien, escríbeme tu consulta en pocas palabras.",
	fallback:         "Perdona, no te he entendido. Puedo ayudarte con el estado de tus pedidos, tus tickets de compra o tus datos. Si prefieres, escribe AGENTE para hablar con una persona.",
	nluDown:          "Ahora mismo no puedo procesar tu consulta. Inténtalo de nuevo en unos minutos o escribe AGENTE para hablar con una persona.",
	orderAsk:         "Dime el número de tu pedido (empieza por TE-, por ejemplo TE-12345) y te digo cómo va.",
	orderAskCard:     "Para localizar tu pedido, indícame el número completo de la tarjeta con la que pagaste.",
	orderUnknown:     "No encuentro el pedido %s entre los tuyos. Revisa el número (empieza por TE-) o escribe AGENTE.",
	orderLine:        "Pedido %s (%s): %s. %s",
	orderNone:        "No tienes pedidos con nosotros en este número.",
	ticketLine:       "Ticket %s del %s en %s: %s, total %s €.",
	ticketNone:       "No encuentro tickets de compra asociados a este número.",
	accessAck:        "Hemos recibido tu solicitud de acceso a tus datos. Referencia: %s. Te enviamos ahora una copia con todo lo que tenemos sobre ti, para qué lo usamos, con quién lo compartimos y cuánto tiempo lo guardamos.",
	portabilityAck:   "Hemos recibido tu solicitud de portabilidad. Referencia: %s. Te enviamos ahora tus datos en formato JSON, legible por máquina.",
	rectifyAck:       "Hecho: hemos corregido tu %s. Referencia: %s.",
	rectifyAsk:       "Hemos registrado tu solicitud de rectificación con la referencia %s. Dime el dato correcto, por ejemplo: \"mi email es nombre@ejemplo.com\" o \"mi nombre es Ana García\".",
	eraseAck:         "Hemos borrado tus datos: conversación, perfil, consentimientos y la sesión del asistente. Referencia: %s. Solo guardamos un registro mínimo y cifrado de tu número para no volver a enviarte publicidad.",
	restrictAck:      "Hemos limitado el tratamiento de tus datos: solo los conservamos, sin usarlos para publicidad ni perfiles. Te avisaremos antes de levantar la limitación. Referencia: %s.",
	dsrEmailOnly:     "Para ejercer tus derechos envía un email a " + PrivacyEmail + ".",
	dsrFee:           "Tu solicitud tiene la referencia %s. La gestión tiene un coste de 10 € y la atenderemos en un plazo de tres meses.",
	consentRequired:  "Para poder atenderte debes aceptar recibir nuestras comunicaciones comerciales.",
	shipped:          "Buenas noticias: tu pedido %s ya ha salido de nuestro almacén.",
	promoText:        "¡Rebajas de verano! 20% de descuento en toda la tienda con el código VERANO20.",
	maskedNote:       "He recibido %s; por seguridad no lo guardo ni lo repito.",
}

var english = texts{
	welcome: "Hi, I am " + BusinessName + "'s automated virtual assistant: you are talking to an automated system (AI), not a person. " +
		"To talk to a person, write AGENT or call " + SupportPhone + ".\n\n" +
		"Privacy (basic information): the controller is " + ControllerName + " (" + PrivacyEmail + "). " +
		"We process your messages to answer your questions and orders (performance of a contract) and, only if you agree, to send you offers (consent). " +
		"Recipients: Meta (WhatsApp) and Google (Dialogflow and Cloud DLP) as processors, who can read the conversation; data hosted in the EU. " +
		fmt.Sprintf("We keep the conversation for %d days. ", RetentionDays) +
		"Rights: you can ask right here for access, rectification, erasure, restriction, portability and to object, and complain to the Spanish DPA, the AEPD (www.aepd.es). " +
		"Full policy: " + PrivacyURL + "\n\n" +
		"Right to object: you can object at any time to the use of your data for marketing by writing STOP.",
	welcomePerson: "Hi! I'm Laura from " + BusinessName + ". To talk to a person, write AGENT or call " + SupportPhone + ".\n\n" +
		"Privacy: the controller is " + ControllerName + " (" + PrivacyEmail + "). Recipients: Meta (WhatsApp) and Google (Dialogflow) as processors. " +
		fmt.Sprintf("We keep the conversation for %d days. ", RetentionDays) +
		"You can ask for access, rectification, erasure, restriction, portability and to object, and complain to the AEPD. Full policy: " + PrivacyURL + "\n\n" +
		"Right to object: write STOP to receive no marketing.",
	welcomeNoNotice: "Hi, I am " + BusinessName + "'s automated virtual assistant. To talk to a person, write AGENT or call " + SupportPhone + ". How can I help?",
	welcomeNo3P: "Hi, I am " + BusinessName + "'s automated virtual assistant: you are talking to an automated system (AI), not a person. " +
		"To talk to a person, write AGENT or call " + SupportPhone + ".\n\n" +
		"Privacy (basic information): the controller is " + ControllerName + " (" + PrivacyEmail + "). " +
		"We process your messages to answer your questions and orders and, only if you agree, to send you offers. Your data is not shared with anyone. " +
		fmt.Sprintf("We keep the conversation for %d days. ", RetentionDays) +
		"Rights: you can ask right here for access, rectification, erasure, restriction, portability and to object, and complain to the Spanish DPA, the AEPD (www.aepd.es). " +
		"Full policy: " + PrivacyURL + "\n\n" +
		"Right to object: you can object at any time to the use of your data for marketing by writing STOP.",
	optInPrompt:      "Would you like to receive offers and news from " + BusinessName + " on WhatsApp? It is optional: we will help you either way, and you can unsubscribe at any time by writing STOP.",
	optInPromptVague: "Want our deals? 😊",
	optInYesButton:   "Yes, I agree",
	optInNoButton:    "No, thanks",
	optInYes:         "Done! We will send you " + BusinessName + " offers on WhatsApp. Write STOP whenever you want them to end.",
	optInNo:          "Understood, no offers. I'm still here for anything you need.",
	optOutDone:       "Done: you are unsubscribed and will get no more promotional messages or notices from " + BusinessName + " on WhatsApp. You can still write to us any time.",
	optOutRetention:  "Are you sure you want to leave? We'll miss you! Reply STOP CONFIRM to confirm and you won't receive more promotional messages.",
	resubscribe:      "To receive offers again we need your explicit confirmation.",
	objectionDone:    "Done: we will no longer use your data for marketing or send you offers. Your objection is recorded with reference %s.",
	objectionCounter: "We received your request (reference %s). Are you sure you want to stop hearing from us? We'll miss you! Reply YES to confirm.",
	humanHandoff:     "I'm passing you to a person from our team; they will answer in this same chat. You can also call " + SupportPhone + " or write to " + SupportEmail + ".",
	humanRefused:     "I can help you with anything! Tell me what you need.",
	complaintAck:     "We are sorry. Your complaint is registered with tracking code %s. A person from the team will review it; we answer within 15 working days.",
	complaintNoCode:  "Sentimos lo ocurrido. Hemos tomado nota de tu queja.",
	jitReminder:      "Privacy notice: we use the data you share only to answer you, and we hide identifiers before our assistant processes your message. Please do not share cards, IBANs, ID numbers or passwords here: we will never ask for them. More: " + PrivacyURL,
	mediaRefused:     "Sorry, I cannot open images, audio or files. Please write your question as text. For your safety, do not send photos of ID documents or cards.",
	locationRefused:  "Thanks, but I don't need your location. How can I help?",
	unsupported:      "Sorry, I can't read this kind of message. Could you write your question?",
	tooLong:          "Your message is very long; I read only the beginning. If I misunderstood, please write your question in a few words.",
	fallback:         "Sorry, I didn't understand. I can help with your order status, your purchase tickets or your data. If you prefer, write AGENT to talk to a person.",
	nluDown:          "I can't process your question right now. Please try again in a few minutes or write AGENT to talk to a person.",
	orderAsk:         "Tell me your order number (it starts with TE-, e.g. TE-12345) and I'll check it.",
	orderAskCard:     "To find your order, please send me the full number of the card you paid with.",
	orderUnknown:     "I can't find order %s among yours. Check the number (it starts with TE-) or write AGENT.",
	orderLine:        "Order %s (%s): %s. %s",
	orderNone:        "You have no orders with us on this number.",
	ticketLine:       "Ticket %s of %s at %s: %s, total %s €.",
	ticketNone:       "I can't find purchase tickets for this number.",
	accessAck:        "We received your request to access your data. Reference: %s. Here is a copy of everything we hold about you, what we use it for, who we share it with and how long we keep it.",
	portabilityAck:   "We received your portability request. Reference: %s. Here is your data as JSON, machine-readable.",
	rectifyAck:       "Done: we corrected your %s. Reference: %s.",
	rectifyAsk:       "Your rectification request is registered with reference %s. Tell me the correct value, e.g. \"my email is name@example.com\" or \"my name is Ann Smith\".",
	eraseAck:         "We erased your data: conversation, profile, consents and the assistant's session. Reference: %s. We keep only a minimal hashed record of your number so we never send you marketing again.",
	restrictAck:      "We restricted the processing of your data: we only store it, with no marketing or profiling. We will tell you before lifting the restriction. Reference: %s.",
	dsrEmailOnly:     "To exercise your rights, send an e-mail to " + PrivacyEmail + ".",
	dsrFee:           "Your request has reference %s. Handling it costs €10 and we will answer within three months.",
	consentRequired:  "To keep helping you, you must accept our marketing communications.",
	shipped:          "Good news: your order %s has left our warehouse.",
	promoText:        "Summer sale! 20% off everything with code VERANO20.",
	maskedNote:       "I received %s; for your safety I neither keep nor repeat it.",
}
