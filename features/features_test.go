package features_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cucumber/godog"

	"github.com/parley-dev/parley/audit"
	"github.com/parley-dev/parley/features"
	"github.com/parley-dev/parley/harness"
	"github.com/parley-dev/parley/harness/embedded"
	"github.com/parley-dev/parley/steps"
)

// opts are bound to -godog.* flags: -godog.tags, -godog.format (pretty, progress, junit:FILE,
// cucumber:FILE, several separated by commas), -godog.concurrency, -godog.random, -godog.strict, …
var opts = godog.Options{Format: "progress", Concurrency: 4, Tags: features.DefaultTags, NoColors: true}

func init() { godog.BindFlags("godog.", flag.CommandLine, &opts) }

// reference starts the reference assistant with the mocks in this process for every scenario.
var reference = embedded.Factory{Seed: 1}

// gaps are rules that no scenario of the default run gets the auditor to judge yet, each with why. The
// test fails when a gap closes, so the list stays true.
var gaps = map[string]string{}

var ruleTag = regexp.MustCompile(`^@[A-Z]+(-[A-Z0-9]+)+$`)

// TestFeatures runs the certification suite against the reference assistant, embedded: every scenario
// is a subtest and passes only when its steps hold and the auditor finds no rule broken. Then it checks
// that the suite exercises every rule of the catalogue, by the scenarios' tags and by the auditor's own
// verdicts.
func TestFeatures(t *testing.T) {
	var mu sync.Mutex
	exercised := map[string]bool{}
	claimed := map[string][]string{} // scenario → rule tags the auditor did not judge
	record := steps.WithReport(func(s harness.Scenario, r audit.Report) {
		mu.Lock()
		defer mu.Unlock()
		for _, res := range r.Results {
			if res.Status != audit.NotExercised {
				exercised[res.Rule] = true
			}
		}
		for _, tag := range s.Tags {
			if res, ok := r.Result(strings.TrimPrefix(tag, "@")); ok && res.Status == audit.NotExercised {
				claimed[s.Name] = append(claimed[s.Name], res.Rule)
			}
		}
	})
	o := opts
	o.TestingT = t
	problems, st := steps.RunSuite(features.FS(), []string{"."}, reference, o, record)
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	if st != 0 {
		t.Errorf("the suite failed (godog status %d)", st)
	}
	if o.Tags != features.DefaultTags || strings.Contains(flag.Lookup("test.run").Value.String(), "/") {
		return // a partial run proves nothing about coverage
	}
	t.Run("every rule exercised", func(t *testing.T) {
		tagged := map[string]bool{}
		all, err := steps.Scenarios(features.FS(), featureFiles(t))
		if err != nil {
			t.Fatal(err)
		}
		known := map[string]bool{}
		for _, r := range audit.Catalogue() {
			known[r.ID] = true
		}
		for _, s := range all {
			for _, tag := range s.Tags {
				id := strings.TrimPrefix(tag, "@")
				if ruleTag.MatchString(tag) && !known[id] {
					t.Errorf("%s: tag %s is not a rule of the catalogue", s.Path(), tag)
				}
				tagged[id] = true
			}
		}
		for _, r := range audit.Catalogue() {
			if !tagged[r.ID] {
				t.Errorf("no scenario is tagged @%s (%s)", r.ID, r.Title)
			}
			why, gap := gaps[r.ID]
			switch {
			case !exercised[r.ID] && !gap:
				t.Errorf("no scenario of the default run gets the auditor to judge %s (%s)", r.ID, r.Title)
			case exercised[r.ID] && gap:
				t.Errorf("%s is exercised now: remove it from gaps (%s)", r.ID, why)
			case gap:
				t.Logf("known gap %s: %s", r.ID, why)
			}
		}
		// A rule tag is a claim: the auditor must have judged that rule in that scenario.
		for name, rules := range claimed {
			for _, id := range rules {
				if _, gap := gaps[id]; !gap {
					t.Errorf("scenario %q is tagged @%s but the auditor did not judge it there", name, id)
				}
			}
		}
	})
}

func featureFiles(t *testing.T) []string {
	runnable, problems := steps.Lint(features.FS(), ".")
	if len(problems) > 0 {
		t.Fatalf("%s", steps.Problems(problems))
	}
	return runnable
}

// TestThemesAndLanguages: every scenario carries its theme (its folder), one language tag that matches
// the file's language, and @wip only with a comment saying why.
func TestThemesAndLanguages(t *testing.T) {
	all, err := steps.Scenarios(features.FS(), featureFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	spanish := map[string]bool{}
	for _, s := range all {
		theme := "@" + filepath.Dir(s.URI)
		if !s.HasTag(theme) {
			t.Errorf("%s %q: no theme tag %s", s.Path(), s.Name, theme)
		}
		b, err := os.ReadFile(s.URI)
		if err != nil {
			t.Fatal(err)
		}
		es := bytes.Contains(b, []byte("# language: es"))
		switch {
		case es && !s.HasTag("@es"), !es && !s.HasTag("@en"):
			t.Errorf("%s %q: its language tag does not match the file's language", s.Path(), s.Name)
		}
		if es {
			spanish[filepath.Dir(s.URI)] = true
		}
		if s.HasTag("@wip") && !bytes.Contains(b, []byte("# @wip:")) && !bytes.Contains(b, []byte("# @wip ")) {
			t.Errorf("%s: @wip without a '# @wip: why' comment", s.Path())
		}
	}
	// The core journeys in Spanish.
	for _, theme := range []string{"conversation", "optin", "optout", "data-requests", "privacy", "pii", "window-and-templates", "escalation", "security", "resilience"} {
		if !spanish[theme] {
			t.Errorf("theme %s has no Spanish feature", theme)
		}
	}
}

// TestNewFeatureWithoutGoChange: a feature file written only with documented steps, in a folder of its
// own, runs as it is.
func TestNewFeatureWithoutGoChange(t *testing.T) {
	dir := t.TempDir()
	feature := `# language: es
@nuevo @es
Característica: Una consulta nueva escrita por QA

  Escenario: Pedido de otra clienta
    Dado un cliente "Ana" con teléfono "+34 600 000 003" que habla español
    Y "Ana" ya ha saludado al asistente
    Cuando la conversación es:
      | quién     | dice                           |
      | Ana       | ¿Dónde está mi pedido TE-1003? |
      | asistente | TE-1003                        |
    Y pasan 2 horas
    Y "Ana" dice "gracias"
    Entonces la auditoría no encuentra nada
`
	if err := os.WriteFile(filepath.Join(dir, "nueva.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/steps.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"un cliente", "ya ha saludado al asistente", "la conversación es:", "pasan 31 días", "dice", "la auditoría no encuentra nada"} {
		if !bytes.Contains(doc, []byte(d)) {
			t.Errorf("docs/steps.md does not document %q", d)
		}
	}
	var out bytes.Buffer
	o := godog.Options{Format: "pretty", NoColors: true, Output: &out, TestingT: t}
	problems, st := steps.RunSuite(os.DirFS(dir), []string{"."}, reference, o)
	if len(problems) > 0 || st != 0 {
		t.Fatalf("status %d, problems:\n%s\n%s", st, steps.Problems(problems), out.String())
	}
	if !strings.Contains(out.String(), "1 scenarios (1 passed)") {
		t.Errorf("the new feature did not run:\n%s", out.String())
	}
}

// TestBadInput: a broken feature file gets a message with its line and a fix, and the files next to it
// still run.
func TestBadInput(t *testing.T) {
	good := "Feature: good\n  Scenario: still runs\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" says \"Hola\"\n    Then \"Lucía\" receives a reply containing \"Tienda Ejemplo\"\n"
	tests := []struct {
		name    string
		feature string
		line    int
		want    []string // in the message or the fix
	}{
		{"typo in a step", "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucía\" sayss \"Hola\"\n",
			4, []string{"unknown step", `"Lucía" says "BAJA"`}},
		{"wrong language header", "# language: spanish\nCaracterística: x\n", 1, []string{`language "spanish"`, "# language: es"}},
		{"Spanish without a header", "Característica: x\n  Escenario: y\n    Dado un cliente \"Lucía\" con teléfono \"+34 600 000 001\" que habla español\n", 1, []string{"# language: es"}},
		{"unknown customer", "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When \"Lucia\" says \"Hola\"\n",
			4, []string{`no customer named "Lucia"`, `did you mean "Lucía"`}},
		{"malformed table", "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When the conversation goes:\n      | who | says |\n      | Lucía | Hola | extra |\n",
			6, []string{"malformed table", "as many | cells"}},
		{"table without its header", "Feature: x\n  Scenario: y\n    Given a customer \"Lucía\" with phone \"+34 600 000 001\" who speaks Spanish\n    When the conversation goes:\n      | Lucía | Hola |\n",
			5, []string{"header", "| who | says |"}},
		{"unknown rule id", "Feature: x\n  Scenario: y\n    Then the audit reports \"WA-OPTOUT-1\"\n", 3, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "bad.feature"), []byte(tt.feature), 0o644)
			os.WriteFile(filepath.Join(dir, "good.feature"), []byte(good), 0o644)
			var out bytes.Buffer
			o := godog.Options{Format: "progress", NoColors: true, Output: &out}
			problems, st := steps.RunSuite(os.DirFS(dir), []string{"."}, reference, o)
			if tt.want == nil { // caught when it runs, not by the linter
				if len(problems) != 0 || st == 0 || !strings.Contains(out.String(), `Did you mean "WA-OPTOUT-01"`) {
					t.Errorf("status %d, problems %v, output:\n%s", st, problems, out.String())
				}
				return
			}
			if st == 0 {
				t.Errorf("status 0 with a broken file")
			}
			if len(problems) == 0 {
				t.Fatalf("no problem reported; output:\n%s", out.String())
			}
			p := problems[0]
			if p.File != "bad.feature" || p.Line != tt.line {
				t.Errorf("problem at %s:%d, want bad.feature:%d: %s", p.File, p.Line, tt.line, p)
			}
			for _, w := range tt.want {
				if !strings.Contains(p.String(), w) {
					t.Errorf("problem %q does not say %q", p, w)
				}
			}
			if !strings.Contains(out.String(), "1 scenarios (1 passed)") {
				t.Errorf("the good feature did not run:\n%s", out.String())
			}
		})
	}
}

// TestReportsToFiles: -godog.format writes pretty, JUnit and cucumber JSON reports to files on request.
func TestReportsToFiles(t *testing.T) {
	dir := t.TempDir()
	junit, cucumber := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "cucumber.json")
	var out bytes.Buffer
	o := godog.Options{Format: "pretty,junit:" + junit + ",cucumber:" + cucumber, Tags: "@security && ~@wip", NoColors: true, Output: &out}
	problems, st := steps.RunSuite(features.FS(), []string{"security"}, reference, o)
	if len(problems) > 0 || st != 0 {
		t.Fatalf("status %d %v\n%s", st, problems, out.String())
	}
	for file, want := range map[string]string{junit: `<testcase name="A forged webhook is refused"`, cucumber: `"keyword": "Característica"`} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("%s lacks %s:\n%.2000s", filepath.Base(file), want, b)
		}
	}
	if !strings.Contains(out.String(), "Scenario: A forged webhook is refused") {
		t.Errorf("pretty output lacks the scenario:\n%s", out.String())
	}
}
