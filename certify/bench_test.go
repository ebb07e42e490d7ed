package certify

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/internal/cputime"
	"github.com/parley-dev/parley/report"
)

// BenchmarkCertify plays the whole built-in suite as `parley certify` does by default: the reference
// assistant, embedded mocks, a fresh environment per scenario, 4 scenarios at once. The first suite of
// the process (agent loaded, expressions compiled) is played before the timer starts: the figure is a
// warm run's. Target: under 1 s on 2 cores.
//
//	go test ./certify -run '^$' -bench BenchmarkCertify -benchtime 3x
func BenchmarkCertify(b *testing.B) {
	s, err := BuiltinFeatures()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		b.Fatal(err)
	}
	suite := func() report.Report {
		rep, err := Run(context.Background(), Config{Plan: plan, Envs: embedded.Factory{Seed: 1}, Parallel: 4, Timeout: time.Minute})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	suite()
	var last report.Report
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		last = suite()
	}
	b.ReportMetric((cputime.Used()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	reportSuite(b, len(plan.Selected), last)
}

// reportSuite reports a suite benchmark's figures: wall time per suite, scenarios per second, and
// whether the last run failed scenarios and certified.
func reportSuite(b *testing.B, scenarios int, last report.Report) {
	certified := 0
	if last.Certified() {
		certified = 1
	}
	perSuite := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perSuite, "s/suite")
	b.ReportMetric(float64(scenarios)/perSuite, "scenarios/s")
	b.ReportMetric(float64(last.Summary.Failed+last.Summary.Errors), "failed")
	b.ReportMetric(float64(certified), "certified")
}

// BenchmarkSuiteByURL plays the whole built-in suite against the reference assistant as an external
// assistant: its own HTTPS server on a loopback port, reached by URL (what `parley certify --bot-url`
// does), with 4 and 8 scenarios at once (PARLEY_BENCH_PARALLEL="1,8" chooses others). It reports the
// suite's wall time, scenarios per second, the scenarios that did not pass and whether it certified.
// Target: under 30 s on 2 cores.
//
//	go test ./certify -run '^$' -bench BenchmarkSuiteByURL -benchtime 1x
func BenchmarkSuiteByURL(b *testing.B) {
	s, err := BuiltinFeatures()
	if err != nil {
		b.Fatal(err)
	}
	plan, err := Select(s, "", "")
	if err != nil {
		b.Fatal(err)
	}
	for _, parallel := range benchParallel(b) {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			var last report.Report
			for b.Loop() {
				b.StopTimer()
				v := referenceByURL(b)
				b.StartTimer()
				last = certifyByURL(b, v, plan, parallel)
			}
			reportSuite(b, len(plan.Selected), last)
		})
	}
}

func benchParallel(b *testing.B) []int {
	env := os.Getenv("PARLEY_BENCH_PARALLEL")
	if env == "" {
		return []int{4, 8}
	}
	var out []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			b.Fatalf("PARLEY_BENCH_PARALLEL=%q: want numbers of scenarios at once, e.g. 1,8", env)
		}
		out = append(out, n)
	}
	return out
}
