package dialogflow

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// agreementTexts is every text the matcher tests use and then some: the fixture's training phrases as
// typed, with the generated typo, lower-cased and upper-cased, the paraphrases and off-topic texts, and
// texts made to exercise the entity recognisers and their prefilters.
func agreementTexts(a *Agent) map[string][]string {
	texts := map[string][]string{}
	add := func(lang string, ts ...string) { texts[lang] = append(texts[lang], ts...) }
	for _, in := range a.Intents {
		for lang, ps := range in.Phrases {
			for _, p := range ps {
				add(lang, p.Text(), strings.ToLower(p.Text()), strings.ToUpper(p.Text()))
				if ty := typo(p.Text()); ty != "" {
					add(lang, ty)
				}
				// every word dropped once: the partial overlaps soft scores
				ws := strings.Fields(p.Text())
				for i := range ws {
					if len(ws) > 1 {
						add(lang, strings.Join(append(append([]string{}, ws[:i]...), ws[i+1:]...), " "))
					}
				}
			}
		}
	}
	more := []string{
		"holaaa buenos dias", "donde esta mi pedido 98765 porfa", "hola, kiero saber donde esta mi pedio",
		"Buenas tardes, hice un pedido la semana pasada y todavía no ha llegado, ¿me decís algo?",
		"necesito el tiket de la compra", "¡¡NO QUIERO MAS MENSAJES!!", "quiero darme de vaja",
		"where is my oder 12345", "my package hasn't arrived yet", "unsubscibe", "I don't want you to use my data",
		"cuál es la capital de Francia", "what is the weather like in Paris", "asdkjh qwoeiu zxcmnb", "sí", "no",
		"🙂👍", "", "   ", "¿?", "a", "AB-123456", "ab123456", "pedido AB12345 y 1234567890",
		"mi correo es Ana.Garcia+compras@example.co.uk, gracias", "escribid a @tienda", "llamadme al +34 612 34 56 78",
		"mi tel 612-345-678", "la compra del 03/03/2026", "el 31/02/2026", "el 2026-04-01", "el 3 de marzo",
		"on March 5th", "¿llega mañana?", "I bought it yesterday", "yeſterday", "pasado MAÑANA", "HOY mismo",
		"mañanas", "today or tomorrow", "dame tres", "quiero 3 tickets", "son 12,5 euros", "one two three",
		"I'm sure it's fine, we've said we'll go", "O'Brien can't won't", "l'ordre", "ＡＢＣ 12345",
		"İstanbul ı Kelvin K", "ñandú Ñoño", strings.Repeat("palabra ", 40), strings.Repeat("x", 300),
		"privasidat", "procesing", "eliminar eliminaré", "\xff\xfe invalid utf8 pedido",
	}
	for _, lang := range a.SupportedLanguages {
		add(lang, more...)
	}
	add("fr", "bonjour", "où est ma commande 12345") // a language the agent lacks: its default model
	return texts
}

// TestMatcherAgreesWithReference: the compiled matcher gives exactly what the matcher it replaced gives
// (refMatcher, match_reference_test.go): same tokens, same best intent with the same score, exactness,
// parameters and originals, with no context, each intent's contexts and every context active, and the
// same parameters extracted for every intent. Two changes made since are meant to differ, and only
// they may: a text holding a synonym in its other number or a several-word synonym (which the reference
// did not know), and a tie the reference broke by name that the evidence of an annotated text or the
// specificity of the phrase now breaks (changed, below).
func TestMatcherAgreesWithReference(t *testing.T) {
	a := fixtureAgent(t)
	m, rm := newMatcher(a), refNewMatcher(a)
	all := map[string]bool{}
	actives := []map[string]bool{nil}
	for _, in := range a.Intents {
		if len(in.InputContexts) > 0 {
			actives = append(actives, activeOf(in))
		}
		for _, c := range in.InputContexts {
			all[c] = true
		}
	}
	actives = append(actives, all)
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		t.Fatal(err)
	}
	texts := agreementTexts(a)
	langs := make([]string, 0, len(texts))
	for lang := range texts {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	now := testNow.In(madrid) // a zone other than UTC, for the dates
	n := 0
	changes := map[string]int{}
	for _, lang := range langs {
		for _, text := range texts[lang] {
			n++
			q, rq := m.newQuery(lang, text, now), rm.newQuery(lang, text, now)
			if got, want := tokensOf(q.tokens), refTokensOf(rq.tokens); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s %q: tokens\n got %v\nwant %v", lang, text, got, want)
			}
			for _, active := range actives {
				// At threshold 0 the best candidate is returned whatever its score, which is compared.
				got, want := m.best(q, active, 0), rm.best(rq, active, 0)
				if !sameMatch(got, want) {
					why := changed(q, got, want)
					if why == "" {
						t.Fatalf("%s %q (contexts %v):\n got %s\nwant %s", lang, text, active, describe(got), refDescribe(want))
					}
					changes[why]++
				}
			}
			for _, in := range a.Intents {
				gp, gotOrig := m.extract(m.model(lang), q, in)
				wp, wantOrig := rm.extract(rm.model(lang), rq, in)
				if (!reflect.DeepEqual(gp, wp) || !reflect.DeepEqual(gotOrig, wantOrig)) && !holdsNewSynonymForm(q) {
					t.Fatalf("%s %q: extract %s = %v %v, want %v %v", lang, text, in.DisplayName, gp, gotOrig, wp, wantOrig)
				}
			}
			q.release()
		}
	}
	t.Logf("%d texts agree but for %v", n, changes)
}

// changed says which deliberate change explains that the matcher's best match got differs from the
// reference's want, or "" when none does.
func changed(q *query, got *match, want *refMatch) string {
	if holdsNewSynonymForm(q) {
		return "synonym forms"
	}
	if got == nil || want == nil {
		return ""
	}
	for i := range q.cands {
		c := &q.cands[i]
		if c.intent != want.intent || c.exact != want.exact || c.score != want.score || c.exact != got.exact {
			continue
		}
		if math.Abs(c.score-got.score) < tieEpsilon && c.contextual == got.contextual &&
			(got.evidence > c.evidence || got.evidence == c.evidence && got.specific > c.specific) {
			return "tie broken by evidence"
		}
	}
	return ""
}

// holdsNewSynonymForm reports whether q holds a synonym that the reference matcher did not know: one
// word of a synonym in its other number, or a synonym of several words.
func holdsNewSynonymForm(q *query) bool {
	lm := q.lm
	for i, t := range q.tokens {
		if len(lm.varOf[t.norm]) > 0 && len(lm.synOf[t.norm]) == 0 {
			return true
		}
		for n := 2; i+n <= len(q.tokens) && n <= maxEntityWords; n++ {
			s := joinNorms(q.tokens[i : i+n])
			for _, name := range lm.synNames {
				if _, ok := lm.lookup(name, s); ok {
					return true
				}
			}
		}
	}
	return false
}

func tokensOf(ts []token) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%q[%d:%d]%v", t.norm, t.start, t.end, t.ents))
	}
	return out
}

func refTokensOf(ts []refToken) []string {
	var out []string
	for _, t := range ts {
		out = append(out, fmt.Sprintf("%q[%d:%d]%v", t.norm, t.start, t.end, t.ents))
	}
	return out
}

func sameMatch(got *match, want *refMatch) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return got.intent == want.intent && got.score == want.score && got.exact == want.exact &&
		got.contextual == want.contextual && reflect.DeepEqual(got.params, want.params) &&
		reflect.DeepEqual(got.originals, want.originals)
}

func describe(c *match) string {
	if c == nil {
		return "nil"
	}
	return fmt.Sprintf("%s score=%v exact=%v contextual=%v params=%v originals=%v", c.intent.DisplayName, c.score, c.exact, c.contextual, c.params, c.originals)
}

func refDescribe(c *refMatch) string {
	if c == nil {
		return "nil"
	}
	return fmt.Sprintf("%s score=%v exact=%v contextual=%v params=%v originals=%v", c.intent.DisplayName, c.score, c.exact, c.contextual, c.params, c.originals)
}

// TestSimilarityAgreesWithReference: newQuery's similarities (length buckets, letter-set bound) are
// similarity's, and similarity is the reference's, for every pair of words of the fixture and its typos.
func TestSimilarityAgreesWithReference(t *testing.T) {
	a := fixtureAgent(t)
	m := newMatcher(a)
	for lang, lm := range m.models {
		var ws []string
		for _, text := range agreementTexts(a)[lang] {
			for _, w := range words(text, 0, len(text)) {
				ws = append(ws, w.norm)
			}
		}
		// and every vocabulary word cut short, made longer and mistyped, for the stems and typos
		for _, v := range lm.vocab {
			rs := []rune(v)
			for k := 1; k < len(rs); k++ {
				ws = append(ws, string(rs[:k]))
			}
			for _, tail := range []string{"s", "es", "ado", "cion", "mente", "ñ", "xyzw"} {
				ws = append(ws, v+tail)
			}
			for k := range rs {
				swapped := append([]rune{}, rs...)
				if k+1 < len(rs) {
					swapped[k], swapped[k+1] = swapped[k+1], swapped[k]
					ws = append(ws, string(swapped))
				}
				ws = append(ws, string(rs[:k])+string(rs[k+1:]), string(rs[:k])+"q"+string(rs[k:]), string(rs[:k])+"é"+string(rs[k+1:]))
			}
		}
		ws = append(ws, lm.vocab...)
		for _, w := range ws {
			q := m.newQuery(lang, w, testNow)
			for id, v := range lm.vocab {
				want := refSimilarity(w, v)
				if got := similarity(w, v); got != want {
					t.Fatalf("similarity(%q, %q) = %v, want %v", w, v, got, want)
				}
				if len(q.tokens) != 1 || q.tokens[0].ents != nil {
					continue // an entity or several words: not a single word's similarities
				}
				norm := q.tokens[0].norm // w folded ("añ" is "an")
				want = refSimilarity(norm, v)
				got := 0.0
				if r := q.row[id]; r != 0 {
					got = q.sims[r-1]
				}
				if got != want {
					t.Fatalf("%s: newQuery(%q) has similarity %v to %q, want %v", lang, norm, got, v, want)
				}
			}
			q.release()
		}
	}
}

// TestASCIIFoldAliases: the only runes outside ASCII that a case-insensitive regexp matches as an ASCII
// letter are asciiFoldAliases, so mayHoldFold, which runs the regexp on any text holding one, is exact.
func TestASCIIFoldAliases(t *testing.T) {
	for r := 'a'; r <= 'z'; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f >= utf8.RuneSelf && !strings.ContainsRune(asciiFoldAliases, f) {
				t.Errorf("%q folds to %q, which is not in asciiFoldAliases", r, f)
			}
		}
	}
}

// TestPrefiltersKeepMatches: whenever a date, phone or number expression matches a text, recognize runs
// it; the hand-written number scanner finds what reNumber finds.
func TestPrefiltersKeepMatches(t *testing.T) {
	a := fixtureAgent(t)
	texts := []string{"3 de MARZO", "3 de ſeptiembre", "March 5th", "AUGUST 12", "12/03/26", "1.2.2026", "2026-01-02",
		"+34 612 34 56 78", "612345678", "(91) 123 45 67", "12,5", "1.000,25", "v1.2.3", "hoy", "HOY", "Mañana",
		"pasado MAÑANA", "yesterday", "yeſterday", "ToDaY", "tomorrow", "mañanas", "12\t3", "a\f7", "7\rmayo"}
	for _, ts := range agreementTexts(a) {
		texts = append(texts, ts...)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789 .,-/+()\tabdeimnorsyMAJ"
	for range 20000 {
		b := make([]byte, 1+rng.IntN(24))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(b))
	}
	for _, text := range texts {
		cl := classify(text)
		for _, tc := range []struct {
			name string
			re   *regexp.Regexp
			runs bool
		}{
			{"reEmail", reEmail, strings.Contains(text, "@")},
			{"rePhone", rePhone, cl.digits >= 8},
			{"reNumber", reNumber, cl.digits > 0},
			{"reDMY", reDMY, cl.digitSep},
			{"reISO", reISO, cl.digitDash},
			{"reDayMon", reDayMon, cl.digitSpace && mayHoldMonth(text)},
			{"reMonDay", reMonDay, cl.spaceDigit && mayHoldMonth(text)},
			{"reRelDay", reRelDay, mayHoldRelativeDay(text)},
		} {
			if tc.re.MatchString(text) && !tc.runs {
				t.Errorf("%s matches %q but recognize would not run it", tc.name, text)
			}
		}
		var want [][]int
		for _, m := range reNumber.FindAllStringIndex(text, -1) {
			want = append(want, m)
		}
		var got [][]int
		for _, s := range recognizeNumbers(nil, text, cl, testNow) {
			if s.typ == "@sys.number" {
				got = append(got, []int{s.start, s.end})
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("numbers in %q at %v, reNumber finds %v", text, got, want)
		}
	}
}

func TestRequiresDigit(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want bool
	}{
		{`\b[0-9]{5,10}\b`, true},
		{`\b[A-Za-z]{2}-?[0-9]{5,8}\b`, true},
		{`\d+`, true},
		{`\d*`, false},
		{`(?:ab|\d)`, false},
		{`(?:a1|\d)`, true},
		{`[0-9a]`, false},
		{`\pN+`, false},
		{`x?7`, true},
		{`[A-Z]{3}`, false},
	} {
		if got := requiresDigit(mustCompile(t, tc.expr)); got != tc.want {
			t.Errorf("requiresDigit(%s) = %v, want %v", tc.expr, got, tc.want)
		}
	}
}

func mustCompile(t *testing.T, expr string) *regexp.Regexp {
	t.Helper()
	re, err := regexp.Compile(expr)
	if err != nil {
		t.Fatal(err)
	}
	return re
}
