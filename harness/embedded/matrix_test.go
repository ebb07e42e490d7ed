package embedded

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/bots/reference"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/sim"
)

// strict is how the suite audits the reference assistant: as if certifying a deployed assistant, so that
// WA-SEC-02 (plain-HTTP webhooks, TLS 1.0/1.1 accepted) is a finding rather than a note. The embedded
// environment delivers webhooks over HTTPS (Env.WebhookURL), so a compliant assistant passes it.
var strict = audit.Options{CertifyDeployed: true}

// runAll plays every given journey against the reference assistant with the given violation switches,
// two at a time, and returns the results in journey order.
func runAll(t *testing.T, journeys []sim.Journey, violations ...string) []harness.JourneyResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out := make([]harness.JourneyResult, len(journeys))
	sem := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for i, j := range journeys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = harness.RunJourney(ctx, Factory{Violations: violations, Seed: 1, Audit: strict}, harness.Scenario{}, j)
		}()
	}
	wg.Wait()
	return out
}

// TestSuiteCleanOnReference: with no switch, every journey passes and no rule is broken; together the
// journeys exercise every rule of the catalogue.
func TestSuiteCleanOnReference(t *testing.T) {
	results := runAll(t, sim.Journeys())
	exercised := map[string]bool{}
	for _, r := range results {
		if r.Err != nil {
			t.Errorf("journey %q failed on the compliant assistant: %v", r.Journey.Name, r.Err)
		}
		for _, b := range r.Report.Broken() {
			for _, f := range b.Findings {
				t.Errorf("journey %q: %s broken on the compliant assistant: %s (events %v)", r.Journey.Name, b.Rule, f.Explanation, f.Seqs)
			}
		}
		for _, res := range r.Report.Results {
			if res.Status != audit.NotExercised {
				exercised[res.Rule] = true
			}
		}
		for _, id := range r.Journey.Rules {
			if res, _ := r.Report.Result(id); res.Status == audit.NotExercised {
				t.Errorf("journey %q claims %s but the auditor saw nothing to judge", r.Journey.Name, id)
			}
		}
	}
	for _, rule := range audit.Catalogue() {
		if !exercised[rule.ID] {
			t.Errorf("no journey exercises %s (%s)", rule.ID, rule.Title)
		}
	}
}

// TestDetectionMatrix: for every violation switch of the reference assistant, the journeys that claim its
// rule make the auditor report that rule. The matrix, with any other rule that fired, is printed.
func TestDetectionMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the detection matrix runs every violation switch; skipped with -short")
	}
	var rows []string
	for _, v := range reference.Violations() {
		var journeys []sim.Journey
		for _, j := range sim.Journeys() {
			if slices.Contains(j.Rules, v.Rule) {
				journeys = append(journeys, j)
			}
		}
		if len(journeys) == 0 {
			t.Errorf("%s: no journey exercises it, so its violation cannot be detected", v.Rule)
			continue
		}
		fired := map[string]bool{}
		for _, r := range runAll(t, journeys, v.Rule) {
			for _, b := range r.Report.Broken() {
				fired[b.Rule] = true
			}
		}
		var also []string
		for id := range fired {
			if id != v.Rule {
				also = append(also, id)
			}
		}
		sort.Strings(also)
		mark := "detected"
		if !fired[v.Rule] {
			mark = "MISSED"
			t.Errorf("--violate %s: the auditor did not report %s (%s)", v.Rule, v.Rule, v.Description)
		}
		rows = append(rows, fmt.Sprintf("%-17s %-9s %s", v.Rule, mark, strings.Join(also, " ")))
	}
	t.Logf("detection matrix (switch, verdict, other rules that fired):\n%s", strings.Join(rows, "\n"))
}
