package containers

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/certify"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/report"
)

// sharedPlan is the built-in suite's plan cut down to the scenarios named.
func sharedPlan(t *testing.T, names ...string) *certify.Plan {
	t.Helper()
	s, err := certify.BuiltinFeatures()
	if err != nil {
		t.Fatal(err)
	}
	plan, err := certify.Select(s, "", "")
	if err != nil {
		t.Fatal(err)
	}
	plan.Selected = slices.DeleteFunc(plan.Selected, func(sc certify.Scenario) bool { return !slices.Contains(names, sc.Name) })
	if len(plan.Selected) != len(names) {
		t.Fatalf("the built-in suite has %d of the scenarios %q", len(plan.Selected), names)
	}
	return plan
}

var sharedScenarios = []string{
	"An English-speaking customer says hello",
	"Una clienta saluda por primera vez",
	"Stopping the offers the way the assistant offers",
}

// TestContainersShared: a shared run plays several scenarios at once in one set of containers (one
// network, the mocks' container, the assistant's), each judged on its own customers: with the reference
// assistant keeping customers on the marketing list after they opt out, the opt-out scenario breaks
// WA-OPTOUT-01 and the greetings pass. Close removes everything.
func TestContainersShared(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	envs := NewShared(Options{Image: img.Ref, Seed: 1, Violations: []string{"WA-OPTOUT-01"}})
	defer envs.Close()
	var mu sync.Mutex
	var seen [][]string
	rep, err := certify.Run(ctx, certify.Config{Plan: sharedPlan(t, sharedScenarios...), Envs: envs, Parallel: 3, Timeout: 2 * time.Minute,
		Progress: func(report.Scenario) {
			left, _ := Leftovers(ctx, LabelSession+"="+Session())
			mu.Lock()
			seen = append(seen, left)
			mu.Unlock()
		}})
	if err != nil {
		t.Fatal(err)
	}
	for _, left := range seen {
		if len(left) != 3 {
			t.Errorf("as a scenario ended the session had %v, want one network and two containers", left)
		}
	}
	for _, sc := range rep.Scenarios {
		optOut := sc.Name == "Stopping the offers the way the assistant offers"
		switch {
		case optOut && sc.RuleStatus["WA-OPTOUT-01"] != audit.Broken:
			t.Errorf("%q: WA-OPTOUT-01 %s, want broken (%s %s)", sc.Name, sc.RuleStatus["WA-OPTOUT-01"], sc.Status, sc.Error)
		case !optOut && sc.Status != report.ScenarioPassed:
			t.Errorf("%q: %s %s, want passed", sc.Name, sc.Status, sc.Error)
		}
	}
	if rep.Certified() {
		t.Error("certified an assistant that keeps opted-out customers on the marketing list")
	}
	if err := envs.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := envs.Start(ctx, harness.Scenario{Name: "after the run"}); err == nil {
		t.Error("a closed shared run started a scenario")
	}
}

// TestContainersSharedKilled: the assistant's container killed after the first scenario of a shared
// run. No later scenario passes: each could not run, with an error that names the dead container and why,
// and the run is not certified.
func TestContainersSharedKilled(t *testing.T) {
	dockertest.Require(t)
	noLeftovers(t, LabelSession+"="+Session())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	img := image(t, ctx)
	envs := NewShared(Options{Image: img.Ref, Seed: 1})
	defer envs.Close()
	var once sync.Once
	var first string
	rep, err := certify.Run(ctx, certify.Config{Plan: sharedPlan(t, sharedScenarios...), Envs: envs, Parallel: 1, Timeout: time.Minute,
		Progress: func(sc report.Scenario) {
			once.Do(func() {
				first = sc.Name
				if err := killRole(ctx, "assistant"); err != nil {
					t.Errorf("killing the assistant: %v", err)
				}
			})
		}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Certified() {
		t.Error("certified a run whose assistant was killed after its first scenario")
	}
	t.Logf("killed after %q", first)
	for _, sc := range rep.Scenarios {
		if sc.Name == first {
			continue
		}
		if sc.Status != report.ScenarioError || !strings.Contains(sc.Error, "assistant container") || !strings.Contains(sc.Error, "killed") {
			t.Errorf("%q after the kill: %s %q, want an error naming the killed assistant container", sc.Name, sc.Status, sc.Error)
		}
	}
}
