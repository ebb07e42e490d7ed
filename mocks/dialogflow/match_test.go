package dialogflow

import (
	"io/fs"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/fixtures"
)

func fixtureAgent(tb testing.TB) *Agent {
	tb.Helper()
	sub, err := fs.Sub(fixtures.Agent, "agent")
	if err != nil {
		tb.Fatal(err)
	}
	a, err := LoadAgent(sub)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

func activeOf(in *Intent) map[string]bool {
	m := map[string]bool{}
	for _, c := range in.InputContexts {
		m[c] = true
	}
	return m
}

// TestEveryTrainingPhraseMatches is generated from the fixture: each training phrase, typed as is, must
// match its own intent with confidence 1 (a grammar match), with its input contexts active.
func TestEveryTrainingPhraseMatches(t *testing.T) {
	a := fixtureAgent(t)
	m := newMatcher(a)
	n := 0
	for _, in := range a.Intents {
		for lang, ps := range in.Phrases {
			for _, p := range ps {
				n++
				q := m.newQuery(lang, p.Text(), testNow)
				got := m.best(q, activeOf(in), a.MLMinConfidence)
				if got == nil || got.intent != in || got.score != 1 {
					name, score := "(fallback)", 0.0
					if got != nil {
						name, score = got.intent.DisplayName, got.score
					}
					t.Errorf("%s %q: matched %s (%.2f), want %s with confidence 1", lang, p.Text(), name, score, in.DisplayName)
					continue
				}
				for _, part := range p.Parts {
					if part.Alias != "" && got.params[part.Alias] == nil {
						t.Errorf("%s %q: parameter %s not extracted (%v)", lang, p.Text(), part.Alias, got.params)
					}
				}
			}
		}
	}
	if n < 300 {
		t.Errorf("only %d training phrases in the fixture; the agent should be generous", n)
	}
}

// TestParaphrases: text that is not a training phrase, with typos, missing accents, extra words and other
// casing, still matches its intent; off-topic text falls back.
func TestParaphrases(t *testing.T) {
	a := fixtureAgent(t)
	m := newMatcher(a)
	for _, tc := range []struct {
		name, lang, text, intent string
		contexts                 []string
	}{
		{"es greeting with typo", "es", "holaaa buenos dias", "welcome", nil},
		{"es order no accents", "es", "donde esta mi pedido 98765 porfa", "order.status", nil},
		{"es order typo", "es", "hola, kiero saber donde esta mi pedio", "order.status", nil},
		{"es order long", "es", "Buenas tardes, hice un pedido la semana pasada y todavía no ha llegado, ¿me decís algo?", "order.status", nil},
		{"es receipt", "es", "me podeis enviar la factura de mi compra?", "receipt", nil},
		{"es receipt typo", "es", "necesito el tiket de la compra", "receipt", nil},
		{"es optout shouting", "es", "¡¡NO QUIERO MAS MENSAJES!!", "optout", nil},
		{"es optout paraphrase", "es", "por favor dejad de mandarme mensajes", "optout", nil},
		{"es optout robinson", "es", "me he apuntado a la lista robinson, no me escribais", "optout", nil},
		{"es optout baja typo", "es", "quiero darme de vaja", "optout", nil},
		{"es access", "es", "que datos personales teneis mios?", "dsr.access", nil},
		{"es erasure", "es", "quiero que borreis todos mis datos", "dsr.erasure", nil},
		{"es erasure olvido", "es", "ejercer el derecho al olvido", "dsr.erasure", nil},
		{"es rectification", "es", "mi direccion esta mal, quiero corregirla", "dsr.rectification", nil},
		{"es portability", "es", "quiero exportar todos mis datos personales", "dsr.portability", nil},
		{"es objection", "es", "me opongo a que useis mis datos", "dsr.objection", nil},
		{"es restriction", "es", "quiero limitar el tratamiento de mis datos", "dsr.restriction", nil},
		{"es handoff", "es", "pasame con una persona por favor", "human.handoff", nil},
		{"es handoff robot", "es", "no quiero hablar con una maquina, quiero una persona", "human.handoff", nil},
		{"es privacy", "es", "que haceis con mis datos personales?", "privacy.question", nil},
		{"es privacy bot", "es", "estoy hablando con un bot?", "privacy.question", nil},
		{"es thanks", "es", "muchisimas gracias", "thanks", nil},
		{"es goodbye", "es", "adios, hasta luego", "goodbye", nil},
		{"es optin yes in context", "es", "si, claro", "optin.yes", []string{"awaiting_optin"}},
		{"es optin no in context", "es", "no gracias", "optin.no", []string{"awaiting_optin"}},
		{"en greeting", "en", "Hello there!", "welcome", nil},
		{"en order typo", "en", "where is my oder 12345", "order.status", nil},
		{"en order paraphrase", "en", "my package hasn't arrived yet", "order.status", nil},
		{"en receipt", "en", "could you send me the receipt please", "receipt", nil},
		{"en optout", "en", "please stop sending me messages", "optout", nil},
		{"en optout unsubscribe typo", "en", "unsubscibe", "optout", nil},
		{"en access", "en", "what personal data do you have on me?", "dsr.access", nil},
		{"en erasure", "en", "please delete all my data", "dsr.erasure", nil},
		{"en handoff", "en", "can I talk to a real person", "human.handoff", nil},
		{"en privacy", "en", "where is your privacy policy", "privacy.question", nil},
		{"en thanks", "en", "thanks so much", "thanks", nil},
		{"en goodbye", "en", "ok bye", "goodbye", nil},
		{"en optin yes in context", "en", "yes sure", "optin.yes", []string{"awaiting_optin"}},
		{"es portability", "es", "me podéis pasar todos mis datos en un fichero para cambiarme de empresa", "dsr.portability", nil},
		{"es objection marketing", "es", "no quiero que uséis mis datos con fines publicitarios", "dsr.objection", nil},
		{"es restriction", "es", "suspended el uso de mis datos mientras revisáis mi queja", "dsr.restriction", nil},
		{"es rectification email", "es", "mi email ha cambiado, ahora es nuevo@example.com", "dsr.rectification", nil},
		{"es access copy", "es", "quiero una copia de toda la informacion que teneis sobre mi", "dsr.access", nil},
		{"es erasure account", "es", "quiero borrar mi cuenta y todos mis datos", "dsr.erasure", nil},
		{"es receipt ticket regalo", "es", "necesito el ticket regalo de mi compra", "receipt", nil},
		{"es handoff agent", "es", "quiero que me atienda un agente humano", "human.handoff", nil},
		{"es privacy third parties", "es", "¿vendéis mis datos a otras empresas?", "privacy.question", nil},
		{"es optout unsubscribe anglicism", "es", "unsubscribe", "optout", nil},
		{"es optout no autorizo", "es", "No autorizo el envío de mensajes", "optout", nil},
		{"es goodbye", "es", "venga, hasta pronto", "goodbye", nil},
		{"en portability", "en", "can I get a copy of my data in csv to move to another company", "dsr.portability", nil},
		{"en objection", "en", "I don't want you to use my data for marketing", "dsr.objection", nil},
		{"en restriction", "en", "please restrict how you process my data", "dsr.restriction", nil},
		{"en rectification", "en", "my address is wrong, please fix it", "dsr.rectification", nil},
		{"en erasure", "en", "I want you to erase everything you have about me", "dsr.erasure", nil},
		{"en privacy", "en", "do you sell my data to third parties?", "privacy.question", nil},
		{"en order", "en", "when is my order arriving?", "order.status", nil},
		{"en welcome", "en", "good morning!", "welcome", nil},
		{"en optout robinson", "en", "please remove me from your contact list", "optout", nil},
		{"en optin no in context", "en", "no thank you", "optin.no", []string{"awaiting_optin"}},
		{"es off-topic", "es", "cuál es la capital de Francia", "", nil},
		{"es off-topic football", "es", "quién ganó el partido del domingo", "", nil},
		{"en off-topic", "en", "what is the weather like in Paris", "", nil},
		{"en gibberish", "en", "asdkjh qwoeiu zxcmnb", "", nil},
		{"es yes without context falls back", "es", "sí", "", nil},
		{"en no without context falls back", "en", "no", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			active := map[string]bool{}
			for _, c := range tc.contexts {
				active[c] = true
			}
			got := m.best(m.newQuery(tc.lang, tc.text, testNow), active, a.MLMinConfidence)
			name, score := "", 0.0
			if got != nil {
				name, score = got.intent.DisplayName, got.score
			}
			if name != tc.intent {
				t.Errorf("%q matched %q (%.2f), want %q", tc.text, name, score, tc.intent)
			}
		})
	}
}

// typo makes a plausible typing slip in text: accents dropped, and two adjacent letters of its longest
// word (5+ letters) swapped. It returns "" when the text has no such word.
func typo(text string) string {
	folded := []rune{}
	for _, r := range text {
		if f := fold(r); f != r && r != []rune(strings.ToUpper(string(f)))[0] {
			r = f
		}
		folded = append(folded, r)
	}
	s := string(folded)
	best := ""
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !isWordRune(r) }) {
		if len([]rune(w)) > len([]rune(best)) {
			best = w
		}
	}
	rs := []rune(best)
	if len(rs) < 5 {
		return ""
	}
	rs[1], rs[2] = rs[2], rs[1]
	return strings.Replace(s, best, string(rs), 1)
}

// TestGeneratedTypos is generated from the fixture: every training phrase with a word of five letters or
// more, typed without accents and with two letters of that word swapped, still matches its intent.
func TestGeneratedTypos(t *testing.T) {
	a := fixtureAgent(t)
	m := newMatcher(a)
	total, missed := 0, 0
	for _, in := range a.Intents {
		for lang, ps := range in.Phrases {
			for _, p := range ps {
				text := typo(p.Text())
				if text == "" || text == p.Text() {
					continue
				}
				total++
				got := m.best(m.newQuery(lang, text, testNow), activeOf(in), a.MLMinConfidence)
				if got == nil || got.intent != in {
					missed++
					name := "(fallback)"
					if got != nil {
						name = got.intent.DisplayName
					}
					t.Logf("%s %q → %s, want %s", lang, text, name, in.DisplayName)
				}
			}
		}
	}
	// A few phrases are one long word away from another intent's; demand 95%.
	if total < 200 || float64(missed) > 0.05*float64(total) {
		t.Errorf("%d of %d phrases with a typo missed their intent", missed, total)
	}
	t.Logf("%d of %d phrases with a typo matched", total-missed, total)
}

// TestOffTopicFallsBack: small talk and other businesses' questions, in both languages, fall back.
func TestOffTopicFallsBack(t *testing.T) {
	a := fixtureAgent(t)
	m := newMatcher(a)
	for _, tc := range []struct{ lang, text string }{
		{"es", "cuál es la capital de Francia"},
		{"es", "quién ganó el partido del domingo"},
		{"es", "me gusta mucho la paella"},
		{"es", "qué tiempo hará el fin de semana"},
		{"es", "recomiéndame una película de miedo"},
		{"es", "cuánto es dos más dos"},
		{"es", "jajaja"},
		{"es", "🙂👍"},
		{"es", "asdfgh"},
		{"es", "tengo que llevar el coche al taller"},
		{"en", "what is the weather like in Paris"},
		{"en", "tell me a joke"},
		{"en", "who won the football match"},
		{"en", "I like pizza with pineapple"},
		{"en", "how tall is the Eiffel tower"},
		{"en", "lol"},
		{"en", "what's the meaning of life"},
		{"en", "play some music"},
	} {
		if got := m.best(m.newQuery(tc.lang, tc.text, testNow), nil, a.MLMinConfidence); got != nil {
			t.Errorf("%s %q matched %s (%.2f), want fallback", tc.lang, tc.text, got.intent.DisplayName, got.score)
		}
	}
}

func TestSimilarity(t *testing.T) {
	for _, tc := range []struct {
		name, a, b string
		want       float64
	}{
		{"equal", "pedido", "pedido", 1},
		{"one substitution in a 6-letter word", "pedido", "pedida", 1 - 1.0/6},
		{"swap counts as one edit", "unsubscibe", "unsubscribe", 1 - 1.0/11},
		{"transposition", "ordre", "order", 1 - 1.0/5},
		{"short words must be equal", "dar", "dal", 0},
		{"two edits in a 7-letter word is too many", "weather", "rather", 0},
		{"two edits from 8 letters", "privacidad", "privasidat", 1 - 2.0/10},
		{"stem", "process", "processing", stemSimilarity},
		{"stem too short", "dato", "datos", 1 - 1.0/5},
		{"unrelated", "factura", "persona", 0},
		{"long words do not overflow the stack rows", strings.Repeat("a", 40), strings.Repeat("a", 39) + "b", 1 - 1.0/40},
	} {
		if got := similarity(tc.a, tc.b); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: similarity(%q, %q) = %v, want %v", tc.name, tc.a, tc.b, got, tc.want)
		}
	}
}
