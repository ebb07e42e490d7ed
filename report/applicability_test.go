package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
)

// applicabilityRules: three critical rules and a high one.
var applicabilityRules = []RuleMeta{
	{ID: "WA-OPTOUT-01", Title: "Opt-out honoured", TitleES: "Baja respetada", Severity: audit.SeverityCritical},
	{ID: "WA-OPTIN-01", Title: "Opt-in first", TitleES: "Opt-in previo", Severity: audit.SeverityCritical},
	{ID: "AI-DISC-01", Title: "Automated assistant disclosed", TitleES: "Asistente automático", Severity: audit.SeverityHigh},
	{ID: "WA-ESC-01", Title: "A person on request", TitleES: "Una persona si se pide", Severity: audit.SeverityCritical},
}

func passing(ids ...string) audit.Report {
	var r audit.Report
	for _, id := range ids {
		r.Results = append(r.Results, audit.Result{Rule: id, Status: audit.Passed, Exercised: 1})
	}
	return r
}

func applicabilityHeader() Header {
	return Header{FailOn: audit.SeverityLow, Lang: "en", Suite: Suite{Name: "s", Version: "1", SHA256: strings.Repeat("cd", 32), Total: 3},
		Profile: &ProfileInfo{Business: "Zapatos Acme", Controller: "Zapatos Acme S.L.", SHA256: strings.Repeat("ef", 32)}}
}

// notApplicableRun: the marketing scenario is not applicable (the profile declares no marketing); the
// others exercise the rest.
func notApplicableRun() []Scenario {
	events := fixtureEvents()[:5]
	return []Scenario{
		NewScenario(Outcome{Name: "offers", Tags: []string{"@needs-marketing"}, Exercises: []string{"WA-OPTIN-01", "WA-OPTOUT-01"},
			Err: &NotApplicable{Capability: "marketing"}, Started: t0}),
		NewScenario(Outcome{Name: "first contact", Exercises: []string{"AI-DISC-01", "WA-OPTOUT-01"}, Events: events,
			Audit: passing("AI-DISC-01", "WA-OPTOUT-01"), Started: t0}),
		NewScenario(Outcome{Name: "a person", Exercises: []string{"WA-ESC-01"}, Events: events, Audit: passing("WA-ESC-01"), Started: t0}),
	}
}

// TestNotApplicable: a scenario whose need the profile declares absent is shown as not applicable with
// its reason; a rule only it declares is not applicable, counted apart and not required; the run
// certifies.
func TestNotApplicable(t *testing.T) {
	r := Build(applicabilityHeader(), applicabilityRules, notApplicableRun())
	sc := r.Scenarios[0]
	if sc.Status != ScenarioNotApplicable || !strings.Contains(sc.Error, "declares no marketing") {
		t.Errorf("scenario: %s %q", sc.Status, sc.Error)
	}
	want := map[string]audit.Status{"WA-OPTIN-01": RuleNotApplicable, "WA-OPTOUT-01": audit.Passed, "AI-DISC-01": audit.Passed, "WA-ESC-01": audit.Passed}
	for _, rr := range r.Rules {
		if rr.Status != want[rr.ID] {
			t.Errorf("%s: %s, want %s", rr.ID, rr.Status, want[rr.ID])
		}
		if rr.ID == "WA-OPTIN-01" && (len(rr.NotApplicableBecause) != 1 || !strings.Contains(rr.NotApplicableBecause[0], "marketing")) {
			t.Errorf("%s: because %q", rr.ID, rr.NotApplicableBecause)
		}
	}
	s := r.Summary
	if s.NotApplicable != 1 || s.RulesNotApplicable != 1 || s.RulesUnseen != 0 || len(s.Required) != 0 || s.Passed != 2 || s.Failed != 0 {
		t.Errorf("summary %+v", s)
	}
	if r.Verdict != Certified {
		t.Errorf("verdict %s, want certified: every critical and high rule was exercised or is not applicable", r.Verdict)
	}

	// A rule that a played scenario declares and did not exercise is not exercised, not "not applicable".
	scs := notApplicableRun()
	scs = append(scs, NewScenario(Outcome{Name: "opt in", Exercises: []string{"WA-OPTIN-01"}, Events: fixtureEvents()[:5], Audit: passing(), Started: t0}))
	h := applicabilityHeader()
	h.Suite.Total = 4
	r = Build(h, applicabilityRules, scs)
	if r.Rules[1].Status != audit.NotExercised || r.Verdict != Incomplete || strings.Join(r.Summary.Required, ",") != "WA-OPTIN-01" {
		t.Errorf("WA-OPTIN-01 %s, verdict %s, required %q", r.Rules[1].Status, r.Verdict, r.Summary.Required)
	}

	// Nothing played at all is no certification.
	r = Build(applicabilityHeader(), applicabilityRules, notApplicableRun()[:1])
	if r.Verdict != NotCertified {
		t.Errorf("only not-applicable scenarios: verdict %s", r.Verdict)
	}
}

// goalRun: Lucía could not opt in; the scenario's journal passed WA-OPTIN-01 and AI-DISC-01 but only
// WA-OPTIN-01 depended on the goal.
func goalRun(rules []string, audited audit.Report) []Scenario {
	u := &Unreached{Customer: "Lucía", Goal: "opt in to offers", Reason: "no message offered it", Rules: rules, Transcript: "Lucía: Hola"}
	events := fixtureEvents()[:5]
	return []Scenario{
		NewScenario(Outcome{Name: "opting in", Exercises: []string{"WA-OPTIN-01", "WA-OPTOUT-01"}, Events: events, Audit: audited,
			Err: fmt.Errorf("step 3: %w", u), Started: t0}),
		NewScenario(Outcome{Name: "others", Exercises: []string{"AI-DISC-01", "WA-ESC-01", "WA-OPTOUT-01"}, Events: events,
			Audit: passing("AI-DISC-01", "WA-ESC-01", "WA-OPTOUT-01"), Started: t0}),
	}
}

// TestGoalNotReached: the scenario gets its own status and reason, credits none of the rules that
// depended on the goal, and each such rule not exercised elsewhere says why; the run is incomplete.
func TestGoalNotReached(t *testing.T) {
	h := applicabilityHeader()
	h.Suite.Total = 2
	r := Build(h, applicabilityRules, goalRun([]string{"WA-OPTIN-01"}, passing("WA-OPTIN-01", "AI-DISC-01")))
	sc := r.Scenarios[0]
	if sc.Status != ScenarioGoalNotReached || !strings.Contains(sc.Error, "Lucía could not opt in to offers: no message offered it") ||
		sc.Goal == nil || strings.Join(sc.Goal.Rules, ",") != "WA-OPTIN-01" {
		t.Fatalf("scenario: %s %q %+v", sc.Status, sc.Error, sc.Goal)
	}
	if sc.RuleStatus["WA-OPTIN-01"] != audit.NotExercised || sc.RuleStatus["AI-DISC-01"] != audit.Passed {
		t.Errorf("rule statuses %v: want the goal's rule uncredited, the others kept", sc.RuleStatus)
	}
	optin := r.Rules[1]
	if optin.Status != audit.NotExercised || strings.Join(optin.NotExercisedBecause, "|") != "Lucía could not opt in to offers: no message offered it" {
		t.Errorf("WA-OPTIN-01: %s because %q", optin.Status, optin.NotExercisedBecause)
	}
	if r.Rules[0].NotExercisedBecause != nil {
		t.Errorf("WA-OPTOUT-01 was exercised elsewhere, yet %q", r.Rules[0].NotExercisedBecause)
	}
	if r.Verdict != Incomplete || r.Summary.GoalNotReached != 1 || r.Summary.Failed != 0 {
		t.Errorf("verdict %s, summary %+v", r.Verdict, r.Summary)
	}

	// Even with every rule exercised elsewhere, a goal not reached keeps the run from certifying.
	scs := goalRun([]string{"WA-OPTIN-01"}, passing())
	scs = append(scs, NewScenario(Outcome{Name: "opt in elsewhere", Exercises: []string{"WA-OPTIN-01"}, Events: fixtureEvents()[:5], Audit: passing("WA-OPTIN-01"), Started: t0}))
	h.Suite.Total = 3
	if r := Build(h, applicabilityRules, scs); r.Verdict != Incomplete || len(r.Summary.Required) != 0 {
		t.Errorf("verdict %s, required %q: want incomplete for the goal alone", r.Verdict, r.Summary.Required)
	}

	// No rules given: the scenario's own are not credited.
	r = Build(h, applicabilityRules, goalRun(nil, passing("WA-OPTIN-01", "WA-OPTOUT-01")))
	if g := r.Scenarios[0].Goal; strings.Join(g.Rules, ",") != "WA-OPTIN-01,WA-OPTOUT-01" || r.Scenarios[0].RuleStatus["WA-OPTOUT-01"] != audit.NotExercised {
		t.Errorf("goal rules %q, statuses %v", g.Rules, r.Scenarios[0].RuleStatus)
	}

	// A finding it made still counts: the rule is broken and the run not certified.
	found := audit.Report{Results: []audit.Result{{Rule: "WA-OPTIN-01", Status: audit.Broken, Findings: []audit.Finding{
		{Rule: "WA-OPTIN-01", Severity: audit.SeverityCritical, Customer: "34600000001", Seqs: []uint64{4}, Explanation: "offer without opt-in"}}}}}
	h.Suite.Total = 2
	r = Build(h, applicabilityRules, goalRun([]string{"WA-OPTIN-01"}, found))
	if r.Rules[1].Status != audit.Broken || r.Verdict != NotCertified || r.Scenarios[0].Status != ScenarioGoalNotReached {
		t.Errorf("with a finding: WA-OPTIN-01 %s, verdict %s, scenario %s", r.Rules[1].Status, r.Verdict, r.Scenarios[0].Status)
	}
}

// TestUnmodelledOutranksGoal: a request the mocks do not model fails the scenario even when its goal was
// not reached.
func TestUnmodelledOutranksGoal(t *testing.T) {
	o := Outcome{Err: &Unreached{Customer: "Ana", Goal: "reach a person", Reason: "no way offered"}, Events: fixtureEvents()[:1]}
	if st, _ := Status(o); st != ScenarioGoalNotReached {
		t.Errorf("status %s", st)
	}
	o.Err = &NotApplicable{Capability: "handoff to a person"}
	if st, why := Status(o); st != ScenarioNotApplicable || why != "the assistant's profile declares no handoff to a person" {
		t.Errorf("status %s %q", st, why)
	}
}

func mixedReport(lang string) Report {
	h := applicabilityHeader()
	h.Lang, h.Suite.Total, h.StartedAt, h.FinishedAt = lang, 3, t0, t0.Add(time.Second)
	na := NewScenario(Outcome{Name: "a copy of my data", Tags: []string{"@needs-marketing"}, Exercises: []string{"GDPR-ACCESS-01"},
		Err: &NotApplicable{Capability: "marketing"}, Started: t0})
	scs := append([]Scenario{na}, goalRun([]string{"WA-OPTIN-01"}, passing("WA-OPTIN-01"))...)
	rules := append(applicabilityRules[:len(applicabilityRules):len(applicabilityRules)],
		RuleMeta{ID: "GDPR-ACCESS-01", Title: "Access", TitleES: "Acceso", Severity: audit.SeverityHigh})
	return Build(h, rules, scs)
}

// TestApplicabilityRendered: every rendering, in both languages, shows the new statuses and their
// reasons, and the profile.
func TestApplicabilityRendered(t *testing.T) {
	for lang, words := range map[string][]string{
		"en": {"not applicable", "goal not reached", "Lucía could not opt in to offers", "declares no marketing", "Zapatos Acme S.L.", "Profile"},
		"es": {"no aplicable", "objetivo no alcanzado", "Lucía could not opt in to offers", "declares no marketing", "Zapatos Acme S.L.", "Perfil"},
	} {
		r := mixedReport(lang)
		for _, f := range []Format{{"md", Markdown}, {"html", HTML}} {
			var b bytes.Buffer
			if err := f.Render(&b, r); err != nil {
				t.Fatal(err)
			}
			for _, w := range words {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%s %s lacks %q", lang, f.File, w)
				}
			}
		}
	}
	r := mixedReport("en")
	var b bytes.Buffer
	if err := HTML(&b, r); err != nil {
		t.Fatal(err)
	}
	for _, class := range []string{`badge not_applicable`, `badge goal_not_reached`, `chip not_applicable`} {
		if !strings.Contains(b.String(), class) {
			t.Errorf("HTML lacks class %q", class)
		}
	}
	b.Reset()
	if err := JUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Suites []struct {
			Name     string `xml:"name,attr"`
			Failures int    `xml:"failures,attr"`
			Skipped  int    `xml:"skipped,attr"`
			Cases    []struct {
				Name    string `xml:"name,attr"`
				Skipped *struct {
					Message string `xml:"message,attr"`
				} `xml:"skipped"`
				Failure *struct {
					Type string `xml:"type,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	scen, rules := doc.Suites[0], doc.Suites[1]
	if scen.Skipped != 1 || scen.Failures != 1 || scen.Cases[1].Failure == nil || scen.Cases[1].Failure.Type != ScenarioGoalNotReached {
		t.Errorf("JUnit scenarios: %+v", scen)
	}
	var msgs []string
	for _, c := range rules.Cases {
		if c.Skipped != nil {
			msgs = append(msgs, c.Skipped.Message)
		}
	}
	joined := strings.Join(msgs, "\n")
	if !strings.Contains(joined, "not exercised: Lucía could not opt in to offers") || !strings.Contains(joined, "not applicable: the assistant's profile declares no marketing") {
		t.Errorf("JUnit rules skipped: %q", msgs)
	}
	b.Reset()
	if err := Cucumber(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"status": "skipped"`) || !strings.Contains(b.String(), "Lucía could not opt in") {
		t.Errorf("cucumber: %s", b.String())
	}
}

// TestApplicabilityRecheckAndMerge: a report with these statuses survives JSON, Recheck and Merge.
func TestApplicabilityRecheckAndMerge(t *testing.T) {
	full := mixedReport("en")
	b, err := full.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Read(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Recheck(); err != nil {
		t.Error(err)
	}
	b2, _ := back.JSON()
	if !bytes.Equal(b, b2) {
		t.Error("the JSON round trip changed the report")
	}
	x, y := full, full
	x.Scenarios, x.Suite.Shard = full.Scenarios[:1], "1/2"
	y.Scenarios, y.Suite.Shard = full.Scenarios[1:], "2/2"
	x = Build(x.Header(), x.Catalogue(), x.Scenarios)
	y = Build(y.Header(), y.Catalogue(), y.Scenarios)
	m, err := Merge([]Report{x, y})
	if err != nil {
		t.Fatal(err)
	}
	if m.Verdict != full.Verdict || m.Summary.NotApplicable != 1 || m.Summary.GoalNotReached != 1 || m.Summary.RulesNotApplicable != full.Summary.RulesNotApplicable {
		t.Errorf("merged %s %+v, whole %s %+v", m.Verdict, m.Summary, full.Verdict, full.Summary)
	}
	y.Profile = &ProfileInfo{Business: "Other", Controller: "Other S.L.", SHA256: strings.Repeat("00", 32)}
	if _, err := Merge([]Report{x, y}); err == nil || !strings.Contains(err.Error(), "profile") {
		t.Errorf("merging shards of two profiles: %v", err)
	}
}
