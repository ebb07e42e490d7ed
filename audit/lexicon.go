package audit

// The word lists the checks use, folded (lowercase, no accents), Spanish and English: the opt-out
// keywords messaging platforms honour (BAJA, STOP, UNSUBSCRIBE…), data-protection rights in the GDPR's and
// LOPDGDD's terms, and words written for the checks named. They are matched as whole words or phrases (see
// has).

var (
	// promoStrong marks commercial content: a free-form message with one of these is marketing, and a
	// UTILITY template with one is miscategorised (WA-TPL-01, WA-MKT-01).
	promoStrong = []string{"descuento", "descuentos", "cupon", "codigo promocional", "codigo descuento", "rebajas",
		"2x1", "black friday", "discount", "coupon", "promo code", "% off", "envio gratis", "free shipping",
		"compra ya", "buy now", "solo hoy", "today only", "oferta especial", "special offer"}
	promoWeak = []string{"oferta", "ofertas", "promocion", "promociones", "offer", "offers", "sale", "promo"}

	// retentionPitch is what a withdrawal or objection must not be answered with (WA-OPTOUT-03,
	// GDPR-OBJECT-01): a counter-offer or an "are you sure" loop.
	retentionPitch = []string{"antes de irte", "before you go", "te ofrecemos", "we can offer", "quedate", "stay with us",
		"estas seguro", "estas segura", "si te quedas", "te regalamos", "if you stay", "stay and get", "% off", "seguro que quieres", "are you sure", "please confirm", "to confirm",
		"confirma que", "para confirmar", "confirmalo", "confirm your", "responde si", "reply yes", "responde de nuevo",
		"reply again", "envia de nuevo", "te echaremos de menos", "we'll miss you", "descuento", "discount", "cupon", "coupon"}
	reoptin = []string{"quieres seguir recibiendo", "quieres volver a", "volver a darte de alta", "would you like to keep receiving",
		"do you want to keep receiving", "resubscribe", "re-subscribe", "seguir suscrito"}

	optoutConfirm = []string{"baja", "no recibiras", "no volveras a recibir", "no te enviaremos", "no te escribiremos",
		"no te volveremos", "dejaremos de", "hemos dejado de", "unsubscribed", "opted out", "you will not receive",
		"you won't receive", "won't receive", "no longer receive", "will no longer", "we will not send", "we won't send",
		"stopped", "suscripcion cancelada", "removed", "eliminado de la lista", "no recibira", "no mas mensajes",
		"no te llegaran", "ni te enviaremos", "no volveremos a enviarte", "no volveremos a usar", "no mas ofertas", "no mas promociones", "no more offers", "no more promotions", "no more marketing"}
	clarify = []string{"mas detalles", "no te he entendido", "no he entendido", "no entiendo", "puedes repetir", "reformular",
		"more details", "didn't understand", "did not understand", "don't understand", "rephrase", "could you clarify",
		"puedes dar mas", "no se a que te refieres",
		"de otra forma", "de otra manera", "didn't get that", "did not get that", "not sure what you mean", "try again in other words"}

	// optinPrompt marks an opt-in question; category words what it is for (WA-OPTIN-02).
	optinPrompt = []string{"quieres recibir", "te gustaria recibir", "deseas recibir", "aceptas recibir", "quiere recibir",
		"would you like to receive", "do you want to receive", "want to receive", "agree to receive", "suscribirte",
		"subscribe to", "te apuntas", "quieres apuntarte", "want our deals", "want our offers", "sign up for", "interested in our offers",
		// questions another business may ask, which only an opt-in prompt asks
		"quieres que te avisemos", "quieres que te enviemos", "te gustaria que te enviemos", "podemos enviarte", "podemos escribirte",
		"shall we send you", "can we send you", "may we send you", "may we message you", "could we send you",
		"want to hear about", "would you like to hear about", "would you like us to send", "do you want us to send"}
	categoryWords = []string{"ofertas", "promociones", "novedades", "publicidad", "marketing", "notificaciones",
		"avisos", "actualizaciones", "comunicaciones comerciales", "offers", "promotions", "news", "updates",
		"notifications", "marketing messages", "alerts", "deals"}
	conditional = []string{"para continuar", "para poder atenderte", "necesario para", "obligatorio", "required to",
		"to continue", "in order to use", "terminos y condiciones", "terms and conditions", "para seguir usando"}
	negativeOption = []string{"no", "no, gracias", "no gracias", "ahora no", "no quiero", "not now", "no thanks", "no, thanks"}

	// humanPath is a way to reach a person (WA-ESC-01): a transfer or a named channel.
	humanPath = []string{"agente", "agentes", "persona", "humano", "operador", "operadora", "te paso", "te pongo en contacto",
		"te transfiero", "companero", "companera", "equipo de atencion", "llamanos", "llama al", "agent", "human", "person",
		"representative", "transfer", "colleague", "call us", "our team"}

	// handoffAnnounced is the assistant saying it is passing the chat to a person (WA-ESC-02 starts there).
	handoffAnnounced = []string{"te paso", "te pasamos", "te pongo con", "te pongo en contacto", "te transfiero",
		"te transferimos", "te atendera", "te respondera", "un agente", "una persona de nuestro equipo",
		"te derivo", "te derivamos", "un companero", "una companera", "un asesor", "una asesora",
		"passing you", "transferring you", "transfer you", "connect you", "connecting you", "put you through", "an agent will",
		"will answer in this", "handing you over", "hand you over", "handing you to", "hand you to", "passing you over",
		"pass you over", "pass you to", "a colleague", "a human agent", "a member of our team", "someone from our team",
		"a person will",
		"te atiende una persona", "una persona te atendera", "una persona te respondera", "one of our agents", "our team will reply"}

	aiDisclosure = []string{"asistente virtual", "asistente automatico", "asistente digital", "bot", "chatbot", "ia",
		"inteligencia artificial", "automatico", "automatizado", "virtual assistant", "ai", "automated", "artificial intelligence",
		"digital assistant", "agente virtual", "virtual agent"}

	rightsAccess    = []string{"acceso", "access"}
	rightsErasure   = []string{"supresion", "suprimir", "borrar", "erasure", "erase", "delete"}
	rightsObjection = []string{"oposicion", "oponerte", "oponerse", "object", "objection", "opt out", "opt-out"}
	processorsMeta  = []string{"meta", "whatsapp"}
	processorsGoog  = []string{"google", "dialogflow"}
	privacyWords    = []string{"privacidad", "datos personales", "proteccion de datos", "no compartas", "privacy",
		"personal data", "data protection", "don't share", "do not share", "informacion sensible", "sensitive information"}

	dsrAck = []string{"solicitud", "hemos recibido", "recibido", "registrado", "registrada", "tramitando", "gestionando",
		"request", "received", "registered", "processing"}
	feeWords  = []string{"€", "euros", "eur", "tasa", "tarifa", "abonar", "pagar", "coste de", "cuesta", "fee", "charge", "pay", "costs", "cost of"}
	freeWords = []string{"gratis", "gratuito", "gratuita", "sin coste", "sin ningun coste", "free of charge", "no cost", "free"}
	// extension is a deadline extension or a delay announced: an extension word, or a response time with a
	// period beyond one month (dsr "we will answer within three months").
	extension = []string{"prorroga", "ampliar el plazo", "ampliamos el plazo", "plazo adicional", "extend", "extension",
		"additional time", "ampliaremos"}
	answerWithin = []string{"en un plazo de", "plazo de", "dentro de", "within", "responderemos en", "atenderemos en", "we will answer in",
		"necesitaremos", "tardaremos", "we will need", "it will take", "we need"}
	beyondMonth = []string{"dos meses", "tres meses", "two months", "three months", "60 dias", "90 dias", "60 days", "90 days",
		"cuatro meses", "four months", "seis meses", "six months"}
	overlong = []string{"cuatro meses", "four months", "seis meses", "six months", "120 dias", "120 days", "180 dias", "180 days"}
	reasons  = []string{"debido a", "por la complejidad", "por el numero", "porque", "because", "due to", "complex", "complejidad", "volumen"}
	refusal  = []string{"no podemos atender", "no podemos tramitar", "denegar", "denegamos", "denegada", "rechazamos",
		"rechazada", "cannot fulfil", "can't fulfil", "cannot process", "unable to", "we refuse", "declined", "refused"}
	authority = []string{"aepd", "agencia espanola de proteccion de datos", "autoridad de control", "supervisory authority"}
	done      = map[string][]string{
		"erasure":       {"suprimido", "suprimidos", "eliminado", "eliminados", "borrado", "borrados", "deleted", "erased", "removed"},
		"rectification": {"actualizado", "actualizados", "corregido", "corregidos", "rectificado", "rectificados", "updated", "corrected"},
		"restriction":   {"limitado", "limitada", "restringido", "restringida", "restricted", "limited", "limitamos"},
		"objection":     {"no recibiras", "no volveremos", "no usaremos", "no utilizaremos", "won't", "will not", "no longer", "oposicion", "objection", "baja"},
	}
	idDocument = []string{"foto del dni", "foto de tu dni", "copia del dni", "copia de tu dni", "foto de tu documento",
		"foto del pasaporte", "photo of your id", "copy of your id", "photo of your passport", "scan of your id", "selfie"}

	// sensitive request (WA-SENS-01): a verb asking for one of the nouns, in one sentence, unless the
	// sentence asks only for part of it or warns against sharing.
	askVerbs = []string{"envia", "enviame", "envianos", "indica", "indicame", "indicanos", "dime", "dinos", "facilita",
		"facilitame", "facilitanos", "proporciona", "proporcioname", "proporcionanos", "escribe", "escribeme", "introduce",
		"comparte", "compartenos", "manda", "mandame", "mandanos", "adjunta", "necesito tu", "necesitamos tu", "necesito el",
		"necesitamos el", "cual es tu", "cual es el", "send", "provide", "enter", "share", "tell me", "tell us", "type",
		"give us", "give me", "need your", "upload", "attach", "reply with", "what is your", "what's your"}
	sensitiveNouns = []string{"numero de tarjeta", "numero completo", "numero de la tarjeta", "number of the card", "full number",
		"datos bancarios", "bank details", "tarjeta de credito", "tarjeta de debito", "datos de la tarjeta",
		"datos de tu tarjeta", "cvv", "cvc", "codigo de seguridad", "iban", "cuenta bancaria", "numero de cuenta", "dni", "nie",
		"nif", "pasaporte", "seguridad social", "nuss", "contrasena", "clave", "pin", "card number", "credit card",
		"debit card", "card details", "security code", "bank account", "account number", "passport", "social security",
		"password", "id card", "national id"}
	partialOK = []string{"ultimos 4", "ultimos cuatro", "4 ultimos", "cuatro ultimos", "last 4", "last four", "ultimas 4", "ultimas cuatro"}
	negation  = []string{"nunca", "jamas", "no compartas", "no envies", "no nos envies", "no nos pidas", "never", "don't", "do not", "no te pediremos", "no te pedimos"}

	// orderStatus is where an order is: an answer about it, whatever the business's order codes look like.
	orderStatus = []string{"en camino", "enviado", "enviada", "ha salido", "entregado", "entregada", "se entrego", "en reparto",
		"en transito", "preparando", "en preparacion", "pendiente de envio", "en el almacen", "llegara", "devuelto", "cancelado",
		"on its way", "on the way", "shipped", "dispatched", "delivered", "out for delivery", "in transit", "packing",
		"being prepared", "preparing", "processing", "will arrive", "arriving", "returned", "cancelled", "canceled"}

	complaint = []string{"queja", "reclamacion", "reclamar", "quiero reclamar", "complaint", "complain", "reclamo"}
)
