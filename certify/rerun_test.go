package certify

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/report"
)

// TestRerunPlaysOnlyWhatFailed: a rerun of a report plays again only the outline row that failed (found
// by its name and its row's line), against the assistant as it is now, and joins it to the row that
// passed; a report of other features, or naming a scenario the suite lacks, is refused.
func TestRerunPlaysOnlyWhatFailed(t *testing.T) {
	s, err := Features(fstest.MapFS{"o.feature": {Data: []byte(outline)}}, "outline")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	earlier, err := Run(ctx, Config{Plan: p, ReplyWait: time.Second, Envs: embedded.Factory{Seed: 1, Violations: []string{"WA-OPTOUT-02"}}})
	if err != nil {
		t.Fatal(err)
	}
	if earlier.Scenarios[0].Status != report.ScenarioFailed || earlier.Scenarios[1].Status != report.ScenarioPassed {
		t.Fatalf("the earlier run: %s, %s; want the paraphrase row failed and the keyword row passed", earlier.Scenarios[0].Status, earlier.Scenarios[1].Status)
	}
	if earlier.Scenarios[0].Path != "o.feature:11" {
		t.Errorf("the failed row's path is %q, want its Examples row's line", earlier.Scenarios[0].Path)
	}

	rp, err := SelectRerun(s, Rerun{Report: earlier, Of: report.RerunOf{Report: "earlier/report.json"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rp.Selected) != 1 || rp.Selected[0].Name != earlier.Scenarios[0].Name {
		t.Fatalf("the rerun plays %v, want the failed row only", rp.Selected)
	}
	var played []string
	joined, err := Run(ctx, Config{Plan: rp, ReplyWait: time.Second, Envs: embedded.Factory{Seed: 1},
		Progress: func(sc report.Scenario) { played = append(played, sc.Name) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(played) != 1 || joined.Rerun == nil || len(joined.Scenarios) != 2 {
		t.Fatalf("played %v; joined report: rerun %+v, %d scenarios", played, joined.Rerun, len(joined.Scenarios))
	}
	if joined.Scenarios[0].Status != report.ScenarioPassed || joined.Scenarios[1].Timings != earlier.Scenarios[1].Timings {
		t.Errorf("joined: the replayed row %s, the carried row's timings %+v (earlier %+v)", joined.Scenarios[0].Status, joined.Scenarios[1].Timings, earlier.Scenarios[1].Timings)
	}
	if joined.Summary.Subset != "" || joined.Suite.Total != 2 {
		t.Errorf("the joined report covers the suite (%q, total %d)", joined.Summary.Subset, joined.Suite.Total)
	}

	edited := earlier
	edited.Scenarios = append([]report.Scenario(nil), earlier.Scenarios...)
	edited.Scenarios[0].Path = "o.feature:99"
	other, err := Features(fstest.MapFS{"o.feature": {Data: []byte(outline + "\n# edited\n")}}, "outline")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		suite *Suite
		r     report.Report
		wants string
	}{
		{"another suite", other, earlier, "the report ran another suite"},
		{"a scenario the suite lacks", s, edited, `no scenario "in the customer's words (Marta, +34 600 000 012, no quiero más mensajes)" (o.feature:99)`},
		{"nothing failed", s, joined, "nothing to rerun"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := SelectRerun(tc.suite, Rerun{Report: tc.r}); err == nil || !strings.Contains(err.Error(), tc.wants) {
				t.Errorf("err = %v, want %q", err, tc.wants)
			}
		})
	}
}

// TestLatencyFactorReachesTheReport: the run's latency factor scales a timed step's budget, and the
// report records the budget, the factor and what was measured.
func TestLatencyFactorReachesTheReport(t *testing.T) {
	const feature = `Feature: timed
  @AI-DISC-01
  Scenario: a timed answer
    Given a customer "Oliver" with phone "+44 7700 900011" who speaks English
    When "Oliver" says "Hello"
    Then "Oliver" receives a reply containing "automated" within 5 seconds
`
	s, err := Features(fstest.MapFS{"t.feature": {Data: []byte(feature)}}, "timed")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Plan: p, LatencyFactor: 2.5, Envs: embedded.Factory{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	sc := rep.Scenarios[0]
	if sc.Status != report.ScenarioPassed || len(sc.Latency) != 1 {
		t.Fatalf("%s %q, latencies %+v", sc.Status, sc.Error, sc.Latency)
	}
	if l := sc.Latency[0]; l.BudgetMS != 5000 || l.Factor != 2.5 || l.AllowedMS != 12500 || !l.Within || l.Measured == "" {
		t.Errorf("latency %+v", l)
	}
}
