package steps

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/journal"
)

// run runs one feature (from memory, not linted) against the embedded reference assistant with the given
// violation switches, and returns godog's status and output.
func run(t *testing.T, feature string, violations ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, embedded.Factory{Seed: 1, Violations: violations}, WithReplyWait(2e9))
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(feature)}}},
	}.Run()
	return st, out.String()
}

const optOut = `Feature: opt-out
  Scenario: BAJA
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" says "BAJA"
    And 31 days pass
    And the business sends the campaign "promo_verano"
`

// TestAuditAfterEveryScenario: the auditor runs after each scenario; a broken rule fails it, naming the
// rule, its explanation and the transcript, unless the scenario states it.
func TestAuditAfterEveryScenario(t *testing.T) {
	tests := []struct {
		name       string
		feature    string
		violations []string
		pass       bool
		want       []string
	}{
		{"compliant assistant", optOut, nil, true, []string{"1 scenarios (1 passed)"}},
		{"broken rule fails the scenario", optOut, []string{"WA-OPTOUT-01"}, false,
			[]string{"the audit found WA-OPTOUT-01 broken", "customer +34600000001", "journal events", "transcript:", `Lucía (+34600000001, es) said:`, `→ "BAJA"`, "promo_verano"}},
		{"a stated violation passes", optOut + `    Then the audit reports "WA-OPTOUT-01"` + "\n", []string{"WA-OPTOUT-01"}, true, []string{"1 scenarios (1 passed)"}},
		{"a stated violation that did not happen fails", optOut + `    Then the audit reports "WA-OPTOUT-01"` + "\n", nil, false, []string{"the audit does not report WA-OPTOUT-01", "passed"}},
		{"the audit is clean, in Spanish", "# language: es\nCaracterística: x\n  Escenario: y\n    Dado un cliente \"Lucía\" con teléfono \"+34 600 000 001\" que habla español\n    Cuando \"Lucía\" dice \"Hola\"\n    Entonces la auditoría no encuentra nada\n",
			[]string{"AI-DISC-01"}, false, []string{"AI-DISC-01", "la auditoría encontró AI-DISC-01 incumplida", "Lucía (+34600000001, es) dijo:", "y recibió:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := run(t, tt.feature, tt.violations...)
			if (st == 0) != tt.pass {
				t.Errorf("status %d, want pass=%v:\n%s", st, tt.pass, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestRuntimeMistakes: mistakes the linter did not see (the feature was run without it) still fail with
// a helpful message.
func TestRuntimeMistakes(t *testing.T) {
	tests := []struct {
		name, steps string
		want        []string
	}{
		{"unknown step", `    When "Lucía" sayz "Hola"`, []string{`unknown step "\"Lucía\" sayz \"Hola\""`, "closest known steps", `"Lucía" says "BAJA"`}},
		{"unknown customer", `    When "Lucia" says "Hola"`, []string{`no customer named "Lucia"`, `Did you mean "Lucía"?`}},
		{"tap a button nobody offered", `    When "Lucía" taps "Si, acepto"`, []string{`cannot tap "Si, acepto"`}},
		{"table header", "    When the conversation goes:\n      | person | says |\n      | Lucía | Hola |", []string{"header is | person | says |", "| who | says |"}},
		{"unknown rule", `    Then the audit reports "WA-OPTOUT-1"`, []string{`Did you mean "WA-OPTOUT-01"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, out := run(t, "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n"+tt.steps+"\n")
			if st == 0 {
				t.Errorf("passed:\n%s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

// TestUnmodelledFailsTheScenario: a request a mock did not model (journalled as unmodelled) fails the
// scenario even when every step and rule passed.
func TestUnmodelledFailsTheScenario(t *testing.T) {
	factory := harness.FactoryFunc(func(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
		env, err := embedded.Factory{Seed: 1}.Start(ctx, s)
		if err == nil {
			env.World().Journal.Record(journal.SourceWhatsApp, journal.KindUnmodelled, "", map[string]string{"method": "GET", "path": "/v23.0/123/unknown"})
		}
		return env, err
	})
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) { Register(sc, factory) },
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out, FeatureContents: []godog.Feature{{Name: "u.feature", Contents: []byte(
			"Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" says \"Hola\"\n")}}},
	}.Run()
	if st == 0 || !strings.Contains(out.String(), "requests the mocks do not model") || !strings.Contains(out.String(), "/v23.0/123/unknown") {
		t.Errorf("status %d:\n%s", st, out.String())
	}
}
