package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/journal"
)

// SchemaID names the version of the report's JSON shape. It changes only when a field changes meaning or
// disappears; fields are added without changing it.
const SchemaID = "https://parley.dev/schemas/report/v1"

// The verdicts. A run is certified only when nothing failed and every rule of severity critical or high
// was exercised by a run of the whole suite, or is not applicable to the assistant; when nothing failed
// but it was a subset (--tags, one shard), such a rule was not exercised or a simulated customer could
// not reach a scenario's goal, it is incomplete: not a certification, whatever else it shows.
const (
	Certified    = "certified"
	NotCertified = "not_certified"
	Incomplete   = "incomplete"
)

// The statuses of a scenario: its steps held and no rule broke (passed), a rule broke or a step failed
// (failed), it could not be played at all (error), it needs a capability or hook the assistant's
// profile declares absent and was not played (not applicable, a *NotApplicable), or a simulated customer
// could not bring the conversation where it needed (goal not reached, a *Unreached).
const (
	ScenarioPassed         = "passed"
	ScenarioFailed         = "failed"
	ScenarioError          = "error"
	ScenarioNotApplicable  = "not_applicable"
	ScenarioGoalNotReached = "goal_not_reached"
)

// RuleNotApplicable is the status, over a whole run, of a rule that only scenarios not applicable to the
// assistant would have exercised. It is counted apart from the rules nobody exercised, and does not keep
// a run from certifying. The auditor never gives it: only Build does.
const RuleNotApplicable audit.Status = "not_applicable"

// Report is the certification report, as written to report.json.
type Report struct {
	Schema    string    `json:"$schema"`
	Verdict   string    `json:"verdict"`
	FailOn    string    `json:"fail_on"` // the lowest severity of a broken rule that denies certification
	Lang      string    `json:"lang"`    // language of the renderings: en or es
	Assistant Assistant `json:"assistant"`
	// Profile is the assistant's profile the run used: the business it names and the file's hash.
	Profile    *ProfileInfo `json:"profile,omitempty"`
	Parley     Parley       `json:"parley"`
	Suite      Suite        `json:"suite"`
	Seed       int64        `json:"seed"`
	StartedAt  time.Time    `json:"started_at"`
	FinishedAt time.Time    `json:"finished_at"`
	// Rerun, when set, says this report is a rerun of an earlier one: which, and what of it this one
	// carries as it was.
	Rerun     *RerunOf   `json:"rerun,omitempty"`
	Summary   Summary    `json:"summary"`
	Rules     []Rule     `json:"rules"`
	Scenarios []Scenario `json:"scenarios"`
}

// Assistant is what was certified.
type Assistant struct {
	Kind       string   `json:"kind"` // reference, url, image
	Name       string   `json:"name"`
	URL        string   `json:"url,omitempty"`
	Image      string   `json:"image,omitempty"`
	Violations []string `json:"violations,omitempty"` // switches of the reference assistant broken on purpose
}

// ProfileInfo records the assistant's profile a run used (package profile): the business and controller
// it names and, when it came from a file (--profile), the SHA-256 of that file; without one, the
// reference assistant's built-in profile.
type ProfileInfo struct {
	Business   string `json:"business"`
	Controller string `json:"controller"`
	SHA256     string `json:"sha256,omitempty"`
	// Builtin says no file was given: the reference assistant's profile.
	Builtin bool `json:"builtin,omitempty"`
}

// Parley is the tool that ran the certification.
type Parley struct {
	Version      string `json:"version"`
	BinarySHA256 string `json:"binary_sha256"`
	Mode         string `json:"mode"` // embedded or containers
}

// Suite is the certification suite that ran: its version, the SHA-256 of its content (every feature file,
// or the Go journeys' listing), the tag expression and the shard.
type Suite struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	SHA256  string   `json:"sha256"`
	Tags    string   `json:"tags,omitempty"`
	Shard   string   `json:"shard,omitempty"` // i/n, when the run was one shard; merged reports list all in Shards
	Shards  []string `json:"shards,omitempty"`
	Total   int      `json:"total"` // scenarios in the suite after tags, before sharding
	// Filtered says the scenarios were chosen by a tag expression the user gave: a subset of the suite,
	// which can never certify.
	Filtered bool `json:"filtered,omitempty"`
}

// Summary counts what the report holds.
type Summary struct {
	Scenarios int `json:"scenarios"`
	Passed    int `json:"passed"`
	Failed    int `json:"failed"`
	Errors    int `json:"errors"`
	// NotApplicable are the scenarios not played because the profile declares what they need absent;
	// GoalNotReached those whose simulated customer could not reach their goal.
	NotApplicable  int `json:"not_applicable"`
	GoalNotReached int `json:"goal_not_reached"`
	RulesPassed    int `json:"rules_passed"`
	RulesBroken    int `json:"rules_broken"`
	RulesUnseen    int `json:"rules_not_exercised"`
	// RulesNotApplicable are the rules only scenarios not applicable to the assistant would have
	// exercised.
	RulesNotApplicable int `json:"rules_not_applicable"`
	Findings           int `json:"findings"`
	Blocking           int `json:"blocking_findings"` // findings at or above fail_on
	// Required are the rules of severity critical or high that no scenario exercised, not applicable ones
	// aside: each keeps the run from certifying.
	Required []string `json:"required_not_exercised"`
	// Subset says why the run covered only part of its suite ("--tags …", "shard 1 of 3"), empty when it
	// ran the whole suite.
	Subset string `json:"subset,omitempty"`
}

// Rule is one catalogue rule's verdict over the whole run.
type Rule struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	TitleES  string         `json:"title_es"`
	Severity audit.Severity `json:"severity"`
	Sources  []string       `json:"sources"`
	// Checks says what the auditor looks at to judge the rule, so that a pass can be weighed.
	Checks    string       `json:"checks,omitempty"`
	Status    audit.Status `json:"status"`
	Scenarios []string     `json:"scenarios,omitempty"` // the scenarios that exercised it
	Findings  []Finding    `json:"findings"`
	// NotExercisedBecause says, for a rule not exercised, what kept the scenarios that were to exercise
	// it from doing so ("Lucía could not opt in to offers: no message offered it").
	NotExercisedBecause []string `json:"not_exercised_because,omitempty"`
	// NotApplicableBecause says, for a rule not applicable, what the assistant's profile declares absent.
	NotApplicableBecause []string `json:"not_applicable_because,omitempty"`
}

// Finding is one piece of evidence that a rule was broken, with the journal events that prove it.
type Finding struct {
	Rule        string         `json:"rule"`
	Severity    audit.Severity `json:"severity"`
	Scenario    string         `json:"scenario"`
	Customer    string         `json:"customer,omitempty"`
	Explanation string         `json:"explanation"`
	Seqs        []uint64       `json:"seqs"`
	Evidence    []Evidence     `json:"evidence"`
}

// Evidence is one journal event behind a finding, summarised for a reader.
type Evidence struct {
	Seq     uint64         `json:"seq"`
	At      time.Time      `json:"at"`
	Source  journal.Source `json:"source"`
	Kind    string         `json:"kind"`
	Summary string         `json:"summary"`
}

// Scenario is one scenario's outcome.
type Scenario struct {
	Name string `json:"name"`
	// Path is where it comes from: file:line of a feature's scenario or of an outline's Examples row, or
	// a Go journey's name.
	Path      string   `json:"path,omitempty"`
	Tags      []string `json:"tags,omitempty"`
	Exercises []string `json:"exercises,omitempty"` // the rule ids the scenario declares it exercises
	Status    string   `json:"status"`
	Error     string   `json:"error,omitempty"` // the step that failed, why it could not run or was not applicable
	// Goal is, when its status is goal_not_reached, the goal its simulated customer could not reach and
	// the rules that depended on it: they are not credited to this scenario.
	Goal *Goal `json:"goal_not_reached,omitempty"`
	// RuleStatus is every rule's status over this scenario's journal alone.
	RuleStatus map[string]audit.Status `json:"rule_status"`
	Findings   []Finding               `json:"findings"`
	Transcript []Turn                  `json:"transcript"`
	Timings    Timings                 `json:"timings"`
	Events     int                     `json:"events"`
	// Latency is what the scenario's timed steps ("within 5 seconds") measured, with their budgets.
	Latency []Latency `json:"latency,omitempty"`
}

// Latency is one reply a step timed: what it measured, the budget the feature states, the factor the
// run scaled it by (--latency-factor), and what it took.
type Latency struct {
	Customer string `json:"customer"`
	// Reply is the text the reply had to contain.
	Reply string `json:"reply"`
	// Measured says from what to what the time runs.
	Measured string `json:"measured"`
	// BudgetMS is the budget as the feature states it; Factor what the run scaled it by; AllowedMS the
	// product, the time the reply was given.
	BudgetMS  int64   `json:"budget_ms"`
	Factor    float64 `json:"factor"`
	AllowedMS int64   `json:"allowed_ms"`
	// Arrived says a reply containing the text came at all, TookMS when, and Within that it was in the
	// time allowed.
	Arrived bool  `json:"arrived"`
	TookMS  int64 `json:"took_ms"`
	Within  bool  `json:"within"`
}

// String is the latency as a reader reads it: "Lucía: reply mentioning "TE-1001" in 0.412 s; budget 5 s ×
// 2 = 10 s".
func (l Latency) String() string {
	took := "no reply in time"
	if l.Arrived {
		took = "in " + seconds(l.TookMS) + " s"
	}
	return fmt.Sprintf("%s: reply mentioning %q %s; budget %s s × %g = %s s (%s)", l.Customer, l.Reply, took, seconds(l.BudgetMS), l.Factor, seconds(l.AllowedMS), l.Measured)
}

// Goal is a goal a simulated customer could not reach (from a *Unreached).
type Goal struct {
	Customer string `json:"customer"`
	Goal     string `json:"goal"`
	Reason   string `json:"reason"`
	// Rules are the rules that depended on the goal: the scenario credits none of them as passed.
	Rules []string `json:"rules"`
}

// Sentence is the goal as a reader reads it: "Lucía could not opt in to offers: no message offered it".
func (g Goal) Sentence() string {
	return fmt.Sprintf("%s could not %s: %s", g.Customer, g.Goal, g.Reason)
}

// Timings are a scenario's durations: wall time of the run, and simulated time its clock covered.
type Timings struct {
	Started   time.Time `json:"started"`
	WallMS    int64     `json:"wall_ms"`
	Simulated string    `json:"simulated"` // from the first event to the last, on the simulated clock
}

// RuleMeta is what the report needs to know of a catalogue rule.
type RuleMeta struct {
	ID       string
	Title    string
	TitleES  string
	Severity audit.Severity
	Sources  []string
	Checks   string
}

// Catalogue returns the metadata of audit.Catalogue().
func Catalogue() []RuleMeta {
	var out []RuleMeta
	for _, r := range audit.Catalogue() {
		out = append(out, RuleMeta{ID: r.ID, Title: r.Title, TitleES: r.TitleES, Severity: r.Severity, Sources: r.Sources, Checks: r.Checks})
	}
	return out
}

// Outcome is one scenario as a runner played it: the input of NewScenario.
type Outcome struct {
	Name      string
	Path      string
	Tags      []string
	Exercises []string
	// Err is the scenario's own failure (a step or expectation), or why it could not run when Events is
	// empty.
	Err    error
	Events []journal.Event
	Audit  audit.Report
	// Expected are the rule ids the scenario states it expects the audit to report: they do not fail it
	// (the rules are broken in the report all the same).
	Expected []string
	Started  time.Time
	Duration time.Duration
	// Latencies are what its timed steps measured.
	Latencies []Latency
}

// NewScenario turns a played scenario into its report entry: transcript, findings with evidence, and the
// status of every rule over its journal.
func NewScenario(o Outcome) Scenario {
	s := Scenario{
		Name: o.Name, Path: o.Path, Tags: slices.Clone(o.Tags), Exercises: slices.Clone(o.Exercises),
		RuleStatus: map[string]audit.Status{}, Findings: []Finding{}, Events: len(o.Events),
		Timings: Timings{Started: o.Started.UTC(), WallMS: o.Duration.Milliseconds()}, Latency: slices.Clone(o.Latencies),
	}
	if len(o.Events) > 0 {
		s.Timings.Simulated = o.Events[len(o.Events)-1].At.Sub(o.Events[0].At).String()
	}
	bySeq := make(map[uint64]journal.Event, len(o.Events))
	for _, e := range o.Events {
		bySeq[e.Seq] = e
	}
	for _, res := range o.Audit.Results {
		s.RuleStatus[res.Rule] = res.Status
		for _, f := range res.Findings {
			fd := Finding{Rule: f.Rule, Severity: f.Severity, Scenario: o.Name, Customer: f.Customer, Explanation: f.Explanation, Seqs: slices.Clone(f.Seqs), Evidence: []Evidence{}}
			if fd.Seqs == nil {
				fd.Seqs = []uint64{}
			}
			for _, seq := range f.Seqs {
				if e, ok := bySeq[seq]; ok {
					fd.Evidence = append(fd.Evidence, Evidence{Seq: e.Seq, At: e.At.UTC(), Source: e.Source, Kind: e.Kind, Summary: Summarize(e)})
				}
			}
			s.Findings = append(s.Findings, fd)
		}
	}
	s.Transcript = Transcript(o.Events, s.Findings)
	s.Status, s.Error = Status(o)
	var u *Unreached
	if s.Status == ScenarioGoalNotReached && errors.As(o.Err, &u) {
		s.Goal = &Goal{Customer: u.Customer, Goal: u.Goal, Reason: u.Reason, Rules: slices.Clone(u.Rules)}
		if len(s.Goal.Rules) == 0 {
			s.Goal.Rules = slices.Clone(o.Exercises)
		}
		if s.Goal.Rules == nil {
			s.Goal.Rules = []string{}
		}
		// What the scenario was to check was not checked: its passes of these rules prove nothing. A
		// finding it made still stands, and the rule stays broken.
		for _, id := range s.Goal.Rules {
			if s.RuleStatus[id] == audit.Passed {
				s.RuleStatus[id] = audit.NotExercised
			}
		}
	}
	return s
}

// Status decides a played scenario's status, the one place that does: it is not applicable when its
// error is a *NotApplicable; it could not run when it recorded nothing and has an error; it failed when
// a step failed (other than a customer who could not reach a goal), or audit.Judge fails it (a request
// the mocks do not model, a broken rule it did not expect); its goal was not reached when its error is a
// *Unreached and nothing of the above; otherwise it passed. reason is what a reader needs to see, empty
// when it passed.
func Status(o Outcome) (status, reason string) {
	var na *NotApplicable
	if errors.As(o.Err, &na) {
		return ScenarioNotApplicable, na.Reason()
	}
	var u *Unreached
	j := audit.Judge(o.Audit, o.Events, o.Expected)
	unmodelled := ""
	if len(j.Unmodelled) > 0 {
		unmodelled = audit.Judgement{Unmodelled: j.Unmodelled}.Err().Error()
	}
	switch {
	case o.Err != nil && len(o.Events) == 0:
		return ScenarioError, o.Err.Error()
	case o.Err != nil && unmodelled != "":
		return ScenarioFailed, o.Err.Error() + "\n" + unmodelled
	case errors.As(o.Err, &u):
		// Its findings, if any, are in the report and break their rules all the same.
		return ScenarioGoalNotReached, o.Err.Error()
	case o.Err != nil:
		return ScenarioFailed, o.Err.Error()
	case unmodelled != "":
		return ScenarioFailed, unmodelled
	case len(j.Unexpected) > 0:
		// The findings are in the report beside the scenario; the reason stays empty, as a failed step's
		// would not be repeated either.
		return ScenarioFailed, ""
	}
	return ScenarioPassed, ""
}

// severityRank orders severities, most grave first; unknown ones sort last.
func severityRank(s audit.Severity) int {
	switch s {
	case audit.SeverityCritical:
		return 0
	case audit.SeverityHigh:
		return 1
	case audit.SeverityMedium:
		return 2
	case audit.SeverityLow:
		return 3
	case audit.SeverityInfo:
		return 4
	}
	return 5
}

// ParseFailOn checks a --fail-on value.
func ParseFailOn(s string) (audit.Severity, error) {
	switch sev := audit.Severity(strings.ToLower(s)); sev {
	case audit.SeverityCritical, audit.SeverityHigh, audit.SeverityMedium, audit.SeverityLow:
		return sev, nil
	}
	return "", fmt.Errorf("%q is not a severity: want critical, high, medium or low", s)
}

// Blocks reports whether a finding of severity s denies certification at threshold failOn.
func Blocks(s audit.Severity, failOn audit.Severity) bool {
	return s != audit.SeverityInfo && severityRank(s) <= severityRank(failOn)
}

// Header is everything of a report that is not derived from its scenarios.
type Header struct {
	FailOn     audit.Severity
	Lang       string
	Assistant  Assistant
	Profile    *ProfileInfo
	Parley     Parley
	Suite      Suite
	Seed       int64
	StartedAt  time.Time
	FinishedAt time.Time
	// Rerun names the earlier report a rerun joins (package doc of RerunOf); nil for a run of its own.
	Rerun *RerunOf
}

// Build assembles a report from its header, the catalogue and the scenarios: each rule's status over the
// whole run (broken if any scenario broke it, passed if any exercised it, not applicable if only
// scenarios not applicable to the assistant declare it, otherwise not exercised, with the goals not
// reached that kept it so), the summary and the verdict. A run is not certified when a scenario failed or
// errored for a reason other than findings below the threshold, a finding at or above fail_on was made,
// or no scenario was played; otherwise it is incomplete when it was a subset of its suite, left a
// critical or high rule unexercised (not applicable ones aside) or a scenario's goal was not reached,
// and certified only when none of these.
func Build(h Header, rules []RuleMeta, scenarios []Scenario) Report {
	r := Report{
		Schema: SchemaID, FailOn: string(h.FailOn), Lang: h.Lang, Assistant: h.Assistant, Profile: h.Profile, Parley: h.Parley, Suite: h.Suite,
		Seed: h.Seed, StartedAt: h.StartedAt.UTC(), FinishedAt: h.FinishedAt.UTC(), Scenarios: scenarios, Rules: []Rule{}, Rerun: h.Rerun,
	}
	r.Summary.Required = []string{}
	if r.Scenarios == nil {
		r.Scenarios = []Scenario{}
	}
	if r.Lang == "" {
		r.Lang = "en"
	}
	blocked := false
	for _, m := range rules {
		rr := Rule{ID: m.ID, Title: m.Title, TitleES: m.TitleES, Severity: m.Severity, Sources: slices.Clone(m.Sources), Checks: m.Checks, Status: audit.NotExercised, Findings: []Finding{}}
		for _, s := range scenarios {
			switch s.RuleStatus[m.ID] {
			case audit.Broken:
				rr.Status = audit.Broken
			case audit.Passed:
				if rr.Status == audit.NotExercised {
					rr.Status = audit.Passed
				}
			default:
				continue
			}
			rr.Scenarios = append(rr.Scenarios, s.Name)
			for _, f := range s.Findings {
				if f.Rule == m.ID {
					rr.Findings = append(rr.Findings, f)
				}
			}
		}
		if rr.Status == audit.NotExercised {
			rr.Status, rr.NotExercisedBecause, rr.NotApplicableBecause = whyUnexercised(m.ID, scenarios)
		}
		switch rr.Status {
		case audit.Passed:
			r.Summary.RulesPassed++
		case audit.Broken:
			r.Summary.RulesBroken++
		case RuleNotApplicable:
			r.Summary.RulesNotApplicable++
		default:
			r.Summary.RulesUnseen++
			if m.Severity == audit.SeverityCritical || m.Severity == audit.SeverityHigh {
				r.Summary.Required = append(r.Summary.Required, m.ID)
			}
		}
		r.Rules = append(r.Rules, rr)
	}
	played, unreached := 0, false
	for _, s := range scenarios {
		r.Summary.Scenarios++
		if s.Status != ScenarioNotApplicable {
			played++
		}
		switch s.Status {
		case ScenarioPassed:
			r.Summary.Passed++
		case ScenarioNotApplicable:
			r.Summary.NotApplicable++
		case ScenarioGoalNotReached:
			r.Summary.GoalNotReached++
			unreached = true
		case ScenarioError:
			r.Summary.Errors++
			blocked = true
		default:
			r.Summary.Failed++
			if s.Error != "" {
				blocked = true // a step failed: the assistant did not do what the scenario needs
			}
		}
		for _, f := range s.Findings {
			r.Summary.Findings++
			if Blocks(f.Severity, h.FailOn) {
				r.Summary.Blocking++
				blocked = true
			}
		}
	}
	switch {
	case h.Suite.Filtered && h.Suite.Tags != "":
		r.Summary.Subset = "--tags " + h.Suite.Tags
	case len(scenarios) < h.Suite.Total:
		r.Summary.Subset = fmt.Sprintf("%d of the suite's %d scenarios", len(scenarios), h.Suite.Total)
		if h.Suite.Shard != "" {
			r.Summary.Subset = fmt.Sprintf("shard %s: %s", h.Suite.Shard, r.Summary.Subset)
		}
	}
	switch {
	case blocked || played == 0:
		r.Verdict = NotCertified
	case r.Summary.Subset != "" || len(r.Summary.Required) > 0 || unreached:
		r.Verdict = Incomplete
	default:
		r.Verdict = Certified
	}
	return r
}

// whyUnexercised decides the status of a rule no scenario exercised: not applicable when scenarios not
// applicable to the assistant declare it and no played scenario does (with what the profile lacks),
// otherwise not exercised, with the goals not reached that kept played scenarios from exercising it.
func whyUnexercised(id string, scenarios []Scenario) (status audit.Status, notExercised, notApplicable []string) {
	playedDeclares := false
	for _, s := range scenarios {
		switch {
		case !slices.Contains(s.Exercises, id):
		case s.Status == ScenarioNotApplicable:
			if !slices.Contains(notApplicable, s.Error) {
				notApplicable = append(notApplicable, s.Error)
			}
		default:
			playedDeclares = true
		}
		if s.Goal != nil && slices.Contains(s.Goal.Rules, id) {
			if why := s.Goal.Sentence(); !slices.Contains(notExercised, why) {
				notExercised = append(notExercised, why)
			}
		}
	}
	if len(notApplicable) > 0 && !playedDeclares && len(notExercised) == 0 {
		return RuleNotApplicable, nil, notApplicable
	}
	return audit.NotExercised, notExercised, nil
}

// Certified reports whether the verdict is certified.
func (r Report) Certified() bool { return r.Verdict == Certified }

// Incomplete reports whether nothing failed but the run is not a certification (a subset, or critical or
// high rules not exercised).
func (r Report) Incomplete() bool { return r.Verdict == Incomplete }

// Recheck recomputes the verdict from the report's own scenarios and catalogue: an error when the verdict
// it states is not the one they give (a report edited, or written by something other than Build).
func (r Report) Recheck() error {
	again := Build(r.Header(), r.Catalogue(), r.Scenarios)
	if again.Verdict != r.Verdict {
		return fmt.Errorf("the report states the verdict %q but its own scenarios give %q", r.Verdict, again.Verdict)
	}
	return nil
}

// Catalogue returns the rule metadata the report carries, for Build and Merge.
func (r Report) Catalogue() []RuleMeta {
	var out []RuleMeta
	for _, x := range r.Rules {
		out = append(out, RuleMeta{ID: x.ID, Title: x.Title, TitleES: x.TitleES, Severity: x.Severity, Sources: x.Sources, Checks: x.Checks})
	}
	return out
}

// Header returns the report's header, for Build.
func (r Report) Header() Header {
	return Header{FailOn: audit.Severity(r.FailOn), Lang: r.Lang, Assistant: r.Assistant, Profile: r.Profile, Parley: r.Parley, Suite: r.Suite,
		Seed: r.Seed, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Rerun: r.Rerun}
}

// Merge joins the reports of the shards of one run. They must come from the same suite (hash), assistant,
// seed, threshold and parley binary; a scenario may appear in one shard only. The merged report lists the
// scenarios in suite order as the shards recorded them and recomputes every verdict.
func Merge(parts []Report) (Report, error) {
	if len(parts) == 0 {
		return Report{}, errors.New("nothing to merge")
	}
	first := parts[0]
	h := first.Header()
	h.Suite.Shard, h.Suite.Shards = "", nil
	seen := map[string]string{}
	var scenarios []Scenario
	h.Rerun = nil
	for i, p := range parts {
		switch {
		case p.Rerun != nil:
			return Report{}, fmt.Errorf("report %d is a rerun, which already joins its earlier report: merge the shards first, then rerun the merged report", i+1)
		case p.Schema != first.Schema:
			return Report{}, fmt.Errorf("report %d has schema %q, not %q", i+1, p.Schema, first.Schema)
		case p.Suite.SHA256 != first.Suite.SHA256:
			return Report{}, fmt.Errorf("report %d ran suite %s, not %s: shards must run the same suite", i+1, short(p.Suite.SHA256), short(first.Suite.SHA256))
		case p.Parley.BinarySHA256 != first.Parley.BinarySHA256:
			return Report{}, fmt.Errorf("report %d was made by parley binary %s, not %s", i+1, short(p.Parley.BinarySHA256), short(first.Parley.BinarySHA256))
		case p.Seed != first.Seed, p.FailOn != first.FailOn, p.Suite.Tags != first.Suite.Tags:
			return Report{}, fmt.Errorf("report %d differs in seed, --fail-on or --tags from report 1", i+1)
		case p.Assistant.Kind != first.Assistant.Kind || p.Assistant.URL != first.Assistant.URL || p.Assistant.Image != first.Assistant.Image ||
			!slices.Equal(p.Assistant.Violations, first.Assistant.Violations):
			return Report{}, fmt.Errorf("report %d certified another assistant (%s) than report 1 (%s)", i+1, describe(p.Assistant), describe(first.Assistant))
		case !sameProfile(p.Profile, first.Profile):
			return Report{}, fmt.Errorf("report %d ran with another assistant profile than report 1: shards must use the same --profile", i+1)
		}
		if p.StartedAt.Before(h.StartedAt) {
			h.StartedAt = p.StartedAt
		}
		if p.FinishedAt.After(h.FinishedAt) {
			h.FinishedAt = p.FinishedAt
		}
		if p.Suite.Shard != "" {
			h.Suite.Shards = append(h.Suite.Shards, p.Suite.Shard)
		}
		h.Suite.Shards = append(h.Suite.Shards, p.Suite.Shards...)
		for _, s := range p.Scenarios {
			if prev, dup := seen[s.Name]; dup {
				return Report{}, fmt.Errorf("scenario %q is in two shards (%s and %s)", s.Name, prev, p.Suite.Shard)
			}
			seen[s.Name] = p.Suite.Shard
			scenarios = append(scenarios, s)
		}
	}
	slices.Sort(h.Suite.Shards)
	return Build(h, first.Catalogue(), scenarios), nil
}

func sameProfile(a, b *ProfileInfo) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

// Read decodes a report.json, refusing another schema.
func Read(r io.Reader) (Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return Report{}, fmt.Errorf("not a parley report: %w", err)
	}
	if rep.Schema != SchemaID {
		return Report{}, fmt.Errorf("not a parley report of schema %s (got %q)", SchemaID, rep.Schema)
	}
	return rep, nil
}

// JSON encodes the report as written to report.json: indented, ending in a newline.
func (r Report) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
