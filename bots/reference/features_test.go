package reference_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/steps"
)

// TestOwnWording plays the reference assistant's exact-wording scenarios (testdata/features) with the
// step library's literal steps: its sentences, buttons, keywords and seed orders, which the certification
// suite may not expect of other assistants, are checked here.
func TestOwnWording(t *testing.T) {
	o := godog.Options{Format: "progress", NoColors: true, Concurrency: 2, TestingT: t}
	// A slow runner loosens the "within N seconds" budgets as parley certify --latency-factor does.
	factor := 1.0
	if v := os.Getenv("PARLEY_LATENCY_FACTOR"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 1) {
			t.Fatalf("PARLEY_LATENCY_FACTOR=%q: want a number, 1 or more", v)
		}
		factor = f
	}
	problems, st := steps.RunSuite(os.DirFS("testdata/features"), []string{"."}, embedded.Factory{Seed: 1}, o, steps.WithLatencyFactor(factor))
	if len(problems) > 0 {
		t.Errorf("%s", steps.Problems(problems))
	}
	if st != 0 {
		t.Errorf("the reference assistant's own scenarios failed (godog status %d)", st)
	}
}
