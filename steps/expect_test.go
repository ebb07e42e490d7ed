package steps

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/fixtures"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/mocks/whatsapp"
)

// refusingPromo is the fixture templates with promo_verano (es) asking for a fourth parameter that the
// reference assistant does not give, so WhatsApp refuses every campaign it sends with 132000.
func refusingPromo(t *testing.T) whatsapp.Option {
	t.Helper()
	sub, err := fs.Sub(fixtures.Templates, "templates")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := whatsapp.LoadTemplates(sub)
	if err != nil {
		t.Fatal(err)
	}
	changed := false
	for i, tpl := range ts {
		if tpl.Name != "promo_verano" || tpl.Language != "es" {
			continue
		}
		for j, c := range tpl.Components {
			if c.Type == "BODY" {
				ts[i].Components[j].Text = c.Text + " Válido hasta el {{4}}."
				changed = true
			}
		}
	}
	if !changed {
		t.Fatal("no promo_verano (es) body among the fixture templates")
	}
	return whatsapp.WithTemplates(ts)
}

// runRefusing runs one feature against the embedded reference assistant with the given violation
// switches, its marketing template refused by WhatsApp for its parameters (refusingPromo).
func runRefusing(t *testing.T, feature string, violations ...string) (int, string) {
	t.Helper()
	o := embedded.Factory{Seed: 1, Violations: violations, WhatsApp: []whatsapp.Option{refusingPromo(t)}}
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, o, WithReplyWait(2e9))
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(feature)}}},
	}.Run()
	return st, out.String()
}

// TestNegativeExpectationsJudgeAttempts: "receives no marketing" and "receives no message" fail when the
// assistant tried to send such a message in the period they look at, even when WhatsApp refused it and
// nothing reached the phone; the error names the attempt (template, error code). WhatsApp's own "stop
// promotions" refusing marketing (131050) is the platform at work, not the assistant's attempt to judge.
func TestNegativeExpectationsJudgeAttempts(t *testing.T) {
	const optedIn = `Feature: refused sends
  Scenario: a campaign WhatsApp refuses
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When 25 hours pass
    And the business sends the campaign "promo_verano"
`
	tests := []struct {
		name       string
		feature    string
		violations []string
		refusing   bool // WhatsApp refuses the campaign for its parameters (refusingPromo)
		pass       bool
		want       []string
	}{
		{name: "receives no marketing after a refused marketing template", feature: optedIn + `    Then "Lucía" receives no marketing` + "\n", refusing: true,
			want: []string{`Lucía received no marketing, but the assistant tried to send it`, `template "promo_verano" (MARKETING)`,
				"refused by WhatsApp with error 132000"}},
		{name: "receives no message after a refused marketing template", feature: optedIn + `    Then "Lucía" receives no message` + "\n", refusing: true,
			want: []string{`Lucía received nothing more, but the assistant tried to send 1 message`, `template "promo_verano" (MARKETING)`,
				"refused by WhatsApp with error 132000"}},
		{name: "a refused campaign after the opt-out fails the step and the audit", feature: optOut + `    Then "Lucía" receives no marketing` + "\n",
			violations: []string{"WA-OPTOUT-01"}, refusing: true,
			want: []string{`Lucía received no marketing, but the assistant tried to send it`, "refused by WhatsApp with error 132000",
				"the audit found WA-OPTOUT-01 broken", "after the customer opted out (refused by WhatsApp: 132000"}},
		{name: "a send accepted and then failed counts", feature: `Feature: blocked
  Scenario: a campaign to a customer who blocked the business
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" blocks the business
    And 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no message
`, want: []string{`template "promo_verano" (MARKETING), accepted by WhatsApp, then failed with error 131026`}},
		{name: "what came before the customer's last message is not looked at", feature: optedIn + `    When "Lucía" says "¿Dónde está mi pedido TE-1001?"
    Then "Lucía" receives a reply containing "TE-1001"
    And "Lucía" receives no marketing
    And "Lucía" receives no message
`, refusing: true, pass: true, want: []string{"1 scenarios (1 passed)"}},
		// With WA-MKT-02 switched on the reference assistant ignores the stop control and sends the campaign
		// once; WhatsApp accepts it and then fails it with 131050.
		{name: "WhatsApp's own stop control refusing marketing is not the assistant's attempt", feature: `Feature: stop
  Scenario: stop promotions
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" presses WhatsApp's "Stop promotions"
    And 25 hours pass
    And the business sends the campaign "promo_verano"
    Then "Lucía" receives no marketing
    And "Lucía" receives no message
`, violations: []string{"WA-MKT-02"}, pass: true, want: []string{"1 scenarios (1 passed)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			play := run
			if tt.refusing {
				play = runRefusing
			}
			st, out := play(t, tt.feature, tt.violations...)
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
