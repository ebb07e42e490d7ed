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

// TestJudgementInSpanish: in Spanish the summary names the rules by their Spanish titles; the findings'
// explanations stay as the rules wrote them; English is the default.
func TestJudgementInSpanish(t *testing.T) {
	j := Judgement{Unexpected: []Result{{Rule: "WA-OPTOUT-01", Severity: SeverityCritical, Title: "Opt-out honoured", Status: Broken,
		Findings: []Finding{{Rule: "WA-OPTOUT-01", Severity: SeverityCritical, Customer: "34600000001", Explanation: `template "promo_verano" sent after the opt-out`, Seqs: []uint64{9}}}}}}
	rule, _ := Lookup("WA-OPTOUT-01")
	got := j.ErrIn("es").Error()
	for _, want := range []string{`la auditoría encontró WA-OPTOUT-01 incumplida: template "promo_verano" sent after the opt-out`,
		"- WA-OPTOUT-01 (critical): " + rule.TitleES, "cliente +34600000001:", "(eventos [9] del registro)"} {
		if !strings.Contains(got, want) {
			t.Errorf("in Spanish, %q lacks %q", got, want)
		}
	}
	if en := j.ErrIn("fr").Error(); en != j.Err().Error() {
		t.Errorf("another language: %q, want the English %q", en, j.Err().Error())
	}
}
