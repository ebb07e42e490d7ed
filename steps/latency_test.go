package steps

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/report"
)

// runTimed runs one feature against the embedded reference assistant with the given options and returns
// godog's status and output and what the timed steps measured.
func runTimed(t *testing.T, feature string, opts ...Option) (int, string, []report.Latency) {
	t.Helper()
	var out bytes.Buffer
	var lat []report.Latency
	opts = append(opts, WithReplyWait(1e9), WithResult(func(r Result) { lat = append(lat, r.Latencies...) }))
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) { Register(sc, embedded.Factory{Seed: 1}, opts...) },
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(feature)}}},
	}.Run()
	return st, out.String(), lat
}

// TestLatencyBudgetIsExplicit: a "within N seconds" step records what it measured, the budget as
// written, the run's factor and the time it allowed; a factor below 1 is ignored; a reply that did not
// come in time names the budget, the factor and how to loosen it.
func TestLatencyBudgetIsExplicit(t *testing.T) {
	const timed = `Feature: t
  Scenario: timed
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply containing "%s" within %s
`
	feature := func(text, budget string) string {
		return fmt.Sprintf(timed, text, budget)
	}
	tests := []struct {
		name   string
		factor float64
		want   report.Latency
	}{
		{"scaled by 3", 3, report.Latency{BudgetMS: 5000, Factor: 3, AllowedMS: 15000}},
		{"below 1 is ignored", 0.5, report.Latency{BudgetMS: 5000, Factor: 1, AllowedMS: 5000}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, out, lat := runTimed(t, feature("automated", "5 seconds"), WithLatencyFactor(tc.factor))
			if st != 0 || len(lat) != 1 {
				t.Fatalf("status %d, %d latencies:\n%s", st, len(lat), out)
			}
			l := lat[0]
			if l.Customer != "Oliver" || l.Reply != "automated" || l.Measured != LatencyMeasured || l.BudgetMS != tc.want.BudgetMS ||
				l.Factor != tc.want.Factor || l.AllowedMS != tc.want.AllowedMS || !l.Arrived || !l.Within {
				t.Errorf("latency %+v", l)
			}
		})
	}
	st, out, lat := runTimed(t, feature("XYZ-NEVER", "1 second"), WithLatencyFactor(1))
	if st == 0 || len(lat) != 1 || lat[0].Arrived || lat[0].Within {
		t.Fatalf("status %d, latencies %+v:\n%s", st, lat, out)
	}
	for _, want := range []string{"budget 1s × latency factor 1", "--latency-factor or PARLEY_LATENCY_FACTOR", `none mentioned "XYZ-NEVER"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the failure lacks %q:\n%s", want, out)
		}
	}
}
