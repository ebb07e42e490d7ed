package reference

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/parley-dev/parley/pii"
)

// The recogniser as it was before it was compiled (precomputed targets, letter masks, an ASCII fast path
// in normalise): kept here so that TestRecogniseSameAsBefore proves the faster one answers the same.

func oldNormalise(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	folded, _, err := transform.String(t, s)
	if err != nil {
		folded = s
	}
	var b strings.Builder
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

func oldRecognise(text string) intent {
	ws := strings.Fields(oldNormalise(text))
	if len(ws) == 0 {
		return intentNone
	}
	var content []string
	for _, w := range ws {
		if !fillers[w] {
			content = append(content, w)
		}
	}
	for _, r := range rules {
		if len(content) == 1 || (len(content) == 2 && r.intent == intentOptOut && content[0] == content[1]) {
			for _, k := range r.keywords {
				if oldSimilar(content[0], k) {
					return r.intent
				}
			}
		}
		for _, p := range r.patterns {
			if oldMatchPattern(ws, p) {
				return r.intent
			}
		}
	}
	return intentNone
}

func oldMatchPattern(ws []string, p pattern) bool {
	var try func(pos, from int) bool
	try = func(pos, from int) bool {
		if pos == len(p) {
			return true
		}
		limit := len(ws)
		if pos > 0 && from+maxGap+1 < limit {
			limit = from + maxGap + 1
		}
		for i := from; i < limit; i++ {
			for _, a := range p[pos] {
				if oldSimilar(ws[i], a) && try(pos+1, i+1) {
					return true
				}
			}
		}
		return false
	}
	return try(0, 0)
}

func oldSimilar(w, target string) bool {
	if w == target {
		return true
	}
	n := len(target) // the targets are ASCII (normalised)
	allowed := 0
	switch {
	case n >= 8:
		allowed = 2
	case n >= 5:
		allowed = 1
	}
	if allowed == 0 || len(w)-n > allowed || n-len(w) > allowed {
		return false
	}
	return editDistance(w, target, allowed) <= allowed
}

// corpus is every phrase of the package's tests and of the rules themselves, in variants.
func recogniserCorpus() []string {
	base := []string{
		"BAJA", "baja por favor", "Stop", "STOP ALL", "Quiero darme de baja", "¡No quiero MÁS mensajes!",
		"no quiero recibir más mensajes vuestros", "dejad de escribirme ya", "Cesen el envío de mensajes",
		"NO autorizo el uso de mi número", "estoy en la lista Robinson", "retiro mi consentimiento", "desuscrbirme",
		"unsubscibe", "please stop messaging me", "don't message me again", "I want to opt out", "I withdraw my consent",
		"Stop promotions", "quiero cancelar mi pedido TE-1001", "es para mi madre", "where is the bus stop near the store",
		"¿dónde está mi pedido?", "¿Dónde está mi pedido TE-1001?", "¿Qué datos tenéis de mí?", "quiero una copia de mis datos",
		"What data do you have on me?", "DSAR", "quiero acceder a mis datoss", "Borrad mis datos", "ejerzo mi derecho al olvido",
		"please delete all my data", "forget me", "elimna mis datos", "quiero la portabilidad de mis datos", "export my data",
		"mi email ha cambiado, ahora es ana@example.com", "mi nombre es Ana García", "please correct my data",
		"quiero limitar el tratamiento de mis datos", "restrict processing of my data", "me opongo al tratamiento",
		"no uséis mis datos para publicidad", "no useis mis datos para publicidad", "I object to marketing",
		"quiero hablar con una persona", "AGENTE", "hola", "Hola", "sí", "no", "stop stop", "baja baja", "",
		"   ", "👍", "\xff\xfe", "ÑANDÚ", "İstanbul", "ǅemal", "straße", "ＢＡＪＡ", "bája", "Baja\u0301",
		"don’t write me", "o'clock", "123 456", "te-1001", "optin_yes", "optin_no", "I'd like to unsubscribe please",
		"quiero una hoja de reclamaciones", "tengo una queja", "complaint", "talk to a human agent please",
	}
	for _, r := range rules {
		base = append(base, r.keywords...)
		for _, p := range r.patterns {
			var ws []string
			for _, a := range p {
				base = append(base, a...)
				ws = append(ws, a[len(a)-1])
			}
			base = append(base, strings.Join(ws, " "), "por favor "+strings.Join(ws, " de la ")+" ya")
		}
	}
	out := append([]string(nil), base...)
	rng := rand.New(rand.NewPCG(1, 2))
	letters := []rune("abcdefghijklmnopqrstuvwxyzáéíóúñ ¿?¡!.,'’ABCZ0129")
	for range 6 {
		for _, s := range base {
			r := []rune(s)
			if len(r) == 0 {
				continue
			}
			switch rng.IntN(5) {
			case 0: // substitute
				r[rng.IntN(len(r))] = letters[rng.IntN(len(letters))]
			case 1: // delete
				i := rng.IntN(len(r))
				r = append(r[:i], r[i+1:]...)
			case 2: // insert
				i := rng.IntN(len(r) + 1)
				r = append(r[:i], append([]rune{letters[rng.IntN(len(letters))]}, r[i:]...)...)
			case 3: // transpose
				if len(r) > 1 {
					i := rng.IntN(len(r) - 1)
					r[i], r[i+1] = r[i+1], r[i]
				}
			case 4: // join two phrases
				r = append(r, []rune(" "+base[rng.IntN(len(base))])...)
			}
			out = append(out, string(r))
		}
	}
	return out
}

func TestRecogniseSameAsBefore(t *testing.T) {
	for _, s := range recogniserCorpus() {
		if got, want := normalise(s), oldNormalise(s); got != want {
			t.Errorf("normalise(%q) = %q, was %q", s, got, want)
		}
		if got, want := recognise(s), oldRecognise(s); got != want {
			t.Errorf("recognise(%q) = %q, was %q", s, got, want)
		}
	}
	long := strings.Repeat("hola quiero saber donde esta mi pedido ", 26)[:maxProcessRunes]
	if got, want := recognise(long), oldRecognise(long); got != want {
		t.Errorf("recognise(long) = %q, was %q", got, want)
	}
}

// FuzzRecogniseSameAsBefore: the compiled recogniser answers as the one it replaced, on any text.
func FuzzRecogniseSameAsBefore(f *testing.F) {
	for _, s := range recogniserCorpus()[:200] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := normalise(s), oldNormalise(s); got != want {
			t.Fatalf("normalise(%q) = %q, was %q", s, got, want)
		}
		if got, want := recognise(s), oldRecognise(s); got != want {
			t.Fatalf("recognise(%q) = %q, was %q", s, got, want)
		}
	})
}

// The similarity filter must never reject a pair editDistance accepts.
func TestSimilarSameAsBefore(t *testing.T) {
	var targets []string
	for _, r := range rules {
		targets = append(targets, r.keywords...)
		for _, p := range r.patterns {
			for _, a := range p {
				targets = append(targets, a...)
			}
		}
	}
	for _, s := range recogniserCorpus() {
		for _, w := range strings.Fields(oldNormalise(s)) {
			for _, tg := range targets {
				if got, want := newTarget(tg).similar(newWord(w)), oldSimilar(w, tg); got != want {
					t.Errorf("similar(%q, %q) = %v, was %v", w, tg, got, want)
				}
			}
		}
	}
}

// TestInboundMemo: the per-message memo answers as recognise and pii.Find do, for the message's own text
// and for any other text asked about.
func TestInboundMemo(t *testing.T) {
	const own = "borrad mis datos, soy 12345678Z"
	in := inbound{memo: &textMemo{text: own}}
	for _, txt := range []string{own, "BAJA", own, "", "hola 12345678Z"} {
		if got, want := in.recognise(txt), recognise(txt); got != want {
			t.Errorf("in.recognise(%q) = %q, want %q", txt, got, want)
		}
		if got, want := in.find(txt), pii.Find(txt); !slices.Equal(got, want) {
			t.Errorf("in.find(%q) = %v, want %v", txt, got, want)
		}
	}
	if m := in.memo; !m.recognised || m.intent != intentErasure || !m.found || len(m.matches) != 1 {
		t.Errorf("memo %+v, want the erasure intent and one DNI remembered", *m)
	}
	if got := (inbound{}).recognise("BAJA"); got != intentOptOut {
		t.Errorf("without a memo: %q, want optout", got)
	}
}
