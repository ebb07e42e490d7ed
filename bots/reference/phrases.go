package reference

import (
	"math/bits"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// intent is what the assistant understood a message to be. The rights and opt-out intents are recognised
// here, before Dialogflow, because the Spanish data-protection authority (AEPD) holds that a business
// whose chatbot misses a customer exercising a right may infringe the GDPR, "not programmed to understand
// it" being no excuse: recognition must not depend on a model's confidence.
type intent string

const (
	intentNone          intent = ""
	intentOptOut        intent = "optout"
	intentResubscribe   intent = "resubscribe"
	intentObjection     intent = "objection"
	intentAccess        intent = "access"
	intentPortability   intent = "portability"
	intentRectification intent = "rectification"
	intentErasure       intent = "erasure"
	intentRestriction   intent = "restriction"
	intentHuman         intent = "human"
	intentComplaint     intent = "complaint"
	intentYes           intent = "yes"
	intentNo            intent = "no"
	intentOrder         intent = "order"
	intentTicket        intent = "ticket"
	intentPrivacy       intent = "privacy"
)

// normalise lower-cases, folds accents (á→a, ñ→n), turns punctuation into spaces and collapses runs of
// spaces, so "¡¡NO quiero MÁS mensajes!!" and "no quiero mas mensajes" compare equal.
func normalise(s string) string {
	if ascii(s) {
		return normaliseASCII(s)
	}
	t := foldPool.Get().(transform.Transformer)
	folded, _, err := transform.String(t, s)
	foldPool.Put(t)
	if err != nil {
		folded = s
	}
	var b strings.Builder
	b.Grow(len(folded))
	space := true
	for _, r := range strings.ToLower(folded) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
			continue
		}
		if r == '\'' || r == '’' { // "don't" → "dont"
			continue
		}
		if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// foldPool holds the accent-folding transformers: a chain allocates kilobytes of buffers, and
// transform.String resets it before use.
var foldPool = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normaliseASCII is normalise for ASCII text, which has no accents to fold: the same result without the
// Unicode tables.
func normaliseASCII(s string) string {
	buf := make([]byte, 0, len(s))
	space := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			buf = append(buf, c)
			space = false
			continue
		case c == '\'':
			continue
		}
		if !space {
			buf = append(buf, ' ')
			space = true
		}
	}
	if n := len(buf); n > 0 && buf[n-1] == ' ' {
		buf = buf[:n-1]
	}
	return string(buf)
}

// alt is one position of a pattern: any of its words.
type alt []string

// pattern is a sequence of positions; the words must appear in order, with at most maxGap other words
// between consecutive positions.
type pattern []alt

func words(s ...string) alt { return alt(s) }

const maxGap = 3

// rule recognises one intent by whole-message keywords (the message is the keyword, give or take filler
// words such as "por favor") or by patterns anywhere in the message.
type rule struct {
	intent   intent
	keywords []string
	patterns []pattern
}

var fillers = map[string]bool{
	"por": true, "favor": true, "porfa": true, "please": true, "pls": true, "plz": true, "ya": true,
	"ahora": true, "now": true, "gracias": true, "thanks": true, "thank": true, "you": true, "me": true,
	"quiero": true, "i": true, "want": true, "to": true, "de": true, "la": true, "el": true, "a": true,
	"hola": true, "hi": true, "hello": true, "ok": true, "vale": true, "all": true, "todo": true,
}

var (
	deleteVerbs = words("borra", "borrad", "borrar", "borren", "borres", "borreis", "elimina", "eliminad", "eliminar",
		"eliminen", "elimines", "suprime", "suprimid", "suprimir", "supriman", "delete", "erase", "remove", "wipe", "purge")
	dataNouns = words("datos", "data", "informacion", "information", "info", "cuenta", "account", "historial", "history",
		"conversaciones", "conversations", "registros", "records")
	accessVerbs = words("quiero", "dame", "dadme", "denme", "enviame", "enviadme", "mandame", "mandadme", "ver", "see",
		"get", "send", "access", "acceder", "acceso", "copia", "copy", "consultar", "know", "saber", "tienes", "teneis",
		"tienen", "have", "hold", "guardais", "guardan", "store", "keep")
	fixVerbs = words("corregir", "corrige", "corregid", "rectificar", "rectifica", "rectificad", "actualizar", "actualiza",
		"actualizad", "cambiar", "cambia", "modificar", "modifica", "correct", "update", "fix", "change", "amend")
	fieldNouns = words("datos", "data", "email", "correo", "mail", "nombre", "name", "direccion", "address", "apellido",
		"telefono", "phone", "details")
	talkVerbs = words("hablar", "hable", "habla", "hablo", "talk", "speak", "pasame", "pasar", "pasadme", "ponme",
		"connect", "transfer", "quiero", "want", "need", "necesito", "contactar", "chat")
	humanNouns = words("persona", "humano", "humana", "agente", "operador", "operadora", "alguien", "someone", "somebody",
		"human", "person", "agent", "representative", "operator", "empleado", "employee", "asesor", "gestor")
)

// rules are tried in order; the first that matches wins. Rights come before opt-out ("no uséis mis datos
// para publicidad" is an objection, "borrad mis datos" is erasure, not opt-out), and opt-out before the
// human and complaint intents.
var rules = []rule{
	{intent: intentErasure, patterns: []pattern{
		{deleteVerbs, dataNouns},
		{words("derecho"), words("olvido", "supresion", "borrado")},
		{words("right"), words("forgotten", "erasure")},
		{words("forget"), words("me")},
		{words("supresion"), words("datos")},
	}},
	{intent: intentPortability, keywords: []string{"portabilidad", "portability"}, patterns: []pattern{
		{words("portabilidad", "portability")},
		{words("exportar", "exporta", "exportad", "descargar", "descarga", "export", "download"), dataNouns},
	}},
	{intent: intentRectification, keywords: []string{"rectificacion", "rectification"}, patterns: []pattern{
		{fixVerbs, fieldNouns},
		{words("rectificacion", "rectification", "rectificar")},
		{words("email", "correo", "nombre", "name", "direccion", "address", "mail"), words("cambiado", "changed", "incorrecto", "incorrect", "wrong", "mal", "erroneo")},
		{words("mi", "my"), words("email", "correo", "nombre", "name", "mail"), words("es", "is", "ahora", "now", "nuevo", "new")},
	}},
	{intent: intentRestriction, patterns: []pattern{
		{words("limitar", "limita", "limitad", "limitacion", "limiteis", "restringir", "restringid", "restrict", "restriction", "limit"), words("tratamiento", "processing", "uso", "use", "datos", "data")},
		{words("derecho"), words("limitacion")},
	}},
	{intent: intentObjection, keywords: []string{"oposicion", "objection"}, patterns: []pattern{
		{words("me"), words("opongo")},
		{words("derecho"), words("oposicion")},
		{words("i"), words("object")},
		{words("object"), words("to")},
		{words("no", "dont", "not"), words("useis", "uses", "usen", "utiliceis", "utilices", "uséis", "use", "usar", "utilizar"), words("datos", "data", "informacion", "information"), words("publicidad", "marketing", "anuncios", "promociones", "advertising", "ofertas", "comerciales", "comercial")},
	}},
	{intent: intentAccess, keywords: []string{"dsar", "sar"}, patterns: []pattern{
		{words("derecho"), words("acceso")},
		{words("acceso", "access"), words("datos", "data")},
		{words("subject"), words("access")},
		{words("copia", "copy"), words("datos", "data")},
		{words("que", "what", "which", "cuales"), dataNouns, words("tienes", "teneis", "tienen", "guardais", "guardan", "have", "hold", "store", "keep")},
		{accessVerbs, words("mis", "my"), dataNouns},
	}},
	{intent: intentOptOut,
		keywords: []string{"baja", "stop", "stopall", "parar", "para", "detener", "deten", "cancelar", "anular",
			"unsubscribe", "cancel", "end", "quit", "optout", "revoke", "remove", "basta", "desuscribir", "desuscribirme"},
		patterns: []pattern{
			{words("de"), words("baja")},
			{words("stop"), words("all")},
			{words("no"), words("quiero", "quiere", "deseo", "quier"), words("recibir", "mas", "mensajes", "publicidad", "ofertas", "promociones", "que")},
			{words("no"), words("mas"), words("mensajes", "publicidad", "ofertas", "promociones", "whatsapps", "spam")},
			{words("deja", "dejad", "dejen", "deje", "dejar"), words("de"), words("escribirme", "enviarme", "mandarme", "molestarme", "escribir", "enviar", "mandar", "contactarme")},
			{words("cesen", "cese", "cesad", "cesar"), words("envio", "envios", "mensajes", "comunicaciones")},
			{words("no"), words("autorizo", "consiento")},
			{words("lista"), words("robinson")},
			{words("retiro", "revoco", "retirar", "revocar"), words("consentimiento")},
			{words("anular", "cancelar", "darme", "dame", "dar"), words("suscripcion", "baja")},
			{words("desuscribir", "desuscribirme", "desuscribeme", "darse", "unsubscribe", "optout")},
			{words("stop", "quit", "cease"), words("messaging", "sending", "texting", "contacting", "writing", "messages", "promotions", "promos", "marketing", "offers", "ads")},
			{words("opt"), words("out")},
			{words("withdraw", "revoke"), words("consent", "my")},
			{words("dont", "not", "never"), words("message", "text", "contact", "write", "send")},
			{words("no"), words("more"), words("messages", "marketing", "offers", "promotions", "texts")},
			{words("remove", "take"), words("me")},
		}},
	{intent: intentResubscribe, keywords: []string{"alta", "suscribir", "suscribirme", "start", "unstop", "subscribe", "resume"}},
	{intent: intentHuman,
		keywords: []string{"agente", "humano", "persona", "operador", "agent", "human", "person", "representative", "operator"},
		patterns: []pattern{{talkVerbs, humanNouns}, {words("persona", "real"), words("real", "person")}}},
	{intent: intentComplaint, keywords: []string{"queja", "reclamacion", "complaint"}, patterns: []pattern{
		{words("queja", "quejas", "reclamacion", "reclamaciones", "reclamar", "quejarme", "complaint", "complain", "hoja")},
	}},
}

// yesNo recognises the explicit answers to the opt-in question. Anything else, including "ok?" or
// silence, is not consent (WA-OPTIN-02).
func yesNo(text string) intent {
	switch normalise(text) {
	case "si", "yes", "acepto", "si acepto", "yes please", "si por favor", "claro que si", "de acuerdo", "i agree",
		"agree", "accept", "i accept", "si quiero", "yes i do", "sip", "sii", "y":
		return intentYes
	case "no", "no gracias", "no thanks", "no thank you", "nope", "no quiero", "rechazo", "decline", "n":
		return intentNo
	}
	return intentNone
}

// recognise returns the compliance-relevant intent of text, or intentNone when the text is for
// Dialogflow to understand. Matching is accent- and case-insensitive and tolerates one typo in words of
// five letters or more (two in words of eight or more).
func recognise(text string) intent {
	fields := strings.Fields(normalise(text))
	if len(fields) == 0 {
		return intentNone
	}
	ws := make([]word, len(fields))
	var content []word
	for i, f := range fields {
		ws[i] = newWord(f)
		if !fillers[f] {
			content = append(content, ws[i])
		}
	}
	for _, r := range compiledRules {
		if len(content) == 1 || (len(content) == 2 && r.intent == intentOptOut && content[0].s == content[1].s) {
			for _, k := range r.keywords {
				if k.similar(content[0]) {
					return r.intent
				}
			}
		}
		for _, p := range r.patterns {
			if matchPattern(ws, p, 0, 0) {
				return r.intent
			}
		}
	}
	return intentNone
}

// word is a word of the message with its letter mask (see target).
type word struct {
	s    string
	mask uint64
}

func newWord(s string) word { return word{s, letterMask(s)} }

// target is a word of the rules, compiled: its typo allowance and its letter mask. Each edit adds or
// removes at most one distinct byte, so a word whose bytes differ from the target's in more distinct
// values (folded onto 64 bits) than the allowance cannot be within it, and needs no edit distance.
type target struct {
	s       string
	mask    uint64
	allowed int
}

func newTarget(s string) target {
	t := target{s: s, mask: letterMask(s)}
	switch n := len(s); { // the targets are ASCII (normalised)
	case n >= 8:
		t.allowed = 2
	case n >= 5:
		t.allowed = 1
	}
	return t
}

func letterMask(s string) uint64 {
	var m uint64
	for i := 0; i < len(s); i++ {
		m |= 1 << (s[i] & 63)
	}
	return m
}

// similar is equality up to a small edit distance, scaled by length so "no" never matches "na".
func (t target) similar(w word) bool {
	if w.s == t.s {
		return true
	}
	n, allowed := len(t.s), t.allowed
	if allowed == 0 || len(w.s)-n > allowed || n-len(w.s) > allowed {
		return false
	}
	if bits.OnesCount64(t.mask&^w.mask) > allowed || bits.OnesCount64(w.mask&^t.mask) > allowed {
		return false
	}
	return editDistance(w.s, t.s, allowed) <= allowed
}

// compiledRule is a rule with its words compiled to targets.
type compiledRule struct {
	intent   intent
	keywords []target
	patterns [][][]target
}

var compiledRules = compileRules(rules)

func compileRules(rs []rule) []compiledRule {
	out := make([]compiledRule, len(rs))
	for i, r := range rs {
		out[i].intent = r.intent
		for _, k := range r.keywords {
			out[i].keywords = append(out[i].keywords, newTarget(k))
		}
		for _, p := range r.patterns {
			cp := make([][]target, len(p))
			for j, a := range p {
				for _, w := range a {
					cp[j] = append(cp[j], newTarget(w))
				}
			}
			out[i].patterns = append(out[i].patterns, cp)
		}
	}
	return out
}

// recogniseKeywordsOnly is what a naive assistant does (the WA-OPTOUT-02 violation): exact BAJA/STOP only.
func recogniseKeywordsOnly(text string) intent {
	switch strings.ToUpper(strings.TrimSpace(text)) {
	case "BAJA", "STOP":
		return intentOptOut
	}
	return intentNone
}

// matchPattern reports whether the positions p[pos:] match ws in order from ws[from], the first of them
// anywhere, each later one within maxGap words of the one before.
func matchPattern(ws []word, p [][]target, pos, from int) bool {
	if pos == len(p) {
		return true
	}
	limit := len(ws)
	if pos > 0 && from+maxGap+1 < limit {
		limit = from + maxGap + 1
	}
	for i := from; i < limit; i++ {
		for _, a := range p[pos] {
			if a.similar(ws[i]) && matchPattern(ws, p, pos+1, i+1) {
				return true
			}
		}
	}
	return false
}

// editDistance is the optimal string alignment distance (Levenshtein plus adjacent transpositions) over
// bytes, cut short once it exceeds limit. Words are normalised (accents folded), so bytes are letters.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	if len(b) > 63 {
		return limit + 1 // no phrase word is that long
	}
	var r0, r1, r2 [64]int
	prev2, prev, cur := r0[:len(b)+1], r1[:len(b)+1], r2[:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			best = min(best, cur[j])
		}
		if best > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

var (
	spanishMarks = words("el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "por", "para", "con", "mi", "mis",
		"quiero", "hola", "pedido", "gracias", "no", "es", "esta", "donde", "cuando", "como", "datos", "buenas", "buenos",
		"dias", "tardes", "ayuda", "baja", "tengo", "puedo", "mas", "se", "lo", "al", "del", "teneis", "soy", "estoy")
	englishMarks = words("the", "a", "an", "of", "and", "in", "to", "is", "my", "i", "you", "what", "where", "when", "how",
		"order", "hello", "hi", "thanks", "thank", "please", "data", "want", "help", "stop", "do", "have", "can", "me",
		"with", "for", "it", "this", "your", "are", "am", "unsubscribe", "delete")
)

// detectLanguage guesses es or en from common words; ties keep the previous language.
func detectLanguage(text, previous string) string {
	if strings.ContainsAny(text, "¿¡ñÑáéíóúÁÉÍÓÚ") {
		return "es"
	}
	es, en := 0, 0
	for _, w := range strings.Fields(normalise(text)) {
		for _, m := range spanishMarks {
			if w == m {
				es++
			}
		}
		for _, m := range englishMarks {
			if w == m {
				en++
			}
		}
	}
	switch {
	case es > en:
		return "es"
	case en > es:
		return "en"
	}
	return previous
}
