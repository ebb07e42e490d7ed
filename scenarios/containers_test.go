package scenarios_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cucumber/godog"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/containers"
	"github.com/parley-dev/parley/internal/dockertest"
	"github.com/parley-dev/parley/steps"
)

// containerFeatures is the part of the certification suite run in containers by default, a feature file
// per theme: first contact, opt-out (with the campaign hook), data requests (in Spanish), forged webhooks
// (the security steps post to the assistant's mapped port) and Dialogflow faults (through the control
// API over HTTP). Opt-in in the chat then a campaign runs in containers as a journey (harness). The whole
// suite runs embedded in package features; PARLEY_FULL_CONTAINERS=1 runs all of it in containers too.
var containerFeatures = []string{
	"conversation/first-contact.feature",
	"optout/opt-out.feature",
	"data-requests/derechos.feature",
	"security/webhooks.feature",
	"resilience/faults.feature",
}

// containerMatrix are the detection-matrix rows also run in containers.
// Both are tagged on few scenarios: a switch whose scenarios all wait out a reply that never comes costs
// the reply wait once per scenario.
var containerMatrix = []string{"WA-XCUST-01", "GDPR-VERIFY-01"}

// tracked is a containers.Factory that keeps each run's id, so the specs can check Docker for leftovers:
// every scenario gets a network, the mocks' container and the reference assistant's container, all
// removed when it ends.
type tracked struct {
	containers.Factory
	mu   sync.Mutex
	runs []string
}

func (f *tracked) Start(ctx context.Context, s harness.Scenario) (harness.Environment, error) {
	env, err := containers.Start(ctx, containers.Options(f.Factory))
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.runs = append(f.runs, env.RunID())
	f.mu.Unlock()
	return env, nil
}

// containerImage returns the parley image for the containers' specs, built (or reused) once per test
// binary, once dockertest.Require has let the spec run.
func containerImage(ctx context.Context) string {
	dockertest.Require(GinkgoT())
	start := time.Now()
	img, err := containers.BuildImage(ctx, containers.BuildOptions{Shared: true})
	Expect(err).NotTo(HaveOccurred())
	AddReportEntry("image", fmt.Sprintf("%s (reused %v) in %s", img.Ref, img.Reused, time.Since(start).Round(time.Millisecond)))
	return img.Ref
}

// expectNoLeftovers checks that nothing of the given runs is left in Docker.
func expectNoLeftovers(ctx context.Context, f *tracked) {
	f.mu.Lock()
	defer f.mu.Unlock()
	Expect(f.runs).NotTo(BeEmpty(), "no environment was started")
	for _, id := range f.runs {
		left, err := containers.Leftovers(ctx, containers.LabelRun+"="+id)
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(BeEmpty(), "run %s left these behind", id)
	}
}

var _ = Describe("the certification suite, in containers", Label("containers"), func() {
	full := os.Getenv("PARLEY_FULL_CONTAINERS") != ""
	for _, s := range all {
		if s.HasTag("@wip") || (!full && !slices.Contains(containerFeatures, strings.SplitN(s.Path(), ":", 2)[0])) {
			continue
		}
		It(fmt.Sprintf("%s (%s)", s.Name, s.Path()), append(labels(s), "containers"), func(ctx SpecContext) {
			f := &tracked{Factory: containers.Factory{Image: containerImage(ctx), Seed: 1}}
			var out bytes.Buffer
			o := godog.Options{Format: "pretty", NoColors: true, Output: &out, DefaultContext: ctx, Tags: features.DefaultTags}
			problems, st := steps.RunSuite(features.FS(), []string{s.Path()}, f, o)
			Expect(problems).To(BeEmpty())
			Expect(st).To(Equal(0), out.String())
			Expect(out.String()).To(ContainSubstring("passed"))
			expectNoLeftovers(ctx, f)
		}, SpecTimeout(3*time.Minute))
	}
})

var _ = Describe("the detection matrix, in containers", Label("matrix", "containers"), func() {
	for _, rule := range containerMatrix {
		It(fmt.Sprintf("--violate %s in the assistant's container fails its scenarios naming the rule", rule), Label(rule), func(ctx SpecContext) {
			var tagged []string
			for _, s := range all {
				if s.HasTag("@"+rule) && !s.HasTag("@wip") {
					tagged = append(tagged, s.Path())
				}
			}
			Expect(tagged).NotTo(BeEmpty(), "no scenario is tagged @%s", rule)
			f := &tracked{Factory: containers.Factory{Image: containerImage(ctx), Seed: 1, Violations: []string{rule}}}
			var mu sync.Mutex
			var caught []string
			record := steps.WithReport(func(s harness.Scenario, r audit.Report) {
				mu.Lock()
				defer mu.Unlock()
				if res, _ := r.Result(rule); res.Status == audit.Broken {
					caught = append(caught, s.Name)
				}
			})
			var out bytes.Buffer
			o := godog.Options{Format: "pretty", NoColors: true, Output: &out, DefaultContext: ctx}
			_, st := steps.RunSuite(features.FS(), tagged, f, o, record, steps.WithReplyWait(2*time.Second))
			Expect(st).NotTo(Equal(0), "with --violate %s the suite still passed:\n%s", rule, out.String())
			Expect(caught).NotTo(BeEmpty(), "no scenario failed naming %s:\n%s", rule, out.String())
			Expect(out.String()).To(ContainSubstring(rule))
			AddReportEntry(rule, fmt.Sprintf("caught in containers by %d of %d scenarios: %s", len(caught), len(tagged), strings.Join(caught, "; ")))
			expectNoLeftovers(ctx, f)
		}, SpecTimeout(5*time.Minute))
	}
})
