package harbour

import (
	"regexp"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// want is what a customer's message asks for, as the assistant understands it.
type want int

const (
	wantNothing     want = iota // small talk or not understood
	wantGreeting                // hello, hola
	wantMenu                    // show me the menu
	wantOrder                   // where is my order
	wantOffers                  // I'd like your offers
	wantPrivacy                 // what do you do with my data
	wantPerson                  // a human, please
	wantOptOut                  // stop the offers
	wantYes                     // an answer to a yes/no question
	wantNo                      //
	wantComplaint               // I want to complain
	wantAccess                  // a copy of my data
	wantPortability             // my data in a portable format
	wantErasure                 // delete my data
	wantRectify                 // my e-mail has changed
	wantRestrict                // limit what you do with my data
	wantObject                  // do not use my data for marketing
	wantThanks                  // thanks, bye
)

// isRequest says whether w is a data-protection request (they get a case reference).
func (w want) isRequest() bool { return w >= wantAccess && w <= wantObject }

// fold lowercases s, strips accents and collapses spaces, so "¿Qué DATOS?" reads "¿que datos?".
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.Join(strings.Fields(strings.ToLower(out)), " ")
}

// contains reports whether folded text holds one of the phrases as whole words.
func contains(text string, phrases ...string) bool {
	for _, p := range phrases {
		for off := 0; off <= len(text); {
			i := strings.Index(text[off:], p)
			if i < 0 {
				break
			}
			i += off
			end := i + len(p)
			if boundary(text, i-1) && boundary(text, end) {
				return true
			}
			off = i + 1
		}
	}
	return false
}

func boundary(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c >= 0x80)
}

// The customer's words for each want, folded, English and Spanish. Order matters where a sentence
// could mean two things: an objection to marketing is not a plain opt-out, a portable copy is not a
// plain copy.
var phrases = []struct {
	w     want
	words []string
}{
	{wantObject, []string{"me opongo", "oponerme", "oposicion", "i object", "object to", "objection",
		"stop using my data", "dejad de usar mis datos", "no useis mis datos", "don't use my data", "do not use my data"}},
	{wantRestrict, []string{"limitar", "limiteis", "limitad", "restringir", "restrinjais", "limitacion",
		"restrict", "restriction", "limit the processing", "limit processing", "limit what you do", "limit how you use"}},
	{wantErasure, []string{"borrad", "borra", "borrar", "borreis", "suprimir", "supresion", "suprimid", "eliminad",
		"eliminar mis datos", "elimina mis datos", "olvidadme", "delete my", "delete all", "erase", "erasure",
		"forget me", "remove my data", "wipe my data", "derecho al olvido", "right to be forgotten"}},
	{wantPortability, []string{"portabilidad", "portability", "otra empresa", "another company", "machine-readable",
		"machine readable", "formato que pueda", "a format i can", "transfer my data", "llevar mis datos"}},
	{wantRectify, []string{"rectificar", "rectificacion", "rectify", "rectification", "ha cambiado", "has changed",
		"corregir mis datos", "correct my", "update my", "actualizad mi", "actualizar mi", "cambiar mi email",
		"change my email", "ahora es", "it is now", "my new email", "mi nuevo email"}},
	{wantAccess, []string{"copia de mis datos", "copia de los datos", "copia de todos", "una copia", "mis datos personales",
		"que datos teneis", "que datos tienen", "acceso a mis datos", "derecho de acceso", "copy of my data",
		"a copy of", "my personal data", "what data do you", "what data you", "access to my data", "right of access",
		"access request", "subject access"}},
	{wantOptOut, []string{"baja", "darme de baja", "stop", "unsubscribe", "opt out", "opt-out", "no quiero mas",
		"no mas mensajes", "no mas ofertas", "dejad de enviar", "dejen de enviar", "deja de enviar", "dejad de mandar",
		"dejad de enviarme", "dejen de enviarme", "deja de enviarme", "dejad de mandarme", "no quiero publicidad",
		"no quiero recibir", "stop sending me", "no longer want",
		"no me envieis", "no me mandeis", "no me escribais", "cancelar suscripcion", "darme de baja", "stop sending",
		"no more messages", "no more offers", "don't send me", "do not send me", "leave me alone", "remove me"}},
	{wantComplaint, []string{"queja", "reclamacion", "reclamar", "reclamo", "complaint", "complain", "arrived broken",
		"llego roto", "llego rota"}},
	{wantPerson, []string{"persona", "humano", "humana", "agente", "operador", "hablar con alguien", "person",
		"human", "agent", "someone real", "real person", "talk to someone", "speak to someone", "representative"}},
	{wantOffers, []string{"ofertas", "novedades", "promociones", "offers", "news", "deals", "promotions",
		"newsletter", "subscribe", "suscribirme", "apuntarme"}},
	{wantPrivacy, []string{"privacidad", "proteccion de datos", "mis datos", "privacy", "data protection", "my data",
		"gdpr", "rgpd"}},
	{wantOrder, []string{"pedido", "pedidos", "order", "orders", "parcel", "paquete", "envio", "delivery", "track",
		"seguimiento", "donde esta", "where is"}},
	{wantMenu, []string{"menu", "opciones", "options", "ayuda", "help"}},
	{wantYes, []string{"si", "yes", "yep", "yeah", "vale", "claro", "de acuerdo", "ok", "okay", "sure", "please do",
		"acepto", "i agree", "si, por favor", "yes please"}},
	{wantNo, []string{"no", "nope", "no gracias", "no thanks", "ahora no", "not now", "no, thanks"}},
	{wantGreeting, []string{"hola", "buenas", "buenos dias", "buenas tardes", "hello", "hi", "hey", "good morning",
		"good afternoon", "hola otra vez"}},
	{wantThanks, []string{"gracias", "thanks", "thank you", "adios", "bye", "hasta luego", "cheers"}},
}

// understand reads what a message asks for from its words alone.
func understand(text string) want {
	t := fold(text)
	if t == "" {
		return wantNothing
	}
	for _, p := range phrases {
		if contains(t, p.words...) {
			return p.w
		}
	}
	return wantNothing
}

// menuChoice reads a numbered menu answer: "2", "2.", "option 2", "opción 2", "número 2", "#2". It
// answers 0 when the text is not a bare choice.
func menuChoice(text string) int {
	m := choicePattern.FindStringSubmatch(fold(text))
	if m == nil {
		return 0
	}
	return int(m[1][0] - '0')
}

var choicePattern = regexp.MustCompile(`^(?:(?:option|opcion|numero|number|la|el|#)\s*)?([1-9])[.)]?(?:\s*(?:please|por favor))?[.!]?$`)

// Words that mark a language: the assistant answers each message in the language its words are in, and
// stays in the customer's language when a message has none of them ("1", "ok").
var (
	spanishWords = []string{"hola", "quiero", "quiero", "mis", "mi", "por favor", "gracias", "donde", "esta", "pedido",
		"datos", "que", "de", "los", "las", "el", "la", "me", "con", "una", "un", "para", "baja", "buenas", "si",
		"tengo", "teneis", "sobre", "persona", "ofertas", "dejad", "no quiero", "borrad", "ayuda", "otra", "vez",
		"llamo", "es", "correo", "telefono", "ahora", "cambiado", "mas", "envieis", "hablar", "favor", "oponerme",
		"me opongo", "limitar", "tratamiento", "queja", "adios", "vale", "claro"}
	englishWords = []string{"hello", "hi", "i", "my", "the", "please", "thanks", "thank", "you", "where", "is", "order",
		"data", "want", "would", "like", "to", "of", "a", "an", "me", "with", "for", "stop", "yes", "have", "about",
		"person", "offers", "delete", "help", "again", "name", "email", "phone", "number", "changed", "now", "send",
		"talk", "speak", "object", "restrict", "complaint", "bye", "sure", "what", "your", "can", "unsubscribe", "it"}
)

// language guesses the language of a message: "en", "es", or "" when its words do not say.
func language(text string) string {
	t := fold(text)
	var es, en int
	for _, w := range strings.FieldsFunc(t, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if contains(w, spanishWords...) {
			es++
		}
		if contains(w, englishWords...) {
			en++
		}
	}
	if strings.ContainsAny(text, "¿¡ñÑ") {
		es += 2
	}
	switch {
	case es > en:
		return "es"
	case en > es:
		return "en"
	}
	return ""
}
