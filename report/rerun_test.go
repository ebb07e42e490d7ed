package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
)

// rerunFixture is a whole run of three scenarios over a catalogue of one high rule: "a" and "c" passed
// and exercised it, "b" failed a step.
func rerunFixture(t *testing.T) (earlier Report, h Header, catalogue []RuleMeta) {
	t.Helper()
	catalogue = []RuleMeta{{ID: "WA-OPTOUT-01", Title: "Opt-out honoured", TitleES: "Baja respetada", Severity: audit.SeverityHigh}}
	passed := func(name string) Scenario {
		return Scenario{Name: name, Path: name + ".feature:3", Status: ScenarioPassed, RuleStatus: map[string]audit.Status{"WA-OPTOUT-01": audit.Passed}, Findings: []Finding{}}
	}
	failed := passed("b")
	failed.Status, failed.Error, failed.RuleStatus = ScenarioFailed, "Lucía got no reply", map[string]audit.Status{}
	h = Header{FailOn: audit.SeverityLow, Lang: "en", Assistant: Assistant{Kind: "url", Name: "assistant at http://x", URL: "http://x"},
		Parley: Parley{BinarySHA256: strings.Repeat("ab", 32)}, Suite: Suite{Name: "features f", SHA256: strings.Repeat("cd", 32), Total: 3},
		StartedAt: t0, FinishedAt: t0.Add(time.Second)}
	earlier = Build(h, catalogue, []Scenario{passed("a"), failed, passed("c")})
	if earlier.Verdict != NotCertified {
		t.Fatalf("the earlier run is %s, want not certified", earlier.Verdict)
	}
	return earlier, h, catalogue
}

// TestRerun: a rerun replays what failed, carries the rest and says so; it certifies only when every
// carried scenario passed and the replayed ones pass now, and then says the certification is of the two
// runs together; what could not be joined is refused.
func TestRerun(t *testing.T) {
	earlier, h, catalogue := rerunFixture(t)
	if got := earlier.ToReplay(); len(got) != 1 || got[0].Name != "b" {
		t.Fatalf("ToReplay = %v, want b", got)
	}
	fixed := Scenario{Name: "b", Path: "b.feature:3", Status: ScenarioPassed, RuleStatus: map[string]audit.Status{"WA-OPTOUT-01": audit.Passed}, Findings: []Finding{}}
	later := h
	later.StartedAt, later.FinishedAt, later.Suite.Total = t0.Add(time.Hour), t0.Add(time.Hour+time.Second), 3
	fresh := Build(later, catalogue, []Scenario{fixed})
	if fresh.Certified() {
		t.Fatal("the rerun's own scenarios certify on their own")
	}
	joined, err := Rerun(earlier, RerunOf{Report: "old/report.json", SHA256: strings.Repeat("ef", 32)}, fresh)
	if err != nil {
		t.Fatal(err)
	}
	rr := joined.Rerun
	if !joined.Certified() || rr == nil || strings.Join(rr.Replayed, ",") != "b" || strings.Join(rr.Carried, ",") != "a,c" ||
		rr.Verdict != NotCertified || !rr.StartedAt.Equal(t0) {
		t.Fatalf("joined: %s, rerun %+v", joined.Verdict, rr)
	}
	if names := []string{joined.Scenarios[0].Name, joined.Scenarios[1].Name, joined.Scenarios[2].Name}; strings.Join(names, ",") != "a,b,c" {
		t.Errorf("scenarios in the order %v, want the earlier report's", names)
	}
	if err := joined.Recheck(); err != nil {
		t.Errorf("a joined report fails its own recheck: %v", err)
	}
	var con bytes.Buffer
	if err := Console(&con, joined, "rerun"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CERTIFIED", "a rerun of old/report.json (NOT CERTIFIED, started 2026-03-02 09:00 UTC): 1 scenario(s) played again, 2 carried over",
		"certified over the two runs together", "parley cannot tell whether it changed since"} {
		if !strings.Contains(con.String(), want) {
			t.Errorf("console lacks %q:\n%s", want, con.String())
		}
	}

	var md, page bytes.Buffer
	if err := Markdown(&md, joined); err != nil {
		t.Fatal(err)
	}
	if err := HTML(&page, joined); err != nil {
		t.Fatal(err)
	}
	for name, doc := range map[string]string{"report.md": md.String(), "report.html": page.String()} {
		if !strings.Contains(doc, "A rerun of old/report.json") || !strings.Contains(doc, "Certified over the two runs together") {
			t.Errorf("%s does not say it is a rerun and what it certifies", name)
		}
	}

	// An earlier scenario carried that had not passed keeps the join from certifying: only scenarios that
	// failed, could not run or missed their goal are replayed, and a not applicable one stays so.
	withGap := earlier
	withGap.Scenarios = append([]Scenario(nil), earlier.Scenarios...)
	withGap.Scenarios[2].Status, withGap.Scenarios[2].RuleStatus = ScenarioNotApplicable, map[string]audit.Status{}
	withGap.Scenarios[0].RuleStatus = map[string]audit.Status{}
	withGap = Build(h, catalogue, withGap.Scenarios)
	gapJoined, err := Rerun(withGap, RerunOf{Report: "x"}, Build(later, catalogue, []Scenario{{Name: "b", Status: ScenarioPassed, RuleStatus: map[string]audit.Status{}, Findings: []Finding{}}}))
	if err != nil {
		t.Fatal(err)
	}
	if gapJoined.Certified() {
		t.Errorf("a join whose rule no scenario exercised is %s", gapJoined.Verdict)
	}
	// The replayed scenario failing again: not certified.
	again := fixed
	again.Status, again.Error = ScenarioFailed, "still no reply"
	if j, err := Rerun(earlier, RerunOf{}, Build(later, catalogue, []Scenario{again})); err != nil || j.Verdict != NotCertified {
		t.Errorf("failing again: %v, %v", j.Verdict, err)
	}

	tests := []struct {
		name  string
		edit  func(*Report)
		wants string
	}{
		{"another suite", func(r *Report) { r.Suite.SHA256 = strings.Repeat("00", 32) }, "another suite"},
		{"another assistant", func(r *Report) { r.Assistant.URL = "http://y" }, "another assistant"},
		{"another binary", func(r *Report) { r.Parley.BinarySHA256 = "00" }, "another parley binary"},
		{"another threshold", func(r *Report) { r.FailOn = "high" }, "--fail-on high"},
		{"a shard", func(r *Report) { r.Suite.Shard = "1/2" }, "parley report merge"},
		{"the scenario not replayed", func(r *Report) { r.Scenarios[1].Name = "renamed" }, `scenario "renamed" of the earlier report was not played again`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := earlier
			e.Scenarios = append([]Scenario(nil), earlier.Scenarios...)
			tc.edit(&e)
			if _, err := Rerun(e, RerunOf{}, fresh); err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("err = %v, want %q", err, tc.wants)
			}
		})
	}
	if _, err := Merge([]Report{joined}); err == nil || !strings.Contains(err.Error(), "is a rerun") {
		t.Errorf("merging a rerun: %v", err)
	}
}

// TestConsoleSpanish: --lang es speaks Spanish at the terminal too.
func TestConsoleSpanish(t *testing.T) {
	earlier, _, _ := rerunFixture(t)
	earlier.Lang = "es"
	var b bytes.Buffer
	if err := Console(&b, earlier, "informe"); err != nil {
		t.Fatal(err)
	}
	want := `assistant at http://x: NO CERTIFICADO
  3 escenarios: 2 superados, 1 fallidos, 0 sin poder ejecutarse
  1 reglas: 1 cumplidas, 0 incumplidas, 0 sin ejercitar
  ✗ escenario "b": Lucía got no reply
  informe: informe/report.html (también report.json, report.md, junit.xml, cucumber.json)
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
