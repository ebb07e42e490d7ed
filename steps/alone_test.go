package steps

import "testing"

// TestRunsAlone: a scenario plays alone when one of its steps moves the clock, sends a campaign to
// everyone, changes a mock every scenario shares or declares the test data's customer (whose number every
// scenario with that customer shares), in either language; a customer's own steps do not.
func TestRunsAlone(t *testing.T) {
	cases := []struct {
		name  string
		texts []string
		want  bool
	}{
		{"a customer's conversation", []string{`a customer "Lucía" with phone "+34 612 345 678" who speaks Spanish`, `"Lucía" says "Hola"`, `"Lucía" receives a reply containing "Hola"`}, false},
		{"the clock moves", []string{`"Lucía" says "Hola"`, `25 hours pass`}, true},
		{"the clock moves, in Spanish", []string{`pasan 31 días`}, true},
		{"a campaign", []string{`the business sends the campaign "promo_verano"`}, true},
		{"Dialogflow down", []string{`Dialogflow no está disponible`}, true},
		{"Dialogflow slow", []string{`Dialogflow answers after 300 milliseconds`}, true},
		{"WhatsApp rejects sends", []string{`WhatsApp rejects the next 2 sends with error 130429`}, true},
		{"messy statuses", []string{`WhatsApp entrega los webhooks de estado duplicados y desordenados`}, true},
		{"one customer's own choice", []string{`"Lucía" presses WhatsApp's "Stop promotions"`, `"Lucía" blocks the business`}, false},
		{"one customer's notification", []string{`the business tells "Lucía" that order "TE-1001" has shipped`}, false},
		{"the test data's customer, whom other scenarios share", []string{`a customer "Lucía" with an order who speaks Spanish`, `"Lucía" asks about her order`}, true},
		{"the test data's customer, in Spanish", []string{`una cliente "Lucía" con un pedido que habla español`}, true},
		{"a step no one knows", []string{`the moon is full`}, false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		if got := RunsAlone(c.texts); got != c.want {
			t.Errorf("%s: RunsAlone = %v, want %v", c.name, got, c.want)
		}
	}
	// Every step marked alone is recognised by its own examples.
	for _, d := range Defs() {
		if d.Alone && (!RunsAlone([]string{d.ExEN}) || !RunsAlone([]string{d.ExES})) {
			t.Errorf("%q is marked alone but its examples do not make a scenario play alone", d.ExEN)
		}
	}
}

// TestWaits: a scenario waits on the wall clock when a mock is slowed down or sends are refused (the
// assistant backs off), in either language; a fault that answers at once does not make it wait.
func TestWaits(t *testing.T) {
	cases := []struct {
		name  string
		texts []string
		want  bool
	}{
		{"Dialogflow slow", []string{`a customer "Lucía" with an order who speaks Spanish`, `Dialogflow answers after 200 milliseconds`}, true},
		{"Dialogflow slow, in Spanish", []string{`Dialogflow responde tras 300 milisegundos`}, true},
		{"WhatsApp rejects sends", []string{`WhatsApp rejects the next 2 sends with error 130429`}, true},
		{"WhatsApp rejects sends, in Spanish", []string{`WhatsApp rechaza los próximos 2 envíos con el error 130429`}, true},
		{"Dialogflow down answers at once", []string{`Dialogflow is down`}, false},
		{"the clock moves in simulated time", []string{`25 hours pass`}, false},
		{"a customer's conversation", []string{`"Lucía" says "Hola"`}, false},
		{"nothing", nil, false},
	}
	for _, c := range cases {
		if got := Waits(c.texts); got != c.want {
			t.Errorf("%s: Waits = %v, want %v", c.name, got, c.want)
		}
	}
	for _, d := range Defs() {
		if d.Waits && (!Waits([]string{d.ExEN}) || !Waits([]string{d.ExES})) {
			t.Errorf("%q is marked as waiting but its examples do not make a scenario wait", d.ExEN)
		}
	}
}
