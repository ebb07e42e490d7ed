package sim

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parley-dev/parley/mocks/whatsapp"
)

// TestOptions: what a message offers, read from its buttons, its numbered menus and the keywords it
// tells the customer to write.
func TestOptions(t *testing.T) {
	tests := []struct {
		name string
		msg  whatsapp.InboxMessage
		want string // kind:label=reply, joined by " | "
	}{
		{"reply buttons", buttons("¿Ofertas?", "Sí", "No"), "button:Sí=Sí | button:No=No"},
		{"a template's quick replies", template("Rebajas", "Stop promotions"), "button:Stop promotions=Stop promotions"},
		{"a menu of dots and brackets", text("Elige:\n1. Offers\n2) Talk to a person\n3 - Mis datos"),
			"menu:Offers=1 | menu:Talk to a person=2 | menu:Mis datos=3"},
		{"keycaps", text("¿Quieres ofertas?\n1️⃣ Sí\n2️⃣ No"), "menu:Sí=1 | menu:No=2"},
		{"keycaps without the variation selector", text("1\u20e3 Sí\n2\u20e3 No"), "menu:Sí=1 | menu:No=2"},
		{"bold and bracketed numbers", text("*1.* Pedidos\n[2] Ayuda\n(3) Privacidad"), "menu:Pedidos=1 | menu:Ayuda=2 | menu:Privacidad=3"},
		{"one numbered line is not a menu", text("1. Tu pedido ha salido."), ""},
		{"numbers out of order are not a menu", text("1. Pedidos\n3. Ayuda"), ""},
		{"long numbered paragraphs are not a menu", text("1. " + strings.Repeat("Tratamos tus datos para atenderte. ", 3) + "\n2. " + strings.Repeat("Puedes ejercer tus derechos. ", 3)), ""},
		{"answer YES", text("Would you like our offers? Answer YES."), "keyword:YES=YES"},
		{"responde SÍ o NO", text("¿Quieres ofertas? Responde SÍ o NO"), "keyword:SÍ=SÍ | keyword:NO=NO"},
		{"reply YES … or NO …", text("Reply YES to subscribe or NO to skip."), "keyword:YES=YES | keyword:NO=NO"},
		{"escribe BAJA", text("Si no quieres más mensajes, escribe BAJA."), "keyword:BAJA=BAJA"},
		{"a gerund", text("puedes darte de baja cuando quieras escribiendo BAJA."), "keyword:BAJA=BAJA"},
		{"two words", text("Responde BAJA CONFIRMAR para confirmar."), "keyword:BAJA CONFIRMAR=BAJA CONFIRMAR"},
		{"a quoted word", text("Escribe «agente» y te atendemos."), "keyword:agente=agente"},
		{"a number", text("Responde 2 para hablar con una persona."), "keyword:2=2"},
		{"keyword and then a call", text("escribe AGENTE o llama al +34 900 123 456."), "keyword:AGENTE=AGENTE"},
		{"lower-case words are not keywords", text("escribe tu consulta y te ayudo"), ""},
		{"nothing", text("Gracias por tu mensaje."), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, o := range Options(tt.msg) {
				got = append(got, fmt.Sprintf("%s:%s=%s", o.Kind, o.Label, o.Reply))
			}
			if g := strings.Join(got, " | "); g != tt.want {
				t.Errorf("Options = %q, want %q", g, tt.want)
			}
		})
	}
}

func TestHasTerm(t *testing.T) {
	tests := []struct {
		text, term string
		want       bool
	}{
		{"darme de baja", "baja", true},
		{"bajada de precios", "baja", false},
		{"hablar con una persona.", "persona", true},
		{"personal", "persona", false},
		{"", "baja", false},
	}
	for _, tt := range tests {
		if got := hasTerm(fold(tt.text), tt.term); got != tt.want {
			t.Errorf("hasTerm(%q, %q) = %v", tt.text, tt.term, got)
		}
	}
}

// FuzzOptions: any message, however malformed, is read without panicking, and every option it yields
// has something to send.
func FuzzOptions(f *testing.F) {
	for _, s := range []string{"1. Sí\n2. No", "1️⃣ a\n2️⃣ b", "Responde SÍ o NO", "escribe «", "reply YES or", "\xff\xfe1. x\n2. y", "*1.* \n*2.*"} {
		f.Add(s, "Sí")
	}
	f.Fuzz(func(t *testing.T, text, button string) {
		for _, o := range Options(whatsapp.InboxMessage{Text: text, Buttons: []string{button}}) {
			if o.Kind != OptionButton && strings.TrimSpace(o.Reply) == "" {
				t.Errorf("option %+v of %q has nothing to send", o, text)
			}
		}
	})
}

func ExampleOptions() {
	m := whatsapp.InboxMessage{Text: "Hi! Reply STOP to stop offers.\n1. My orders\n2) Talk to a person"}
	for _, o := range Options(m) {
		fmt.Printf("%s %q → send %q\n", o.Kind, o.Label, o.Reply)
	}
	// Output:
	// menu "My orders" → send "1"
	// menu "Talk to a person" → send "2"
	// keyword "STOP" → send "STOP"
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{"Sí, ACEPTO": "si, acepto", "BAJA": "baja", "Ñandú": "nandu", "": ""} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}
