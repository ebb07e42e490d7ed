package steps

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/journal"
	"github.com/parley-dev/parley/report"
)

// Result is one scenario as the step library played it, handed to WithResult after its final audit.
type Result struct {
	Scenario harness.Scenario
	// Env is the scenario's environment; it is closed when the callback returns.
	Env harness.Environment
	// StepErr is the first failed step's error, nil when every step passed.
	StepErr error
	// Events is the environment's journal, Audit the auditor's report over it, Expected the rule ids the
	// scenario stated it expects the audit to report, and Judgement what of these fails the scenario.
	Events    []journal.Event
	Audit     audit.Report
	Expected  []string
	Judgement audit.Judgement
	// Err is why the journal could not be read or audited, nil when it was.
	Err error
	// Latencies are what the scenario's "within N seconds" steps measured, in the order they ran.
	Latencies []report.Latency
}

// findingsError describes broken rules for a person: each rule with its id, title and findings, then
// the transcripts of the customers concerned. Nil when there are none.
func (s *scenarioState) findingsError(ctx context.Context, broken []audit.Result) error {
	return s.judgementError(ctx, audit.Judgement{Unexpected: broken})
}

// judgementError is a judgement's error followed by the transcripts of the customers it concerns (all
// customers' when it names none).
func (s *scenarioState) judgementError(ctx context.Context, j audit.Judgement) error {
	err := j.ErrIn(s.lang)
	if err == nil {
		return nil
	}
	t := s.transcripts(ctx, j.Customers()...)
	if t == "" {
		t = s.transcripts(ctx)
	}
	return fmt.Errorf(s.say("%w\ntranscript:\n%s", "%w\ntranscripción:\n%s"), err, t)
}

func (s *scenarioState) expectedRules() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for id := range s.expected {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// finalAudit is the audit after every scenario: audit.Judge decides what fails it beyond its steps (a
// broken rule it did not state, a request the mocks do not model).
func (s *scenarioState) finalAudit(ctx context.Context, stepErr error) (Result, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	res := Result{Scenario: s.info, Env: s.env, StepErr: stepErr, Expected: s.expectedRules()}
	s.mu.Lock()
	res.Latencies = slices.Clone(s.latencies)
	s.mu.Unlock()
	if err := settle(ctx, s); err != nil {
		res.Err = err
		return res, fmt.Errorf(s.say("auditing the scenario: %w", "auditando el escenario: %w"), err)
	}
	events, report, err := harness.Audit(ctx, s.env)
	if err != nil {
		res.Err = err
		return res, fmt.Errorf(s.say("auditing the scenario: %w", "auditando el escenario: %w"), res.Err)
	}
	res.Events, res.Audit = events, report
	res.Judgement = audit.Judge(res.Audit, events, res.Expected)
	return res, s.judgementError(ctx, res.Judgement)
}
