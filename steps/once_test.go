package steps

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/harness/embedded"
)

// TestTranscriptPrintedOnce: godog prints a failed step's error under the step and again in its summary
// (and, under go test, in the subtest's failure); the customer's transcript appears the first time only,
// while the error the report reads keeps it.
func TestTranscriptPrintedOnce(t *testing.T) {
	var out bytes.Buffer
	var stepErr error
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, embedded.Factory{Seed: 1}, WithReplyWait(1e8), WithResult(func(r Result) { stepErr = r.StepErr }))
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out,
			FeatureContents: []godog.Feature{{Name: "t.feature", Contents: []byte(`Feature: t
  Scenario: no such reply
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply containing "XYZ-NEVER"
`)}}},
	}.Run()
	if st == 0 {
		t.Fatalf("the scenario passed:\n%s", out.String())
	}
	const header = "Oliver (+447700900011, en) said:"
	if n := strings.Count(out.String(), header); n != 1 {
		t.Errorf("the transcript is printed %d times:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), `none mentioned "XYZ-NEVER"`); n != 2 || !strings.Contains(out.String(), "(the transcript is printed above)") {
		t.Errorf("the failure is printed %d times, the second without pointing at the transcript:\n%s", n, out.String())
	}
	if stepErr == nil || !strings.Contains(stepErr.Error(), header) {
		t.Errorf("the step's error lost its transcript: %v", stepErr)
	}
}
