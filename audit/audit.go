package audit

import (
	"slices"
	"time"

	"github.com/parley-dev/parley/journal"
)

// Severity is how grave a broken rule is: critical for unlawful processing or a risk of a platform ban,
// with direct harm to the person; high for a clear legal or policy breach; medium for a requirement that
// is partly observable, scoped or time-bound; low for best practice.
type Severity string

// The severities. SeverityInfo is only ever carried by a finding, never by a rule: it marks a finding that
// is reported but does not break the rule (WA-SEC-02 in an embedded run).
const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
	SeverityInfo     Severity = "info"
)

// Status is a rule's verdict over one journal.
type Status string

// The statuses. A rule the journal never exercised is NotExercised, never Passed.
const (
	Passed       Status = "passed"
	Broken       Status = "broken"
	NotExercised Status = "not_exercised"
)

// Rule is one entry of the catalogue.
type Rule struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	TitleES  string   `json:"title_es"`
	Severity Severity `json:"severity"`
	Sources  []string `json:"sources"`
	// Checks says what the check looks at in the journal and, plainly, what it cannot see.
	Checks string `json:"checks"`
	// ExercisedBy names the journal events that make the rule judgeable; without them the rule is
	// reported as not exercised.
	ExercisedBy string `json:"exercised_by"`

	check func(v *View) outcome
}

// Check runs the rule over a view. It is pure: the same view gives the same result.
func (r Rule) Check(v *View) Result {
	o := r.check(v)
	res := Result{Rule: r.ID, Title: r.Title, Severity: r.Severity, Exercised: o.exercised, Notes: o.notes}
	for _, f := range o.findings {
		if v.opts.From > 0 && !slices.ContainsFunc(f.Seqs, func(seq uint64) bool { return seq >= v.opts.From }) {
			continue // history the journal carries for context: its findings were another audit's
		}
		f.Rule = r.ID
		if f.Severity == "" {
			f.Severity = r.Severity
		}
		res.Findings = append(res.Findings, f)
	}
	switch {
	case slices.ContainsFunc(res.Findings, func(f Finding) bool { return f.Severity != SeverityInfo }):
		res.Status = Broken
	case res.Exercised > 0 || len(res.Findings) > 0:
		res.Status = Passed
	default:
		res.Status = NotExercised
	}
	return res
}

// outcome is what a check returns: how many times the journal exercised the rule, the findings, and
// notes on what it could not judge.
type outcome struct {
	exercised int
	findings  []Finding
	notes     []string
}

func (o *outcome) find(customer, why string, seqs ...uint64) {
	seqs = slices.Clone(seqs)
	slices.Sort(seqs)
	o.findings = append(o.findings, Finding{Customer: customer, Seqs: slices.Compact(seqs), Explanation: why})
}

func (o *outcome) note(s string) {
	if !slices.Contains(o.notes, s) {
		o.notes = append(o.notes, s)
	}
}

// Finding is one piece of evidence that a rule was broken.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Customer string   `json:"customer,omitempty"`
	// Seqs are the journal events that prove the finding, in order; the first is the offending act.
	Seqs        []uint64 `json:"seqs"`
	Explanation string   `json:"explanation"`
}

// Result is one rule's verdict.
type Result struct {
	Rule      string    `json:"rule"`
	Title     string    `json:"title"`
	Severity  Severity  `json:"severity"`
	Status    Status    `json:"status"`
	Exercised int       `json:"exercised"` // how many situations in the journal the rule judged
	Findings  []Finding `json:"findings,omitempty"`
	Notes     []string  `json:"notes,omitempty"` // what the rule could not judge, and why
}

// Report is the auditor's verdict over one journal.
type Report struct {
	Business string   `json:"business"`
	Events   int      `json:"events"`
	Results  []Result `json:"results"`
	// Unjudged lists what the auditor could not read or order in the journal (unknown kinds, undecodable
	// payloads, gaps and reordering, sessions it could not tie to a customer).
	Unjudged []string `json:"unjudged,omitempty"`
}

// Result returns the result of rule id.
func (r Report) Result(id string) (Result, bool) {
	for _, res := range r.Results {
		if res.Rule == id {
			return res, true
		}
	}
	return Result{}, false
}

// Broken returns the results whose status is Broken.
func (r Report) Broken() []Result {
	var out []Result
	for _, res := range r.Results {
		if res.Status == Broken {
			out = append(out, res)
		}
	}
	return out
}

// Findings returns every finding, rule by rule.
func (r Report) Findings() []Finding {
	var out []Finding
	for _, res := range r.Results {
		out = append(out, res.Findings...)
	}
	return out
}

// Options is what the auditor must know about the business. The zero value is usable: Run fills the
// defaults below.
type Options struct {
	// Business is the name customers know the business by; opt-in prompts, marketing and the privacy
	// notice must carry it. Default "Tienda Ejemplo".
	Business string
	// Controller is the data controller's legal name ("Tienda Ejemplo S.L."): a privacy notice that
	// names the controller rather than the trading name identifies the business as well (GDPR-NOTICE-01).
	// Empty: only Business counts.
	Controller string
	// PrivacyURL is the full privacy notice's address; when empty, any https URL counts as the link.
	PrivacyURL string
	// PrivacyNotice is the full notice's text (the fixture behind PrivacyURL), read by PRIV-3P-01.
	PrivacyNotice string
	// Retention is the declared retention of transcripts (GDPR-RET-01). Default 90 days.
	Retention time.Duration
	// DataRegion is where the notice says personal data stay: "EU" (default) requires a European
	// Dialogflow location; "any" declares none and GDPR-PROC-01 then checks nothing.
	DataRegion string
	// CertifyDeployed says the run certifies an assistant at a deployed URL: WA-SEC-02 findings are then
	// high; in embedded runs they are informational.
	CertifyDeployed bool
	// ApprovedTemplates maps approved template names to their category (MARKETING, UTILITY,
	// AUTHENTICATION). When nil, WA-TPL-01 trusts the mock's registry, which refuses unknown templates.
	ApprovedTemplates map[string]string
	// From, when not zero, is the first event of the journal's own part: the events before it are history
	// carried for context (a customer several scenarios share, whose first contact came earlier), and a
	// finding whose events all come before it is not reported, since an earlier audit judged them.
	From uint64
	// OutOfCustomerServiceLaw says Ley 10/2025 does not apply to the business (small, not a basic
	// service): ES-CS-01 is then not exercised.
	OutOfCustomerServiceLaw bool
}

func (o Options) withDefaults() Options {
	if o.Business == "" {
		o.Business = "Tienda Ejemplo"
	}
	if o.Retention == 0 {
		o.Retention = 90 * 24 * time.Hour
	}
	if o.DataRegion == "" {
		o.DataRegion = "EU"
	}
	return o
}

// Run audits events with every rule of the catalogue. It never fails: what it cannot read is listed in
// Report.Unjudged and in the rules' notes.
func Run(events []journal.Event, opts Options) Report {
	return RunRules(Catalogue(), events, opts)
}

// RunRules audits events with the given rules only.
func RunRules(rules []Rule, events []journal.Event, opts Options) Report {
	v := NewView(events, opts)
	rep := Report{Business: v.opts.Business, Events: len(events), Unjudged: v.problems}
	rep.Results = make([]Result, len(rules))
	parallel(len(rules), func(k int) { rep.Results[k] = rules[k].Check(v) })
	v.release() // the report holds nothing of the view's events
	return rep
}
