package certify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/profile"
	"github.com/parley-dev/parley/report"
)

// acmeNotice is a full, correct first-contact notice of a business that is not the reference
// assistant's, in its own words.
const acmeNotice = "Hi! This is Zapatos Acme S.L.'s automated assistant. We handle your data to answer you; " +
	"Meta (WhatsApp) and Google (Dialogflow) process it for us. Full policy: https://zapatosacme.example/privacidad\n" +
	"You have the right of access, rectification and erasure of your data.\n" +
	"You can object to marketing at any time."

// acmeBot is a minimal assistant of another business: it answers every customer message with its
// notice, through the WhatsApp mock the bot contract points at.
func acmeBot(c harness.Contract) (http.Handler, error) {
	send := fmt.Sprintf("%s/%s/%s/messages", strings.TrimRight(c.Getenv("WHATSAPP_API_URL"), "/"), c.Getenv("WHATSAPP_API_VERSION"), c.Getenv("WHATSAPP_PHONE_NUMBER_ID"))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", func(w http.ResponseWriter, r *http.Request) {
		var hook struct {
			Entry []struct {
				Changes []struct {
					Value struct {
						Messages []struct {
							From string `json:"from"`
						} `json:"messages"`
					} `json:"value"`
				} `json:"changes"`
			} `json:"entry"`
		}
		if err := json.NewDecoder(r.Body).Decode(&hook); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, e := range hook.Entry {
			for _, ch := range e.Changes {
				for _, m := range ch.Value.Messages {
					body, _ := json.Marshal(map[string]any{"messaging_product": "whatsapp", "to": m.From, "type": "text",
						"text": map[string]string{"body": acmeNotice}})
					req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, send, bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+c.Getenv("WHATSAPP_TOKEN"))
					req.Header.Set("Content-Type", "application/json")
					if resp, err := http.DefaultClient.Do(req); err == nil {
						resp.Body.Close()
					}
				}
			}
		}
	})
	mux.HandleFunc("GET /webhook", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, r.URL.Query().Get("hub.challenge"))
	})
	return mux, nil
}

func acmeProfile() profile.Profile {
	p := profile.Reference()
	p.Business = profile.Business{Name: "Zapatos Acme", Controller: "Zapatos Acme S.L."}
	p.Languages = []string{"en"}
	p.Privacy.NoticeURL = "https://zapatosacme.example/privacidad"
	p.Capabilities = profile.Capabilities{DataRequests: profile.DataRequestsLink}
	p.TestData.Orders, p.Hooks = nil, nil
	return p
}

func runAcme(t *testing.T, prof profile.Profile) report.Report {
	t.Helper()
	b, err := os.ReadFile("testdata/profile/acme.feature")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Features(fstest.MapFS{"acme.feature": {Data: b}}, "acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Plan: p, Parallel: 2, ReplyWait: 200 * time.Millisecond, Profile: prof,
		Envs: embedded.Factory{Seed: 1, Assistant: embedded.Handler(acmeBot)}})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func ruleOf(r report.Report, id string) report.Rule {
	for _, rr := range r.Rules {
		if rr.ID == id {
			return rr
		}
	}
	return report.Rule{}
}

// TestProfileGivesTheBusinessAndApplicability: with a profile naming Zapatos Acme, that business's full
// and correct notice passes GDPR-NOTICE-01, and the scenario needing marketing, which the profile
// declares absent, is not played: it and the rule only it exercises are not applicable. Without the
// profile, the same notice is judged against the reference assistant's business, and the scenario is
// played (and fails: this assistant makes no offers).
func TestProfileGivesTheBusinessAndApplicability(t *testing.T) {
	rep := runAcme(t, acmeProfile())
	if st := ruleOf(rep, "GDPR-NOTICE-01").Status; st != audit.Passed {
		t.Errorf("with the profile GDPR-NOTICE-01 is %s, want passed; findings %+v", st, ruleOf(rep, "GDPR-NOTICE-01").Findings)
	}
	offer := rep.Scenarios[1]
	if offer.Status != report.ScenarioNotApplicable || !strings.Contains(offer.Error, "declares no marketing") || offer.Events != 0 {
		t.Errorf("the marketing scenario: %s %q, %d events", offer.Status, offer.Error, offer.Events)
	}
	if r := ruleOf(rep, "WA-OPTOUT-02"); r.Status != report.RuleNotApplicable || len(r.NotApplicableBecause) != 1 {
		t.Errorf("WA-OPTOUT-02: %s %q", r.Status, r.NotApplicableBecause)
	}
	if p := rep.Profile; p == nil || p.Business != "Zapatos Acme" || p.Builtin {
		t.Errorf("the report's profile: %+v", p)
	}

	rep = runAcme(t, profile.Profile{})
	if st := ruleOf(rep, "GDPR-NOTICE-01").Status; st != audit.Broken {
		t.Errorf("without a profile GDPR-NOTICE-01 is %s, want broken (the notice names another business)", st)
	}
	if st := rep.Scenarios[1].Status; st != report.ScenarioFailed {
		t.Errorf("without a profile the marketing scenario is %s, want played and failed", st)
	}
	if p := rep.Profile; p == nil || p.Business != "Tienda Ejemplo" || !p.Builtin {
		t.Errorf("the report's profile: %+v", p)
	}
}

// TestInvalidProfileDoesNotRun: a profile that does not validate stops the run before any scenario.
func TestInvalidProfileDoesNotRun(t *testing.T) {
	s, err := BuiltinFeatures()
	if err != nil {
		t.Fatal(err)
	}
	p, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	bad := acmeProfile()
	bad.Languages = []string{"fr"}
	var started bool
	envs := harness.FactoryFunc(func(context.Context, harness.Scenario) (harness.Environment, error) {
		started = true
		return nil, errors.New("no environment in this test")
	})
	_, err = Run(context.Background(), Config{Plan: p, Profile: bad, Envs: envs})
	var cnr *CouldNotRun
	if !errors.As(err, &cnr) || !strings.Contains(err.Error(), `languages[0] is "fr"`) || started {
		t.Errorf("err %v, started %t", err, started)
	}
}

// TestUnknownNeedTagRefused: a @needs- or @hook- tag that names nothing refuses the suite, rather than
// playing a scenario whose need no profile can declare.
func TestUnknownNeedTagRefused(t *testing.T) {
	text := "Feature: x\n  @needs-marketting\n  Scenario: y\n    Given a customer \"Ana\" with phone \"+34 600 000 051\" who speaks English\n"
	_, err := Features(fstest.MapFS{"x.feature": {Data: []byte(text)}}, "x")
	if !errors.Is(err, ErrFeatures) || !strings.Contains(err.Error(), "@needs-marketting") || !strings.Contains(err.Error(), "@needs-marketing") {
		t.Errorf("err %v", err)
	}
}

// TestGoalNotReachedInARun: a scenario whose customer could not reach its goal is reported with its own
// status, the rules that depended on it are not exercised with the reason, and the run is incomplete.
func TestGoalNotReachedInARun(t *testing.T) {
	passed := func(ids ...string) audit.Report {
		var r audit.Report
		for _, id := range ids {
			r.Results = append(r.Results, audit.Result{Rule: id, Status: audit.Passed, Exercised: 1})
		}
		return r
	}
	var all, allButOptIn []string
	for _, r := range audit.Catalogue() {
		all = append(all, r.ID)
		if r.ID != "WA-OPTIN-02" {
			allButOptIn = append(allButOptIn, r.ID)
		}
	}
	others := all
	s := &Suite{Info: report.Suite{Name: "goals", Version: "1", SHA256: strings.Repeat("ab", 32)}, list: []Scenario{
		{Name: "opting in", Tags: []string{"@WA-OPTIN-02"}, Rules: []string{"WA-OPTIN-02"}, group: "a"},
		{Name: "everything else", group: "b"},
	}}
	s.play = func(_ context.Context, _ playing, group string, rows []Scenario) []report.Outcome {
		o := report.Outcome{Name: rows[0].Name, Tags: rows[0].Tags, Exercises: rows[0].Rules, Started: time.Now(), Events: fixtureEvent()}
		if group == "a" {
			o.Audit = passed("WA-OPTIN-02")
			o.Err = fmt.Errorf("step 2: %w", &report.Unreached{Customer: "Lucía", Goal: "opt in to offers", Reason: "no message offered it"})
		} else {
			o.Audit = passed(others...)
		}
		return []report.Outcome{o}
	}
	p, err := Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Plan: p, Envs: embedded.Factory{}})
	if err != nil {
		t.Fatal(err)
	}
	if sc := rep.Scenarios[0]; sc.Status != report.ScenarioGoalNotReached || sc.Goal == nil {
		t.Errorf("scenario %s %+v", sc.Status, sc.Goal)
	}
	// Every rule is exercised by the other scenario, so the goal alone keeps the run from certifying.
	if rep.Verdict != report.Incomplete || rep.Summary.GoalNotReached != 1 || len(rep.Summary.Required) != 0 {
		t.Errorf("verdict %s, summary %+v", rep.Verdict, rep.Summary)
	}

	others = allButOptIn
	if rep, err = Run(context.Background(), Config{Plan: p, Envs: embedded.Factory{}}); err != nil {
		t.Fatal(err)
	}
	r := ruleOf(rep, "WA-OPTIN-02")
	if r.Status != audit.NotExercised || strings.Join(r.NotExercisedBecause, "|") != "Lucía could not opt in to offers: no message offered it" {
		t.Errorf("WA-OPTIN-02: %s because %q", r.Status, r.NotExercisedBecause)
	}
}

// fixtureEvent is a journal of one customer message.
func fixtureEvent() []journal.Event {
	j := journal.New(nil)
	j.Record(journal.SourceCustomer, journal.KindInboundSent, "34600000061", journal.InboundData{ID: "wamid.1", Type: "text", Text: "Hola"})
	return j.Events()
}
