package steps

import (
	"strings"
	"testing"
)

// TestInspectSteps: what Dialogflow holds after erasure, what DLP checked and what a document holds, in
// English and Spanish, passing against the reference assistant and failing with what was there instead.
func TestInspectSteps(t *testing.T) {
	tests := []struct {
		name, feature string
		fails         []string // empty: the feature passes
	}{
		{"erasure leaves Dialogflow empty", `Feature: t
  Scenario: erased
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her name
    And "Lucía" asks to erase her data
    Then "Lucía" receives an acknowledgement of her request
    And Dialogflow holds nothing for "Lucía"
`, nil},
		{"contexts left before erasure", `# language: es
Característica: t
  Escenario: sin borrar
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su nombre
    Entonces Dialogflow no guarda nada de "Lucía"
`, []string{"Dialogflow aún guarda 1 contexto(s) de la(s) sesión(es) de Lucía", "/contexts/__system_counters__ (vida 1)"}},
		{"no session at all", `Feature: t
  Scenario: silent
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    Then Dialogflow holds nothing for "Lucía"
`, []string{"Dialogflow saw no session of Lucía", "proves nothing"}},
		{"DLP saw the DNI", `# language: es
Característica: t
  Escenario: DNI
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su DNI
    Entonces los textos que DLP revisó de "Lucía" contenían "Mi DNI es"
    Y los textos que DLP revisó de "Lucía" no contenían "IBAN"
`, nil},
		{"DLP did not see it", `Feature: t
  Scenario: DNI
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And a customer "Mario" with phone "+34 600 000 002" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her DNI
    And "Mario" has greeted the assistant
    Then the texts DLP checked for "Mario" contained "DNI"
`, []string{`none of the 1 text(s) DLP checked for Mario contained "DNI"; they were: "Hola"`}},
		{"DLP saw what it must not", `Feature: t
  Scenario: DNI
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" shares her DNI
    Then the texts DLP checked for "Lucía" did not contain "mi dni"
`, []string{`DLP checked 1 text(s) for Lucía containing "mi dni": "Mi DNI es `}},
		{"the export's contents", `Feature: t
  Scenario: access
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    When "Lucía" asks for a copy of her data
    Then "Lucía" receives a copy of her data
    And the document sent to "Lucía" contains "34600000001"
    And the document sent to "Lucía" is valid JSON with the field "reference"
    And the document sent to "Lucía" is valid JSON with the field "controller.contact"
`, nil},
		{"the export in Spanish, missing a field", `# language: es
Característica: t
  Escenario: acceso
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" pide una copia de sus datos
    Entonces el documento enviado a "Lucía" contiene "Tienda Ejemplo"
    Y el documento enviado a "Lucía" es JSON válido con el campo "controller.nowhere"
`, []string{`es JSON sin el campo "controller.nowhere"; empieza así: "{ \"version\"`}},
		{"no document", `Feature: t
  Scenario: none
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" has greeted the assistant
    Then the document sent to "Lucía" contains "x"
`, []string{"Lucía received no document"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, out := runPlain(t, tc.feature)
			if len(tc.fails) == 0 {
				if st != 0 {
					t.Fatalf("status %d:\n%s", st, out)
				}
				return
			}
			if st == 0 {
				t.Fatalf("passed:\n%s", out)
			}
			for _, want := range tc.fails {
				if !strings.Contains(out, want) {
					t.Errorf("the failure lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
