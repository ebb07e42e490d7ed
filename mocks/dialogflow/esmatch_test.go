package dialogflow

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// The fixture agents under fixtures/agents/es-* are small ES exports written for these tests: sibling
// intents told apart only by the entity value of their phrases, a bare @sys.any phrase, priorities, a list
// parameter, two parameters of one entity type, plurals and fuzzy synonyms, and a composite entity.
const (
	carrerasDir = "../../fixtures/agents/es-es-carreras"
	pizzeriaDir = "../../fixtures/agents/es-en-pizzeria"
)

func loadDir(tb testing.TB, dir string) *Agent {
	tb.Helper()
	a, err := LoadAgentDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// bestOf matches text and returns the intent's name ("" when nothing passes the agent's threshold) and
// the match.
func bestOf(tb testing.TB, m *matcher, lang, text string) (string, *match) {
	tb.Helper()
	q := m.newQuery(lang, text, testNow)
	defer q.release()
	got := m.best(q, nil, m.agent.MLMinConfidence)
	if got == nil {
		return "", nil
	}
	return got.intent.DisplayName, got
}

// TestESFixturesOwnPhrases: every training phrase of the ES fixture agents matches its own intent, as it
// does on Dialogflow, whatever its siblings share with it.
func TestESFixturesOwnPhrases(t *testing.T) {
	for _, dir := range []string{carrerasDir, pizzeriaDir} {
		a := loadDir(t, dir)
		m := newMatcher(a)
		n := 0
		for _, in := range a.Intents {
			if in.Priority < 0 {
				continue // disabled: never matched, not even on its own phrases
			}
			for lang, ps := range in.Phrases {
				for _, p := range ps {
					n++
					if got, _ := bestOf(t, m, lang, p.Text()); got != in.DisplayName && !slices.Contains(trainedOn(a, lang, p.Text()), got) {
						t.Errorf("%s %q: matched %q, want %s", a.DisplayName, p.Text(), got, in.DisplayName)
					}
				}
			}
		}
		if n < 10 {
			t.Errorf("%s: only %d phrases", a.DisplayName, n)
		}
	}
}

// trainedOn names the intents trained on text, which no matcher can tell apart but by priority.
func trainedOn(a *Agent, lang, text string) []string {
	var names []string
	for _, in := range a.Intents {
		for _, p := range in.Phrases[lang] {
			if p.Text() == text {
				names = append(names, in.DisplayName)
			}
		}
	}
	return names
}

// TestAnnotatedLiteralDecides: sibling intents whose phrases differ only in the annotated entity value
// are told apart by that value, exact or not.
func TestAnnotatedLiteralDecides(t *testing.T) {
	m := newMatcher(loadDir(t, carrerasDir))
	for _, tc := range []struct{ text, want string }{
		{"quiero estudiar meca", "estudiar.meca"},
		{"quiero estudiar gastro", "estudiar.gastro"},
		{"quiero estudiar energías", "estudiar.energias"},
		{"Quiero estudiar Energias", "estudiar.energias"},
		{"me interesa mecatrónica", "estudiar.meca"},
		{"me interesa gastronomía", "estudiar.gastro"},
		{"hola, quiero estudiar meca el año que viene", "estudiar.meca"},
		{"qué nota de corte tiene gastro?", "estudiar.gastro"},
		{"nota de corte de meca", "estudiar.meca"},
	} {
		if got, _ := bestOf(t, m, "es", tc.text); got != tc.want {
			t.Errorf("%q: matched %q, want %s", tc.text, got, tc.want)
		}
	}
}

// TestSpecificPhraseBeatsBareAny: a phrase that is one @sys.any slot takes what no other intent
// explains, not what another intent was trained on.
func TestSpecificPhraseBeatsBareAny(t *testing.T) {
	m := newMatcher(loadDir(t, carrerasDir))
	for _, tc := range []struct{ text, want string }{
		{"quiero estudiar meca", "estudiar.meca"},
		{"necesito certificados", "documentos.pedir"},
		{"pásame con secretaría", "contacto.secretaria"},
		{"la cafetería del campus cierra demasiado pronto", "comentario"},
		{"cualquier cosa que quieras contar", "comentario"},
	} {
		got, bm := bestOf(t, m, "es", tc.text)
		if got != tc.want {
			t.Errorf("%q: matched %q, want %s", tc.text, got, tc.want)
		}
		if got == "comentario" && tc.text != "cualquier cosa que quieras contar" && bm.exact {
			t.Errorf("%q: a bare @sys.any phrase matched as a grammar match (confidence 1)", tc.text)
		}
	}
}

// TestPriorityDecidesTie: a text as near to a phrase of contacto.general as to one of
// contacto.secretaria goes to the intent of higher priority, whatever the names; an intent with priority
// -1 is never matched, not even on a phrase it shares.
func TestPriorityDecidesTie(t *testing.T) {
	m := newMatcher(loadDir(t, carrerasDir))
	q := m.newQuery("es", "hablar con alguien", testNow)
	m.best(q, nil, 0)
	scores := map[string]float64{}
	for _, c := range q.cands {
		scores[c.intent.DisplayName] = c.score
	}
	q.release()
	if g, s := scores["contacto.general"], scores["contacto.secretaria"]; g == 0 || g != s {
		t.Fatalf("the fixture should make a tie: general %v, secretaria %v", g, s)
	}
	for _, tc := range []struct{ text, want string }{
		{"hablar con alguien", "contacto.secretaria"},
		{"quiero hablar con alguien de la universidad", "contacto.secretaria"},
	} {
		if got, _ := bestOf(t, m, "es", tc.text); got != tc.want {
			t.Errorf("%q: matched %q, want %s", tc.text, got, tc.want)
		}
	}
	if got, _ := bestOf(t, m, "es", "buzón antiguo"); got == "antiguo.buzon" {
		t.Errorf("an intent of priority -1 matched")
	}
}

// params detects text through the session logic and returns the parameters as protojson writes them.
func params(t *testing.T, s *Server, lang, text string) (string, map[string]*structpb.Value) {
	t.Helper()
	qr := detectDirect(t, s, fmt.Sprintf("projects/parley-demo/agent/sessions/p%x", crc32.ChecksumIEEE([]byte(text))), text, lang)
	return qr.GetIntent().GetDisplayName(), qr.GetParameters().GetFields()
}

func jsonOf(t *testing.T, v *structpb.Value) string {
	t.Helper()
	if v == nil {
		return "<nil>"
	}
	b, err := protojson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var any interface{}
	if err := json.Unmarshal(b, &any); err != nil {
		t.Fatal(err)
	}
	if b, err = json.Marshal(any); err != nil { // protojson's spacing varies on purpose; this is stable
		t.Fatal(err)
	}
	return string(b)
}

// TestParameterValues: what the parameters Struct holds, as Dialogflow returns it: list parameters as
// lists, several parameters of one entity type by their place in the phrase, plural and fuzzy synonyms
// resolved to their reference value, composite entities as a Struct of the sub-entities' aliases.
func TestParameterValues(t *testing.T) {
	carreras := RunT(t, WithAgentDir(carrerasDir))
	pizzeria := RunT(t, WithAgentDir(pizzeriaDir))
	for _, tc := range []struct {
		name       string
		s          *Server
		lang, text string
		intent     string
		want       map[string]string // parameter → its protojson
	}{
		{"list, grammar", carreras, "es", "quiero matricularme de matemáticas y física", "matricula.asignaturas",
			map[string]string{"asignaturas": `["matematicas","fisica"]`}},
		{"list, one value", carreras, "es", "me apunto a química", "matricula.asignaturas",
			map[string]string{"asignaturas": `["quimica"]`}},
		{"list, soft", carreras, "es", "pues me quiero matricular de química, física y dibujo técnico", "matricula.asignaturas",
			map[string]string{"asignaturas": `["quimica","fisica","dibujo"]`}},
		{"same type by position, grammar", carreras, "es", "cambiarme del playa a la centro", "traslado.campus",
			map[string]string{"origen": `"playa"`, "destino": `"centro"`}},
		{"same type by position, soft", carreras, "es", "me gustaría cambiarme del campus de la playa al del centro", "traslado.campus",
			map[string]string{"origen": `"playa"`, "destino": `"centro"`}},
		{"same type by position, multi-word, soft", pizzeria, "en", "could you deliver it from Station Road to High Street", "delivery.route",
			map[string]string{"pickup": `"station road"`, "dropoff": `"high street"`}},
		{"plural annotated in the export", carreras, "es", "necesito certificados", "documentos.pedir",
			map[string]string{"documento": `"certificado"`}},
		{"plural -s of a synonym with an accent", carreras, "es", "cómo pido los títulos", "documentos.pedir",
			map[string]string{"documento": `"titulo"`}},
		{"singular of a plural synonym", carreras, "es", "me interesa energía", "estudiar.energias",
			map[string]string{"carrera": `"energias"`}},
		{"plural -s", pizzeria, "en", "do you have pizzas", "menu", map[string]string{"food": `"pizza"`}},
		{"plural -es", pizzeria, "en", "do you have boxes", "menu", map[string]string{"food": `"box"`}},
		{"fuzzy", carreras, "es", "quiero estudiar mecatronca", "estudiar.meca", map[string]string{"carrera": `"meca"`}},
		{"fuzzy, English", pizzeria, "en", "do you have calzonne", "menu", map[string]string{"food": `"calzone"`}},
		{"no fuzzy without the flag", pizzeria, "en", "can I have a lemonnade", "order.drink", map[string]string{"drink": `""`}},
		{"composite list", pizzeria, "en", "one mango lassi and 2 pizza", "order.food",
			map[string]string{"items": `[{"item":"mango lassi","number":1},{"item":"pizza","number":2}]`}},
		{"composite, own phrase", pizzeria, "en", "can I get 3 calzones", "order.food",
			map[string]string{"items": `[{"item":"calzone","number":3}]`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, fields := params(t, tc.s, tc.lang, tc.text)
			if got != tc.intent {
				t.Errorf("%q: matched %q, want %s", tc.text, got, tc.intent)
			}
			for k, want := range tc.want {
				if g := jsonOf(t, fields[k]); g != want {
					t.Errorf("%q: %s = %s, want %s", tc.text, k, g, want)
				}
			}
		})
	}
}

// TestCompositeEntityExports: a composite entity that references an unknown entity is refused at load
// time, as other unknown references are; one that references itself loads and matches nothing it
// cannot end, rather than looping.
func TestCompositeEntityExports(t *testing.T) {
	base := func(entries string) fstest.MapFS {
		return fstest.MapFS{
			"agent.json":                     {Data: []byte(`{"displayName":"c","language":"en"}`)},
			"entities/size.json":             {Data: []byte(`{"name":"size"}`)},
			"entities/size_entries_en.json":  {Data: []byte(`[{"value":"large","synonyms":["large","big"]}]`)},
			"entities/combo.json":            {Data: []byte(`{"name":"combo"}`)},
			"entities/combo_entries_en.json": {Data: []byte(entries)},
			"intents/order.json": {Data: []byte(`{"name":"order","responses":[{"parameters":[
				{"name":"combo","dataType":"@combo","value":"$combo"}]}]}`)},
			"intents/order_usersays_en.json": {Data: []byte(`[{"data":[{"text":"I want a "},
				{"text":"big combo","alias":"combo","meta":"@combo"}]}]`)},
		}
	}
	if _, err := LoadAgent(base(`[{"value":"@size:size @nothing:x","synonyms":["@size:size @nothing:x"]}]`)); err == nil ||
		!strings.Contains(err.Error(), "unknown entity type @nothing") {
		t.Errorf("unknown reference: %v, want an unknown entity type error", err)
	}
	a, err := LoadAgent(base(`[{"value":"@size:size combo","synonyms":["@size:size combo","@combo:inner x"]}]`))
	if err != nil {
		t.Fatal(err)
	}
	m := newMatcher(a)
	got, bm := bestOf(t, m, "en", "I want a big combo")
	if got != "order" || !bm.exact {
		t.Fatalf("matched %q, want order exactly", got)
	}
	if v, _ := bm.params["combo"].(map[string]any); v["size"] != "large" {
		t.Errorf("combo = %v, want {size: large}", bm.params["combo"])
	}
	bestOf(t, m, "en", strings.Repeat("big combo x ", 40)) // ends: the self-reference is bounded
}

func TestValueStringOfList(t *testing.T) {
	if got := valueString([]any{"matematicas", 3.0}); got != "matematicas, 3" {
		t.Errorf("valueString = %q", got)
	}
}
