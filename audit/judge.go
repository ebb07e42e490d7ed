package audit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/parley-dev/parley/journal"
)

// Judgement is what, besides its own steps, fails a scenario: a rule the audit found broken that the
// scenario did not state it expects, and a request the mocks do not model (the run then did not test
// what it seems to). Every runner decides a scenario's fate with Judge, so the step library under
// go test and the certification engine can never disagree about the same journal.
type Judgement struct {
	// Unexpected are the broken rules the scenario did not expect.
	Unexpected []Result
	// Unmodelled are the journal's unmodelled events, in order.
	Unmodelled []journal.Event
}

// Judge weighs a scenario's audit and journal; expected are the rule ids the scenario states it expects
// the audit to report.
func Judge(rep Report, events []journal.Event, expected []string) Judgement {
	var j Judgement
	for _, r := range rep.Results {
		if r.Status == Broken && !slices.Contains(expected, r.Rule) {
			j.Unexpected = append(j.Unexpected, r)
		}
	}
	for _, e := range events {
		if e.Kind == journal.KindUnmodelled {
			j.Unmodelled = append(j.Unmodelled, e)
		}
	}
	return j
}

// Failed reports whether the judgement fails the scenario.
func (j Judgement) Failed() bool { return len(j.Unexpected) > 0 || len(j.Unmodelled) > 0 }

// Err describes why the scenario fails, nil when it does not: the broken rules with their findings, then
// the unmodelled requests.
func (j Judgement) Err() error { return j.ErrIn("en") }

// judgementWords are Err's own words in English and in Spanish; the findings' explanations stay as the
// rules wrote them.
var judgementWords = map[string]struct{ found, foundMany, customer, events, unmodelled, event string }{
	"en": {"the audit found %s broken", "the audit found %s broken", " customer +", "(journal events %v)",
		"the assistant made requests the mocks do not model:\n  %s", "event %d (%s): %s"},
	"es": {"la auditoría encontró %s incumplida", "la auditoría encontró %s incumplidas", " cliente +", "(eventos %v del registro)",
		"el asistente hizo peticiones que los simuladores no modelan:\n  %s", "evento %d (%s): %s"},
}

// ErrIn is Err in lang, es or en (any other is en), with the rules' Spanish titles in Spanish: a scenario
// written in Spanish reports its failures in Spanish.
func (j Judgement) ErrIn(lang string) error {
	w, ok := judgementWords[lang]
	if !ok {
		lang, w = "en", judgementWords["en"]
	}
	var errs []error
	if len(j.Unexpected) > 0 {
		var b strings.Builder
		ids := make([]string, len(j.Unexpected))
		for i, r := range j.Unexpected {
			ids[i] = r.Rule
		}
		// The first line stands alone (a console lists only it): it says what the first finding is.
		found := w.found
		if len(ids) > 1 {
			found = w.foundMany
		}
		fmt.Fprintf(&b, found, strings.Join(ids, ", "))
		if f, ok := j.firstFinding(); ok {
			fmt.Fprintf(&b, ": %s", f.Explanation)
		}
		for _, r := range j.Unexpected {
			fmt.Fprintf(&b, "\n- %s (%s): %s", r.Rule, r.Severity, titleIn(lang, r))
			for _, f := range r.Findings {
				if f.Severity == SeverityInfo {
					continue
				}
				cust := ""
				if f.Customer != "" {
					cust = w.customer + f.Customer + ":"
				}
				fmt.Fprintf(&b, "\n    %s%s %s "+w.events, r.Rule, cust, f.Explanation, f.Seqs)
			}
		}
		errs = append(errs, errors.New(b.String()))
	}
	if len(j.Unmodelled) > 0 {
		lines := make([]string, len(j.Unmodelled))
		for i, e := range j.Unmodelled {
			lines[i] = fmt.Sprintf(w.event, e.Seq, e.Source, e.Data)
		}
		errs = append(errs, fmt.Errorf(w.unmodelled, strings.Join(lines, "\n  ")))
	}
	return errors.Join(errs...)
}

// titleIn is the result's rule title in lang: the catalogue's Spanish title in es, when it has one.
func titleIn(lang string, r Result) string {
	if c, ok := Lookup(r.Rule); ok && lang == "es" && c.TitleES != "" {
		return c.TitleES
	}
	return r.Title
}

// firstFinding is the first finding of an unexpected broken rule that is not merely informative.
func (j Judgement) firstFinding() (Finding, bool) {
	for _, r := range j.Unexpected {
		for _, f := range r.Findings {
			if f.Severity != SeverityInfo {
				return f, true
			}
		}
	}
	return Finding{}, false
}

// Customers returns the customers the unexpected findings concern, in order of first mention.
func (j Judgement) Customers() []string {
	var out []string
	for _, r := range j.Unexpected {
		for _, f := range r.Findings {
			if f.Severity != SeverityInfo && f.Customer != "" && !slices.Contains(out, f.Customer) {
				out = append(out, f.Customer)
			}
		}
	}
	return out
}
