package dialogflow

import (
	"reflect"
	"testing"
	"time"
)

func TestSystemEntities(t *testing.T) {
	madrid, _ := time.LoadLocation("Europe/Madrid")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, madrid)
	for _, tc := range []struct {
		name, text, entity string
		want               any
		wantOriginal       string
	}{
		{"number", "quiero 3 tickets", "@sys.number", 3.0, "3"},
		{"decimal number with comma", "son 12,5 euros", "@sys.number", 12.5, "12,5"},
		{"number word", "dame tres", "@sys.number", 3.0, "tres"},
		{"email", "mi correo es Ana.Garcia+compras@example.co.uk, gracias", "@sys.email", "Ana.Garcia+compras@example.co.uk", "Ana.Garcia+compras@example.co.uk"},
		{"spanish mobile with spaces", "llamadme al +34 612 34 56 78", "@sys.phone-number", "+34612345678", "+34 612 34 56 78"},
		{"phone with dashes", "mi tel 612-345-678", "@sys.phone-number", "612345678", "612-345-678"},
		{"date dd/mm/yyyy", "la compra del 03/03/2026", "@sys.date", "2026-03-03T12:00:00+01:00", "03/03/2026"},
		{"date iso", "el 2026-04-01", "@sys.date", "2026-04-01T12:00:00+02:00", "2026-04-01"},
		{"date spanish words", "el 3 de marzo", "@sys.date", "2026-03-03T12:00:00+01:00", "3 de marzo"},
		{"date english words", "on March 5th", "@sys.date", "2026-03-05T12:00:00+01:00", "March 5th"},
		{"relative mañana", "¿llega mañana?", "@sys.date", "2026-03-03T12:00:00+01:00", "mañana"},
		{"relative yesterday", "I bought it yesterday", "@sys.date", "2026-03-01T12:00:00+01:00", "yesterday"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var found bool
			for _, tok := range tokenize(tc.text, nil, now) {
				if v, ok := tok.ents[tc.entity]; ok {
					found = true
					if !reflect.DeepEqual(v, tc.want) || tc.text[tok.start:tok.end] != tc.wantOriginal {
						t.Errorf("%s = %#v (%q), want %#v (%q)", tc.entity, v, tc.text[tok.start:tok.end], tc.want, tc.wantOriginal)
					}
				}
			}
			if !found {
				t.Errorf("no %s in %q", tc.entity, tc.text)
			}
		})
	}
}

func TestNoFalseEntities(t *testing.T) {
	for _, tc := range []struct{ name, text, entity string }{
		{"short number is not a phone", "pedido 12345", "@sys.phone-number"},
		{"31 February is not a date", "el 31/02/2026", "@sys.date"},
		{"an @ alone is not an email", "escribid a @tienda", "@sys.email"},
		{"mañana inside a word", "mañanas", "@sys.date"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, tok := range tokenize(tc.text, nil, testNow) {
				if v, ok := tok.ents[tc.entity]; ok {
					t.Errorf("%q: found %s %v", tc.text, tc.entity, v)
				}
			}
		})
	}
}

// TestEntityParameters: parameters over the fixture agent, from grammar matches (annotated training
// phrases) and from similarity matches, with custom entities resolved through their synonyms.
func TestEntityParameters(t *testing.T) {
	s := RunT(t)
	for _, tc := range []struct {
		name, lang, text, intent string
		want                     map[string]any
	}{
		{"regexp entity", "es", "¿dónde está mi pedido AB-654321?", "order.status", map[string]any{"order_number": "AB-654321"}},
		{"synonym resolves to its value", "es", "me podéis mandar el tique", "receipt", map[string]any{"document_type": "ticket"}},
		{"synonym in a paraphrase", "es", "necesito urgentemente el recibo del pedido 48213 por favor", "receipt",
			map[string]any{"document_type": "ticket", "order_number": "48213"}},
		{"english synonym", "en", "can you send me the bill", "receipt", map[string]any{"document_type": "invoice"}},
		{"sys.number", "es", "mandadme los últimos 4 tickets", "receipt", map[string]any{"count": 4.0}},
		{"sys.date", "es", "quiero el tique de la compra del 5 de marzo", "receipt", map[string]any{"document_type": "ticket", "date": "2026-03-05T12:00:00+01:00"}},
		{"sys.email", "es", "cambiad mi email a pepe@example.org", "dsr.rectification", map[string]any{"email": "pepe@example.org"}},
		{"sys.phone-number", "en", "update my phone number to +44 7700 900456", "dsr.rectification", map[string]any{"phone": "+447700900456"}},
		{"sys.person", "es", "hola, soy María José", "welcome", map[string]any{"person": map[string]any{"name": "María José"}}},
		{"sys.any", "es", "quiero hablar con una persona sobre un cargo duplicado en mi tarjeta", "human.handoff", map[string]any{"detail": "un cargo duplicado en mi tarjeta"}},
		{"custom entity in optout", "es", "no me mandéis más promociones", "optout", map[string]any{"message_type": "marketing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			qr := detectDirect(t, s, "projects/parley-demo/agent/sessions/"+tc.lang, tc.text, tc.lang)
			if qr.GetIntent().GetDisplayName() != tc.intent {
				t.Fatalf("→ %q (%v), want %q", qr.GetIntent().GetDisplayName(), qr.GetIntentDetectionConfidence(), tc.intent)
			}
			got := qr.GetParameters().AsMap()
			for k, v := range tc.want {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s = %#v, want %#v (all: %v)", k, got[k], v, got)
				}
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	ss := &session{contexts: map[string]*liveContext{"pedido": {lifespan: 1, params: map[string]any{"id": "9"}}}}
	params := map[string]any{"n": 3.0, "who": map[string]any{"name": "Ana"}, "empty": ""}
	originals := map[string]string{"n": "tres"}
	for _, tc := range []struct{ in, want string }{
		{"Hola $who.", "Hola Ana."},
		{"$n tickets ($n.original).", "3 tickets (tres)."},
		{"Pedido #pedido.id.", "Pedido 9."},
		{"Nada: $empty.", "Nada: ."},
		{"Precio 5$ y #hashtag", "Precio 5$ y #hashtag"},
		{"Hola #WELCOME.name.", "Hola Luis."},
	} {
		if got := substitute(tc.in, params, originals, ss, "WELCOME", map[string]any{"name": "Luis"}); got != tc.want {
			t.Errorf("substitute(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
