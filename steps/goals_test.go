package steps

import (
	"strings"
	"testing"
)

// goalsFeature states every goal in outcomes only; the reference assistant must let customers reach
// them all in English and in Spanish, and the audit after each scenario must find nothing broken.
const goalsFeature = `Feature: goals
  Scenario: opting in and out
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" opts in to offers
    And "Lucía" asks to stop the offers

  Scenario: declining
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" declines offers

  Scenario: a person
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" asks for a person

  Scenario: a copy of the data, then erasure
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" asks for a copy of her data
    And "Lucía" asks to erase her data

  Scenario: objection
    Given a customer "Oliver" with phone "+44 7700 900001" who speaks English
    When "Oliver" opts in to offers
    And "Oliver" objects to marketing

  Scenario: the order
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    When "Lucía" asks about her order
`

const goalsFeatureES = `# language: es
Característica: objetivos
  Escenario: alta, persona y baja
    Dado un cliente "Lucía" con teléfono "+34 600 000 001" que habla español
    Cuando "Lucía" acepta recibir ofertas
    Y "Lucía" pregunta por su pedido
    Y "Lucía" pide hablar con una persona
    Y "Lucía" pide que dejen de enviarle ofertas

  Escenario: rechazo y datos
    Dado un cliente "Mario" con teléfono "+34 600 000 002" que habla español
    Cuando "Mario" rechaza las ofertas
    Y "Mario" pide una copia de sus datos
    Y "Mario" se opone a recibir publicidad
    Y "Mario" pide que borren sus datos
`

// TestGoalsReference: the reference assistant lets a customer reach every goal, in both languages, with
// nothing broken.
func TestGoalsReference(t *testing.T) {
	for name, feature := range map[string]string{"goals.feature": goalsFeature, "objetivos.feature": goalsFeatureES} {
		t.Run(name, func(t *testing.T) {
			st, out := runStrict(t, name, []byte(feature))
			if st != 0 || strings.Contains(out, "failed") {
				t.Errorf("status %d:\n%s", st, out)
			}
		})
	}
}
