package features_test

import (
	"flag"
	"os"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/steps"
)

// opts are bound to -godog.* flags: -godog.tags, -godog.format (pretty, progress, junit:FILE,
// cucumber:FILE, several separated by commas), -godog.concurrency, -godog.random, -godog.strict, …
var opts = godog.Options{Format: "progress", Concurrency: 4, Tags: features.DefaultTags, NoColors: true}

func init() { godog.BindFlags("godog.", flag.CommandLine, &opts) }

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

// embedded starts the reference assistant with the mocks in this process for every scenario.
var embedded = steps.Embedded{Options: harness.Options{Seed: 1}}

// TestFeatures runs the certification suite against the reference assistant, embedded: every scenario
// is a subtest, and passes only when its steps hold and the auditor finds no rule broken.
func TestFeatures(t *testing.T) {
	runnable, problems := steps.Lint(features.FS(), ".")
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	o := opts
	o.TestingT = t
	o.FS = features.FS()
	o.Paths = runnable
	st := godog.TestSuite{
		Name:                "parley",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { steps.Register(sc, embedded) },
		Options:             &o,
	}.Run()
	if st != 0 {
		t.Errorf("the suite failed (godog status %d)", st)
	}
}
