package steps

import "testing"

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
			got = HookTag(h)
		}
		if got != tt.want {
			t.Errorf("Hook(%q) tagged %q, want %q", tt.text, got, tt.want)
		}
	}
}
