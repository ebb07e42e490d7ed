package audit

import (
	"strings"
	"testing"
)

// TestJudgementFirstLineStandsAlone: a console that shows only the first line of the error still says
// what was broken and why, not "… broken:" with nothing after.
func TestJudgementFirstLineStandsAlone(t *testing.T) {
	j := Judgement{Unexpected: []Result{{Rule: "WA-OPTOUT-01", Severity: SeverityCritical, Title: "Opt-out honoured", Status: Broken,
		Findings: []Finding{
			{Rule: "WA-OPTOUT-01", Severity: SeverityInfo, Explanation: "a note"},
			{Rule: "WA-OPTOUT-01", Severity: SeverityCritical, Customer: "34600000001", Explanation: `template "promo_verano" sent after the opt-out`, Seqs: []uint64{9}},
		}}}}
	first, rest, _ := strings.Cut(j.Err().Error(), "\n")
	if first != `the audit found WA-OPTOUT-01 broken: template "promo_verano" sent after the opt-out` {
		t.Errorf("first line = %q", first)
	}
	if !strings.Contains(rest, "- WA-OPTOUT-01 (critical): Opt-out honoured") || strings.Contains(rest, "a note") {
		t.Errorf("details = %q", rest)
	}
}
