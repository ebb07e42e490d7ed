package sim

import "regexp"

// The words a simulated customer reads options by, folded (lower case, no accents), Spanish and English.
// What the assistant's messages mean (an opt-in question, an opt-out confirmed, a handoff) is judged with
// the auditor's own classifiers (audit.Means); these lists say only what an option offers to do.
var (
	// yesOption and noOption are answers to a yes/no question, as a whole label or its start.
	yesOption = regexp.MustCompile(`^\W*(si|sí|yes|yep|yeah|acepto|accept|i accept|i agree|agree|de acuerdo|vale|ok|okay|claro|por supuesto|sure|of course|confirmo|confirm|confirmar|adelante|go ahead)\b`)
	noOption  = regexp.MustCompile(`^\W*(no|nope|not now|ahora no|mejor no|prefiero que no|rechazo|rechazar|decline|no gracias|no thanks)\b`)

	// subscribeWords are labels that ask for the offers themselves ("Suscribirme", "Quiero recibirlas").
	subscribeWords = []string{"suscribirme", "suscribir", "me apunto", "apuntarme", "quiero recibir", "quiero recibirlas",
		"recibir ofertas", "subscribe", "sign me up", "sign up", "i want them", "opt in", "opt-in"}
	// offersWords name the offers: a menu item leading to them is a path to the opt-in question.
	offersWords = []string{"ofertas", "oferta", "promociones", "promos", "novedades", "descuentos", "newsletter",
		"offers", "offer", "deals", "promotions", "news", "discounts"}

	// stopWords are labels and keywords that stop marketing.
	stopWords = []string{"baja", "darme de baja", "dar de baja", "stop", "unsubscribe", "parar", "detener",
		"cancelar suscripcion", "desuscribirme", "dejar de recibir", "no quiero recibir", "no mas ofertas",
		"no mas mensajes", "no mas publicidad", "opt out", "opt-out", "stop promotions", "no more offers",
		"no more messages", "stop offers", "stop messages"}

	// confirmWords mark a message asking the customer to confirm what they asked; backWords one offering
	// to undo it, which a customer who asked to stop must not take for a confirmation.
	confirmWords = []string{"confirmar", "confirma", "confirmalo", "confirmes", "confirm", "seguro", "segura", "sure"}
	backWords    = []string{"volver a", "de nuevo", "otra vez", "again", "resubscribe", "re-subscribe", "deshacer", "undo"}

	// personWords are labels and keywords that reach a person.
	personWords = []string{"agente", "agent", "persona", "person", "humano", "human", "operador", "operadora",
		"operator", "asesor", "asesora", "advisor", "adviser", "representative", "empleado", "staff",
		"hablar con alguien", "talk to someone", "speak to someone", "atencion al cliente", "customer service",
		"equipo", "team", "llamar", "call us"}
	// helpWords lead to a place where a person may be offered.
	helpWords = []string{"ayuda", "help", "soporte", "support", "contacto", "contact", "contactar", "otras consultas",
		"otra consulta", "other questions", "something else", "otra cosa"}

	// dataWords name the customer's personal data or privacy: a menu item with them is a path to the
	// data-protection requests.
	dataWords = []string{"mis datos", "tus datos", "my data", "your data", "datos personales", "personal data",
		"privacidad", "privacy", "proteccion de datos", "data protection", "rgpd", "gdpr", "derechos", "rights",
		"informacion personal", "personal information"}
	copyWords   = []string{"copia", "copy", "acceso", "access", "descargar", "download", "ver mis datos", "see my data", "que datos", "what data", "consultar mis datos", "exportar", "export"}
	eraseWords  = []string{"borrar", "borrarlos", "borralos", "borrado", "eliminarlos", "delete them", "delete it", "eliminar", "suprimir", "supresion", "delete", "erase", "erasure", "remove", "olvido", "forget", "forgotten"}
	objectWords = []string{"oponerme", "oposicion", "me opongo", "object", "objection", "no usar mis datos", "no los usemos",
		"no usemos", "no los useis", "publicidad", "marketing", "advertising", "don't use my data", "do not use my data"}
	dataNounWord = []string{"datos", "data", "informacion", "information", "cuenta", "account"}

	// orderWords are labels that lead to a customer's orders.
	orderWords = []string{"pedido", "pedidos", "mi pedido", "order", "orders", "my order", "envio", "envios",
		"shipment", "shipping", "delivery", "entrega", "seguimiento", "tracking", "donde esta mi", "where is my", "mi compra", "my purchase"}
	// orderAsk is the assistant asking which order.
	orderAsk = []string{"numero de pedido", "numero de tu pedido", "numero del pedido", "codigo de pedido", "codigo del pedido",
		"referencia del pedido", "order number", "order code", "order reference", "which order", "que pedido", "cual es tu pedido"}
	// orderStates is an order's state as assistants report it.
	orderStates = []string{"enviado", "en camino", "en reparto", "entregado", "preparando", "en preparacion", "pendiente",
		"llegara", "salido", "shipped", "on its way", "in transit", "out for delivery", "delivered", "being prepared",
		"processing", "will arrive", "dispatched", "estado", "status"}

	// orderMissing is the assistant saying it does not know the order: the customer learnt nothing of it.
	orderMissing = []string{"no encuentro", "no encontramos", "no he encontrado", "no hemos encontrado", "no existe",
		"no tienes pedidos", "no consta", "can't find", "cannot find", "couldn't find", "could not find", "not found",
		"no order", "doesn't exist", "does not exist", "unknown order"}

	// urlLike is a web address: where an assistant handles data-protection requests on a page.
	urlLike = regexp.MustCompile(`(?i)\bhttps?://\S+|\bwww\.\S+`)
)

// freeWords are the customer's own words for each goal, in each language; a customer picks one by its
// number and the goal, so that runs repeat, and moves to the next on each further try. %s is the order.
var freeWords = map[GoalKind]map[string][]string{
	GoalOptIn: {
		"es": {"Quiero recibir vuestras ofertas por WhatsApp", "Me gustaría recibir ofertas y novedades", "¿Me podéis enviar vuestras ofertas?"},
		"en": {"I'd like to receive your offers on WhatsApp", "Please send me your offers and news", "Can I get your deals here?"},
	},
	GoalOptOut: {
		"es": {"No quiero recibir más ofertas", "Dejad de enviarme publicidad, por favor", "Quiero darme de baja de las ofertas"},
		"en": {"Please stop sending me offers", "Unsubscribe me from your offers", "I don't want any more promotions"},
	},
	GoalPerson: {
		"es": {"Quiero hablar con una persona", "¿Me pasáis con un agente, por favor?", "Necesito hablar con alguien de atención al cliente"},
		"en": {"I want to talk to a person", "Can I speak to a human agent, please?", "Please put me through to someone from your team"},
	},
	GoalDataCopy: {
		"es": {"Quiero una copia de mis datos", "Enviadme una copia de los datos que tenéis sobre mí", "Solicito acceso a mis datos personales"},
		"en": {"I want a copy of my data", "Please send me a copy of the personal data you hold about me", "I request access to my personal data"},
	},
	GoalErasure: {
		"es": {"Borrad mis datos, por favor", "Quiero que eliminéis mis datos personales", "Solicito la supresión de mis datos"},
		"en": {"Please delete my data", "I want you to erase my personal data", "Remove all my data, please"},
	},
	GoalObjection: {
		"es": {"Me opongo a que uséis mis datos para publicidad", "No quiero que uséis mis datos para marketing", "Ejerzo mi derecho de oposición al uso de mis datos para publicidad"},
		"en": {"I object to the use of my data for marketing", "Don't use my data for advertising", "I object to my data being used for marketing"},
	},
	GoalOrder: {
		"es": {"¿Dónde está mi pedido %s?", "¿Cómo va mi pedido %s?", "Quiero saber el estado del pedido %s"},
		"en": {"Where is my order %s?", "What's the status of my order %s?", "Can you tell me how my order %s is going?"},
	},
}

// answers are the customer's own yes and no to an opt-in question that offers no buttons.
var answers = map[bool]map[string]string{
	true:  {"es": "Sí, quiero recibirlas", "en": "Yes, I'd like to receive them"},
	false: {"es": "No, gracias", "en": "No, thanks"},
}
