package certify

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/report"
)

// TestOutlineRowsAreScenarios: every Examples row of the built-in outline is a scenario of the suite, with
// its own name and the line of its row.
func TestOutlineRowsAreScenarios(t *testing.T) {
	s, err := BuiltinFeatures()
	if err != nil {
		t.Fatal(err)
	}
	var rows []Scenario
	for _, sc := range s.Scenarios() {
		if strings.HasPrefix(sc.Name, "Opting out in the customer's own words") {
			rows = append(rows, sc)
		}
	}
	if len(rows) != 5 {
		t.Fatalf("%d scenarios from the outline, want its 5 rows", len(rows))
	}
	for i, r := range rows {
		if r.group != rows[0].group || r.row != i || r.Path == rows[0].group {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	if !strings.Contains(rows[3].Name, "please unsubscribe me") {
		t.Errorf("the fourth row is named %q, want its values in its name", rows[3].Name)
	}
}

// outline is an outline whose first row (a paraphrase) fails against the WA-OPTOUT-02 switch and whose
// second (the keyword) passes.
var outline = func() string {
	b, err := os.ReadFile("testdata/outline.feature")
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// TestOutlineRowFailureFails: a failing first row of an outline fails the run, whatever the rows after it
// do, and each row has its own transcript.
func TestOutlineRowFailureFails(t *testing.T) {
	for _, swap := range []bool{false, true} {
		text := outline
		if swap {
			text = strings.Replace(strings.Replace(text, "| Marta", "| X", 1), "| Jorge", "| Marta", 1)
			text = strings.Replace(text, "| X", "| Jorge", 1)
		}
		s, err := Features(fstest.MapFS{"o.feature": {Data: []byte(text)}}, "outline")
		if err != nil {
			t.Fatal(err)
		}
		p, err := Select(s, "", "")
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Run(context.Background(), Config{Plan: p, Parallel: 2, ReplyWait: time.Second,
			Envs: embedded.Factory{Seed: 1, Violations: []string{"WA-OPTOUT-02"}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Scenarios) != 2 {
			t.Fatalf("swap %t: %d scenarios, want one per row", swap, len(rep.Scenarios))
		}
		var failed int
		for _, sc := range rep.Scenarios {
			if sc.Status != report.ScenarioPassed {
				failed++
				if !strings.Contains(sc.Name, "no quiero") {
					t.Errorf("swap %t: the BAJA row failed: %s %s", swap, sc.Name, sc.Error)
				}
			}
			if len(sc.Transcript) == 0 {
				t.Errorf("swap %t: %s has no transcript of its own", swap, sc.Name)
			}
		}
		if failed != 1 || rep.Verdict != report.NotCertified {
			t.Errorf("swap %t: %d failed, verdict %s; want the paraphrase row failed and not certified", swap, failed, rep.Verdict)
		}
	}
}

// unmodelledEnvs is the reference assistant embedded, and something in the scenario (as an assistant
// might) calling a Graph API path the WhatsApp mock does not model.
type unmodelledEnvs struct{ embedded.Factory }

func (u unmodelledEnvs) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	env, err := u.Factory.Start(ctx, s)
	if err != nil {
		return nil, err
	}
	url := strings.TrimSuffix(env.World().WhatsApp.(interface{ URL() string }).URL(), "/") + "/v23.0/106540352242922/no_such_edge"
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return env, nil
}

// TestUnmodelledRequestsFail: a request the mocks do not model fails the scenario, in the features and
// the journeys alike.
func TestUnmodelledRequestsFail(t *testing.T) {
	feats, err := BuiltinFeatures()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Suite{feats, Journeys()} {
		p, err := Select(s, "@AI-DISC-01", "")
		if err != nil {
			t.Fatal(err)
		}
		p.Selected = p.Selected[:1]
		rep, err := Run(context.Background(), Config{Plan: p, Envs: unmodelledEnvs{embedded.Factory{Seed: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		sc := rep.Scenarios[0]
		if sc.Status != report.ScenarioFailed || !strings.Contains(sc.Error, "do not model") || !strings.Contains(sc.Error, "no_such_edge") {
			t.Errorf("%s: %q %s: %s", s.Info.Name, sc.Name, sc.Status, sc.Error)
		}
		if rep.Verdict != report.NotCertified {
			t.Errorf("%s: verdict %s", s.Info.Name, rep.Verdict)
		}
	}
}

// TestWaitingScenariosStartFirst: a scenario that waits on the wall clock (a slowed mock, sends refused
// with a rate limit) is played before the others, so that its waiting overlaps their work; the report
// keeps the plan's order.
func TestWaitingScenariosStartFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("plays scenarios against the reference assistant")
	}
	s, err := Features(fstest.MapFS{"wait.feature": {Data: []byte(`Feature: some scenarios wait

  Scenario: a customer says hello
    Given a customer "Lucía" with phone "+34 612 345 678" who speaks Spanish
    When "Lucía" says "Hola"

  Scenario: Dialogflow is slow
    Given a customer "Marta" with phone "+34 612 345 679" who speaks Spanish
    And Dialogflow answers after 10 milliseconds
    When "Marta" says "Hola"

  Scenario: another customer says hello
    Given a customer "Jorge" with phone "+34 612 345 680" who speaks Spanish
    When "Jorge" says "Hola"

  Scenario: WhatsApp refuses sends
    Given a customer "Ana" with phone "+34 612 345 681" who speaks Spanish
    And WhatsApp rejects the next 1 send with error 131056
    When "Ana" says "Hola"
`)}}, "wait")
	if err != nil {
		t.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	var played []string
	rep, err := Run(context.Background(), Config{Plan: plan, Envs: embedded.Factory{Seed: 1}, Parallel: 1, Timeout: time.Minute,
		Progress: func(sc report.Scenario) { played = append(played, sc.Name) }})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Dialogflow is slow", "WhatsApp refuses sends", "a customer says hello", "another customer says hello"}
	if !slices.Equal(played, want) {
		t.Errorf("played %q, want %q", played, want)
	}
	var reported []string
	for _, sc := range rep.Scenarios {
		reported = append(reported, sc.Name)
	}
	if inPlan := []string{"a customer says hello", "Dialogflow is slow", "another customer says hello", "WhatsApp refuses sends"}; !slices.Equal(reported, inPlan) {
		t.Errorf("reported %q, want the plan's order %q", reported, inPlan)
	}
}
