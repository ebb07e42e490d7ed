package steps

import (
	"bytes"
	"context"
	"io/fs"
	"regexp"
	"strings"
	"testing"

	gherkin "github.com/cucumber/gherkin/go/v42"
	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness/embedded"
)

// runStrict runs one feature in godog's strict mode against the embedded reference assistant.
func runStrict(t *testing.T, name string, feature []byte, opts ...Option) (int, string) {
	t.Helper()
	var out bytes.Buffer
	st := godog.TestSuite{
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			Register(sc, embedded.Factory{Seed: 1}, append([]Option{WithReplyWait(2e9)}, opts...)...)
		},
		Options: &godog.Options{Format: "pretty", NoColors: true, Output: &out, Strict: true,
			FeatureContents: []godog.Feature{{Name: name, Contents: feature}}},
	}.Run()
	return st, out.String()
}

// TestStrictMode: in godog's strict mode, where an undefined or ambiguous step fails the run, a feature of
// the suite passes, a step of one's own registered with WithStep runs, and an unknown step still fails
// naming the closest known steps.
func TestStrictMode(t *testing.T) {
	optOut, err := fs.ReadFile(features.FS(), "optout/opt-out.feature")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("a feature of the suite", func(t *testing.T) {
		if st, out := runStrict(t, "opt-out.feature", optOut); st != 0 || !strings.Contains(out, "passed") {
			t.Errorf("status %d in strict mode:\n%s", st, out)
		}
	})
	t.Run("a step of one's own", func(t *testing.T) {
		ran := false
		own := WithStep(`^the order "([^"]+)" exists$`, func(ctx context.Context, order string) error {
			ran = order == "TE-1001"
			return nil
		})
		feature := "Feature: x\n  Scenario: y\n    Given the order \"TE-1001\" exists\n    And a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" says \"Hola\"\n    Then \"Lucía\" receives a reply containing \"asistente\"\n"
		if st, out := runStrict(t, "own.feature", []byte(feature), own); st != 0 || !ran {
			t.Errorf("status %d, the step ran: %v:\n%s", st, ran, out)
		}
	})
	t.Run("an unknown step", func(t *testing.T) {
		feature := "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" sayz \"Hola\"\n"
		st, out := runStrict(t, "unknown.feature", []byte(feature))
		for _, want := range []string{`unknown step "\"Lucía\" sayz \"Hola\""`, "closest known steps", `"Lucía" says "BAJA"`} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		if st == 0 {
			t.Errorf("passed:\n%s", out)
		}
	})
}

// TestNoStepIsAmbiguous: every step of every feature of the suite matches exactly one expression Register
// gives godog, so strict mode, which refuses a step two expressions match, runs them all.
func TestNoStepIsAmbiguous(t *testing.T) {
	var exprs []*regexp.Regexp
	for _, d := range Defs() {
		exprs = append(exprs, regexp.MustCompile(d.EN))
		if d.ES != d.EN {
			exprs = append(exprs, regexp.MustCompile(d.ES))
		}
	}
	files, problems := Lint(features.FS(), ".")
	if len(problems) > 0 {
		t.Fatal(Problems(problems))
	}
	checked := 0
	for _, f := range files {
		b, err := fs.ReadFile(features.FS(), f)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(b), (&messages.Incrementing{}).NewId)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range gherkin.Pickles(*doc, f, (&messages.Incrementing{}).NewId) {
			for _, st := range p.Steps {
				var matched []string
				for _, re := range exprs {
					if re.MatchString(st.Text) {
						matched = append(matched, re.String())
					}
				}
				if len(matched) != 1 {
					t.Errorf("%s: %q matches %d expressions: %q", f, st.Text, len(matched), matched)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no step checked")
	}
}
