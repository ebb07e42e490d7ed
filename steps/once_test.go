package steps

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
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

// TestTranscriptOnceUnderGoTest runs a failing feature under go test, in a child test process, as
// `go test ./features` would: the customer's transcript is printed once, whether a step failed or the
// final audit did, and the summary ends with the counts.
func TestTranscriptOnceUnderGoTest(t *testing.T) {
	if os.Getenv("PARLEY_STEPS_CHILD") != "" {
		t.Skip("the child runs the feature itself")
	}
	tests := []struct{ name, feature, header string }{
		{"a step fails", `Feature: t
  Scenario: no such reply
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply containing "XYZ-NEVER"
`, "Oliver (+447700900011, en) said:"},
		{"the audit fails", `Feature: t
  Scenario: audit finds
    Given a customer "Lucía" with phone "+34 600 000 001" who speaks Spanish
    And "Lucía" accepted offers in the chat
    When "Lucía" asks to opt out: "BAJA"
    And the business sends the campaign "promo_verano"
`, "Lucía (+34600000001, es) said:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "t.feature"), []byte(tc.feature), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestFailingFeatureChild$", "-test.v", "-test.count=1")
			cmd.Env = append(os.Environ(), "PARLEY_STEPS_CHILD="+dir)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the failing feature passed:\n%s", out)
			}
			if n := strings.Count(string(out), tc.header); n != 1 {
				t.Errorf("the transcript is printed %d times:\n%s", n, out)
			}
			if !strings.Contains(string(out), "1 scenarios (1 failed)") || strings.Contains(string(out), "Failed steps:") {
				t.Errorf("the summary is not the counts alone:\n%s", out)
			}
		})
	}
}

// TestFailingFeatureChild is the child of TestTranscriptOnceUnderGoTest: it runs the feature of the folder
// PARLEY_STEPS_CHILD names, which fails.
func TestFailingFeatureChild(t *testing.T) {
	dir := os.Getenv("PARLEY_STEPS_CHILD")
	if dir == "" {
		t.Skip("run by TestTranscriptOnceUnderGoTest")
	}
	o := godog.Options{Format: "progress", NoColors: true, TestingT: t}
	RunSuite(os.DirFS(dir), []string{"."}, embedded.Factory{Seed: 1, Violations: []string{"WA-OPTOUT-01"}}, o, WithReplyWait(1e8))
}

func TestUnderTestFormats(t *testing.T) {
	for in, want := range map[string]string{
		"progress":                    formatProgressUnderTest,
		"pretty,junit:out/report.xml": formatPrettyUnderTest + ",junit:out/report.xml",
		"cucumber:c.json":             "cucumber:c.json",
	} {
		if got := underTest(in); got != want {
			t.Errorf("underTest(%q) = %q, want %q", in, got, want)
		}
	}
}
