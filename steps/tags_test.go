package steps

import (
	"testing"

	"github.com/parley-dev/parley/profile"
)

func TestHook(t *testing.T) {
	tests := []struct{ text, want string }{
		{`the business sends the campaign "promo_verano"`, "@hook-campaign"},
		{`el negocio envía la campaña "promo_verano"`, "@hook-campaign"},
		{`"Lucía" opted in to "marketing" through the "web"`, "@hook-consent"},
		{`"Lucía" aceptó recibir "marketing" por la "web" sin que conste el texto`, "@hook-consent"},
		{`the business tells "Lucía" that order "X-1" has shipped`, "@hook-notify"},
		{`el negocio avisa a "Lucía" de que su pedido ha salido`, "@hook-notify"},
		{`the agent hands "Lucía" back to the assistant`, "@hook-handoff-release"},
		{`"Lucía" says "hola"`, ""},
		{`no such step`, ""},
	}
	for _, tt := range tests {
		got := ""
		if h := Hook(tt.text); h != "" {
			got = profile.HookTag(h)
		}
		if got != tt.want {
			t.Errorf("Hook(%q) tagged %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestNeeds: every step named as needing a capability is a step of the library, and steps are matched in
// both languages.
func TestNeeds(t *testing.T) {
	for ex, tag := range stepNeeds {
		if got := Needs(ex); got != tag {
			t.Errorf("Needs(%q) = %q, want %q: is the example still a step of the library?", ex, got, tag)
		}
	}
	tests := []struct{ text, want string }{
		{`"Lucía" pide que dejen de enviarle ofertas`, profile.NeedsMarketing},
		{`"Ana" pregunta por su pedido`, profile.NeedsOrderStatus},
		{`una cliente "Ana" con un pedido que habla español`, ""},
		{`"Lucía" ejerce su derecho de supresión: "borrad mis datos"`, profile.NeedsDataRequests},
		{`"Lucía" pasa a hablar con una persona`, profile.NeedsHandoff},
		{`"Lucía" says "hola"`, ""},
		{`"Lucía" is offered a person`, ""},
	}
	for _, tt := range tests {
		if got := Needs(tt.text); got != tt.want {
			t.Errorf("Needs(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}
