package reference_test

import (
	"os"
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
	problems, st := steps.RunSuite(os.DirFS("testdata/features"), []string{"."}, embedded.Factory{Seed: 1}, o)
	if len(problems) > 0 {
		t.Errorf("%s", steps.Problems(problems))
	}
	if st != 0 {
		t.Errorf("the reference assistant's own scenarios failed (godog status %d)", st)
	}
}
