package containers

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/parley-dev/parley/certify"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/dockerengine"
	"github.com/parley-dev/parley/internal/dockertest"
)

// BenchmarkSuiteInContainers plays the whole built-in suite as `parley certify --mode containers` does:
// one network for the run with the mocks and the reference assistant in containers (Shared), four
// scenarios at once, start-up and removal included (the image is built, or found, before the timer
// starts). It
// reports the suite's wall time, scenarios per second, the scenarios that did not pass and whether it
// certified. Target: under 60 s on 2 cores. It is skipped when no Docker engine answers.
//
//	TESTCONTAINERS_RYUK_DISABLED=true go test ./harness/containers -run '^$' -bench BenchmarkSuiteInContainers -benchtime 1x
func BenchmarkSuiteInContainers(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	probe, stop := context.WithTimeout(ctx, 10*time.Second)
	err := dockerengine.Available(probe)
	stop()
	if err != nil {
		b.Skipf("no Docker engine answers (%v): start Docker or point DOCKER_HOST at one", err)
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		b.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true") // Ryuk is an image to pull; parley removes what it creates
	}
	built, err := BuildImage(ctx, BuildOptions{Shared: true})
	if err != nil {
		b.Fatalf("building the parley image: %v", err)
	}
	s, err := certify.BuiltinFeatures()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := certify.Select(s, "", "")
	if err != nil {
		b.Fatal(err)
	}
	// As the CLI without --bot-image: the reference assistant in the parley image, its in-network webhook
	// on plain HTTP not judged as a deployment's.
	var failed, certified int
	b.ResetTimer()
	for b.Loop() {
		envs := NewShared(Options{Image: built.Ref, Seed: 1})
		rep, err := certify.Run(ctx, certify.Config{Plan: plan, Envs: envs, Parallel: 4, Timeout: 2 * time.Minute})
		if cerr := envs.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			b.Fatal(err)
		}
		failed, certified = rep.Summary.Failed+rep.Summary.Errors, 0
		if rep.Certified() {
			certified = 1
		}
	}
	perSuite := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perSuite, "s/suite")
	b.ReportMetric(float64(len(plan.Selected))/perSuite, "scenarios/s")
	b.ReportMetric(float64(failed), "failed")
	b.ReportMetric(float64(certified), "certified")
}

// BenchmarkContainersWarmStart starts a containers environment from an image already built (network,
// mocks, reference assistant, health waits, webhook handshake) and removes it. It reports the start to
// healthy (s/start, target under 3 s) and the removal (s/close) apart; ns/op is both.
//
//	TESTCONTAINERS_RYUK_DISABLED=true go test ./harness/containers -run '^$' -bench BenchmarkContainersWarmStart -benchtime 3x
func BenchmarkContainersWarmStart(b *testing.B) {
	dockertest.Require(b)
	ctx := context.Background()
	img, err := BuildImage(ctx, BuildOptions{Shared: true})
	if err != nil {
		b.Fatal(err)
	}
	var starting, closing time.Duration
	for b.Loop() {
		t0 := time.Now()
		env, err := Start(ctx, Options{Image: img.Ref})
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := env.Close(); err != nil {
			b.Fatal(err)
		}
		starting, closing = starting+t1.Sub(t0), closing+time.Since(t1)
	}
	b.ReportMetric(starting.Seconds()/float64(b.N), "s/start")
	b.ReportMetric(closing.Seconds()/float64(b.N), "s/close")
}

// BenchmarkJourneysContainersVsEmbedded plays the five journeys of TestContainersJourneys embedded and
// then in containers (each journey in an environment of its own, as RunJourney plays it, on a network
// kept from the previous one (Networks), the image built before the timer), in every iteration, so that both halves see the same load. It reports both wall
// times, their ratio (containers/embedded, target at most 3), the containers' start-ups and removals
// (s/startclose) and the play alone (the journeys and their audits, without starting or removing either
// environment: play/embedded, s/playembedded, s/playcontainers). A journey whose verdict in containers is not the embedded
// one, rule by rule, fails the benchmark.
//
//	TESTCONTAINERS_RYUK_DISABLED=true go test ./harness/containers -run '^$' -bench BenchmarkJourneysContainersVsEmbedded -benchtime 1x -count 3
func BenchmarkJourneysContainersVsEmbedded(b *testing.B) {
	dockertest.Require(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	img, err := BuildImage(ctx, BuildOptions{Shared: true})
	if err != nil {
		b.Fatal(err)
	}
	journeys := journeysNamed(b, containerJourneys...)
	nets := NewNetworks()
	defer nets.Close()
	var inEmbedded, inContainers, startClose, playEmbedded, playContainers time.Duration
	for b.Loop() {
		want := make([]harness.JourneyResult, len(journeys))
		for i, j := range journeys {
			t0 := time.Now()
			env, err := embedded.Factory{Seed: 1}.Start(ctx, harness.Scenario{Name: j.Name})
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			want[i] = harness.Play(ctx, env, j)
			t2 := time.Now()
			if err := env.Close(); err != nil {
				b.Fatal(err)
			}
			inEmbedded += time.Since(t0)
			playEmbedded += t2.Sub(t1)
		}
		for i, j := range journeys {
			t0 := time.Now()
			env, err := Start(ctx, Options{Image: img.Ref, Seed: 1, Networks: nets})
			if err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			got := harness.Play(ctx, env, j)
			t2 := time.Now()
			if err := env.Close(); err != nil {
				b.Fatal(err)
			}
			inContainers += time.Since(t0)
			playContainers += t2.Sub(t1)
			startClose += t1.Sub(t0) + time.Since(t2)
			if d := verdictDiffers(want[i], got); d != "" {
				b.Errorf("journey %q: %s", j.Name, d)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(inEmbedded.Seconds()/n, "s/embedded")
	b.ReportMetric(inContainers.Seconds()/n, "s/containers")
	b.ReportMetric(inContainers.Seconds()/inEmbedded.Seconds(), "containers/embedded")
	b.ReportMetric(startClose.Seconds()/n, "s/startclose")
	b.ReportMetric(playContainers.Seconds()/playEmbedded.Seconds(), "play/embedded")
	b.ReportMetric(playEmbedded.Seconds()/n, "s/playembedded")
	b.ReportMetric(playContainers.Seconds()/n, "s/playcontainers")
}

// verdictDiffers says how a journey played in containers was judged otherwise than embedded: an error on
// one side only, or a rule with another status (but WA-SEC-02, whose TLS probe runs embedded only).
func verdictDiffers(embedded, containers harness.JourneyResult) string {
	if (embedded.Err == nil) != (containers.Err == nil) {
		return fmt.Sprintf("error embedded %v, in containers %v", embedded.Err, containers.Err)
	}
	for _, want := range embedded.Report.Results {
		if want.Rule == "WA-SEC-02" {
			continue
		}
		if got, _ := containers.Report.Result(want.Rule); got.Status != want.Status {
			return fmt.Sprintf("%s is %s in containers, %s embedded (%+v)", want.Rule, got.Status, want.Status, got.Findings)
		}
	}
	return ""
}
