package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestLatencyShown: report.md and report.html show each timed reply with what was measured, the budget
// as written, the factor and the time it allowed.
func TestLatencyShown(t *testing.T) {
	r := fixtureReport("low")
	r.Scenarios[0].Latency = []Latency{{Customer: "Lucía", Reply: "TE-1001", Measured: "from her message to the reply", BudgetMS: 5000, Factor: 2, AllowedMS: 10000, Arrived: true, TookMS: 412, Within: true}}
	want := `Lucía: reply mentioning "TE-1001" in 0.412 s; budget 5.000 s × 2 = 10.000 s (from her message to the reply)`
	if got := r.Scenarios[0].Latency[0].String(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	var md, page bytes.Buffer
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "## Timed replies") || !strings.Contains(md.String(), "budget 5.000 s × 2 = 10.000 s") {
		t.Errorf("report.md:\n%s", md.String())
	}
	if !strings.Contains(page.String(), `<p class="latency">⏱ Lucía: reply mentioning &#34;TE-1001&#34; in 0.412 s; budget 5.000 s × 2 = 10.000 s`) {
		t.Error("report.html does not show the latency")
	}
}
