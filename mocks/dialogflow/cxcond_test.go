package dialogflow

import (
	"strings"
	"testing"
)

// TestCXConditions: the condition language as real routes write it.
func TestCXConditions(t *testing.T) {
	v := cxVars{
		session: map[string]any{"accion": "otros", "conteo": 2.0, "personal": true, "modulos": map[string]any{"buzon": true},
			"Email": "ana@example.com", "nada": nil},
		page:      map[string]any{"email": "ana@example.com"},
		pageFinal: true,
		intent:    map[string]any{"dni": "12345678"},
	}
	for _, tc := range []struct {
		cond string
		want bool
	}{
		{"true", true},
		{"false", false},
		{`$page.params.status = "FINAL"`, true},
		{`$page.params.status = FINAL`, true},
		{`$page.params.email.status = "VALID"`, true},
		{`$session.params.accion = otros OR $session.params.accion = medicamento`, true},
		{`$session.params.accion = "otros" AND $session.params.personal = false`, false},
		{`$session.params.accion = otros AND $session.params.personal = true OR false`, true},
		{`$session.params.accion = x AND ($session.params.personal = true OR true)`, false},
		{`NOT $session.params.personal = false`, true},
		{`$session.params.conteo >= 2 AND $session.params.conteo < 3`, true},
		{`$session.params.conteo = "2"`, true},
		{`$session.params.conteo > 10`, false},
		{`$session.params.modulos.buzon = true`, true},
		{`$session.params.email = "ana@example.com"`, true}, // parameter names ignore case
		{`$session.params.especialidad != null AND $session.params.especialidad != undefined`, false},
		{`$session.params.especialidad = null`, true},
		{`$session.params.nada = null`, true},
		{`$intent.params.dni != null`, true},
		{`$session.params.personal`, true},
		{`$session.params.ausente`, false},
	} {
		e, err := parseCond(tc.cond)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if got := e.eval(v); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.cond, got, tc.want)
		}
	}
	for _, tc := range []struct{ cond, want string }{
		{`$sys.func.IS_DATE($session.params.x)`, "reference $sys.func.IS_DATE is not modelled"},
		{`$session.params.x : "a"`, "has operator"},
		{`($session.params.x = 1`, "missing )"},
		{`$session.params.x = `, "unexpected end"},
		{`$session.params.x = 1 1`, `unexpected "1"`},
		{`$session.params.x = #`, `unexpected "#"`},
		{strings.Repeat("NOT ", 40) + "true", "nested deeper"},
		{strings.Repeat("true AND ", 1000) + "true", "longer than"},
	} {
		if _, err := parseCond(tc.cond); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%.40s: %v, want %q", tc.cond, err, tc.want)
		}
	}
}

// TestCXTemplates: references in texts and presets.
func TestCXTemplates(t *testing.T) {
	v := cxVars{session: map[string]any{"pedido": "48213", "fecha": map[string]any{"year": 2030.0, "month": 3.0, "day": 15.0},
		"lista": []any{"a", "b"}, "n": 3.0}, intent: map[string]any{"pedido": "50127"}, originals: map[string]string{"pedido": "el 50127"}}
	if got := fillTemplate("Pedido $session.params.pedido, el $session.params.fecha. Antes: $intent.params.pedido.original; $session.params.lista; falta $session.params.x.", v); got !=
		"Pedido 48213, el 2030-03-15. Antes: el 50127; a, b; falta ." {
		t.Errorf("fillTemplate: %q", got)
	}
	if got := presetValue("$session.params.n", v); got != 3.0 {
		t.Errorf("a preset that is one reference keeps the value's type: %#v", got)
	}
	if got := presetValue("n=$session.params.n", v); got != "n=3" {
		t.Errorf("preset text: %#v", got)
	}
}
