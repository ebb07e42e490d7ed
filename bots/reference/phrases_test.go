package reference

import "testing"

func TestRecognise(t *testing.T) {
	tests := []struct {
		name string
		text string
		want intent
	}{
		// Opt-out, in the words customers use in Spanish and English, with case, accents and typos.
		{"baja", "BAJA", intentOptOut},
		{"baja lower with filler", "baja por favor", intentOptOut},
		{"stop", "Stop", intentOptOut},
		{"stop all", "STOP ALL", intentOptOut},
		{"darme de baja", "Quiero darme de baja", intentOptOut},
		{"no quiero mas mensajes accents", "¡No quiero MÁS mensajes!", intentOptOut},
		{"no quiero recibir", "no quiero recibir más mensajes vuestros", intentOptOut},
		{"dejad de escribirme", "dejad de escribirme ya", intentOptOut},
		{"cesen el envio", "Cesen el envío de mensajes", intentOptOut},
		{"no autorizo", "NO autorizo el uso de mi número", intentOptOut},
		{"lista robinson", "estoy en la lista Robinson", intentOptOut},
		{"retiro consentimiento", "retiro mi consentimiento", intentOptOut},
		{"typo desuscribirme", "desuscrbirme", intentOptOut},
		{"unsubscribe typo", "unsubscibe", intentOptOut},
		{"stop messaging me", "please stop messaging me", intentOptOut},
		{"dont message me", "don't message me again", intentOptOut},
		{"opt out", "I want to opt out", intentOptOut},
		{"withdraw consent", "I withdraw my consent", intentOptOut},
		{"template quick reply", "Baja", intentOptOut},
		{"stop promotions button", "Stop promotions", intentOptOut},
		// Not opt-out.
		{"cancel my order is not opt-out", "quiero cancelar mi pedido TE-1001", intentNone},
		{"para inside a sentence", "es para mi madre", intentNone},
		{"bus stop", "where is the bus stop near the store", intentNone},
		{"order question", "¿dónde está mi pedido?", intentNone},
		// Rights.
		{"access es", "¿Qué datos tenéis de mí?", intentAccess},
		{"access copia", "quiero una copia de mis datos", intentAccess},
		{"access en", "What data do you have on me?", intentAccess},
		{"access dsar", "DSAR", intentAccess},
		{"access typo", "quiero acceder a mis datoss", intentAccess},
		{"erasure es", "Borrad mis datos", intentErasure},
		{"erasure olvido", "ejerzo mi derecho al olvido", intentErasure},
		{"erasure en", "please delete all my data", intentErasure},
		{"erasure forget me", "forget me", intentErasure},
		{"erasure typo", "elimna mis datos", intentErasure},
		{"portability es", "quiero la portabilidad de mis datos", intentPortability},
		{"portability en", "export my data", intentPortability},
		{"rectification es", "mi email ha cambiado, ahora es ana@example.com", intentRectification},
		{"rectification name", "mi nombre es Ana García", intentRectification},
		{"rectification en", "please correct my data", intentRectification},
		{"restriction es", "quiero limitar el tratamiento de mis datos", intentRestriction},
		{"restriction en", "restrict processing of my data", intentRestriction},
		{"objection es", "me opongo al tratamiento", intentObjection},
		{"objection no publicidad", "no uséis mis datos para publicidad", intentObjection},
		{"objection en", "I object to marketing", intentObjection},
		// Human and complaint.
		{"human es", "quiero hablar con una persona", intentHuman},
		{"human keyword", "AGENTE", intentHuman},
		{"human en", "can I talk to a human?", intentHuman},
		{"complaint", "quiero poner una queja", intentComplaint},
		{"complaint en", "I want to make a complaint", intentComplaint},
		{"resubscribe", "ALTA", intentResubscribe},
		// Bad input.
		{"empty", "", intentNone},
		{"emoji only", "👍👍", intentNone},
		{"mixed languages", "hola, where is my pedido?", intentNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := recognise(tt.text); got != tt.want {
				t.Errorf("recognise(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestRecogniseKeywordsOnlyMissesParaphrases(t *testing.T) {
	if recogniseKeywordsOnly("BAJA") != intentOptOut {
		t.Error("the naive recogniser must still take BAJA")
	}
	if recogniseKeywordsOnly("no quiero más mensajes") != intentNone {
		t.Error("the naive recogniser must miss paraphrases, or the WA-OPTOUT-02 switch breaks nothing")
	}
}

func TestYesNo(t *testing.T) {
	tests := []struct {
		name, text string
		want       intent
	}{
		{"si accent", "Sí", intentYes},
		{"yes", "yes", intentYes},
		{"acepto", "Acepto", intentYes},
		{"no", "No", intentNo},
		{"no thanks", "no, thanks", intentNo},
		{"ok question is not consent", "ok?", intentNone},
		{"silence is not consent", "", intentNone},
		{"a question is not consent", "¿qué ofertas?", intentNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := yesNo(tt.text); got != tt.want {
				t.Errorf("yesNo(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct {
		name, text, prev, want string
	}{
		{"spanish", "hola, ¿dónde está mi pedido?", "en", "es"},
		{"english", "hi, where is my order?", "es", "en"},
		{"emoji keeps previous", "👍", "en", "en"},
		{"number keeps previous", "TE-1001", "es", "es"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := detectLanguage(tt.text, tt.prev); got != tt.want {
				t.Errorf("detectLanguage(%q) = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"baja", "baja", 0},
		{"unsubscibe", "unsubscribe", 1},
		{"desuscrbirme", "desuscribirme", 1},
		{"tsop", "stop", 1},
		{"abcdef", "uvwxyz", 3},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b, 2); min(got, 3) != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}
