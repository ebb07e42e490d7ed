package reference

import (
	"reflect"
	"slices"
	"testing"
)

// TestCustomerWording: every text the assistant sends is listed, its buttons apart, with the seed
// store's codes; the button fields exist, so a renamed field cannot silently turn titles into sentences.
func TestCustomerWording(t *testing.T) {
	w, err := CustomerWording()
	if err != nil {
		t.Fatal(err)
	}
	for name := range buttonTexts {
		if _, ok := reflect.TypeOf(texts{}).FieldByName(name); !ok {
			t.Errorf("texts has no field %s", name)
		}
	}
	for _, b := range []string{spanish.optInYesButton, spanish.optInNoButton, english.optInYesButton, english.optInNoButton} {
		if !slices.Contains(w.Buttons, b) || slices.Contains(w.Sentences, b) {
			t.Errorf("button %q is not listed as a button only", b)
		}
	}
	for _, want := range []string{"Listo: te hemos dado de baja y no recibirás más mensajes promocionales ni avisos de Tienda Ejemplo por WhatsApp. Puedes seguir escribiéndonos cuando quieras.",
		"Hecho: hemos corregido tu ", ". Referencia: "} {
		if !slices.Contains(w.Sentences, want) {
			t.Errorf("sentence %q is not listed", want)
		}
	}
	for _, c := range []string{"TE-1001", "TE-1006", "T-5001"} {
		if !slices.Contains(w.Codes, c) {
			t.Errorf("code %q is not listed", c)
		}
	}
	if n := reflect.TypeOf(texts{}).NumField(); len(w.Sentences)+len(w.Buttons) < 2*n {
		t.Errorf("%d sentences and %d buttons for %d texts in two languages", len(w.Sentences), len(w.Buttons), n)
	}
}
