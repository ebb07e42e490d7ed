package containers

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/parley-dev/parley/certify"
	"github.com/parley-dev/parley/internal/dockerengine"
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
