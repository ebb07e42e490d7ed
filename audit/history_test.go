package audit

import "testing"

// TestFromLeavesHistoryOut: with Options.From, a finding whose events all come before it (history carried
// for context) is not reported, and one with an event from it on still is.
func TestFromLeavesHistoryOut(t *testing.T) {
	b := newJ()
	b.in(ana, "Hola")
	b.out(ana, "Hola, ¿en qué te ayudo?") // no disclosure: AI-DISC-01, in the history
	from := b.in(ana, "¿Y mi pedido?")
	b.in(ben, "Hola")
	b.out(ben, "Hola, ¿en qué te ayudo?") // the same, in the journal's own part

	customers := func(rep Report) map[string]bool {
		res, _ := rep.Result("AI-DISC-01")
		out := map[string]bool{}
		for _, f := range res.Findings {
			out[f.Customer] = true
		}
		return out
	}
	if got := customers(Run(b.evs, Options{})); !got[ana] || !got[ben] {
		t.Fatalf("without From, want findings for both customers, got %v", got)
	}
	got := customers(Run(b.evs, Options{From: from}))
	if got[ana] || !got[ben] {
		t.Errorf("with From, want only the finding from the journal's own part (%s), got %v", ben, got)
	}
}
