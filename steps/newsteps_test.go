package steps

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/harness/embedded"
)

// runPlain runs one feature against the embedded reference assistant, as written.
func runPlain(t *testing.T, feature string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, embedded.Factory{Seed: 1}, WithReplyWait(1e9))
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(feature)}}},
	}.Run()
	return st, out.String()
}

// TestCardIBANAndNotContaining: a customer shares a card number and an IBAN, in English and Spanish, and
// a reply can be required not to contain something.
func TestCardIBANAndNotContaining(t *testing.T) {
	st, out := runPlain(t, `Feature: t
  Scenario: shares payment details
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    And "Oliver" has greeted the assistant
    When "Oliver" shares his card number
    Then "Oliver" receives a reply not containing "card number is"
    When "Oliver" shares his IBAN
    Then "Oliver" receives a reply not containing "your IBAN is"
`)
	if st != 0 {
		t.Fatalf("status %d:\n%s", st, out)
	}
	st, out = runPlain(t, `# language: es
Característica: t
  Escenario: comparte su IBAN
    Dado un cliente "Lucía" con teléfono "+34 612 345 678" que habla español
    Y "Lucía" ya ha saludado al asistente
    Cuando "Lucía" comparte su número de tarjeta
    Y "Lucía" comparte su IBAN
    Entonces "Lucía" recibe una respuesta que no contiene "zzz"
`)
	if st != 0 {
		t.Fatalf("status %d:\n%s", st, out)
	}
	st, out = runPlain(t, `Feature: t
  Scenario: a reply mentions what it must not
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply not containing "automated"
`)
	if st == 0 || !strings.Contains(out, `Oliver got a reply mentioning "automated", which it must not:`) {
		t.Errorf("status %d:\n%s", st, out)
	}
}

// TestReplyNeverCameReadsAsTheCustomer: a reply that never came says what the customer got instead, not
// the poll's internals.
func TestReplyNeverCameReadsAsTheCustomer(t *testing.T) {
	st, out := runPlain(t, `Feature: t
  Scenario: no such reply
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply containing "XYZ-NEVER"
`)
	if st == 0 || !strings.Contains(out, `none mentioned "XYZ-NEVER"; the last was: "`) {
		t.Errorf("status %d:\n%s", st, out)
	}
	for _, internal := range []string{"context deadline exceeded", "waiting for", "looked from message"} {
		if strings.Contains(out, internal) {
			t.Errorf("the failure shows the poll's internals (%q):\n%s", internal, out)
		}
	}
}
