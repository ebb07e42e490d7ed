package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/parley-dev/parley/report"
)

// What a customer or an assistant wrote reaches the terminal without its escape sequences or
// bidirectional overrides.
func TestTerminalGetsNoControlCharacters(t *testing.T) {
	hostile := "\x1b[2J\x1b]0;pwned\x07 \u202Eevil"
	r := report.Report{Assistant: report.Assistant{Name: "bot " + hostile}, Verdict: report.NotCertified,
		Scenarios: []report.Scenario{{Name: "s " + hostile, Status: report.ScenarioFailed, Error: "failed: " + hostile}}}
	var b bytes.Buffer
	printVerdict(&b, r, "out")
	p := newProgress(&b, 1, "en")
	p.done(report.Scenario{Name: "s " + hostile, Status: report.ScenarioFailed})
	out := b.String()
	for _, bad := range []string{"\x1b", "\x07", "\u202E"} {
		if strings.Contains(out, bad) {
			t.Errorf("the terminal gets %q:\n%q", bad, out)
		}
	}
	if !strings.Contains(out, "[U+202E]evil") {
		t.Errorf("the override is not shown: %q", out)
	}
}
