package reference

import (
	"strings"
	"testing"
)

func TestFirstContactDisclosureAndOptInPrompt(t *testing.T) {
	tests := []struct {
		name, waID, text string
		want             []string
		prompt           []string
		buttons          []string
	}{
		{"spanish", "34600000001", "Hola",
			[]string{"asistente virtual", "Tienda Ejemplo", PrivacyURL, "Tienda Ejemplo S.L.", "Meta", "Google", "encargados",
				"90 días", "acceso", "supresión", "oposición", "AEPD", "persona"},
			[]string{"Tienda Ejemplo", "WhatsApp", "ofertas", "BAJA"}, []string{"Sí, acepto", "No, gracias"}},
		{"english", "447700900001", "Hello, where is my order?",
			[]string{"automated virtual assistant", "Tienda Ejemplo", PrivacyURL, "Meta", "Google", "processors", "90 days",
				"access", "erasure", "object", "AEPD", "person"},
			[]string{"Tienda Ejemplo", "WhatsApp", "offers", "STOP"}, []string{"Yes, I agree", "No, thanks"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			got := e.say(tt.waID, tt.text)
			if len(got) < 2 {
				t.Fatalf("want a welcome and an opt-in prompt, got:%s", transcript(got))
			}
			for _, w := range tt.want {
				if !strings.Contains(got[0].Text, w) {
					t.Errorf("welcome lacks %q:%s", w, transcript(got[:1]))
				}
			}
			p := got[len(got)-1]
			if p.Type != "interactive" || strings.Join(p.Buttons, "|") != strings.Join(tt.buttons, "|") {
				t.Fatalf("last message is not the yes/no opt-in prompt:%s", transcript(got))
			}
			for _, w := range tt.prompt {
				if !strings.Contains(p.Text, w) {
					t.Errorf("opt-in prompt lacks %q: %q", w, p.Text)
				}
			}
			// The welcome is for the first contact only.
			again := e.say(tt.waID, "gracias")
			if anyContains(again, PrivacyURL) {
				t.Errorf("the notice was repeated on the second message:%s", transcript(again))
			}
		})
	}
}
